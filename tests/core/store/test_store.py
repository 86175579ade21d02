"""The application database on SQLite and a real PostgreSQL server."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from vrdndi_pipeline.core.records import AwEvent, Video, VideoRating, WatchEntry
from vrdndi_pipeline.core.store.database import (
    make_engine,
    open_database,
    read_transaction,
    write_transaction,
)
from vrdndi_pipeline.core.store.frame_tables import (
    FrameTableError,
    read_frame,
    replace_table_with_frame,
)
from vrdndi_pipeline.core.store.migrate import head_revision, schema_revision, upgrade_schema
from vrdndi_pipeline.core.store.schema import aw_events, metadata, video_ratings, videos
from vrdndi_pipeline.core.store.source_tables import (
    count_duplicate_keys,
    latest_event_time,
    latest_upload_per_channel,
    write_aw_events,
    write_ratings,
    write_videos,
    write_watch_history,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _event(i: int, duration: float = 30.0, title: str = "main.py - Code") -> AwEvent:
    return AwEvent(
        bucket_id="aw-watcher-window_host",
        event_id=i,
        hostname="host",
        timestamp=T0 + timedelta(minutes=i),
        duration_s=duration,
        app="Code",
        title=title,
        category=("Work", "Programming"),
    )


def _video(video_id: str, **changes) -> Video:
    fields = dict(
        video_id=video_id,
        title="Attention Is All You Need — paper explained",
        channel_id="UCabcdefghijklmnopqrstuv",
        channel_title="Paper Club",
        description="A walk through the transformer.",
        duration_s=1234,
        published_at=T0,
        source="subscription",
    )
    return Video(**(fields | changes))


def _pragmas(engine) -> tuple:
    with engine.connect() as conn:
        return tuple(
            conn.exec_driver_sql(f"PRAGMA {name}").scalar_one()
            for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
        )


def test_make_engine_leaves_the_schema_and_open_database_brings_it_to_head(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    bare = make_engine(url)
    assert schema_revision(bare) is None
    assert _pragmas(bare) == ("wal", 2, 30_000, 1)  # WAL, synchronous FULL, 30 s, FKs on
    bare.dispose()
    opened = open_database(url)
    assert schema_revision(opened) == head_revision()
    assert _pragmas(opened) == ("wal", 2, 30_000, 1)
    opened.dispose()
    again = open_database(url)  # a second open finds nothing to migrate
    assert schema_revision(again) == head_revision()
    again.dispose()


def test_a_shorter_busy_timeout_gives_up_on_a_held_lock_in_time(tmp_path):
    import time

    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    holder = open_database(url)
    impatient = open_database(url, sqlite_busy_timeout_ms=200)
    assert _pragmas(impatient)[2] == 200
    with write_transaction(holder):
        started = time.monotonic()
        with pytest.raises(OperationalError, match="locked"):
            with write_transaction(impatient):
                pass
        assert time.monotonic() - started < 10  # not the default 30 s
    holder.dispose()
    impatient.dispose()


def test_migrations_create_exactly_the_declared_schema(engine):
    assert schema_revision(engine) == head_revision()
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )
    assert diff == []
    upgrade_schema(engine)  # a second upgrade is a no-op
    assert schema_revision(engine) == head_revision()


@contextmanager
def _at_revision(engine, revision: str):
    """A write transaction on ``engine``'s schema migrated to ``revision`` only."""
    from alembic import command

    from vrdndi_pipeline.core.store.migrate import alembic_config

    config = alembic_config()
    with write_transaction(engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        yield conn


def test_a_feed_written_before_migration_0005_keeps_its_generation(database_url):
    from sqlalchemy import insert

    from vrdndi_pipeline.core.store.feed_tables import current_generation
    from vrdndi_pipeline.core.store.schema import feed_predictions

    engine = make_engine(database_url)
    made = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    with _at_revision(engine, "0004") as conn:
        conn.execute(
            insert(feed_predictions),
            [
                {
                    "video_id": f"vid{rank:08d}",
                    "rank": rank,
                    "title": "t",
                    "combined_score": 1.0 / rank,
                    "ranking": "recency",
                    "model_version": "none",
                    "generation": "g-old",
                    "generated_at": made,
                }
                for rank in (1, 2, 3)
            ],
        )
    upgrade_schema(engine)
    with read_transaction(engine) as conn:
        old = current_generation(conn)
    assert old is not None
    assert (old.generation, old.generated_at, old.ranking, old.videos) == (
        "g-old",
        made,
        "recency",
        3,
    )
    engine.dispose()


def test_event_upsert_is_idempotent_and_updates_a_growing_event(engine):
    events = [_event(i) for i in range(50)]
    with write_transaction(engine) as conn:
        first = write_aw_events(conn, events)
    with write_transaction(engine) as conn:
        again = write_aw_events(conn, events)
    assert (first.inserted, first.updated) == (50, 0)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 50)

    grown = [*events[:-1], _event(49, duration=95.5)]
    with write_transaction(engine) as conn:
        counts = write_aw_events(conn, grown)
        assert (counts.inserted, counts.updated) == (0, 1)
    with read_transaction(engine) as conn:
        stored = conn.execute(
            select(aw_events.c.duration_s).where(aw_events.c.event_id == 49)
        ).scalar_one()
        assert stored == 95.5
        assert latest_event_time(conn, "host") == T0 + timedelta(minutes=49)
        assert latest_event_time(conn, "elsewhere") is None


