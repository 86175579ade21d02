"""``youtube_videos``: videos from subscriptions, likes/dislikes and the Takeout history."""

from datetime import UTC, datetime

import dagster as dg
from pydantic import Field

from vrdndi_pipeline.assets.asset_tags import asset_catalog
from vrdndi_pipeline.core.sources.youtube.ingest import (
    RECHECK_UNDESCRIBABLE_DAYS,
    ApiCalls,
    add_takeout_history,
    fetch_account_videos,
    write_youtube_videos,
)
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.takeout import TakeoutWatchHistory
from vrdndi_pipeline.resources.youtube.source import YouTubeError, YouTubeSource


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


@dg.asset(
    **asset_catalog("ingest", source="youtube"),
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
    calls = ApiCalls(stops_on=YouTubeError)
    fetch_account_videos(calls, youtube, engine, config, now=started)
    found = add_takeout_history(calls, youtube, engine, takeout.load(), config, now=started)
    written = write_youtube_videos(engine, found, datetime.now(UTC))
    context.log.info(written.summary_line())
    if found.failure is not None:
        context.log.warning(written.failure_line())
        raise found.failure
    return dg.MaterializeResult(metadata=written.metadata())
