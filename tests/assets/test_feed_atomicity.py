"""``feed_predictions`` is replaced as a whole: readers never see an empty or mixed feed.

* Concurrency (SQLite and PostgreSQL): a writer rewrites the feed 20 times while reader
  threads read it and feedback threads append clicks; every read sees one complete feed and
  no click is lost or doubled.
* Crash safety: a writer killed (SIGKILL) in the middle of a ``replace_feed`` transaction
  leaves the previous feed intact.
* ``replace_feed`` refuses malformed feeds, and a transaction that fails after it leaves the
  old feed in place.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.engine import make_url

from vrdndi_pipeline.core.store.database import (
    make_engine,
    open_database,
    read_transaction,
    write_transaction,
)
from vrdndi_pipeline.core.store.feed_tables import (
    FEED_COLUMNS,
    FeedGeneration,
    current_generation,
    read_feed_page,
    replace_feed,
)
from vrdndi_pipeline.core.store.people_tables import FeedbackClick, insert_feedback
from vrdndi_pipeline.core.store.schema import feed_predictions, feedback

logger = logging.getLogger(__name__)

NOW = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)

REWRITES = 20  # generations 1..20 after the initial generation 0
FEEDBACK_THREADS = 4
CLICKS_PER_THREAD = 50  # 200 clicks in all
PAGE = 21


def generation_id(g: int) -> str:
    return f"gen-{g:02d}"


def generation_size(g: int) -> int:
    return 300 if g % 2 == 0 else 250


def video_id(g: int, rank: int) -> str:
    return f"g{g:02d}r{rank:07d}"  # 11 characters, unique per generation and rank


def make_feed(g: int, size: int | None = None, *, generation: str | None = None) -> list[dict]:
    """A complete feed for generation ``g``: ranks 1..n, titles and ids naming ``g``."""
    size = generation_size(g) if size is None else size
    generation = generation or generation_id(g)
    return [
        {
            "video_id": video_id(g, rank),
            "rank": rank,
            "title": f"{generation} video {rank}",
            "channel_id": f"UC{rank % 7:022d}",
            "channel_title": f"Channel {rank % 7}",
            "duration_s": 60 + rank,
            "published_at": NOW - timedelta(hours=rank),
            "interest_score": round(1.0 - rank / 100_000, 6),
            "productive_score": None,
            "combined_score": round(1.0 - rank / 100_000, 6),
            "ranking": "champion",
            "model_version": f"v{g}",
            "generation": generation,
            "generated_at": NOW + timedelta(minutes=g),
            "reasons": '[{"kind": "video", "text": "a 1 min video", "weight": 0.1}]',
            "explored": rank % 10 == 0,
            "propensity": 0.9,
        }
        for rank in range(1, size + 1)
    ]


def database(url: str) -> Engine:
    engine = open_database(url)
    return engine


def write_feed(engine: Engine, rows: list[dict]) -> None:
    with write_transaction(engine) as conn:
        replace_feed(conn, rows)


def stored_feed(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(feed_predictions).order_by(feed_predictions.c.rank))
    return [dict(r._mapping) for r in rows]


def full_feed(engine: Engine) -> list[dict[str, Any]]:
    with read_transaction(engine) as conn:
        return stored_feed(conn)


def gen_number(generation: str) -> int:
    return int(generation.removeprefix("gen-"))


# --------------------------------------------------------------------------------------------
# 1. Concurrent rewrites, reads and feedback clicks
# --------------------------------------------------------------------------------------------


def check_full_read(rows: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """Problems with one full read of the table (empty list: a complete feed)."""
    if not rows:
        return "", ["empty feed"]
    generations = {r["generation"] for r in rows}
    if len(generations) != 1:
        return "", [f"{len(rows)} rows from generations {sorted(generations)}"]
    (generation,) = generations
    g = gen_number(generation)
    problems = []
    if len(rows) != generation_size(g):
        problems.append(f"{generation}: {len(rows)} rows, expected {generation_size(g)}")
    if [r["rank"] for r in rows] != list(range(1, len(rows) + 1)):
        problems.append(f"{generation}: ranks are not 1..{len(rows)}")
    wrong = [
        r["rank"]
        for r in rows
        if r["video_id"] != video_id(g, r["rank"])
        or r["title"] != f"{generation} video {r['rank']}"
    ]
    if wrong:
        problems.append(f"{generation}: rows of another feed at ranks {wrong[:5]}")
    return generation, problems


def check_page_read(conn: Connection) -> tuple[str, list[str]]:
    """``current_generation`` and the first page, read in one transaction, must agree."""
    current = current_generation(conn)
    page = read_feed_page(conn, 0, PAGE)
    if current is None:
        return "", [f"current_generation is None (page has {len(page)} rows)"]
    g = gen_number(current.generation)
    problems = []
    if current.videos != generation_size(g):
        problems.append(
            f"{current.generation}: current_generation counts {current.videos} videos, "
            f"expected {generation_size(g)}"
        )
    if current.model_version != f"v{g}":
        problems.append(f"{current.generation}: model_version {current.model_version}")
    page_generations = {item.generation for item in page}
    if page_generations != {current.generation}:
        problems.append(
            f"current_generation {current.generation}, page generations {sorted(page_generations)}"
        )
    if [item.rank for item in page] != list(range(1, PAGE + 1)):
        problems.append(f"{current.generation}: page ranks {[item.rank for item in page]}")
    if [item.video.title for item in page] != [
        f"{current.generation} video {r}" for r in range(1, PAGE + 1)
    ]:
        problems.append(f"{current.generation}: page titles of another feed")
    return current.generation, problems


def start_threads(
    targets: list[Callable[[], None]], errors: list[BaseException]
) -> list[threading.Thread]:
    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as exc:  # reported by the test, not lost in the thread
                errors.append(exc)

        return run

    threads = [threading.Thread(target=guarded(t), daemon=True) for t in targets]
    for t in threads:
        t.start()
    return threads


def join_threads(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker thread hung"


@pytest.mark.slow
def test_feed_is_atomic_under_concurrent_reads_and_writes(database_url: str) -> None:
    engine = database(database_url)
    write_feed(engine, make_feed(0))  # the feed exists before anyone reads

    lock = threading.Lock()
    stop_reading = threading.Event()
    counts = {"full_reads": 0, "page_reads": 0, "rewrites": 0, "clicks_new": 0, "retries": 0}
    seen: set[str] = set()
    violations: list[str] = []
    errors: list[BaseException] = []
    readers = 3

    def reads_done() -> int:
        with lock:
            return counts["full_reads"] + counts["page_reads"]

    def reader(kind: str) -> Callable[[], None]:
        def run() -> None:
            try:
                while not stop_reading.is_set():
                    with read_transaction(engine) as conn:
                        if kind == "full_reads":
                            generation, problems = check_full_read(stored_feed(conn))
                        else:
                            generation, problems = check_page_read(conn)
                    with lock:
                        counts[kind] += 1
                        seen.add(generation)
                        violations.extend(problems)
                        if len(violations) > 50:
                            stop_reading.set()
            except BaseException:
                stop_reading.set()  # the writer must not wait for reads that never come
                raise

        return run

    def wait_for_reads(since: int) -> None:
        # Each of the `readers` threads reads sequentially, so `readers + 1` reads finished
        # after `since` include one that started after it: every generation gets read.
        deadline = time.monotonic() + 30
        while reads_done() < since + readers + 1 and not stop_reading.is_set():
            if time.monotonic() > deadline:
                raise AssertionError(f"readers stalled at {reads_done()} reads")
            time.sleep(0.001)

    def writer() -> None:
        try:
            mark = 0
            for g in range(1, REWRITES + 1):
                wait_for_reads(mark)
                if stop_reading.is_set():  # the readers gave up: too many violations
                    break
                rows = make_feed(g)
                with write_transaction(engine) as conn:
                    assert replace_feed(conn, rows) == len(rows)
                mark = reads_done()
                with lock:
                    counts["rewrites"] += 1
            wait_for_reads(mark)
        except BaseException:
            stop_reading.set()
            raise

    def clicker(t: int) -> Callable[[], None]:
        def run() -> None:
            for i in range(CLICKS_PER_THREAD):
                click = FeedbackClick(
                    click_id=f"click-{t}-{i:03d}",
                    video_id=video_id(i % 3, 1 + i),
                    kind="interest" if i % 2 else "productive",
                    value=i % 2,
                    created_at=NOW + timedelta(seconds=i),
                    timezone="Europe/Berlin",
                )
                with write_transaction(engine) as conn:
                    new = insert_feedback(conn, [click])
                retried = 0
                if i % 10 == 0:  # a retried click (same click_id) is not stored twice
                    with write_transaction(engine) as conn:
                        retried = insert_feedback(conn, [click])
                with lock:
                    counts["clicks_new"] += new
                    counts["retries"] += retried
                time.sleep(0.002)

        return run

    started = time.monotonic()
    reader_threads = start_threads(
        [reader("full_reads"), reader("page_reads"), reader("full_reads")], errors
    )
    workers = start_threads([writer, *(clicker(t) for t in range(FEEDBACK_THREADS))], errors)
    join_threads(workers)  # readers keep reading until the writer and the clicks are done
    stop_reading.set()
    join_threads(reader_threads)
    elapsed = time.monotonic() - started

    with read_transaction(engine) as conn:
        click_ids = list(conn.execute(select(feedback.c.click_id)).scalars())
        final = stored_feed(conn)
    engine.dispose()

    backend = make_url(database_url).get_backend_name()
    report = (
        f"[{backend}] {counts['full_reads']} full reads + {counts['page_reads']} page reads, "
        f"{counts['rewrites']} rewrites, {len(click_ids)} feedback rows "
        f"({counts['clicks_new']} new clicks, {counts['retries']} doubled retries), "
        f"{len(seen)} generations seen, {elapsed:.2f} s"
    )
    logger.info(report)
    print(report)

    assert not violations, violations[:10]
    assert not errors, errors
    assert counts["rewrites"] == REWRITES
    # Readers really ran alongside the writer: every generation was read.
    assert seen == {generation_id(g) for g in range(REWRITES + 1)}
    assert counts["full_reads"] + counts["page_reads"] >= (REWRITES + 1) * (readers + 1)
    assert counts["page_reads"] >= REWRITES
    expected_ids = {
        f"click-{t}-{i:03d}" for t in range(FEEDBACK_THREADS) for i in range(CLICKS_PER_THREAD)
    }
    assert len(click_ids) == FEEDBACK_THREADS * CLICKS_PER_THREAD == 200
    assert set(click_ids) == expected_ids
    assert counts["clicks_new"] == 200 and counts["retries"] == 0
    assert check_full_read(final) == (generation_id(REWRITES), [])


# --------------------------------------------------------------------------------------------
# 2. A writer killed in the middle of replace_feed
# --------------------------------------------------------------------------------------------

# The child replaces the feed with 20,000 rows (more than SQLite's page cache holds, so the
# uncommitted pages spill into the WAL file), says "mid" while still inside the transaction,
# and sleeps until the parent kills it.
KILLED_FEED_ROWS = 20_000
CHILD = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from vrdndi_pipeline.core.store.database import make_engine, write_transaction
    from vrdndi_pipeline.core.store.feed_tables import replace_feed

    url, size = sys.argv[1], int(sys.argv[2])
    now = datetime(2026, 11, 4, tzinfo=UTC)
    rows = [
        {
            "video_id": f"k{rank:010d}", "rank": rank, "title": f"killed video {rank}",
            "channel_id": None, "channel_title": None, "duration_s": None,
            "published_at": None, "interest_score": None, "productive_score": None,
            "combined_score": 1.0 / rank, "ranking": "recency", "model_version": "none",
            "generation": "gen-killed", "generated_at": now,
            "reasons": "[" + '{"kind": "new", "text": "x", "weight": 1},' * 99 + '{}]',
            "explored": False, "propensity": None,
        }
        for rank in range(1, size + 1)
    ]
    engine = make_engine(url)
    with write_transaction(engine) as conn:
        replace_feed(conn, rows)
        print("mid", flush=True)
        time.sleep(600)
    """
)