def test_times_round_trip_as_utc_and_naive_times_are_refused(engine):
    berlin = timezone(timedelta(hours=1))
    event = _event(1)
    local = AwEvent(
        **{**{f: getattr(event, f) for f in event.__slots__}, "timestamp": T0.astimezone(berlin)}
    )
    with write_transaction(engine) as conn:
        write_aw_events(conn, [local])
    with read_transaction(engine) as conn:
        stored = conn.execute(select(aw_events.c.timestamp)).scalar_one()
    assert stored == T0 and stored.utcoffset() == timedelta(0)

    naive = AwEvent(
        **{
            **{f: getattr(event, f) for f in event.__slots__},
            "event_id": 2,
            "timestamp": T0.replace(tzinfo=None),
        }
    )
    with pytest.raises(SQLAlchemyError, match="naive datetime"):
        with write_transaction(engine) as conn:
            write_aw_events(conn, [naive])


def test_videos_dedupe_and_a_poorer_source_never_blanks_a_richer_one(engine):
    seen = T0 + timedelta(days=1)
    hostile = "<script>alert(1)</script> 🎉 日本語 العربية"
    with write_transaction(engine) as conn:
        counts = write_videos(
            conn,
            [
                _video("aaaaaaaaaaa"),
                _video("aaaaaaaaaaa", source="liked"),
                _video("bbbbbbbbbbb", title=hostile),
            ],
            seen,
        )
    assert counts.inserted == 2

    # The Takeout file knows only the title; the API row must stay whole.
    file_only = _video(
        "aaaaaaaaaaa",
        title="other",
        description=None,
        duration_s=None,
        published_at=None,
        source="takeout",
        details_from="takeout",
    )
    # A later API answer without contentDetails must not erase the duration either.
    no_duration = _video("bbbbbbbbbbb", title=hostile, duration_s=None)
    with write_transaction(engine) as conn:
        counts = write_videos(conn, [file_only, no_duration], seen + timedelta(days=1))
    assert (counts.inserted, counts.updated) == (0, 0)
    with read_transaction(engine) as conn:
        rows = {r.video_id: r for r in conn.execute(select(videos))}
    assert rows["aaaaaaaaaaa"].title == "Attention Is All You Need — paper explained"
    assert rows["aaaaaaaaaaa"].source == "subscription"
    assert rows["bbbbbbbbbbb"].title == hostile
    assert rows["bbbbbbbbbbb"].duration_s == 1234
    assert rows["bbbbbbbbbbb"].first_seen_at == seen

    with write_transaction(engine) as conn:
        changed = write_videos(conn, [_video("bbbbbbbbbbb", title="Renamed")], seen)
        assert changed.updated == 1
        assert latest_upload_per_channel(conn) == {"UCabcdefghijklmnopqrstuv": T0}


def test_ratings_and_history_upsert_by_natural_key(engine):
    with write_transaction(engine) as conn:
        assert write_ratings(conn, [VideoRating("aaaaaaaaaaa", "like")], T0).inserted == 1
        assert write_ratings(conn, [VideoRating("aaaaaaaaaaa", "dislike")], T0).updated == 1
        entries = [
            WatchEntry("aaaaaaaaaaa", T0, "t", "c", None),
            WatchEntry("aaaaaaaaaaa", T0 + timedelta(hours=1), "t", "c", None),
        ]
        assert write_watch_history(conn, entries).inserted == 2
        assert write_watch_history(conn, entries).unchanged == 2
        assert conn.execute(select(video_ratings.c.rating)).scalar_one() == "dislike"


