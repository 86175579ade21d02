"""Frozen embeddings through the cache (SQLite and PostgreSQL), and one set of context features
for training and serving: the row ``productive_data`` stores for a click equals what a feed
refresh computes for the same moment and video."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import dagster as dg
import numpy as np
import pytest

from vrdndi_pipeline.assets.training_data import productive_data
from vrdndi_pipeline.assets.video_embeddings import video_embeddings
from vrdndi_pipeline.core.embeddings.cached import title_vectors, video_vectors
from vrdndi_pipeline.core.embeddings.vector_store import video_texts
from vrdndi_pipeline.core.feed.candidates import context_at
from vrdndi_pipeline.core.feed.ranker_inputs import ranker_refresh_inputs
from vrdndi_pipeline.core.ranker.moment_features import row_features
from vrdndi_pipeline.core.records import AwEvent, Video
from vrdndi_pipeline.core.store.database import (
    open_database,
    read_transaction,
    write_transaction,
)
from vrdndi_pipeline.core.store.frame_tables import read_frame
from vrdndi_pipeline.core.store.schema import feedback
from vrdndi_pipeline.core.store.source_tables import write_aw_events, write_videos
from vrdndi_pipeline.resources.clock import FixedClock
from vrdndi_pipeline.resources.database import AppDatabase, SqlTableIOManager
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder

NOW = datetime(2026, 11, 12, 15, tzinfo=UTC)
ZONE = "Europe/Berlin"


class CountingEncoder:
    """A deterministic stand-in that counts what it is asked to embed."""

    dim = 4

    def __init__(self) -> None:
        self.texts: list[str] = []

    def embed(self, texts):
        self.texts += list(texts)
        return np.array([[len(t), t.count("a"), 1.0, 0.5] for t in texts], dtype=np.float32)


def _refuse():
    raise AssertionError("the encoder was loaded although every text is stored")


def test_only_new_or_changed_texts_are_embedded(database_url: str) -> None:
    engine = open_database(database_url)
    encoder = CountingEncoder()
    texts = {"video000001": "a title", "video000002": "another", "video000003": "a title"}
    first, counts = video_vectors(engine, "enc", texts, lambda: encoder, NOW)
    assert counts.embedded == 3 and counts.reused == 0
    assert encoder.texts == ["a title", "another"]  # the same text once
    again, counts = video_vectors(engine, "enc", texts, _refuse, NOW)
    assert counts.reused == 3 and counts.embedded == 0
    for vid in texts:
        np.testing.assert_array_equal(again[vid], first[vid])
    changed = {**texts, "video000002": "a changed title"}
    _, counts = video_vectors(engine, "enc", changed, lambda: encoder, NOW)
    assert counts.embedded == 1 and encoder.texts[-1] == "a changed title"
    _, counts = video_vectors(engine, "other-encoder", texts, lambda: encoder, NOW)
    assert counts.embedded == 3  # vectors belong to their encoder
    titles, counts = title_vectors(
        engine, "enc", ["Code | x", "Code | x", "Steam"], lambda: encoder, NOW
    )
    assert counts.embedded == 2 and set(titles) == {"Code | x", "Steam"}
    _, counts = title_vectors(engine, "enc", ["Steam", "Code | x"], _refuse, NOW)
    assert counts.reused == 2
    engine.dispose()


VIDEOS = [
    Video(f"video{i:06d}", title, "UCc", "Chan", "about it", 60 * (i + 1), NOW - timedelta(days=1), "subscription")
    for i, title in enumerate(["Rust lifetimes explained", "Speedrun any%", "Cooking pasta"])
]  # fmt: skip


def _seed(engine) -> None:
    videos = VIDEOS
    events = [
        AwEvent("w", i, "h", NOW - timedelta(minutes=m), s, app, title, None, category)
        for i, (m, s, app, title, category) in enumerate(
            [
                (300, 1800.0, "Code", "lib.rs - parser", ("Work", "Programming")),
                (90, 1200.0, "Firefox", "docs.rs", ("Work",)),
                (40, 900.0, "Slack", "general", ("Comms",)),
                (10, 1500.0, "Code", "main.rs", ("Work", "Programming")),  # runs past NOW
                (-5, 60.0, "Steam", "lobby", ("Media", "Games")),  # after NOW
            ]
        )
    ]
    with write_transaction(engine) as conn:
        write_videos(conn, videos, NOW - timedelta(days=1))
        write_aw_events(conn, events)
        conn.execute(
            feedback.insert(),
            [
                {
                    "click_id": f"c{i}",
                    "video_id": f"video{i:06d}",
                    "kind": "productive",
                    "value": i % 2,
                    "created_at": NOW,
                    "timezone": ZONE,
                }
                for i in range(3)
            ],
        )


@pytest.mark.minilm
@pytest.mark.slow
def test_training_rows_and_the_feed_compute_the_same_features(tmp_path) -> None:
    """``productive_data`` (clicks at NOW) and a refresh at NOW, with the real encoder."""
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    engine = open_database(url)
    _seed(engine)
    database, encoder = AppDatabase(url=url), SentenceEncoder()
    resources = {
        "database": database,
        "io_manager": SqlTableIOManager(database=database),
        "text_encoder": encoder,
        "clock": FixedClock(moment=NOW.isoformat()),
    }
    assert dg.materialize([video_embeddings, productive_data], resources=resources).success
    stored = read_frame(engine, "productive_data")
    # the clicked videos as the feed would offer them (a click excludes a video from the feed)
    candidates = VIDEOS
    with read_transaction(engine) as conn:
        events = context_at(conn, NOW, 6.0)
        assert len(video_texts(conn)) == 3
    vectors, context, counts = ranker_refresh_inputs(
        engine, encoder.model_name, _refuse, candidates, events, NOW, ZONE
    )  # every text is stored already: the encoder is never loaded
    assert counts["videos_reused"] == 3 and counts["event_texts_reused"] == 4
    served = {
        c.video_id: row_features(context, v, c.duration_s)
        for c, v in zip(candidates, vectors, strict=True)
    }
    trained = {row.video_id: json.loads(row.context_features) for row in stored.itertuples()}
    assert trained == served  # exactly, every feature of every video
    assert trained["video000000"]["current_app:Code"] == 1.0
    assert "share@15m:Media" not in trained["video000000"]  # the Steam event is after NOW
    engine.dispose()


@pytest.mark.minilm
@pytest.mark.slow
@pytest.mark.parametrize("moment_offset_s", [1, 600])
def test_later_events_do_not_change_a_stored_row(tmp_path, moment_offset_s: int) -> None:
    """Leakage through the whole training path: events written after a click, or a longer
    version of the event running at the click, leave its features as they were."""
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    engine = open_database(url)
    _seed(engine)
    database = AppDatabase(url=url)
    resources = {
        "database": database,
        "io_manager": SqlTableIOManager(database=database),
        "text_encoder": SentenceEncoder(),
        "clock": FixedClock(moment=NOW.isoformat()),
    }
    assert dg.materialize([productive_data], resources=resources).success
    before = read_frame(engine, "productive_data")["context_features"].tolist()
    with write_transaction(engine) as conn:
        write_aw_events(
            conn,
            [
                AwEvent("w", 3, "h", NOW - timedelta(minutes=10), 7200.0, "Code", "main.rs", None, ("Work", "Programming")),
                AwEvent("w", 99, "h", NOW + timedelta(seconds=moment_offset_s), 900.0, "Steam", "Elden Ring", None, ("Media", "Games")),
            ],
        )  # fmt: skip
    assert dg.materialize([productive_data], resources=resources).success
    assert read_frame(engine, "productive_data")["context_features"].tolist() == before
    engine.dispose()
