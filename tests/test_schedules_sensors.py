"""Schedules and sensors, evaluated the way the Dagster daemon evaluates them."""

import heapq
import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from dagster._core.test_utils import create_run_for_test
from dagster._utils.schedules import cron_string_iterator

from tests.harness.fake_youtube_server import allow_only_loopback, write_token
from tests.harness.ports import free_port
from vrdndi_pipeline.core.settings import load_settings
from vrdndi_pipeline.core.store.database import (
    make_engine,
    open_database,
    read_transaction,
    write_transaction,
)
from vrdndi_pipeline.core.store.feed_tables import read_feed_page, replace_feed
from vrdndi_pipeline.core.store.people_tables import (
    FeedbackClick,
    insert_feedback,
    recent_run_failures,
    upsert_interest_labels,
)
from vrdndi_pipeline.core.store.schema import feed_predictions
from vrdndi_pipeline.definitions import build_definitions
from vrdndi_pipeline.jobs import TRAIN_KEYS
from vrdndi_pipeline.resources.activitywatch import DEMO_DATA_DIR
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.youtube.source import YouTubeApi
from vrdndi_pipeline.schedules import build_schedules
from vrdndi_pipeline.sensors import build_sensors

BERLIN = "Europe/Berlin"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _settings(tmp_path, **extra):
    env = {
        "VRDNDI_DATA_DIR": str(tmp_path),
        "VRDNDI_TIMEZONE": BERLIN,
        "VRDNDI_TRAIN_PRESET": "cpu-small",
        **extra,
    }
    return load_settings(env)


def _by_name(definitions):
    return {d.name: d for d in definitions}


def _ticker(sensor, instance, resources):
    """`tick(cursor)`: one evaluation of `sensor` with this instance and these resources."""

    def tick(cursor):
        with dg.build_sensor_context(
            instance=instance, cursor=cursor, resources=resources
        ) as context:
            return sensor.evaluate_tick(context)

    return tick


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(BERLIN))


def _dagster_ticks(schedule: dg.ScheduleDefinition, start: datetime, n: int) -> list[datetime]:
    """The next ``n`` ticks as the daemon computes them (Dagster's own cron iterator)."""
    crons = schedule.cron_schedule
    crons = [crons] if isinstance(crons, str) else list(crons)
    iterators = [
        cron_string_iterator(start.timestamp(), c, schedule.execution_timezone) for c in crons
    ]
    return list(itertools.islice(heapq.merge(*iterators), n))


def test_schedules_and_sensors_are_on_by_default_in_the_users_zone(tmp_path):
    schedules = _by_name(build_schedules(_settings(tmp_path)))
    assert set(schedules) == {"feed_refresh_schedule", "daily_schedule"}
    for schedule in schedules.values():
        assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
        assert schedule.execution_timezone == BERLIN
    sensors = _by_name(build_sensors(_settings(tmp_path)))
    assert set(sensors) == {"train_on_new_labels", "feed_automation", "record_run_failures"}
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in sensors.values())


def test_feed_refresh_ticks_every_45_minutes_in_waking_hours_on_a_normal_day(tmp_path):
    schedule = _by_name(build_schedules(_settings(tmp_path)))["feed_refresh_schedule"]
    ticks = _dagster_ticks(schedule, _local("2026-06-10T07:00"), 28)
    assert ticks[0] == _local("2026-06-10T08:00") and ticks[-1] == _local("2026-06-11T04:15")
    assert all(b - a == timedelta(minutes=45) for a, b in zip(ticks, ticks[1:], strict=False))
    assert _dagster_ticks(schedule, ticks[-1] + timedelta(minutes=1), 1) == [
        _local("2026-06-11T08:00")  # asleep from 05:00 to 07:59
    ]


@pytest.mark.parametrize(
    ("night", "expected"),
    [
        # spring forward: 02:00-02:59 does not exist; Dagster runs once at 03:00 instead
        ("2026-03-28T23:00", ["00:30+01:00", "01:15+01:00", "03:00+02:00", "03:30+02:00"]),
        # fall back: 02:00-02:59 happens twice; each tick still runs once
        ("2026-10-24T23:00", ["00:30+02:00", "01:15+02:00", "02:00+01:00", "02:45+01:00"]),
    ],
)
def test_feed_refresh_across_a_dst_change_runs_each_local_tick_once(tmp_path, night, expected):
    schedule = _by_name(build_schedules(_settings(tmp_path)))["feed_refresh_schedule"]
    ticks = _dagster_ticks(schedule, _local(night) + timedelta(minutes=1), 6)
    assert [t.isoformat(timespec="minutes")[11:] for t in ticks[1:5]] == expected
    keys = []
    for tick in ticks:
        request = schedule.evaluate_tick(
            dg.build_schedule_context(scheduled_execution_time=tick)
        ).run_requests[0]
        keys.append(request.run_key)
        local = datetime.fromisoformat(request.tags["vrdndi/local_time"])
        assert local.utcoffset() == tick.utcoffset()  # the tag carries the zone's offset
        assert not 5 <= local.hour < 8
    assert len(set(keys)) == len(keys)  # no two ticks share a run key, even at 02:xx twice


