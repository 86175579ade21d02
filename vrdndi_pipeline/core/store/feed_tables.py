"""The ``feed_predictions`` table: replaced as a whole, read a page at a time.

Writers call :func:`replace_feed` inside one write transaction, so a reader (which reads in
its own transaction) sees the previous feed or the new one, never an empty or partial one.
The refresh that wrote the feed is kept beside it in ``feed_generation``, so a refresh that
found nothing to rank (an empty feed) is still a new feed, not "no feed yet".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, text

from vrdndi_pipeline.core.feed.page import PAGE_SIZE
from vrdndi_pipeline.core.feed.reasons import Reason, reasons_from_json
from vrdndi_pipeline.core.records import VIDEO_FIELDS, Video
from vrdndi_pipeline.core.store.schema import feed_exposures, feed_generation, feed_predictions
from vrdndi_pipeline.core.store.upserts import insert_new
from vrdndi_pipeline.core.store.video_rows import video_from_row

FEED_COLUMNS = tuple(c.name for c in feed_predictions.columns)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One row of the feed, as the feed site shows it: the video, and where and why this feed
    placed it."""

    video: Video  # the video's fields the table holds; the others read as unknown
    rank: int
    interest_score: float | None
    productive_score: float | None
    combined_score: float
    ranking: str
    model_version: str
    generation: str
    generated_at: datetime
    reasons: tuple[Reason, ...] = ()  # the top reasons, strongest first
    explored: bool = False  # an exploration slot chose it
    propensity: float | None = None


FEED_OWN_COLUMNS = tuple(c for c in FEED_COLUMNS if c not in VIDEO_FIELDS)
"""The columns of ``feed_predictions`` that are the feed's own (the rest hold the video)."""


def feed_item(row: Mapping[Any, Any]) -> FeedItem:
    """The ``FeedItem`` of a ``feed_predictions`` row (reasons as stored JSON)."""
    own = {c: row[c] for c in FEED_OWN_COLUMNS}
    return FeedItem(
        video=video_from_row(row),
        **{**own, "reasons": reasons_from_json(row["reasons"]), "explored": bool(row["explored"])},
    )


@dataclass(frozen=True, slots=True)
class FeedGeneration:
    """Which refresh wrote the current feed, and how many videos it holds."""

    generation: str
    generated_at: datetime
    ranking: str
    model_version: str
    videos: int


def replace_feed(
    conn: Connection,
    rows: Sequence[Mapping[str, Any]],
    empty_feed: FeedGeneration | None = None,
) -> int:
    """Delete the stored feed and insert ``rows`` (every column of ``feed_predictions``).

    Runs inside the caller's transaction: call it in one ``write_transaction`` so the swap is
    atomic. All rows must share one ``generation``; ranks must be 1..n without gaps. An empty
    feed needs ``empty_feed`` to say which refresh wrote it; without it the table reads as "no feed".
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
    if rows and empty_feed is not None:
        raise ValueError("empty_feed describes a feed without rows; this one has rows")
    if conn.dialect.name == "postgresql":
        # Two overlapping swaps would otherwise both delete the old rows and collide on insert
        # (READ COMMITTED); SQLite's BEGIN IMMEDIATE already serialises writers.
        conn.execute(text("LOCK TABLE feed_predictions IN SHARE ROW EXCLUSIVE MODE"))
    conn.execute(delete(feed_predictions))
    conn.execute(delete(feed_generation))
    if rows:
        conn.execute(insert(feed_predictions), [{c: r[c] for c in FEED_COLUMNS} for r in rows])
        first = rows[0]
        header: FeedGeneration | None = FeedGeneration(
            first["generation"],
            first["generated_at"],
            first["ranking"],
            first["model_version"],
            videos=len(rows),
        )
    else:
        header = empty_feed
    if header is not None:
        conn.execute(
            insert(feed_generation),
            {
                "generation": header.generation,
                "generated_at": header.generated_at,
                "ranking": header.ranking,
                "model_version": header.model_version,
                "videos": len(rows),
            },
        )
    return len(rows)


def read_feed_page(conn: Connection, offset: int = 0, limit: int = PAGE_SIZE) -> list[FeedItem]:
    """Feed rows ranked ``offset + 1`` to ``offset + limit``, in rank order."""
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must not be negative")
    result = conn.execute(
        select(feed_predictions).order_by(feed_predictions.c.rank).offset(offset).limit(limit)
    )
    return [feed_item(row._mapping) for row in result]


def record_exposures(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
    """Append the shown videos of a feed to ``feed_exposures`` (a row already logged for the
    same generation and video is kept as it was)."""
    return insert_new(conn, feed_exposures, rows, ["generation", "video_id"])


def current_generation(conn: Connection) -> FeedGeneration | None:
    """The refresh that wrote the stored feed (maybe with 0 videos); ``None`` before the first."""
    row = conn.execute(
        select(
            feed_generation.c.generation,
            feed_generation.c.generated_at,
            feed_generation.c.ranking,
            feed_generation.c.model_version,
            feed_generation.c.videos,
        )
    ).first()
    return None if row is None else FeedGeneration(*row)
