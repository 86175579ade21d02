"""Read a Google Takeout watch history (``watch-history.json``) into watch entries.

Takeout's "My Activity" JSON is a list, newest first, of items like::

    {"header": "YouTube", "title": "Watched <video title>",
     "titleUrl": "https://www.youtube.com/watch?v\\u003d<id>",
     "subtitles": [{"name": "<channel>", "url": "https://www.youtube.com/channel/<UC id>"}],
     "time": "2026-11-14T20:13:05.123Z", "products": ["YouTube"], ...}

Every item becomes a :class:`~vrdndi_pipeline.core.records.WatchEntry` or is counted under one
reason in :attr:`TakeoutHistory.skipped` (ads, community posts, removed videos, other pages, bad
ids, items without a time, items of the wrong shape), so entries + skips = items in the file.
Titles keep their original text; only the English "Watched " prefix is removed.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from vrdndi_pipeline.core.records import WatchEntry, is_video_id

logger = logging.getLogger(__name__)

SETTING = "VRDNDI_TAKEOUT_PATH"
SKIP_REASONS = (
    "ad",
    "post",
    "removed",
    "not_a_video",
    "invalid_video_id",
    "missing_time",
    "malformed_entry",
)
TAKEOUT_RELATIVE_PATH = "Takeout/YouTube and YouTube Music/history/watch-history.json"
DOWNLOAD_AGAIN = "Download the Takeout archive again (takeout.google.com) and unpack it completely."
EXPORT_AS_JSON = (
    "Export again at takeout.google.com: under 'YouTube and YouTube Music' click 'Multiple "
    "formats', choose JSON for 'history', and use the watch-history.json it contains."
)
YOUTUBE_HOSTS = ("youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com")
VIDEO_PATH_PREFIXES = ("/shorts/", "/live/", "/embed/", "/v/")
WATCHED_PREFIX = "Watched "
_CHANNEL_IN_URL = re.compile(r"/channel/(UC[A-Za-z0-9_-]{22})(?:[/?#]|$)")
_JSON_TYPES = {dict: "an object", str: "a string", bool: "a boolean", type(None): "null"}


class TakeoutFormatError(ValueError):
    """The file is not a usable Takeout watch history; the message names the file, cause and fix."""


@dataclass(frozen=True, slots=True)
class TakeoutHistory:
    """The watches of a Takeout file, in file order (newest first), and what was left out.

    ``skipped`` maps every reason in :data:`SKIP_REASONS` to how many items it covered.
    """

    entries: tuple[WatchEntry, ...]
    skipped: dict[str, int]

    @property
    def items(self) -> int:
        """Number of items in the file: entries plus skipped."""
        return len(self.entries) + sum(self.skipped.values())


def parse_watch_history(
    raw: bytes | str, source_name: str = "watch-history.json"
) -> TakeoutHistory:
    """Parse the text of a ``watch-history.json``; raises :class:`TakeoutFormatError`."""
    entries: list[WatchEntry] = []
    skipped = dict.fromkeys(SKIP_REASONS, 0)
    for item in _items(raw, source_name):
        outcome = watch_entry(item)
        if isinstance(outcome, WatchEntry):
            entries.append(outcome)
        else:
            skipped[outcome] += 1
    logger.info(
        "%s: %d watches, skipped %s",
        source_name,
        len(entries),
        {reason: n for reason, n in skipped.items() if n} or "nothing",
    )
    if not entries and skipped["not_a_video"] > 0:
        logger.warning("%s holds no watched videos; is it the search history?", source_name)
    return TakeoutHistory(tuple(entries), skipped)


def load_watch_history(path: Path) -> TakeoutHistory:
    """Read and parse the watch history at ``path`` (the file :data:`SETTING` names)."""
    path = Path(path)
    if path.is_dir():
        hint = next((str(c) for c in _candidates(path) if c.is_file()), None)
        found = f" It contains {hint}; use that file." if hint else ""
        raise TakeoutFormatError(
            f"{path} is a folder, but {SETTING} must name the watch-history.json file "
            f"({TAKEOUT_RELATIVE_PATH} in an unpacked Takeout archive).{found}"
        )
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"Takeout watch history {path} does not exist. Set {SETTING} to the "
            f"watch-history.json of your Google Takeout export ({TAKEOUT_RELATIVE_PATH})."
        ) from None
    return parse_watch_history(raw, source_name=str(path))


def watch_entry(item: object) -> WatchEntry | str:
    """The watch entry an activity item describes, or the reason it is not one."""
    if not isinstance(item, dict):
        return "malformed_entry"
    if _is_ad(item.get("details")):
        return "ad"
    title, url = item.get("title"), item.get("titleUrl")
    if not isinstance(title, str | None):
        return "malformed_entry"
    if url is None:  # "Watched a video that has been removed": no link left to follow
        return "removed" if title is not None else "malformed_entry"
    if not isinstance(url, str):
        return "malformed_entry"
    kind, video_id = video_id_from_url(url)
    if kind != "video":
        return kind
    if video_id is None or not is_video_id(video_id):
        return "invalid_video_id"
    if item.get("time") in (None, ""):
        return "missing_time"
    watched_at = _parse_time(item["time"])
    if watched_at is None:
        return "malformed_entry"
    channel_title, channel_id = _channel(item.get("subtitles"))
    return WatchEntry(video_id, watched_at, _video_title(title), channel_title, channel_id)


def video_id_from_url(url: str) -> tuple[str, str | None]:
    """``("video", id or None)`` for a video link, else ``("post", None)`` or ``("not_a_video",
    None)``. Knows youtube.com (www, m, music), youtu.be, /watch?v=, /shorts/, /live/, /embed/."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return "not_a_video", None
    path = parts.path
    if host == "youtu.be":
        return "video", path.strip("/").split("/")[0] or None
    if host not in YOUTUBE_HOSTS:
        return "not_a_video", None
    if path.startswith("/post/"):
        return "post", None
    if path == "/watch":
        values = parse_qs(parts.query).get("v")
        return "video", values[0] if values else None
    for prefix in VIDEO_PATH_PREFIXES:
        if path.startswith(prefix):
            return "video", path[len(prefix) :].split("/")[0] or None
    return "not_a_video", None


