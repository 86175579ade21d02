"""From scores to a feed: one combined score, a diversified order, exploration slots, ranks."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from vrdndi_pipeline.core.feed.diversity import mmr_order
from vrdndi_pipeline.core.feed.exploration import generation_seed, place_with_exploration
from vrdndi_pipeline.core.feed.page import MAX_PER_CHANNEL, PAGE_SIZE
from vrdndi_pipeline.core.feed.reasons import Reason, explore_reason, top_reasons
from vrdndi_pipeline.core.records import Video

Diversity = Literal["mmr", "channel_cap", "none"]


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    """A candidate video with its scores and reasons, on its way into the feed."""

    video: Video
    interest: float | None  # P(interested)
    productive: float | None  # P(good time now)
    combined: float  # what the ranking sorts by
    reasons: tuple[Reason, ...] = ()  # every candidate reason; the card shows the top ones
    explored: bool = False  # an exploration slot chose it
    propensity: float | None = None  # P(chosen for its slot), once placed

    def with_reasons(self, *extra: Reason | None) -> ScoredCandidate:
        return replace(self, reasons=(*self.reasons, *(r for r in extra if r is not None)))


@dataclass(frozen=True, slots=True)
class FeedOrder:
    """How a list of scored candidates becomes a feed."""

    diversity: Diversity = "mmr"
    relevance_weight: float = 0.8  # MMR's λ
    max_per_channel: int = MAX_PER_CHANNEL
    page_size: int = PAGE_SIZE
    exploration_share: float = 0.1


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
    # highest score first; ties: newer first (an unknown date last), then video id
    published = item.video.published_at
    newer = -published.timestamp() if published is not None else math.inf
    return (-item.combined, newer, item.video.video_id)


def diversify(
    items: Sequence[ScoredCandidate],
    *,
    rule: Diversity = "channel_cap",
    max_per_channel: int = MAX_PER_CHANNEL,
    page_size: int = PAGE_SIZE,
    vectors: Mapping[str, np.ndarray] | None = None,
    relevance_weight: float = 0.8,
) -> list[ScoredCandidate]:
    """Order ``items`` for the feed, never dropping one.

    ``mmr``: maximal marginal relevance over the videos' embeddings (``vectors``, by video id)
    with the channel cap (:mod:`~vrdndi_pipeline.core.feed.diversity`); ``channel_cap``: by
    score, but no page of ``page_size`` cards holds more than ``max_per_channel`` videos of one
    channel while other channels are left; ``none``: by score.
    """
    ordered = sorted(items, key=_key)
    if rule == "none":
        return ordered
    if rule not in ("mmr", "channel_cap"):
        raise ValueError(f"unknown diversity rule {rule!r}: use 'mmr', 'channel_cap' or 'none'")
    stored = vectors or {}
    order = mmr_order(
        ordered,
        [i.combined for i in ordered],
        [stored.get(i.video.video_id) for i in ordered],
        _channel,
        relevance_weight=relevance_weight if rule == "mmr" else 1.0,
        max_per_channel=max_per_channel,
        page_size=page_size,
    )
    return [ordered[i] for i in order]


def order_feed(
    items: Sequence[ScoredCandidate],
    order: FeedOrder,
    *,
    generation: str,
    vectors: Mapping[str, np.ndarray] | None = None,
) -> list[ScoredCandidate]:
    """The feed: diversified, then slot by slot with exploration (seeded by ``generation``);
    every item carries the probability it was placed with, explored ones say so first."""
    ranked = diversify(
        items,
        rule=order.diversity,
        max_per_channel=order.max_per_channel,
        page_size=order.page_size,
        vectors=vectors,
        relevance_weight=order.relevance_weight,
    )
    placed = place_with_exploration(
        len(ranked), order.exploration_share, generation_seed(generation)
    )
    out = []
    for p in placed:
        item = ranked[p.index]
        reasons = top_reasons(item.reasons)
        if p.explored:
            reasons = (explore_reason(), *reasons[:2])
        out.append(replace(item, explored=p.explored, propensity=p.propensity, reasons=reasons))
    return out


def _channel(item: ScoredCandidate) -> str:
    v = item.video
    return v.channel_id or v.channel_title or v.video_id


def channel_share(items: Sequence[ScoredCandidate], page_size: int = PAGE_SIZE) -> int:
    """The most videos one channel has on any page (what the cap bounds)."""
    worst = 0
    for start in range(0, len(items), page_size):
        counts = Counter(_channel(i) for i in items[start : start + page_size])
        worst = max(worst, max(counts.values(), default=0))
    return worst
