"""Seeding the application database with the demo's labels: complete, idempotent, polite."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.schema import feedback, interest_labels
from vrdndi_pipeline.demo import DEMO_DATA_DIR, FEEDBACK_FILE, INTEREST_LABELS_FILE
from vrdndi_pipeline.demo.seed_labels import seed_demo_labels


@pytest.fixture(scope="module")
def clicks() -> list[dict[str, Any]]:
    return json.loads((DEMO_DATA_DIR / FEEDBACK_FILE).read_text())


@pytest.fixture(scope="module")
def labels() -> list[dict[str, Any]]:
    return json.loads((DEMO_DATA_DIR / INTEREST_LABELS_FILE).read_text())


def _count(engine: Engine, table: Any) -> int:
    with read_transaction(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _stored_labels(engine: Engine) -> dict[str, tuple[int, datetime]]:
    with read_transaction(engine) as conn:
        rows = conn.execute(
            select(
                interest_labels.c.video_id, interest_labels.c.label, interest_labels.c.labelled_at
            )
        ).all()
    return {video_id: (label, at) for video_id, label, at in rows}


def test_seeding_twice_inserts_everything_once(
    engine: Engine, clicks: list[dict[str, Any]], labels: list[dict[str, Any]]
) -> None:
    videos = {r["video_id"] for r in labels}
    first = seed_demo_labels(engine)
    assert first == {
        "feedback": len(clicks),
        "interest_labels": len(videos),
        "interest_labels_updated": 0,
    }
    second = seed_demo_labels(engine)
    assert second == {"feedback": 0, "interest_labels": 0, "interest_labels_updated": 0}
    assert (_count(engine, feedback), _count(engine, interest_labels)) == (len(clicks), len(videos))


def test_stored_clicks_and_labels_are_the_files_with_the_latest_label(
    sqlite_engine: Engine, clicks: list[dict[str, Any]], labels: list[dict[str, Any]]
) -> None:
    seed_demo_labels(sqlite_engine)
    with read_transaction(sqlite_engine) as conn:
        rows = {r.click_id: r for r in conn.execute(select(feedback)).all()}
    for click in clicks:
        row = rows[click["click_id"]]
        assert (row.video_id, row.kind, row.value, row.timezone) == (
            click["video_id"],
            click["kind"],
            click["value"],
            click["timezone"],
        )
        assert row.created_at == datetime.fromisoformat(click["created_at"])
    stored = _stored_labels(sqlite_engine)
    twice = [v for v, n in Counter(r["video_id"] for r in labels).items() if n > 1]
    assert twice
    for video_id in twice:
        last = [r for r in labels if r["video_id"] == video_id][-1]
        assert stored[video_id] == (last["label"], datetime.fromisoformat(last["labelled_at"]))


def test_seeding_keeps_the_users_own_clicks_and_newer_labels(
    sqlite_engine: Engine, labels: list[dict[str, Any]]
) -> None:
    times_labelled = Counter(r["video_id"] for r in labels)
    once = [r for r in labels if times_labelled[r["video_id"]] == 1]
    newer, older = once[0], once[-1]
    newer_at = datetime.fromisoformat(newer["labelled_at"]) + timedelta(days=1)
    older_at = datetime.fromisoformat(older["labelled_at"]) - timedelta(days=1)
    with write_transaction(sqlite_engine) as conn:
        conn.execute(
            feedback.insert(),
            {
                "click_id": "the-users-own-click",
                "video_id": newer["video_id"],
                "kind": "interest",
                "value": 1,
                "created_at": newer_at,
                "timezone": "Europe/Berlin",
            },
        )
        conn.execute(
            interest_labels.insert(),
            [
                {
                    "video_id": newer["video_id"],
                    "label": 1 - newer["label"],
                    "labelled_at": newer_at,
                },
                {
                    "video_id": older["video_id"],
                    "label": 1 - older["label"],
                    "labelled_at": older_at,
                },
            ],
        )
    counts = seed_demo_labels(sqlite_engine)
    assert counts["interest_labels_updated"] == 1
    stored = _stored_labels(sqlite_engine)
    assert stored[newer["video_id"]] == (1 - newer["label"], newer_at)  # the person's later word
    assert stored[older["video_id"]][0] == older["label"]
    with read_transaction(sqlite_engine) as conn:
        own = conn.execute(
            select(feedback.c.value).where(feedback.c.click_id == "the-users-own-click")
        ).scalar_one()
    assert own == 1
