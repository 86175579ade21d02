"""Sensors, running by default: train on enough new labels, evaluate the feed's automation
conditions (refresh when a new champion is promoted), record failed runs for the feed site.
No API calls in any of them."""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from vrdndi_pipeline.assets.champion_model import current_label_count, labels_at_last_training
from vrdndi_pipeline.core.settings import Settings
from vrdndi_pipeline.core.store.database import write_transaction
from vrdndi_pipeline.core.store.people_tables import RunFailure, record_run_failure
from vrdndi_pipeline.core.training.trigger import training_trigger
from vrdndi_pipeline.jobs import FEED_ASSETS, daily_job, train_job
from vrdndi_pipeline.resources.database import AppDatabase

ACTIVE = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]
TRAINING_JOBS = (train_job.name, daily_job.name)
IMPLICIT_ASSET_JOB = "__ASSET_JOB"  # the job of runs that Declarative Automation launches
JOB_NAME_LENGTH = 128  # run_failures.job_name


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


def run_label(job_name: str, assets: Iterable[dg.AssetKey] | None) -> str:
    """The job's name, or for a run Declarative Automation launched (Dagster's implicit asset
    job) the assets it ran: "automation: encoded_inference_tensors, feed_predictions"."""
    if not job_name.startswith(IMPLICIT_ASSET_JOB) or not assets:
        return job_name
    label = "automation: " + ", ".join(sorted(key.to_user_string() for key in assets))
    return label if len(label) <= JOB_NAME_LENGTH else label[: JOB_NAME_LENGTH - 1] + "…"


def failure_message(context: dg.RunFailureSensorContext) -> str:
    """What failed and why, from the failed steps' errors (or the run's own message)."""
    parts = []
    for event in context.get_step_failure_events():
        error = getattr(event.event_specific_data, "error", None)
        parts.append(f"{event.step_key}: {_readable(error) if error else event.message}")
    return "; ".join(parts) or (context.failure_event.message or "the run failed")


def build_sensors(settings: Settings) -> list[dg.SensorDefinition]:
    threshold = settings.train_min_new_labels

    # Stays a sensor, not an automation condition: labels live in application tables, not
    # assets (an observable source asset would launch a Dagster run per observation), and
    # automation-launched runs carry no run config (the preset of VRDNDI_TRAIN_PRESET).
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
        trigger = training_trigger(
            current_label_count(database),
            labels_at_last_training(context.instance),
            min_new_labels=threshold,
            preset=settings.train_preset,
            requested_at=int(context.cursor or 0),
        )
        new, total = trigger.new_labels, trigger.labels_now
        if not trigger.train:
            return dg.SkipReason(f"{new} new labels since the last training; {threshold} start one")
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=f"labels-{total}",
                    run_config=trigger.run_config,
                    tags={"vrdndi/new_labels": str(new)},
                )
            ],
            cursor=str(total),
        )

    feed_automation = dg.AutomationConditionSensorDefinition(
        "feed_automation",
        target=FEED_ASSETS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Evaluates the feed assets' automation conditions: refresh the feed once "
        "after `champion_model` reports a new champion (its data version), unless the run that "
        "promoted it refreshed the feed itself.",
    )

    @dg.run_failure_sensor(
        name="record_run_failures",  # every job of this code location, automation's runs too
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Log failed runs and record them for the feed site to show.",
    )
    def record_run_failures(context: dg.RunFailureSensorContext, database: AppDatabase) -> None:
        run = context.dagster_run
        message = failure_message(context)
        job_name = run_label(run.job_name, run.asset_selection)
        context.log.error("%s run %s failed: %s", job_name, run.run_id, message)
        with write_transaction(database.engine()) as conn:
            record_run_failure(
                conn,
                RunFailure(
                    run_id=run.run_id,
                    job_name=job_name,
                    failed_at=datetime.now(UTC),
                    message=message[:2000],
                ),
            )

    return [train_on_new_labels, feed_automation, record_run_failures]
