"""Read a Google Takeout watch history (``watch-history.json``) into watch entries.

Takeout's "My Activity" JSON is a list, newest first, of items like::

    {"header": "YouTube", "title": "Watched <video title>",
     "titleUrl": "https://www.youtube.com/watch?v\\u003d<id>",
     "subtitles": [{"name": "<channel>", "url": "https://www.youtube.com/channel/<UC id>"}],
     "time": "2026-11-14T20:13:05.123Z", "products": ["YouTube"], ...}

A history exported before 2017 is instead a list of YouTube API ``youtube#playlistItem``
resources (the history playlist, ``snippet.publishedAt`` being the moment watched); it is read
too. Takeout writes its words in the account's language, so an item's kind is read from its
STRUCTURE, never from English words:

* a watch links (``titleUrl``) to a YouTube video;
* an ad has a non-empty ``details`` list of objects with a ``name`` (Takeout writes
  ``[{"name": "From Google Ads"}]``, "Des annonces Google", "Від Реклами Google", ...);
* a community post links to ``/post/``; a page of music.youtube.com that is not a video, or a
  YouTube Music item (``header``/``products``) that links to no video, is a music visit;
* an item with a title and no link is a watched video that was removed, except a YouTube Music
  item whose title does not read like the file's watches ("Visited YouTube Music").

The title Takeout writes wraps the video title in a phrase of the account's language
("Watched …", "Vous avez regardé …", "… を視聴しました"); :func:`learn_title_shapes` finds the
phrase from the file itself and :data:`KNOWN_TITLE_SHAPES`, and only that phrase is removed.

Every item becomes a :class:`~vrdndi_pipeline.core.records.WatchEntry` or is counted under one
reason in :attr:`TakeoutHistory.skipped`, so entries + skips = items in the file; the items set
aside as invalid are also listed, with a key, in :attr:`TakeoutHistory.rejections`.
"""

from __future__ import annotations

import codecs
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from urllib.parse import parse_qs, urlsplit

from vrdndi_pipeline.core.records import WatchEntry, is_channel_id, is_video_id
from vrdndi_pipeline.core.sources.import_files import (
    DEFAULT_MAX_IMPORT_MB,
    ImportTooLarge,
    ImportUnreadable,
    read_import_file,
)
from vrdndi_pipeline.core.validation import (
    MAX_NAME_CHARS,
    MAX_TITLE_CHARS,
    YOUTUBE_EPOCH,
    RecordRejected,
    Rejection,
    checked_time,
    item_key,
    repaired_text,
    terminal_text,
)

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

SETTING = "VRDNDI_TAKEOUT_PATH"
# Items that are legitimately not a watch: counted, not quarantined.
NOT_VIDEO_REASONS = ("ad", "post", "removed", "music_visit", "not_a_video")
# Items set aside as invalid: counted and listed in TakeoutHistory.rejections. The time_* names
# are the reasons of validation.checked_time.
INVALID_REASONS = (
    "invalid_video_id",
    "missing_time",
    "invalid_time",
    "time_without_zone",
    "time_out_of_range",
    "time_too_early",
    "time_in_future",
    "malformed_entry",
)
SKIP_REASONS = NOT_VIDEO_REASONS + INVALID_REASONS
# Kept entries whose title or channel name had to be repaired or cut (one count per entry).
REPAIR_REASONS = ("text_repaired", "text_cut")
TAKEOUT_RELATIVE_PATH = "Takeout/YouTube and YouTube Music/history/watch-history.json"
DOWNLOAD_AGAIN = "Download the Takeout archive again (takeout.google.com) and unpack it completely."
EXPORT_AS_JSON = (
    "Export again at takeout.google.com: under 'YouTube and YouTube Music' click 'Multiple "
    "formats', choose JSON for 'history', and use the watch-history.json it contains."
)
YOUTUBE_HOSTS = ("youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com")
MUSIC_HOST = "music.youtube.com"
MUSIC_PRODUCT = "YouTube Music"
VIDEO_PATH_PREFIXES = ("/shorts/", "/live/", "/embed/", "/v/")
PLAYLIST_ITEM_KIND = "youtube#playlistItem"
# What the API calls a history item whose video is gone: the title is unknown, not these words.
UNAVAILABLE_API_TITLES = ("Deleted video", "Private video")
_CHANNEL_IN_URL = re.compile(r"/channel/(UC[A-Za-z0-9_-]{22})(?:[/?#]|$)")
_URL_IN_TEXT = re.compile(r"https?://\S+")
_JSON_TYPES = {dict: "an object", str: "a string", bool: "a boolean", type(None): "null"}
_UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_GZIP_MAGIC = b"\x1f\x8b"
# Errors a hostile item could still provoke in code that reads it; counted, never raised.
_ITEM_ERRORS = (ValueError, TypeError, OverflowError, UnicodeError, RecursionError)


