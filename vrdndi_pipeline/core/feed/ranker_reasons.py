"""The ranker's reasons: its per-feature contributions, grouped and phrased for people.

The productive trees' contributions (Saabas: they sum to the raw score) are summed per idea —
all features about one category, the time of day, the video's length — and the ideas that
pushed the video up most become reasons, phrased from the moment's own values ("1 h 40 min of
Work > Programming in the last 6 h", "Sunday evening"). The interest head adds the channel
when the user rated it up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np

from vrdndi_pipeline.core.feed.reasons import Reason, duration_reason, format_minutes, time_phrase
from vrdndi_pipeline.core.ranker.model import RankerModel, channel_key
from vrdndi_pipeline.core.ranker.moment_features import FEATURE_WINDOWS, MomentContext

_WINDOW_HOURS = dict(FEATURE_WINDOWS)
_WINDOW_WORDS = {"15m": "15 min", "1h": "hour", "6h": "6 h"}
_TIME = {"hour_sin", "hour_cos", "weekday_sin", "weekday_cos", "weekend"}
_DURATION = {"video_log_duration", "video_duration_unknown", "video_is_short", "video_is_long"}
_STRETCH = {"active_stretch_min", "idle_min", "last_break_min"}
_INTERACTION = re.compile(r"^video_pc\d+\*(.+)$")


def feature_idea(column: str) -> tuple[str, str]:
    """``(kind, idea)`` of a feature column: the group its contribution is summed in."""
    match = _INTERACTION.match(column)
    if match:  # "this kind of video while doing that": the doing names it
        column = match.group(1)
    if column.startswith("share@"):
        return "activity", "category:" + column.split(":", 1)[1]
    if column.startswith("current_category:"):
        return "activity", "category:" + column.split(":", 1)[1]
    if column.startswith("current_app:"):
        return "activity", "app:" + column.split(":", 1)[1]
    if column.startswith("active@"):
        return "activity", "active"
    if column.startswith("similarity@"):
        return "activity", "screen"
    if column == "app_switches@1h":
        return "activity", "switches"
    if column in _STRETCH:
        return "activity", "stretch"
    if column in _TIME:
        return "time", "time"
    if column in _DURATION:
        return "video", "duration"
    return "video", "topic"  # video_pc<j>: the video's place in the embedding space


def _category_phrase(category: str, values: Mapping[str, float]) -> str:
    for window in ("1h", "6h", "15m"):
        share = values.get(f"share@{window}:{category}", 0.0)
        if share > 0:
            minutes = share * values.get(f"active@{window}", 0.0) * _WINDOW_HOURS[window] * 60
            return f"{format_minutes(minutes)} of {category} in the last {_WINDOW_WORDS[window]}"
    return f"no {category} in the last 6 h"


def idea_phrase(
    idea: str, values: Mapping[str, float], local: datetime, duration_s: float | None
) -> str | None:
    """The idea said with this moment's (and video's) numbers; ``None`` when there is nothing
    specific to say."""
    kind, _, name = idea.partition(":")
    if kind == "category":
        return _category_phrase(name, values)
    if kind == "app":
        return (
            f"{name} in front now"
            if values.get(idea.replace("app:", "current_app:"))
            else (f"not in {name} now")
        )
    if idea == "active":
        minutes = values.get("active@1h", 0.0) * 60
        return (
            f"active {format_minutes(minutes)} of the last hour"
            if minutes >= 1
            else ("away from the computer for the last hour")
        )
    if idea == "screen":
        return "close to what is on your screen"
    if idea == "switches":
        return f"{values.get('app_switches@1h', 0.0):.0f} app switches in the last hour"
    if idea == "stretch":
        stretch = values.get("active_stretch_min", 0.0)
        if stretch > 0:
            return f"{format_minutes(stretch)} at the computer without a break"
        return f"away for {format_minutes(values.get('idle_min', 0.0))}"
    if idea == "time":
        return time_phrase(local)
    if idea == "duration":
        reason = duration_reason(duration_s)
        return reason.text if reason else None
    if idea == "topic":
        return "a topic you often have time for"
    return None


def ranker_reasons(
    model: RankerModel,
    features: Sequence[Mapping[str, float]],
    vectors: np.ndarray,
    channels: Sequence[str | None],
    durations: Sequence[float | None],
    context: MomentContext,
    local: datetime,
) -> list[list[Reason]]:
    """Per video, every positive idea of the productive head and the channel, with weights in
    raw-score (log-odds) points."""
    columns, contrib = model.productive_contributions(features, vectors)  # (N, F + 1)
    ideas = [feature_idea(c) for c in columns]
    a = model.platt[0] if model.platt[0] > 0 else 1.0
    out: list[list[Reason]] = []
    for row in range(len(features)):
        totals: dict[tuple[str, str], float] = {}
        for (kind, idea), value in zip(ideas, contrib[row, :-1], strict=True):
            totals[(kind, idea)] = totals.get((kind, idea), 0.0) + float(value) * a
        reasons = []
        for (kind, idea), weight in totals.items():
            if weight <= 0:
                continue
            text = idea_phrase(idea, context.values, local, durations[row])
            if text:
                reasons.append(Reason(kind, text, weight))
        channel = _channel_reason(model, channels[row])
        if channel is not None:
            reasons.append(channel)
        out.append(reasons)
    return out


def _channel_reason(model: RankerModel, channel: str | None) -> Reason | None:
    if model.interest_coef is None or not channel:
        return None
    liked, rows = model.channel_counts.get(channel_key(channel), (0, 0))
    if not liked:
        return None
    weight = model.channel_contribution(channel)
    if weight <= 0:
        return None
    return Reason("video", f"{channel}: you liked {liked} of its {rows} videos", weight)
