"""SIGKILL at random moments across clicks, hides, ingest upserts and feed swaps (SQLite).

A writer process (``tests/harness/kill_loop_child.py``) runs a seeded random mix of the writes
vrdndi makes and acknowledges each commit on stdout; it is killed at a random moment, 24 times
over, on one database. After every kill: SQLite's integrity check passes, every acknowledged
row is there, and the feed is whole (one generation, ranks 1..n, as many rows as its header
says).
"""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import func, select, text

from tests.harness.kill_loop_child import AW_BATCH, FEED_ROWS
from vrdndi_pipeline.core.store.database import make_engine, read_transaction
from vrdndi_pipeline.core.store.feed_tables import current_generation
from vrdndi_pipeline.core.store.migrate import upgrade_schema
from vrdndi_pipeline.core.store.schema import (
    aw_events,
    feed_predictions,
    feedback,
    visibility_changes,
)

KILLS = 24
ROOT = Path(__file__).resolve().parent.parent
logger = logging.getLogger(__name__)


class Acks:
    """What the killed writers acknowledged, across every round."""

    def __init__(self) -> None:
        self.clicks: set[str] = set()
        self.hides: set[str] = set()
        self.aw_ranges: list[tuple[int, int]] = []
        self.feeds: set[str] = set()

    def add(self, line: str) -> None:
        kind, *values = line.split()
        if kind == "click":
            self.clicks.add(values[0])
        elif kind == "hide":
            self.hides.add(values[0])
        elif kind == "aw":
            self.aw_ranges.append((int(values[0]), int(values[1])))
        elif kind == "feed":
            self.feeds.add(values[0])


def run_and_kill(url: str, seed: int, delay_s: float, acks: Acks) -> int:
    """Start a writer, kill it ``delay_s`` after it is ready; returns its acknowledgements."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.harness.kill_loop_child", url, str(seed)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            if line == "ready\n":
                ready.set()
            elif line.endswith("\n"):  # a line cut by the kill was never acknowledged
                lines.append(line.strip())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(60), "the writer did not start"
        time.sleep(delay_s)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
    reader.join(timeout=30)
    assert child.returncode == -signal.SIGKILL
    for line in lines:
        acks.add(line)
    return len(lines)


def check_database(url: str, acks: Acks) -> None:
    engine = make_engine(url)
    try:
        with read_transaction(engine) as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            clicks = set(conn.execute(select(feedback.c.click_id)).scalars())
            assert acks.clicks <= clicks, f"lost clicks: {len(acks.clicks - clicks)}"
            hides = set(conn.execute(select(visibility_changes.c.change_id)).scalars())
            assert acks.hides <= hides, f"lost hides: {len(acks.hides - hides)}"
            for first, last in acks.aw_ranges:
                stored = conn.execute(
                    select(func.count())
                    .select_from(aw_events)
                    .where(aw_events.c.event_id.between(first, last))
                ).scalar_one()
                assert stored == AW_BATCH, f"events {first}..{last}: {stored} of {AW_BATCH}"
            header = current_generation(conn)
            rows = conn.execute(select(feed_predictions.c.generation, feed_predictions.c.rank))
            rows = rows.all()
            if header is None:
                assert rows == [] and not acks.feeds
            else:
                assert header.videos == len(rows) == FEED_ROWS
                assert {g for g, _ in rows} == {header.generation}
                assert sorted(r for _, r in rows) == list(range(1, FEED_ROWS + 1))
    finally:
        engine.dispose()


def test_random_kills_lose_no_acknowledged_row(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    engine = make_engine(url)
    upgrade_schema(engine)
    engine.dispose()
    rng = random.Random(13)
    acks = Acks()
    acknowledged = 0
    for round_number in range(KILLS):
        acknowledged += run_and_kill(url, round_number + 1, rng.uniform(0.02, 0.6), acks)
        check_database(url, acks)
    logger.info(
        "%d kills, %d acknowledged writes: %d clicks, %d hides, %d event batches, %d feeds",
        KILLS,
        acknowledged,
        len(acks.clicks),
        len(acks.hides),
        len(acks.aw_ranges),
        len(acks.feeds),
    )
    # the kills landed among real work: every kind of write was acknowledged at least once
    assert acks.clicks and acks.hides and acks.aw_ranges and acks.feeds