class TakeoutFormatError(ValueError):
    """The file is not a usable Takeout watch history; the message names the file, cause and fix."""


@dataclass(frozen=True, slots=True)
class TakeoutHistory:
    """The watches of a Takeout file, in file order (newest first), and what was left out.

    ``skipped`` maps every reason in :data:`SKIP_REASONS` to how many items it covered;
    ``rejections`` lists the items skipped for an :data:`INVALID_REASONS` reason (key: the video
    id, or ``item <index>``), for the ``rejected_items`` table; ``repaired`` counts, per
    :data:`REPAIR_REASONS`, entries kept with a repaired or cut title or channel name.
    """

    entries: tuple[WatchEntry, ...]
    skipped: dict[str, int]
    rejections: tuple[Rejection, ...] = ()
    repaired: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REPAIR_REASONS, 0))

    @property
    def items(self) -> int:
        """Number of items in the file: entries plus skipped."""
        return len(self.entries) + sum(self.skipped.values())


# --- the phrase around a title --------------------------------------------------------------------


class TitleShape(NamedTuple):
    """How Takeout wraps a video title in one language: ``prefix + video title + suffix``."""

    prefix: str
    suffix: str = ""

    def fits(self, title: str) -> bool:
        """True when ``title`` is this phrase around a video title (empty when Takeout wrote
        nothing there)."""
        return (
            len(title) >= len(self.prefix) + len(self.suffix)
            and title.startswith(self.prefix)
            and title.endswith(self.suffix)
        )

    def inner(self, title: str) -> str:
        """The video title inside ``title`` (which this shape fits)."""
        return title[len(self.prefix) : len(title) - len(self.suffix)]


# The phrase of a watch per account language, as Takeout readers in the wild list it. German,
# Turkish, Finnish, Japanese and Korean put it after the title, Dutch around it. A file in a
# language not listed is learned from its own titles (see learn_title_shapes).
KNOWN_TITLE_SHAPES = (
    TitleShape("Watched "),  # en
    TitleShape("Vous avez regardé "),  # fr
    TitleShape("", " angesehen"),  # de
    TitleShape("Has visto "),  # es
    TitleShape("Hai guardato "),  # it
    TitleShape("Je hebt naar ", " gekeken"),  # nl
    TitleShape("Obejrzano: "),  # pl
    TitleShape("Просмотрено видео "),  # ru
    TitleShape("Ви дивилися відео "),  # uk
    TitleShape("Zhlédli jste video "),  # cs
    TitleShape("Παρακολουθήσατε το βίντεο "),  # el
    TitleShape("Megtekintette a következőt: "),  # hu
    TitleShape("Ați vizionat "),  # ro
    TitleShape("Tittade på "),  # sv
    TitleShape("Гледахте "),  # bg
    TitleShape("", " adlı videoyu izlediniz"),  # tr
    TitleShape("", " katsottiin"),  # fi
    TitleShape("", " を視聴しました"),  # ja
    TitleShape("", " 을(를) 시청했습니다."),  # ko
    TitleShape("已观看 "),  # zh
    TitleShape("观看了 "),  # zh
)
# A learned phrase is at most this many words (each ending in a space) and characters, and
# needs this many distinct titles sharing it; learning reads the first this-many distinct titles
# (plenty: the phrase is on nearly all of them), keeps this many link-only phrases, and tries
# this many best-ranked shapes on a title before listing all the shapes that could fit it.
MAX_SHAPE_WORDS = 4
MAX_SHAPE_CHARS = 40
MIN_LEARNED_SUPPORT = 2
# Below this many distinct watch titles nothing is learned (known and exact shapes still
# count): in a handful of titles one series can fill every title, and its name would be taken
# for the phrase ("Gekeken: Minecraft Let's Play #1", "#2").
MIN_TITLES_TO_LEARN = 20
MAX_LEARNING_TITLES = 5_000
MAX_EXACT_SHAPES = 4
TOP_SHAPES = 8
# How a shape is known, weakest first: ties in support go to the better-known shape.
LEARNED, KNOWN, EXACT = 0, 1, 2


