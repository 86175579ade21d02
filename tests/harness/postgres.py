"""A real, throw-away PostgreSQL server on a free loopback port.

Uses the server binaries of Debian's ``postgresql`` package (``/usr/lib/postgresql/<N>/bin``;
set ``VRDNDI_PG_BINDIR`` to use others). If they are missing, :class:`PostgresUnavailable`
says to ``apt-get install postgresql``.

PostgreSQL refuses to run as root. As root the harness makes a temporary folder owned by the
``postgres`` user and runs ``initdb`` / ``pg_ctl`` through ``runuser -u postgres --``; as any
other user it runs them directly. Authentication is ``trust`` for the superuser
``postgres``; the server listens on 127.0.0.1 only (its Unix socket lives in the temporary
folder) with ``fsync=off``.

Usage::

    with PostgresServer() as pg:
        engine = sqlalchemy.create_engine(pg.url)   # .../vrdndi_test
        url = pg.create_database("test_1")          # a second, empty database

:meth:`PostgresServer.stop` runs ``pg_ctl stop -m fast`` and then, if the postmaster (pid
from ``postmaster.pid``) is still there, SIGKILLs its process group; a
:class:`~tests.harness.ports.Watchdog` does the same if the test process dies first.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from .ports import (
    Watchdog,
    free_port,
    pid_alive,
    proc_starttime,
    register,
    signal_group,
    unregister,
    wait_pid_gone,
)

INSTALL_HINT = "install them with `apt-get install postgresql` (or set VRDNDI_PG_BINDIR)"
_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries (or the means to run them) are missing."""


class PostgresError(RuntimeError):
    """PostgreSQL did not come up; the message carries the tail of its log."""


def find_bindir() -> Path:
    """The folder with ``initdb``, ``pg_ctl`` and ``postgres``.

    ``$VRDNDI_PG_BINDIR``, else the newest ``/usr/lib/postgresql/<N>/bin``, else the folder
    of an ``initdb`` on ``PATH``.
    """
    candidates: list[Path] = []
    if os.environ.get("VRDNDI_PG_BINDIR"):
        candidates.append(Path(os.environ["VRDNDI_PG_BINDIR"]))
    else:
        versions = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.name)] or [0],
            reverse=True,
        )
        candidates.extend(versions)
        on_path = shutil.which("initdb")
        if on_path:
            candidates.append(Path(on_path).resolve().parent)
    for bindir in candidates:
        if all(os.access(bindir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    looked = ", ".join(map(str, candidates)) or "/usr/lib/postgresql/*/bin, PATH"
    raise PostgresUnavailable(
        f"PostgreSQL server binaries (initdb, pg_ctl, postgres) not found (looked in {looked}); "
        f"{INSTALL_HINT}"
    )


def _world_traversable(path: Path) -> bool:
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])


