"""The person's likes and dislikes, chosen from what they watched and how they feel about it."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from vrdndi_pipeline.demo.anchor import DAY, MINUTE
from vrdndi_pipeline.demo.generator.catalogue_topics import TOPICS
from vrdndi_pipeline.demo.generator.records import Catalogue, DemoVideo, Watch

LIKES_TARGET = (140, 160)
DISLIKES_TARGET = (36, 44)


def _weighted_keys(
    items: Sequence[Any], weights: Sequence[float], k: int, rng: random.Random
) -> list[Any]:
    """k items sampled without replacement, proportional to weight (Efraimidis–Spirakis)."""
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if w > 0]
    keyed.sort(reverse=True)
    return [items[i] for _, i in keyed[:k]]


def choose_ratings(
    watches: Sequence[Watch], catalogue: Catalogue, takeout_start: int, rng: random.Random
) -> tuple[list[DemoVideo], list[DemoVideo]]:
    """Likes and dislikes, most recent first: mostly videos watched lately, some older likes."""
    deleted = {v.video_id for v in catalogue.deleted}
    last_watch: dict[str, Watch] = {}
    times_watched: dict[str, int] = {}
    for watch in sorted(watches, key=lambda w: w.time_ms):
        if watch.video.video_id not in deleted and watch.video.channel.kind in (
            "subscribed",
            "other",
        ):
            last_watch[watch.video.video_id] = watch
            times_watched[watch.video.video_id] = times_watched.get(watch.video.video_id, 0) + 1
    watched = [w.video for w in last_watch.values()]

    def like_weight(v: DemoVideo) -> float:
        again = 1.6 if times_watched.get(v.video_id, 0) > 1 else 1.0
        return TOPICS[v.channel.topic]["like"] * v.channel.taste * again

    n_likes = rng.randint(*LIKES_TARGET)
    n_old = round(n_likes * 0.15)
    liked = _weighted_keys(watched, [like_weight(v) for v in watched], n_likes - n_old, rng)
    unwatched_old = [
        v
        for v in catalogue.videos
        if v.video_id not in last_watch
        and v.published_ms < takeout_start - 30 * DAY
        and v.channel.kind in ("subscribed", "other")
    ]
    old = _weighted_keys(unwatched_old, [like_weight(v) for v in unwatched_old], n_old, rng)
    liked_ids = {v.video_id for v in liked}
    rest = [v for v in watched if v.video_id not in liked_ids]

    def dislike_weight(v: DemoVideo) -> float:
        return TOPICS[v.channel.topic]["dislike"] * (4.0 if v.title.isupper() else 1.0)

    disliked = _weighted_keys(
        rest, [dislike_weight(v) for v in rest], rng.randint(*DISLIKES_TARGET), rng
    )

    def rated_at(v: DemoVideo) -> int:
        if v.video_id in last_watch:
            return last_watch[v.video_id].time_ms + rng.randint(1, 30) * MINUTE
        return min(takeout_start - DAY, v.published_ms + rng.randint(1, 60) * DAY)

    def newest_first(videos: list[DemoVideo]) -> list[DemoVideo]:
        stamped = [(rated_at(v), v.video_id, v) for v in videos]
        return [v for _, _, v in sorted(stamped, key=lambda x: (-x[0], x[1]))]

    return newest_first(liked + old), newest_first(disliked)
