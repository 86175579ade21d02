"""Hostile ActivityWatch input: the corpus in ``tests/hostile/activitywatch`` and random events.

Every corpus file goes the whole way an import goes: ``load_aw_export`` (with a 1 MB limit),
``select_host_buckets``, ``window_activity`` (at a fixed ``NOW``), then the accepted events and
the rejections written in one transaction into a fresh SQLite database. A file is either an
:class:`ActivityDataError` whose message matches, with nothing written, or its bad events are
counted by reason and set aside while the good ones are stored. Any other exception fails.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from aw_core.models import Event
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from tests.hostile import corpus_cases
from vrdndi_pipeline.core.sources.activitywatch.events import (
    AFK_TYPE,
    WEB_TYPE,
    WINDOW_TYPE,
    ActivityDataError,
    HostBuckets,
    WindowActivity,
    coerce_raw_events,
    default_category_rules,
    select_host_buckets,
    window_activity,
)
from vrdndi_pipeline.core.sources.activitywatch.export_file import load_aw_export, parse_aw_export
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.quarantine import record_rejections, rejected_counts
from vrdndi_pipeline.core.store.schema import aw_events, rejected_items
from vrdndi_pipeline.core.store.source_tables import write_aw_events
from vrdndi_pipeline.core.validation import (
    ACTIVITYWATCH_EPOCH,
    FUTURE_MARGIN,
    INT64_MAX,
    MAX_EVENT_SECONDS,
    MAX_NAME_CHARS,
    MAX_TITLE_CHARS,
    MAX_URL_CHARS,
)

NOW = datetime(2026, 11, 20, tzinfo=UTC)
LIMIT_MB = 1  # the corpus's gzip bomb inflates to 2 MB
RULES = default_category_rules()
# Reasons for events left out that are not invalid (no rejected_items row), and repair counts.
LEFT_OUT = {"afk", "before_cursor", "zero_length", "no_afk_status"}
# Hypothesis examples per property (sized so this file runs in ~10 s on two slow cores).
EXAMPLES = {
    "random_events": 150,
    "mutated_events": 100,
    "coerce_raw_events": 100,
    "documents": 150,
    "file_bytes": 100,
}


def _is_repair(reason: str) -> bool:
    return reason.endswith(("_repaired", "_cut"))


def _rejection_counts(counts: dict[str, int]) -> dict[str, int]:
    return {r: n for r, n in counts.items() if r not in LEFT_OUT and not _is_repair(r)}


def _import(path: Path, engine: Engine) -> WindowActivity:
    """What an import of ``path`` does, up to the write of its one transaction."""
    export = load_aw_export(path, max_import_mb=LIMIT_MB)
    host = select_host_buckets(export.buckets, "", "not-in-any-export")
    activity = window_activity(host, export.events, RULES, category_source="corpus", now=NOW)
    with write_transaction(engine) as conn:
        write_aw_events(conn, activity.events)
        record_rejections(conn, "activitywatch", activity.rejections, NOW)
    return activity


def _row_counts(engine: Engine) -> tuple[int, int]:
    with read_transaction(engine) as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (aw_events, rejected_items)
        )


CASES = corpus_cases("activitywatch")


def test_the_corpus_covers_every_kind_of_input():
    outcomes = [expected["outcome"] for _, expected in CASES]
    assert len(CASES) >= 20 and {"error", "skipped"} == set(outcomes)
    assert all(path.is_file() and path.stat().st_size < 64_000 for path, _ in CASES)


@pytest.mark.parametrize(("path", "expected"), CASES, ids=[p.name for p, _ in CASES])
def test_corpus_file(path: Path, expected: dict[str, Any], sqlite_engine: Engine):
    try:
        activity = _import(path, sqlite_engine)
    except ActivityDataError as error:
        assert expected["outcome"] == "error", f"{path.name} failed unexpectedly: {error}"
        assert re.search(expected["match"], str(error), re.DOTALL), str(error)
        assert _row_counts(sqlite_engine) == (0, 0)  # nothing written
        return
    assert expected["outcome"] == "skipped", f"{path.name} was accepted: {activity.skipped}"
    assert activity.skipped == expected["counts"]
    assert len(activity.events) == expected["accepted"]
    stored, _ = _row_counts(sqlite_engine)
    assert stored == expected["accepted"]
    with read_transaction(sqlite_engine) as conn:
        assert rejected_counts(conn, "activitywatch") == _rejection_counts(expected["counts"])
    if path.name == "web-unknown-host.json":  # the browser bucket of host "unknown" joined
        assert [e.url for e in activity.events] == [
            "https://www.youtube.com/watch?v=lGWfYgHMfno",
            "https://github.com/",
        ]
    if path.name == "android.json":
        assert activity.hostname == "Pixel 7" and not activity.afk_filtered


# --- property-based: random and mutated events, random documents ---------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    st.text(max_size=8),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=5,
)
hostile_chars = st.sampled_from(["\x00", "\ud800", "\udfff", "\x1b[31m", "\u202e", "\t", "\n"])
hostile_text = st.one_of(
    st.lists(st.one_of(st.characters(), hostile_chars), max_size=10).map("".join),
    st.sampled_from([999, 1_000, 1_001, 5_000]).map(lambda n: "T" * n),
)
zones = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=12))])
any_time = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.one_of(st.none(), zones),
)
near_time = st.datetimes(
    min_value=datetime(2015, 12, 31), max_value=datetime(2026, 11, 22), timezones=zones
)
timestamps = st.one_of(
    any_time.map(datetime.isoformat),
    near_time.map(datetime.isoformat),
    st.sampled_from(["9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "", "NaN", "now"]),
    json_values,
)
durations = st.one_of(
    st.floats(),
    st.floats(min_value=0, max_value=3600),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([0, MAX_EVENT_SECONDS, MAX_EVENT_SECONDS + 0.001, "5", "NaN"]),
    json_values,
)
ids = st.one_of(
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    json_values,
)
datas = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "app": hostile_text | json_values,
            "title": hostile_text | json_values,
            "url": hostile_text | json_values,
            "status": st.sampled_from(["afk", "not-afk"]) | json_values,
        },
    ),
    json_values,
)
event_dicts = st.fixed_dictionaries(
    {}, optional={"id": ids, "timestamp": timestamps, "duration": durations, "data": datas}
)
aw_core_events = st.builds(
    Event,
    id=st.integers(min_value=0, max_value=2**64) | st.none(),
    timestamp=st.datetimes(
        min_value=datetime(2, 1, 1), max_value=datetime(9999, 12, 30), timezones=zones
    ),
    duration=st.timedeltas(min_value=timedelta(days=-1), max_value=timedelta(days=30)),
    data=st.dictionaries(st.sampled_from(["app", "title", "url"]), hostile_text, max_size=3),
)
events = st.one_of(event_dicts, aw_core_events, json_values)


def _valid_event(i: int, minute: int, seconds: float, title: str) -> dict[str, Any]:
    start = NOW - timedelta(days=2) + timedelta(minutes=minute)
    return {"id": i, "timestamp": start.isoformat(), "duration": seconds, "data": {"title": title}}


valid_events = st.lists(
    st.builds(
        _valid_event,
        i=st.integers(min_value=0, max_value=10_000),
        minute=st.integers(min_value=0, max_value=600),
        seconds=st.floats(min_value=0.5, max_value=3600),
        title=st.text(max_size=20),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda e: e["id"],
)


@st.composite
def mutated_events(draw: st.DrawFn) -> tuple[list[Any], int]:
    """Valid events with one field of one event replaced (or removed) by something hostile."""
    chosen: list[Any] = draw(valid_events)
    index = draw(st.integers(min_value=0, max_value=len(chosen) - 1))
    field = draw(st.sampled_from(["id", "timestamp", "duration", "data", "data.title", "event"]))
    value = draw({"id": ids, "timestamp": timestamps, "duration": durations}.get(field, datas))
    event = dict(chosen[index])
    if field == "event":
        chosen[index] = draw(json_values)
    elif field == "data.title":
        event["data"] = {"title": draw(hostile_text | json_values)}
        chosen[index] = event
    elif draw(st.booleans()):
        event[field] = value
        chosen[index] = event
    else:
        event.pop(field)
        chosen[index] = event
    return chosen, index


def _check_rows(activity: WindowActivity) -> None:
    """Every accepted row is storable and within the limits; counts match rejections."""
    for row in activity.events:
        assert ACTIVITYWATCH_EPOCH <= row.timestamp <= NOW + FUTURE_MARGIN
        assert row.timestamp.utcoffset() == timedelta(0)
        assert 0 < row.duration_s <= MAX_EVENT_SECONDS and math.isfinite(row.duration_s)
        assert -INT64_MAX - 1 <= row.event_id <= INT64_MAX
        for text, limit in ((row.app, MAX_NAME_CHARS), (row.title, MAX_TITLE_CHARS)):
            assert text is None or (len(text) <= limit and _clean(text))
        assert row.url is None or (len(row.url) <= MAX_URL_CHARS and _clean(row.url))
        assert row.category and all(isinstance(c, str) for c in row.category)
    rejected = sum(_rejection_counts(activity.skipped).values())
    assert rejected == len(activity.rejections)


def _clean(text: str) -> bool:
    return not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) <= 0xDFFF for c in text)


WINDOW_ONLY = HostBuckets("h", ("w",), (), ())
FULL_HOST = HostBuckets("h", ("w",), ("afk",), ("web",))


@settings(max_examples=EXAMPLES["random_events"], deadline=None)
@given(st.lists(events, max_size=6))
def test_random_events_are_accepted_or_counted_never_raised(batch: list[Any]):
    activity = window_activity(WINDOW_ONLY, {"w": batch}, RULES, category_source="p", now=NOW)
    _check_rows(activity)
    left_out = sum(n for r, n in activity.skipped.items() if not _is_repair(r))
    assert len(activity.events) + left_out == len(batch)  # every event accounted for once


@pytest.mark.slow
@settings(max_examples=EXAMPLES["mutated_events"], deadline=None)
@given(mutated_events(), st.lists(events, max_size=4), st.lists(events, max_size=4))
def test_one_mutated_event_leaves_the_others_alone(
    mutated: tuple[list[Any], int], afk: list[Any], web: list[Any]
):
    batch, index = mutated
    activity = window_activity(WINDOW_ONLY, {"w": batch}, RULES, category_source="p", now=NOW)
    _check_rows(activity)
    stored = {e.event_id for e in activity.events}
    untouched = {e["id"] for i, e in enumerate(batch) if i != index}
    assert untouched <= stored  # a valid event is never lost to its neighbour's problem
    full = window_activity(
        FULL_HOST, {"w": batch, "afk": afk, "web": web}, RULES, category_source="p", now=NOW
    )
    _check_rows(full)


@settings(max_examples=EXAMPLES["coerce_raw_events"], deadline=None)
@given(st.lists(events, max_size=6))
def test_coerce_raw_events_never_raises(batch: list[Any]):
    skipped: Counter[str] = Counter()
    parsed = coerce_raw_events(batch, skipped, now=NOW, bucket_id="b", rejections=[])
    assert len(parsed) + sum(n for r, n in skipped.items() if not _is_repair(r)) == len(batch)
    assert all(ACTIVITYWATCH_EPOCH <= e.start <= NOW + FUTURE_MARGIN for e in parsed)


bucket_types = st.sampled_from([WINDOW_TYPE, AFK_TYPE, WEB_TYPE, "os.lockscreen.unlocks"])
buckets = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["w", "afk", "web", ""]) | json_values,
        "type": bucket_types | json_values,
        "hostname": st.sampled_from(["laptop", "unknown", "Pixel 7", "lap\x00top", ""])
        | json_values,
        "events": st.lists(events, max_size=4) | json_values,
    },
)
documents = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"buckets": st.dictionaries(st.text(max_size=8), buckets | json_values, max_size=4)}
    ),
    st.fixed_dictionaries({"buckets": json_values}),
)


@settings(max_examples=EXAMPLES["documents"], deadline=None)
@given(documents, st.sampled_from(["", "laptop", "unknown"]))
def test_random_documents_fail_only_with_activity_data_error(document: Any, hostname: str):
    try:
        export = parse_aw_export(document, source="random")
        host = select_host_buckets(export.buckets, hostname, "laptop", {})
    except ActivityDataError:
        return
    activity = window_activity(host, export.events, RULES, category_source="p", now=NOW)
    _check_rows(activity)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("aw-random-files")


@settings(max_examples=EXAMPLES["file_bytes"], deadline=None)
@given(
    st.binary(max_size=300) | documents.map(lambda d: json.dumps(d, default=str).encode()),
    st.booleans(),
    st.integers(min_value=0, max_value=40),
)
def test_random_files_are_an_export_or_activity_data_error(
    files: Path, data: bytes, zipped: bool, cut: int
):
    if zipped:
        data = gzip.compress(data)
    path = files / "random.json"
    path.write_bytes(data[: len(data) - cut] if cut % 2 else data)  # whole, or truncated
    try:
        load_aw_export(path, max_import_mb=1)
    except ActivityDataError:
        pass
