"""``youtube_videos``: videos from subscriptions, likes/dislikes and the Takeout history."""

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import dagster as dg
from pydantic import Field

from vrdndi_pipeline.asset_tags import OWNERS, asset_tags
from vrdndi_pipeline.core.records import Video, VideoRating
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
from vrdndi_pipeline.core.takeout import TakeoutHistory
from vrdndi_pipeline.core.validation import Rejection
from vrdndi_pipeline.core.youtube_items import YouTubeFetch
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.takeout import TakeoutWatchHistory
from vrdndi_pipeline.resources.youtube import YouTubeError, YouTubeSource

RECHECK_UNDESCRIBABLE_DAYS = 90
"""A deleted or private video rarely comes back; asking about it again after a quarter costs
one quota unit per 50 such ids and catches a video made public again."""


class YouTubeVideosConfig(dg.Config):
    subscriptions: bool = Field(default=True, description="Fetch new uploads of subscriptions.")
    ratings: bool = Field(default=True, description="Fetch liked and disliked videos.")
    enrich_takeout: bool = Field(
        default=True,
        description="Look up watched videos missing from the database through the API "
        "(1 quota unit per 50 videos); off: keep what the Takeout file says.",
    )
    recheck_undescribable_days: int = Field(
        default=RECHECK_UNDESCRIBABLE_DAYS,
        ge=0,
        description="Days before a watched video the API could not describe (deleted, "
        "private) is asked for again; until then it is not looked up (0: every run).",
    )


