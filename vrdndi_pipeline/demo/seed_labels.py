"""Put the demo's people's labels into the application database, idempotently.

The rows come from ``labels/feedback.json`` and ``labels/interest_labels.json`` in the demo data
(see :mod:`~vrdndi_pipeline.demo.generator.labels`). Feedback is append-only and keyed by ``click_id``:
a click already stored is left alone. Interest labels are one row per video and the latest
``labelled_at`` wins, so a label the person gave after the demo's is never overwritten. Seeding
twice inserts nothing the second time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from vrdndi_pipeline.core.store.database import write_transaction
from vrdndi_pipeline.core.store.people_tables import insert_feedback
from vrdndi_pipeline.core.store.schema import interest_labels
from vrdndi_pipeline.core.store.upserts import upsert_rows
from vrdndi_pipeline.demo import DEMO_DATA_DIR, FEEDBACK_FILE, INTEREST_LABELS_FILE

LABELLER_SOURCE = "labeller"


def feedback_rows(clicks: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``feedback`` table rows from the demo's clicks (times as aware datetimes)."""
    return [
        {**click, "created_at": datetime.fromisoformat(click["created_at"])} for click in clicks
    ]


def latest_interest_rows(labels: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One ``interest_labels`` row per video: its latest label."""
    latest: dict[str, dict[str, Any]] = {}
    for label in labels:
        row = {
            "video_id": label["video_id"],
            "label": label["label"],
            "labelled_at": datetime.fromisoformat(label["labelled_at"]),
            "source": LABELLER_SOURCE,
        }
        kept = latest.get(row["video_id"])
        if kept is None or row["labelled_at"] >= kept["labelled_at"]:
            latest[row["video_id"]] = row
    return [latest[video_id] for video_id in sorted(latest)]


def newer_than_stored(
    conn: Connection, rows: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The rows whose video has no stored label, or an older one."""
    stored = dict(
        conn.execute(
            select(interest_labels.c.video_id, interest_labels.c.labelled_at).where(
                interest_labels.c.video_id.in_([r["video_id"] for r in rows])
            )
        ).all()
    )
    return [
        r for r in rows if r["video_id"] not in stored or r["labelled_at"] > stored[r["video_id"]]
    ]


def seed_demo_labels(engine: Engine, data_dir: Path = DEMO_DATA_DIR) -> dict[str, int]:
    """Insert the demo's feedback clicks and labeller labels in one transaction.

    Returns the rows inserted per table, and the labels updated because the demo's were newer.
    """
    clicks = feedback_rows(json.loads((data_dir / FEEDBACK_FILE).read_text()))
    labels = latest_interest_rows(json.loads((data_dir / INTEREST_LABELS_FILE).read_text()))
    with write_transaction(engine) as conn:
        inserted = insert_feedback(conn, clicks)
        counts = upsert_rows(
            conn,
            interest_labels,
            newer_than_stored(conn, labels),
            update_columns=("label", "labelled_at", "source"),
        )
    return {
        "feedback": inserted,
        "interest_labels": counts.inserted,
        "interest_labels_updated": counts.updated,
    }
