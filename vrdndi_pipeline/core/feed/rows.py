"""``feed_predictions`` rows from ranked candidates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from vrdndi_pipeline.core.feed.ranking import ScoredCandidate
from vrdndi_pipeline.core.feed.reasons import reasons_to_json
from vrdndi_pipeline.core.store.schema import feed_predictions
from vrdndi_pipeline.core.store.video_rows import video_values


def feed_rows(
    ranked: Sequence[ScoredCandidate],
    *,
    ranking: str,
    model_version: str,
    generation: str,
    generated_at: datetime,
) -> list[dict[str, Any]]:
    """One row per video, rank 1..n in the order given: the video's fields the table holds,
    then the feed's own."""
    return [
        {
            **video_values(item.video, feed_predictions),
            "rank": rank,
            "interest_score": item.interest,
            "productive_score": item.productive,
            "combined_score": item.combined,
            "ranking": ranking,
            "model_version": model_version,
            "generation": generation,
            "generated_at": generated_at,
            "reasons": reasons_to_json(item.reasons),
            "explored": item.explored,
            "propensity": item.propensity,
        }
        for rank, item in enumerate(ranked, start=1)
    ]


EXPOSURE_COLUMNS = (
    "generation",
    "video_id",
    "rank",
    "explored",
    "propensity",
    "ranking",
    "model_version",
    "generated_at",
)


def exposure_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``feed_exposures`` rows of written feed rows (those placed by the exploration policy)."""
    return [
        {**{c: r[c] for c in EXPOSURE_COLUMNS}, "score": r["combined_score"]}
        for r in rows
        if r["propensity"] is not None
    ]


def drop_judged(
    conn: Connection, rows: Sequence[dict[str, Any]], moment: datetime, candidate_days: float
) -> list[dict[str, Any]]:
    """``rows`` minus videos that stopped being candidates (feedback, hidden, watched, rated
    since they were selected), ranks renumbered 1..n in the same order."""
    from vrdndi_pipeline.core.feed.candidates import select_candidates

    still = {
        c.video_id
        for c in select_candidates(
            conn, moment, candidate_days, only_ids=[r["video_id"] for r in rows]
        ).candidates
    }
    kept = [r for r in rows if r["video_id"] in still]
    return [{**r, "rank": rank} for rank, r in enumerate(kept, start=1)]
