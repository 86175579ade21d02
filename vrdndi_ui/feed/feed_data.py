"""What the feed site reads from and writes to the application database (through
``vrdndi_pipeline.core`` only): feed pages without hidden videos, the current generation, the
latest run failure, hiding a video.

Every read is one read transaction, so a page never mixes two feeds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, select

from vrdndi_pipeline.core.records import is_video_id
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.feed_tables import (
    FeedGeneration,
    FeedItem,
    current_generation,
    read_feed_page,
)
from vrdndi_pipeline.core.store.people_tables import RunFailure, hide_video, recent_run_failures
from vrdndi_pipeline.core.store.schema import hidden_videos

logger = logging.getLogger(__name__)

PAGE_SIZE = 21
FAILURE_WINDOW = timedelta(hours=24)
_READ_CHUNK = 100


@dataclass(frozen=True, slots=True)
class FeedPage:
    """Up to ``PAGE_SIZE`` visible videos; ``next_offset`` is where the next page starts."""

    items: list[FeedItem]
    next_offset: int
    has_more: bool


class FeedStore:
    """The feed site's reads and writes, on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def page(self, offset: int = 0, size: int = PAGE_SIZE) -> FeedPage:
        """The next ``size`` videos from feed row ``offset`` on, skipping hidden videos and
        rows whose video id is malformed (their URLs could not be built safely)."""
        with read_transaction(self.engine) as conn:
            hidden = _hidden_ids(conn)
            items: list[FeedItem] = []
            position = offset
            next_offset = offset
            while len(items) <= size:  # one extra tells whether there is more
                chunk = read_feed_page(conn, position, _READ_CHUNK)
                for item in chunk:
                    position += 1
                    if item.video_id in hidden:
                        continue
                    if not is_video_id(item.video_id):
                        logger.warning("skipping feed row with a malformed id %r", item.video_id)
                        continue
                    items.append(item)
                    if len(items) <= size:
                        next_offset = position
                    else:
                        break
                if len(chunk) < _READ_CHUNK:
                    break
        return FeedPage(items[:size], next_offset, has_more=len(items) > size)

    def generation(self) -> FeedGeneration | None:
        with read_transaction(self.engine) as conn:
            return current_generation(conn)

    def latest_failure(self, now: datetime | None = None) -> RunFailure | None:
        """The newest pipeline failure of the last 24 hours, if any."""
        since = (now or datetime.now(UTC)) - FAILURE_WINDOW
        with read_transaction(self.engine) as conn:
            failures = recent_run_failures(conn, since=since, limit=1)
        return failures[0] if failures else None

    def hide(self, video_id: str) -> bool:
        with write_transaction(self.engine) as conn:
            return hide_video(conn, video_id, datetime.now(UTC))


def _hidden_ids(conn: Connection) -> set[str]:
    return set(conn.execute(select(hidden_videos.c.video_id)).scalars())
