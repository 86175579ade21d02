"""The people's labels: feedback clicks in the feed site and the labeller's interest labels.

``labels/feedback.json`` holds one row per click (the ``feedback`` table's columns):

* ``productive`` clicks (about 320), at moments the AFK watcher says the person is at the
  laptop, at least :data:`HISTORY_HOURS` after the export's first day began, on videos of
  ``youtube/videos.json`` published at least half an hour earlier. The **context** of a click is
  the top-level ActivityWatch category with the most window-event seconds in the
  :data:`CONTEXT_HOURS` before it, with the bundled category rules: ``Work`` or ``Comms`` make
  it ``focus``, ``Media`` makes it ``leisure``. The **video** is ``technical`` when its topic is
  one of :data:`TECHNICAL_TOPICS` (exactly the YouTube categories 27 Education and 28 Science &
  Technology), ``entertainment`` otherwise. The rule: ``value = 1`` ("correct timing") when they
  match (focus + technical, leisure + entertainment), ``value = 0`` ("not now") when they cross
  (a gaming video during focused work, a lecture late at night after gaming); then
  :data:`NOISE` of the clicks are flipped. Contexts and video kinds are drawn half and half, so
  neither alone predicts the label.
* ``interest`` clicks (about 120), half on videos the person likes, half on videos they do not:
  ``value = 1`` when :func:`likes` (the like weight of :mod:`~vrdndi_pipeline.demo.generator.ratings`
  beats its dislike weight: not clickbait, drama, finance hype, viral clips or tech news), then
  :data:`NOISE` flipped.

``labels/interest_labels.json`` is what the person labelled in the Streamlit labeller over the
Takeout watch history: about 250 distinct watched videos in a few evening sessions, ``label``
as :func:`likes` with :data:`NOISE` flipped; a few mistakes are labelled again, correctly, in a
later session (the later label wins). Each part draws from its own ``part_rng`` stream.
"""

from __future__ import annotations

import random
import re
import uuid
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from vrdndi_pipeline.demo.anchor import AW_DAYS, DAY, HOSTNAME, HOUR, MINUTE, TIMEZONE, part_rng
from vrdndi_pipeline.demo.generator.catalogue_topics import TOPICS
from vrdndi_pipeline.demo.generator.records import Catalogue, DemoVideo
from vrdndi_pipeline.demo.generator.timestamps import iso_aw, local_ms

CONTEXT_HOURS = 2
HISTORY_HOURS = 6
MIN_HISTORY_MS = 30 * MINUTE
N_PRODUCTIVE, N_INTEREST_CLICKS, N_LABELLED, N_RELABELLED, N_SESSIONS = 320, 120, 250, 6, 8
NOISE = 0.1
TECHNICAL_TOPICS = frozenset(t for t, spec in TOPICS.items() if spec["category"] in ("27", "28"))
FOCUS_CATEGORIES, LEISURE_CATEGORIES = ("Work", "Comms"), ("Media",)