@pytest.mark.slow
def test_killed_feed_write_leaves_previous_feed_intact(database_url: str, tmp_path: Path) -> None:
    sqlite = database_url.startswith("sqlite")
    engine = database(database_url)
    previous = make_feed(7, 500)
    write_feed(engine, previous)
    before = full_feed(engine)
    assert len(before) == 500

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, database_url, str(KILLED_FEED_ROWS)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "mid", "the child did not reach its write"
        if sqlite:
            # The child's uncommitted pages are in the database's WAL file at this point.
            assert os.path.getsize(tmp_path / "vrdndi.db-wal") > 1_000_000
        # While the child holds its transaction, readers still see the previous feed.
        assert full_feed(engine) == before
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    engine.dispose()

    engine = make_engine(database_url)
    with read_transaction(engine) as conn:
        if sqlite:
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        assert conn.execute(select(func.count()).select_from(feed_predictions)).scalar_one() == 500
        current = current_generation(conn)
        after = stored_feed(conn)
    assert current is not None and (current.generation, current.videos) == ("gen-07", 500)
    assert after == before
    assert [{c: r[c] for c in FEED_COLUMNS} for r in after] == previous

    # The database takes a new feed afterwards (on PostgreSQL: the dead session's locks are gone).
    write_feed(engine, make_feed(8))
    after_new = full_feed(engine)
    assert check_full_read(after_new) == ("gen-08", [])
    if sqlite:
        with read_transaction(engine) as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    engine.dispose()