@dataclass(frozen=True, slots=True)
class TitleShapes:
    """The shapes one file's watch titles take: each with its support (how many distinct titles
    it fits) and how it is known (learned, from :data:`KNOWN_TITLE_SHAPES`, or exactly, from a
    title that was only the video's link)."""

    rank: dict[TitleShape, tuple[int, int]]
    irregular: tuple[TitleShape, ...] = ()  # known shapes that are no run of whole words
    used: frozenset[TitleShape] = frozenset()  # the shapes the file's watch titles have
    top: tuple[TitleShape, ...] = ()  # the best-ranked shapes, best first

    def best(self, title: str) -> TitleShape | None:
        """The shape ``title`` most likely has: of those that fit it, the one most titles of the
        file share; on a tie the better known, then a prefix over a suffix, then the longer."""
        for shape in self.top:  # most titles fit one of these: no need to list their runs
            if shape.fits(title):
                return shape
        return self._best_of(_fitting_shapes(title, self.irregular))

    def _best_of(self, shapes: Iterable[TitleShape]) -> TitleShape | None:
        return max((s for s in shapes if s in self.rank), key=self._order, default=None)

    def _order(self, shape: TitleShape) -> tuple[int, int, bool, int, TitleShape]:
        """Support, how known, prefix over suffix, length, and the text (a total order)."""
        support, origin = self.rank[shape]
        return support, origin, bool(shape.prefix), len(shape.prefix) + len(shape.suffix), shape

    def reads_like_a_watch(self, title: str) -> bool:
        """True when ``title`` has the phrase of the file's watches ("Watched a video that has
        been removed" does, "Visited YouTube Music" does not)."""
        return any(shape.fits(title) for shape in self.used)

    def video_title(self, title: str) -> str:
        """``title`` without the file's phrase around it (unchanged when none fits)."""
        shape = self.best(title)
        return shape.inner(title) if shape is not None else title


def learn_title_shapes(
    watch_titles: Iterable[str], exact: Iterable[TitleShape] = ()
) -> TitleShapes:
    """The shapes of a file whose watches have ``watch_titles``.

    Most titles of one file share one phrase, so a learned shape is a leading (or trailing)
    run of whole words shared by at least :data:`MIN_LEARNED_SUPPORT` distinct titles (in a
    file of at least :data:`MIN_TITLES_TO_LEARN` distinct titles); the
    phrase is then the run most titles share ("Vous avez regardé " beats "Vous avez regardé Le ",
    which fewer titles share). :data:`KNOWN_TITLE_SHAPES` and the :data:`MAX_EXACT_SHAPES` most
    common of ``exact`` (the text around the link of link-only titles) also count, and win
    ties, so two titles "Watched Minecraft #1" and "#2" lose "Watched ", never "Watched
    Minecraft ". A title no shape fits keeps all of its text: a single title in an unlisted
    language is never cut.
    """
    common = Counter(s for s in exact if s.prefix or s.suffix).most_common(MAX_EXACT_SHAPES)
    origin = dict.fromkeys(KNOWN_TITLE_SHAPES, KNOWN) | {shape: EXACT for shape, _ in common}
    irregular = tuple(shape for shape in origin if not _is_word_run(shape))
    titles = list(islice(dict.fromkeys(watch_titles), MAX_LEARNING_TITLES))
    support = Counter(shape for title in titles for shape in _fitting_shapes(title, irregular))
    learn = len(titles) >= MIN_TITLES_TO_LEARN
    rank = {
        shape: (n, origin.get(shape, LEARNED))
        for shape, n in support.items()
        if (learn and n >= MIN_LEARNED_SUPPORT) or shape in origin
    }
    rank.update({shape: (0, how) for shape, how in origin.items() if shape not in rank})
    ranked = TitleShapes(rank, irregular)
    top = tuple(sorted(rank, key=ranked._order, reverse=True)[:TOP_SHAPES])
    ranked = TitleShapes(rank, irregular, top=top)
    used = frozenset(shape for shape in map(ranked.best, titles) if shape is not None)
    return TitleShapes(rank, irregular, used, top)


