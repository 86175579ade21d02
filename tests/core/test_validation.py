"""The record validators every source shares (core/validation.py) and the quarantine table."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vrdndi_pipeline.core.store.database import (
    open_database,
    read_transaction,
    write_transaction,
)
from vrdndi_pipeline.core.store.quarantine import record_rejections, rejected_counts
from vrdndi_pipeline.core.store.schema import rejected_items
from vrdndi_pipeline.core.validation import (
    ACTIVITYWATCH_EPOCH,
    INT64_MAX,
    YOUTUBE_EPOCH,
    RecordRejected,
    Rejection,
    checked_int64,
    checked_seconds,
    checked_time,
    repaired_text,
    terminal_text,
)

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
EXAMPLES = 300


def reason(call) -> str:
    with pytest.raises(RecordRejected) as caught:
        call()
    return caught.value.reason


def test_times_between_the_source_epoch_and_a_day_past_now_pass():
    assert checked_time(NOW, earliest=YOUTUBE_EPOCH, now=NOW) == NOW
    later = NOW + timedelta(hours=23)
    assert checked_time(later, earliest=YOUTUBE_EPOCH, now=NOW) == later
    assert (
        reason(lambda: checked_time(NOW + timedelta(days=2), earliest=YOUTUBE_EPOCH, now=NOW))
        == "time_in_future"
    )
    assert (
        reason(
            lambda: checked_time(datetime(9999, 1, 1, tzinfo=UTC), earliest=YOUTUBE_EPOCH, now=NOW)
        )
        == "time_in_future"
    )
    early = datetime(2010, 1, 1, tzinfo=UTC)
    assert checked_time(early, earliest=YOUTUBE_EPOCH, now=NOW) == early
    assert (
        reason(lambda: checked_time(early, earliest=ACTIVITYWATCH_EPOCH, now=NOW))
        == "time_too_early"
    )
    assert (
        reason(lambda: checked_time(datetime(2020, 1, 1), earliest=YOUTUBE_EPOCH, now=NOW))
        == "time_without_zone"
    )


def test_durations_ids_and_numbers_that_cannot_be_represented_are_rejected():
    assert checked_seconds(3600, maximum=7200) == 3600.0
    for bad in (-1, math.nan, math.inf, 10**12, 10**400, "60", None, True):
        assert reason(lambda bad=bad: checked_seconds(bad, maximum=7200)).startswith("duration_")
    assert checked_int64(INT64_MAX) == INT64_MAX
    assert checked_int64(12.0) == 12
    assert reason(lambda: checked_int64(2**63)) == "id_out_of_range"
    assert reason(lambda: checked_int64(10**5000)) == "id_out_of_range"
    assert reason(lambda: checked_int64("7")) == "id_not_an_integer"
    assert reason(lambda: checked_int64(1.5)) == "id_not_an_integer"


def test_text_is_repaired_and_cut_and_the_terminal_gets_no_escapes():
    result = repaired_text("a\x00b\ud800c\x1b[2Jd\te", 100)
    assert result.text == "ab\ufffdc[2Jd e" and result.repaired and not result.cut
    assert repaired_text("line\nbreak", 100, keep_newlines=True).text == "line\nbreak"
    long = repaired_text("x" * 5000, 1000)
    assert len(long.text) == 1000 and long.cut
    assert terminal_text("\x1b]0;evil\x07title\r") == "]0;eviltitle "


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None)
@given(st.datetimes(timezones=st.timezones()))
def test_checked_time_raises_only_record_rejected(moment):
    try:
        accepted = checked_time(moment, earliest=YOUTUBE_EPOCH, now=NOW)
    except RecordRejected:
        return
    assert YOUTUBE_EPOCH <= accepted <= NOW + timedelta(days=1) and accepted.tzinfo == UTC


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(st.integers(), st.floats(allow_nan=True), st.text(), st.none(), st.booleans()))
def test_number_checks_raise_only_record_rejected(value):
    for check in (lambda: checked_seconds(value, maximum=86_400.0), lambda: checked_int64(value)):
        try:
            result = check()
        except RecordRejected:
            continue
        assert isinstance(result, int | float) and math.isfinite(result)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text(alphabet=st.characters(codec=None)), st.integers(min_value=1, max_value=50))
def test_repaired_text_is_storable_and_printable(value, limit):
    result = repaired_text(value, limit)
    assert len(result.text) <= limit
    result.text.encode("utf-8")  # no lone surrogate left
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in result.text)


def test_rejections_are_kept_once_per_item_and_counted_again_when_seen_again(database_url):
    engine = open_database(database_url)
    first, later = NOW, NOW + timedelta(hours=1)
    bad = [Rejection("aw/1", "time_in_future"), Rejection("aw/2\x00", "duration_out_of_range")]
    with write_transaction(engine) as conn:
        assert record_rejections(conn, "activitywatch", bad + bad[:1], first) == 2
    with write_transaction(engine) as conn:
        assert record_rejections(conn, "activitywatch", bad[:1], later) == 1
    with read_transaction(engine) as conn:
        rows = {r.item_key: r for r in conn.execute(rejected_items.select())}
        counts = rejected_counts(conn, "activitywatch")
    engine.dispose()
    assert set(rows) == {"aw/1", "aw/2"}  # keys are repaired like any stored text
    assert rows["aw/1"].times_seen == 3
    assert rows["aw/1"].first_seen == first and rows["aw/1"].last_seen == later
    assert counts == {"time_in_future": 1, "duration_out_of_range": 1}
    with pytest.raises(ValueError, match="source must be one of"):
        record_rejections(None, "elsewhere", bad, NOW)  # type: ignore[arg-type]


def test_keys_of_anything_are_short_printable_text():
    from vrdndi_pipeline.core.validation import item_key

    assert item_key(10**5000) == "<int too large to show>"
    assert item_key("x" * 1000) == "x" * 200
    assert item_key("id\x1b[31m\x00") == "id[31m"
