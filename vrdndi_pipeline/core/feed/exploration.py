"""Exploration slots, with the probability of every choice logged.

The policy fills the feed slot by slot from the diversified order: with probability ``share``
a slot takes a video drawn uniformly from those not placed yet, otherwise the best remaining
one. So the probability that the video shown in a slot was chosen there is
``(1 − share) · [it was the best remaining] + share / remaining`` — the propensity stored per
generation (``feed_exposures``), which lets a future ranker be evaluated offline by inverse
propensity weighting. The draw is seeded by the feed's generation, so a refresh is repeatable.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Placement:
    index: int  # into the diversified order
    explored: bool  # an exploration draw put it here
    propensity: float  # P(this video in this slot | the videos still unplaced)


def generation_seed(generation: str) -> int:
    return int.from_bytes(hashlib.sha256(generation.encode()).digest()[:8], "little")


def place_with_exploration(count: int, share: float, seed: int) -> list[Placement]:
    """Slot order for ``count`` videos already sorted best first (see the module docstring)."""
    if not 0.0 <= share <= 1.0:
        raise ValueError("exploration share must be within [0, 1]")
    rng = np.random.default_rng(seed)
    remaining = list(range(count))
    placements = []
    while remaining:
        left = len(remaining)
        explore = share > 0 and rng.random() < share
        pick = int(rng.integers(left)) if explore else 0
        chosen = remaining.pop(pick)
        propensity = share / left + (1.0 - share) * (pick == 0)
        # a draw that happened to take the best one is no exploration for the person
        placements.append(Placement(chosen, explore and pick != 0, propensity))
    return placements


def ips_estimate(
    rewards: np.ndarray, logged_propensity: np.ndarray, target_probability: np.ndarray
) -> tuple[float, float]:
    """Inverse-propensity estimate of a target policy's mean reward per slot, and its standard
    error: ``mean(r · π(a) / μ(a))`` over the logged slots."""
    weights = np.asarray(target_probability, float) / np.asarray(logged_propensity, float)
    values = np.asarray(rewards, float) * weights
    n = len(values)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
