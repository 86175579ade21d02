"""Hide, block, undo and the "Hidden" list: the feed view's steering actions.

Every action is a new row of ``visibility_changes`` (undo too), written off the event loop; a
hidden card leaves a placeholder with Undo where it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from nicegui import run, ui

from vrdndi_pipeline.core.store.feed_tables import FeedItem
from vrdndi_ui.feed.feed_cards import MUTED, placeholder

if TYPE_CHECKING:
    from vrdndi_ui.feed.feed_data import FeedStore

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class CardSlot:
    """Where one video sits in the grid: its card, or the undo placeholder after a hide."""

    item: FeedItem
    slot: ui.element
    marks: ui.row | None = None  # the card's toggle marks; None while a placeholder stands
    hidden_by: str | None = None  # "video" or "channel": what the placeholder stands for


class Steering:
    """Mixed into the feed view, which provides the attributes below."""

    store: FeedStore
    client: Any
    site: Any
    slots: dict[str, CardSlot]
    hidden_dialog: ui.dialog
    hidden_box: ui.column

    def close_player(self) -> None:
        raise NotImplementedError

    def fill_slot(self, slot: CardSlot) -> None:
        raise NotImplementedError

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
        if not await self._change("video", item.video.video_id, item.video.title, True):
            return
        with self.client:
            self.close_player()
            slot = self.slots.get(item.video.video_id)
            if slot is not None:
                self._leave_placeholder(
                    slot, "video", f"Hidden: “{item.video.title}”.", lambda: self.restore(item)
                )
            ui.notify("Hidden: it will not be shown again", type="info")

    async def restore(self, item: FeedItem) -> None:
        if not await self._change("video", item.video.video_id, item.video.title, False):
            return
        with self.client:
            self._restore_slots("video", lambda s: s.item.video.video_id == item.video.video_id)
            self.show_hidden_list()
            ui.notify(f"Restored: {item.video.title}", type="positive", timeout=1500)

    async def block_channel(self, item: FeedItem) -> None:
        channel_id, name = item.video.channel_id, item.video.channel_title or item.video.channel_id
        if not channel_id:
            ui.notify("This video has no channel id to block", type="warning")
            return
        if not await self._change("channel", channel_id, name, True):
            return
        with self.client:
            self.close_player()
            for slot in self.slots.values():
                if slot.item.video.channel_id == channel_id and slot.hidden_by is None:
                    self._leave_placeholder(
                        slot,
                        "channel",
                        f"Not interested in {name}: its videos stay out of your feeds.",
                        lambda: self.unblock(channel_id, name),
                    )
            ui.notify(f"{name}: kept out of every future feed", type="info")

    async def unblock(self, channel_id: str, name: str | None) -> None:
        if not await self._change("channel", channel_id, name, False):
            return
        with self.client:
            self._restore_slots("channel", lambda s: s.item.video.channel_id == channel_id)
            self.show_hidden_list()
            ui.notify(f"{name} is back in your feed", type="positive", timeout=1500)

    def _leave_placeholder(
        self, slot: CardSlot, hidden_by: str, text: str, undo: Callable[[], object]
    ) -> None:
        slot.slot.clear()
        slot.marks, slot.hidden_by = None, hidden_by
        with slot.slot:
            placeholder(text, undo)

    def _restore_slots(self, hidden_by: str, which: Callable[[CardSlot], bool]) -> None:
        """Cards again where a placeholder for ``hidden_by`` stands (a video hidden on its own
        stays hidden when its channel comes back)."""
        for slot in self.slots.values():
            if which(slot) and slot.hidden_by == hidden_by:
                slot.hidden_by = None
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
