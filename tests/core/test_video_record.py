"""One record of a video from the store to the feed: ``Video`` is what candidate selection
returns, what the models score and what a feed row holds; the store maps it by field name."""

from __future__ import annotations

import ast
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.harness.paths import REPO_ROOT
from vrdndi_pipeline.core.feed.ranking import ScoredCandidate
from vrdndi_pipeline.core.feed.rows import feed_rows
from vrdndi_pipeline.core.model.examples import video_example
from vrdndi_pipeline.core.records import VIDEO_FIELDS, Video, video_text
from vrdndi_pipeline.core.store.database import (
    open_database,
    read_transaction,
    write_transaction,
)
from vrdndi_pipeline.core.store.feed_tables import (
    FEED_COLUMNS,
    FEED_OWN_COLUMNS,
    FeedItem,
    read_feed_page,
    replace_feed,
)
from vrdndi_pipeline.core.store.schema import feed_predictions, videos
from vrdndi_pipeline.core.store.video_rows import video_columns, video_from_row, video_values

NOW = datetime(2026, 11, 15, 14, tzinfo=UTC)
FULL = Video(
    "abcdefghijk",
    "Rust lifetimes",
    "UC" + "x" * 22,
    "Chan",
    "about borrowing",
    754,
    NOW - timedelta(hours=2),
    "subscription",
    "api",
    ("rust", "über"),
)


def test_a_video_needs_only_its_id_and_title() -> None:
    video = Video("abcdefghijk", "Only a title")
    assert (video.channel_title, video.duration_s, video.published_at, video.tags) == (
        None,
        None,
        None,
        (),
    )
    assert video.text == "Only a title"
    assert FULL.text == "Rust lifetimes | Chan | about borrowing"
    assert video_text(" T ", "", None) == "T"  # blank and missing parts are left out


def test_the_model_reads_the_duration_as_a_float() -> None:
    example = video_example(FULL, NOW, (), "Europe/Berlin")
    assert example.text == FULL.text and example.video_duration_s == 754.0
    assert isinstance(example.video_duration_s, float)
    assert video_example(Video("abcdefghijk", "t")).video_duration_s is None
    assert example.interest_label is None and example.productive_label is None


def test_the_videos_table_holds_every_field_and_round_trips() -> None:
    assert [c.name for c in video_columns(videos)] == list(VIDEO_FIELDS)
    values = video_values(FULL, videos)
    assert values["tags"] == '["rust", "über"]'
    assert video_from_row({**values, "first_seen_at": NOW}) == FULL  # other columns ignored


def test_a_feed_row_holds_the_video_and_only_the_feed_fields_beside_it(tmp_path: Path) -> None:
    shown = [c.name for c in video_columns(feed_predictions)]
    assert shown == [
        "video_id",
        "title",
        "channel_id",
        "channel_title",
        "duration_s",
        "published_at",
    ]
    assert [f.name for f in fields(FeedItem)] == ["video", *FEED_OWN_COLUMNS]
    assert set(FEED_OWN_COLUMNS).isdisjoint(VIDEO_FIELDS)
    assert set(shown) | set(FEED_OWN_COLUMNS) == set(FEED_COLUMNS)

    engine = open_database(f"sqlite:///{tmp_path / 'vrdndi.db'}")
    rows = feed_rows(
        [ScoredCandidate(FULL, 0.9, 0.6, 0.7)],
        ranking="champion",
        model_version="3",
        generation="g",
        generated_at=NOW,
    )
    with write_transaction(engine) as conn:
        replace_feed(conn, rows)
    with read_transaction(engine) as conn:
        [item] = read_feed_page(conn)
    engine.dispose()
    # the fields the feed table holds come back; the rest read as unknown
    assert item.video == Video(**{name: getattr(FULL, name) for name in shown})
    assert (item.rank, item.interest_score, item.combined_score, item.generation) == (
        1,
        0.9,
        0.7,
        "g",
    )


def test_no_second_video_record_and_no_hand_written_converter() -> None:
    """A class with the video's own fields, or a method turning one record into another, is
    what the single ``Video`` replaced."""
    video_fields = {"title", "channel_title", "description", "duration_s"}
    found = []
    for path in sorted(
        [*REPO_ROOT.glob("vrdndi_pipeline/**/*.py"), *REPO_ROOT.glob("vrdndi_ui/**/*.py")]
    ):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name != "Video":
                names = {
                    s.target.id
                    for s in node.body
                    if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                }
                if video_fields <= names:
                    found.append(f"{path.relative_to(REPO_ROOT)}: class {node.name}")
            if isinstance(node, ast.FunctionDef) and node.name.startswith("as_candidate"):
                found.append(f"{path.relative_to(REPO_ROOT)}: {node.name}")
    assert found == []
