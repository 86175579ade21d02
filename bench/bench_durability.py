"""What full durability costs: one feedback click per write transaction, SQLite
``synchronous=FULL`` (what vrdndi uses) against ``NORMAL`` (what it used before).

Two databases in one temporary folder (the same disk as ``data/`` when ``TMPDIR`` is not set
elsewhere), one engine each. Clicks are written as the feed site writes them
(``FeedbackOutbox``'s ``database_writer``: one click, one ``write_transaction``), in
``ROUNDS`` alternating blocks of ``CLICKS_PER_BLOCK`` per variant, so drifting disk load hits
both alike. Reported per variant: the median, 10th and 90th percentile milliseconds per click
over all clicks, and the median of the per-block medians with their spread. Also one ingest
transaction of ``EVENTS`` ActivityWatch events per variant (alternating, ``ROUNDS`` times):
full durability costs one extra WAL sync per commit, so a big batch barely notices.

Prints one JSON object on stdout.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vrdndi_pipeline.core.records import AwEvent
from vrdndi_pipeline.core.store.database import make_engine, write_transaction
from vrdndi_pipeline.core.store.migrate import upgrade_schema
from vrdndi_pipeline.core.store.people_tables import FeedbackClick
from vrdndi_pipeline.core.store.source_tables import write_aw_events
from vrdndi_ui.feed.feedback_outbox import database_writer

ROUNDS = 6
CLICKS_PER_BLOCK = 50
EVENTS = 5_000
VARIANTS = ("NORMAL", "FULL")


def click() -> FeedbackClick:
    return FeedbackClick(uuid.uuid4().hex, "dQw4w9WgXcQ", "productive", 1, datetime.now(UTC), "UTC")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    click_ms: dict[str, list[float]] = {v: [] for v in VARIANTS}
    block_ms: dict[str, list[float]] = {v: [] for v in VARIANTS}
    ingest_s: dict[str, list[float]] = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory(
        dir=Path("data").resolve() if Path("data").is_dir() else None
    ) as folder:
        engines = {}
        for variant in VARIANTS:
            engine = make_engine(
                f"sqlite:///{Path(folder) / variant}.db", sqlite_synchronous=variant
            )
            upgrade_schema(engine)
            engines[variant] = engine
        for round_number in range(ROUNDS):
            for variant in VARIANTS if round_number % 2 == 0 else VARIANTS[::-1]:
                write = database_writer(engines[variant])
                times = []
                for _ in range(CLICKS_PER_BLOCK):
                    started = time.perf_counter()
                    write([click()])
                    times.append((time.perf_counter() - started) * 1000)
                click_ms[variant] += times
                block_ms[variant].append(statistics.median(times))
                start = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=round_number)
                events = [
                    AwEvent(
                        "window",
                        round_number * EVENTS + i,
                        "host",
                        start + timedelta(seconds=i),
                        1.0,
                        "Code",
                        f"title {i}",
                    )
                    for i in range(EVENTS)
                ]
                started = time.perf_counter()
                with write_transaction(engines[variant]) as conn:
                    write_aw_events(conn, events)
                ingest_s[variant].append(time.perf_counter() - started)
        for engine in engines.values():
            engine.dispose()
    figures: dict[str, object] = {"rounds": ROUNDS, "clicks_per_block": CLICKS_PER_BLOCK}
    for variant in VARIANTS:
        figures[variant.lower()] = {
            "click_ms_median": round(statistics.median(click_ms[variant]), 3),
            "click_ms_p10": round(percentile(click_ms[variant], 0.1), 3),
            "click_ms_p90": round(percentile(click_ms[variant], 0.9), 3),
            "block_median_ms": [round(x, 3) for x in block_ms[variant]],
            "ingest_s_median": round(statistics.median(ingest_s[variant]), 3),
            "ingest_s_range": [round(min(ingest_s[variant]), 3), round(max(ingest_s[variant]), 3)],
        }
    full, normal = figures["full"], figures["normal"]
    assert isinstance(full, dict) and isinstance(normal, dict)
    figures["full_minus_normal_click_ms"] = round(
        full["click_ms_median"] - normal["click_ms_median"], 3
    )
    json.dump(figures, sys.stdout)


if __name__ == "__main__":
    main()
