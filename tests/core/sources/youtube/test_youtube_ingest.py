"""The decisions of one ``youtube_videos`` run, without Dagster or a server: which calls are
made and when they stop, which watched videos are looked up, what is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from vrdndi_pipeline.core.records import Video, WatchEntry
from vrdndi_pipeline.core.sources.takeout.history import TakeoutHistory
from vrdndi_pipeline.core.sources.youtube.ingest import (
    ApiCalls,
    TakeoutLookup,
    YouTubeIngest,
    add_takeout_history,
    fetch_account_videos,
    file_only_videos,
    ids_missing_details,
    plan_takeout_lookup,
    write_youtube_videos,
)
from vrdndi_pipeline.core.sources.youtube.items import YouTubeFetch
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.schema import (
    rejected_items,
    undescribable_videos,
    video_ratings,
    videos,
    watch_history,
)
from vrdndi_pipeline.core.store.source_tables import record_undescribable, write_videos
from vrdndi_pipeline.core.validation import Rejection

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
CHANNEL = "UCabcdefghijklmnopqrstuv"


def _id(n: int) -> str:
    return f"vid{n:08d}"  # 11 characters, as YouTube's


def _video(n: int, source: str = "subscription", published: datetime | None = None) -> Video:
    return Video(
        video_id=_id(n),
        title=f"API title {n}",
        channel_id=CHANNEL,
        channel_title="A channel",
        description="described",
        duration_s=600,
        published_at=published or NOW - timedelta(days=n),
        source=source,  # type: ignore[arg-type]
    )


def _watch(n: int, title: str | None = "", hours_ago: int = 1) -> WatchEntry:
    """A watch of video ``n``; ``title`` "" gives it a title of its own, ``None`` none."""
    return WatchEntry(
        video_id=_id(n),
        watched_at=NOW - timedelta(hours=hours_ago),
        title=f"Takeout title {n}" if title == "" else title,
        channel_title="From the file",
        channel_id=None,
    )


def _history(*entries: WatchEntry, rejections: Sequence[Rejection] = ()) -> TakeoutHistory:
    return TakeoutHistory(entries=entries, skipped={"ad": 0}, rejections=tuple(rejections))


class YouTubeDown(RuntimeError):
    """Stands for the resources' YouTubeError."""


@dataclass
class Options:
    subscriptions: bool = True
    ratings: bool = True
    enrich_takeout: bool = True
    recheck_undescribable_days: int = 90


@dataclass
class FakeYouTube:
    """Answers from ``answers`` (a call name to a fetch, or to an exception to raise) and
    notes each call made, in order."""

    answers: dict[str, YouTubeFetch | Exception] = field(default_factory=dict)
    made: list[tuple[str, object]] = field(default_factory=list)

    def _answer(self, name: str, argument: object) -> YouTubeFetch:
        self.made.append((name, argument))
        answer = self.answers.get(name, YouTubeFetch())
        if isinstance(answer, Exception):
            raise answer
        return answer

    def subscription_uploads(self, published_after: Mapping[str, datetime]) -> YouTubeFetch:
        return self._answer("subscriptions", dict(published_after))

    def rated_videos(self, rating: str) -> YouTubeFetch:
        return self._answer({"like": "liked", "dislike": "disliked"}[rating], rating)

    def video_details(self, video_ids: Sequence[str], source: str) -> YouTubeFetch:
        return self._answer("takeout_lookup", (list(video_ids), source))


# --- the calls ----------------------------------------------------------------------------------


def test_calls_stop_at_the_first_youtube_error_and_keep_what_came_before() -> None:
    calls = ApiCalls(stops_on=YouTubeDown)
    made = []

    def call(name: str, outcome: YouTubeFetch | Exception):
        def run() -> YouTubeFetch:
            made.append(name)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

        return run

    first = YouTubeFetch(videos=(_video(1),))
    error = YouTubeDown("quota")
    assert calls.run("first", call("first", first)) is first
    assert calls.run("second", call("second", error)) is None
    assert calls.run("third", call("third", YouTubeFetch())) is None
    assert made == ["first", "second"]  # the third is never made
    assert calls.done == {"first": first}
    assert calls.failure is error


def test_an_error_that_is_not_youtubes_is_raised_at_once() -> None:
    calls = ApiCalls(stops_on=YouTubeDown)
    with pytest.raises(KeyError):
        calls.run("bug", lambda: {}["missing"])
    assert calls.failure is None and calls.done == {}


def test_account_calls_run_in_order_from_the_stored_cursors(sqlite_engine: Engine) -> None:
    with write_transaction(sqlite_engine) as conn:
        write_videos(conn, [_video(3, published=NOW - timedelta(days=3))], NOW)
    youtube = FakeYouTube()
    fetch_account_videos(ApiCalls(YouTubeDown), youtube, sqlite_engine, Options(), now=NOW)
    assert youtube.made == [
        ("subscriptions", {CHANNEL: NOW - timedelta(days=3)}),
        ("liked", "like"),
        ("disliked", "dislike"),
    ]


