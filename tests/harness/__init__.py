"""Test harness: real servers on loopback, started and stopped by process id.

* :class:`AwServer` - the real ActivityWatch server (``.venv-aw``, see
  ``scripts/install-aw-server.sh``).
* :class:`PostgresServer` - a throw-away PostgreSQL cluster (Debian ``postgresql``).
* :func:`free_port` - a free TCP port on 127.0.0.1.

The pytest fixtures built on these live in ``tests/conftest.py``. Every server is stopped
in a ``finally`` (fixture teardown / ``with``), again by an ``atexit`` hook, and by a
watchdog process if the test process is killed, so none outlives the test session.
"""

from .aw_server import AwServer, AwServerError, AwServerUnavailable
from .ports import free_port, pid_alive
from .postgres import PostgresError, PostgresServer, PostgresUnavailable

__all__ = [
    "AwServer",
    "AwServerError",
    "AwServerUnavailable",
    "PostgresError",
    "PostgresServer",
    "PostgresUnavailable",
    "free_port",
    "pid_alive",
]
