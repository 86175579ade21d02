"""ISO 8601 durations as YouTube writes them."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vrdndi_pipeline.core.sources.durations import DurationError, parse_duration_seconds


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("PT45S", 45),
        ("PT4M13S", 253),
        ("PT1H2M3S", 3723),
        ("PT2H", 7200),
        ("P1DT2H", 93_600),
        ("P1DT1H26M27S", 91_587),
        ("P1W", 604_800),
        ("P0D", 0),  # live streams and premieres
        ("PT0S", 0),
        ("PT1.6S", 2),
        (" PT10M ", 600),
    ],
)
def test_parses_youtube_durations(text, seconds):
    assert parse_duration_seconds(text) == seconds


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_missing_is_none(missing):
    assert parse_duration_seconds(missing) is None


@pytest.mark.parametrize(
    "bad", ["P", "PT", "4:13", "PT4M13", "P1H", "PTM", "-PT5S", "PT5S extra", "P1DT"]
)
def test_garbage_is_an_error(bad):
    with pytest.raises(DurationError, match="not an ISO 8601 duration"):
        parse_duration_seconds(bad)


@pytest.mark.parametrize(
    "bad", ["PT" + "9" * 5000 + "S", "P" + "9" * 400 + "W", "PT٣S", "P１D", 253, 1.5, ["PT1S"]]
)
def test_absurd_values_are_duration_errors_not_overflow(bad):
    # "PT" + 5000 nines used to raise OverflowError (an infinite float rounded to an int).
    with pytest.raises(DurationError):
        parse_duration_seconds(bad)


def test_large_but_countable_durations_are_counted():
    # Whether 10**18 seconds is plausible is the caller's check (checked_seconds).
    assert parse_duration_seconds("P99999999999999D") == pytest.approx(99999999999999 * 86400)


_ISO_LIKE = st.from_regex(
    r"P(\d{1,30}W)?(\d{1,30}D)?(T(\d{1,30}H)?(\d{1,30}M)?(\d{1,30}(\.\d{1,9})?S)?)?",
    fullmatch=True,
)


@settings(max_examples=200, deadline=None)
@given(_ISO_LIKE | st.text(alphabet="PTWDHMS0123456789.-+ ", max_size=40) | st.text(max_size=80))
def test_any_text_is_seconds_none_or_a_duration_error(text):
    try:
        seconds = parse_duration_seconds(text)
    except DurationError:
        return
    assert seconds is None or (isinstance(seconds, int) and seconds >= 0)


@given(st.integers(0, 30), st.integers(0, 23), st.integers(0, 59), st.integers(0, 59))
def test_components_add_up(days, hours, minutes, seconds):
    text = f"P{days}DT{hours}H{minutes}M{seconds}S"
    assert parse_duration_seconds(text) == ((days * 24 + hours) * 60 + minutes) * 60 + seconds
