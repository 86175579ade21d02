"""youtube_videos through the real client library against a local fake of Google's API."""

import json
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
from sqlalchemy import select

from tests.harness.fake_youtube_server import (
    QUOTA_EXCEEDED,
    FakeYouTubeServer,
    allow_only_loopback,
    channel_id,
    upload_time,
    video_id,
    video_resource,
    write_token,
    write_youtube_snapshot,
)
from vrdndi_pipeline.assets.youtube_videos import youtube_videos
from vrdndi_pipeline.core.store.database import make_engine
from vrdndi_pipeline.core.store.schema import (
    rejected_items,
    undescribable_videos,
    video_ratings,
    videos,
    watch_history,
)
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.takeout import TakeoutWatchHistory
from vrdndi_pipeline.resources.youtube.source import YouTubeApi

LIKED_ELSEWHERE = "likedElse01"
HOSTILE_TITLE = "<script>alert('x')</script> 🎉 日本語 العربية"


class QuotaSpentOnDislikes(FakeYouTubeServer):
    """Answers normally until the dislike list is asked for, then reports a spent quota."""

    def answer(self, method, path, query, auth):
        if path.endswith("/videos") and query.get("myRating") == ["dislike"]:
            self.requests.append(type(self.requests[0])(method, path, query))
            return 403, QUOTA_EXCEEDED
        return super().answer(method, path, query, auth)


def _snapshot(folder: Path) -> Path:
    return write_youtube_snapshot(
        folder,
        [120, 3, 0],
        ratings={"like": [video_id(1, 0), LIKED_ELSEWHERE], "dislike": [video_id(0, 5)]},
        extra_videos=[video_resource(LIKED_ELSEWHERE, title=HOSTILE_TITLE, duration="P0D")],
    )


def _run(server, tmp_path, db_url, takeout_path="absent.json", run_config=None):
    resources = {
        "youtube": YouTubeApi(
            api_endpoint=server.url,
            token_file=str(write_token(tmp_path / "token.json")),
            client_secret_file=str(tmp_path / "client_secret.json"),
            backoff_seconds=0.0,
        ),
        "takeout": TakeoutWatchHistory(path=str(tmp_path / takeout_path)),
        "database": AppDatabase(url=db_url),
    }
    return dg.materialize(
        [youtube_videos], resources=resources, raise_on_error=False, run_config=run_config
    )


def _metadata(result) -> dict:
    [materialization] = result.asset_materializations_for_node("youtube_videos")
    return {k: v.value for k, v in materialization.metadata.items()}


def _tables(db_url: str) -> dict[str, list]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        return {
            t.name: sorted(map(tuple, conn.execute(select(t))))
            for t in (videos, video_ratings, watch_history)
        }


def test_videos_are_fetched_deduplicated_and_fetched_again_incrementally(tmp_path, monkeypatch):
    allow_only_loopback(monkeypatch)
    db_url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    with FakeYouTubeServer(_snapshot(tmp_path / "snapshot")) as server:
        first = _run(server, tmp_path, db_url)
        assert first.success
        meta = _metadata(first)
        # 123 uploads + 1 liked video from an unsubscribed channel; the liked and disliked
        # subscription uploads are stored once.
        assert meta["videos_inserted"] == 124
        assert meta["ratings_inserted"] == 3
        batches = [
            len(r.query["id"][0].split(","))
            for r in server.api_requests("videos")
            if "id" in r.query
        ]
        assert max(batches) == 50 and sum(batches) == 123

        server.requests.clear()
        second = _run(server, tmp_path, db_url)
        meta = _metadata(second)
        assert (meta["videos_inserted"], meta["videos_updated"], meta["ratings_inserted"]) == (
            0,
            0,
            0,
        )
        # One page per channel: the cursor stops channel 0 at its first page (of three, 120
        # uploads), and no video needs its details fetched again.
        assert len(server.api_requests("playlistItems")) == 3
        assert not [r for r in server.api_requests("videos") if "id" in r.query]

    rows = {r[0]: r for r in _tables(db_url)["videos"]}
    assert rows[LIKED_ELSEWHERE][1] == HOSTILE_TITLE
    engine = make_engine(db_url)
    with engine.connect() as conn:
        liked = conn.execute(
            select(videos.c.source, videos.c.duration_s).where(videos.c.video_id == LIKED_ELSEWHERE)
        ).one()
        uploaded = conn.execute(
            select(videos.c.source).where(videos.c.video_id == video_id(1, 0))
        ).scalar_one()
    assert tuple(liked) == ("liked", 0) and uploaded == "subscription"


