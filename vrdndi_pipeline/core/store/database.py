"""Engines and transactions for the application database.

:func:`open_database` is the one way in for code that reads or writes it (an engine, the schema
brought up to date); :func:`make_engine` is the bare engine, for what must not migrate.

SQLite (the default, a file under ``data/``) runs in WAL mode with a busy timeout, and every
write transaction starts with ``BEGIN IMMEDIATE`` so two writers queue instead of failing half
way. PostgreSQL is used as it is. Schema changes go through the alembic migrations only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from vrdndi_pipeline.core.private_files import private_dir, private_file, tighten_file

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
# FULL: every commit is on disk before it returns (WAL synced per commit), so a click, a label
# or a hide acknowledged to a person survives a power cut; NORMAL could lose the last commits.
# ``make bench ONLY=durability`` measures what it costs per click.
SQLITE_SYNCHRONOUS = "FULL"
_READ_ONLY = "vrdndi_read_only"


def default_database_url(data_dir: Path) -> str:
    """The SQLite file vrdndi uses when ``VRDNDI_DATABASE_URL`` is not set."""
    return f"sqlite:///{(data_dir / 'vrdndi.db').resolve()}"


def make_engine(
    url: str,
    *,
    sqlite_synchronous: str = SQLITE_SYNCHRONOUS,
    sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    **kwargs: Any,
) -> Engine:
    """An engine for ``url``, schema untouched (:func:`open_database` also migrates); for SQLite
    the folder of the file is created if missing (mode 0700), the file and its ``-wal``/``-shm``
    are kept at mode 0600, every connection commits with ``PRAGMA
    synchronous=<sqlite_synchronous>`` and waits at most ``sqlite_busy_timeout_ms`` for a lock."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)

    database = parsed.database
    sqlite_file = None
    if database and database != ":memory:" and not database.startswith("file:"):
        sqlite_file = Path(database).expanduser()
        private_dir(sqlite_file.parent, tighten=False)  # a new folder: 0700
    engine = create_engine(url, connect_args={"timeout": sqlite_busy_timeout_ms / 1000}, **kwargs)
    if sqlite_file is not None:
        # before each new connection opens the file: it is made, or kept, private (0600)
        event.listen(engine, "do_connect", partial(_private_sqlite_files, sqlite_file))
    if sqlite_synchronous not in ("FULL", "NORMAL", "EXTRA"):
        raise ValueError(
            f"sqlite_synchronous must be FULL, NORMAL or EXTRA, not {sqlite_synchronous!r}"
        )

    def configure(dbapi_connection: Any, _record: Any) -> None:
        _configure_sqlite_connection(dbapi_connection, sqlite_synchronous, sqlite_busy_timeout_ms)

    event.listen(engine, "connect", configure)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def open_database(url: str, **engine_options: Any) -> Engine:
    """The application database at ``url``, its schema brought up to date: an engine from
    :func:`make_engine` (``engine_options`` go to it), then every migration not yet applied."""
    # alembic is imported only here, when a database is opened (migrate imports this module)
    from vrdndi_pipeline.core.store.migrate import upgrade_schema

    engine = make_engine(url, **engine_options)
    upgrade_schema(engine)
    return engine


def _private_sqlite_files(path: Path, *_connect_args: Any) -> None:
    """Before SQLite opens ``path``: the file created with mode 0600 when missing (SQLite gives
    the ``-wal`` and ``-shm`` it makes next to it the same mode), else it and those tightened
    to 0600. A folder vrdndi cannot write (a read-only copy) is left to SQLite."""
    try:
        private_file(path)
        for suffix in ("-wal", "-shm", "-journal"):
            tighten_file(path.with_name(path.name + suffix))
    except OSError as error:
        logger.debug("could not make %s private: %s", path, error)


def _configure_sqlite_connection(
    dbapi_connection: Any, synchronous: str, busy_timeout_ms: int
) -> None:
    # Take transaction control away from the sqlite3 module: the "begin" listener below
    # emits BEGIN itself, so writes can say IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite_transaction(conn: Connection) -> None:
    read_only = conn.get_execution_options().get(_READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction: all of it is committed, or none of it (``BEGIN IMMEDIATE``)."""
    with engine.begin() as conn:
        yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A consistent read snapshot (every statement sees the same data) that does not take
    SQLite's write lock; on PostgreSQL a REPEATABLE READ transaction."""
    with engine.connect() as conn:
        conn = conn.execution_options(**{_READ_ONLY: True})
        if conn.dialect.name == "postgresql":
            # READ COMMITTED would give each statement its own snapshot: a page and its
            # generation could come from two different feeds.
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def lock_for_migration(conn: Connection) -> None:
    """Serialise concurrent schema upgrades (SQLite is already serialised by BEGIN IMMEDIATE)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(772211)"))
