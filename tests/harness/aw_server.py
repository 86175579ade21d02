"""A real ActivityWatch server (PyPI ``aw-server`` 0.12.0) on a free loopback port.

aw-server needs ``flask<2.3`` and ``peewee<4``, so it lives in its own virtualenv
``.venv-aw`` built by ``scripts/install-aw-server.sh`` from ``requirements-aw-server.txt``.
Set ``VRDNDI_AW_SERVER`` to use another ``aw-server`` executable.

Usage::

    with AwServer() as aw:
        client = ActivityWatchClient("x", testing=True, host=aw.host, port=aw.port)

The server runs in ``--testing`` mode with ``HOME`` and ``XDG_{DATA,CONFIG,CACHE,STATE}_HOME``
inside its own work folder (a fresh temporary folder unless ``workdir`` is given), logs to
``<workdir>/aw-server.log``, and is stopped by pid: SIGTERM to its process group, then
SIGKILL after ``stop_timeout`` seconds. A :class:`~tests.harness.ports.Watchdog` kills it if
the test process dies first.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from .ports import (
    Watchdog,
    free_port,
    proc_starttime,
    register,
    signal_group,
    unregister,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_EXECUTABLE = REPO_ROOT / ".venv-aw" / "bin" / "aw-server"
INSTALL_HINT = (
    "run `scripts/install-aw-server.sh` (builds .venv-aw from requirements-aw-server.txt)"
)

# Variables that would leak the test environment into aw-server's own interpreter.
_SCRUBBED_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "AW_PROFILE")


class AwServerUnavailable(RuntimeError):
    """The aw-server executable is missing."""


class AwServerError(RuntimeError):
    """aw-server did not come up; the message carries the tail of its log."""


def aw_server_executable() -> Path:
    """The aw-server to run: ``$VRDNDI_AW_SERVER`` or ``<repo>/.venv-aw/bin/aw-server``."""
    override = os.environ.get("VRDNDI_AW_SERVER")
    exe = Path(override) if override else DEFAULT_EXECUTABLE
    if not (exe.is_file() and os.access(exe, os.X_OK)):
        raise AwServerUnavailable(f"aw-server executable not found at {exe}: {INSTALL_HINT}")
    return exe


def xdg_env(root: Path) -> dict[str, str]:
    """``XDG_*_HOME`` variables pointing into ``root`` (folders are created)."""
    env = {
        "XDG_DATA_HOME": str(root / "data"),
        "XDG_CONFIG_HOME": str(root / "config"),
        "XDG_CACHE_HOME": str(root / "cache"),
        "XDG_STATE_HOME": str(root / "state"),
    }
    for path in env.values():
        Path(path).mkdir(parents=True, exist_ok=True)
    return env


class AwServer:
    """One aw-server process. Start with :meth:`start` or ``with``; stop with :meth:`stop`."""

    def __init__(
        self,
        workdir: str | os.PathLike[str] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        executable: str | os.PathLike[str] | None = None,
        start_timeout: float = 30.0,
        stop_timeout: float = 10.0,
    ) -> None:
        self.host = host
        self._fixed_port = port
        self.port: int = port or 0
        self._workdir_arg = Path(workdir) if workdir is not None else None
        self.workdir: Path | None = None
        self._executable = Path(executable) if executable is not None else None
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._watchdog: Watchdog | None = None
        self._owns_workdir = False
        self.startup_seconds: float | None = None
        self.stop_seconds: float | None = None

    # -- properties --------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:5601`` (the REST API is under ``/api/0``)."""
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def log_path(self) -> Path:
        if self.workdir is None:
            raise RuntimeError("aw-server was never started")
        return self.workdir / "aw-server.log"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except (OSError, RuntimeError):
            return "<no log>"
        return "\n".join(text.splitlines()[-lines:])

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> AwServer:
        if self._proc is not None:
            raise RuntimeError("aw-server already started")
        exe = self._executable or aw_server_executable()
        if self._workdir_arg is not None:
            self.workdir = self._workdir_arg
            self.workdir.mkdir(parents=True, exist_ok=True)
        else:
            self.workdir = Path(tempfile.mkdtemp(prefix="vrdndi-aw-"))
            self._owns_workdir = True
        began = time.monotonic()
        attempts = 1 if self._fixed_port else 3  # a picked port may be taken by a racer
        try:
            for attempt in range(1, attempts + 1):
                self.port = self._fixed_port or free_port(self.host)
                self._spawn(exe)
                problem = self._wait_ready()
                if problem is None:
                    self.startup_seconds = time.monotonic() - began
                    return self
                tail = self.log_tail()
                self._terminate()
                port_taken = "Address already in use" in tail or problem.startswith("foreign")
                if attempt == attempts or not port_taken:
                    raise AwServerError(
                        f"aw-server on {self.url} did not start: {problem}\n"
                        f"--- {self.log_path} (tail) ---\n{tail}"
                    )
        except BaseException:
            self.stop()
            raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _spawn(self, exe: Path) -> None:
        assert self.workdir is not None
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
        env.update(xdg_env(self.workdir))
        env["HOME"] = str(self.workdir)
        env["PYTHONUNBUFFERED"] = "1"
        if self._log is not None:
            self._log.close()
        self._log = open(self.log_path, "wb")  # closed in _terminate
        self._proc = subprocess.Popen(
            [str(exe), "--testing", "--host", self.host, "--port", str(self.port)],
            cwd=self.workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: Ctrl-C goes to pytest, we stop it
        )
        register(self)
        self._watchdog = Watchdog(
            self._proc.pid,
            signal.SIGTERM,
            grace=self.stop_timeout,
            cleanup_dir=self.workdir if self._owns_workdir else None,
        )

    def _wait_ready(self) -> str | None:
        """None once *our* process answers ``/api/0/info``; else why not."""
        assert self._proc is not None
        deadline = time.monotonic() + self.start_timeout
        while True:
            code = self._proc.poll()
            if code is not None:
                return f"process exited with status {code}"
            info = self._get_info()
            if info is not None:
                if self._is_ours(info):
                    return None
                return f"foreign server answered on port {self.port}: {info!r}"
            if time.monotonic() >= deadline:
                return f"no answer from {self.url}/api/0/info within {self.start_timeout:.0f} s"
            time.sleep(0.05)

    def _get_info(self) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(f"{self.url}/api/0/info", timeout=2) as resp:
                return dict(json.load(resp))
        except (OSError, ValueError, urllib.error.URLError):
            return None

    def _is_ours(self, info: dict[str, Any]) -> bool:
        # aw-server writes device_id into its XDG data folder on the first /info call, so a
        # server that answers with an id that is not in our folder is someone else's.
        assert self.workdir is not None
        ids = {p.read_text().strip() for p in self.workdir.glob("data/**/device_id")}
        return not ids or str(info.get("device_id", "")).strip() in ids

    def _terminate(self) -> None:
        """Stop the process by pid: SIGTERM its group, wait, SIGKILL; always reap it."""
        proc, self._proc = self._proc, None
        if self._watchdog is not None:
            self._watchdog.disarm()
            self._watchdog = None
        if proc is not None:
            starttime = proc_starttime(proc.pid)
            if proc.poll() is None:
                signal_group(proc.pid, signal.SIGTERM, starttime)
                try:
                    proc.wait(timeout=self.stop_timeout)
                except subprocess.TimeoutExpired:
                    signal_group(proc.pid, signal.SIGKILL, starttime)
                    proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def stop(self) -> None:
        """Stop the server (idempotent) and remove its temporary folder if it made one."""
        began = time.monotonic()
        try:
            self._terminate()
        finally:
            unregister(self)
            if self._owns_workdir and self.workdir is not None:
                shutil.rmtree(self.workdir, ignore_errors=True)
                self._owns_workdir = False
        self.stop_seconds = time.monotonic() - began

    # -- REST helpers ------------------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Call the REST API (``path`` like ``/api/0/buckets/``); returns the decoded JSON."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
        return json.loads(raw) if raw.strip() else None

    def buckets(self) -> dict[str, Any]:
        return dict(self.request("GET", "/api/0/buckets/"))

    def delete_all_buckets(self) -> None:
        """Empty the server between tests (``DELETE /api/0/buckets/<id>?force=1``)."""
        for bucket_id in self.buckets():
            quoted = urllib.parse.quote(bucket_id, safe="")
            self.request("DELETE", f"/api/0/buckets/{quoted}?force=1")

    # -- context manager ---------------------------------------------------------------
    def __enter__(self) -> AwServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"AwServer(url={self.url!r}, pid={self.pid})"
