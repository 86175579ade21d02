"""The resource set for given settings: live sources, or the bundled demo data."""

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
from vrdndi_pipeline.resources.evaluation_plan import EvaluationPlan
from vrdndi_pipeline.resources.inference_store import InferenceTensorStore
from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking
from vrdndi_pipeline.resources.takeout import TakeoutWatchHistory
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder
from vrdndi_pipeline.resources.youtube import YouTubeApi, YouTubeSnapshot, YouTubeSource


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
        url=settings.aw_url,
        hostname=settings.aw_hostname,
        categories_file=settings.aw_categories_file,
        web_buckets=web_buckets,
    )


def youtube_for(settings: Settings) -> YouTubeSource:
    if settings.sources == "demo":
        return YouTubeSnapshot()
    return YouTubeApi(
        client_secret_file=settings.youtube_client_secret,
        token_file=settings.youtube_token,
        api_endpoint=settings.youtube_api_endpoint or None,
    )


def resources_for(settings: Settings) -> dict[str, Any]:
    """Every resource the assets ask for, keyed by the parameter name they use."""
    database = AppDatabase(url=settings.database_url)
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
        "tracking": tracking_for(settings),
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


def tracking_for(settings: Settings) -> MlflowTracking:
    """MLflow in a SQLite file and an artifact folder under the data folder (local-first)."""
    data_dir = settings.data_dir.expanduser().resolve()
    return MlflowTracking(
        tracking_uri=settings.mlflow_tracking_uri or f"sqlite:///{data_dir / 'mlflow.db'}",
        artifact_location=str(data_dir / "mlartifacts"),
    )
