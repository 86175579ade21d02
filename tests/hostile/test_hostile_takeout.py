"""Hostile Takeout files: every one is refused with a TakeoutFormatError or read with its bad
items counted, and what is accepted the store takes. Never a raw traceback.

The corpus is ``tests/hostile/takeout/`` (see :mod:`tests.hostile`); each file is read with
:func:`load_watch_history` under a 1 MB import limit (the gzip bomb inflates past it) and a fixed
clock, then written, with its rejections, in one transaction to a fresh SQLite database.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from tests.harness.paths import TEST_DATA
from tests.hostile import corpus_cases
from vrdndi_pipeline.core.sources.import_files import read_import_file
from vrdndi_pipeline.core.sources.takeout.history import (
    INVALID_REASONS,
    TakeoutFormatError,
    TakeoutHistory,
    load_watch_history,
    parse_watch_history,
)
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.quarantine import record_rejections
from vrdndi_pipeline.core.store.schema import rejected_items, watch_history
from vrdndi_pipeline.core.store.source_tables import write_watch_history
from vrdndi_pipeline.core.validation import MAX_NAME_CHARS, MAX_TITLE_CHARS, YOUTUBE_EPOCH

NOW = datetime(2026, 12, 1, tzinfo=UTC)
CASES = corpus_cases("takeout")
LANGUAGES = TEST_DATA / "takeout_languages"


def test_the_corpus_is_broad_and_small() -> None:
    assert len(CASES) >= 20
    outcomes = {case["outcome"] for _, case in CASES}
    assert outcomes == {"error", "skipped"}
    assert all(path.stat().st_size < 64_000 for path, _ in CASES)  # the bomb is generated small


@pytest.mark.parametrize(("path", "case"), CASES, ids=[path.name for path, _ in CASES])
def test_a_hostile_file(path: Path, case: dict[str, Any], sqlite_engine: Engine) -> None:
    if case["outcome"] == "error":
        with pytest.raises(TakeoutFormatError, match=case["match"]) as error:
            with write_transaction(sqlite_engine) as conn:  # as the asset does: read, then write
                history = load_watch_history(path, max_import_mb=1, now=NOW)
                write_watch_history(conn, history.entries)
        assert str(path) in str(error.value)
        with read_transaction(sqlite_engine) as conn:
            assert conn.execute(select(func.count()).select_from(watch_history)).scalar_one() == 0
        return

    history = load_watch_history(path, max_import_mb=1, now=NOW)
    assert {reason: n for reason, n in history.skipped.items() if n} == case["counts"]
    assert len(history.entries) == case["accepted"]
    document = json.loads(read_import_file(path, 1), parse_int=float)
    assert history.items == len(document)
    assert_rejections_match_skips(history)
    assert_entries_are_clean(history)

    with write_transaction(sqlite_engine) as conn:
        counts = write_watch_history(conn, history.entries)
        record_rejections(conn, "takeout", history.rejections, NOW)
    with read_transaction(sqlite_engine) as conn:
        rows = conn.execute(select(watch_history)).mappings().all()
        quarantined = conn.execute(select(func.count()).select_from(rejected_items)).scalar_one()
    distinct = {(e.video_id, e.watched_at): e for e in history.entries}
    assert counts.inserted == len(rows) == len(distinct)
    assert {(r["video_id"], r["watched_at"]): r["title"] for r in rows} == {
        key: e.title for key, e in distinct.items()
    }
    assert quarantined == len({(r.key, r.reason) for r in history.rejections})


def assert_rejections_match_skips(history: TakeoutHistory) -> None:
    invalid = {reason: n for reason, n in history.skipped.items() if reason in INVALID_REASONS}
    assert len(history.rejections) == sum(invalid.values())
    assert all(history.skipped[r.reason] > 0 and r.key for r in history.rejections)


def assert_entries_are_clean(history: TakeoutHistory) -> None:
    for entry in history.entries:
        assert YOUTUBE_EPOCH <= entry.watched_at <= NOW.replace(day=2)
        assert entry.watched_at.utcoffset() is not None and not entry.watched_at.utcoffset()
        for text, limit in ((entry.title, MAX_TITLE_CHARS), (entry.channel_title, MAX_NAME_CHARS)):
            if text is not None:
                text.encode("utf-8")  # no lone surrogate
                assert len(text) <= limit and text.strip()
                assert not any(unicodedata.category(c) == "Cc" for c in text)


def test_the_corpus_repairs_are_counted() -> None:
    folder = CASES[0][0].parent
    surrogates = load_watch_history(folder / "lone-surrogates.json", now=NOW)
    assert surrogates.entries[0].title == "\ufffd broken"
    assert surrogates.entries[0].channel_title == "\ufffdChan"
    controls = load_watch_history(folder / "control-characters.json", now=NOW)
    assert controls.entries[0].title == "NUL [31mRED[0m bell  next line"
    assert controls.entries[0].channel_title == "Channel"
    assert controls.entries[1].title == "\u202eevil\u202c \u200d zero width"  # format chars stay
    huge = load_watch_history(folder / "huge-title.json.gz", max_import_mb=1, now=NOW)
    assert len(huge.entries[0].title or "") == MAX_TITLE_CHARS
    assert len(huge.entries[0].channel_title or "") == MAX_NAME_CHARS
    assert (surrogates.repaired, controls.repaired, huge.repaired) == (
        {"text_repaired": 1, "text_cut": 0},
        {"text_repaired": 1, "text_cut": 0},
        {"text_repaired": 0, "text_cut": 1},
    )


# --- properties -----------------------------------------------------------------------------------


class _NetCatcher(logging.Handler):
    """Collects the parser's "item unreadable" warnings: the safety net must never be needed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.caught: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "unreadable" in record.getMessage():
            self.caught.append(record.getMessage())


