"""The test harness itself: real aw-server and PostgreSQL on loopback, stopped by pid."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.harness import (
    AwServer,
    AwServerError,
    AwServerUnavailable,
    PostgresServer,
    PostgresUnavailable,
    free_port,
    pid_alive,
)
from tests.harness.postgres import find_bindir

REPO_ROOT = Path(__file__).resolve().parents[1]


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def test_free_port_is_bindable() -> None:
    port = free_port()
    assert 1024 <= port <= 65535
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


# -- ActivityWatch -------------------------------------------------------------------------


def test_aw_server_answers_info(aw_server: AwServer) -> None:
    with urllib.request.urlopen(f"{aw_server.url}/api/0/info", timeout=5) as resp:
        info = json.load(resp)
    assert info["testing"] is True
    assert aw_server.host == "127.0.0.1"
    assert aw_server.url == f"http://127.0.0.1:{aw_server.port}"
    assert aw_server.log_path.is_file()
    assert aw_server.buckets() == {}  # fresh server per test
    assert aw_server.startup_seconds is not None and aw_server.startup_seconds < 30


def test_aw_server_pid_gone_after_stop(aw_server_stoppable: AwServer) -> None:
    pid, port = aw_server_stoppable.pid, aw_server_stoppable.port
    assert pid is not None and pid_alive(pid)
    aw_server_stoppable.stop()
    assert not pid_alive(pid)
    assert not _port_open("127.0.0.1", port)
    aw_server_stoppable.stop()  # idempotent; the fixture stops it again too


def test_aw_client_round_trip(aw_server: AwServer, tmp_path: Path) -> None:
    from aw_client import ActivityWatchClient
    from aw_core.models import Event

    client = ActivityWatchClient(
        f"vrdndi-test-{uuid.uuid4().hex[:8]}",
        testing=True,
        host=aw_server.host,
        port=aw_server.port,
    )
    bucket_id = f"vrdndi-test-bucket-{uuid.uuid4().hex[:8]}"
    client.create_bucket(bucket_id, event_type="currentwindow")
    start = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    events = [
        Event(
            timestamp=start + timedelta(minutes=i),
            duration=timedelta(seconds=30),
            data={"app": "firefox", "title": f"video {i}"},
        )
        for i in range(3)
    ]
    client.insert_events(bucket_id, events)

    got = client.get_events(bucket_id)
    assert sorted(e.data["title"] for e in got) == ["video 0", "video 1", "video 2"]
    assert {e.timestamp for e in got} == {e.timestamp for e in events}
    assert bucket_id in aw_server.buckets()

    # aw-client's own config/queue files went to the test's XDG folders, not the real home.
    assert os.environ["XDG_DATA_HOME"].startswith(str(tmp_path))
    assert list((tmp_path / "xdg-client").rglob("*.persistqueue*"))

    aw_server.delete_all_buckets()
    assert aw_server.buckets() == {}


def test_aw_server_missing_executable_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VRDNDI_AW_SERVER", str(tmp_path / "no-such-aw-server"))
    with pytest.raises(AwServerUnavailable, match="install-aw-server.sh"):
        AwServer(tmp_path / "aw").start()


def test_aw_server_that_dies_reports_its_log(tmp_path: Path) -> None:
    fake = tmp_path / "fake-aw-server"
    fake.write_text("#!/bin/sh\necho 'boom: cannot start' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(AwServerError, match="boom: cannot start"):
        AwServer(tmp_path / "aw", executable=fake, start_timeout=10).start()


# -- PostgreSQL ----------------------------------------------------------------------------


def test_postgres_select_1(postgres_server: PostgresServer) -> None:
    assert postgres_server.url == (
        f"postgresql+psycopg2://postgres@127.0.0.1:{postgres_server.port}/vrdndi_test"
    )
    engine = sa.create_engine(postgres_server.url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("select 1")).scalar_one() == 1
            assert conn.execute(sa.text("select current_database()")).scalar_one() == (
                "vrdndi_test"
            )
    finally:
        engine.dispose()


_seen_databases: list[str] = []


@pytest.mark.parametrize("run", [1, 2])
def test_postgres_url_is_a_fresh_database_per_test(
    run: int, postgres_url: str, postgres_server: PostgresServer
) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            name = conn.execute(sa.text("select current_database()")).scalar_one()
            assert name != "vrdndi_test"
            assert sa.inspect(conn).get_table_names() == []  # empty
            conn.execute(sa.text("create table marker (x int)"))
            existing = set(conn.execute(sa.text("select datname from pg_database")).scalars())
    finally:
        engine.dispose()
    assert name not in _seen_databases
    # The previous test's database was dropped afterwards.
    assert not existing & set(_seen_databases)
    _seen_databases.append(name)


@pytest.mark.postgres
def test_postgres_pid_gone_after_stop() -> None:
    with PostgresServer() as pg:
        pid, port, workdir = pg.pid, pg.port, pg.workdir
        assert pid is not None and pid_alive(pid)
        assert workdir is not None and (workdir / "data" / "postmaster.pid").is_file()
        assert _port_open("127.0.0.1", port)
    assert not pid_alive(pid)
    assert not _port_open("127.0.0.1", port)
    assert not workdir.exists()
    pg.stop()  # idempotent


def test_postgres_missing_binaries_say_apt_get(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VRDNDI_PG_BINDIR", str(tmp_path))
    with pytest.raises(PostgresUnavailable, match="apt-get install postgresql"):
        find_bindir()


def test_database_url_round_trip(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("create table t (id int primary key, name text)"))
            conn.execute(sa.text("insert into t values (1, 'a'), (2, 'b')"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("select name from t order by id")).scalars().all() == [
                "a",
                "b",
            ]
    finally:
        engine.dispose()


# -- nothing outlives the test process -----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.activitywatch
def test_servers_die_with_a_killed_test_process(tmp_path: Path) -> None:
    """SIGKILL the process that started the servers: the watchdogs stop them."""
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(REPO_ROOT)!r})
        from tests.harness import AwServer, PostgresServer
        aw = AwServer().start()
        pg = PostgresServer().start()
        print(aw.pid, pg.pid, aw.workdir, pg.workdir, flush=True)
        time.sleep(120)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        aw_pid, pg_pid, aw_dir, pg_dir = proc.stdout.readline().split()
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (pid_alive(int(aw_pid)) or pid_alive(int(pg_pid))):
        time.sleep(0.05)
    assert not pid_alive(int(aw_pid))
    assert not pid_alive(int(pg_pid))
    while time.monotonic() < deadline and (Path(aw_dir).exists() or Path(pg_dir).exists()):
        time.sleep(0.05)
    assert not Path(aw_dir).exists() and not Path(pg_dir).exists()
