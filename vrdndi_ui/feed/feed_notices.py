"""The feed view's background checks: unsaved clicks, a new feed, a failed pipeline run."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import run, ui

from vrdndi_pipeline.core.feed.reasons import format_age
from vrdndi_pipeline.core.store.feed_tables import FeedGeneration
from vrdndi_pipeline.core.store.people_tables import RunFailure

logger = logging.getLogger(__name__)


class Notices:
    """Mixed into the feed view, which provides the attributes below."""

    site: Any
    store: Any
    generation: FeedGeneration | None
    click_status: dict[str, tuple[ui.label, str]]
    pending_shown: tuple[int, str | None]
    failure_shown: str | None
    pending_row: ui.row
    new_feed_notice: ui.row
    failure_banner: ui.row

    def show_new_feed(self) -> None:
        raise NotImplementedError

    def update_pending(self) -> None:
        waiting = len(self.site.outbox)
        error = self.site.outbox.last_error or "the database did not answer"
        if (waiting, error) == self.pending_shown:
            return
        self.pending_shown = (waiting, error)
        self.pending_row.clear()
        self.pending_row.set_visibility(waiting > 0)
        if not waiting:
            return
        with (
            self.pending_row,
            ui.row().classes(
                "items-center gap-3 q-px-md q-py-xs rounded-borders bg-red-1 text-red-900"
            ),
        ):
            ui.icon("sync_problem")
            ui.label(
                f"{waiting} feedback click{'s' if waiting != 1 else ''} not saved yet ({error}). "
                "Kept and retried automatically."
            ).mark("pending-text")
            ui.button("Retry now", on_click=self.retry).props("dense no-caps outline").mark("retry")

    async def retry(self) -> None:
        if len(self.site.outbox):
            await self.site.flush_outbox()
        waiting = {c.click_id for c in self.site.outbox.pending()}
        for click_id, (status, label) in list(self.click_status.items()):
            if click_id in waiting:
                continue
            del self.click_status[click_id]
            if not status.is_deleted:
                status.set_text(f"Saved: {label} ✓ (on retry)")
                status.classes(remove="text-negative", add="text-positive")
            ui.notify(f"Saved: {label} (on retry)", type="positive", timeout=1500)
        self.update_pending()

    async def poll(self) -> None:
        # in a worker thread: a database that does not answer must not stall the page
        try:
            latest = await run.io_bound(self.store.generation)
            failure = await run.io_bound(self.store.latest_failure)
        except Exception as error:  # the database may be away for a moment
            logger.warning("could not check for a new feed: %s", error)
            return
        shown = self.generation.generation if self.generation else None
        if (latest.generation if latest else None) != shown:
            self.show_new_feed_notice()
        self.show_failure(_unresolved(failure, latest))

    def show_new_feed_notice(self) -> None:
        if self.new_feed_notice.visible:
            return
        self.new_feed_notice.clear()
        with (
            self.new_feed_notice,
            ui.row().classes(
                "items-center gap-3 q-px-md q-py-sm rounded-borders bg-blue-1 text-blue-900"
            ),
        ):
            ui.icon("fiber_new")
            ui.label("A new feed is available.")
            ui.button("Show new feed", on_click=self.show_new_feed).props("dense no-caps").mark(
                "show-new-feed"
            )
        self.new_feed_notice.set_visibility(True)

    def update_failure_banner(self) -> None:
        try:
            failure = self.store.latest_failure()
        except Exception as error:
            logger.warning("could not read run failures: %s", error)
            return
        self.show_failure(_unresolved(failure, self.generation))

    def show_failure(self, failure: RunFailure | None) -> None:
        if (failure.run_id if failure else None) == self.failure_shown:
            return
        self.failure_shown = failure.run_id if failure else None
        self.failure_banner.clear()
        self.failure_banner.set_visibility(failure is not None)
        if failure is None:
            return
        when = failure.failed_at.astimezone(ZoneInfo(self.site.options.timezone))
        with (
            self.failure_banner,
            ui.row().classes(
                "items-center gap-2 q-px-md q-py-xs rounded-borders bg-amber-1 text-amber-900 w-full"
            ),
        ):
            ui.icon("error_outline")
            ui.label(f"A pipeline run failed: {_first_line(failure.message)}").classes("text-sm")
            ui.label(
                f"({failure.job_name}, {when:%H:%M}, {format_age(failure.failed_at, datetime.now(UTC))})"
            ).classes("text-xs")


def _first_line(message: str, limit: int = 300) -> str:
    line = message.strip().splitlines()[0] if message.strip() else "(no message)"
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _unresolved(failure: RunFailure | None, feed: FeedGeneration | None) -> RunFailure | None:
    """The failure, unless a feed was written after it (the problem is behind us)."""
    if failure is None or (feed is not None and feed.generated_at > failure.failed_at):
        return None
    return failure