class PostgresServer:
    """One PostgreSQL cluster. Start with :meth:`start` or ``with``; stop with :meth:`stop`."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        dbname: str = "vrdndi_test",
        bindir: str | os.PathLike[str] | None = None,
        start_timeout: float = 30.0,
        stop_timeout: float = 30.0,
    ) -> None:
        self.host = host
        self._fixed_port = port
        self.port: int = port or 0
        self.dbname = dbname
        self._bindir_arg = Path(bindir) if bindir is not None else None
        self.bindir: Path | None = None
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.workdir: Path | None = None
        self.pid: int | None = None
        self._starttime: int | None = None
        self._watchdog: Watchdog | None = None
        self._run_as: str | None = None
        self.startup_seconds: float | None = None
        self.stop_seconds: float | None = None

    # -- properties --------------------------------------------------------------------
    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``vrdndi_test`` database."""
        return self.url_for(self.dbname)

    def url_for(self, dbname: str) -> str:
        return f"postgresql+psycopg2://postgres@{self.host}:{self.port}/{dbname}"

    @property
    def datadir(self) -> Path:
        if self.workdir is None:
            raise RuntimeError("PostgreSQL was never started")
        return self.workdir / "data"

    @property
    def log_path(self) -> Path:
        if self.workdir is None:
            raise RuntimeError("PostgreSQL was never started")
        return self.workdir / "postgres.log"

    @property
    def running(self) -> bool:
        return self.pid is not None and pid_alive(self.pid, self._starttime)

    def log_tail(self, lines: int = 40) -> str:
        chunks = []
        for path in (self.workdir / "initdb.log", self.log_path) if self.workdir else ():
            try:
                text = path.read_text(errors="replace")
            except OSError:
                continue
            chunks.append(f"--- {path} (tail) ---\n" + "\n".join(text.splitlines()[-lines:]))
        return "\n".join(chunks) or "<no log>"

    # -- running the tools -------------------------------------------------------------
    def _cmd(self, tool: str, *args: str) -> list[str]:
        assert self.bindir is not None
        cmd = [str(self.bindir / tool), *args]
        if self._run_as is not None:
            runuser = shutil.which("runuser") or "/usr/sbin/runuser"
            cmd = [runuser, "-u", self._run_as, "--", *cmd]
        return cmd

    def _run(self, cmd: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
        # PG* variables (PGDATA, PGPORT, PGHOST, ...) must not redirect the tools.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        return subprocess.run(
            list(cmd),
            env=env,
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> PostgresServer:
        if self.workdir is not None:
            raise RuntimeError("PostgreSQL already started")
        self.bindir = self._bindir_arg or find_bindir()
        began = time.monotonic()
        base = Path(tempfile.gettempdir())
        uid = gid = None
        if os.geteuid() == 0:
            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(
                    f"running as root needs the `postgres` user to run the server; {INSTALL_HINT}"
                ) from None
            if not (shutil.which("runuser") or os.access("/usr/sbin/runuser", os.X_OK)):
                raise PostgresUnavailable("running as root needs `runuser` (util-linux)")
            self._run_as, uid, gid = "postgres", entry.pw_uid, entry.pw_gid
            if not _world_traversable(base):  # the postgres user must reach the folder
                base = Path("/tmp")
        self.workdir = Path(tempfile.mkdtemp(prefix="vrdndi-pg-", dir=base))
        try:
            if uid is not None and gid is not None:
                os.chown(self.workdir, uid, gid)
            self._initdb()
            attempts = 1 if self._fixed_port else 3  # a picked port may be taken by a racer
            for attempt in range(1, attempts + 1):
                self.port = self._fixed_port or free_port(self.host)
                problem = self._pg_ctl_start()
                if problem is None:
                    break
                if attempt == attempts or "could not bind" not in self.log_tail():
                    raise PostgresError(
                        f"PostgreSQL on port {self.port} did not start: {problem}\n"
                        f"{self.log_tail()}"
                    )
            self.create_database(self.dbname)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def _initdb(self) -> None:
        result = self._run(
            self._cmd(
                "initdb",
                "-A",
                "trust",
                "-U",
                "postgres",
                "-D",
                str(self.datadir),
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ),
            timeout=self.start_timeout,
        )
        assert self.workdir is not None
        (self.workdir / "initdb.log").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            raise PostgresError(f"initdb failed (status {result.returncode})\n{self.log_tail()}")

    def _pg_ctl_start(self) -> str | None:
        assert self.workdir is not None
        options = (
            f"-p {self.port} -k {shlex.quote(str(self.workdir))} -c listen_addresses={self.host} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        result = self._run(
            self._cmd(
                "pg_ctl",
                "-D",
                str(self.datadir),
                "-o",
                options,
                "-l",
                str(self.log_path),
                "-w",
                "-t",
                str(int(self.start_timeout)),
                "start",
            ),
            timeout=self.start_timeout + 10,
        )
        pid = self._read_postmaster_pid()
        if result.returncode == 0 and pid is not None:
            self.pid, self._starttime = pid, proc_starttime(pid)
            register(self)
            # SIGINT is PostgreSQL's "fast shutdown".
            self._watchdog = Watchdog(
                pid, signal.SIGINT, grace=self.stop_timeout, cleanup_dir=self.workdir
            )
            return None
        if pid is not None:  # half-started: make sure it is gone before retrying
            self.pid, self._starttime = pid, proc_starttime(pid)
            self._kill_postmaster()
        return f"pg_ctl start failed (status {result.returncode}): {result.stderr.strip()}"

    def _read_postmaster_pid(self) -> int | None:
        try:
            first = (self.datadir / "postmaster.pid").read_text().splitlines()[0]
            return int(first.strip())
        except (OSError, IndexError, ValueError):
            return None

    def _kill_postmaster(self) -> None:
        if self.pid is not None:
            if pid_alive(self.pid, self._starttime):
                signal_group(self.pid, signal.SIGKILL, self._starttime)
                wait_pid_gone(self.pid, 10, self._starttime)
        self.pid = self._starttime = None

    def stop(self) -> None:
        """``pg_ctl stop -m fast``, SIGKILL fallback by pid, remove the folder (idempotent)."""
        began = time.monotonic()
        try:
            if self._watchdog is not None:
                self._watchdog.disarm()
                self._watchdog = None
            if self.pid is not None and pid_alive(self.pid, self._starttime):
                try:
                    self._run(
                        self._cmd(
                            "pg_ctl",
                            "-D",
                            str(self.datadir),
                            "-m",
                            "fast",
                            "-w",
                            "-t",
                            str(int(self.stop_timeout)),
                            "stop",
                        ),
                        timeout=self.stop_timeout + 10,
                    )
                except subprocess.TimeoutExpired:
                    pass
                if self.pid is not None:
                    wait_pid_gone(self.pid, 2, self._starttime)
            self._kill_postmaster()
        finally:
            unregister(self)
            if self.workdir is not None:
                shutil.rmtree(self.workdir, ignore_errors=True)
                self.workdir = None
        self.stop_seconds = time.monotonic() - began

    # -- databases ---------------------------------------------------------------------
    def _admin_execute(self, template: str, database: str) -> None:
        """Run ``template`` with ``{}`` replaced by ``database`` quoted as an identifier."""
        import psycopg2  # lazy: only the PostgreSQL tests need the driver
        from psycopg2 import sql

        conn = psycopg2.connect(
            host=self.host, port=self.port, user="postgres", dbname="postgres", connect_timeout=10
        )
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql.SQL(template).format(sql.Identifier(database)))
        finally:
            conn.close()

    def create_database(self, name: str) -> str:
        """Create an empty database ``name`` (``[a-z_][a-z0-9_]*``); returns its URL."""
        if not _NAME_RE.match(name):
            raise ValueError(f"bad database name {name!r}")
        self._admin_execute("CREATE DATABASE {}", name)
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop ``name``, closing any connections a test left open."""
        if not _NAME_RE.match(name):
            raise ValueError(f"bad database name {name!r}")
        self._admin_execute("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)

    # -- context manager ---------------------------------------------------------------
    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"PostgresServer(url={self.url!r}, pid={self.pid})"