def test_a_spent_quota_fails_at_once_and_keeps_what_was_fetched(tmp_path, monkeypatch):
    allow_only_loopback(monkeypatch)
    db_url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    snapshot = _snapshot(tmp_path / "snapshot")
    with FakeYouTubeServer(snapshot) as server:
        assert _run(server, tmp_path, db_url).success
    before = _tables(db_url)

    # A new channel upload and a new like arrive, but the quota runs out on the last request.
    write_youtube_snapshot(snapshot, [125, 4, 1], ratings={"like": [video_id(2, 0)], "dislike": []})
    with QuotaSpentOnDislikes(snapshot) as server:
        result = _run(server, tmp_path, db_url)
        dislike_requests = [
            r for r in server.api_requests("videos") if r.query.get("myRating") == ["dislike"]
        ]
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "quota" in failure.step_failure_data.error.to_string().lower()
    assert len(dislike_requests) == 1  # no retry
    # The subscriptions and likes fetched before the quota ran out are kept, so the quota they
    # cost is not spent again: the upload and the like are stored, nothing else changed.
    after = _tables(db_url)
    assert set(after["videos"]) - set(before["videos"]) == {
        r for r in after["videos"] if r[0] == video_id(2, 0)
    }
    assert {r[:2] for r in after["video_ratings"]} - {r[:2] for r in before["video_ratings"]} == {
        (video_id(2, 0), "like")
    }
    assert after["watch_history"] == before["watch_history"]

    with FakeYouTubeServer(snapshot) as server:  # the next day
        assert _run(server, tmp_path, db_url).success
        assert not [r for r in server.api_requests("videos") if "id" in r.query]


def test_an_unreachable_api_fails_and_keeps_the_stored_rows(tmp_path, monkeypatch):
    allow_only_loopback(monkeypatch)
    db_url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    with FakeYouTubeServer(_snapshot(tmp_path / "snapshot")) as server:
        assert _run(server, tmp_path, db_url).success
        url = server.url
    before = _tables(db_url)
    gone = type("Gone", (), {"url": url})()
    result = _run(gone, tmp_path, db_url)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "subscriptions.list" in failure.step_failure_data.error.to_string()
    assert _tables(db_url) == before


# -- hostile uploads -----------------------------------------------------------------------------

FUTURE = "future99999"
YEAR_ONE = "year0001xxx"
NUL_TITLE = "nulTitle000"
ABSURD = "absurdDur00"
NEWER = "newUpload01"


def _add_uploads(folder: Path, uploads: list[tuple[dict, str]]) -> None:
    """Put ``(video resource, videoPublishedAt)`` first in channel 0's uploads, newest first.

    Written with JSON escapes, so a lone surrogate survives the file as Google would send it.
    """
    playlists = json.loads((folder / "playlist_items.json").read_text(encoding="utf-8"))
    listed = json.loads((folder / "videos.json").read_text(encoding="utf-8"))
    items = [
        {
            "kind": "youtube#playlistItem",
            "id": f"pi-{video['id']}",
            "contentDetails": {"videoId": video["id"], "videoPublishedAt": published},
        }
        for video, published in uploads
    ]
    playlists["UU" + channel_id(0)[2:]][:0] = items
    listed.extend(video for video, _ in uploads)
    (folder / "playlist_items.json").write_text(json.dumps(playlists), encoding="ascii")
    (folder / "videos.json").write_text(json.dumps(listed), encoding="ascii")


def _upload(vid: str, published: str | datetime, **fields) -> tuple[dict, str]:
    stamp = published if isinstance(published, str) else published.strftime("%Y-%m-%dT%H:%M:%SZ")
    video = video_resource(vid, channel_id=channel_id(0), **fields)
    video["snippet"]["publishedAt"] = stamp
    return video, stamp


def _rejected(db_url: str) -> dict[tuple[str, str, str], int]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                rejected_items.c.source,
                rejected_items.c.item_key,
                rejected_items.c.reason,
                rejected_items.c.times_seen,
            )
        )
        return {(source, key, reason): times for source, key, reason, times in rows}


def test_a_hostile_upload_is_set_aside_and_the_cursor_moves_on(tmp_path, monkeypatch):
    allow_only_loopback(monkeypatch)
    db_url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    folder = write_youtube_snapshot(tmp_path / "snapshot", [3, 2])
    hour = timedelta(hours=1)
    _add_uploads(
        folder,
        [
            _upload(FUTURE, "9999-12-31T23:59:59Z"),
            _upload(YEAR_ONE, "0001-01-01T00:00:00+05:00"),
            _upload(ABSURD, upload_time(0) + 2 * hour, duration="P99999999999999D"),
            _upload(NUL_TITLE, upload_time(0) + hour, title="Bad\x00 title \ud800"),
        ],
    )
    with FakeYouTubeServer(folder) as server:
        first = _run(server, tmp_path, db_url)
    assert first.success
    meta = _metadata(first)
    assert meta["videos_inserted"] == 3 + 2 + 2
    assert meta["rejected_api_items"] == {"time_in_future": 1, "time_out_of_range": 1}
    assert meta["skipped_api_items"] == {
        "time_in_future": 1,
        "time_out_of_range": 1,
        "title_repaired": 1,
        "duration_out_of_range": 1,
    }
    assert _rejected(db_url) == {
        ("youtube", FUTURE, "time_in_future"): 1,
        ("youtube", YEAR_ONE, "time_out_of_range"): 1,
    }
    rows = {r[0]: r for r in _tables(db_url)["videos"]}
    assert FUTURE not in rows and YEAR_ONE not in rows
    assert rows[NUL_TITLE][1] == "Bad title \ufffd"
    assert rows[ABSURD][5] is None  # duration_s: unknown, not 10**18 s

    # A newer upload arrives: the cursor stands at the newest plausible upload, so it is found.
    _add_uploads(folder, [_upload(NEWER, upload_time(0) + 3 * hour)])
    with FakeYouTubeServer(folder) as server:
        second = _run(server, tmp_path, db_url)
        asked = [
            i
            for r in server.api_requests("videos")
            if "id" in r.query
            for i in r.query["id"][0].split(",")
        ]
    assert second.success
    assert _metadata(second)["videos_inserted"] == 1
    assert NEWER in {r[0] for r in _tables(db_url)["videos"]}
    assert sorted(asked) == sorted([NEWER, FUTURE, YEAR_ONE])  # the bad ones are asked again ...
    assert _rejected(db_url)[("youtube", FUTURE, "time_in_future")] == 2  # ... and counted again


