"""A writer killed in the middle of an upsert leaves the previous rows intact (SQLite)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from vrdndi_pipeline.core.store.database import make_engine, open_database, read_transaction
from vrdndi_pipeline.core.store.schema import aw_events

# The child upserts a stream of rows; after 20,000 rows (more than SQLite's page cache holds,
# so uncommitted pages have spilled into the WAL file) it says "mid" and stalls, still inside the transaction, until killed.
CHILD = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime, timedelta
    from vrdndi_pipeline.core.records import AwEvent
    from vrdndi_pipeline.core.store.database import make_engine, write_transaction
    from vrdndi_pipeline.core.store.source_tables import aw_event_rows
    from vrdndi_pipeline.core.store.schema import aw_events
    from vrdndi_pipeline.core.store.upserts import upsert_rows

    def rows():
        for i in range(30_000):
            if i == 20_000:
                print("mid", flush=True)
                time.sleep(600)
            # ids 0..999 overwrite the stored rows with a new title; the rest are new
            yield from aw_event_rows([AwEvent("b", i, "h",
                datetime(2026, 11, 1, tzinfo=UTC) + timedelta(seconds=i), 1.0,
                "Code", "overwritten by the killed writer")])

    engine = make_engine(sys.argv[1])
    with write_transaction(engine) as conn:
        upsert_rows(conn, aw_events, rows(), chunk_rows=1_000)
    """
)


@pytest.mark.slow
def test_killed_writer_leaves_previous_rows_intact(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    engine = open_database(url)
    with engine.begin() as conn:
        conn.execute(
            aw_events.insert(),
            [
                {
                    "bucket_id": "b",
                    "event_id": i,
                    "hostname": "h",
                    "duration_s": 1.0,
                    "timestamp": datetime(2026, 10, 1, tzinfo=UTC),
                    "app": "Code",
                    "title": "original",
                    "url": None,
                    "category": "[]",
                }
                for i in range(1_000)
            ],
        )
    engine.dispose()

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "mid"
        # The database file already holds the child's uncommitted pages (WAL) at this point.
        assert os.path.getsize(tmp_path / "vrdndi.db-wal") > 0
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    engine = make_engine(url)
    with read_transaction(engine) as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        assert conn.execute(select(func.count()).select_from(aw_events)).scalar_one() == 1_000
        titles = set(conn.execute(select(aw_events.c.title)).scalars())
    assert titles == {"original"}
    engine.dispose()
