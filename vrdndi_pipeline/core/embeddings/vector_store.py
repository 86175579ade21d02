"""Reading and writing embedding vectors in the database (float32 little-endian blobs)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime

import numpy as np
from sqlalchemy import ColumnElement, Connection, Table, select

from vrdndi_pipeline.core.store.schema import video_embeddings, window_title_embeddings
from vrdndi_pipeline.core.store.upserts import upsert_rows

_CHUNK = 500  # ids per IN (...) query


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pack_vector(vector: np.ndarray) -> tuple[int, bytes]:
    """``(dim, blob)`` of a 1-d vector as float32 little-endian."""
    data = np.asarray(vector, dtype="<f4").reshape(-1)
    return int(data.shape[0]), data.tobytes()


def unpack_vector(blob: bytes, dim: int) -> np.ndarray | None:
    """The float32 vector of ``blob``; ``None`` when its length does not match ``dim``."""
    if len(blob) != 4 * dim:
        return None
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)


def stored_text_vectors(
    conn: Connection, table: Table, scope: ColumnElement[str], value: str, texts: Mapping[str, str]
) -> dict[str, np.ndarray]:
    """Vectors of ``table`` (columns ``video_id, text_sha256, dim, vector``) stored under
    ``scope == value`` for ``texts`` (video id → text) whose text is unchanged; a video missing
    from the answer must be encoded (again)."""
    wanted = {vid: text_sha256(text) for vid, text in texts.items()}
    ids = list(wanted)
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = conn.execute(
            select(table.c.video_id, table.c.text_sha256, table.c.dim, table.c.vector).where(
                scope == value, table.c.video_id.in_(ids[start : start + _CHUNK])
            )
        )
        for vid, sha, dim, blob in rows:
            vector = unpack_vector(blob, dim) if sha == wanted[vid] else None
            if vector is not None:
                found[vid] = vector
    return found


def store_text_vectors(
    conn: Connection,
    table: Table,
    texts: Mapping[str, str],
    vectors: Mapping[str, np.ndarray],
    shared: Mapping[str, object],
) -> int:
    """Upsert ``vectors`` (video id → vector) into ``table`` (columns ``video_id, text_sha256,
    dim, vector`` and those of ``shared``, which every row holds: its scope and time stamp),
    with the hash of each video's text in ``texts``, as :func:`stored_text_vectors` reads them
    back; rows changed."""
    rows = []
    for vid, vector in vectors.items():
        dim, blob = pack_vector(vector)
        rows.append(
            {
                "video_id": vid,
                "text_sha256": text_sha256(texts[vid]),
                "dim": dim,
                "vector": blob,
                **shared,
            }
        )
    return upsert_rows(conn, table, rows).changed


def stored_video_vectors(
    conn: Connection, encoder: str, texts: Mapping[str, str]
) -> dict[str, np.ndarray]:
    """Sentence embeddings of ``texts`` (video id → text) stored for ``encoder``."""
    return stored_text_vectors(conn, video_embeddings, video_embeddings.c.encoder, encoder, texts)


def store_video_vectors(
    conn: Connection,
    encoder: str,
    texts: Mapping[str, str],
    vectors: Mapping[str, np.ndarray],
    at: datetime,
) -> int:
    """Upsert ``vectors`` (video id → vector) for ``encoder``; rows changed."""
    shared = {"encoder": encoder, "embedded_at": at}
    return store_text_vectors(conn, video_embeddings, texts, vectors, shared)


def stored_title_vectors(
    conn: Connection, encoder: str, texts: Iterable[str]
) -> dict[str, np.ndarray]:
    """Vectors of event ``texts`` stored for ``encoder`` (text → vector)."""
    by_sha = {text_sha256(t): t for t in texts}
    shas = list(by_sha)
    found: dict[str, np.ndarray] = {}
    table = window_title_embeddings
    for start in range(0, len(shas), _CHUNK):
        rows = conn.execute(
            select(table.c.text_sha256, table.c.dim, table.c.vector).where(
                table.c.encoder == encoder, table.c.text_sha256.in_(shas[start : start + _CHUNK])
            )
        )
        for sha, dim, blob in rows:
            vector = unpack_vector(blob, dim)
            if vector is not None:
                found[by_sha[sha]] = vector
    return found


def store_title_vectors(
    conn: Connection, encoder: str, vectors: Mapping[str, np.ndarray], at: datetime
) -> int:
    """Upsert ``vectors`` (event text → vector) for ``encoder``; rows changed."""
    rows = []
    for text, vector in vectors.items():
        dim, blob = pack_vector(vector)
        rows.append(
            {
                "text_sha256": text_sha256(text),
                "encoder": encoder,
                "dim": dim,
                "vector": blob,
                "embedded_at": at,
            }
        )
    return upsert_rows(conn, window_title_embeddings, rows).changed


def video_texts(conn: Connection, video_ids: Iterable[str] | None = None) -> dict[str, str]:
    """Video id → the text that is embedded (``Video.text``: ``title | channel | description``),
    for every stored video or only ``video_ids``."""
    from vrdndi_pipeline.core.records import video_text
    from vrdndi_pipeline.core.store.schema import videos

    query = select(videos.c.video_id, videos.c.title, videos.c.channel_title, videos.c.description)
    wanted = None if video_ids is None else list(dict.fromkeys(video_ids))
    out: dict[str, str] = {}
    chunks = (
        [None]
        if wanted is None
        else [wanted[i : i + _CHUNK] for i in range(0, len(wanted), _CHUNK)]
    )
    for chunk in chunks:
        statement = query if chunk is None else query.where(videos.c.video_id.in_(chunk))
        for vid, title, channel, description in conn.execute(statement):
            out[vid] = video_text(title, channel, description)
    return out
