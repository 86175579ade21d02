"""ISO 8601 durations as YouTube writes them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vrdndi_pipeline.core.durations import DurationError, parse_duration_seconds


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


@given(st.integers(0, 30), st.integers(0, 23), st.integers(0, 59), st.integers(0, 59))
def test_components_add_up(days, hours, minutes, seconds):
    text = f"P{days}DT{hours}H{minutes}M{seconds}S"
    assert parse_duration_seconds(text) == ((days * 24 + hours) * 60 + minutes) * 60 + seconds
