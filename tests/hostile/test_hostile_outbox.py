"""The hostile click queues of ``tests/hostile/outbox/`` through the real outbox and SQLite.

Each file is loaded as the feed site loads its queue at start (``FeedbackOutbox(writer,
queue_file=...)``) and flushed into a fresh migrated database: its good clicks are stored, each
bad entry is counted under its reason and kept, as it was read, in ``<queue>.unreadable``, the
queue is empty afterwards, and nothing raises.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.hostile import corpus_cases
from vrdndi_pipeline.core.store.database import make_engine, open_database, read_transaction
from vrdndi_pipeline.core.store.schema import feedback
from vrdndi_ui.feed.feedback_outbox import FeedbackOutbox, database_writer

CASES = corpus_cases("outbox")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file to copy: migrating each case's database would take seconds."""
    path = tmp_path_factory.mktemp("outbox-template") / "vrdndi.db"
    engine = open_database(f"sqlite:///{path}")
    engine.dispose()  # checkpoints the WAL into the file
    return path


def original_entries(data: bytes) -> list[bytes]:
    """The entries of a queue as the outbox sets them aside: lines, or an old array's elements."""
    try:
        rows = json.loads(data)
    except ValueError:
        rows = None
    if isinstance(rows, list):
        return [json.dumps(row).encode() for row in rows]
    return [line.rstrip(b"\r") for line in data.split(b"\n") if line.strip()]


@pytest.mark.parametrize(("path", "expected"), CASES, ids=[p.name for p, _ in CASES])
def test_hostile_queue(
    path: Path, expected: dict[str, Any], migrated: Path, tmp_path: Path
) -> None:
    assert expected["outcome"] == "skipped"  # a queue never fails the site as a whole
    database = tmp_path / "vrdndi.db"
    shutil.copyfile(migrated, database)
    engine = make_engine(f"sqlite:///{database}")
    queue = tmp_path / "feed-feedback-queue.json"
    shutil.copyfile(path, queue)

    outbox = FeedbackOutbox(database_writer(engine), queue_file=queue)
    assert dict(outbox.set_aside) == expected["counts"]
    assert len(outbox) == expected["accepted"]
    assert outbox.flush() is None and len(outbox) == 0
    with read_transaction(engine) as conn:
        stored = conn.execute(select(func.count()).select_from(feedback)).scalar_one()
    engine.dispose()
    assert stored == expected["accepted"]
    assert not queue.exists()  # everything good was written

    unreadable = queue.with_name(queue.name + ".unreadable")
    bad = sum(expected["counts"].values())
    if not bad:
        assert not unreadable.exists()
        return
    kept = unreadable.read_bytes().split(b"\n")
    assert kept[-1] == b"" and len(kept) - 1 == bad
    entries = original_entries(path.read_bytes())
    assert all(line in entries for line in kept[:-1])  # each kept as it was read


def test_the_corpus_has_the_cases_the_issue_names() -> None:
    names = {p.name for p, _ in CASES}
    assert len(names) >= 8
    for needed in (
        "truncated-last-line.jsonl",
        "nul-bytes.jsonl",
        "not-utf8.jsonl",
        "list-and-scalar-lines.jsonl",
        "missing-and-extra-fields.jsonl",
        "bad-video-id.jsonl",
        "bad-times.jsonl",
        "huge-line.jsonl",
        "old-array-one-bad.json",
        "empty.jsonl",
    ):
        assert needed in names