def test_takeout_and_api_rejections_are_written_together(tmp_path, monkeypatch):
    allow_only_loopback(monkeypatch)
    db_url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    folder = write_youtube_snapshot(tmp_path / "snapshot", [2])
    _add_uploads(folder, [_upload(FUTURE, "9999-12-31T23:59:59Z")])
    watched = [
        {
            "header": "YouTube",
            "title": f"Watched Video {vid}",
            "titleUrl": f"https://www.youtube.com/watch?v={vid}",
            "time": stamp,
        }
        for vid, stamp in [
            (video_id(0, 0), "2024-06-02T10:00:00Z"),
            ("watchFuture", "9999-01-01T00:00:00Z"),
        ]
    ]
    (tmp_path / "watch-history.json").write_text(json.dumps(watched), encoding="utf-8")
    with FakeYouTubeServer(folder) as server:
        result = _run(server, tmp_path, db_url, takeout_path="watch-history.json")
    assert result.success
    meta = _metadata(result)
    assert meta["rejected_api_items"] == {"time_in_future": 1}
    assert meta["rejected_takeout_items"] == {"time_in_future": 1}
    assert meta["rejected_items_written"] == 2
    assert _rejected(db_url) == {
        ("youtube", FUTURE, "time_in_future"): 1,
        ("takeout", "watchFuture", "time_in_future"): 1,
    }
    assert [r[0] for r in _tables(db_url)["watch_history"]] == [video_id(0, 0)]


GONE = "goneVideo01"  # deleted or private: the fake server does not know it


def _asked_ids(server) -> list[str]:
    return [
        vid
        for r in server.api_requests("videos")
        if "id" in r.query
        for vid in r.query["id"][0].split(",")
    ]


def _undescribable(db_url: str) -> dict[str, int]:
    with make_engine(db_url).connect() as conn:
        rows = conn.execute(
            select(undescribable_videos.c.video_id, undescribable_videos.c.times_checked)
        )
        return dict(map(tuple, rows))


def test_a_video_the_api_cannot_describe_is_not_asked_for_again(tmp_path, monkeypatch):
    allow_only_loopback(monkeypatch)
    db_url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    folder = write_youtube_snapshot(tmp_path / "snapshot", [2])
    watched = [
        {
            "header": "YouTube",
            "title": f"Watched {vid}",
            "titleUrl": f"https://www.youtube.com/watch?v={vid}",
            "time": "2024-06-02T10:00:00Z",
        }
        for vid in (video_id(0, 0), GONE)
    ]
    (tmp_path / "watch-history.json").write_text(json.dumps(watched), encoding="utf-8")
    only_takeout = {
        "ops": {"youtube_videos": {"config": {"subscriptions": False, "ratings": False}}}
    }
    with FakeYouTubeServer(folder) as server:
        first = _run(server, tmp_path, db_url, "watch-history.json", only_takeout)
        assert first.success
        assert sorted(_asked_ids(server)) == sorted([video_id(0, 0), GONE])
        meta = _metadata(first)
        assert meta["skipped_api_items"] == {"not_found": 1}
        assert (meta["skipped_known_undescribable"], meta["undescribable_recorded"]) == (0, 1)
        assert _undescribable(db_url) == {GONE: 1}

        server.requests.clear()
        second = _run(server, tmp_path, db_url, "watch-history.json", only_takeout)
        assert second.success
        assert _asked_ids(server) == []  # the described video is stored, the gone one known
        meta = _metadata(second)
        assert (meta["skipped_known_undescribable"], meta["api_quota_units"]) == (1, 0)
        assert _undescribable(db_url) == {GONE: 1}

        server.requests.clear()
        recheck = {"ops": {"youtube_videos": {"config": {
            **only_takeout["ops"]["youtube_videos"]["config"], "recheck_undescribable_days": 0
        }}}}  # fmt: skip
        third = _run(server, tmp_path, db_url, "watch-history.json", recheck)
        assert third.success and _asked_ids(server) == [GONE]
        assert _metadata(third)["skipped_known_undescribable"] == 0
        assert _undescribable(db_url) == {GONE: 2}
    # the Takeout's own line for it is still kept as a file-only video
    assert GONE in {r[0] for r in _tables(db_url)["videos"]}
