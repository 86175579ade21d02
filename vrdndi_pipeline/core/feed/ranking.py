"""From scores to a feed: one combined score, then a diversity rule, then ranks 1..n."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from vrdndi_pipeline.core.feed.candidates import FeedCandidate

Diversity = Literal["channel_cap", "none"]


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    candidate: FeedCandidate
    interest: float | None  # P(interested)
    productive: float | None  # P(right time now)
    combined: float  # what the ranking sorts by
    explanation: str


def combined_score(interest: float, productive: float, interest_weight: float = 0.5) -> float:
    """Weighted geometric mean ``interest^w * productive^(1-w)``: a video must be interesting
    *and* right for now; a near-zero on either side sinks it (an arithmetic mean would let a
    very interesting video through in the middle of focused work)."""
    if not 0.0 <= interest_weight <= 1.0:
        raise ValueError("interest_weight must be within [0, 1]")
    eps = 1e-6
    i, p = min(max(interest, eps), 1.0), min(max(productive, eps), 1.0)
    return math.exp(interest_weight * math.log(i) + (1.0 - interest_weight) * math.log(p))


def _key(item: ScoredCandidate) -> tuple[float, float, str]:
    # highest score first; ties: newer first, then video id (deterministic)
    return (-item.combined, -item.candidate.published_at.timestamp(), item.candidate.video_id)


def diversify(
    items: Sequence[ScoredCandidate],
    *,
    rule: Diversity = "channel_cap",
    max_per_channel: int = 3,
    page_size: int = 21,
) -> list[ScoredCandidate]:
    """Order ``items`` for the feed.

    ``channel_cap``: greedy by score, but no page of ``page_size`` cards holds more than
    ``max_per_channel`` videos of one channel; when only capped channels are left, the best
    remaining video is taken anyway (the feed never drops a candidate). ``none``: by score.
    """
    ordered = sorted(items, key=_key)
    if rule == "none":
        return ordered
    if rule != "channel_cap":
        raise ValueError(f"unknown diversity rule {rule!r}: use 'channel_cap' or 'none'")
    if max_per_channel < 1 or page_size < 1:
        raise ValueError("max_per_channel and page_size must be positive")
    remaining = list(ordered)
    result: list[ScoredCandidate] = []
    page: Counter[str] = Counter()
    while remaining:
        if len(result) % page_size == 0:
            page.clear()
        pick = next(
            (i for i, item in enumerate(remaining) if page[_channel(item)] < max_per_channel),
            0,
        )
        item = remaining.pop(pick)
        page[_channel(item)] += 1
        result.append(item)
    return result


def _channel(item: ScoredCandidate) -> str:
    c = item.candidate
    return c.channel_id or c.channel_title or c.video_id


def channel_share(items: Sequence[ScoredCandidate], page_size: int = 21) -> int:
    """The most videos one channel has on any page (what the cap bounds)."""
    worst = 0
    for start in range(0, len(items), page_size):
        counts = Counter(_channel(i) for i in items[start : start + page_size])
        worst = max(worst, max(counts.values(), default=0))
    return worst
