"""interest_data and productive_data from the source tables (SQLite and PostgreSQL)."""

import json
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from vrdndi_pipeline.assets.training_data import interest_data, productive_data
from vrdndi_pipeline.core.records import AwEvent, Video, VideoRating
from vrdndi_pipeline.core.store.database import (
    open_database,
    read_transaction,
    write_transaction,
)
from vrdndi_pipeline.core.store.frame_tables import read_frame
from vrdndi_pipeline.core.store.schema import feedback, interest_labels
from vrdndi_pipeline.core.store.source_tables import write_aw_events, write_ratings, write_videos
from vrdndi_pipeline.core.training.training_data import interest_rows, productive_rows
from vrdndi_pipeline.resources.clock import FixedClock
from vrdndi_pipeline.resources.database import AppDatabase, SqlTableIOManager
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _video(video_id: str, title: str) -> Video:
    return Video(
        video_id, title, "UCx", "Chan", "desc", 600, T0 - timedelta(days=3), "subscription"
    )


@pytest.fixture
def engine(database_url):
    engine = open_database(database_url)
    with write_transaction(engine) as conn:
        write_videos(conn, [_video(f"video{i:06d}", f"Video {i} 日本語") for i in range(5)], T0)
        # video00000 liked, then labelled 0 later in the labeller: the later label wins.
        write_ratings(
            conn, [VideoRating("video000000", "like"), VideoRating("video000001", "dislike")], T0
        )
        conn.execute(
            interest_labels.insert(),
            [
                {
                    "video_id": "video000000",
                    "label": 0,
                    "labelled_at": T0 + timedelta(hours=1),
                    "source": "labeller",
                },
                {"video_id": "video000002", "label": 1, "labelled_at": T0, "source": "labeller"},
                {"video_id": "unknownvid1", "label": 1, "labelled_at": T0, "source": "labeller"},
            ],
        )
        conn.execute(
            feedback.insert(),
            [
                {
                    "click_id": "c1",
                    "video_id": "video000003",
                    "kind": "interest",
                    "value": 1,
                    "created_at": T0,
                    "timezone": "Europe/Berlin",
                },
                {
                    "click_id": "c2",
                    "video_id": "video000002",
                    "kind": "interest",
                    "value": 0,
                    "created_at": T0 - timedelta(days=1),
                    "timezone": "Europe/Berlin",
                },
                {
                    "click_id": "c3",
                    "video_id": "video000004",
                    "kind": "productive",
                    "value": 1,
                    "created_at": T0 + timedelta(hours=3),
                    "timezone": "Europe/Berlin",
                },
                {
                    "click_id": "c4",
                    "video_id": "video000003",
                    "kind": "productive",
                    "value": 0,
                    "created_at": T0 - timedelta(days=2),
                    "timezone": "Europe/Berlin",
                },
                {
                    "click_id": "c5",
                    "video_id": "unknownvid1",
                    "kind": "productive",
                    "value": 0,
                    "created_at": T0,
                    "timezone": "Europe/Berlin",
                },
            ],
        )
        write_aw_events(
            conn,
            [
                AwEvent(
                    "w", 1, "h", T0 - timedelta(hours=4), 600.0, "Code", "old.py", None, ("Work",)
                ),  # outside 3 h
                AwEvent(
                    "w",
                    2,
                    "h",
                    T0 + timedelta(hours=1),
                    300.0,
                    "Code",
                    "model.py",
                    None,
                    ("Work", "Programming"),
                ),
                AwEvent(
                    "w",
                    3,
                    "h",
                    T0 + timedelta(hours=2, minutes=55),
                    900.0,
                    "Steam",
                    "Game",
                    None,
                    ("Media", "Games"),
                ),
                AwEvent(
                    "w",
                    4,
                    "h",
                    T0 + timedelta(hours=3),
                    60.0,
                    "Code",
                    "after the click",
                    None,
                    ("Work",),
                ),
            ],
        )
    yield engine
    engine.dispose()