def _db(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    open_database(url)
    return url


def _add_labels(url: str, n: int, start: int = 0) -> None:
    now = datetime(2026, 11, 15, tzinfo=UTC)
    with write_transaction(make_engine(url)) as conn:
        insert_feedback(
            conn,
            [
                FeedbackClick(
                    f"k{start + i}", f"v{start + i:010d}", "productive", i % 2, now, BERLIN
                )
                for i in range(n // 2)
            ],
        )
        upsert_interest_labels(
            conn,
            [
                {"video_id": f"w{start + i:010d}", "label": i % 2, "labelled_at": now}
                for i in range(n - n // 2)
            ],
        )


def _record_training(instance: dg.DagsterInstance, labels_total: int, **extra) -> None:
    instance.report_runless_asset_event(
        dg.AssetMaterialization("champion_model", metadata={"labels_total": labels_total, **extra})
    )


def test_daily_schedule_trains_only_with_enough_new_labels(tmp_path):
    url = _db(tmp_path)
    schedule = _by_name(build_schedules(_settings(tmp_path)))["daily_schedule"]
    resources = {"database": AppDatabase(url=url)}
    tick = _local("2026-11-16T07:00")
    with dg.instance_for_test() as instance:

        def request() -> dg.RunRequest:
            with dg.build_schedule_context(
                instance=instance, scheduled_execution_time=tick, resources=resources
            ) as context:
                return schedule.evaluate_tick(context).run_requests[0]

        _add_labels(url, 30)
        first = request()
        assert first.tags["vrdndi/train"] == "true"
        assert set(TRAIN_KEYS) <= set(first.asset_selection)
        assert first.run_config["ops"]["trained_lora_adapter"]["config"]["preset"] == "cpu-small"
        assert first.run_key == "daily-2026-11-16"

        _record_training(instance, labels_total=30)
        _add_labels(url, 10, start=100)
        second = request()
        assert second.tags["vrdndi/train"] == "false"
        assert not set(TRAIN_KEYS) & set(second.asset_selection)
        assert dg.AssetKey("feed_predictions") in second.asset_selection
        assert dg.AssetKey("raw_aw_events") in second.asset_selection


def test_label_sensor_starts_training_at_the_threshold_once(tmp_path):
    url = _db(tmp_path)
    sensor = _by_name(build_sensors(_settings(tmp_path)))["train_on_new_labels"]
    resources = {"database": AppDatabase(url=url)}
    with dg.instance_for_test() as instance:
        tick = _ticker(sensor, instance, resources)

        _add_labels(url, 19)
        result = tick(None)
        assert not result.run_requests and "19 new labels" in result.skip_message

        _add_labels(url, 1, start=500)
        result = tick(None)
        [run] = result.run_requests
        assert run.run_key == "labels-20" and run.tags["vrdndi/new_labels"] == "20"
        assert result.cursor == "20"
        assert not tick(result.cursor).run_requests  # no second request for the same labels

        # training ran and saw 20 labels; 25 more arrive, but a train_job is running: wait
        _record_training(instance, labels_total=20)
        _add_labels(url, 25, start=600)
        running = create_run_for_test(
            instance, job_name="train_job", status=dg.DagsterRunStatus.STARTED
        )
        result = tick("20")
        assert not result.run_requests and "queued or running" in result.skip_message
        instance.report_run_failed(running)
        [run] = tick("20").run_requests
        assert run.run_key == "labels-45"


def _write_previous_feed(url: str) -> list[dict]:
    """Three feed rows a refresh wrote before: they must survive a failing run."""
    open_database(url)
    previous = [
        {c.name: None for c in feed_predictions.columns}
        | {
            "video_id": f"prev{i:07d}",
            "rank": i + 1,
            "title": "kept",
            "combined_score": 0.5,
            "ranking": "recency",
            "model_version": "none",
            "generation": "g-previous",
            "generated_at": datetime(2026, 11, 14, tzinfo=UTC),
            "reasons": "[]",
            "explored": False,
        }
        for i in range(3)
    ]
    with write_transaction(make_engine(url)) as conn:
        replace_feed(conn, previous)
    return previous


@pytest.mark.slow
def test_failed_runs_are_logged_and_recorded_for_the_feed_site(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"  # ActivityWatch is not running
    settings = _settings(tmp_path, VRDNDI_AW_URL=dead)
    defs = build_definitions(settings)
    url = settings.database_url
    sensor = _by_name(build_sensors(settings))["record_run_failures"]
    previous = _write_previous_feed(url)
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("feed_refresh_job").execute_in_process(
            instance=instance, raise_on_error=False
        )
        assert not result.success
        run = instance.get_run_by_id(result.run_id)
        [failure] = [
            e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE
        ]
        with dg.build_run_status_sensor_context(
            sensor_name="record_run_failures",
            dagster_event=failure,
            dagster_instance=instance,
            dagster_run=run,
            resources={"database": AppDatabase(url=url)},
        ) as context:
            sensor(context.for_run_failure())
            sensor(context.for_run_failure())  # evaluated twice (daemon restart): recorded once
    with read_transaction(make_engine(url)) as conn:
        [recorded] = recent_run_failures(conn)
    assert recorded.run_id == result.run_id and recorded.job_name == "feed_refresh_job"
    assert recorded.message.startswith("raw_aw_events: ActivityWatchUnavailable: Cannot reach")
    assert dead in recorded.message and "VRDNDI_AW_URL" in recorded.message
    with read_transaction(make_engine(url)) as conn:  # the previous feed stays in place
        assert [r.video.video_id for r in read_feed_page(conn, 0, 10)] == [
            r["video_id"] for r in previous
        ]


@pytest.mark.slow
def test_failed_runs_that_automation_launched_are_recorded_with_their_assets(tmp_path):
    """The feed's automation (see test_automation.py) launches runs of Dagster's implicit asset
    job, not of a named job: the failure sensor watches those too and names their assets."""
    settings = _settings(tmp_path)
    defs = build_definitions(settings)
    url = settings.database_url
    open_database(url)
    sensor = _by_name(build_sensors(settings))["record_run_failures"]
    resources = {"database": AppDatabase(url=url)}
    with dg.instance_for_test() as instance:
        tick = _ticker(sensor, instance, resources)

        started = tick(None)  # the first tick only marks where to start
        result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
            instance=instance,
            asset_selection=[dg.AssetKey("feed_predictions")],
            raise_on_error=False,
        )
        assert not result.success  # no encoded generation to rank yet
        tick(started.cursor)
    with read_transaction(make_engine(url)) as conn:
        [recorded] = recent_run_failures(conn)
    assert recorded.run_id == result.run_id
    assert recorded.job_name == "automation: feed_predictions"
    assert recorded.message.startswith("feed_predictions: ")


@pytest.mark.slow
def test_daily_job_without_youtube_fails_clearly_and_keeps_the_feed(tmp_path, monkeypatch):
    """ActivityWatch answers (an export file), the YouTube API does not: the run fails at
    youtube_videos with the reason, nothing downstream runs, and the previous feed stays."""
    allow_only_loopback(monkeypatch)
    dead = f"http://127.0.0.1:{free_port()}"
    settings = _settings(
        tmp_path,
        VRDNDI_AW_EXPORT_FILE=str(DEMO_DATA_DIR / "activitywatch-export.json.gz"),
        VRDNDI_NOW="2026-11-15T00:00:00Z",
    )
    built = build_definitions(settings)
    youtube = YouTubeApi(  # what the settings would build, without 31 s of back-off
        api_endpoint=dead,
        token_file=str(write_token(tmp_path / "token.json")),
        client_secret_file=str(tmp_path / "client_secret.json"),
        backoff_seconds=0.0,
        max_retries=1,
    )
    defs = dg.Definitions(
        assets=built.assets,
        asset_checks=built.asset_checks,
        jobs=built.jobs,
        resources={**built.resources, "youtube": youtube},
    )
    url = settings.database_url
    previous = _write_previous_feed(url)
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("daily_job").execute_in_process(
            instance=instance, raise_on_error=False
        )
    assert not result.success
    failed = [e for e in result.all_events if e.is_step_failure]
    assert [e.step_key for e in failed] == ["youtube_videos"]
    message = failed[0].step_failure_data.error.to_string()
    assert "subscriptions.list failed 2 times" in message and "run again" in message
    materialized = {e.asset_key.path[-1] for e in result.all_events if e.is_step_materialization}
    assert "raw_aw_events" in materialized  # ActivityWatch was read ...
    assert not materialized & {"encoded_inference_tensors", "feed_predictions"}  # ... no feed
    with read_transaction(make_engine(url)) as conn:
        assert [r.video.video_id for r in read_feed_page(conn, 0, 10)] == [
            r["video_id"] for r in previous
        ]