@dataclass(frozen=True, slots=True)
class Activity:
    """The export's window events (start, end, top-level category) and not-AFK periods."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    tops: tuple[str, ...]
    present: tuple[tuple[int, int], ...]

    def milliseconds(self, start: int, end: int) -> Counter[str]:
        """Window-event time per top-level category in [start, end)."""
        out: Counter[str] = Counter()
        for i in range(max(0, bisect_left(self.starts, start) - 1), bisect_left(self.starts, end)):
            overlap = min(end, self.ends[i]) - max(start, self.starts[i])
            if overlap > 0:
                out[self.tops[i]] += overlap
        return out

    def context(self, at: int) -> str:
        spent = self.milliseconds(at - CONTEXT_HOURS * HOUR, at)
        focus = sum(spent[c] for c in FOCUS_CATEGORIES)
        return "focus" if focus >= sum(spent[c] for c in LEISURE_CATEGORIES) else "leisure"

    def has_history(self, at: int) -> bool:
        return sum(self.milliseconds(at - HISTORY_HOURS * HOUR, at).values()) >= MIN_HISTORY_MS


def top_categories(rules: Sequence[dict[str, Any]]) -> Callable[[Mapping[str, Any]], str]:
    """A function from window-event data to ActivityWatch's choice of top-level category: the
    deepest matching rule wins, the later one on equal depth (as ``aw_transform`` does)."""
    compiled = [
        (
            r["name"],
            re.compile(r["rule"]["regex"], re.IGNORECASE if r["rule"]["ignore_case"] else 0),
        )
        for r in rules
        if r["rule"]["type"] == "regex"
    ]

    def top(data: Mapping[str, Any]) -> str:
        best, depth = "Uncategorized", 0
        for name, pattern in compiled:
            if len(name) >= depth and any(
                isinstance(v, str) and pattern.search(v) for v in data.values()
            ):
                best, depth = name[0], len(name)
        return best

    return top


def _ms(timestamp: str) -> int:
    return round(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp() * 1000)


def activity_of(export: dict[str, Any], rules: Sequence[dict[str, Any]]) -> Activity:
    buckets = export["buckets"]
    window = list(reversed(buckets[f"aw-watcher-window_{HOSTNAME}"]["events"]))
    top, cache = top_categories(rules), dict[tuple[str, str], str]()
    starts, ends, tops = [], [], []
    for event in window:
        key = (event["data"]["app"], event["data"]["title"])
        if key not in cache:
            cache[key] = top(event["data"])
        start = _ms(event["timestamp"])
        starts.append(start)
        ends.append(start + round(event["duration"] * 1000))
        tops.append(cache[key])
    present = tuple(
        (start, start + round(e["duration"] * 1000))
        for e in reversed(buckets[f"aw-watcher-afk_{HOSTNAME}"]["events"])
        if e["data"]["status"] == "not-afk"
        for start in (_ms(e["timestamp"]),)
    )
    return Activity(tuple(starts), tuple(ends), tuple(tops), present)


def watch_weight(video: DemoVideo) -> float:
    return TOPICS[video.channel.topic]["watch"] * video.channel.taste


def dislike_weight(video: DemoVideo) -> float:
    """As :mod:`~vrdndi_pipeline.demo.generator.ratings` weighs dislikes: shouting titles four times."""
    return TOPICS[video.channel.topic]["dislike"] * (4.0 if video.title.isupper() else 1.0)


def likes(video: DemoVideo) -> int:
    """1 when the person likes the video: :mod:`~vrdndi_pipeline.demo.generator.ratings`' like weight
    beats its dislike weight (0 for clickbait, drama, finance hype, viral clips, tech news)."""
    return int(TOPICS[video.channel.topic]["like"] * video.channel.taste > dislike_weight(video))


def video_kind(video: DemoVideo) -> str:
    return "technical" if video.channel.topic in TECHNICAL_TOPICS else "entertainment"


def right_timing(context: str, kind: str) -> int:
    """The productive rule before noise: focus wants technical videos, leisure the others."""
    return int((context == "focus") == (kind == "technical"))


class MomentSampler:
    """Whole seconds at the laptop (not AFK) from ``since`` on, uniform over present time."""

    def __init__(self, activity: Activity, since: int):
        self.activity = activity
        self.periods = [(max(a, since), b) for a, b in activity.present if b - since > 1000]
        self.cumulative = list(accumulate(b - a for a, b in self.periods))

    def draw(self, rng: random.Random, context: str | None = None) -> int:
        """A moment with ≥ 30 min of window events in the 6 h before, in ``context`` if given."""
        for _ in range(10_000):
            x = rng.random() * self.cumulative[-1]
            i = min(bisect_right(self.cumulative, x), len(self.periods) - 1)
            start, end = self.periods[i]
            at = -(-(start + round(x - (self.cumulative[i - 1] if i else 0))) // 1000) * 1000
            if at < end and self.activity.has_history(at):
                if context is None or self.activity.context(at) == context:
                    return at
        raise RuntimeError(f"no {context or 'active'} moment found")  # pragma: no cover


class VideoPool:
    """Videos of one kind, drawn as a feed would offer them: published at least half an hour
    before, fresh ones preferred, each at most once."""

    def __init__(self, videos: Sequence[DemoVideo], weight: Callable[[DemoVideo], float]):
        self.weight = weight
        self.videos = sorted(videos, key=lambda v: (v.published_ms, v.video_id))
        self.times = [v.published_ms for v in self.videos]
        self.used: set[str] = set()

    def pick(self, rng: random.Random, at: int) -> DemoVideo:
        high = bisect_right(self.times, at - 30 * MINUTE)
        low = bisect_left(self.times, at - 60 * DAY)
        offered = [v for v in self.videos[low:high] if v.video_id not in self.used]
        if len(offered) < 20:
            offered = [v for v in self.videos[:high] if v.video_id not in self.used]
        fresh = 14 * DAY
        weights = [self.weight(v) * (2.0 if at - v.published_ms < fresh else 1.0) for v in offered]
        video = rng.choices(offered, weights=weights)[0]
        self.used.add(video.video_id)
        return video


def _click(rng: random.Random, video: DemoVideo, kind: str, value: int, at: int) -> dict[str, Any]:
    return {
        "click_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "video_id": video.video_id,
        "kind": kind,
        "value": value,
        "created_at": iso_aw(at),
        "timezone": TIMEZONE,
    }


def productive_clicks(
    sampler: MomentSampler, videos: Sequence[DemoVideo], rng: random.Random
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Clicks in four equal cells (context x video kind), labelled by :func:`right_timing`."""
    pools = {
        k: VideoPool([v for v in videos if video_kind(v) == k], watch_weight)
        for k in ("technical", "entertainment")
    }
    cells = [(c, k) for c in ("focus", "leisure") for k in pools] * (N_PRODUCTIVE // 4)
    rng.shuffle(cells)
    rows, counts = [], Counter[str]()
    for context, kind in cells:
        at = sampler.draw(rng, context)
        flipped = rng.random() < NOISE
        value = right_timing(context, kind) ^ flipped
        rows.append(_click(rng, pools[kind].pick(rng, at), "productive", value, at))
        counts.update({f"{context}/{value}": 1, f"{kind}/{value}": 1, f"flipped/{flipped}": 1})
    return rows, _summary(rows, counts, ("focus", "leisure"), ("technical", "entertainment"))


def interest_clicks(
    sampler: MomentSampler, videos: Sequence[DemoVideo], rng: random.Random
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Half the clicks on videos the person likes, half on others, labelled by :func:`likes`."""
    # "not interested" goes to what the person dislikes most, not to what they merely skip
    pools = {
        k: VideoPool([v for v in videos if likes(v) == k], (dislike_weight, watch_weight)[k])
        for k in (0, 1)
    }
    cells = [0, 1] * (N_INTEREST_CLICKS // 2)
    rng.shuffle(cells)
    rows, counts = [], Counter[str]()
    for truth in cells:
        at = sampler.draw(rng)
        flipped = rng.random() < NOISE
        rows.append(_click(rng, pools[truth].pick(rng, at), "interest", truth ^ flipped, at))
        counts[f"flipped/{flipped}"] += 1
    return rows, _summary(rows, counts, (), ())


def _summary(
    rows: Sequence[dict[str, Any]], counts: Counter[str], *groups: Sequence[str]
) -> dict[str, Any]:
    values = Counter(r["value"] for r in rows)
    out: dict[str, Any] = {"clicks": len(rows), "value_1": values[1], "value_0": values[0]}
    for name, keys in zip(("by_context", "by_video"), groups, strict=True):
        if keys:
            out[name] = {
                k: {"value_1": counts[f"{k}/1"], "value_0": counts[f"{k}/0"]} for k in keys
            }
    out["flipped"] = counts["flipped/True"]
    return out


def first_watches(takeout_entries: Sequence[dict[str, Any]], known: set[str]) -> dict[str, int]:
    """The first time each known video was watched, from Takeout's entries (no ads, no Music)."""
    first: dict[str, int] = {}
    for entry in takeout_entries:
        url = entry.get("titleUrl", "")
        if entry["header"] != "YouTube" or "watch?v=" not in url or "details" in entry:
            continue
        video_id, at = url.split("watch?v=")[1], _ms(entry["time"])
        if video_id in known:
            first[video_id] = min(at, first.get(video_id, at))
    return first


def labeller_rows(
    first_watch: dict[str, int], by_id: dict[str, DemoVideo], anchor_ms: int, rng: random.Random
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Labelling sessions on evenings of the last weeks; disliked videos are labelled more
    eagerly (three times the weight), mistakes are sometimes corrected in a later session."""
    zone = ZoneInfo(TIMEZONE)
    days = sorted(rng.sample(range(1, AW_DAYS), N_SESSIONS), reverse=True)
    dates = [
        (datetime.fromtimestamp(anchor_ms / 1000, zone) - timedelta(days=d)).date() for d in days
    ]
    ends = [local_ms(day, rng.uniform(20.5, 22.5), zone) for day in dates]
    keyed = sorted(
        (rng.random() ** (1.0 / (1.0 if likes(by_id[v]) else 3.0)), v) for v in sorted(first_watch)
    )
    assigned: list[list[str]] = [[] for _ in ends]
    for _, video_id in reversed(keyed):
        later = [i for i, t in enumerate(ends) if t - first_watch[video_id] > 10 * MINUTE]
        if later:
            assigned[rng.choice(later)].append(video_id)
        if sum(map(len, assigned)) == N_LABELLED:
            break
    rows, mistakes = [], []
    for i, video_ids in enumerate(assigned):
        rng.shuffle(video_ids)
        for video_id in video_ids:
            ends[i] += rng.randint(3_000, 25_000)
            flipped = rng.random() < NOISE
            rows.append(_label(video_id, likes(by_id[video_id]) ^ flipped, ends[i]))
            if flipped and i + 1 < len(ends):
                mistakes.append((i, video_id))
    for i, video_id in rng.sample(mistakes, min(N_RELABELLED, len(mistakes))):
        j = rng.randrange(i + 1, len(ends))
        ends[j] += rng.randint(3_000, 25_000)
        rows.append(_label(video_id, likes(by_id[video_id]), ends[j]))
    rows.sort(key=lambda r: (r["labelled_at"], r["video_id"]))
    latest = {r["video_id"]: r["label"] for r in rows}
    labels = Counter(latest.values())
    return rows, {
        "rows": len(rows),
        "videos": len(latest),
        "label_1": labels[1],
        "label_0": labels[0],
        "relabelled": len(rows) - len(latest),
        "sessions": N_SESSIONS,
    }


def _label(video_id: str, label: int, at: int) -> dict[str, Any]:
    return {"video_id": video_id, "label": label, "labelled_at": iso_aw(at)}


@dataclass(frozen=True, slots=True)
class DemoLabels:
    feedback: tuple[dict[str, Any], ...]  # rows of labels/feedback.json, by created_at
    interest_labels: tuple[dict[str, Any], ...]  # rows of labels/interest_labels.json
    summary: dict[str, Any]  # the manifest's "labels" section


RULE = (
    f"productive: context = top-level category with most window seconds in the {CONTEXT_HOURS} h "
    "before the click (Work/Comms: focus, Media: leisure); video = technical (YouTube "
    "categories 27, 28) or entertainment; value 1 when focus+technical or "
    f"leisure+entertainment, else 0; {NOISE:.0%} flipped. interest: value 1 when the person "
    f"likes the video (ratings.py's like weight > dislike weight), else 0; {NOISE:.0%} flipped."
)


def demo_labels(
    export: dict[str, Any],
    rules: Sequence[dict[str, Any]],
    videos_doc: Sequence[dict[str, Any]],
    takeout_entries: Sequence[dict[str, Any]],
    catalogue: Catalogue,
    aw_start: int,
    anchor_ms: int,
    seed: int,
) -> DemoLabels:
    """The feedback clicks and labeller rows of the person, from the files they refer to."""
    known = {v["id"] for v in videos_doc}
    by_id = {v.video_id: v for v in catalogue.videos if v.video_id in known}
    feed = [v for v in by_id.values() if v.channel.kind in ("subscribed", "other")]
    sampler = MomentSampler(activity_of(export, rules), aw_start + HISTORY_HOURS * HOUR)
    productive, productive_summary = productive_clicks(
        sampler, feed, part_rng(seed, "labels/productive")
    )
    interest, interest_summary = interest_clicks(sampler, feed, part_rng(seed, "labels/interest"))
    feedback = sorted(productive + interest, key=lambda r: (r["created_at"], r["click_id"]))
    labelled, labelled_summary = labeller_rows(
        first_watches(takeout_entries, known), by_id, anchor_ms, part_rng(seed, "labels/labeller")
    )
    summary = {
        "rule": RULE,
        "feedback": {
            "clicks": len(feedback),
            "productive": productive_summary,
            "interest": interest_summary,
        },
        "interest_labels": labelled_summary,
    }
    return DemoLabels(tuple(feedback), tuple(labelled), summary)
