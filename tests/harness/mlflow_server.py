"""A real ``mlflow server`` on a free loopback port, against a SQLite backend store.

Usage::

    with mlflow_server(tmp_path, tmp_path / "mlflow.db") as url:
        MlflowClient(tracking_uri=url).search_experiments()

It runs ``python -m mlflow server`` with one worker and telemetry off, logs to
``<root>/mlflow-server.log``, stores artifacts uploaded through it under
``<root>/server-artifacts`` and is started and stopped by pid through
:class:`~tests.harness.process.ServerProcess` (SIGTERM to its process group, SIGKILL after
15 s; a watchdog kills it if the test process dies first).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .ports import free_port
from .process import ServerProcess, ServerProcessError


@contextmanager
def mlflow_server(root: Path, db: Path, start_timeout: float = 90.0) -> Iterator[str]:
    """Yield the base URL (``http://127.0.0.1:<port>``) of a running ``mlflow server``."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = ServerProcess(
        [sys.executable, "-m", "mlflow", "server"]
        + ["--backend-store-uri", f"sqlite:///{db}"]
        + ["--default-artifact-root", str(root / "server-artifacts")]
        + ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        url=f"{url}/health",
        log_path=root / "mlflow-server.log",
        env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1"},
        start_timeout=start_timeout,
        stop_timeout=15.0,
    )
    try:
        server.start()
    except ServerProcessError as exc:
        pytest.fail(f"mlflow server did not start: {exc}", pytrace=False)
    try:
        yield url
    finally:
        server.stop()
