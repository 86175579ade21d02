"""Hostile YouTube Data API pages: every one is refused with a YouTubeApiError or read with its
bad items counted, and what is accepted the store takes. Never a raw traceback.

The corpus is ``tests/hostile/youtube_api/`` (see :mod:`tests.hostile`): ``videos.list`` pages
as they arrive on the wire. Each is served by the fake Google server on 127.0.0.1 and read by
the real client library and :class:`YouTubeFetcher` with a fixed clock (so the page is decoded
by :class:`ApiJsonModel`, its items found by :func:`page_items` and checked by
:func:`parse_video_items`); the accepted videos and the rejections are then written in one
transaction to a fresh SQLite database, as the ``youtube_videos`` asset writes them.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from tests.harness.fake_youtube_server import (
    FakeYouTubeServer,
    allow_only_loopback,
    write_token,
    write_youtube_snapshot,
)
from tests.hostile import corpus_cases
from vrdndi_pipeline.core.records import is_channel_id
from vrdndi_pipeline.core.sources.youtube.items import (
    REJECTION_REASONS,
    YouTubeFetch,
    page_items,
    parse_video_items,
)
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.quarantine import record_rejections
from vrdndi_pipeline.core.store.schema import rejected_items, videos
from vrdndi_pipeline.core.store.source_tables import write_videos
from vrdndi_pipeline.core.validation import (
    MAX_DESCRIPTION_CHARS,
    MAX_NAME_CHARS,
    MAX_TITLE_CHARS,
    MAX_VIDEO_SECONDS,
    YOUTUBE_EPOCH,
)
from vrdndi_pipeline.resources.youtube.errors import YouTubeApiError
from vrdndi_pipeline.resources.youtube.fetch import ApiJsonModel, YouTubeFetcher
from vrdndi_pipeline.resources.youtube.source import YouTubeApi

NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)
CASES = corpus_cases("youtube_api")
ASKED = ["dQw4w9WgXcQ"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeYouTubeServer]:
    folder = write_youtube_snapshot(tmp_path_factory.mktemp("youtube_snapshot"), [])
    with FakeYouTubeServer(folder) as fake:
        yield fake


def _fetcher(server: FakeYouTubeServer, tmp_path: Path) -> YouTubeFetcher:
    """The fetcher ``YouTubeApi`` runs, on the service it builds, with the clock at NOW."""
    api = YouTubeApi(
        api_endpoint=server.url,
        token_uri=server.token_url,
        token_file=str(write_token(tmp_path / "token.json")),
        client_secret_file=str(tmp_path / "client_secret.json"),
    )
    return YouTubeFetcher(api._build_service(), sleep=lambda _: None, clock=lambda: NOW)


def _parse(raw: bytes) -> YouTubeFetch:
    """The page read as the fetcher reads it, without the server: decoded, items, parsed."""
    counts: Counter[str] = Counter()
    items = page_items(ApiJsonModel().deserialize(raw), counts)
    fetch = parse_video_items(items, "lookup", now=NOW)
    return fetch.merge(YouTubeFetch(skipped=dict(counts)))


def test_the_corpus_is_broad_and_small() -> None:
    assert len(CASES) >= 15
    assert {case["outcome"] for _, case in CASES} == {"error", "skipped"}
    assert all(path.stat().st_size < 64_000 for path, _ in CASES)


@pytest.mark.parametrize(("path", "case"), CASES, ids=[path.name for path, _ in CASES])
def test_a_hostile_page(
    path: Path,
    case: dict[str, Any],
    sqlite_engine: Engine,
    server: FakeYouTubeServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    allow_only_loopback(monkeypatch)
    server.requests.clear()
    server.reply_next("videos", path.read_bytes())
    if case["outcome"] == "error":
        with pytest.raises(YouTubeApiError, match=case["match"]):
            with write_transaction(sqlite_engine) as conn:  # as the asset does: fetch, then write
                fetch = _fetcher(server, tmp_path).rated_videos("like")
                write_videos(conn, fetch.videos, NOW)
        assert len(server.api_requests("videos")) == 1  # a retry cannot fix it
        with read_transaction(sqlite_engine) as conn:
            assert conn.execute(select(func.count()).select_from(videos)).scalar_one() == 0
        return

    fetch = _fetcher(server, tmp_path).rated_videos("like")
    assert fetch.skipped == case["counts"]
    assert len(fetch.videos) == case["accepted"]
    assert_rejections_match_counts(fetch)
    assert_videos_are_clean(fetch)

    with write_transaction(sqlite_engine) as conn:
        written = write_videos(conn, fetch.videos, NOW)
        record_rejections(conn, "youtube", fetch.rejections, NOW)
    with read_transaction(sqlite_engine) as conn:
        rows = conn.execute(select(videos)).mappings().all()
        quarantined = conn.execute(
            select(rejected_items.c.item_key, rejected_items.c.reason, rejected_items.c.times_seen)
        ).all()
    assert written.inserted == len(rows) == len(fetch.videos)
    by_id = {v.video_id: v for v in fetch.videos}
    for row in rows:
        video = by_id[row["video_id"]]
        assert (row["title"], row["description"], row["duration_s"], row["published_at"]) == (
            video.title,
            video.description,
            video.duration_s,
            video.published_at,
        )
    assert sum(times for _, _, times in quarantined) == len(fetch.rejections)
    assert {(key, reason) for key, reason, _ in quarantined} == {
        (r.key, r.reason) for r in fetch.rejections
    }


def assert_rejections_match_counts(fetch: YouTubeFetch) -> None:
    rejected = {r: n for r, n in fetch.skipped.items() if r in REJECTION_REASONS}
    assert len(fetch.rejections) == sum(rejected.values())
    assert all(r.key and r.reason in rejected for r in fetch.rejections)


def assert_videos_are_clean(fetch: YouTubeFetch) -> None:
    for video in fetch.videos:
        assert video.duration_s is None or 0 <= video.duration_s <= MAX_VIDEO_SECONDS
        assert video.published_at is None or (
            YOUTUBE_EPOCH <= video.published_at <= NOW + timedelta(days=1)
        )
        assert video.channel_id is None or is_channel_id(video.channel_id)
        texts = [
            (video.title, MAX_TITLE_CHARS, False),
            (video.channel_title, MAX_NAME_CHARS, False),
            (video.description, MAX_DESCRIPTION_CHARS, True),
            *((tag, MAX_NAME_CHARS, False) for tag in video.tags),
        ]
        for text, limit, newlines in texts:
            if text is None:
                continue
            text.encode("utf-8")  # no lone surrogate
            assert len(text) <= limit
            allowed = {"\t", "\n", "\r"} if newlines else set()
            assert all(unicodedata.category(c) != "Cc" or c in allowed for c in text)


def test_the_corpus_repairs_are_what_a_reader_expects() -> None:
    folder = CASES[0][0].parent
    texts = _parse((folder / "text-nul-and-lone-surrogates.json").read_bytes())
    titles = {v.video_id: v.title for v in texts.videos}
    assert titles["nulinside00"] == "AB"
    assert titles["surrogate00"] == "\ufffdlone"
    assert titles["escapes0000"] == "[2J]0;pwned title"
    assert titles["rtlandzwj00"] == "\u202eRTL\u202c and \u200d kept"  # format characters stay
    durations = _parse((folder / "duration-overflow.json").read_bytes())
    assert {v.video_id: v.duration_s for v in durations.videos} == {
        "days14digit": None,
        "seconds5000": None,
        "nineweeksxx": None,
        "negativexxx": None,
        "numberxxxxx": None,
        "livestream0": 0,
        "monthlong00": MAX_VIDEO_SECONDS,
        "nodetails00": None,
    }
    tags = _parse((folder / "tags-not-strings.json").read_bytes())
    assert {v.video_id: len(v.tags) for v in tags.videos} == {
        "tagsmixed00": 1,
        "tagsstring0": 0,
        "tagsobject0": 0,
        "tagsmany000": 100,
        "tagsnul0000": 2,
    }
