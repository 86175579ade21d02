"""Shared pytest fixtures: real servers on loopback (see ``tests/harness``).

ActivityWatch (real ``aw-server`` from ``.venv-aw``; build it with
``scripts/install-aw-server.sh``). A start takes ~0.4 s, so every test gets its own server:

* ``aw_server`` -> :class:`~tests.harness.AwServer`, function-scoped, fresh and empty.
* ``aw_server_stoppable`` -> a fresh :class:`~tests.harness.AwServer` the test may
  ``.stop()`` (e.g. to test "ActivityWatch is down"); stopping twice is harmless.

  Both also point ``XDG_{DATA,CONFIG,CACHE,STATE}_HOME`` of the test process into
  ``tmp_path`` (and unset ``AW_PROFILE``), because ``aw_client.ActivityWatchClient`` writes
  its config and request-queue files there; nothing lands in the real home. Connect with
  ``ActivityWatchClient(name, testing=True, host=aw.host, port=aw.port)``.

PostgreSQL (Debian ``postgresql`` binaries; missing binaries FAIL the test, never skip):

* ``postgres_server`` -> :class:`~tests.harness.PostgresServer`, session-scoped; its ``.url``
  is ``postgresql+psycopg2://postgres@127.0.0.1:<port>/vrdndi_test``.
* ``postgres_url`` -> ``str``: a fresh empty database (``test_<n>``) per test, dropped
  (``WITH (FORCE)``) afterwards.

Both back ends:

* ``engine`` -> a SQLAlchemy ``Engine`` on a fresh SQLite file at the head revision (a copy
  of ``migrated_sqlite_file``, migrated once per session).
* ``database_url`` -> ``str``, parametrized with ids ``sqlite`` / ``postgres``:
  ``sqlite:///<tmp_path>/vrdndi.db`` or a fresh ``postgres_url``. PostgreSQL only starts
  when a ``postgres`` case runs.

Tests using these fixtures get the ``activitywatch`` / ``postgres`` markers automatically,
so ``-m "not postgres"`` deselects them.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # `tests.harness` importable with or without tests/__init__.py
    sys.path.insert(0, str(_ROOT))

from tests.harness import (  # noqa: E402
    AwServer,
    AwServerUnavailable,
    PostgresServer,
    PostgresUnavailable,
)
from tests.harness.aw_server import xdg_env  # noqa: E402

_AW_FIXTURES = {"aw_server", "aw_server_stoppable"}
_PG_FIXTURES = {"postgres_server", "postgres_url"}
_db_numbers = itertools.count(1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & _AW_FIXTURES:
            item.add_marker(pytest.mark.activitywatch)
        if names & _PG_FIXTURES:
            item.add_marker(pytest.mark.postgres)


def _start_aw_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> AwServer:
    for key, value in xdg_env(tmp_path / "xdg-client").items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AW_PROFILE", raising=False)
    try:
        return AwServer(tmp_path / name).start()  # its data, config and log stay in tmp_path
    except AwServerUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def aw_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwServer]:
    """A fresh, empty aw-server for this test."""
    server = _start_aw_server(tmp_path, monkeypatch, "aw-server")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def aw_server_stoppable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwServer]:
    """A fresh aw-server that the test may stop itself."""
    server = _start_aw_server(tmp_path, monkeypatch, "aw-server-stoppable")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL cluster for the whole session (database ``vrdndi_test``)."""
    server = PostgresServer()
    try:
        server.start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty database, dropped after the test."""
    name = f"test_{next(_db_numbers)}"
    url = postgres_server.create_database(name)
    try:
        yield url
    finally:
        postgres_server.drop_database(name)


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
    ids=["sqlite", "postgres"],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test against SQLite (a file in ``tmp_path``) and a fresh PostgreSQL db."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'vrdndi.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database at the head revision, made once; tests copy it."""
    from vrdndi_pipeline.core.store.database import make_engine
    from vrdndi_pipeline.core.store.migrate import upgrade_schema

    path = tmp_path_factory.mktemp("migrated") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    engine.dispose()
    return path


@pytest.fixture
def engine(migrated_sqlite_file: Path, tmp_path: Path) -> Iterator[object]:
    """A fresh, migrated SQLite database in ``tmp_path`` (a copy: migrating each is slow)."""
    import shutil

    from vrdndi_pipeline.core.store.database import make_engine

    shutil.copyfile(migrated_sqlite_file, tmp_path / "vrdndi.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'vrdndi.db'}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """A Playwright ``Browser`` on Debian's headless Chromium (session-scoped)."""
    from tests.harness.browser import chromium_browser

    with chromium_browser() as browser:
        yield browser