def _fitting_shapes(title: str, irregular: Iterable[TitleShape]) -> set[TitleShape]:
    """Every shape that could wrap ``title``: its leading and trailing runs of whole words, and
    the ``irregular`` shapes that fit it."""
    shapes = {TitleShape(p) for p in _leading_words(title)}
    shapes.update(TitleShape("", s) for s in _trailing_words(title))
    shapes.update(s for s in irregular if s.fits(title))
    return shapes


def _is_word_run(shape: TitleShape) -> bool:
    """True for a shape :func:`_fitting_shapes` finds among a title's runs of whole words."""
    if shape.suffix:
        return not shape.prefix and shape.suffix in _trailing_words(shape.suffix)
    return shape.prefix in _leading_words(shape.prefix)


def _leading_words(title: str) -> list[str]:
    """ "Vous ", "Vous avez ", ...: leading runs of whole words, each ending in a space."""
    runs: list[str] = []
    at = 0
    while len(runs) < MAX_SHAPE_WORDS:
        at = title.find(" ", at, MAX_SHAPE_CHARS) + 1
        if at == 0:
            break
        runs.append(title[:at])
    return runs


def _trailing_words(title: str) -> list[str]:
    """ " を視聴しました", ...: trailing runs of whole words, each starting with a space."""
    runs: list[str] = []
    at = len(title)
    while len(runs) < MAX_SHAPE_WORDS:
        at = title.rfind(" ", max(0, len(title) - MAX_SHAPE_CHARS), at)
        if at < 0:
            break
        runs.append(title[at:])
    return runs


def link_only_shape(title: str, video_id: str) -> TitleShape | None:
    """The phrase around the link when ``title`` is only the link of video ``video_id`` (what
    Takeout writes when it knew no title: "Vous avez regardé https://…?v=<id>"), else None."""
    for match in _URL_IN_TEXT.finditer(title):
        if video_id_from_url(match.group()) == ("video", video_id):
            shape = TitleShape(title[: match.start()], title[match.end() :])
            if max(len(shape.prefix), len(shape.suffix)) <= MAX_SHAPE_CHARS:
                return shape
    return None


# --- parsing --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Item:
    """One item as its structure reads, before the file's title shapes are known."""

    kind: str  # "watch", "unlinked" (a title without a link) or a skip reason
    video_id: object = None
    title: str | None = None
    time: object = None
    channel: tuple[object, str | None] = (None, None)
    link_shape: TitleShape | None = None  # set when the title is only the video's link
    music: bool = False  # a YouTube Music item
    wrapped: bool = True  # the title is wrapped in a localized phrase (not in API items)
    learn_from: str | None = None  # the title, when it is a watch title to learn shapes from


# An item's outcome: its entry and the repairs it needed ("text_repaired"...), or its skip reason.
_Outcome = tuple[WatchEntry, set[str]] | str
_MALFORMED: _Outcome = "malformed_entry"


def parse_watch_history(
    raw: bytes | str, source_name: str = "watch-history.json", *, now: datetime | None = None
) -> TakeoutHistory:
    """Parse the text of a ``watch-history.json``.

    Raises :class:`TakeoutFormatError` for a file that is not a usable watch history (not
    JSON, not a list, or a list in which no item is a watch-history item), never for one bad
    item: that is counted. Watch times must lie between :data:`YOUTUBE_EPOCH` and ``now``
    (default: the clock) plus a day.
    """
    now = datetime.now(UTC) if now is None else now
    items = _items(raw, source_name)
    read = [_guarded(_Item("malformed_entry"), _read_item, item) for item in items]
    shapes = learn_title_shapes(
        (r.learn_from for r in read if r.learn_from is not None),
        exact=(r.link_shape for r in read if r.link_shape is not None),
    )
    entries: list[WatchEntry] = []
    skipped = dict.fromkeys(SKIP_REASONS, 0)
    repaired = dict.fromkeys(REPAIR_REASONS, 0)
    rejections: list[Rejection] = []
    for index, item in enumerate(read):
        outcome = _guarded(_MALFORMED, _finish, item, shapes, now)
        if isinstance(outcome, str):
            skipped[outcome] += 1
            if outcome in INVALID_REASONS:
                rejections.append(Rejection(_key(item.video_id, index), outcome))
            continue
        entry, fixes = outcome
        entries.append(entry)
        for reason in fixes:
            repaired[reason] += 1
    if items and not entries and skipped["malformed_entry"] + skipped["not_a_video"] == len(items):
        raise _not_a_watch_history(source_name, items)
    _log_summary(source_name, len(entries), skipped, rejections, repaired)
    return TakeoutHistory(tuple(entries), skipped, tuple(rejections), repaired)