# --------------------------------------------------------------------------------------------
# 3. Malformed feeds and failed transactions leave the old feed in place
# --------------------------------------------------------------------------------------------


def test_replace_feed_refuses_bad_feeds_and_rolls_back_with_its_transaction(
    database_url: str,
) -> None:
    engine = database(database_url)
    old = make_feed(1, 30)
    write_feed(engine, old)
    before = full_feed(engine)

    gap = make_feed(2, 5)
    gap[-1]["rank"] = 7  # ranks 1, 2, 3, 4, 7
    repeated = make_feed(2, 5)
    repeated[-1]["rank"] = 4  # ranks 1, 2, 3, 4, 4
    not_from_one = [{**r, "rank": r["rank"] + 1} for r in make_feed(2, 5)]  # 2..6
    two_generations = make_feed(2, 3)
    two_generations[-1] = {**two_generations[-1], "generation": "gen-03"}
    missing_column = [{k: v for k, v in r.items() if k != "title"} for r in make_feed(2, 3)]

    for bad, message in [
        (gap, "ranks"),
        (repeated, "ranks"),
        (not_from_one, "ranks"),
        (two_generations, "generation"),
        (missing_column, "columns"),
    ]:
        with pytest.raises(ValueError, match=message):
            with write_transaction(engine) as conn:
                replace_feed(conn, bad)
        assert full_feed(engine) == before

    # A valid replace_feed whose transaction then fails is rolled back with it.
    class Boom(RuntimeError):
        pass

    with pytest.raises(Boom):
        with write_transaction(engine) as conn:
            replace_feed(conn, make_feed(2, 12))
            assert len(stored_feed(conn)) == 12  # replaced inside the transaction ...
            assert full_feed(engine) == before  # ... and invisible to other readers
            raise Boom("the refresh failed after writing the feed")
    assert full_feed(engine) == before
    with read_transaction(engine) as conn:
        current = current_generation(conn)
    assert current is not None and (current.generation, current.videos) == ("gen-01", 30)

    # An empty feed is allowed (and also rolled back with a failing transaction).
    with pytest.raises(Boom):
        with write_transaction(engine) as conn:
            assert replace_feed(conn, []) == 0
            raise Boom("failed")
    assert full_feed(engine) == before

    write_feed(engine, make_feed(2, 12))
    assert check_full_read(full_feed(engine))[0] == "gen-02"

    # An empty feed keeps the refresh that wrote it (the site then says "no new videos"); a
    # header beside rows is refused, and without a header an empty table means "no feed yet".
    header = FeedGeneration("gen-03", NOW, "champion", "7", 0)
    with write_transaction(engine) as conn, pytest.raises(ValueError, match="without rows"):
        replace_feed(conn, make_feed(3, 2), empty_feed=header)
    with write_transaction(engine) as conn:
        assert replace_feed(conn, [], empty_feed=header) == 0
    with read_transaction(engine) as conn:
        assert current_generation(conn) == header
        assert read_feed_page(conn) == []
    write_feed(engine, [])
    with read_transaction(engine) as conn:
        assert current_generation(conn) is None
    engine.dispose()


def test_overlapping_feed_swaps_both_succeed_and_leave_one_whole_feed(database_url: str) -> None:
    """Two refreshes that overlap (a scheduled run and a manual `dagster job execute`)."""
    engine = open_database(database_url)
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def swap(g: int) -> None:
        try:
            barrier.wait()
            for _ in range(5):
                with write_transaction(engine) as conn:
                    replace_feed(conn, make_feed(g))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=swap, args=(g,)) for g in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    with read_transaction(engine) as conn:
        rows = conn.execute(select(feed_predictions.c.generation)).scalars().all()
    assert len(set(rows)) == 1 and len(rows) == generation_size(int(rows[0][-2:]))
    engine.dispose()