def _takeout_videos(history: TakeoutHistory, found: dict[str, Video | None]) -> list[Video]:
    """File-only rows for watched videos the API could not describe (deleted, private)."""
    videos = []
    for entry in history.entries:
        if entry.video_id in found or entry.title is None:
            continue
        video = Video(
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
        found[entry.video_id] = video
        videos.append(video)
    return videos


def _reasons(rejections: Iterable[Rejection]) -> dict[str, int]:
    return dict(Counter(r.reason for r in rejections))


class _Fetches:
    """The API calls of one run; after the first that fails (quota, token, network) no other
    is made, and the failure is kept to raise once what was fetched before it is written."""

    def __init__(self) -> None:
        self.done: dict[str, YouTubeFetch] = {}
        self.failure: YouTubeError | None = None

    def run(self, name: str, call: Callable[[], YouTubeFetch]) -> None:
        if self.failure is not None:
            return
        try:
            self.done[name] = call()
        except YouTubeError as error:
            self.failure = error


@dg.asset(
    group_name="ingest",
    owners=OWNERS,
    tags=asset_tags("ingest", source="youtube"),
    kinds={"youtube", "sql"},
)
def youtube_videos(
    context: dg.AssetExecutionContext,
    config: YouTubeVideosConfig,
    youtube: YouTubeSource,
    takeout: TakeoutWatchHistory,
    database: AppDatabase,
) -> dg.MaterializeResult:
    """YouTube videos the user could be shown or has reacted to, deduplicated.

    One row of table `videos` per video id (original-case title, channel, description,
    duration in seconds, published time, where it came from), plus `video_ratings` (one row
    per liked/disliked video) and `watch_history` (one row per video and moment watched).
    Items that fail validation (an API video dated in year 9999, a Takeout line without a
    usable time) are left out and kept in `rejected_items`; they never stop the run.
    Watched videos the API did not describe (deleted, private) are remembered in
    `undescribable_videos` and not asked for again until `recheck_undescribable_days`
    (default 90) have passed since they were last asked for; a re-check that finds the video
    forgets it, one that does not bumps `times_checked`. The metadata counts the ids not asked
    for (`skipped_known_undescribable`) and those recorded (`undescribable_recorded`).
    Everything is written in one transaction. When YouTube itself fails (quota, token,
    network), no further call is made, what the completed calls fetched is written (each
    call's result is whole, so every cursor stays right and no quota is wasted), and the run
    then fails with YouTube's error.
    """
    engine = database.engine()
    started = datetime.now(UTC)
    with read_transaction(engine) as conn:
        cursors = latest_upload_per_channel(conn)
    calls = _Fetches()
    if config.subscriptions:
        calls.run("subscriptions", lambda: youtube.subscription_uploads(cursors))
    if config.ratings:
        calls.run("liked", lambda: youtube.rated_videos("like"))
        calls.run("disliked", lambda: youtube.rated_videos("dislike"))
    fetches = calls.done
    skipped_undescribable = 0

    found: dict[str, Video] = {}
    for fetch in fetches.values():
        for video in fetch.videos:
            found.setdefault(video.video_id, video)

    history = takeout.load()
    if history is not None:
        recheck_after = started - timedelta(days=config.recheck_undescribable_days)
        with read_transaction(engine) as conn:
            stored = known_video_ids(conn, (e.video_id for e in history.entries))
            known = stored | found.keys()
            missing = list(
                dict.fromkeys(e.video_id for e in history.entries if e.video_id not in known)
            )
            undescribable = known_undescribable(conn, missing, checked_after=recheck_after)
        ask = [v for v in missing if v not in undescribable]
        if config.enrich_takeout:
            skipped_undescribable = len(missing) - len(ask)
        if config.enrich_takeout and ask:
            calls.run("takeout_lookup", lambda: youtube.video_details(ask, "takeout"))
            for video in fetches.get("takeout_lookup", YouTubeFetch()).videos:
                found.setdefault(video.video_id, dataclasses.replace(video, source="takeout"))
        file_only = _takeout_videos(history, dict.fromkeys(stored) | found)
    else:
        file_only = []

    ratings = [
        VideoRating(v.video_id, "like") for v in fetches.get("liked", YouTubeFetch(())).videos
    ]
    ratings += [
        VideoRating(v.video_id, "dislike") for v in fetches.get("disliked", YouTubeFetch(())).videos
    ]
    api_rejections = [r for fetch in fetches.values() for r in fetch.rejections]
    takeout_rejections = history.rejections if history else ()
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        video_counts = write_videos(conn, [*found.values(), *file_only], now)
        rating_counts = write_ratings(conn, ratings, now)
        history_counts = write_watch_history(conn, history.entries if history else ())
        quarantined = record_rejections(conn, "youtube", api_rejections, now)
        quarantined += record_rejections(conn, "takeout", takeout_rejections, now)
        lookup = fetches.get("takeout_lookup", YouTubeFetch())
        undescribable_recorded = record_undescribable(
            conn, lookup.not_found, (v.video_id for v in lookup.videos), now
        )

    skipped: Counter[str] = Counter()
    for fetch in fetches.values():
        skipped.update(fetch.skipped)
    context.log.info(
        "videos: %d new, %d updated; %d ratings, %d history lines new; %d items rejected",
        video_counts.inserted,
        video_counts.updated,
        rating_counts.inserted,
        history_counts.inserted,
        len(api_rejections) + len(takeout_rejections),
    )
    if calls.failure is not None:
        context.log.warning(
            "YouTube failed after %s; kept what they fetched (%d videos) and stopped there",
            ", ".join(fetches) or "no completed call",
            len(found),
        )
        raise calls.failure
    return dg.MaterializeResult(
        metadata={
            **{f"fetched_{name}": len(f.videos) for name, f in fetches.items()},
            **video_counts.as_metadata("videos_"),
            **rating_counts.as_metadata("ratings_"),
            **history_counts.as_metadata("history_"),
            "api_requests": sum(f.requests for f in fetches.values()),
            "api_quota_units": sum(f.quota_units for f in fetches.values()),
            "skipped_api_items": dg.MetadataValue.json(dict(skipped)),
            "rejected_api_items": dg.MetadataValue.json(_reasons(api_rejections)),
            "rejected_takeout_items": dg.MetadataValue.json(_reasons(takeout_rejections)),
            "rejected_items_written": quarantined,
            "skipped_known_undescribable": skipped_undescribable,
            "undescribable_recorded": undescribable_recorded,
            "takeout": dg.MetadataValue.json(
                {
                    "entries": len(history.entries),
                    "skipped": history.skipped,
                    "repaired": history.repaired,
                    "file_only_videos": len(file_only),
                }
                if history
                else {"file": "none"}
            ),
        }
    )