def load_watch_history(
    path: Path, max_import_mb: int = DEFAULT_MAX_IMPORT_MB, *, now: datetime | None = None
) -> TakeoutHistory:
    """Read and parse the watch history at ``path`` (the file :data:`SETTING` names), gzip'd
    or not, refusing a file (or gzip content) over ``max_import_mb`` megabytes."""
    path = Path(path)
    if path.is_dir():
        hint = next((str(c) for c in _candidates(path) if c.is_file()), None)
        found = f" It contains {hint}; use that file." if hint else ""
        raise TakeoutFormatError(
            f"{path} is a folder, but {SETTING} must name the watch-history.json file "
            f"({TAKEOUT_RELATIVE_PATH} in an unpacked Takeout archive).{found}"
        )
    try:
        raw = read_import_file(path, max_import_mb)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"Takeout watch history {path} does not exist. Set {SETTING} to the "
            f"watch-history.json of your Google Takeout export ({TAKEOUT_RELATIVE_PATH})."
        ) from None
    except ImportTooLarge as error:
        raise TakeoutFormatError(str(error)) from None
    except ImportUnreadable as error:
        raise TakeoutFormatError(f"{error}. {DOWNLOAD_AGAIN}") from None
    return parse_watch_history(raw, source_name=str(path), now=now)


def video_id_from_url(url: str) -> tuple[str, str | None]:
    """``("video", id or None)`` for a video link, else ``("post", None)``, ``("music_visit",
    None)`` (a music.youtube.com page that is not a video) or ``("not_a_video", None)``.
    Knows youtube.com (www, m, music), youtu.be, /watch?v=, /shorts/, /live/, /embed/."""
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
    return ("music_visit" if host == MUSIC_HOST else "not_a_video"), None


def _guarded(fallback: _T, read: Callable[..., _T], *args: Any) -> _T:
    """``read(*args)``, or ``fallback`` (a malformed entry) if a hostile item still breaks it:
    one item never stops the import. Logged, as it means a case the parser does not handle."""
    try:
        return read(*args)
    except _ITEM_ERRORS as error:
        logger.warning(
            "Takeout item unreadable (%s); counted as malformed_entry", type(error).__name__
        )
        return fallback


def _read_item(item: object) -> _Item:
    if not isinstance(item, dict):
        return _Item("malformed_entry")
    if item.get("kind") == PLAYLIST_ITEM_KIND:
        return _read_playlist_item(item)
    return _read_activity(item)


def _read_activity(item: dict[str, Any]) -> _Item:
    """An item of the "My Activity" format, told apart by structure (see the module doc)."""
    title, url = item.get("title"), item.get("titleUrl")
    kind, video_id = video_id_from_url(url) if isinstance(url, str) else ("", None)
    learn_from = title if isinstance(title, str) and kind == "video" else None
    if _is_ad(item.get("details")):
        return _Item("ad", learn_from=learn_from)
    if not isinstance(title, str | None) or not isinstance(url, str | None):
        return _Item("malformed_entry")
    music = _is_music(item)
    if url is None:  # a watched video that has been removed: no link left to follow
        return _Item("unlinked", title=title, music=music) if title else _Item("malformed_entry")
    if kind != "video":
        return _Item("music_visit" if music and kind == "not_a_video" else kind)
    if video_id is None or not is_video_id(video_id):
        return _Item("invalid_video_id", video_id=video_id, learn_from=learn_from)
    return _Item(
        "watch",
        video_id,
        title,
        item.get("time"),
        _channel(item.get("subtitles")),
        link_shape=link_only_shape(title, video_id) if title is not None else None,
        learn_from=learn_from,
    )


