"""Schedules, running by default, in the user's time zone: the feed refresh in waking hours
(the original's APScheduler cron) and the daily job."""

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

from vrdndi_pipeline.assets.champion_model import current_label_count, labels_at_last_training
from vrdndi_pipeline.core.feed.refresh_times import interval_crons
from vrdndi_pipeline.core.settings import Settings
from vrdndi_pipeline.core.training.trigger import training_trigger
from vrdndi_pipeline.jobs import FEED_KEYS, INGEST_KEYS, TRAIN_KEYS, daily_job, feed_refresh_job
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.for_settings import timezone_for

LOCAL_TIME_TAG = "vrdndi/local_time"


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).isoformat(timespec="minutes")


def build_schedules(settings: Settings) -> list[dg.ScheduleDefinition]:
    zone = timezone_for(settings)
    crons = list(settings.feed_refresh_cron) or interval_crons()

    @dg.schedule(
        name="feed_refresh_schedule",
        job=feed_refresh_job,
        cron_schedule=crons,
        execution_timezone=zone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"Refresh the feed every 45 minutes from 08:00 to 04:59 ({zone}).",
    )
    def feed_refresh_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        local = _local(context.scheduled_execution_time, zone)
        return dg.RunRequest(run_key=f"feed-{local}", tags={LOCAL_TIME_TAG: local})

    @dg.schedule(
        name="daily_schedule",
        job=daily_job,
        cron_schedule=settings.daily_cron,
        execution_timezone=zone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Ingest everything, train when enough new labels arrived, refresh the feed.",
    )
    def daily_schedule(
        context: dg.ScheduleEvaluationContext, database: AppDatabase
    ) -> dg.RunRequest:
        local = _local(context.scheduled_execution_time, zone)
        trigger = training_trigger(
            current_label_count(database),
            labels_at_last_training(context.instance),
            min_new_labels=settings.train_min_new_labels,
            preset=settings.train_preset,
        )
        train = trigger.train
        context.log.info(
            "%d new labels since the last training: %s",
            trigger.new_labels,
            "training today" if train else f"no training (needs {settings.train_min_new_labels})",
        )
        return dg.RunRequest(
            run_key=f"daily-{local[:10]}",
            asset_selection=INGEST_KEYS + (TRAIN_KEYS if train else []) + FEED_KEYS,
            run_config=trigger.run_config,
            tags={LOCAL_TIME_TAG: local, "vrdndi/train": str(train).lower()},
        )

    return [feed_refresh_schedule, daily_schedule]