def test_interest_rows_keep_the_latest_judgement_per_video(engine):
    with read_transaction(engine) as conn:
        frame, stats = interest_rows(conn)
    labels = dict(zip(frame["video_id"], frame["interest_label"], strict=True))
    assert labels == {"video000000": 0, "video000001": 0, "video000002": 1, "video000003": 1}
    sources = dict(zip(frame["video_id"], frame["label_source"], strict=True))
    assert sources["video000000"] == "labeller" and sources["video000001"] == "disliked"
    assert frame.loc[frame.video_id == "video000003", "title"].item() == "Video 3 日本語"
    assert stats.dropped == {"video_unknown": 1}
    assert stats.extra["superseded_by_a_later_label"] == 2


def test_productive_rows_join_the_context_before_each_click_and_never_after(engine):
    with read_transaction(engine) as conn:
        frame, stats = productive_rows(conn, context_hours=3)
    assert frame["feedback_id"].tolist() == [4, 3]  # oldest first; the unknown video is dropped
    later = frame.iloc[1]
    context = json.loads(later["context_events"])
    assert [e["title"] for e in context] == ["model.py", "Game"]
    assert context[1]["duration_s"] == 300.0  # 15 min event clipped at the click (5 min in)
    assert context[0]["category"] == ["Work", "Programming"]
    assert later["context_event_count"] == 2 and later["productive_label"] == 1
    assert later["feedback_at"] == T0 + timedelta(hours=3)
    assert stats.extra == {"rows_without_context": 1, "superseded_by_a_later_click": 0}
    assert stats.dropped == {"video_unknown": 1}


def test_a_changed_mind_is_a_new_click_and_the_latest_one_trains(engine):
    """ "Not now", then "Good time now" on the same video: both rows stay, the latest wins."""
    with read_transaction(engine) as conn:
        before, _ = productive_rows(conn, context_hours=3)
    [row] = before[before["video_id"] == "video000004"].to_dict("records")
    changed = {
        "click_id": "c-changed",
        "video_id": "video000004",
        "kind": "productive",
        "value": 1 - row["productive_label"],
        "created_at": row["feedback_at"] + timedelta(minutes=2),
        "timezone": "Europe/Berlin",
    }
    with write_transaction(engine) as conn:
        conn.execute(feedback.insert(), [changed])
    with read_transaction(engine) as conn:
        after, stats = productive_rows(conn, context_hours=3)
        clicks = conn.execute(feedback.select().where(feedback.c.video_id == "video000004"))
        assert len(clicks.all()) == 2  # nothing rewritten
    [latest] = after[after["video_id"] == "video000004"].to_dict("records")
    assert latest["productive_label"] == changed["value"]
    assert latest["feedback_at"] == changed["created_at"]
    assert len(after) == len(before) and stats.extra["superseded_by_a_later_click"] == 1


def _resources(database: AppDatabase) -> dict[str, object]:
    return {
        "database": database,
        "io_manager": SqlTableIOManager(database=database),
        "text_encoder": SentenceEncoder(),
        "clock": FixedClock(moment=T0.isoformat()),
    }


@pytest.mark.minilm
@pytest.mark.slow
def test_assets_store_their_tables_and_report_counts(engine, database_url):
    database = AppDatabase(url=database_url)
    result = dg.materialize(
        [interest_data, productive_data],
        resources=_resources(database),
        run_config={"ops": {"productive_data": {"config": {"context_hours": 3}}}},
    )
    assert result.success
    [productive] = result.asset_materializations_for_node("productive_data")
    assert productive.metadata["rows_without_context"].value == 1
    assert productive.metadata["label_1"].value == 1
    stored = read_frame(engine, "productive_data")
    assert stored["feedback_at"].dt.tz is not None
    assert len(read_frame(engine, "interest_data")) == 4
    # Materializing again gives the same tables.
    assert dg.materialize(
        [interest_data, productive_data],
        resources=_resources(database),
        run_config={"ops": {"productive_data": {"config": {"context_hours": 3}}}},
    ).success
    assert read_frame(engine, "productive_data").equals(stored)
    # each click's named features at its moment, from the events before it only
    features = json.loads(stored.loc[stored.feedback_id == 3, "context_features"].item())
    assert features["share@1h:Media"] == pytest.approx(1.0)  # the game, 5 min before the click
    assert features["share@6h:Work"] == pytest.approx(300 / 600)
    assert features["current_app:Steam"] == 1.0 and "current_app:Code" not in features
    assert -1.0 <= features["similarity@15m"] <= 1.0
    assert productive.metadata["event_texts_embedded"].value == 2  # model.py and Game
    assert productive.metadata["videos_embedded"].value == 2
