"""The ``feed_predictions`` table: replaced as a whole, read a page at a time.

Writers call :func:`replace_feed` inside one write transaction, so a reader (which reads in
its own transaction) sees the previous feed or the new one, never an empty or partial one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, text

from vrdndi_pipeline.core.store.schema import feed_predictions

FEED_COLUMNS = tuple(c.name for c in feed_predictions.columns)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One row of the feed, as the feed site shows it."""

    video_id: str
    rank: int
    title: str
    channel_id: str | None
    channel_title: str | None
    duration_s: int | None
    published_at: datetime | None
    interest_score: float | None
    productive_score: float | None
    combined_score: float
    ranking: str
    model_version: str
    explanation: str | None
    generation: str
    generated_at: datetime


@dataclass(frozen=True, slots=True)
class FeedGeneration:
    """Which refresh wrote the current feed, and how many videos it holds."""

    generation: str
    generated_at: datetime
    ranking: str
    model_version: str
    videos: int


def replace_feed(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
    """Delete the stored feed and insert ``rows`` (every column of ``feed_predictions``).

    Runs inside the caller's transaction: call it in one ``write_transaction`` so the swap is
    atomic. All rows must share one ``generation``; ranks must be 1..n without gaps.
    """
    generations = {r["generation"] for r in rows}
    if len(generations) > 1:
        raise ValueError(f"one feed has one generation, got {sorted(generations)}")
    ranks = sorted(int(r["rank"]) for r in rows)
    if ranks != list(range(1, len(rows) + 1)):
        raise ValueError("feed ranks must be 1..n without gaps or repeats")
    missing = [c for c in FEED_COLUMNS if rows and c not in rows[0]]
    if missing:
        raise ValueError(f"feed rows lack columns {missing}")
    if conn.dialect.name == "postgresql":
        # Two overlapping swaps would otherwise both delete the old rows and collide on insert
        # (READ COMMITTED); SQLite's BEGIN IMMEDIATE already serialises writers.
        conn.execute(text("LOCK TABLE feed_predictions IN SHARE ROW EXCLUSIVE MODE"))
    conn.execute(delete(feed_predictions))
    if rows:
        conn.execute(insert(feed_predictions), [{c: r[c] for c in FEED_COLUMNS} for r in rows])
    return len(rows)


def read_feed_page(conn: Connection, offset: int = 0, limit: int = 21) -> list[FeedItem]:
    """Feed rows ranked ``offset + 1`` to ``offset + limit``, in rank order."""
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must not be negative")
    result = conn.execute(
        select(feed_predictions).order_by(feed_predictions.c.rank).offset(offset).limit(limit)
    )
    return [FeedItem(**row._mapping) for row in result]


def current_generation(conn: Connection) -> FeedGeneration | None:
    """The refresh that wrote the stored feed; ``None`` while the table is empty."""
    row = conn.execute(
        select(
            feed_predictions.c.generation,
            feed_predictions.c.generated_at,
            feed_predictions.c.ranking,
            feed_predictions.c.model_version,
        )
        .order_by(feed_predictions.c.rank)
        .limit(1)
    ).first()
    if row is None:
        return None
    videos = conn.execute(select(func.count()).select_from(feed_predictions)).scalar_one()
    return FeedGeneration(*row, videos=int(videos))