def test_account_calls_follow_the_options(sqlite_engine: Engine) -> None:
    youtube = FakeYouTube()
    fetch_account_videos(
        ApiCalls(YouTubeDown), youtube, sqlite_engine, Options(ratings=False), now=NOW
    )
    assert [name for name, _ in youtube.made] == ["subscriptions"]
    youtube = FakeYouTube()
    options = Options(subscriptions=False)
    fetch_account_videos(ApiCalls(YouTubeDown), youtube, sqlite_engine, options, now=NOW)
    assert [name for name, _ in youtube.made] == ["liked", "disliked"]


# --- the watch history --------------------------------------------------------------------------


def test_missing_ids_are_each_once_in_file_order() -> None:
    entries = [_watch(3), _watch(1), _watch(3, hours_ago=5), _watch(2)]
    assert ids_missing_details(entries, {_id(2)}) == [_id(3), _id(1)]


def test_file_only_rows_describe_each_undescribed_video_once() -> None:
    entries = [
        _watch(1, title=None),  # no title in this line: the next line of the video gives it
        _watch(1, title="Second line", hours_ago=2),
        _watch(1, title="Third line", hours_ago=3),
        _watch(2),  # described by the API
        _watch(3, title=None),  # never titled: no row
    ]
    rows = file_only_videos(entries, {_id(2)})
    assert [(v.video_id, v.title, v.details_from, v.source) for v in rows] == [
        (_id(1), "Second line", "takeout", "takeout")
    ]
    assert (rows[0].channel_title, rows[0].description, rows[0].published_at) == (
        "From the file",
        None,
        None,
    )


def test_the_lookup_skips_stored_fetched_and_recently_undescribable_ids(
    sqlite_engine: Engine,
) -> None:
    with write_transaction(sqlite_engine) as conn:
        write_videos(conn, [_video(1)], NOW)  # stored with API details
        record_undescribable(conn, [_id(4)], (), NOW - timedelta(days=10))  # asked lately
        record_undescribable(conn, [_id(5)], (), NOW - timedelta(days=200))  # due again
    entries = [_watch(n) for n in (1, 2, 3, 4, 5)]
    with read_transaction(sqlite_engine) as conn:
        plan = plan_takeout_lookup(conn, entries, {_id(2)}, checked_after=NOW - timedelta(days=90))
    assert plan == TakeoutLookup(
        stored=frozenset({_id(1)}),
        missing=(_id(3), _id(4), _id(5)),
        ask=(_id(3), _id(5)),
    )
    assert plan.known_undescribable == 1


def test_watched_videos_are_looked_up_and_the_rest_kept_from_the_file(
    sqlite_engine: Engine,
) -> None:
    with write_transaction(sqlite_engine) as conn:
        record_undescribable(conn, [_id(4)], (), NOW - timedelta(days=10))
    youtube = FakeYouTube(
        {
            "liked": YouTubeFetch(videos=(_video(1, "liked"),)),
            "takeout_lookup": YouTubeFetch(videos=(_video(2, "lookup"),), not_found=(_id(3),)),
        }
    )
    calls = ApiCalls(YouTubeDown)
    fetch_account_videos(calls, youtube, sqlite_engine, Options(subscriptions=False), now=NOW)
    history = _history(_watch(1), _watch(2), _watch(3), _watch(4))
    ingest = add_takeout_history(calls, youtube, sqlite_engine, history, Options(), now=NOW)
    assert youtube.made[-1] == ("takeout_lookup", ([_id(2), _id(3)], "takeout"))
    assert [(v.video_id, v.source) for v in ingest.api_videos] == [
        (_id(1), "liked"),
        (_id(2), "takeout"),  # found through the watch history
    ]
    assert [v.video_id for v in ingest.file_only] == [_id(3), _id(4)]
    assert ingest.skipped_known_undescribable == 1
    assert list(ingest.fetches) == ["liked", "disliked", "takeout_lookup"]
    assert ingest.failure is None


def test_without_enrichment_nothing_is_looked_up(sqlite_engine: Engine) -> None:
    with write_transaction(sqlite_engine) as conn:
        record_undescribable(conn, [_id(4)], (), NOW - timedelta(days=10))
    youtube = FakeYouTube()
    calls = ApiCalls(YouTubeDown)
    history = _history(_watch(2), _watch(4))
    options = Options(enrich_takeout=False)
    ingest = add_takeout_history(calls, youtube, sqlite_engine, history, options, now=NOW)
    assert youtube.made == []
    assert [v.video_id for v in ingest.file_only] == [_id(2), _id(4)]
    assert ingest.skipped_known_undescribable == 0


def test_after_a_failure_the_watch_history_is_not_looked_up(sqlite_engine: Engine) -> None:
    error = YouTubeDown("quota")
    youtube = FakeYouTube({"subscriptions": YouTubeFetch(videos=(_video(1),)), "liked": error})
    calls = ApiCalls(YouTubeDown)
    fetch_account_videos(calls, youtube, sqlite_engine, Options(), now=NOW)
    ingest = add_takeout_history(
        calls, youtube, sqlite_engine, _history(_watch(2)), Options(), now=NOW
    )
    assert [name for name, _ in youtube.made] == ["subscriptions", "liked"]
    assert [v.video_id for v in ingest.api_videos] == [_id(1)]
    assert [v.video_id for v in ingest.file_only] == [_id(2)]
    assert ingest.failure is error


