""" "Like *X*, which you liked": the nearest video the user judged interesting, by embedding.

Reads the stored frozen embeddings only (``video_embeddings``, written by the ingest job): a
video without one simply gets no neighbour. Vectors are unit length, so a dot product is the
cosine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection

from vrdndi_pipeline.core.embeddings.vector_store import stored_video_vectors, video_texts
from vrdndi_pipeline.core.feed.reasons import Reason
from vrdndi_pipeline.core.training.training_data import interest_rows

MIN_COSINE = 0.5  # below this two MiniLM texts rarely share a topic
_SOURCES = {"liked": "you liked on YouTube"}


@dataclass(frozen=True, slots=True)
class LabelledVideos:
    """The videos the user marked interesting, with their embeddings ``(L, E)``."""

    titles: list[str]
    sources: list[str]  # liked | labeller | feedback | …
    matrix: np.ndarray

    def __len__(self) -> int:
        return len(self.titles)


def liked_videos(conn: Connection, encoder: str) -> LabelledVideos:
    """Every video whose latest interest judgement is positive and that has an embedding."""
    frame = interest_rows(conn)[0]
    liked = frame[frame["interest_label"] == 1]
    ids = liked["video_id"].tolist()
    vectors = stored_video_vectors(conn, encoder, video_texts(conn, ids))
    keep = [i for i, vid in enumerate(ids) if vid in vectors]
    dim = next(iter(vectors.values())).shape[0] if vectors else 0
    matrix = np.stack([_unit(vectors[ids[i]]) for i in keep]) if keep else np.zeros((0, dim))
    return LabelledVideos(
        titles=[str(liked["title"].iloc[i]) for i in keep],
        sources=[str(liked["label_source"].iloc[i]) for i in keep],
        matrix=matrix,
    )


def candidate_vectors(
    conn: Connection, encoder: str, video_ids: Sequence[str]
) -> dict[str, np.ndarray]:
    """Stored unit embeddings of the candidates (those without one are left out)."""
    stored = stored_video_vectors(conn, encoder, video_texts(conn, video_ids))
    return {vid: _unit(v) for vid, v in stored.items()}


def neighbour_reasons(
    vectors: Mapping[str, np.ndarray],
    video_ids: Sequence[str],
    liked: LabelledVideos,
    *,
    min_cosine: float = MIN_COSINE,
) -> list[Reason | None]:
    """Per video: "like “X”, which you …" for its most similar liked video, if close enough.

    The weight is the cosine above ``min_cosine`` (0 to about 0.5)."""
    out: list[Reason | None] = []
    for vid in video_ids:
        vector = vectors.get(vid)
        if vector is None or not len(liked):
            out.append(None)
            continue
        cosines = liked.matrix @ vector  # (L,)
        best = int(np.argmax(cosines))
        if cosines[best] < min_cosine:
            out.append(None)
            continue
        title = _short(liked.titles[best])
        how = _SOURCES.get(liked.sources[best], "you marked interesting")
        out.append(
            Reason(
                "similar", f"like “{title}”, which {how}", float(cosines[best]) - min_cosine + 0.05
            )
        )
    return out


def _unit(vector: np.ndarray) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def _short(title: str, limit: int = 60) -> str:
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1] + "…"
