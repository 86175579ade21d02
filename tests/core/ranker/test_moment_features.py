"""The context features of a moment: what they say, that nothing at or after the moment changes
them, and that the training rows and the feed refresh compute the same numbers."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from vrdndi_pipeline.core.model.context_features import ContextEvent, event_text
from vrdndi_pipeline.core.ranker.moment_features import (
    BREAK_S,
    context_from_json,
    context_to_json,
    moment_context,
    row_features,
    video_features,
)

MOMENT = datetime(2026, 11, 12, 15, 0, tzinfo=UTC)  # a Thursday, 16:00 in Berlin
ZONE = "Europe/Berlin"


def _event(minutes_before: float, minutes: float, app: str, title: str, *category: str):
    start = MOMENT - timedelta(minutes=minutes_before)
    return ContextEvent(start, minutes * 60, app, title, None, tuple(category))


def _vectors(events, dim: int = 8) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    out = {}
    for e in events:
        v = rng.normal(size=dim).astype(np.float32)
        out[event_text(e)] = v / np.linalg.norm(v)
    return out


EVENTS = [
    _event(300, 60, "Code", "model.py - vrdndi", "Work", "Programming"),
    _event(200, 30, "Firefox", "YouTube - chess", "Media", "Video"),
    _event(50, 20, "Code", "train.py - vrdndi", "Work", "Programming"),
    _event(29, 9, "Slack", "general", "Comms"),  # ends 20 min before
    _event(19, 14, "Code", "test.py", "Work", "Programming"),  # ends 5 min before... a break
    _event(3, 2, "Code", "test.py", "Work", "Programming"),  # ends 1 min before
]
VECTORS = _vectors(EVENTS)


def test_shares_stretches_and_current_app_say_what_happened() -> None:
    values = moment_context(EVENTS, MOMENT, ZONE, VECTORS).values
    # the last hour: 20 + 9 + 14 + 2 minutes active = 45 of 60
    assert values["active@1h"] == pytest.approx(45 / 60)
    assert values["share@1h:Work"] == pytest.approx(36 / 45)
    assert values["share@1h:Comms"] == pytest.approx(9 / 45)
    assert values["share@1h:Work > Programming"] == pytest.approx(36 / 45)
    assert "share@1h:Media" not in values
    assert values["share@6h:Media"] == pytest.approx(30 / 135)
    assert values["current_app:Code"] == 1.0 and values["current_category:Work"] == 1.0
    # gaps: 20 → 19 min (1 min), 5 → 3 min (2 min) join; 30 → 29 min (0 min); 50-30=20 → join
    # the stretch since the break after the chess video (200 → 170 min ago, next at 50 min ago)
    assert values["active_stretch_min"] == pytest.approx(50)
    assert values["last_break_min"] == pytest.approx(120)
    assert values["idle_min"] == pytest.approx(1)
    assert values["app_switches@1h"] == pytest.approx(2)  # Code→Slack→Code; Code→Code is none
    local_hours = 16.0
    assert values["hour_sin"] == pytest.approx(math.sin(2 * math.pi * local_hours / 24))
    assert values["weekend"] == 0.0


def test_away_now_has_no_current_app_and_no_active_stretch() -> None:
    away = [_event(60, 20, "Code", "x", "Work")]  # ended 40 min ago
    values = moment_context(away, MOMENT, ZONE, _vectors(away)).values
    assert values["active_stretch_min"] == 0.0
    assert values["idle_min"] == pytest.approx(40)
    assert not any(k.startswith("current_") for k in values)
    assert BREAK_S < 40 * 60


def test_events_at_or_after_the_moment_change_nothing() -> None:
    base = moment_context(EVENTS, MOMENT, ZONE, VECTORS)
    running = _event(1, 30, "Steam", "Elden Ring", "Media", "Games")  # runs 29 min past
    later = [
        ContextEvent(MOMENT, 600.0, "Steam", "Elden Ring", None, ("Media", "Games")),
        ContextEvent(MOMENT + timedelta(minutes=5), 60.0, "Steam", "lobby", None, ("Media",)),
    ]
    with_later = moment_context(EVENTS + later, MOMENT, ZONE, {**VECTORS, **_vectors(later)})
    assert with_later.values == base.values
    for window, vector in base.pooled.items():
        np.testing.assert_array_equal(with_later.pooled[window], vector)
    # an event still running counts only up to the moment: cutting its future changes nothing
    cut = ContextEvent(running.timestamp, 60.0, running.app, running.title, None, running.category)
    vectors = {**VECTORS, **_vectors([running])}
    a = moment_context(EVENTS + [running], MOMENT, ZONE, vectors)
    b = moment_context(EVENTS + [cut], MOMENT, ZONE, vectors)
    assert a.values == b.values


def test_video_features_compare_the_video_with_the_pooled_activity() -> None:
    context = moment_context(EVENTS, MOMENT, ZONE, VECTORS)
    like_last_15m = VECTORS[event_text(EVENTS[-1])]
    close = video_features(context, like_last_15m, 600)
    far = video_features(context, -like_last_15m, 600)
    assert close["similarity@15m"] > 0.5 > -0.5 > far["similarity@15m"]
    assert close["video_is_long"] == 0.0 and close["video_duration_unknown"] == 0.0
    unknown = video_features(context, like_last_15m, None)
    assert unknown["video_duration_unknown"] == 1.0 and unknown["video_log_duration"] == 0.0
    empty = moment_context([], MOMENT, ZONE, {})
    assert video_features(empty, like_last_15m, 60)["similarity@1h"] == 0.0


def test_json_round_trip_keeps_every_feature_exactly() -> None:
    context = moment_context(EVENTS, MOMENT, ZONE, VECTORS)
    video = np.random.default_rng(3).normal(size=8).astype(np.float32)
    back = context_from_json(json.loads(json.dumps(context_to_json(context))))
    assert row_features(back, video, 321) == row_features(context, video, 321)


def test_local_time_follows_the_zone_across_dst() -> None:
    summer = datetime(2026, 7, 1, 10, tzinfo=UTC)  # 12:00 CEST
    winter = datetime(2026, 1, 1, 11, tzinfo=UTC)  # 12:00 CET
    a = moment_context([], summer, ZONE, {}).values
    b = moment_context([], winter, ZONE, {}).values
    assert a["hour_cos"] == pytest.approx(b["hour_cos"]) == pytest.approx(-1.0)
    assert (
        moment_context([], datetime(2026, 11, 14, 12, tzinfo=UTC), ZONE, {}).values["weekend"]
        == 1.0
    )
