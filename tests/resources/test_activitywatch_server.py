"""raw_aw_events against a real aw-server (PyPI aw-server 0.12.0) on loopback."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest
from aw_client import ActivityWatchClient
from aw_core.models import Event
from sqlalchemy import select

from vrdndi_pipeline.assets.raw_aw_events import raw_aw_events
from vrdndi_pipeline.core.records import AwEvent
from vrdndi_pipeline.core.store.database import make_engine, open_database, write_transaction
from vrdndi_pipeline.core.store.schema import aw_events, rejected_items
from vrdndi_pipeline.core.store.source_tables import write_aw_events
from vrdndi_pipeline.resources.activitywatch import (
    ActivityWatchExport,
    ActivityWatchServer,
    ActivityWatchUnavailable,
)
from vrdndi_pipeline.resources.database import AppDatabase

HOST = "test-laptop"
WINDOW, AFK = f"aw-watcher-window_{HOST}", f"aw-watcher-afk_{HOST}"
START = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)


def _client(server) -> ActivityWatchClient:
    client = ActivityWatchClient(
        f"vrdndi-test-{uuid.uuid4().hex[:8]}", host="127.0.0.1", port=server.port
    )
    client.client_hostname = HOST  # buckets record the watcher's hostname
    return client


def _seed(client: ActivityWatchClient) -> None:
    client.create_bucket(WINDOW, "currentwindow", queued=False)
    client.create_bucket(AFK, "afkstatus", queued=False)
    at = lambda minutes: START + timedelta(minutes=minutes)  # noqa: E731
    client.insert_events(
        AFK,
        [
            Event(timestamp=at(0), duration=timedelta(minutes=60), data={"status": "not-afk"}),
            Event(timestamp=at(60), duration=timedelta(minutes=30), data={"status": "afk"}),
            Event(timestamp=at(90), duration=timedelta(minutes=60), data={"status": "not-afk"}),
        ],
    )
    client.insert_events(
        WINDOW,
        [
            Event(
                timestamp=at(0),
                duration=timedelta(minutes=20),
                data={"app": "Firefox", "title": "Pull requests · GitHub"},
            ),
            Event(
                timestamp=at(20),
                duration=timedelta(minutes=20),
                data={"app": "Minecraft", "title": "Minecraft 1.21"},
            ),
            Event(
                timestamp=at(40),
                duration=timedelta(minutes=30),
                data={"app": "Slack", "title": "#general 🎉 日本語"},
            ),
            Event(
                timestamp=at(70),
                duration=timedelta(minutes=10),
                data={"app": "Code", "title": "while away"},
            ),
            Event(
                timestamp=at(95),
                duration=timedelta(minutes=5),
                data={"app": "VLC", "title": "lecture.mp4"},
            ),
        ],
    )


def _materialize(source, db_url: str) -> dg.MaterializeResult:
    result = dg.materialize(
        [raw_aw_events],
        resources={"activitywatch": source, "database": AppDatabase(url=db_url)},
        raise_on_error=False,
    )
    return result


def _stored(db_url: str) -> dict[str, tuple]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(aw_events)).all()
    engine.dispose()
    return {r.title: (r.duration_s, json.loads(r.category), r.hostname) for r in rows}


def _metadata(result) -> dict:
    [materialization] = result.asset_materializations_for_node("raw_aw_events")
    return {k: v.value for k, v in materialization.metadata.items()}


def _error(result) -> str:
    [failure] = [e for e in result.all_events if e.is_step_failure]
    return failure.step_failure_data.error.to_string()


def test_events_from_a_real_server_are_materialized_once(aw_server, tmp_path):
    client = _client(aw_server)
    _seed(client)
    db_url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    source = ActivityWatchServer(url=aw_server.url, hostname=HOST)

    first = _materialize(source, db_url)
    assert first.success
    stored = _stored(db_url)
    # The Code event lies wholly in the AFK period; Slack loses its last 10 AFK minutes.
    assert stored == {
        "Pull requests · GitHub": (1200.0, ["Work", "Programming"], HOST),
        "Minecraft 1.21": (1200.0, ["Media", "Games"], HOST),
        "#general 🎉 日本語": (1200.0, ["Comms", "IM"], HOST),
        "lecture.mp4": (300.0, ["Media", "Video"], HOST),
    }
    meta = _metadata(first)
    assert meta["rows_inserted"] == 4 and meta["category_rules"] == "aw-client defaults"
    assert json.loads(json.dumps(meta["skipped"])) == {"afk": 1}

    second = _materialize(source, db_url)
    assert second.success
    meta = _metadata(second)
    assert (meta["rows_inserted"], meta["rows_updated"]) == (0, 0)
    assert _stored(db_url) == stored

    # A heartbeat extends the newest event on the server: the next run updates that row only.
    client.heartbeat(
        WINDOW,
        Event(
            timestamp=START + timedelta(minutes=101),
            duration=timedelta(0),
            data={"app": "VLC", "title": "lecture.mp4"},
        ),
        pulsetime=120,
        queued=False,
    )
    third = _materialize(source, db_url)
    meta = _metadata(third)
    assert (meta["rows_inserted"], meta["rows_updated"]) == (0, 1)
    assert _stored(db_url)["lecture.mp4"][0] == 360.0


def test_an_export_of_the_server_is_categorised_the_same(aw_server, tmp_path):
    client = _client(aw_server)
    _seed(client)
    export = tmp_path / "aw-export.json"
    export.write_text(json.dumps(client.export_all()))
    live_db, file_db = (f"sqlite:///{tmp_path / name}" for name in ("live.db", "file.db"))

    assert _materialize(ActivityWatchServer(url=aw_server.url, hostname=HOST), live_db).success
    assert _materialize(
        ActivityWatchExport(path=str(export), hostname=HOST, categories_file=""), file_db
    ).success
    assert _stored(file_db) == _stored(live_db)


def test_empty_buckets_give_an_empty_successful_run(aw_server, tmp_path):
    client = _client(aw_server)
    client.create_bucket(WINDOW, "currentwindow", queued=False)
    client.create_bucket(AFK, "afkstatus", queued=False)
    db_url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    result = _materialize(ActivityWatchServer(url=aw_server.url, hostname=""), db_url)
    assert result.success  # the only host is picked when none is configured
    assert _metadata(result)["events_fetched"] == 0


def test_a_wrong_hostname_lists_the_hosts_the_server_has(aw_server, tmp_path):
    _seed(_client(aw_server))
    db_url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    assert _materialize(ActivityWatchServer(url=aw_server.url, hostname=HOST), db_url).success
    before = _stored(db_url)

    result = _materialize(ActivityWatchServer(url=aw_server.url, hostname="typo-laptop"), db_url)
    assert not result.success
    message = _error(result)
    assert "'typo-laptop'" in message and f"'{HOST}'" in message and "VRDNDI_AW_HOSTNAME" in message
    assert _stored(db_url) == before


def test_a_stopped_server_fails_with_the_url_and_what_to_do(aw_server_stoppable, tmp_path):
    url = aw_server_stoppable.url
    aw_server_stoppable.stop()
    result = _materialize(
        ActivityWatchServer(url=url, hostname=HOST), f"sqlite:///{tmp_path / 'v.db'}"
    )
    assert not result.success
    message = _error(result)
    assert url in message and "Start ActivityWatch" in message
    with pytest.raises(ActivityWatchUnavailable, match="VRDNDI_AW_URL"):
        ActivityWatchServer(url=url).resolve_host()


FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def _window_event(minutes: float, title: str, at: datetime | None = None) -> Event:
    return Event(
        timestamp=at or START + timedelta(minutes=minutes),
        duration=timedelta(minutes=5),
        data={"app": "Code", "title": title},
    )


def _rejected(db_url: str) -> list[tuple]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(rejected_items)).all()
    engine.dispose()
    return [(r.source, r.item_key, r.reason, r.times_seen) for r in rows]


def test_an_event_in_year_9999_never_stops_later_events(aw_server, tmp_path):
    client = _client(aw_server)
    client.create_bucket(WINDOW, "currentwindow", queued=False)
    client.insert_events(
        WINDOW, [_window_event(0, "first"), _window_event(0, "from the future", FAR_FUTURE)]
    )
    [future_id] = [e.id for e in client.get_events(WINDOW) if e.timestamp.year == 9999]
    browser = _client(aw_server)
    browser.client_hostname = "unknown"  # what aw-watcher-web reports
    browser.create_bucket("aw-watcher-web-firefox", "web.tab.current", queued=False)
    browser.insert_event(
        "aw-watcher-web-firefox",
        Event(timestamp=START, duration=timedelta(minutes=5), data={"url": "https://a.example/"}),
    )
    db_url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    source = ActivityWatchServer(url=aw_server.url, hostname=HOST)

    first = _materialize(source, db_url)
    assert first.success
    assert set(_stored(db_url)) == {"first"}
    engine = make_engine(db_url)
    with engine.connect() as conn:  # the browser bucket of host "unknown" joined the only host
        assert conn.execute(select(aw_events.c.url)).scalars().all() == ["https://a.example/"]
    engine.dispose()
    meta = _metadata(first)
    assert meta["rejected"] == {"time_in_future": 1} and meta["rejected_total"] == 1
    assert _rejected(db_url) == [("activitywatch", f"{WINDOW}/{future_id}", "time_in_future", 1)]

    client.insert_events(WINDOW, [_window_event(120, "later"), _window_event(170, "latest")])
    second = _materialize(source, db_url)
    assert second.success
    assert set(_stored(db_url)) == {"first", "later", "latest"}
    assert _metadata(second)["rows_inserted"] == 2
    assert _rejected(db_url) == [  # seen again, still set aside, still one row
        ("activitywatch", f"{WINDOW}/{future_id}", "time_in_future", 2)
    ]


def test_a_far_future_row_already_stored_does_not_stall_the_cursor(aw_server, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    engine = open_database(db_url)
    stored_before = START - timedelta(minutes=10)
    with write_transaction(engine) as conn:  # the 9999 row was written before validation
        write_aw_events(
            conn,
            [
                AwEvent(WINDOW, 999_998, HOST, stored_before, 60.0, "Code", "stored earlier"),
                AwEvent(WINDOW, 999_999, HOST, FAR_FUTURE, 60.0, "Code", "old bug"),
            ],
        )
    engine.dispose()
    client = _client(aw_server)
    client.create_bucket(WINDOW, "currentwindow", queued=False)
    client.insert_events(WINDOW, [_window_event(0, "real"), _window_event(60, "also real")])

    result = _materialize(ActivityWatchServer(url=aw_server.url, hostname=HOST), db_url)
    assert result.success
    assert set(_stored(db_url)) == {"stored earlier", "old bug", "real", "also real"}
    meta = _metadata(result)
    assert meta["rows_inserted"] == 2
    assert meta["fetched_since"] == (stored_before - timedelta(minutes=60)).isoformat()
