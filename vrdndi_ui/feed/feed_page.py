"""The feed page: a grid of ranked videos, the player, feedback clicks, notices.

:class:`FeedSite` holds what all browser tabs share (the store, the feedback outbox, options);
its :meth:`FeedSite.page` is the root page function given to ``ui.run`` (or to NiceGUI's
``user_simulation`` in tests). Each tab gets its own :class:`FeedView`.

The player opens as a dialog over the grid, so "Back to feed" finds the grid as it was: the
same cards loaded, the same scroll position.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from nicegui import run, ui

from vrdndi_pipeline.core.store.feed_tables import FeedGeneration, FeedItem
from vrdndi_pipeline.core.store.people_tables import RunFailure
from vrdndi_ui.feed.feed_cards import FEED_CSS, player, video_card
from vrdndi_ui.feed.feed_data import PAGE_SIZE, FeedStore
from vrdndi_ui.feed.feed_format import format_age, is_fallback, ranking_notice
from vrdndi_ui.feed.feedback_outbox import FeedbackOutbox, new_click

logger = logging.getLogger(__name__)

EMPTY_FEED_HELP = """
**No feed yet.** The feed is written by the pipeline's `feed_refresh_job`.

- Try it on the bundled sample data: `make demo`, then `make demo-feed`.
- On your own data: `make dev` and launch `feed_refresh_job` in the Dagster UI
  (http://127.0.0.1:3000), or run
  `dagster job execute -m vrdndi_pipeline.definitions -j feed_refresh_job`.

This page notices the new feed by itself.
"""
NO_NEW_VIDEOS = (
    "No new videos: every recent upload of your subscriptions is already rated, watched, "
    "hidden or has your feedback. The next refresh brings the new ones."
)


@dataclass(frozen=True, slots=True)
class FeedSiteOptions:
    poll_s: float = 10.0  # how often a tab looks for a new feed and run failures
    retry_s: float = 10.0  # how often queued feedback clicks are written again
    timezone: str = "UTC"  # the user's IANA zone, stored with every click


class FeedSite:
    """What every tab of the feed site shares."""

    def __init__(self, store: FeedStore, outbox: FeedbackOutbox, options: FeedSiteOptions) -> None:
        self.store = store
        self.outbox = outbox
        self.options = options

    def page(self) -> None:
        """The root page (``ui.run(root=site.page)``)."""
        FeedView(self).build()

    async def flush_outbox(self) -> str | None:
        if not len(self.outbox):
            return None
        return await run.io_bound(self.outbox.flush)


class FeedView:
    """One tab's feed: which cards it shows and where the next page starts."""

    def __init__(self, site: FeedSite) -> None:
        self.site = site
        self.store = site.store
        self.offset = 0
        self.shown = 0
        self.generation: FeedGeneration | None = None
        self.click_status: dict[str, tuple[ui.label, str]] = {}
        self.cards: dict[str, ui.card] = {}
        self.failure_shown: str | None = None  # run id in the banner
        self.pending_shown: tuple[int, str | None] = (0, None)

    # ---- layout ---------------------------------------------------------------------------

    def build(self) -> None:
        self.client = ui.context.client
        ui.page_title("vrdndi feed")
        ui.add_css(FEED_CSS)
        with ui.header().classes("items-center bg-slate-800 q-py-sm"):
            ui.label("vrdndi").classes("text-xl font-bold")
            self.header_info = ui.label().classes("text-sm text-grey-4").mark("feed-info")
        with ui.column().classes("w-full max-w-screen-2xl mx-auto q-pa-md gap-3"):
            self.failure_banner = ui.row().classes("w-full").mark("failure-banner")
            self.failure_banner.set_visibility(False)
            # floats under the header, so it is seen wherever the page is scrolled
            self.new_feed_notice = ui.row().classes("vr-floating").mark("new-feed-notice")
            self.new_feed_notice.set_visibility(False)
            self.pending_row = ui.row().classes("w-full").mark("pending")
            self.pending_row.set_visibility(False)
            self.ranking_row = ui.row().classes("w-full").mark("ranking-notice")
            self.grid = ui.element("div").classes(
                "w-full grid gap-4 grid-cols-1 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4"
            )
            self.grid.mark("feed-grid")
            with ui.row().classes("w-full justify-center q-my-md"):
                self.load_more = ui.button("Load more", on_click=self.show_more).props("no-caps")
                self.end_label = ui.label("No more videos.").classes("text-grey-7")
                self.empty_state = ui.markdown(EMPTY_FEED_HELP).classes("max-w-2xl")
        with ui.dialog() as self.dialog, ui.card().classes("w-full max-w-4xl"):
            self.player_box = ui.column().classes("w-full gap-2").mark("player")
        self.dialog.on_value_change(lambda e: None if e.value else self.player_box.clear())

        self.show_first_page()
        self.update_failure_banner()
        self.update_pending()
        ui.timer(self.site.options.poll_s, self.poll)
        ui.timer(self.site.options.retry_s, self.retry)

    # ---- the grid -------------------------------------------------------------------------

    def show_first_page(self) -> None:
        self.grid.clear()
        self.cards.clear()
        self.offset = self.shown = 0
        self.generation = self.store.generation()
        self.new_feed_notice.set_visibility(False)
        self.update_header()
        self.append_page()

    def append_page(self) -> bool:
        page = self.store.page(self.offset, PAGE_SIZE)
        current = self.generation.generation if self.generation else None
        if any(item.generation != current for item in page.items):
            # the feed was replaced since this tab loaded it: do not mix two feeds
            self.show_new_feed_notice()
            return False
        with self.grid:
            for item in page.items:
                self.cards[item.video_id] = video_card(item, self.open_player)
        self.offset = page.next_offset
        self.shown += len(page.items)
        self.load_more.set_visibility(page.has_more)
        self.empty_state.set_visibility(self.shown == 0 and self.generation is None)
        if self.shown == 0 and self.generation is not None and self.generation.videos == 0:
            self.end_label.set_text(NO_NEW_VIDEOS)
        elif self.shown == 0 and self.generation is not None:
            self.end_label.set_text("Nothing to show: every video of this feed is hidden.")
        else:
            self.end_label.set_text("No more videos.")
        self.end_label.set_visibility(
            not page.has_more and (self.shown > 0 or bool(self.generation))
        )
        return True

    def show_new_feed(self) -> None:
        self.show_first_page()
        ui.run_javascript("window.scrollTo(0, 0)")

    def show_more(self) -> None:
        self.append_page()

    def update_header(self) -> None:
        self.ranking_row.clear()
        gen = self.generation
        self.ranking_row.set_visibility(gen is not None)
        if gen is None:
            self.header_info.set_text("no feed yet")
            return
        made = gen.generated_at.astimezone(ZoneInfo(self.site.options.timezone))
        self.header_info.set_text(
            f"{gen.videos} videos · refreshed {made:%Y-%m-%d %H:%M} ({format_age(gen.generated_at)})"
        )
        with self.ranking_row:
            fallback = is_fallback(gen.ranking)
            with ui.row().classes(
                "items-center gap-2 q-px-md q-py-xs rounded-borders "
                + ("bg-orange-2 text-orange-10" if fallback else "bg-green-1 text-green-10")
            ):
                ui.icon("warning" if fallback else "verified")
                ui.label(ranking_notice(gen.ranking, gen.model_version))

    # ---- the player -----------------------------------------------------------------------

    def open_player(self, item: FeedItem) -> None:
        self.player_box.clear()
        with self.player_box:
            self.acks = player(item, self.send_feedback, self.hide, self.close_player)
        self.dialog.open()

    def close_player(self) -> None:
        self.dialog.close()
        self.player_box.clear()

    async def send_feedback(self, item: FeedItem, label: str) -> None:
        click = new_click(item.video_id, label, self.site.options.timezone)
        with self.acks:
            status = ui.label(f"Saving “{label}” …").classes("text-sm").mark("ack")
        self.click_status[click.click_id] = (status, label)
        result = await run.io_bound(self.site.outbox.submit, click)
        # the player may have been closed meanwhile: answer in the page, not in its slot
        with self.client:
            if result.saved:
                self.click_status.pop(click.click_id, None)
                text = f"Saved: {label} ✓"
                ui.notify(f"Saved: {label}", type="positive", timeout=1500)
            else:
                text = (
                    f"Not saved yet: {label} ({result.error}). Kept; retrying every "
                    f"{self.site.options.retry_s:g} s."
                )
                ui.notify(f"Could not save “{label}”: kept, will retry", type="warning")
            if not status.is_deleted:
                status.set_text(text)
                status.classes("text-positive" if result.saved else "text-negative")
            self.update_pending()

    async def hide(self, item: FeedItem) -> None:
        try:
            await run.io_bound(self.store.hide, item.video_id)
        except Exception as error:
            logger.warning("could not hide %s: %s", item.video_id, error)
            with self.client:
                ui.notify(f"Could not hide the video: {error}", type="negative")
            return
        with self.client:
            card = self.cards.pop(item.video_id, None)
            if card is not None:
                card.delete()
            self.close_player()
            ui.notify("Hidden: it will not be shown again", type="info")

    # ---- background checks ----------------------------------------------------------------

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
                "items-center gap-3 q-px-md q-py-xs rounded-borders bg-red-1 text-red-10"
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
                "items-center gap-3 q-px-md q-py-sm rounded-borders bg-blue-1 text-blue-10"
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
                "items-center gap-2 q-px-md q-py-xs rounded-borders bg-amber-2 text-amber-10 w-full"
            ),
        ):
            ui.icon("error_outline")
            ui.label(f"A pipeline run failed: {_first_line(failure.message)}").classes("text-sm")
            ui.label(
                f"({failure.job_name}, {when:%H:%M}, {format_age(failure.failed_at)})"
            ).classes("text-xs")


def _first_line(message: str, limit: int = 300) -> str:
    line = message.strip().splitlines()[0] if message.strip() else "(no message)"
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _unresolved(failure: RunFailure | None, feed: FeedGeneration | None) -> RunFailure | None:
    """The failure, unless a feed was written after it (the problem is behind us)."""
    if failure is None or (feed is not None and feed.generated_at > failure.failed_at):
        return None
    return failure
