"""Embeddings through the cache: stored vectors are read, only the misses are encoded.

The encoder is loaded on the first miss only (``load_encoder``), so a refresh whose texts are
all stored never loads a sentence model. Misses are encoded and stored in chunks: a run that
is stopped half way keeps what it had finished, and the log shows the progress.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import numpy as np
from sqlalchemy import Engine

from vrdndi_pipeline.core.embeddings.vector_store import (
    store_title_vectors,
    store_video_vectors,
    stored_title_vectors,
    stored_video_vectors,
)
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction

log = logging.getLogger(__name__)

CHUNK_TEXTS = 256  # encoded and committed together


class TextEncoder(Protocol):
    """A frozen sentence encoder: ``embed(texts) -> (N, E)`` L2-normalised."""

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Any: ...  # torch.Tensor or np.ndarray (N, E)


@dataclass(frozen=True, slots=True)
class EmbeddingCounts:
    """What a cached embedding call did."""

    reused: int
    embedded: int
    seconds: float

    def as_metadata(self, prefix: str) -> dict[str, float | int]:
        return {
            f"{prefix}reused": self.reused,
            f"{prefix}embedded": self.embedded,
            f"{prefix}embed_seconds": round(self.seconds, 2),
        }


def _encode(encoder: TextEncoder, texts: Sequence[str]) -> np.ndarray:
    vectors = encoder.embed(list(texts))
    array = vectors.numpy() if hasattr(vectors, "numpy") else np.asarray(vectors)
    return np.asarray(array, dtype=np.float32)  # (N, E)


def _embed_misses(
    missing: Sequence[str],
    load_encoder: Callable[[], TextEncoder],
    store: Callable[[Mapping[str, np.ndarray]], None],
    what: str,
) -> dict[str, np.ndarray]:
    """Encode ``missing`` keys' texts chunk by chunk, storing each chunk as it is done."""
    if not missing:
        return {}
    encoder = load_encoder()
    out: dict[str, np.ndarray] = {}
    started = time.perf_counter()
    for start in range(0, len(missing), CHUNK_TEXTS):
        chunk = list(missing[start : start + CHUNK_TEXTS])
        vectors = dict(zip(chunk, _encode(encoder, chunk), strict=True))
        store(vectors)
        out.update(vectors)
        done = start + len(chunk)
        elapsed = time.perf_counter() - started
        log.info(
            "embedded %d/%d %s (%.0f s, about %.0f s left)",
            done,
            len(missing),
            what,
            elapsed,
            elapsed / done * (len(missing) - done),
        )
    return out


def video_vectors(
    engine: Engine,
    encoder_id: str,
    texts: Mapping[str, str],
    load_encoder: Callable[[], TextEncoder],
    now: datetime,
) -> tuple[dict[str, np.ndarray], EmbeddingCounts]:
    """A vector per video of ``texts`` (video id → text), embedding only new or changed texts."""
    started = time.perf_counter()
    with read_transaction(engine) as conn:
        found = stored_video_vectors(conn, encoder_id, texts)
    missing = [vid for vid in texts if vid not in found]
    by_text: dict[str, list[str]] = {}
    for vid in missing:
        by_text.setdefault(texts[vid], []).append(vid)

    def store(vectors: Mapping[str, np.ndarray]) -> None:
        per_video = {vid: vectors[text] for text in vectors for vid in by_text[text]}
        with write_transaction(engine) as conn:
            store_video_vectors(conn, encoder_id, texts, per_video, now)

    fresh = _embed_misses(list(by_text), load_encoder, store, "video texts")
    for text, vector in fresh.items():
        for vid in by_text[text]:
            found[vid] = vector
    counts = EmbeddingCounts(len(texts) - len(missing), len(missing), time.perf_counter() - started)
    return found, counts


def title_vectors(
    engine: Engine,
    encoder_id: str,
    texts: Iterable[str],
    load_encoder: Callable[[], TextEncoder],
    now: datetime,
) -> tuple[dict[str, np.ndarray], EmbeddingCounts]:
    """A vector per distinct event text, embedding only texts not stored yet."""
    started = time.perf_counter()
    distinct = list(dict.fromkeys(texts))
    with read_transaction(engine) as conn:
        found = stored_title_vectors(conn, encoder_id, distinct)
    missing = [t for t in distinct if t not in found]

    def store(vectors: Mapping[str, np.ndarray]) -> None:
        with write_transaction(engine) as conn:
            store_title_vectors(conn, encoder_id, vectors, now)

    found.update(_embed_misses(missing, load_encoder, store, "event texts"))
    counts = EmbeddingCounts(
        len(distinct) - len(missing), len(missing), time.perf_counter() - started
    )
    return found, counts