@pytest.fixture(scope="module")
def net() -> Iterator[_NetCatcher]:
    catcher = _NetCatcher()
    logger = logging.getLogger("vrdndi_pipeline.core.sources.takeout.history")
    logger.addHandler(catcher)
    yield catcher
    logger.removeHandler(catcher)


hostile_text = st.sampled_from(
    [
        "\ud800",
        "a\udfffb",
        "\x00",
        "\x1b[2J\x1b[31m",
        "\u202e",
        "9" * 5000,
        "2026-11-14T20:13:05Z",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "https://www.youtube.com/watch?v=aBcD3fGh1jQ",
        "https://www.youtube.com/watch?v=aBcD3fGh1jQ\ud800",
        "https://youtu.be/" + "\ud800" * 11,
        "http://[",
        "javascript:alert(1)",
        "youtube#playlistItem",
        "youtube#video",
        "Watched ",
        " を視聴しました",
        "",
    ]
) | st.text(max_size=30)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and infinities too: Python's json writes and reads them
    | hostile_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
FIELDS = ("header", "title", "titleUrl", "subtitles", "details", "time", "products", "kind")
NESTED = ("snippet", "contentDetails", "resourceId", "publishedAt", "videoId", "name", "url")


PLAYLIST_ITEM = {
    "kind": "youtube#playlistItem",
    "snippet": {
        "publishedAt": "2016-05-02T19:20:21.000Z",
        "title": "Gangnam Style",
        "videoOwnerChannelTitle": "officialpsy",
        "videoOwnerChannelId": "UCrDkAvwZum-UTjHmzDI2iIw",
        "resourceId": {"kind": "youtube#video", "videoId": "9bZkp7q19f0"},
    },
    "contentDetails": {"videoId": "9bZkp7q19f0"},
}
VALID_ITEMS = [
    *(
        item
        for path in sorted(LANGUAGES.glob("*.json"))
        for item in json.loads(path.read_text(encoding="utf-8"))
    ),
    PLAYLIST_ITEM,
]


def _objects_in(value: Any, depth: int = 3) -> list[dict[str, Any]]:
    """``value`` and the objects nested in it (through lists too), a few levels deep."""
    inner = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    found = [value] if isinstance(value, dict) else []
    if depth:
        for child in inner:
            found += _objects_in(child, depth - 1)
    return found


@st.composite
def mutated_items(draw: st.DrawFn) -> list[Any]:
    """Valid items (of the language files and the pre-2017 format) with fields, at any level,
    replaced by hostile values or deleted; now and then an item replaced whole."""
    mutated = []
    for item in draw(st.lists(st.sampled_from(VALID_ITEMS), min_size=1, max_size=8)):
        item = json.loads(json.dumps(item))
        for _ in range(draw(st.integers(0, 3))):
            target = draw(st.sampled_from(_objects_in(item)))
            key = draw(st.sampled_from([*target, *FIELDS, *NESTED]))
            if draw(st.integers(0, 4)) == 0:
                target.pop(key, None)
            else:
                target[key] = draw(json_values)
        mutated.append(item if draw(st.integers(0, 9)) else draw(json_values))
    return mutated


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_items())
def test_mutated_items_are_each_accepted_clean_or_counted(
    net: _NetCatcher, items: list[Any]
) -> None:
    try:
        history = parse_watch_history(json.dumps(items), now=NOW)
    except TakeoutFormatError as error:
        assert "none is a watched video" in str(error)
    else:
        assert history.items == len(items)
        assert_rejections_match_skips(history)
        assert_entries_are_clean(history)
    assert net.caught == []


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_document_parses_or_is_refused(net: _NetCatcher, document: Any) -> None:
    try:
        history = parse_watch_history(json.dumps(document), now=NOW)
    except TakeoutFormatError as error:
        assert "watch-history.json" in str(error)
    else:
        assert isinstance(document, list) and history.items == len(document)
        assert_entries_are_clean(history)
    assert net.caught == []


RAW_FILE = (LANGUAGES / "fr.json").read_bytes()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(RAW_FILE) - 1), st.binary(max_size=4)), max_size=4))
def test_damaged_bytes_of_a_real_file_parse_or_are_refused(
    net: _NetCatcher, edits: list[tuple[int, bytes]]
) -> None:
    raw = bytearray(RAW_FILE)
    for at, replacement in edits:
        raw[at : at + len(replacement)] = replacement
    try:
        history = parse_watch_history(bytes(raw), now=NOW)
    except TakeoutFormatError:
        return
    assert history.items == len(json.loads(bytes(raw), parse_int=float))
    assert_entries_are_clean(history)
    assert net.caught == []