def _items(raw: bytes | str, name: str) -> list[object]:
    text = _text(raw, name)
    stripped = text.strip()
    if not stripped:
        raise TakeoutFormatError(f"{name} is empty. {DOWNLOAD_AGAIN}")
    if stripped.startswith("<"):
        raise TakeoutFormatError(
            f"{name} is an HTML page, the format Takeout exports by default, not JSON. "
            f"{EXPORT_AS_JSON}"
        )
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        truncated = error.pos >= len(text.rstrip())
        cause = (
            "ends in the middle of the JSON (the file is truncated)"
            if truncated
            else (f"is not valid JSON ({error.msg})")
        )
        raise TakeoutFormatError(
            f"{name} {cause} at line {error.lineno}, column {error.colno}. {DOWNLOAD_AGAIN}"
        ) from None
    except (ValueError, RecursionError) as error:  # e.g. a 5000-digit number, absurd nesting
        raise TakeoutFormatError(f"{name} is not usable JSON ({error}). {DOWNLOAD_AGAIN}") from None
    if not isinstance(document, list):
        found = _JSON_TYPES.get(type(document), "a number")
        raise TakeoutFormatError(
            f"{name} holds {found}, but a watch history is a JSON list of activity items. "
            f"Set {SETTING} to {TAKEOUT_RELATIVE_PATH} from an unpacked Takeout archive."
        )
    return document


def _text(raw: bytes | str, name: str) -> str:
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TakeoutFormatError(
            f"{name} is not UTF-8 text (garbled bytes at offset {error.start}); the file is "
            f"damaged. {DOWNLOAD_AGAIN}"
        ) from None


def _is_ad(details: object) -> bool:
    return isinstance(details, list) and any(
        isinstance(d, dict) and d.get("name") == "From Google Ads" for d in details
    )


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
        return moment.astimezone(UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


def _video_title(title: str | None) -> str | None:
    """The title without "Watched "; None when Takeout only knew the link (unavailable videos)."""
    if title is None:
        return None
    text = title.removeprefix(WATCHED_PREFIX)
    if not text.strip() or text.strip().startswith(("https://", "http://")):
        return None
    return text


def _channel(subtitles: object) -> tuple[str | None, str | None]:
    if not isinstance(subtitles, list) or not subtitles or not isinstance(subtitles[0], dict):
        return None, None
    name, url = subtitles[0].get("name"), subtitles[0].get("url")
    match = _CHANNEL_IN_URL.search(url) if isinstance(url, str) else None
    return (name if isinstance(name, str) and name else None), (match.group(1) if match else None)


def _candidates(folder: Path) -> tuple[Path, ...]:
    relative = Path(TAKEOUT_RELATIVE_PATH)
    return tuple(folder / Path(*relative.parts[i:]) for i in range(len(relative.parts)))