def _read_playlist_item(item: dict[str, Any]) -> _Item:
    """A ``youtube#playlistItem`` of a pre-2017 history: ``publishedAt`` is when it was added
    to the history playlist, i.e. watched; the channel is the video owner's, if given."""
    snippet, details = item.get("snippet"), item.get("contentDetails")
    if not isinstance(snippet, dict):
        return _Item("malformed_entry")
    resource = snippet.get("resourceId")
    resource = resource if isinstance(resource, dict) else {}
    if resource.get("kind", "youtube#video") != "youtube#video":
        return _Item("not_a_video")
    video_id = (details.get("videoId") if isinstance(details, dict) else None) or resource.get(
        "videoId"
    )
    if not is_video_id(video_id):
        return _Item("invalid_video_id", video_id=video_id)
    title = snippet.get("title")
    if not isinstance(title, str | None):
        return _Item("malformed_entry")
    owner = snippet.get("videoOwnerChannelId")
    channel_id = owner if is_channel_id(owner) else None
    return _Item(
        "watch",
        video_id,
        None if title in UNAVAILABLE_API_TITLES else title,
        snippet.get("publishedAt"),
        (snippet.get("videoOwnerChannelTitle"), channel_id),
        wrapped=False,
    )


def _finish(item: _Item, shapes: TitleShapes, now: datetime) -> _Outcome:
    """The entry an item is (and the repairs it needed), or its skip reason."""
    if item.kind == "unlinked":
        looks_watched = item.title is not None and shapes.reads_like_a_watch(item.title)
        return "music_visit" if item.music and not looks_watched else "removed"
    if item.kind != "watch":
        return item.kind
    watched_at = _watch_time(item.time, now)
    if isinstance(watched_at, str):
        return watched_at
    fixes: set[str] = set()
    title = _text_field(_video_title(item, shapes), MAX_TITLE_CHARS, fixes)
    name = item.channel[0]
    channel_title = _text_field(name if isinstance(name, str) else None, MAX_NAME_CHARS, fixes)
    entry = WatchEntry(str(item.video_id), watched_at, title, channel_title, item.channel[1])
    return entry, fixes


def _video_title(item: _Item, shapes: TitleShapes) -> str | None:
    """The video's own title; None when Takeout only knew the link (unavailable videos)."""
    if item.title is None or item.link_shape is not None:
        return None
    title = shapes.video_title(item.title) if item.wrapped else item.title
    text = title.strip()
    if not text or text.startswith(("https://", "http://")):
        return None
    return title


def _text_field(value: str | None, max_chars: int, fixes: set[str]) -> str | None:
    """``value`` repaired and capped (noting what was done in ``fixes``); None when empty."""
    if value is None:
        return None
    text = repaired_text(value, max_chars)
    if text.repaired:
        fixes.add("text_repaired")
    if text.cut:
        fixes.add("text_cut")
    return text.text if text.text.strip() else None


def _watch_time(value: object, now: datetime) -> datetime | str:
    """The moment watched in UTC, or the reason the value is not usable."""
    if value is None or value == "":
        return "missing_time"
    if not isinstance(value, str):
        return "invalid_time"
    try:
        moment = datetime.fromisoformat(value.strip())
    except (ValueError, OverflowError):
        return "invalid_time"
    try:
        return checked_time(moment, earliest=YOUTUBE_EPOCH, now=now)
    except RecordRejected as rejected:
        return rejected.reason


def _is_ad(details: object) -> bool:
    """Takeout marks ads with ``details: [{"name": "<'From Google Ads' in any language>"}]``."""
    return (
        isinstance(details, list)
        and bool(details)
        and all(isinstance(d, dict) and "name" in d for d in details)
    )


def _is_music(item: dict[str, Any]) -> bool:
    products = item.get("products")
    return item.get("header") == MUSIC_PRODUCT or (
        isinstance(products, list) and MUSIC_PRODUCT in products
    )


