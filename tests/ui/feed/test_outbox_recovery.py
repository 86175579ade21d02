"""The click queue recovers line by line: one bad entry never sets aside the other clicks.

The queue file is JSON Lines; a bad line goes alone to ``<queue>.unreadable`` and is counted,
the good clicks are retried with their ids, and a queue written by the previous version (one
JSON array) is still read. The corpus of hostile queue files is in ``test_hostile_outbox.py``.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ui.feed.test_feed_site import database, feedback_rows, settings_for
from vrdndi_pipeline.core.store.people_tables import FeedbackClick
from vrdndi_ui.feed.feedback_outbox import FeedbackOutbox, database_writer

GOOD = [
    {
        "click_id": f"click-{n}",
        "video_id": f"video{n:06d}",
        "kind": "interest" if n % 2 else "productive",
        "value": n % 2,
        "created_at": f"2024-05-0{n}T12:00:00+02:00",
        "timezone": "Europe/Berlin",
    }
    for n in (1, 2, 3)
]


def refuse(_clicks: Any) -> int:
    raise OSError("database unreachable")


def lines(*rows: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)


def test_a_bad_line_is_set_aside_alone_and_the_others_are_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    queue = tmp_path / "queue.json"
    bad = '{"click_id": "click-x", "video_id": "not an id"'
    queue.write_text(lines(GOOD[0], bad, GOOD[1], GOOD[2]), encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="vrdndi_ui.feed.feedback_outbox"):
        outbox = FeedbackOutbox(refuse, queue)
    assert sorted(c.click_id for c in outbox.pending()) == ["click-1", "click-2", "click-3"]
    assert outbox.set_aside == {"not_json": 1}
    assert "set aside 1 unreadable line(s)" in caplog.text and "1 not_json" in caplog.text
    unreadable = queue.with_name("queue.json.unreadable")
    assert unreadable.read_text(encoding="utf-8") == bad + "\n"
    # the queue now holds the good clicks only, one per line, so a restart sets nothing aside
    assert [json.loads(line)["click_id"] for line in queue.read_text().splitlines()] == [
        "click-1",
        "click-2",
        "click-3",
    ]
    again = FeedbackOutbox(refuse, queue)
    assert len(again) == 3 and not again.set_aside
    assert unreadable.read_text(encoding="utf-8") == bad + "\n"


def test_the_good_clicks_of_a_damaged_queue_reach_the_database_with_their_ids(
    tmp_path: Path,
) -> None:
    engine = database(f"sqlite:///{tmp_path / 'vrdndi.db'}")
    queue = tmp_path / "queue.json"
    queue.write_text(
        lines(GOOD[0], {**GOOD[1], "video_id": "short"}, GOOD[2], ["a", "list"]), encoding="utf-8"
    )
    outbox = FeedbackOutbox(database_writer(engine), queue)
    assert outbox.set_aside == {"bad_video_id": 1, "not_an_object": 1}
    assert outbox.flush() is None and not queue.exists()
    rows = feedback_rows(engine)
    assert [(r["click_id"], r["video_id"], r["kind"], r["value"]) for r in rows] == [
        ("click-1", "video000001", "interest", 1),
        ("click-3", "video000003", "interest", 1),
    ]
    assert rows[0]["created_at"].replace(tzinfo=UTC) == datetime(2024, 5, 1, 10, tzinfo=UTC)
    kept = queue.with_name("queue.json.unreadable").read_text().splitlines()
    assert [json.loads(line) for line in kept] == [{**GOOD[1], "video_id": "short"}, ["a", "list"]]


def test_a_queue_of_the_previous_version_is_read_element_by_element(tmp_path: Path) -> None:
    queue = tmp_path / "queue.json"
    old_bad = {**GOOD[1], "created_at": "2024-05-02T12:00:00"}  # no zone
    queue.write_text(json.dumps([GOOD[0], old_bad, GOOD[2]], indent=1))  # as it was written
    previous = queue.with_name("queue.json.unreadable")
    previous.write_text("[a whole queue the previous version set aside]\n")
    outbox = FeedbackOutbox(refuse, queue)
    assert [c.click_id for c in outbox.pending()] == ["click-1", "click-3"]
    assert outbox.set_aside == {"time_without_zone": 1}
    assert previous.read_text().splitlines() == [
        "[a whole queue the previous version set aside]",  # kept: new lines are appended
        json.dumps(old_bad),
    ]
    # saved again in the new format
    saved = [json.loads(line) for line in queue.read_text().splitlines()]
    assert [r["click_id"] for r in saved] == ["click-1", "click-3"]
    assert saved[0]["created_at"] == "2024-05-01T10:00:00+00:00"  # the same moment, in UTC


def test_clicks_round_trip_through_json_lines(tmp_path: Path) -> None:
    queue = tmp_path / "queue.json"
    outbox = FeedbackOutbox(refuse, queue)
    made = [
        FeedbackClick(**{**row, "created_at": datetime.fromisoformat(row["created_at"])})
        for row in GOOD
    ]
    for click in made:
        assert not outbox.submit(click).saved
    assert len(queue.read_text().splitlines()) == 3
    again = FeedbackOutbox(refuse, queue)
    assert sorted(again.pending(), key=lambda c: c.click_id) == made
    assert not again.set_aside


def test_a_queue_that_cannot_be_read_at_all_is_moved_aside(tmp_path: Path) -> None:
    queue = tmp_path / "queue.json"
    queue.mkdir()  # reading it fails with an OSError, as a permission error would
    outbox = FeedbackOutbox(refuse, queue)
    assert len(outbox) == 0 and outbox.set_aside == {"file_unreadable": 1}
    [moved] = [p for p in tmp_path.iterdir() if p.name.endswith(".unreadable")]
    assert moved.is_dir() and moved.name.startswith("queue.json.")
    assert not outbox.submit(FeedbackClick(**{**GOOD[0], "created_at": datetime.now(UTC)})).saved
    assert len(queue.read_text().splitlines()) == 1  # the queue works again


def test_the_site_retries_the_good_clicks_of_a_damaged_queue_at_start(tmp_path: Path) -> None:
    from vrdndi_ui.feed.feed_page import FeedSiteOptions
    from vrdndi_ui.feed.feed_site import QUEUE_FILE, build_feed_site

    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    settings = settings_for(tmp_path, url)
    queue = settings.data_dir / QUEUE_FILE
    queue.parent.mkdir(parents=True)
    queue.write_bytes(lines(GOOD[0]).encode() + b"\xff\xfe not utf-8\n" + lines(GOOD[2]).encode())
    site = build_feed_site(settings, FeedSiteOptions())
    assert len(site.outbox) == 0 and site.outbox.set_aside == {"not_utf8": 1}
    assert [r["click_id"] for r in feedback_rows(site.store.engine)] == ["click-1", "click-3"]
    assert not queue.exists()
    assert queue.with_name(QUEUE_FILE + ".unreadable").read_bytes() == b"\xff\xfe not utf-8\n"
    site.store.engine.dispose()


@pytest.mark.slow
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(
            st.sampled_from([json.dumps(row) for row in GOOD]),
            st.text(max_size=80),
            st.binary(max_size=80).map(lambda b: b.decode("latin-1")),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3)
                ),
                max_leaves=8,
            ).map(json.dumps),
        ),
        max_size=8,
    )
)
def test_any_queue_file_is_read_without_raising_and_keeps_every_valid_click(
    tmp_path: Path, content: list[str]
) -> None:
    queue = tmp_path / "fuzz-queue.json"
    queue.write_bytes("\n".join(content).encode("utf-8", "surrogatepass"))
    queue.with_name("fuzz-queue.json.unreadable").unlink(missing_ok=True)
    outbox = FeedbackOutbox(refuse, queue)
    wanted = {row["click_id"] for row in GOOD if json.dumps(row) in content}
    assert wanted <= {c.click_id for c in outbox.pending()}
