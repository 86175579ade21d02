"""A feed refresh with a ranker champion: no backbone pass for videos already embedded, the
context features computed once for "now", every candidate scored in one call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine

from vrdndi_pipeline.core.embeddings.cached import TextEncoder, title_vectors, video_vectors
from vrdndi_pipeline.core.feed.ranker_reasons import ranker_reasons
from vrdndi_pipeline.core.feed.reasons import Reason
from vrdndi_pipeline.core.model.context_features import ContextEvent, event_text
from vrdndi_pipeline.core.ranker.model import RankerModel
from vrdndi_pipeline.core.ranker.moment_features import MomentContext, moment_context, row_features
from vrdndi_pipeline.core.records import Video


def ranker_refresh_inputs(
    engine: Engine,
    encoder_id: str,
    load_encoder: Callable[[], TextEncoder],
    candidates: Sequence[Video],
    events: Sequence[ContextEvent],
    moment: datetime,
    timezone: str,
) -> tuple[np.ndarray, MomentContext, dict[str, Any]]:
    """The candidates' embeddings ``(N, E)`` (only unseen texts are encoded), the moment's
    context, and the cache counts."""
    texts = {c.video_id: c.text for c in candidates}
    vectors, video_counts = video_vectors(engine, encoder_id, texts, load_encoder, moment)
    event_texts = [event_text(e) for e in events]
    titles, title_counts = title_vectors(engine, encoder_id, event_texts, load_encoder, moment)
    context = moment_context(events, moment, timezone, titles)
    matrix = np.stack([vectors[c.video_id] for c in candidates]).astype(np.float32)
    counts = {**video_counts.as_metadata("videos_"), **title_counts.as_metadata("event_texts_")}
    return matrix, context, counts


def ranker_scores(
    model: RankerModel,
    candidates: Sequence[Video],
    vectors: np.ndarray,
    context: MomentContext,
    local: datetime,
) -> tuple[np.ndarray, np.ndarray, list[list[Reason]]]:
    """P(interested), P(good time now) and the reasons of every candidate at the moment of
    ``context`` (``local``: that moment in the user's zone)."""
    durations = [None if c.duration_s is None else float(c.duration_s) for c in candidates]
    channels = [c.channel_title for c in candidates]
    features = [row_features(context, v, d) for v, d in zip(vectors, durations, strict=True)]
    interest = model.interest_probability(vectors, channels)
    reasons = ranker_reasons(model, features, vectors, channels, durations, context, local)
    return interest, model.productive_probability(features, vectors), reasons
