"""Where and how the model runs: device (cuda, then mps, then cpu), CPU threads, seeds.

Called by entry points (model construction, the trainer, the scorer), never at import.
"""

from __future__ import annotations

import logging
import os
import random

import numpy as np
import torch

log = logging.getLogger(__name__)


def pick_device(requested: str = "auto") -> torch.device:
    """The device for ``requested`` ('auto', 'cpu', 'cuda', 'mps'); 'auto' logs its choice.

    An explicit device that is not available is an error rather than a silent CPU run.
    """
    if requested == "auto":
        if torch.cuda.is_available():
            chosen = "cuda"
        elif torch.backends.mps.is_available():
            chosen = "mps"
        else:
            chosen = "cpu"
        log.info("device auto-detected: %s", chosen)
        return torch.device(chosen)
    if requested == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            "device 'cuda' requested but CUDA is not available (use 'auto' or 'cpu')"
        )
    if requested == "mps" and not torch.backends.mps.is_available():
        raise RuntimeError("device 'mps' requested but MPS is not available (use 'auto' or 'cpu')")
    if requested not in ("cpu", "cuda", "mps"):
        raise ValueError(f"unknown device {requested!r}")
    return torch.device(requested)


def available_cores() -> int:
    """CPU cores this process may run on (affinity-aware where the OS tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def configure_threads(num_threads: int | None) -> int:
    """Set torch's intra-op threads to ``num_threads`` (None: the available cores); return it."""
    wanted = num_threads if num_threads is not None else available_cores()
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)
        log.info("torch uses %d CPU threads", wanted)
    return wanted


def seed_everything(seed: int) -> torch.Generator:
    """Seed python, numpy and torch (CPU and CUDA); return a CPU generator seeded alike."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)
