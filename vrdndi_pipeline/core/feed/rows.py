"""``feed_predictions`` rows from ranked candidates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from vrdndi_pipeline.core.feed.ranking import ScoredCandidate


def feed_rows(
    ranked: Sequence[ScoredCandidate],
    *,
    ranking: str,
    model_version: str,
    generation: str,
    generated_at: datetime,
) -> list[dict[str, Any]]:
    """One row per video, rank 1..n in the order given."""
    return [
        {
            "video_id": item.candidate.video_id,
            "rank": rank,
            "title": item.candidate.title,
            "channel_id": item.candidate.channel_id,
            "channel_title": item.candidate.channel_title,
            "duration_s": item.candidate.duration_s,
            "published_at": item.candidate.published_at,
            "interest_score": item.interest,
            "productive_score": item.productive,
            "combined_score": item.combined,
            "ranking": ranking,
            "model_version": model_version,
            "explanation": item.explanation,
            "generation": generation,
            "generated_at": generated_at,
        }
        for rank, item in enumerate(ranked, start=1)
    ]