def test_failed_write_transaction_leaves_nothing(engine):
    with pytest.raises(RuntimeError):
        with write_transaction(engine) as conn:
            write_aw_events(conn, [_event(i) for i in range(10)])
            raise RuntimeError("crash after the upsert, before commit")
    with read_transaction(engine) as conn:
        assert conn.execute(select(func.count()).select_from(aw_events)).scalar_one() == 0


def test_concurrent_writers_lose_no_row(engine):
    """Four threads upsert disjoint rows at once: every row arrives (BEGIN IMMEDIATE queues them)."""
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            for batch in range(10):
                start = offset * 1000 + batch * 10
                with write_transaction(engine) as conn:
                    write_aw_events(conn, [_event(i) for i in range(start, start + 10)])
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with read_transaction(engine) as conn:
        assert conn.execute(select(func.count()).select_from(aw_events)).scalar_one() == 400


def test_duplicate_key_count_finds_duplicates(engine):
    frame = pd.DataFrame({"video_id": ["a", "a", "b", "c", "c", "c"], "n": range(6)})
    replace_table_with_frame(engine, "scratch", frame)
    from sqlalchemy import MetaData, Table

    with read_transaction(engine) as conn:
        table = Table("scratch", MetaData(), autoload_with=conn)
        assert count_duplicate_keys(conn, table, [table.c.video_id]) == 2
        assert count_duplicate_keys(conn, videos, [videos.c.video_id]) == 0


def test_frame_table_replaced_whole_and_read_back_with_types(engine):
    first = pd.DataFrame(
        {
            "video_id": ["aaaaaaaaaaa", "bbbbbbbbbbb"],
            "score": [0.25, None],
            "rank": [1, 2],
            "seen": [True, False],
            "at": pd.to_datetime(["2026-11-01 09:00", "2026-11-02 10:30"]).tz_localize("UTC"),
            "title": ["日本語 🎉", "<b>x</b>"],
        }
    )
    assert replace_table_with_frame(engine, "derived", first) == 2
    loaded = read_frame(engine, "derived")
    pd.testing.assert_frame_equal(loaded, first, check_dtype=False)
    assert str(loaded["at"].dtype).endswith("UTC]")

    second = first.iloc[:1].assign(score=0.75)
    replace_table_with_frame(engine, "derived", second)
    assert read_frame(engine, "derived")["score"].tolist() == [0.75]
    assert not inspect(engine).has_table("derived__staging")


def test_frame_table_errors_name_the_cause(engine):
    naive = pd.DataFrame({"at": pd.to_datetime(["2026-11-01"])})
    with pytest.raises(FrameTableError, match="tz_localize"):
        replace_table_with_frame(engine, "derived", naive)
    with pytest.raises(FrameTableError, match="materialize"):
        read_frame(engine, "never_written")


def test_failed_frame_replacement_keeps_the_old_table(engine):
    replace_table_with_frame(engine, "derived", pd.DataFrame({"n": [1, 2, 3]}))
    bad = pd.DataFrame({"n": [1, object()]})  # not storable: the insert fails mid-transaction
    with pytest.raises(SQLAlchemyError):
        replace_table_with_frame(engine, "derived", bad)
    assert read_frame(engine, "derived")["n"].tolist() == [1, 2, 3]


def test_videos_hidden_before_migration_0007_stay_hidden(database_url):
    from sqlalchemy import text

    from vrdndi_pipeline.core.store.people_tables import hidden_now

    engine = make_engine(database_url)
    hidden_at = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    with _at_revision(engine, "0006") as conn:
        conn.execute(
            text("INSERT INTO hidden_videos (video_id, hidden_at) VALUES (:v, :at)"),
            [{"v": "dQw4w9WgXcQ", "at": hidden_at}],
        )
    upgrade_schema(engine)
    with read_transaction(engine) as conn:
        hidden = hidden_now(conn, "video")
    assert list(hidden) == ["dQw4w9WgXcQ"]
    assert hidden["dQw4w9WgXcQ"].created_at == hidden_at
