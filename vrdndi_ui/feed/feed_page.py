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

from vrdndi_pipeline.core.feed.reasons import format_age
from vrdndi_pipeline.core.store.feed_tables import FeedGeneration, FeedItem
from vrdndi_ui.feed.feed_cards import (
    FEED_CSS,
    KEYS,
    MUTED,
    PRIMARY,
    feedback_toggles,
    marks,
    player,
    video_card,
)
from vrdndi_ui.feed.feed_data import FeedStore
from vrdndi_ui.feed.feed_format import is_fallback, status_lines
from vrdndi_ui.feed.feed_notices import Notices
from vrdndi_ui.feed.feed_steering import CardSlot, Steering
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


class FeedView(Steering, Notices):
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
        page = self.store.page(self.offset)  # PAGE_SIZE cards: the page the channel cap counts
        current = self.generation.generation if self.generation else None
        if any(item.generation != current for item in page.items):
            # the feed was replaced since this tab loaded it: do not mix two feeds
            self.show_new_feed_notice()
            return False
        self.state.update(self.store.feedback_state([i.video.video_id for i in page.items]))
        with self.grid:
            for item in page.items:
                slot = CardSlot(item, ui.element("div").mark(f"slot-{item.video.video_id}"))
                self.slots[item.video.video_id] = slot
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
                self.state.get(slot.item.video.video_id, {}),
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
                self.state.get(item.video.video_id, {}),
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
        state = self.state.get(item.video.video_id, {})
        if self.open_item is not None and self.open_item.video.video_id == item.video.video_id:
            if not self.toggles.is_deleted:
                self.toggles.clear()
                with self.toggles:
                    feedback_toggles(item, state, self.send_feedback)
        slot = self.slots.get(item.video.video_id)
        if slot is not None and slot.marks is not None and not slot.marks.is_deleted:
            slot.marks.clear()
            with slot.marks:
                marks(state)

    async def send_feedback(self, item: FeedItem, label: str) -> None:
        kind, value = FEEDBACK_BUTTONS[label]
        if self.state.get(item.video.video_id, {}).get(kind) == value:
            ui.notify(f"“{label}” is already saved for this video", timeout=1500)
            return
        click = new_click(item.video.video_id, label, self.site.options.timezone)
        # pressed at once: a click that cannot be written now is kept and retried
        self.state.setdefault(item.video.video_id, {})[kind] = value
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
