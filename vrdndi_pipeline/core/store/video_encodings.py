"""Late fusion's cache of video vectors, keyed by (video id, adapter version) and checked
against the hash of the text that was encoded: a changed title or description, or another
adapter version, is a miss."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import torch
from sqlalchemy import Connection, delete

from vrdndi_pipeline.core.embeddings.vector_store import store_text_vectors, stored_text_vectors
from vrdndi_pipeline.core.store.schema import video_encodings


def cached_vectors(
    conn: Connection, adapter_version: str, texts: Mapping[str, str]
) -> dict[str, torch.Tensor]:
    """Vectors stored for ``texts`` (video id → text) under ``adapter_version`` whose text
    hash still matches; videos missing from the answer must be encoded."""
    found = stored_text_vectors(
        conn, video_encodings, video_encodings.c.adapter_version, adapter_version, texts
    )
    return {vid: torch.from_numpy(vector) for vid, vector in found.items()}


def store_vectors(
    conn: Connection,
    adapter_version: str,
    texts: Mapping[str, str],
    vectors: Mapping[str, torch.Tensor],
    encoded_at: datetime,
) -> int:
    """Upsert the vectors of ``vectors`` (video id → (H,) tensor) for ``adapter_version``."""
    arrays = {
        vid: vector.detach().to(torch.float32).cpu().numpy() for vid, vector in vectors.items()
    }
    shared = {"adapter_version": adapter_version, "encoded_at": encoded_at}
    return store_text_vectors(conn, video_encodings, texts, arrays, shared)


def forget_other_versions(conn: Connection, keep_versions: list[str]) -> int:
    """Drop vectors of adapter versions not in ``keep_versions`` (a promoted champion makes
    the old vectors useless); returns the rows removed."""
    result = conn.execute(
        delete(video_encodings).where(video_encodings.c.adapter_version.not_in(keep_versions))
    )
    return int(result.rowcount or 0)
