"""One run of the ``youtube_videos`` ingest: which API calls it makes, which watched videos it
looks up, and what it writes.

A run (1) fetches the new uploads of subscriptions and the liked and disliked videos
(:func:`fetch_account_videos`), (2) looks up through the API the videos of the Takeout watch
history that no row describes yet (:func:`add_takeout_history`), keeping a file-only row for
those the API cannot describe, and (3) writes all of it in one transaction
(:func:`write_youtube_videos`).

The calls are made in order, and the first that fails with YouTube's own error (quota, token,
network: the caller names the type, see :class:`ApiCalls`) stops the others; what the completed
calls fetched is still written (each call's result is whole, so every cursor stays right and
no quota is wasted) and the caller raises the failure afterwards.

A watched video the API did not describe (deleted, private) is remembered in
``undescribable_videos`` and not asked for again until ``recheck_undescribable_days`` have
passed since it was last asked for; a re-check that finds the video forgets it, one that does
not bumps ``times_checked``.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from sqlalchemy import Connection, Engine

from vrdndi_pipeline.core.records import Rating, Video, VideoRating, VideoSource, WatchEntry
from vrdndi_pipeline.core.sources.takeout.history import TakeoutHistory
from vrdndi_pipeline.core.sources.youtube.items import YouTubeFetch
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.quarantine import record_rejections
from vrdndi_pipeline.core.store.source_tables import (
    known_undescribable,
    known_video_ids,
    latest_upload_per_channel,
    record_undescribable,
    write_ratings,
    write_videos,
    write_watch_history,
)
from vrdndi_pipeline.core.store.upserts import UpsertCounts
from vrdndi_pipeline.core.validation import Rejection

RECHECK_UNDESCRIBABLE_DAYS = 90
"""A deleted or private video rarely comes back; asking about it again after a quarter costs
one quota unit per 50 such ids and catches a video made public again."""

TAKEOUT_LOOKUP = "takeout_lookup"
# The calls for rated videos: the call's name (its metadata key) and the rating it asks for.
RATED_CALLS: tuple[tuple[str, Rating], ...] = (("liked", "like"), ("disliked", "dislike"))


class YouTubeClient(Protocol):
    """What an ingest asks of YouTube (``resources.youtube.YouTubeSource`` is one)."""

    def subscription_uploads(self, published_after: Mapping[str, datetime]) -> YouTubeFetch: ...

    def rated_videos(self, rating: Rating) -> YouTubeFetch: ...

    def video_details(self, video_ids: Sequence[str], source: VideoSource) -> YouTubeFetch: ...


class YouTubeIngestOptions(Protocol):
    """What a run fetches (the asset's run config is one)."""

    @property
    def subscriptions(self) -> bool:
        """Fetch new uploads of subscriptions."""

    @property
    def ratings(self) -> bool:
        """Fetch liked and disliked videos."""

    @property
    def enrich_takeout(self) -> bool:
        """Look up watched videos without API details (off: keep what the Takeout file says)."""

    @property
    def recheck_undescribable_days(self) -> int:
        """Days before a video the API could not describe is asked for again."""


class ApiCalls:
    """The API calls of one run, by name in the order made. After the first that raises
    ``stops_on`` (YouTube's own error) no other is made, and that error is kept in ``failure``
    to raise once what was fetched before it is written. Any other exception propagates."""

    def __init__(self, stops_on: type[Exception]) -> None:
        self.stops_on = stops_on
        self.done: dict[str, YouTubeFetch] = {}
        self.failure: Exception | None = None

    def run(self, name: str, call: Callable[[], YouTubeFetch]) -> YouTubeFetch | None:
        """``call``'s fetch, kept under ``name``; ``None`` when it failed or was not made."""
        if self.failure is not None:
            return None
        try:
            fetch = call()
        except self.stops_on as error:
            self.failure = error
            return None
        self.done[name] = fetch
        return fetch


def fetch_account_videos(
    calls: ApiCalls,
    youtube: YouTubeClient,
    engine: Engine,
    options: YouTubeIngestOptions,
    *,
    now: datetime,
) -> None:
    """Runs, in order, ``subscriptions`` (uploads newer than each channel's newest stored one)
    and ``liked`` and ``disliked``, each when ``options`` asks for it, through ``calls``."""
    with read_transaction(engine) as conn:
        cursors = latest_upload_per_channel(conn, now=now)
    if options.subscriptions:
        calls.run("subscriptions", lambda: youtube.subscription_uploads(cursors))
    if options.ratings:
        for name, rating in RATED_CALLS:
            calls.run(name, partial(youtube.rated_videos, rating))


def distinct_videos(fetches: Iterable[YouTubeFetch]) -> dict[str, Video]:
    """Each video id once, as the first fetch that has it describes it."""
    found: dict[str, Video] = {}
    for fetch in fetches:
        for video in fetch.videos:
            found.setdefault(video.video_id, video)
    return found


def ids_missing_details(entries: Iterable[WatchEntry], described: Container[str]) -> list[str]:
    """Watched video ids not in ``described``, once each, in file order."""
    return list(dict.fromkeys(e.video_id for e in entries if e.video_id not in described))


@dataclass(frozen=True, slots=True)
class TakeoutLookup:
    """What a run knows of the watched videos before asking the API.

    ``stored``: ids whose API details are stored. ``missing``: the others not fetched this run,
    in file order. ``ask``: those of ``missing`` not found undescribable since the re-check time.
    """

    stored: frozenset[str]
    missing: tuple[str, ...]
    ask: tuple[str, ...]

    @property
    def known_undescribable(self) -> int:
        return len(self.missing) - len(self.ask)


def plan_takeout_lookup(
    conn: Connection,
    entries: Sequence[WatchEntry],
    fetched: Iterable[str],
    *,
    checked_after: datetime,
) -> TakeoutLookup:
    """Which watched videos to ask the API about: those neither stored with API details nor
    ``fetched`` this run, less those the API did not describe when asked after
    ``checked_after``."""
    stored = frozenset(known_video_ids(conn, (e.video_id for e in entries)))
    missing = ids_missing_details(entries, stored.union(fetched))
    undescribable = known_undescribable(conn, missing, checked_after=checked_after)
    ask = tuple(v for v in missing if v not in undescribable)
    return TakeoutLookup(stored, tuple(missing), ask)


def file_only_videos(entries: Iterable[WatchEntry], described: Container[str]) -> list[Video]:
    """Rows from the Takeout file alone (title and channel) for watched videos not in
    ``described`` (deleted, private, or not looked up): one per id, from its first entry
    with a title."""
    videos: dict[str, Video] = {}
    for entry in entries:
        if entry.video_id in described or entry.video_id in videos or entry.title is None:
            continue
        videos[entry.video_id] = Video(
            video_id=entry.video_id,
            title=entry.title,
            channel_id=entry.channel_id,
            channel_title=entry.channel_title,
            description=None,
            duration_s=None,
            published_at=None,
            source="takeout",
            details_from="takeout",
        )
    return list(videos.values())


@dataclass(frozen=True, slots=True)
class YouTubeIngest:
    """What one run has to write. ``fetches``: the completed API calls by name, in order;
    ``api_videos``: each video they described, once; ``file_only``: the Takeout-only rows;
    ``failure``: YouTube's error that stopped the calls, to raise once this is written."""

    fetches: Mapping[str, YouTubeFetch]
    api_videos: tuple[Video, ...]
    file_only: tuple[Video, ...]
    history: TakeoutHistory | None
    skipped_known_undescribable: int = 0
    failure: Exception | None = None

    @property
    def ratings(self) -> list[VideoRating]:
        return [
            VideoRating(v.video_id, rating)
            for name, rating in RATED_CALLS
            for v in self.fetches.get(name, YouTubeFetch()).videos
        ]

    @property
    def api_rejections(self) -> list[Rejection]:
        return [r for fetch in self.fetches.values() for r in fetch.rejections]

    @property
    def takeout_rejections(self) -> tuple[Rejection, ...]:
        return self.history.rejections if self.history else ()

    @property
    def lookup(self) -> YouTubeFetch:
        return self.fetches.get(TAKEOUT_LOOKUP, YouTubeFetch())


def add_takeout_history(
    calls: ApiCalls,
    youtube: YouTubeClient,
    engine: Engine,
    history: TakeoutHistory | None,
    options: YouTubeIngestOptions,
    *,
    now: datetime,
) -> YouTubeIngest:
    """The run's videos: those ``calls`` fetched, the watched ones looked up through the API
    (``takeout_lookup``, when ``options.enrich_takeout`` and ``calls`` has not failed; their
    source is ``takeout``; those the API did not describe after ``now`` less
    ``options.recheck_undescribable_days`` are not asked for), and a file-only row for each
    watched video still undescribed."""
    found = distinct_videos(calls.done.values())
    if history is None:
        return YouTubeIngest(dict(calls.done), tuple(found.values()), (), None, 0, calls.failure)
    enrich = options.enrich_takeout
    checked_after = now - timedelta(days=options.recheck_undescribable_days)
    with read_transaction(engine) as conn:
        plan = plan_takeout_lookup(conn, history.entries, found, checked_after=checked_after)
    if enrich and plan.ask:
        lookup = calls.run(TAKEOUT_LOOKUP, lambda: youtube.video_details(list(plan.ask), "takeout"))
        for video in lookup.videos if lookup else ():
            found.setdefault(video.video_id, dataclasses.replace(video, source="takeout"))
    return YouTubeIngest(
        fetches=dict(calls.done),
        api_videos=tuple(found.values()),
        file_only=tuple(file_only_videos(history.entries, plan.stored | found.keys())),
        history=history,
        skipped_known_undescribable=plan.known_undescribable if enrich else 0,
        failure=calls.failure,
    )


def _reasons(rejections: Iterable[Rejection]) -> dict[str, int]:
    return dict(Counter(r.reason for r in rejections))


@dataclass(frozen=True, slots=True)
class YouTubeVideosWritten:
    """What :func:`write_youtube_videos` wrote for ``ingest``, and how a run reports it."""

    ingest: YouTubeIngest
    videos: UpsertCounts
    ratings: UpsertCounts
    history: UpsertCounts
    rejected_items_written: int
    undescribable_recorded: int

    def summary_line(self) -> str:
        rejected = len(self.ingest.api_rejections) + len(self.ingest.takeout_rejections)
        return (
            f"videos: {self.videos.inserted} new, {self.videos.updated} updated; "
            f"{self.ratings.inserted} ratings, {self.history.inserted} history lines new; "
            f"{rejected} items rejected"
        )

    def failure_line(self) -> str:
        return (
            f"YouTube failed after {', '.join(self.ingest.fetches) or 'no completed call'}; "
            f"kept what they fetched ({len(self.ingest.api_videos)} videos) and stopped there"
        )

    def metadata(self) -> dict[str, Any]:
        """The run's metadata (plain values; a dict is shown as JSON)."""
        fetches, history = self.ingest.fetches, self.ingest.history
        skipped: Counter[str] = Counter()
        for fetch in fetches.values():
            skipped.update(fetch.skipped)
        return {
            **{f"fetched_{name}": len(f.videos) for name, f in fetches.items()},
            **self.videos.as_metadata("videos_"),
            **self.ratings.as_metadata("ratings_"),
            **self.history.as_metadata("history_"),
            "api_requests": sum(f.requests for f in fetches.values()),
            "api_quota_units": sum(f.quota_units for f in fetches.values()),
            "skipped_api_items": dict(skipped),
            "rejected_api_items": _reasons(self.ingest.api_rejections),
            "rejected_takeout_items": _reasons(self.ingest.takeout_rejections),
            "rejected_items_written": self.rejected_items_written,
            "skipped_known_undescribable": self.ingest.skipped_known_undescribable,
            "undescribable_recorded": self.undescribable_recorded,
            "takeout": {
                "entries": len(history.entries),
                "skipped": history.skipped,
                "repaired": history.repaired,
                "file_only_videos": len(self.ingest.file_only),
            }
            if history
            else {"file": "none"},
        }


def write_youtube_videos(
    engine: Engine, ingest: YouTubeIngest, now: datetime
) -> YouTubeVideosWritten:
    """Everything of ``ingest`` in one transaction: ``videos`` (API rows, then file-only rows),
    ``video_ratings``, ``watch_history``, the rejected items of the API and of the Takeout
    file, and the looked-up ids the API did not describe (forgetting those it did)."""
    history = ingest.history.entries if ingest.history else ()
    with write_transaction(engine) as conn:
        videos = write_videos(conn, [*ingest.api_videos, *ingest.file_only], now)
        ratings = write_ratings(conn, ingest.ratings, now)
        watched = write_watch_history(conn, history)
        quarantined = record_rejections(conn, "youtube", ingest.api_rejections, now)
        quarantined += record_rejections(conn, "takeout", ingest.takeout_rejections, now)
        lookup = ingest.lookup
        recorded = record_undescribable(
            conn, lookup.not_found, (v.video_id for v in lookup.videos), now
        )
    return YouTubeVideosWritten(ingest, videos, ratings, watched, quarantined, recorded)
