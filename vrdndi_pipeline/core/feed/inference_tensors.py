"""Encoded model inputs for one feed refresh, on disk as safetensors + a JSON manifest.

Layout under a root folder (``<data_dir>/inference``)::

    <generation>/tensors.safetensors   flat tensors, see TENSOR_NAMES
    <generation>/manifest.json         video ids in row order, moment, model version, sha256, ...
    CURRENT                            the generation feed_predictions reads next

A generation folder is written under a temporary name and renamed into place, and ``CURRENT``
is replaced atomically, so a crash never leaves a half-written generation that is read.
Never pickle: safetensors holds plain tensors only, and the manifest is JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch

from vrdndi_pipeline.core.model.batching import EncodedDataset, EncodedExample
from vrdndi_pipeline.core.private_files import private_dir

FORMAT_VERSION = 1
TENSORS_FILE = "tensors.safetensors"
MANIFEST_FILE = "manifest.json"
CURRENT_FILE = "CURRENT"
_TMP_PREFIX = ".tmp-"
STALE_TMP_SECONDS = 3600

# Ragged per-row tensors are stored flat with offsets: row i is values[offsets[i]:offsets[i+1]].
TENSOR_NAMES = (
    "input_ids",  # (sum L,) long
    "input_offsets",  # (n+1,) long
    "event_index",  # (sum e,) long, rows of event_table
    "event_offsets",  # (n+1,) long
    "event_features",  # (sum e, F)
    "condition",  # (n, D)
    "event_table",  # (U, E) embeddings of the distinct event texts
)


# Late fusion stores what its cheap half needs: cached video vectors and one shared context.
LATE_TENSOR_NAMES = (
    "video_vectors",  # (n, H) pooled backbone vectors, row order of video_ids
    "condition",  # (n, D) duration features
    "context_embeddings",  # (N, E) the context events' sentence embeddings
    "context_features",  # (N, F) their numeric features
)


# The ranker needs no backbone pass: the candidates' frozen embeddings; the moment's context
# features go into the manifest (``moment_context``).
RANKER_TENSOR_NAMES = ("video_vectors",)  # (n, E) sentence embeddings, row order of video_ids


class InferenceTensorsError(RuntimeError):
    """Encoded inputs that are missing, damaged or from another format."""


@dataclass(frozen=True, slots=True)
class InferenceTensors:
    """One generation as read back: the dataset (rows in ``video_ids`` order) + manifest."""

    generation: str
    folder: Path
    video_ids: list[str]
    dataset: EncodedDataset | None  # early fusion; None without a champion (cold start)
    manifest: dict[str, Any]
    late: dict[str, torch.Tensor] | None = None  # late fusion: see LATE_TENSOR_NAMES
    ranker: dict[str, torch.Tensor] | None = None  # the ranker: see RANKER_TENSOR_NAMES


def new_generation(now: datetime) -> str:
    """A sortable, unique generation id: ``20261115T000000Z-3f2a9c1b``."""
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def _flat(dataset: EncodedDataset) -> dict[str, torch.Tensor]:
    items = dataset.items
    lengths = [len(it.input_ids) for it in items]
    events = [len(it.event_index) for it in items]
    zero = torch.zeros(1, dtype=torch.long)
    features_dim = items[0].event_features.shape[1] if items else 0
    return {
        "input_ids": torch.cat([it.input_ids for it in items])
        if items
        else torch.zeros(0, dtype=torch.long),
        "input_offsets": torch.cat([zero, torch.tensor(lengths, dtype=torch.long).cumsum(0)]),
        "event_index": torch.cat([it.event_index for it in items])
        if items
        else torch.zeros(0, dtype=torch.long),
        "event_offsets": torch.cat([zero, torch.tensor(events, dtype=torch.long).cumsum(0)]),
        "event_features": torch.cat([it.event_features for it in items])
        if items
        else torch.zeros(0, features_dim),
        "condition": torch.stack([it.condition for it in items]) if items else torch.zeros(0, 0),
        "event_table": dataset.event_table,
    }


def _unflat(tensors: dict[str, torch.Tensor]) -> EncodedDataset:
    ids, io = tensors["input_ids"], tensors["input_offsets"].tolist()
    ev, eo = tensors["event_index"], tensors["event_offsets"].tolist()
    feats, cond = tensors["event_features"], tensors["condition"]
    items = [
        EncodedExample(
            input_ids=ids[io[i] : io[i + 1]],
            event_index=ev[eo[i] : eo[i + 1]],
            event_features=feats[eo[i] : eo[i + 1]],
            condition=cond[i],
            interest_label=-100,
            productive_label=-100,
            is_productive=False,
        )
        for i in range(len(io) - 1)
    ]
    return EncodedDataset(items, tensors["event_table"])


def without_context(dataset: EncodedDataset) -> EncodedDataset:
    """The same rows with no computer-activity context (for the context-free interest pass)."""
    items = [
        EncodedExample(
            input_ids=it.input_ids,
            event_index=torch.zeros(0, dtype=torch.long),
            event_features=torch.zeros(0, it.event_features.shape[1]),
            condition=it.condition,
            interest_label=it.interest_label,
            productive_label=it.productive_label,
            is_productive=it.is_productive,
        )
        for it in dataset.items
    ]
    return EncodedDataset(items, dataset.event_table[:0])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_text_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f"{_TMP_PREFIX}{path.name}-{uuid.uuid4().hex[:6]}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_generation(
    root: Path,
    generation: str,
    video_ids: Sequence[str],
    dataset: EncodedDataset | None,
    manifest: dict[str, Any],
    *,
    late: dict[str, torch.Tensor] | None = None,
    ranker: dict[str, torch.Tensor] | None = None,
) -> Path:
    """Write one generation and point ``CURRENT`` at it; returns its folder.

    ``dataset`` rows must be in ``video_ids`` order; ``None`` records a cold-start generation
    (candidates and context only, nothing encoded because there is no champion adapter).
    At most one of ``dataset`` (early fusion), ``late`` and ``ranker`` is given.
    """
    from safetensors.torch import save_file

    if dataset is not None and len(dataset) != len(video_ids):
        raise ValueError(f"{len(dataset)} encoded rows for {len(video_ids)} videos")
    if sum(x is not None for x in (dataset, late, ranker)) > 1:
        raise ValueError("a generation holds early-fusion rows, late-fusion or ranker tensors")
    if late is not None and set(late) != set(LATE_TENSOR_NAMES):
        raise ValueError(f"late-fusion tensors must be {LATE_TENSOR_NAMES}")
    if ranker is not None and set(ranker) != set(RANKER_TENSOR_NAMES):
        raise ValueError(f"ranker tensors must be {RANKER_TENSOR_NAMES}")
    private_dir(root)
    target = root / generation
    if target.exists():
        raise FileExistsError(f"generation {generation} exists already")
    tmp = root / f"{_TMP_PREFIX}{generation}"
    tmp.mkdir()
    try:
        body: dict[str, Any] = {
            **manifest,
            "format_version": FORMAT_VERSION,
            "generation": generation,
            "video_ids": list(video_ids),
            "encoded": dataset is not None or late is not None or ranker is not None,
            "fusion": "late" if late is not None else "none" if ranker is not None else "early",
            "family": "ranker" if ranker is not None else "lora",
        }
        if dataset is not None or late is not None or ranker is not None:
            flat = _flat(dataset) if dataset is not None else late if late is not None else ranker
            tensors = {k: v.contiguous() for k, v in flat.items()}  # type: ignore[union-attr]
            save_file(tensors, str(tmp / TENSORS_FILE), metadata={"generation": generation})
            _fsync(tmp / TENSORS_FILE)
            body["tensors_sha256"] = _sha256(tmp / TENSORS_FILE)
            body["tensors_bytes"] = (tmp / TENSORS_FILE).stat().st_size
            body["shapes"] = {k: list(v.shape) for k, v in tensors.items()}
        (tmp / MANIFEST_FILE).write_text(json.dumps(body, indent=2, ensure_ascii=False))
        _fsync(tmp / MANIFEST_FILE)
        _fsync(tmp)  # the folder's entries, before the rename makes it visible
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _write_text_atomically(root / CURRENT_FILE, generation + "\n")
    return target


def current_generation_id(root: Path) -> str | None:
    try:
        name = (root / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def read_generation(root: Path, generation: str | None = None) -> InferenceTensors:
    """The generation ``CURRENT`` names (or ``generation``), checked against its manifest."""
    from safetensors.torch import load_file

    name = generation or current_generation_id(root)
    if name is None:
        raise InferenceTensorsError(
            f"no encoded inputs in {root}: materialize encoded_inference_tensors first "
            "(feed_refresh_job runs both assets)"
        )
    folder = root / name
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InferenceTensorsError(
            f"{folder / MANIFEST_FILE} is missing or not JSON ({error}); run "
            "encoded_inference_tensors again"
        ) from error
    if manifest.get("format_version") != FORMAT_VERSION:
        raise InferenceTensorsError(
            f"{folder}: format {manifest.get('format_version')}, this vrdndi reads "
            f"{FORMAT_VERSION}; run encoded_inference_tensors again"
        )
    dataset, late, ranker = None, None, None
    if manifest.get("encoded"):
        path = folder / TENSORS_FILE
        if not path.exists() or _sha256(path) != manifest.get("tensors_sha256"):
            raise InferenceTensorsError(
                f"{path} is missing or does not match its manifest (damaged?); run "
                "encoded_inference_tensors again"
            )
        tensors = load_file(str(path))
        if manifest.get("family") == "ranker":
            ranker, rows = tensors, len(tensors["video_vectors"])
        elif manifest.get("fusion") == "late":
            late, rows = tensors, len(tensors["video_vectors"])
        else:
            dataset = _unflat(tensors)
            rows = len(dataset)
        if rows != len(manifest["video_ids"]):
            raise InferenceTensorsError(f"{path}: row count differs from the manifest")
    return InferenceTensors(
        name, folder, list(manifest["video_ids"]), dataset, manifest, late, ranker
    )


def remove_old_generations(root: Path, keep: int) -> list[str]:
    """Delete all but the ``keep`` newest generations (never the one ``CURRENT`` names) and
    leftovers of interrupted writes older than an hour; returns the names removed."""
    if keep < 1:
        raise ValueError("keep at least one generation")
    if not root.exists():
        return []
    current = current_generation_id(root)
    folders = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(_TMP_PREFIX)),
        key=lambda p: (p.stat().st_mtime_ns, p.name),  # written order (names share a fixed clock)
        reverse=True,
    )
    removed = [p for p in folders[keep:] if p.name != current]
    stale = time.time() - STALE_TMP_SECONDS  # a younger one may be a write in progress
    removed += [
        p for p in root.iterdir() if p.name.startswith(_TMP_PREFIX) and p.stat().st_mtime < stale
    ]
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return sorted(p.name for p in removed)
