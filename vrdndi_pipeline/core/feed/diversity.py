"""A page that is not a bubble: maximal marginal relevance over video embeddings, with the
channel cap.

Greedy, page by page: the next card is the one with the best
``λ · relevance − (1 − λ) · max cosine with the cards already on this page`` among those whose
channel has fewer than ``max_per_channel`` cards on the page (when only capped channels are
left, the cap gives way: no candidate is ever dropped). ``λ = 1`` is the plain channel cap.
A video without an embedding is similar to nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import numpy as np

from vrdndi_pipeline.core.feed.page import MAX_PER_CHANNEL, PAGE_SIZE

T = TypeVar("T")


def mmr_order(
    items: Sequence[T],
    relevance: Sequence[float],
    vectors: Sequence[np.ndarray | None],
    channel: Callable[[T], str],
    *,
    relevance_weight: float = 0.8,
    max_per_channel: int = MAX_PER_CHANNEL,
    page_size: int = PAGE_SIZE,
) -> list[int]:
    """Indices of ``items`` in feed order (``items`` sorted best first, ties kept in order)."""
    if not 0.0 <= relevance_weight <= 1.0:
        raise ValueError("relevance_weight must be within [0, 1]")
    if max_per_channel < 1 or page_size < 1:
        raise ValueError("max_per_channel and page_size must be positive")
    n = len(items)
    if n == 0:
        return []
    dim = next((len(v) for v in vectors if v is not None), 1)
    matrix = np.stack(
        [np.zeros(dim, np.float32) if v is None else np.asarray(v, np.float32) for v in vectors]
    )  # (N, E), unit rows or zeros
    rel = np.asarray(relevance, dtype=np.float64)
    channels = [channel(item) for item in items]
    remaining = list(range(n))  # in the given (best-first) order
    order: list[int] = []
    page_channels: Counter[str] = Counter()
    page_max_sim = np.zeros(n)
    while remaining:
        if len(order) % page_size == 0:
            page_channels.clear()
            page_max_sim[:] = 0.0
        idx = np.array(remaining)
        score = relevance_weight * rel[idx] - (1.0 - relevance_weight) * page_max_sim[idx]
        allowed = np.array([page_channels[channels[i]] < max_per_channel for i in remaining])
        if allowed.any():
            score = np.where(allowed, score, -np.inf)
        pick = int(np.argmax(score))  # first of equal scores: keeps the given order
        chosen = remaining.pop(pick)
        order.append(chosen)
        page_channels[channels[chosen]] += 1
        page_max_sim = np.maximum(page_max_sim, matrix @ matrix[chosen])
    return order


def intra_list_similarity(vectors: Sequence[np.ndarray | None]) -> float | None:
    """Mean pairwise cosine of a page's videos (those with an embedding); ``None`` for < 2."""
    known = [np.asarray(v, np.float64) for v in vectors if v is not None]
    if len(known) < 2:
        return None
    m = np.stack(known)
    sims = m @ m.T
    upper = sims[np.triu_indices(len(known), k=1)]
    return float(upper.mean())


def vectors_for(ids: Sequence[str], stored: Mapping[str, np.ndarray]) -> list[np.ndarray | None]:
    return [stored.get(i) for i in ids]