# --- the write ----------------------------------------------------------------------------------


def _ingest_with_everything() -> YouTubeIngest:
    lookup = YouTubeFetch(videos=(_video(5, "takeout"),), not_found=(_id(6),), requests=1)
    fetches = {
        "subscriptions": YouTubeFetch(
            videos=(_video(1),),
            skipped={"missing_duration": 1},
            requests=2,
            quota_units=2,
            rejections=(Rejection("bad00000001", "time_in_future"),),
        ),
        "liked": YouTubeFetch(videos=(_video(2, "liked"),), requests=1, quota_units=1),
        "disliked": YouTubeFetch(videos=(_video(3, "disliked"),), requests=1, quota_units=1),
        "takeout_lookup": lookup,
    }
    history = _history(_watch(5), _watch(6), rejections=[Rejection("item 9", "invalid_time")])
    return YouTubeIngest(
        fetches=fetches,
        api_videos=tuple(v for f in fetches.values() for v in f.videos),
        file_only=tuple(file_only_videos(history.entries, {_id(5)})),
        history=history,
        skipped_known_undescribable=2,
    )


def test_everything_is_written_and_counted(sqlite_engine: Engine) -> None:
    written = write_youtube_videos(sqlite_engine, _ingest_with_everything(), NOW)
    with read_transaction(sqlite_engine) as conn:
        stored = dict(conn.execute(select(videos.c.video_id, videos.c.details_from)).all())
        ratings = dict(conn.execute(select(video_ratings.c.video_id, video_ratings.c.rating)).all())
        watched = conn.execute(select(watch_history.c.video_id)).scalars().all()
        quarantined = conn.execute(select(rejected_items.c.source, rejected_items.c.reason)).all()
        undescribable = conn.execute(select(undescribable_videos.c.video_id)).scalars().all()
    assert stored == {
        _id(1): "api",
        _id(2): "api",
        _id(3): "api",
        _id(5): "api",
        _id(6): "takeout",
    }
    assert ratings == {_id(2): "like", _id(3): "dislike"}
    assert sorted(watched) == [_id(5), _id(6)]
    assert sorted(quarantined) == [("takeout", "invalid_time"), ("youtube", "time_in_future")]
    assert undescribable == [_id(6)]
    assert (written.videos.inserted, written.ratings.inserted, written.history.inserted) == (
        5,
        2,
        2,
    )
    assert (written.rejected_items_written, written.undescribable_recorded) == (2, 1)


def test_a_described_video_is_forgotten_as_undescribable(sqlite_engine: Engine) -> None:
    with write_transaction(sqlite_engine) as conn:
        record_undescribable(conn, [_id(5)], (), NOW - timedelta(days=100))
    write_youtube_videos(sqlite_engine, _ingest_with_everything(), NOW)  # the lookup described it
    with read_transaction(sqlite_engine) as conn:
        left = conn.execute(select(undescribable_videos.c.video_id)).scalars().all()
    assert left == [_id(6)]


def test_the_report_counts_what_was_fetched_and_written(sqlite_engine: Engine) -> None:
    written = write_youtube_videos(sqlite_engine, _ingest_with_everything(), NOW)
    meta = written.metadata()
    assert {k: meta[k] for k in meta if k.startswith("fetched_")} == {
        "fetched_subscriptions": 1,
        "fetched_liked": 1,
        "fetched_disliked": 1,
        "fetched_takeout_lookup": 1,
    }
    assert (meta["api_requests"], meta["api_quota_units"]) == (5, 4)
    assert meta["skipped_api_items"] == {"missing_duration": 1}
    assert meta["rejected_api_items"] == {"time_in_future": 1}
    assert meta["rejected_takeout_items"] == {"invalid_time": 1}
    assert (meta["videos_inserted"], meta["ratings_inserted"], meta["history_inserted"]) == (
        5,
        2,
        2,
    )
    assert (meta["skipped_known_undescribable"], meta["undescribable_recorded"]) == (2, 1)
    assert meta["takeout"]["entries"] == 2 and meta["takeout"]["file_only_videos"] == 1
    assert written.summary_line() == (
        "videos: 5 new, 0 updated; 2 ratings, 2 history lines new; 2 items rejected"
    )
    assert written.failure_line() == (
        "YouTube failed after subscriptions, liked, disliked, takeout_lookup; kept what they "
        "fetched (4 videos) and stopped there"
    )


def test_a_run_without_a_takeout_file_says_so(sqlite_engine: Engine) -> None:
    ingest = YouTubeIngest(fetches={}, api_videos=(), file_only=(), history=None)
    written = write_youtube_videos(sqlite_engine, ingest, NOW)
    assert written.metadata()["takeout"] == {"file": "none"}
    assert written.failure_line().startswith("YouTube failed after no completed call;")
