"""SIGKILL at random moments across clicks, hides, ingest upserts and feed swaps (SQLite).

A writer process (``tests/harness/kill_loop_child.py``) runs a seeded random mix of the writes
vrdndi makes and acknowledges each commit in a file; it is killed at a random moment, 24 times
over, on one database. After every kill: SQLite's integrity check passes, every acknowledged
row is there, and the feed is whole (one generation, ranks 1..n, as many rows as its header
says).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import random
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.harness import kill_loop_child
from tests.harness.kill_loop_child import AW_BATCH, FEED_ROWS
from vrdndi_pipeline.core.store.database import make_engine, open_database, read_transaction
from vrdndi_pipeline.core.store.feed_tables import current_generation
from vrdndi_pipeline.core.store.schema import (
    aw_events,
    feed_predictions,
    feedback,
    visibility_changes,
)

KILLS = 24
FORKS = multiprocessing.get_context("forkserver")
FORKS.set_forkserver_preload(["tests.harness.kill_loop_child"])
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


def run_and_kill(url: str, seed: int, delay_s: float, acks: Acks, folder: Path) -> int:
    """Start a writer, kill it ``delay_s`` after it is ready; returns its acknowledgements.

    Writers fork from a server process that imported the writer's modules once
    (``forkserver``), so a round costs the kill, not an interpreter start.
    """
    ack_file = folder / f"acks-{seed}.txt"
    writer = FORKS.Process(target=kill_loop_child.main, args=(url, seed, str(ack_file)))
    writer.start()
    try:
        deadline = time.monotonic() + 60
        while not (ack_file.exists() and ack_file.read_bytes().startswith(b"ready\n")):
            assert time.monotonic() < deadline, "the writer did not start"
            time.sleep(0.005)
        time.sleep(delay_s)
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.kill()
        writer.join(timeout=30)
    assert writer.exitcode == -signal.SIGKILL
    # a line the kill cut short has no newline: it was never acknowledged
    *whole, _cut = ack_file.read_text().split("\n")
    for line in whole[1:]:
        acks.add(line)
    return len(whole) - 1


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


@pytest.mark.slow
def test_random_kills_lose_no_acknowledged_row(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    engine = open_database(url)
    engine.dispose()
    rng = random.Random(13)
    acks = Acks()
    acknowledged = 0
    for round_number in range(KILLS):
        delay = rng.uniform(0.02, 0.6)
        acknowledged += run_and_kill(url, round_number + 1, delay, acks, tmp_path)
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
