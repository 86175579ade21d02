"""The feed page: a grid of ranked videos, the player, feedback clicks, notices.

:class:`FeedSite` holds what all browser tabs share (the store, the feedback outbox, options);
its :meth:`FeedSite.page` is the root page function given to ``ui.run`` (or to NiceGUI's
``user_simulation`` in tests). Each tab gets its own :class:`FeedView`.

The player opens as a dialog over the grid, so "Back to feed" finds the grid as it was: the
same cards loaded, the same scroll position.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from nicegui import run, ui
from nicegui.events import KeyEventArguments

from vrdndi_pipeline.core.store.feed_tables import FeedGeneration, FeedItem
from vrdndi_pipeline.core.store.people_tables import RunFailure
from vrdndi_ui.feed.feed_cards import (
    FEED_CSS,
    KEYS,
    MUTED,
    PRIMARY,
    feedback_toggles,
    marks,
    placeholder,
    player,
    video_card,
)
from vrdndi_ui.feed.feed_data import PAGE_SIZE, FeedStore
from vrdndi_ui.feed.feed_format import format_age, is_fallback, status_lines
from vrdndi_ui.feed.feedback_outbox import FEEDBACK_BUTTONS, FeedbackOutbox, new_click

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


def _system_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class FeedSiteOptions:
    poll_s: float = 10.0  # how often a tab looks for a new feed and run failures
    retry_s: float = 10.0  # how often queued feedback clicks are written again
    timezone: str = "UTC"  # the user's IANA zone, stored with every click
    now: Callable[[], datetime] = _system_now  # the pipeline's clock: ages read as it sees them
    train_threshold: int = 20  # new labels that start a training (VRDNDI_TRAIN_MIN_NEW_LABELS)


@dataclass(slots=True)
class CardSlot:
    """Where one video sits in the grid: its card, or the undo placeholder after a hide."""

    item: FeedItem
    slot: ui.element
    marks: ui.row | None = None


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
        self.slots: dict[str, CardSlot] = {}
        self.state: dict[str, dict[str, int]] = {}  # video -> kind -> pressed value
        self.open_item: FeedItem | None = None
        self.failure_shown: str | None = None  # run id in the banner
        self.pending_shown: tuple[int, str | None] = (0, None)

    # ---- layout ---------------------------------------------------------------------------

    def build(self) -> None:
        self.client = ui.context.client
        ui.page_title("vrdndi feed")
        # Quasar's positive / info notifications are 2.5:1 and 1.9:1 with white text
        ui.colors(primary=PRIMARY, positive="#15803d", info="#0369a1")
        ui.add_css(FEED_CSS)
        with ui.header().classes("items-center bg-slate-800 q-py-sm"):
            ui.label("vrdndi").classes("text-xl font-bold")
            self.header_info = ui.label().classes("text-sm text-slate-200").mark("feed-info")
            ui.space()
            ui.button("Hidden", icon="visibility_off", on_click=self.show_hidden).props(
                "flat no-caps text-color=white"
            ).mark("show-hidden")
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
                self.end_label = ui.label("No more videos.").classes(MUTED)
                self.empty_state = ui.markdown(EMPTY_FEED_HELP).classes("max-w-2xl")
        with ui.dialog() as self.dialog, ui.card().classes("w-full max-w-4xl"):
            self.player_box = ui.column().classes("w-full gap-2").mark("player")
        self.dialog.on_value_change(lambda e: None if e.value else self.player_closed())
        with ui.dialog() as self.hidden_dialog, ui.card().classes("w-full max-w-2xl"):
            self.hidden_box = ui.column().classes("w-full gap-2").mark("hidden-list")
        ui.keyboard(on_key=self.on_key, ignore=["input", "select", "textarea"])

        self.show_first_page()
        self.update_failure_banner()
        self.update_pending()
        ui.timer(self.site.options.poll_s, self.poll)
        ui.timer(self.site.options.retry_s, self.retry)

    # ---- the grid -------------------------------------------------------------------------

    def show_first_page(self) -> None:
        self.grid.clear()
        self.slots.clear()
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
        self.state.update(self.store.feedback_state([i.video_id for i in page.items]))
        with self.grid:
            for item in page.items:
                slot = CardSlot(item, ui.element("div").mark(f"slot-{item.video_id}"))
                self.slots[item.video_id] = slot
                self.fill_slot(slot)
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

    def fill_slot(self, slot: CardSlot) -> None:
        slot.slot.clear()
        with slot.slot:
            _, slot.marks = video_card(
                slot.item,
                self.pipeline_now(),
                self.state.get(slot.item.video_id, {}),
                self.open_player,
            )

    def pipeline_now(self) -> datetime:
        return self.site.options.now()

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
        zone = ZoneInfo(self.site.options.timezone)
        made = gen.generated_at.astimezone(zone)
        self.header_info.set_text(
            f"{gen.videos} videos · refreshed {made:%Y-%m-%d %H:%M} "
            f"({format_age(gen.generated_at, self.pipeline_now())})"
        )
        try:
            lines = status_lines(
                gen,
                self.store.model_status(),
                train_threshold=self.site.options.train_threshold,
                timezone=self.site.options.timezone,
            )
        except Exception as error:  # the status is a help, never a reason to show no feed
            logger.warning("could not read the model status: %s", error)
            lines = []
        fallback = is_fallback(gen.ranking)
        with (
            self.ranking_row,
            ui.row().classes(
                "items-start gap-2 q-px-md q-py-xs rounded-borders no-wrap "
                + ("bg-orange-1 text-orange-900" if fallback else "bg-green-1 text-green-900")
            ),
        ):
            ui.icon("warning" if fallback else "verified").classes("q-mt-xs")
            with ui.column().classes("gap-0"):
                for line in lines:
                    ui.label(line).classes("text-sm vr-status").mark("status-line")

    # ---- the player -----------------------------------------------------------------------

    def open_player(self, item: FeedItem) -> None:
        self.player_box.clear()
        self.open_item = item
        with self.player_box:
            self.acks, self.toggles = player(
                item,
                self.pipeline_now(),
                self.state.get(item.video_id, {}),
                self.send_feedback,
                self.hide,
                self.block_channel,
                self.close_player,
            )
        self.dialog.open()

    def close_player(self) -> None:
        self.dialog.close()
        self.player_closed()

    def player_closed(self) -> None:
        self.open_item = None
        self.player_box.clear()

    async def on_key(self, event: KeyEventArguments) -> None:
        """The player's actions on keys: i / u / g / n for the toggles, h to hide."""
        item = self.open_item
        if item is None or not event.action.keydown or event.action.repeat:
            return
        key = str(event.key.name).lower()
        for label, shortcut in KEYS.items():
            if key == shortcut:
                await self.send_feedback(item, label)
                return
        if key == "h":
            await self.hide(item)

    def redraw_toggles(self, item: FeedItem) -> None:
        state = self.state.get(item.video_id, {})
        if self.open_item is not None and self.open_item.video_id == item.video_id:
            if not self.toggles.is_deleted:
                self.toggles.clear()
                with self.toggles:
                    feedback_toggles(item, state, self.send_feedback)
        slot = self.slots.get(item.video_id)
        if slot is not None and slot.marks is not None and not slot.marks.is_deleted:
            slot.marks.clear()
            with slot.marks:
                marks(state)

    async def send_feedback(self, item: FeedItem, label: str) -> None:
        kind, value = FEEDBACK_BUTTONS[label]
        if self.state.get(item.video_id, {}).get(kind) == value:
            ui.notify(f"“{label}” is already saved for this video", timeout=1500)
            return
        click = new_click(item.video_id, label, self.site.options.timezone)
        # pressed at once: a click that cannot be written now is kept and retried
        self.state.setdefault(item.video_id, {})[kind] = value
        self.redraw_toggles(item)
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

    # ---- hide, block, undo ----------------------------------------------------------------

    async def _change(self, target: str, target_id: str, label: str | None, hidden: bool) -> bool:
        try:
            await run.io_bound(self.store.set_visibility, target, target_id, label, hidden)
        except Exception as error:
            logger.warning("could not change %s %s: %s", target, target_id, error)
            with self.client:
                ui.notify(f"Could not save that: {error}", type="negative")
            return False
        return True

    async def hide(self, item: FeedItem) -> None:
        if not await self._change("video", item.video_id, item.title, True):
            return
        with self.client:
            self.close_player()
            slot = self.slots.get(item.video_id)
            if slot is not None:
                self._leave_placeholder(
                    slot, f"Hidden: “{item.title}”.", lambda: self.restore(item)
                )
            ui.notify("Hidden: it will not be shown again", type="info")

    async def restore(self, item: FeedItem) -> None:
        if not await self._change("video", item.video_id, item.title, False):
            return
        with self.client:
            self._restore_slots(lambda s: s.item.video_id == item.video_id)
            self.show_hidden_list()
            ui.notify(f"Restored: {item.title}", type="positive", timeout=1500)

    async def block_channel(self, item: FeedItem) -> None:
        channel_id, name = item.channel_id, item.channel_title or item.channel_id
        if not channel_id:
            ui.notify("This video has no channel id to block", type="warning")
            return
        if not await self._change("channel", channel_id, name, True):
            return
        with self.client:
            self.close_player()
            for slot in self.slots.values():
                if slot.item.channel_id == channel_id and slot.marks is not None:
                    self._leave_placeholder(
                        slot,
                        f"Not interested in {name}: its videos stay out of your feeds.",
                        lambda: self.unblock(channel_id, name),
                    )
            ui.notify(f"{name}: kept out of every future feed", type="info")

    async def unblock(self, channel_id: str, name: str | None) -> None:
        if not await self._change("channel", channel_id, name, False):
            return
        with self.client:
            self._restore_slots(lambda s: s.item.channel_id == channel_id)
            self.show_hidden_list()
            ui.notify(f"{name} is back in your feed", type="positive", timeout=1500)

    def _leave_placeholder(self, slot: CardSlot, text: str, undo: Callable[[], object]) -> None:
        slot.slot.clear()
        slot.marks = None
        with slot.slot:
            placeholder(text, undo)

    def _restore_slots(self, which: Callable[[CardSlot], bool]) -> None:
        for slot in self.slots.values():
            if which(slot) and slot.marks is None:
                self.fill_slot(slot)

    def show_hidden(self) -> None:
        self.show_hidden_list()
        self.hidden_dialog.open()

    def show_hidden_list(self) -> None:
        self.hidden_box.clear()
        try:
            changes = self.store.hidden()
        except Exception as error:
            logger.warning("could not read hidden videos: %s", error)
            changes = []
        zone = ZoneInfo(self.site.options.timezone)
        with self.hidden_box:
            ui.label("Hidden videos and channels").classes("text-lg font-medium")
            if not changes:
                ui.label("Nothing hidden.").classes(MUTED)
            for change in changes:
                with ui.row().classes("w-full items-center justify-between no-wrap gap-2"):
                    kind = "Video" if change.target == "video" else "Channel"
                    ui.label(
                        f"{kind}: {change.label or change.target_id} "
                        f"({change.created_at.astimezone(zone):%Y-%m-%d %H:%M})"
                    ).classes("text-sm").props("dir=auto")
                    ui.button(
                        "Restore",
                        icon="undo",
                        on_click=lambda c=change: self.restore_change(
                            c.target, c.target_id, c.label
                        ),
                    ).props("outline no-caps dense color=primary").mark(
                        f"restore-{change.target_id}"
                    )
            ui.button("Close", on_click=self.hidden_dialog.close).props("no-caps color=primary")

    async def restore_change(self, target: str, target_id: str, label: str | None) -> None:
        if target == "channel":
            await self.unblock(target_id, label)
            return
        slot = self.slots.get(target_id)
        if slot is not None:
            await self.restore(slot.item)
        elif await self._change("video", target_id, label, False):
            with self.client:
                self.show_hidden_list()
                ui.notify(f"Restored: {label or target_id}", type="positive", timeout=1500)

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
                f"({failure.job_name}, {when:%H:%M}, {format_age(failure.failed_at, _system_now())})"
            ).classes("text-xs")


def _first_line(message: str, limit: int = 300) -> str:
    line = message.strip().splitlines()[0] if message.strip() else "(no message)"
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _unresolved(failure: RunFailure | None, feed: FeedGeneration | None) -> RunFailure | None:
    """The failure, unless a feed was written after it (the problem is behind us)."""
    if failure is None or (feed is not None and feed.generated_at > failure.failed_at):
        return None
    return failure
