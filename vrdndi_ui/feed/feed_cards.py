"""The pieces of the feed page: one video card and the player.

Every text from the database is placed with ``ui.label`` (text, never HTML); URLs are built
from validated video ids only (:mod:`vrdndi_ui.feed.feed_format`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from nicegui import ui

from vrdndi_pipeline.core.feed.reasons import format_age
from vrdndi_pipeline.core.store.feed_tables import FeedItem
from vrdndi_ui.feed.feed_format import (
    GOOD_TIME,
    embed_url,
    format_duration,
    is_fallback,
    ranking_badge,
    reason_lines,
    score_badges,
    thumbnail_url,
)
from vrdndi_ui.feed.feedback_outbox import BUTTON_OF, FEEDBACK_BUTTONS

# Colours with at least 4.5:1 contrast for their text (checked in the browser tests).
PRIMARY = "#1d4ed8"
FALLBACK_BADGE = "deep-orange-10"  # #bf360c, 5.6:1 with white
MODEL_BADGE = "green-9"  # #2e7d32, 5.1:1 with white
MUTED = "text-slate-600"

# A dark tile with a play sign sits behind every thumbnail; a thumbnail that cannot load
# (no internet) hides itself and leaves the tile.
FEED_CSS = """
.vr-thumb { position: relative; aspect-ratio: 16 / 9; overflow: hidden;
  background: #1e293b linear-gradient(135deg, #334155, #0f172a); }
.vr-thumb::before { content: "\\25B6"; position: absolute; inset: 0; display: flex;
  align-items: center; justify-content: center; font-size: 2.5rem; color: #cbd5e1; }
.vr-thumb img { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; }
.vr-duration { position: absolute; right: .4rem; bottom: .4rem; padding: 0 .35rem;
  border-radius: .25rem; background: rgba(0,0,0,.85); color: white; font-size: .75rem; }
.vr-card { cursor: pointer; transition: box-shadow .15s; }
.vr-card:hover { box-shadow: 0 4px 18px rgba(0,0,0,.25); }
.vr-card:focus-visible, .q-btn:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.vr-clamp-2 { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical;
  overflow: hidden; }
.vr-floating { position: fixed; top: 72px; left: 50%; transform: translateX(-50%);
  z-index: 3000; box-shadow: 0 4px 18px rgba(0,0,0,.25); }
.vr-player { position: relative; width: 100%; aspect-ratio: 16 / 9; background: #0f172a; }
.vr-player iframe { position: absolute; inset: 0; width: 100%; height: 100%; border: 0; }
.vr-mark { background: #e0e7ff; color: #1e3a8a; border-radius: .25rem; padding: 0 .35rem;
  font-size: .75rem; }
.vr-explore { background: #f3e8ff; color: #581c87; }
"""

HIDE_BROKEN_IMAGE = "this.style.display='none'"
KEYS = {"Interesting": "i", "Not interested": "u", GOOD_TIME: "g", "Not now": "n"}


def title_label(text: str, classes: str = "") -> ui.label:
    # dir=auto lets right-to-left titles run right to left
    return ui.label(text).classes(classes).props("dir=auto")


def thumbnail(item: FeedItem) -> None:
    with ui.element("div").classes("vr-thumb w-full"):
        img = ui.element("img").mark("thumbnail")
        img.props.update(
            src=thumbnail_url(item.video.video_id),
            alt="",
            loading="lazy",
            referrerpolicy="no-referrer",
            onerror=HIDE_BROKEN_IMAGE,
        )
        ui.label(format_duration(item.video.duration_s)).classes("vr-duration")


def badges(item: FeedItem) -> None:
    with ui.row().classes("gap-1 items-center"):
        # plain title attributes, not ui.tooltip: 4 tooltip elements per card slow a page
        for badge in score_badges(item):
            chip = ui.badge(badge.text, color="blue-grey-1", text_color="blue-grey-10")
            chip.props.update(rounded=True, title=badge.tooltip)
        chip = ui.badge(
            ranking_badge(item.ranking, item.model_version),
            color=FALLBACK_BADGE if is_fallback(item.ranking) else MODEL_BADGE,
        ).mark("ranking-badge")
        chip.props.update(rounded=True, title="which ranking made this feed")


def reasons(item: FeedItem, classes: str = "text-xs") -> None:
    with ui.column().classes("gap-0 w-full").mark("reasons"):
        for icon, text in reason_lines(item):
            with ui.row().classes(f"items-start gap-1 no-wrap {classes} text-slate-700"):
                ui.icon(icon).classes("text-sm")
                ui.label(text).classes("vr-clamp-2 vr-reason").mark("reason")


def marks(state: dict[str, int]) -> None:
    """Small marks of the pressed toggles (``Interesting``, ``Good time now``…)."""
    for kind in ("interest", "productive"):
        if kind in state:
            ui.label(BUTTON_OF[(kind, state[kind])]).classes("vr-mark").mark(f"mark-{kind}")


def channel_line(item: FeedItem, now: datetime) -> str:
    channel = item.video.channel_title or item.video.channel_id or "unknown channel"
    return f"{channel} · {format_age(item.video.published_at, now)}"


def video_card(
    item: FeedItem,
    now: datetime,
    state: dict[str, int],
    on_open: Callable[[FeedItem], object],
) -> tuple[ui.card, ui.row]:
    """One grid card (focusable: Enter or a click opens it) and the row of its marks."""
    with (
        ui.card()
        .tight()
        .classes("vr-card w-full")
        .mark(f"feed-card card-{item.video.video_id}") as card
    ):
        thumbnail(item)
        with ui.column().classes("p-3 gap-1 w-full"):
            title_label(item.video.title, "font-medium text-base leading-snug vr-clamp-2").mark(
                "card-title"
            )
            ui.label(channel_line(item, now)).classes(f"text-sm {MUTED}")
            badges(item)
            reasons(item)
            with ui.row().classes("gap-1") as mark_row:
                marks(state)
    card.props.update(tabindex="0", role="button")
    card.props["aria-label"] = f"Open {item.video.title}"
    card.on("click", lambda: on_open(item))
    card.on("keydown.enter", lambda: on_open(item))
    return card, mark_row


def feedback_toggles(
    item: FeedItem, state: dict[str, int], on_feedback: Callable[[FeedItem, str], object]
) -> None:
    """Two either-or pairs; the pressed one is filled and ``aria-pressed``."""
    for pair in (("Interesting", "Not interested"), (GOOD_TIME, "Not now")):
        with ui.row().classes("gap-0 items-center rounded-borders").props("role=group"):
            for label in pair:
                kind, value = FEEDBACK_BUTTONS[label]
                pressed = state.get(kind) == value
                button = ui.button(
                    f"{label} ({KEYS[label]})",
                    icon=_ICONS[label],
                    on_click=lambda label=label: on_feedback(item, label),
                ).mark(f"feedback-{kind}-{value}")
                button.props(
                    f"no-caps {'unelevated' if pressed else 'outline'} color=primary "
                    f"aria-pressed={'true' if pressed else 'false'}"
                )


def player(
    item: FeedItem,
    now: datetime,
    state: dict[str, int],
    on_feedback: Callable[[FeedItem, str], object],
    on_hide: Callable[[FeedItem], object],
    on_block: Callable[[FeedItem], object],
    on_back: Callable[[], object],
) -> tuple[ui.column, ui.row]:
    """The player: the embedded video, what it is, why it is here, the feedback toggles.

    Returns the column where click acknowledgements appear and the row of toggles."""
    with ui.element("div").classes("vr-player rounded-borders overflow-hidden"):
        frame = ui.element("iframe").mark("player-frame")
        frame.props.update(
            src=embed_url(item.video.video_id),
            title="YouTube video player",
            allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; "
            "picture-in-picture",
            referrerpolicy="strict-origin-when-cross-origin",
            allowfullscreen=True,
        )
    title_label(item.video.title, "text-lg font-medium").mark("player-title")
    ui.label(f"{channel_line(item, now)} · {format_duration(item.video.duration_s)}").classes(
        f"text-sm {MUTED}"
    )
    badges(item)
    ui.label("Why this video").classes("text-sm font-medium")
    reasons(item, "text-sm")
    with ui.row().classes("gap-3 items-center").mark("toggles") as toggles:
        feedback_toggles(item, state, on_feedback)
    acks = ui.column().classes("gap-1").mark("acks")
    with ui.row().classes("w-full justify-between items-center gap-2"):
        with ui.row().classes("gap-2"):
            ui.button("Hide (h)", icon="visibility_off", on_click=lambda: on_hide(item)).props(
                "flat no-caps color=grey-9"
            ).mark("hide").tooltip("never show this video again (you can undo it)")
            channel = item.video.channel_title or "this channel"
            ui.button(
                f"Not interested in {channel}", icon="block", on_click=lambda: on_block(item)
            ).props("flat no-caps color=grey-9").mark("block-channel").tooltip(
                "keep this channel's videos out of every future feed (you can undo it)"
            )
        ui.button("Back to feed (Esc)", icon="arrow_back", on_click=on_back).props(
            "no-caps color=primary"
        ).mark("back")
    return acks, toggles


def placeholder(text: str, on_undo: Callable[[], object]) -> None:
    """What stays where a card was hidden: what happened, and Undo right there."""
    with ui.card().classes("w-full q-pa-md").mark("undo-card"):
        ui.label(text).classes("text-sm text-slate-700")
        ui.button("Undo", icon="undo", on_click=on_undo).props(
            "outline no-caps color=primary"
        ).mark("undo")


_ICONS = {
    "Interesting": "thumb_up",
    "Not interested": "thumb_down",
    GOOD_TIME: "schedule",
    "Not now": "snooze",
}
