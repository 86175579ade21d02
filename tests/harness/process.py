"""Any server command (``dagster dev``, the feed site, the labeller) as a real process.

Usage::

    with ServerProcess(["dagster", "dev", "-p", str(port)], url=f"http://127.0.0.1:{port}/",
                       log_path=tmp_path / "dagster.log", env=env) as server:
        ...  # server.pid, server.log_tail()

The command runs as a session leader (its children share its process group), its output goes
to ``log_path``, and :meth:`start` waits until ``url`` answers HTTP (any status). It is stopped
by pid: SIGTERM to the group, SIGKILL after ``stop_timeout`` seconds. A
:class:`~tests.harness.ports.Watchdog` kills it if the test process dies first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from .ports import Watchdog, proc_starttime, register, signal_group, unregister, wait_pid_gone


class ServerProcessError(RuntimeError):
    """The server did not come up; the message carries the tail of its log."""


class ServerProcess:
    def __init__(
        self,
        command: Sequence[str],
        *,
        url: str,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        start_timeout: float = 120.0,
        stop_timeout: float = 20.0,
    ) -> None:
        self.command = list(command)
        self.url = url
        self.log_path = Path(log_path)
        self.env = dict(os.environ if env is None else env)
        self.cwd = cwd
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.pid = 0
        self._starttime: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._watchdog: Watchdog | None = None

    def start(self) -> ServerProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                self.command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
            )
        self.pid = self._proc.pid
        self._starttime = proc_starttime(self.pid)
        self._watchdog = Watchdog(self.pid, grace=self.stop_timeout)
        register(self)
        deadline = time.monotonic() + self.start_timeout
        while True:
            code = self._proc.poll()
            if code is not None:
                self.stop()
                raise ServerProcessError(
                    f"{self.command[0]} exited with {code}:\n{self.log_tail()}"
                )
            if self._answers():
                return self
            if time.monotonic() > deadline:
                self.stop()
                raise ServerProcessError(
                    f"{self.url} did not answer within {self.start_timeout:.0f} s:\n"
                    f"{self.log_tail()}"
                )
            time.sleep(0.25)

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # it answered, even if not with 200
        except (urllib.error.URLError, OSError):
            return False

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it after ``stop_timeout`` s; idempotent."""
        if self._watchdog is not None:
            self._watchdog.disarm()
            self._watchdog = None
        if self._proc is not None and self.pid:
            signal_group(self.pid, signal.SIGTERM, self._starttime)
            try:
                self._proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                signal_group(self.pid, signal.SIGKILL, self._starttime)
                self._proc.wait(timeout=10)
            # children that ignored SIGTERM (the daemon, code servers) get SIGKILL
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            wait_pid_gone(self.pid, 5)
            self._proc = None
        unregister(self)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