def _channel(subtitles: object) -> tuple[object, str | None]:
    if not isinstance(subtitles, list) or not subtitles or not isinstance(subtitles[0], dict):
        return None, None
    name, url = subtitles[0].get("name"), subtitles[0].get("url")
    match = _CHANNEL_IN_URL.search(url) if isinstance(url, str) else None
    return name, (match.group(1) if match else None)


def _key(video_id: object, index: int) -> str:
    """The quarantine key of a rejected item: its video id (as found), else its position."""
    if isinstance(video_id, str) and video_id.strip():
        return item_key(video_id)
    return f"item {index}"


# --- the file as a whole --------------------------------------------------------------------------


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
        document = json.loads(text, parse_int=_json_int)
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
    except (ValueError, RecursionError) as error:  # e.g. absurd nesting
        raise TakeoutFormatError(f"{name} is not usable JSON ({error}). {DOWNLOAD_AGAIN}") from None
    if not isinstance(document, list):
        found = _JSON_TYPES.get(type(document), "a number")
        raise TakeoutFormatError(
            f"{name} holds {found}, but a watch history is a JSON list of activity items. "
            f"Set {SETTING} to {TAKEOUT_RELATIVE_PATH} from an unpacked Takeout archive."
        )
    return document


def _json_int(digits: str) -> int | float:
    """An integer, or an infinity for one too long to convert (a hostile 5000-digit value), so
    that one absurd number is one bad item, not an unreadable file."""
    try:
        return int(digits)
    except ValueError:
        return -math.inf if digits.startswith("-") else math.inf


def _text(raw: bytes | str, name: str) -> str:
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    if raw.startswith(_GZIP_MAGIC):
        raise TakeoutFormatError(
            f"{name} is gzip-compressed; read it with load_watch_history, which inflates it "
            f"within the import limit."
        )
    encoding = next((enc for bom, enc in _UNICODE_BOMS if raw.startswith(bom)), "utf-8-sig")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        shown = "UTF-8" if encoding == "utf-8-sig" else encoding.upper()
        raise TakeoutFormatError(
            f"{name} is not {shown} text (garbled bytes at offset {error.start}); the file is "
            f"damaged. {DOWNLOAD_AGAIN}"
        ) from None


def _not_a_watch_history(name: str, items: list[object]) -> TakeoutFormatError:
    return TakeoutFormatError(
        f"{name} holds {len(items)} items, but none is a watched video, ad, post or removed "
        f"video: {_what_was_found(items)}. Set {SETTING} to the watch-history.json of a Google "
        f"Takeout export ({TAKEOUT_RELATIVE_PATH}). {EXPORT_AS_JSON}"
    )


def _what_was_found(items: list[object]) -> str:
    """A short account of a list that is not a watch history, to name in the error."""
    found: Counter[str] = Counter()
    for item in items:
        if not isinstance(item, dict):
            found[f"{_JSON_TYPES.get(type(item), 'a number or list')} instead of an item"] += 1
            continue
        url, kind = item.get("titleUrl"), item.get("kind")
        if isinstance(url, str) and "/results?" in url:
            found["searches (this looks like search-history.json)"] += 1
        elif isinstance(kind, str):
            found[f"API resources of kind {terminal_text(kind)[:40]!r}"] += 1
        elif isinstance(url, str):
            found["links to pages that are not videos"] += 1
        else:
            found["objects without a link to a video"] += 1
    return "; ".join(f"{n} × {what}" for what, n in found.most_common(3))


def _log_summary(
    name: str,
    watches: int,
    skipped: dict[str, int],
    rejections: list[Rejection],
    repaired: dict[str, int],
) -> None:
    logger.info(
        "%s: %d watches, skipped %s",
        name,
        watches,
        {reason: n for reason, n in skipped.items() if n} or "nothing",
    )
    if rejections:
        logger.warning(
            "%s: %d items set aside as invalid: %s",
            name,
            len(rejections),
            {reason: n for reason, n in skipped.items() if n and reason in INVALID_REASONS},
        )
    if any(repaired.values()):
        logger.info("%s: repaired text of %s", name, repaired)


def _candidates(folder: Path) -> tuple[Path, ...]:
    relative = Path(TAKEOUT_RELATIVE_PATH)
    return tuple(folder / Path(*relative.parts[i:]) for i in range(len(relative.parts)))
