"""The pieces of the feed page: one video card and the player.

Every text from the database is placed with ``ui.label`` (text, never HTML); URLs are built
from validated video ids only (:mod:`vrdndi_ui.feed.feed_format`).
"""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from vrdndi_pipeline.core.store.feed_tables import FeedItem
from vrdndi_ui.feed.feed_format import (
    embed_url,
    format_age,
    format_duration,
    is_fallback,
    ranking_badge,
    score_badges,
    thumbnail_url,
    why_line,
)
from vrdndi_ui.feed.feedback_outbox import FEEDBACK_BUTTONS

# A dark tile with a play sign sits behind every thumbnail; a thumbnail that cannot load
# (no internet) hides itself and leaves the tile.
FEED_CSS = """
.vr-thumb { position: relative; aspect-ratio: 16 / 9; overflow: hidden;
  background: linear-gradient(135deg, #334155, #0f172a); }
.vr-thumb::before { content: "\\25B6"; position: absolute; inset: 0; display: flex;
  align-items: center; justify-content: center; font-size: 2.5rem; color: #cbd5e1; }
.vr-thumb img { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; }
.vr-duration { position: absolute; right: .4rem; bottom: .4rem; padding: 0 .35rem;
  border-radius: .25rem; background: rgba(0,0,0,.8); color: white; font-size: .75rem; }
.vr-card { cursor: pointer; transition: box-shadow .15s; }
.vr-card:hover { box-shadow: 0 4px 18px rgba(0,0,0,.25); }
.vr-clamp-2 { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical;
  overflow: hidden; }
.vr-floating { position: fixed; top: 72px; left: 50%; transform: translateX(-50%);
  z-index: 3000; box-shadow: 0 4px 18px rgba(0,0,0,.25); }
.vr-player { position: relative; width: 100%; aspect-ratio: 16 / 9; background: #0f172a; }
.vr-player iframe { position: absolute; inset: 0; width: 100%; height: 100%; border: 0; }
"""

HIDE_BROKEN_IMAGE = "this.style.display='none'"


def title_label(text: str, classes: str = "") -> ui.label:
    # dir=auto lets right-to-left titles run right to left
    return ui.label(text).classes(classes).props("dir=auto")


def thumbnail(item: FeedItem) -> None:
    with ui.element("div").classes("vr-thumb w-full"):
        img = ui.element("img").mark("thumbnail")
        img.props.update(
            src=thumbnail_url(item.video_id),
            alt="",
            loading="lazy",
            referrerpolicy="no-referrer",
            onerror=HIDE_BROKEN_IMAGE,
        )
        ui.label(format_duration(item.duration_s)).classes("vr-duration")


def badges(item: FeedItem) -> None:
    with ui.row().classes("gap-1 items-center"):
        # plain title attributes, not ui.tooltip: 21 cards x 4 tooltip elements slow the page
        for badge in score_badges(item):
            chip = ui.badge(badge.text, color="blue-grey-1", text_color="blue-grey-9")
            chip.props.update(rounded=True, title=badge.tooltip)
        fallback = is_fallback(item.ranking)
        chip = ui.badge(
            ranking_badge(item.ranking, item.model_version),
            color="orange-8" if fallback else "green-7",
        ).mark("ranking-badge")
        chip.props.update(rounded=True, title="which ranking made this feed")


def channel_line(item: FeedItem) -> str:
    channel = item.channel_title or item.channel_id or "unknown channel"
    return f"{channel} · {format_age(item.published_at)}"


def video_card(item: FeedItem, on_open: Callable[[FeedItem], object]) -> ui.card:
    """One grid card; clicking it calls ``on_open(item)``."""
    with (
        ui.card().tight().classes("vr-card w-full").mark(f"feed-card card-{item.video_id}") as card
    ):
        thumbnail(item)
        with ui.column().classes("p-3 gap-1 w-full"):
            title_label(item.title, "font-medium text-base leading-snug vr-clamp-2").mark(
                "card-title"
            )
            ui.label(channel_line(item)).classes("text-sm text-grey-7")
            badges(item)
            ui.label(why_line(item)).classes("text-xs text-grey-7 vr-clamp-2")
    card.on("click", lambda: on_open(item))
    return card


def player(
    item: FeedItem,
    on_feedback: Callable[[FeedItem, str], object],
    on_hide: Callable[[FeedItem], object],
    on_back: Callable[[], object],
) -> ui.column:
    """The player: the embedded video, what it is, why it is here, the feedback buttons.

    Returns the column where click acknowledgements appear.
    """
    with ui.element("div").classes("vr-player rounded-borders overflow-hidden"):
        frame = ui.element("iframe").mark("player-frame")
        frame.props.update(
            src=embed_url(item.video_id),
            title="YouTube video player",
            allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; "
            "picture-in-picture",
            referrerpolicy="strict-origin-when-cross-origin",
            allowfullscreen=True,
        )
    title_label(item.title, "text-lg font-medium").mark("player-title")
    ui.label(f"{channel_line(item)} · {format_duration(item.duration_s)}").classes(
        "text-sm text-grey-7"
    )
    ui.label(f"Why this video: {why_line(item)}").classes("text-sm").mark("why")
    badges(item)
    with ui.row().classes("gap-2 items-center"):
        for label, (kind, value) in FEEDBACK_BUTTONS.items():
            positive = value == 1
            ui.button(
                label,
                icon=_ICONS[label],
                color="primary" if positive else "grey-7",
                on_click=lambda label=label: on_feedback(item, label),
            ).props("no-caps").mark(f"feedback-{kind}-{value}")
    acks = ui.column().classes("gap-1").mark("acks")
    with ui.row().classes("w-full justify-between items-center"):
        ui.button("Hide", icon="visibility_off", on_click=lambda: on_hide(item)).props(
            "flat no-caps color=grey-8"
        ).tooltip("never show this video again")
        ui.button("Back to feed", icon="arrow_back", on_click=on_back).props("no-caps").mark("back")
    return acks


_ICONS = {
    "Interest": "thumb_up",
    "Uninterest": "thumb_down",
    "Correct timing": "schedule",
    "Not now": "snooze",
}
