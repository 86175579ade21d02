"""Why a video is in the feed: reasons as data, and the phrases every ranking shares.

A :class:`Reason` is what the card, ``vrdndi feed`` and the tests read (stored as JSON in
``feed_predictions.reasons``). Each names something specific to its video or to the moment:
how long the video is, the labelled video it resembles, what the user is doing now. The
ranking-specific reasons come from :mod:`~vrdndi_pipeline.core.feed.ranker_reasons` (the
ranker's per-feature contributions) and :mod:`~vrdndi_pipeline.core.feed.candidate_scores`.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

logger = logging.getLogger(__name__)

# What a reason is about, in the order a card groups them.
KINDS = ("explore", "activity", "time", "video", "similar", "words", "new")
MAX_REASONS = 3


@dataclass(frozen=True, slots=True)
class Reason:
    kind: str  # one of KINDS
    text: str  # phrased for people: "1 h 40 min in Programming", "like “X”, which you liked"
    weight: float  # how strongly it pushed this video up (for ordering; > 0)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"reason kind must be one of {KINDS}, got {self.kind!r}")


def reasons_to_json(reasons: Iterable[Reason]) -> str:
    return json.dumps(
        [{**asdict(r), "weight": round(r.weight, 4)} for r in reasons], ensure_ascii=False
    )


def reasons_from_json(text: str | None) -> tuple[Reason, ...]:
    """The stored reasons; an unreadable value reads as none (and is logged), never an error."""
    if not text:
        return ()
    try:
        return tuple(
            Reason(str(r["kind"]), str(r["text"]), float(r["weight"])) for r in json.loads(text)
        )
    except (ValueError, TypeError, KeyError) as error:
        logger.warning("unreadable reasons %r: %s", text[:80], error)
        return ()


def top_reasons(reasons: Iterable[Reason], limit: int = MAX_REASONS) -> tuple[Reason, ...]:
    """The strongest ``limit`` reasons, at most one per text, strongest first."""
    seen: set[str] = set()
    out = []
    for reason in sorted(reasons, key=lambda r: -r.weight):
        if reason.weight <= 0 or reason.text in seen:
            continue
        seen.add(reason.text)
        out.append(reason)
    return tuple(out[:limit])


def format_minutes(minutes: float) -> str:
    """``45 min``, ``1 h 40 min``, ``3 h``."""
    total = max(int(round(minutes)), 0)
    hours, rest = divmod(total, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def duration_reason(duration_s: float | None, weight: float = 0.05) -> Reason | None:
    """``a 12 min video`` / ``a short`` / ``a 1 h 5 min video``: always specific to the card."""
    if duration_s is None or duration_s < 0:
        return None
    if duration_s == 0:
        return Reason("video", "a live stream", weight)
    if duration_s <= 60:
        return Reason("video", f"a {int(duration_s)} s short", weight)
    return Reason("video", f"a {format_minutes(duration_s / 60)} video", weight)


def format_age(published_at: datetime | None, now: datetime) -> str:
    """How long before ``now`` (the pipeline's clock) a video came out: ``just now``,
    ``12 min ago``, ``3 h ago``, ``5 d ago``."""
    if published_at is None:
        return "date unknown"
    seconds = (now - published_at).total_seconds()
    if seconds < -60:
        return "upcoming"
    if seconds < 60:
        return "just now"
    for unit, size in (("y", 365 * 86400), ("mo", 30 * 86400), ("d", 86400), ("h", 3600)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return f"{int(seconds // 60)} min ago"


def age_reason(published_at: datetime, now: datetime, weight: float) -> Reason:
    return Reason("new", f"uploaded {format_age(published_at, now)}", weight)


def time_phrase(local: datetime) -> str:
    """``Sunday evening``: the weekday and the part of the day of a local time."""
    hour = local.hour
    part = (
        "night"
        if hour < 5
        else "morning"
        if hour < 12
        else "afternoon"
        if hour < 17
        else "evening"
        if hour < 22
        else "night"
    )
    return f"{local:%A} {part}"


def context_effect_reason(with_context: float, without_context: float) -> Reason | None:
    """The LoRA model's honest reason: its good-time-now score with the moment's context token
    against without it, when the moment raises it by at least 2 points."""
    if with_context - without_context < 0.02:
        return None
    return Reason(
        "activity",
        f"what you are doing now raises its good-time-now score from "
        f"{round(100 * without_context)} % to {round(100 * with_context)} %",
        _logit(with_context) - _logit(without_context),
    )


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def explore_reason() -> Reason:
    # strongest, so it is always shown: the user should know this slot was a try
    return Reason("explore", "Exploring: something outside your usual picks", 1e6)


def with_reason(reasons: Sequence[Reason], extra: Reason | None) -> list[Reason]:
    return [*reasons, extra] if extra is not None else list(reasons)
