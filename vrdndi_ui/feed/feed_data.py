"""What the feed site reads from and writes to the application database (through
``vrdndi_pipeline.core`` only): feed pages without hidden videos or blocked channels, the
current generation, the latest run failure and model selection, the pressed feedback, hiding
and blocking and their undo.

Every read is one read transaction, so a page never mixes two feeds.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from vrdndi_pipeline.core.feed.page import PAGE_SIZE
from vrdndi_pipeline.core.records import is_video_id
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.feed_tables import (
    FeedGeneration,
    FeedItem,
    current_generation,
    read_feed_page,
)
from vrdndi_pipeline.core.store.model_selections import (
    ModelSelection,
    champion_since,
    latest_selection,
)
from vrdndi_pipeline.core.store.people_tables import (
    RunFailure,
    VisibilityChange,
    count_labels,
    hidden_now,
    latest_feedback,
    recent_run_failures,
    record_visibility,
)

logger = logging.getLogger(__name__)

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
        rows whose video id is malformed (their URLs could not be built safely). The site's
        pages are of the default size, the one the ranking's channel cap counts per."""
        with read_transaction(self.engine) as conn:
            hidden = set(hidden_now(conn, "video"))
            blocked = set(hidden_now(conn, "channel"))
            items: list[FeedItem] = []
            position = offset
            next_offset = offset
            while len(items) <= size:  # one extra tells whether there is more
                chunk = read_feed_page(conn, position, _READ_CHUNK)
                for item in chunk:
                    position += 1
                    if item.video.video_id in hidden or item.video.channel_id in blocked:
                        continue
                    if not is_video_id(item.video.video_id):
                        logger.warning(
                            "skipping feed row with a malformed id %r", item.video.video_id
                        )
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

    def feedback_state(self, video_ids: list[str]) -> dict[str, dict[str, int]]:
        """The pressed toggle per video and kind (the latest click wins)."""
        with read_transaction(self.engine) as conn:
            return latest_feedback(conn, video_ids)

    def set_visibility(
        self, target: str, target_id: str, label: str | None, hidden: bool
    ) -> VisibilityChange:
        """Hide / restore a video, block / unblock a channel: one new row, nothing rewritten."""
        change = VisibilityChange(
            uuid.uuid4().hex, target, target_id, label, hidden, datetime.now(UTC)
        )
        with write_transaction(self.engine) as conn:
            record_visibility(conn, change)
        return change

    def hidden(self) -> list[VisibilityChange]:
        """What is hidden or blocked now, newest first (the "Hidden" list)."""
        with read_transaction(self.engine) as conn:
            changes = [*hidden_now(conn, "video").values(), *hidden_now(conn, "channel").values()]
        return sorted(changes, key=lambda c: c.created_at, reverse=True)

    def model_status(self) -> ModelStatus:
        """The latest model selection, since when its champion ranks, and the labels now."""
        with read_transaction(self.engine) as conn:
            selection = latest_selection(conn)
            since = (
                champion_since(conn, selection.champion_version)
                if selection is not None and selection.champion_version
                else None
            )
            return ModelStatus(selection, since, count_labels(conn))


@dataclass(frozen=True, slots=True)
class ModelStatus:
    selection: ModelSelection | None
    champion_since: datetime | None
    labels_now: int
