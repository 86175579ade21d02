"""youtube_videos through the real client library against a local fake of Google's API."""

from pathlib import Path

import dagster as dg
from sqlalchemy import select

from tests.fake_youtube_server import (
    QUOTA_EXCEEDED,
    FakeYouTubeServer,
    allow_only_loopback,
    video_id,
    video_resource,
    write_token,
    write_youtube_snapshot,
)
from vrdndi_pipeline.assets.youtube_videos import youtube_videos
from vrdndi_pipeline.core.store.database import make_engine
from vrdndi_pipeline.core.store.schema import video_ratings, videos, watch_history
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.takeout import TakeoutWatchHistory
from vrdndi_pipeline.resources.youtube import YouTubeApi

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


def _run(server, tmp_path, db_url, takeout_path="absent.json"):
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
    return dg.materialize([youtube_videos], resources=resources, raise_on_error=False)


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


def test_a_spent_quota_fails_at_once_and_writes_nothing(tmp_path, monkeypatch):
    allow_only_loopback(monkeypatch)
    db_url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    snapshot = _snapshot(tmp_path / "snapshot")
    with FakeYouTubeServer(snapshot) as server:
        assert _run(server, tmp_path, db_url).success
    before = _tables(db_url)

    # New uploads and a new like arrive, but the quota runs out on the last request.
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
    assert _tables(db_url) == before


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
