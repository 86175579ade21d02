"""How the labeller writes a video's facts: embed URL, duration, watch time.

Titles and descriptions come from YouTube and Takeout, so they may hold anything (``<script>``,
emoji, Chinese, Arabic): the page shows them with ``st.text``, which never parses Markdown or
HTML, and only builds the player URL from a validated video id.
"""

from __future__ import annotations

import string
from datetime import datetime
from zoneinfo import ZoneInfo

from vrdndi_pipeline.core.records import is_video_id

# The labeller's primary colour (Streamlit's default is red): white text on it reads 6.4:1.
CALM = "#1d5fa8"
CALM_DARK = "#174c86"  # hovered: 8.7:1

EMBED_BASE = "https://www.youtube-nocookie.com/embed/"
WATCH_BASE = "https://www.youtube.com/watch?v="

# First strong isolate … pop directional isolate: a right-to-left title inside a left-to-right
# line ("Last labelled: …") keeps its own direction without reordering the words around it.
_FSI, _PDI = "\u2068", "\u2069"


def embed_url(video_id: str) -> str | None:
    """The privacy-enhanced player URL, or ``None`` for anything but an 11-character id."""
    return f"{EMBED_BASE}{video_id}" if is_video_id(video_id) else None


def watch_url(video_id: str) -> str | None:
    return f"{WATCH_BASE}{video_id}" if is_video_id(video_id) else None


def format_duration(seconds: int | None) -> str:
    """``1:02:03``, ``4:05``, ``live`` (0) or ``unknown`` (None)."""
    if seconds is None:
        return "unknown"
    if seconds == 0:
        return "live"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_time(moment: datetime | None, timezone: str) -> str:
    """``2024-05-01 21:13 Europe/Berlin`` in the user's zone, or ``unknown``."""
    if moment is None:
        return "unknown"
    return f"{moment.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M} {timezone}"


def isolate(text: str) -> str:
    """``text`` wrapped so its writing direction cannot leak into the surrounding line."""
    return f"{_FSI}{text}{_PDI}"


_MARKDOWN_SPECIAL = frozenset(string.punctuation)


def markdown_literal(text: str) -> str:
    """``text`` for a Markdown message (``st.info`` …) shown as typed: every ASCII punctuation
    character backslash-escaped (no links, emphasis, HTML, ``$`` maths or ``:red[…]``), line
    breaks as spaces, and its writing direction isolated."""
    escaped = "".join(f"\\{c}" if c in _MARKDOWN_SPECIAL else c for c in text)
    return isolate(" ".join(escaped.split()))
