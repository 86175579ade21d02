"""The resource set for given settings: live sources, or the bundled demo data.

Dagster shows resource config in its UI (the Resources tab, the launchpad's defaults) and keeps
it in its snapshots. A URL that may hold a password (a PostgreSQL database, an MLflow server or
store, a remote ActivityWatch, an API endpoint) therefore reaches a resource as
`dg.EnvVar("VRDNDI_...")` when the user set it in the environment: the UI shows the variable's
name, and Dagster reads the value when a run builds the resource. Defaults (files under the data
folder) and file paths stay plain values: they hold no secret and are worth seeing in the UI.
"""

from __future__ import annotations

from typing import Any

from vrdndi_pipeline.core.settings import Settings
from vrdndi_pipeline.demo.anchor import ANCHOR as DEMO_NOW
from vrdndi_pipeline.resources.activitywatch import (
    DEMO_DATA_DIR,
    ActivityWatchExport,
    ActivityWatchServer,
    ActivityWatchSource,
)
from vrdndi_pipeline.resources.clock import Clock, FixedClock, SystemClock
from vrdndi_pipeline.resources.database import AppDatabase, SqlTableIOManager
from vrdndi_pipeline.resources.env_var_config import from_variable
from vrdndi_pipeline.resources.evaluation_plan import EvaluationPlan
from vrdndi_pipeline.resources.inference_store import InferenceTensorStore
from vrdndi_pipeline.resources.mlflow_tracking import tracking_for
from vrdndi_pipeline.resources.takeout import TakeoutWatchHistory
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder
from vrdndi_pipeline.resources.youtube.source import (
    ENDPOINT_SETTING,
    YouTubeApi,
    YouTubeSnapshot,
    YouTubeSource,
    checked_endpoint,
)


def activitywatch_for(settings: Settings) -> ActivityWatchSource:
    if settings.sources == "demo":
        return ActivityWatchExport()
    web_buckets = dict(settings.aw_web_buckets)
    if settings.aw_export_file:
        return ActivityWatchExport(
            path=settings.aw_export_file,
            hostname=settings.aw_hostname,
            categories_file=settings.aw_categories_file,
            web_buckets=web_buckets,
            max_import_mb=settings.max_import_mb,
        )
    return ActivityWatchServer(
        url=from_variable(settings, "VRDNDI_AW_URL", settings.aw_url),
        hostname=settings.aw_hostname,
        categories_file=settings.aw_categories_file,
        web_buckets=web_buckets,
    )


def youtube_for(settings: Settings) -> YouTubeSource:
    if settings.sources == "demo":
        return YouTubeSnapshot()
    endpoint = settings.youtube_api_endpoint
    if endpoint:
        # checked now, with the setting's name, though an EnvVar would be checked at run time
        checked_endpoint(endpoint, ENDPOINT_SETTING)
    return YouTubeApi(
        client_secret_file=settings.youtube_client_secret,
        token_file=settings.youtube_token,
        api_endpoint=from_variable(settings, ENDPOINT_SETTING, endpoint) if endpoint else None,
    )


def resources_for(settings: Settings) -> dict[str, Any]:
    """Every resource the assets ask for, keyed by the parameter name they use."""
    database = AppDatabase(
        url=from_variable(settings, "VRDNDI_DATABASE_URL", settings.database_url)
    )
    takeout_path = (
        str(DEMO_DATA_DIR / "takeout" / "watch-history.json")
        if settings.sources == "demo"
        else settings.takeout_path
    )
    return {
        "database": database,
        "io_manager": SqlTableIOManager(database=database),
        "activitywatch": activitywatch_for(settings),
        "youtube": youtube_for(settings),
        "takeout": TakeoutWatchHistory(path=takeout_path, max_import_mb=settings.max_import_mb),
        "tracking": tracking_for(settings, env_vars=True),
        "clock": clock_for(settings),
        "inference_store": InferenceTensorStore(
            root=str(settings.data_dir.expanduser().resolve() / "inference")
        ),
        "user_timezone": timezone_for(settings),
        "text_encoder": SentenceEncoder(model_name=settings.text_encoder),
        "evaluation": EvaluationPlan(),
    }


def timezone_for(settings: Settings) -> str:
    """The zone schedules, features and clicks use (see `Settings.user_timezone`)."""
    return settings.user_timezone


def clock_for(settings: Settings) -> Clock:
    """`VRDNDI_NOW` when set; on demo data the demo's own "now" (its data ends there)."""
    if settings.now is not None:
        return FixedClock(moment=settings.now.isoformat())
    if settings.sources == "demo":
        return FixedClock(moment=DEMO_NOW.isoformat())
    return SystemClock()
