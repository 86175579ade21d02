"""Sensors, running by default: train on enough new labels, refresh the feed when a new
champion is promoted, record failed runs for the feed site. No API calls in any of them."""

from datetime import UTC, datetime
from typing import Any

import dagster as dg

from vrdndi_pipeline.assets.champion_model import champion_model
from vrdndi_pipeline.core.settings import Settings
from vrdndi_pipeline.core.store.database import write_transaction
from vrdndi_pipeline.core.store.people_tables import RunFailure, record_run_failure
from vrdndi_pipeline.jobs import all_jobs, daily_job, feed_refresh_job, train_job
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.training_trigger import (
    current_label_count,
    labels_at_last_training,
    train_run_config,
)

ACTIVE = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]
TRAINING_JOBS = (train_job.name, daily_job.name)


def _training_in_progress(instance: dg.DagsterInstance) -> str | None:
    for name in TRAINING_JOBS:
        runs = instance.get_runs(filters=dg.RunsFilter(job_name=name, statuses=ACTIVE), limit=1)
        if runs:
            return f"{name} run {runs[0].run_id[:8]}"
    return None


def _readable(error: Any) -> str:
    """``ClassName: message`` of the user's error inside Dagster's step-execution wrapper."""
    while getattr(error, "cls_name", None) == "DagsterExecutionStepExecutionError" and getattr(
        error, "cause", None
    ):
        error = error.cause
    text = (getattr(error, "message", "") or "").strip()
    first = text.splitlines()[0] if text else "failed"
    name, sep, rest = first.partition(": ")
    return f"{name.rsplit('.', 1)[-1]}: {rest}" if sep and "." in name else first


def failure_message(context: dg.RunFailureSensorContext) -> str:
    """What failed and why, from the failed steps' errors (or the run's own message)."""
    parts = []
    for event in context.get_step_failure_events():
        error = getattr(event.event_specific_data, "error", None)
        parts.append(f"{event.step_key}: {_readable(error) if error else event.message}")
    return "; ".join(parts) or (context.failure_event.message or "the run failed")


def build_sensors(settings: Settings) -> list[dg.SensorDefinition]:
    threshold = settings.train_min_new_labels

    @dg.sensor(
        name="train_on_new_labels",
        job=train_job,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Start train_job when {threshold} or more labels (feedback clicks and "
        "labeller labels) arrived since the last training.",
    )
    def train_on_new_labels(
        context: dg.SensorEvaluationContext, database: AppDatabase
    ) -> dg.SensorResult | dg.SkipReason:
        busy = _training_in_progress(context.instance)
        if busy:
            return dg.SkipReason(f"{busy} is queued or running")
        total = current_label_count(database)
        baseline = max(labels_at_last_training(context.instance), int(context.cursor or 0))
        new = total - baseline
        if new < threshold:
            return dg.SkipReason(f"{new} new labels since the last training; {threshold} start one")
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=f"labels-{total}",
                    run_config=train_run_config(settings),
                    tags={"vrdndi/new_labels": str(new)},
                )
            ],
            cursor=str(total),
        )

    @dg.asset_sensor(
        name="feed_on_new_champion",
        asset_key=champion_model.key,
        job=feed_refresh_job,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Refresh the feed when training promotes a new champion model.",
    )
    def feed_on_new_champion(
        context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry
    ) -> dg.RunRequest | dg.SkipReason:
        materialization = asset_event.asset_materialization
        metadata = materialization.metadata if materialization else {}

        def value(key: str) -> object:
            item = metadata.get(key)
            return getattr(item, "value", item)

        version = value("winner_version")
        if not value("promoted_to_champion"):
            return dg.SkipReason(f"version {version} was not promoted")
        run = context.instance.get_run_by_id(asset_event.run_id)
        if run is not None and run.job_name == daily_job.name:
            return dg.SkipReason(f"version {version}: the daily run refreshes the feed itself")
        return dg.RunRequest(run_key=f"champion-{version}", tags={"vrdndi/champion": str(version)})

    @dg.run_failure_sensor(
        name="record_run_failures",
        monitored_jobs=all_jobs,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Log failed runs and record them for the feed site to show.",
    )
    def record_run_failures(context: dg.RunFailureSensorContext, database: AppDatabase) -> None:
        run = context.dagster_run
        message = failure_message(context)
        context.log.error("%s run %s failed: %s", run.job_name, run.run_id, message)
        with write_transaction(database.engine()) as conn:
            record_run_failure(
                conn,
                RunFailure(
                    run_id=run.run_id,
                    job_name=run.job_name,
                    failed_at=datetime.now(UTC),
                    message=message[:2000],
                ),
            )

    return [train_on_new_labels, feed_on_new_champion, record_run_failures]
