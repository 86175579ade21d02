"""The writer the kill-loop test kills: :func:`main` in a process of its own.

It writes, until it is killed, a seeded random mix of what vrdndi writes for real — a feedback
click, a hide, an ingest upsert of 200 ActivityWatch events (half of them rewriting stored
rows), a whole feed swap of 40 rows — each in its own write transaction, and after each commit
appends one acknowledgement line to the file ``acks``: ``click <id>``, ``hide <id>``,
``aw <first> <last>`` or ``feed <generation>`` (one ``write`` of a whole line, ``O_APPEND``). A
row acknowledged there must survive any kill. The first line, ``ready``, says it has started.
"""

from __future__ import annotations

import os
import random
import uuid
from datetime import UTC, datetime, timedelta

from vrdndi_pipeline.core.records import AwEvent
from vrdndi_pipeline.core.store.database import make_engine, write_transaction
from vrdndi_pipeline.core.store.feed_tables import replace_feed
from vrdndi_pipeline.core.store.people_tables import (
    FeedbackClick,
    VisibilityChange,
    insert_feedback,
    record_visibility,
)
from vrdndi_pipeline.core.store.source_tables import write_aw_events

FEED_ROWS = 40
AW_BATCH = 200
START = datetime(2026, 11, 1, tzinfo=UTC)


def video_id(n: int) -> str:
    return f"v{n:010d}"


def feed_rows(generation: str, rng: random.Random) -> list[dict[str, object]]:
    ids = rng.sample(range(1_000), FEED_ROWS)
    return [
        {
            "video_id": video_id(n),
            "rank": rank,
            "title": f"video {n}",
            "channel_id": None,
            "channel_title": None,
            "duration_s": 60,
            "published_at": START,
            "interest_score": 0.5,
            "productive_score": 0.5,
            "combined_score": 1.0 - rank / 100,
            "ranking": "recency",
            "model_version": "none",
            "generation": generation,
            "generated_at": datetime.now(UTC),
            "reasons": "[]",
            "explored": False,
            "propensity": 1.0,
        }
        for rank, n in enumerate(ids, start=1)
    ]


def main(url: str, seed: int, acks: str) -> None:
    rng = random.Random(seed)
    engine = make_engine(url)
    fd = os.open(acks, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def acknowledge(line: str) -> None:
        os.write(fd, f"{line}\n".encode())

    acknowledge("ready")
    while True:
        roll = rng.random()
        if roll < 0.55:
            click = FeedbackClick(
                uuid.uuid4().hex,
                video_id(rng.randrange(1_000)),
                "productive",
                rng.randrange(2),
                datetime.now(UTC),
                "UTC",
            )
            with write_transaction(engine) as conn:
                insert_feedback(conn, [click])
            acknowledge(f"click {click.click_id}")
        elif roll < 0.65:
            change = VisibilityChange(
                uuid.uuid4().hex,
                "video",
                video_id(rng.randrange(1_000)),
                None,
                True,
                datetime.now(UTC),
            )
            with write_transaction(engine) as conn:
                record_visibility(conn, change)
            acknowledge(f"hide {change.change_id}")
        elif roll < 0.85:
            first = seed * 1_000_000 + rng.randrange(0, 1_000_000 - AW_BATCH, AW_BATCH // 2)
            events = [
                AwEvent(
                    "window",
                    i,
                    "host",
                    START + timedelta(seconds=i % 86_400),
                    1.0,
                    "Code",
                    f"title {seed} {rng.random()}",
                )
                for i in range(first, first + AW_BATCH)
            ]
            with write_transaction(engine) as conn:
                write_aw_events(conn, events)
            acknowledge(f"aw {first} {first + AW_BATCH - 1}")
        else:
            generation = uuid.uuid4().hex
            rows = feed_rows(generation, rng)
            with write_transaction(engine) as conn:
                replace_feed(conn, rows)
            acknowledge(f"feed {generation}")
