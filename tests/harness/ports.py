"""Loopback ports and process ids: the low-level pieces the harness servers share.

* :func:`free_port` asks the kernel for a free TCP port on 127.0.0.1.
* :func:`pid_alive`, :func:`wait_pid_gone`, :func:`signal_group` look at and signal a server
  by process id. A zombie counts as gone: on machines whose PID 1 does not reap orphans
  (containers, firecracker VMs) a stopped, daemonized postmaster stays a zombie forever,
  and ``os.kill(pid, 0)`` still succeeds on it.
* :class:`Watchdog` is a tiny helper process that kills a server when the test process dies
  without running its ``finally`` blocks (SIGKILL, OOM, CI timeout), so no server outlives
  the test session.
* :func:`register` / :func:`unregister` keep a list of running servers that an ``atexit``
  hook stops (belt and braces for interpreters that exit without fixture teardown).
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Protocol

__all__ = [
    "Watchdog",
    "free_port",
    "pid_alive",
    "proc_starttime",
    "register",
    "signal_group",
    "unregister",
    "wait_pid_gone",
]


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on ``host`` that was free a moment ago (bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _proc_stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            raw = fh.read()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may contain spaces.
    return [raw[: raw.index(" ")], raw[raw.index("(") + 1 : raw.rindex(")")]] + raw[
        raw.rindex(")") + 2 :
    ].split()


def proc_starttime(pid: int) -> int | None:
    """The process start time in clock ticks since boot (identifies a pid across reuse)."""
    fields = _proc_stat(pid)
    return int(fields[21]) if fields else None


def pid_alive(pid: int, starttime: int | None = None) -> bool:
    """True if ``pid`` runs (not a zombie) and, if given, started at ``starttime``."""
    if pid <= 0:
        return False
    if os.path.isdir("/proc/self"):
        fields = _proc_stat(pid)
        if fields is None or fields[2] in ("Z", "X"):
            return False
        return starttime is None or int(fields[21]) == starttime
    try:  # pragma: no cover - non-Linux fallback
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_pid_gone(pid: int, timeout: float, starttime: int | None = None) -> bool:
    """Poll until ``pid`` is gone (or a zombie); True if it went within ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while pid_alive(pid, starttime):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def signal_group(pid: int, sig: int, starttime: int | None = None) -> None:
    """Send ``sig`` to the process group led by ``pid`` (or to ``pid`` alone).

    Does nothing when ``pid`` is gone or, with ``starttime``, is a different process that
    reused the id. Both harness servers run as session leaders, so the group holds the
    server and every child it forked.
    """
    if not pid_alive(pid, starttime):
        return
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


_WATCHDOG_SRC = r"""
import os, signal, sys, time
import shutil
pid, starttime, sig, grace = (int(a) for a in sys.argv[1:5])
cleanup = sys.argv[5] if len(sys.argv) > 5 else ""
signal.signal(signal.SIGINT, signal.SIG_IGN)
while os.read(0, 4096):
    pass
def alive():
    try:
        with open(f"/proc/{pid}/stat") as fh:
            raw = fh.read()
    except OSError:
        return False
    fields = raw[raw.rindex(")") + 2:].split()
    return fields[0] not in ("Z", "X") and int(fields[19]) == starttime
def kill(s):
    if alive():
        try:
            os.killpg(pid, s)
        except OSError:
            try:
                os.kill(pid, s)
            except OSError:
                pass
kill(sig)
deadline = time.monotonic() + grace
while alive() and time.monotonic() < deadline:
    time.sleep(0.05)
kill(signal.SIGKILL)
if cleanup:
    time.sleep(0.2)
    shutil.rmtree(cleanup, ignore_errors=True)
"""


class Watchdog:
    """A helper process that stops ``pid`` when the test process dies.

    It blocks reading a pipe whose only writer is this (the test) process. When the test
    process exits by any means the pipe closes, and the watchdog sends ``sig`` to the
    server's process group, waits ``grace`` seconds, then SIGKILLs it and removes
    ``cleanup_dir`` (the server's temporary folder) if given. On a normal stop the
    harness calls :meth:`disarm` *before* stopping the server, so the watchdog never signals
    a pid the kernel may have handed to another process.
    """

    def __init__(
        self,
        pid: int,
        sig: int = signal.SIGTERM,
        grace: float = 10.0,
        cleanup_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        starttime = proc_starttime(pid)
        self._proc: subprocess.Popen[bytes] | None = None
        if starttime is None:  # not Linux, or already gone: nothing to watch
            return
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-S",
                "-c",
                _WATCHDOG_SRC,
                str(pid),
                str(starttime),
                str(int(sig)),
                str(int(grace)),
                os.fspath(cleanup_dir) if cleanup_dir is not None else "",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def disarm(self) -> None:
        """Stop the watchdog without it touching the server."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.kill()
        proc.wait()
        if proc.stdin is not None:
            proc.stdin.close()


class _Stoppable(Protocol):
    def stop(self) -> None: ...


_RUNNING: list[_Stoppable] = []


def register(server: _Stoppable) -> None:
    """Remember a started server so the ``atexit`` hook can stop it."""
    if server not in _RUNNING:
        _RUNNING.append(server)


def unregister(server: _Stoppable) -> None:
    """Forget a stopped server."""
    if server in _RUNNING:
        _RUNNING.remove(server)


@atexit.register
def _stop_all() -> None:
    for server in list(reversed(_RUNNING)):
        try:
            server.stop()
        except Exception:  # best effort at interpreter exit
            pass
