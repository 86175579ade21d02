"""YouTubeApi with the real client library against a fake Google server on 127.0.0.1."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import httplib2
import pytest
from googleapiclient.errors import HttpError

from tests.harness import free_port
from tests.harness.fake_youtube_server import (
    BACKEND_ERROR,
    QUOTA_EXCEEDED,
    RATE_LIMITED,
    FakeYouTubeServer,
    allow_only_loopback,
    channel_id,
    google_error,
    upload_time,
    video_id,
    video_resource,
    write_token,
    write_youtube_snapshot,
)
from vrdndi_pipeline.demo.youtube_snapshot import SnapshotHttp, YouTubeSnapshotRouter
from vrdndi_pipeline.resources.youtube.errors import (
    YouTubeApiError,
    YouTubeAuthError,
    YouTubeError,
    YouTubeQuotaExceeded,
    quota_reset_at,
)
from vrdndi_pipeline.resources.youtube.fetch import YouTubeFetcher
from vrdndi_pipeline.resources.youtube.source import YouTubeApi, YouTubeSnapshot, YouTubeSource

# 55 subscriptions (two pages of subscriptions and channels): channel 0 has 130 uploads (three
# pages of playlist items), channels 1-54 one each: 184 videos, four videos.list batches.
UPLOADS = [130] + [1] * 54
LIKED = [video_id(0, n) for n in range(120)]
DISLIKED = [video_id(1, 0), video_id(2, 0)]


def _ids(query: dict[str, list[str]]) -> list[str]:
    return query["id"][-1].split(",")


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    allow_only_loopback(monkeypatch)


@pytest.fixture
def snapshot_dir(tmp_path: Path) -> Path:
    ratings = {"like": LIKED, "dislike": DISLIKED}
    return write_youtube_snapshot(tmp_path / "youtube", UPLOADS, ratings=ratings)


@pytest.fixture
def server(snapshot_dir: Path) -> Iterator[FakeYouTubeServer]:
    with FakeYouTubeServer(snapshot_dir) as fake:
        yield fake


def _api(server: FakeYouTubeServer, tmp_path: Path, **overrides: object) -> YouTubeApi:
    token = write_token(tmp_path / "youtube_token.json")
    settings: dict[str, object] = {
        "api_endpoint": server.url,
        "token_uri": server.token_url,
        "token_file": str(token),
        "client_secret_file": str(tmp_path / "client_secret.json"),
        "backoff_seconds": 0.01,
    }
    return YouTubeApi(**{**settings, **overrides})


# -- the happy paths ---------------------------------------------------------------------------


def test_subscription_uploads_pages_through_everything(server, tmp_path) -> None:
    fetch = _api(server, tmp_path).subscription_uploads({})

    expected = [video_id(0, n) for n in range(130)] + [video_id(c, 0) for c in range(1, 55)]
    assert [v.video_id for v in fetch.videos] == expected
    assert {v.source for v in fetch.videos} == {"subscription"}
    assert fetch.videos[0].channel_id == channel_id(0)
    assert fetch.videos[0].published_at == upload_time(0)
    assert fetch.skipped == {}

    assert len(server.api_requests("subscriptions")) == 2
    assert len(server.api_requests("channels")) == 2
    assert len(server.api_requests("playlistItems")) == 3 + 54
    videos = server.api_requests("videos")
    assert [len(_ids(r.query)) for r in videos] == [50, 50, 50, 34]
    asked = [i for r in videos for i in _ids(r.query)]
    assert asked == expected  # each id once, in order
    for request in server.api_requests():
        assert request.query["maxResults"] == ["50"]
    assert all(r.query["mine"] == ["true"] for r in server.api_requests("subscriptions"))
    assert fetch.requests == fetch.quota_units == len(server.api_requests()) == 65


def test_channels_without_cutoff_get_at_most_max_pages(server, tmp_path) -> None:
    fetch = _api(server, tmp_path, max_upload_pages_per_channel=2).subscription_uploads({})
    assert len([v for v in fetch.videos if v.channel_id == channel_id(0)]) == 100
    channel0 = [
        r
        for r in server.api_requests("playlistItems")
        if "UU" + channel_id(0)[2:] in r.query["playlistId"]
    ]
    assert len(channel0) == 2


def test_cutoffs_stop_paging_and_filter(server, tmp_path) -> None:
    cutoffs = {channel_id(c): upload_time(0) for c in range(1, 55)}  # nothing new there
    cutoffs[channel_id(0)] = upload_time(30)  # uploads 0-29 are newer
    fetch = _api(server, tmp_path).subscription_uploads(cutoffs)

    assert [v.video_id for v in fetch.videos] == [video_id(0, n) for n in range(30)]
    playlist_requests = server.api_requests("playlistItems")
    # Channel 0: page 1 has new uploads, page 2 has none, so no page 3; the others: one page.
    assert len(playlist_requests) == 2 + 54
    assert [len(_ids(r.query)) for r in server.api_requests("videos")] == [30]


def test_no_new_uploads_asks_no_video_details(server, tmp_path) -> None:
    cutoffs = {channel_id(c): upload_time(0) for c in range(55)}
    fetch = _api(server, tmp_path).subscription_uploads(cutoffs)
    assert fetch.videos == ()
    assert server.api_requests("videos") == []
    assert fetch.requests == 2 + 2 + 55


@pytest.mark.parametrize(
    ("rating", "source", "expected"), [("like", "liked", LIKED), ("dislike", "disliked", DISLIKED)]
)
def test_rated_videos_are_paginated(server, tmp_path, rating, source, expected) -> None:
    fetch = _api(server, tmp_path).rated_videos(rating)
    assert [v.video_id for v in fetch.videos] == expected
    assert {v.source for v in fetch.videos} == {source}
    requests = server.api_requests("videos")
    assert all(r.query["myRating"] == [rating] for r in requests)
    assert len(requests) == fetch.requests == (3 if rating == "like" else 1)
    assert "pageToken" not in requests[0].query
    assert all("pageToken" in r.query for r in requests[1:])


def test_video_details_are_batched_deduplicated_and_ordered(server, tmp_path) -> None:
    wanted = [video_id(0, n) for n in range(130)]
    ids = wanted[:70] + wanted[:10] + ["not-an-id!", "zzzzzzzzzzz"] + wanted[70:]
    fetch = _api(server, tmp_path).video_details(ids, "lookup")

    assert [v.video_id for v in fetch.videos] == wanted
    batches = [_ids(r.query) for r in server.api_requests("videos")]
    assert all(len(b) <= 50 for b in batches)
    assert [i for b in batches for i in b] == wanted[:70] + ["zzzzzzzzzzz"] + wanted[70:]
    assert fetch.skipped == {"invalid_video_id": 1, "not_found": 1}
    assert fetch.requests == fetch.quota_units == 3


def test_incomplete_items_are_counted_and_text_round_trips(tmp_path) -> None:
    titles = ["家族 😀👨‍👩‍👧", "مرحبا — שלום", '<script>alert("x")</script>']
    no_snippet = {
        "kind": "youtube#video",
        "id": "nosnippet00",
        "contentDetails": {"duration": "PT1M"},
    }
    extra = [
        no_snippet,
        video_resource("nodetails00", duration=None),
        video_resource("badduration", duration="1:00"),
        video_resource("livestream0", duration="P0D"),
        *(video_resource(f"unicode{n:04d}", title=t, description=t) for n, t in enumerate(titles)),
    ]
    folder = write_youtube_snapshot(tmp_path / "yt", [], extra_videos=extra)
    ids = [item["id"] for item in extra]
    with FakeYouTubeServer(folder) as server:
        fetch = _api(server, tmp_path).video_details(ids, "lookup")

    by_id = {v.video_id: v for v in fetch.videos}
    assert set(by_id) == set(ids) - {"nosnippet00"}
    assert by_id["nodetails00"].duration_s is None
    assert by_id["badduration"].duration_s is None
    assert by_id["livestream0"].duration_s == 0
    assert fetch.skipped == {"missing_snippet": 1, "missing_duration": 1, "bad_duration": 1}
    assert [by_id[f"unicode{n:04d}"].title for n in range(3)] == titles
    assert [by_id[f"unicode{n:04d}"].description for n in range(3)] == titles


def test_snapshot_gives_the_same_videos_as_the_api(server, snapshot_dir, tmp_path) -> None:
    api = _api(server, tmp_path)
    snapshot = YouTubeSnapshot(snapshot_dir=str(snapshot_dir))
    assert isinstance(snapshot, YouTubeSource) and isinstance(api, YouTubeSource)
    cutoffs = {channel_id(0): upload_time(70)}
    for call in (
        lambda s: s.subscription_uploads(cutoffs),
        lambda s: s.rated_videos("like"),
        lambda s: s.video_details([video_id(3, 0), video_id(0, 5)], "lookup"),
    ):
        from_api, from_snapshot = call(api), call(snapshot)
        assert from_snapshot.videos == from_api.videos
        assert from_snapshot.skipped == from_api.skipped
        assert from_snapshot.requests == from_api.requests


def test_resources_do_nothing_until_called(tmp_path) -> None:
    missing = tmp_path / "nowhere" / "token.json"
    api = YouTubeApi(token_file=str(missing), api_endpoint="http://127.0.0.1:9")
    with pytest.raises(YouTubeAuthError, match="vrdndi auth youtube") as raised:
        api.rated_videos("like")
    assert str(missing) in str(raised.value)
    with pytest.raises(YouTubeError, match="No YouTube snapshot folder"):
        YouTubeSnapshot(snapshot_dir=str(tmp_path / "nothing")).rated_videos("like")


# -- failures ----------------------------------------------------------------------------------


def test_one_503_is_retried_and_the_result_is_complete(server, tmp_path) -> None:
    server.fail_next(503, BACKEND_ERROR)
    fetch = _api(server, tmp_path).rated_videos("like")
    assert [v.video_id for v in fetch.videos] == LIKED
    requests = server.api_requests("videos")
    assert len(requests) == 4
    assert requests[0].query == requests[1].query  # the failed page asked again
    assert fetch.requests == fetch.quota_units == 4


def test_rate_limit_403_is_retried(server, tmp_path) -> None:
    server.fail_next(403, RATE_LIMITED, times=2)
    fetch = _api(server, tmp_path).rated_videos("dislike")
    assert [v.video_id for v in fetch.videos] == DISLIKED
    assert len(server.api_requests("videos")) == 3


def test_quota_exceeded_stops_after_one_request(server, tmp_path) -> None:
    server.fail_always(403, QUOTA_EXCEEDED)
    with pytest.raises(YouTubeQuotaExceeded) as raised:
        _api(server, tmp_path).subscription_uploads({})
    assert len(server.api_requests()) == 1
    message = str(raised.value)
    assert "daily quota" in message and "midnight Pacific" in message
    assert "Google Cloud console" in message and "subscriptions.list" in message


def test_server_errors_forever_give_up_after_max_retries(server, tmp_path) -> None:
    server.fail_always(503, BACKEND_ERROR)
    with pytest.raises(YouTubeApiError) as raised:
        _api(server, tmp_path, max_retries=3).rated_videos("like")
    assert len(server.api_requests()) == 4
    assert raised.value.status == 503
    assert "videos.list" in str(raised.value) and "503" in str(raised.value)


def test_unreachable_server_is_retried_then_reported(tmp_path) -> None:
    api = YouTubeApi(
        api_endpoint=f"http://127.0.0.1:{free_port()}",
        token_file=str(write_token(tmp_path / "token.json")),
        token_uri="http://127.0.0.1:9/token",
        max_retries=2,
        backoff_seconds=0.01,
    )
    with pytest.raises(YouTubeApiError, match="failed 3 times, last with no response"):
        api.rated_videos("like")


def test_forbidden_is_an_auth_error(server, tmp_path) -> None:
    server.fail_always(403, google_error(403, "forbidden", "Access forbidden."))
    with pytest.raises(YouTubeAuthError, match="vrdndi auth youtube"):
        _api(server, tmp_path).rated_videos("like")
    assert len(server.api_requests()) == 1


def test_other_client_errors_carry_the_api_message(server, tmp_path) -> None:
    server.fail_next(400, google_error(400, "invalidParameter", "Invalid value 'x'."))
    with pytest.raises(
        YouTubeApiError, match=r"HTTP 400 \(invalidParameter\): Invalid value 'x'"
    ) as raised:
        _api(server, tmp_path).rated_videos("like")
    assert raised.value.reasons == ("invalidParameter",)
    assert len(server.api_requests()) == 1


def test_stale_access_token_is_refreshed_at_the_local_token_endpoint(server, tmp_path) -> None:
    server.access_token = "only-this-token-is-valid"
    fetch = _api(server, tmp_path).rated_videos("dislike")
    assert [v.video_id for v in fetch.videos] == DISLIKED
    assert [r["grant_type"] for r in server.token_requests] == ["refresh_token"]
    assert server.api_requests("videos")[0].query == server.api_requests("videos")[1].query


def test_revoked_token_is_an_auth_error(server, tmp_path) -> None:
    server.access_token = "only-this-token-is-valid"
    write_token(tmp_path / "revoked.json", refresh_token="revoked")
    api = _api(server, tmp_path)
    api = YouTubeApi(**{**api.model_dump(), "token_file": str(tmp_path / "revoked.json")})
    with pytest.raises(YouTubeAuthError, match="vrdndi auth youtube"):
        api.rated_videos("like")


def test_uploads_playlist_missing_is_counted_not_fatal(tmp_path) -> None:
    folder = write_youtube_snapshot(tmp_path / "yt", [2, 3])
    playlists = json.loads((folder / "playlist_items.json").read_text())
    del playlists["UU" + channel_id(0)[2:]]
    (folder / "playlist_items.json").write_text(json.dumps(playlists))
    with FakeYouTubeServer(folder) as server:
        fetch = _api(server, tmp_path).subscription_uploads({})
    assert [v.video_id for v in fetch.videos] == [video_id(1, n) for n in range(3)]
    assert fetch.skipped == {"uploads_playlist_not_found": 1}


# -- the retry schedule, without a server ------------------------------------------------------


class _FailingRequest:
    methodId = "youtube.videos.list"

    def __init__(self, failures: list[tuple[int, bytes]]) -> None:
        self.failures = failures
        self.calls = 0

    def execute(self, num_retries: int) -> dict:
        assert num_retries == 0  # retries are ours, not the library's
        self.calls += 1
        if self.failures:
            status, body = self.failures.pop(0)
            raise HttpError(httplib2.Response({"status": str(status)}), body)
        return {"items": []}


def test_backoff_is_exponential_with_small_jitter() -> None:
    delays: list[float] = []
    fetcher = YouTubeFetcher(
        None, max_retries=4, backoff_seconds=1.0, sleep=delays.append, rng=random.Random(7)
    )
    body = json.dumps(BACKEND_ERROR).encode()
    request = _FailingRequest([(503, body), (500, body), (429, b"{}"), (504, b"not json")])
    assert fetcher._execute(request) == {"items": []}
    assert request.calls == 5
    assert [int(d) for d in delays] == [1, 2, 4, 8]
    assert all(0 <= d - 2**n <= 0.1 * 2**n for n, d in enumerate(delays))
    assert (fetcher.requests, fetcher.quota_units) == (5, 5)


def test_quota_reset_is_next_pacific_midnight() -> None:
    from datetime import UTC, datetime

    reset = quota_reset_at(datetime(2024, 7, 1, 6, 59, tzinfo=UTC))  # 23:59 PDT on June 30
    assert reset.astimezone(UTC) == datetime(2024, 7, 1, 7, 0, tzinfo=UTC)
    reset = quota_reset_at(datetime(2024, 1, 15, 9, 0, tzinfo=UTC))  # 01:00 PST
    assert reset.astimezone(UTC) == datetime(2024, 1, 16, 8, 0, tzinfo=UTC)


# -- the snapshot router speaks the API's protocol ---------------------------------------------


def test_router_refuses_more_than_50_ids_like_the_api(snapshot_dir) -> None:
    router = YouTubeSnapshotRouter(snapshot_dir)
    ids = ",".join(video_id(0, n) for n in range(51))
    status, body = router.handle("GET", "/youtube/v3/videos", {"part": ["snippet"], "id": [ids]})
    assert status == 400
    assert body["error"]["code"] == 400
    assert body["error"]["errors"][0]["reason"] == "invalidFilters"


@pytest.mark.parametrize(
    ("path", "query", "status", "reason"),
    [
        ("/youtube/v3/search", {"part": ["snippet"]}, 404, "notFound"),
        ("/youtube/v3/videos", {"id": ["x"]}, 400, "required"),
        (
            "/youtube/v3/videos",
            {"part": ["id"], "myRating": ["like"], "maxResults": ["51"]},
            400,
            "invalidParameter",
        ),
        (
            "/youtube/v3/videos",
            {"part": ["id"], "myRating": ["like"], "pageToken": ["??"]},
            400,
            "invalidPageToken",
        ),
        ("/youtube/v3/videos", {"part": ["id"]}, 400, "missingRequiredParameter"),
        (
            "/youtube/v3/playlistItems",
            {"part": ["id"], "playlistId": ["UUnope"]},
            404,
            "playlistNotFound",
        ),
    ],
)
def test_router_errors_have_the_api_shape(snapshot_dir, path, query, status, reason) -> None:
    code, body = YouTubeSnapshotRouter(snapshot_dir).handle("GET", path, query)
    assert code == status == body["error"]["code"]
    assert body["error"]["errors"][0]["reason"] == reason
    assert body["error"]["message"]


def test_router_pages_and_trims_parts(snapshot_dir) -> None:
    router = YouTubeSnapshotRouter(snapshot_dir)
    query = {"part": ["contentDetails"], "myRating": ["like"], "maxResults": ["50"]}
    status, first = router.handle("GET", "/youtube/v3/videos", query)
    assert status == 200
    assert first["pageInfo"] == {"totalResults": 120, "resultsPerPage": 50}
    assert set(first["items"][0]) == {"kind", "etag", "id", "contentDetails"}
    _, last = router.handle(
        "GET", "/youtube/v3/videos", {**query, "pageToken": [first["nextPageToken"]]}
    )
    _, last = router.handle(
        "GET", "/youtube/v3/videos", {**query, "pageToken": [last["nextPageToken"]]}
    )
    assert len(last["items"]) == 20 and "nextPageToken" not in last
    _, default = router.handle("GET", "/youtube/v3/videos", {"part": ["id"], "myRating": ["like"]})
    assert len(default["items"]) == 5  # the API's default maxResults


def test_snapshot_http_handles_the_long_uri_post(snapshot_dir) -> None:
    http = SnapshotHttp(YouTubeSnapshotRouter(snapshot_dir))
    response, content = http.request(
        "https://youtube.googleapis.com/youtube/v3/videos",
        "POST",
        body=f"part=snippet&id={video_id(0, 1)}",
        headers={"x-http-method-override": "GET"},
    )
    assert response.status == 200
    assert json.loads(content)["items"][0]["id"] == video_id(0, 1)


# -- replies that are not what the API promises ------------------------------------------------


@pytest.fixture
def small_server(tmp_path: Path) -> Iterator[FakeYouTubeServer]:
    folder = write_youtube_snapshot(
        tmp_path / "small", [3, 1], ratings={"like": [video_id(0, 0)], "dislike": []}
    )
    with FakeYouTubeServer(folder) as fake:
        yield fake


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Sign in to the hotel Wi-Fi</body></html>",
        b'{"items": [',
        b"",
        b"\xff\xfe{}",
        b"[" * 100_000,
    ],
    ids=["html", "truncated", "empty", "not-utf8", "nested-too-deep"],
)
def test_a_reply_that_is_not_json_fails_at_once_with_the_fix(small_server, tmp_path, body):
    small_server.reply_next("videos", body)
    with pytest.raises(YouTubeApiError, match="not JSON") as raised:
        _api(small_server, tmp_path).rated_videos("like")
    assert "VRDNDI_YOUTUBE_API_ENDPOINT" in str(raised.value)
    assert len(small_server.api_requests("videos")) == 1  # not retried: a retry cannot fix it


@pytest.mark.parametrize(
    ("page", "counts"),
    [
        ({"items": "not a list"}, {"items_not_a_list": 1}),
        ([{"items": []}], {"page_not_an_object": 1}),
        ("a JSON string", {"page_not_an_object": 1}),
        ({"items": [], "nextPageToken": 7}, {"bad_page_token": 1}),
        ({"items": [], "nextPageToken": ["x"]}, {"bad_page_token": 1}),
        ({"items": [], "nextPageToken": "t" * 5000}, {"bad_page_token": 1}),
        ({"items": [[], 5, None]}, {"not_an_object": 3}),
    ],
)
def test_rated_pages_of_the_wrong_shape_are_counted(small_server, tmp_path, page, counts):
    small_server.reply_next("videos", page)
    fetch = _api(small_server, tmp_path).rated_videos("like")
    assert fetch.videos == ()
    assert fetch.skipped == counts
    assert fetch.requests == 1


def test_a_page_token_that_comes_again_ends_the_listing(small_server, tmp_path):
    page = {"items": [video_resource(video_id(0, 0))], "nextPageToken": "again"}
    small_server.reply_next("videos", page, times=3)
    fetch = _api(small_server, tmp_path).rated_videos("like")
    assert fetch.skipped == {"repeated_page_token": 1}
    assert fetch.requests == 2


def test_a_5000_digit_number_is_read_and_rejected_not_fatal(small_server, tmp_path):
    huge = b"9" * 5000
    good = json.dumps(video_resource(video_id(0, 0))).encode()
    body = b'{"items": [{"id": ' + huge + b', "snippet": {"title": ' + huge + b"}}, " + good
    small_server.reply_next("videos", body + b'], "pageInfo": {"totalResults": ' + huge + b"}}")
    fetch = _api(small_server, tmp_path).rated_videos("like")
    assert [v.video_id for v in fetch.videos] == [video_id(0, 0)]
    assert fetch.skipped == {"invalid_video_id": 1}
    assert [r.key for r in fetch.rejections] == ["item 0"]


def test_hostile_items_in_video_details_are_rejected_and_named(small_server, tmp_path):
    future = video_resource(video_id(0, 1))
    future["snippet"]["publishedAt"] = "9999-12-31T23:59:59Z"
    unasked = video_resource("unasked0000")
    small_server.reply_next("videos", {"items": [video_resource(video_id(0, 0)), future, unasked]})
    fetch = _api(small_server, tmp_path).video_details(
        [video_id(0, 0), video_id(0, 1), video_id(0, 2)], "lookup"
    )
    assert [v.video_id for v in fetch.videos] == [video_id(0, 0)]
    # The future-dated video was returned (so it is not "not_found") and set aside.
    assert fetch.skipped == {"time_in_future": 1, "unexpected_video": 1, "not_found": 1}
    assert [(r.key, r.reason) for r in fetch.rejections] == [(video_id(0, 1), "time_in_future")]


def test_subscriptions_channels_and_playlist_items_of_the_wrong_shape_are_counted(
    small_server, tmp_path
):
    good = {"snippet": {"resourceId": {"channelId": channel_id(0)}}}
    small_server.reply_next(
        "subscriptions",
        {
            "items": [
                good,
                {"snippet": "a string"},
                {"snippet": {"resourceId": ["x"]}},
                {"snippet": {"resourceId": {"channelId": "UC" + "x" * 500}}},
                {"snippet": {"resourceId": {"channelId": {"id": channel_id(1)}}}},
                7,
            ]
        },
    )
    small_server.reply_next(
        "channels",
        {
            "items": [
                {
                    "id": channel_id(0),
                    "contentDetails": {"relatedPlaylists": {"uploads": "UU" + channel_id(0)[2:]}},
                },
                {"id": channel_id(5), "contentDetails": {"relatedPlaylists": {"uploads": "UUx"}}},
                {"id": ["list"], "contentDetails": {}},
                {
                    "id": channel_id(0),
                    "contentDetails": {"relatedPlaylists": {"uploads": "../../x"}},
                },
            ]
        },
    )
    small_server.reply_next(
        "playlistItems",
        {
            "items": [
                {
                    "contentDetails": {
                        "videoId": video_id(0, 0),
                        "videoPublishedAt": "2024-06-01T12:00:00Z",
                    }
                },
                {"id": "no details"},
                {"contentDetails": ["a list"]},
                {"contentDetails": {"videoId": 12345}},
                "not an object",
            ],
            "nextPageToken": {"not": "text"},
        },
    )
    fetch = _api(small_server, tmp_path).subscription_uploads({})
    assert [v.video_id for v in fetch.videos] == [video_id(0, 0)]
    assert fetch.skipped == {
        "malformed_subscription": 5,
        "malformed_channel": 3,
        "playlist_item_without_video": 4,
        "bad_page_token": 1,
    }


def test_a_cursor_past_tomorrow_is_ignored_so_new_uploads_are_found(small_server, tmp_path):
    from datetime import UTC, datetime

    cutoffs = {channel_id(0): datetime(9999, 1, 1, tzinfo=UTC), channel_id(1): upload_time(0)}
    fetch = _api(small_server, tmp_path).subscription_uploads(cutoffs)
    assert [v.video_id for v in fetch.videos] == [video_id(0, n) for n in range(3)]
    assert fetch.skipped == {"future_cursor_ignored": 1}


def test_a_future_dated_playlist_item_does_not_keep_the_paging_going(small_server, tmp_path):
    future = {
        "contentDetails": {"videoId": video_id(0, 0), "videoPublishedAt": "9999-01-01T00:00:00Z"}
    }
    small_server.reply_next("playlistItems", {"items": [future], "nextPageToken": "more"})
    cutoffs = {channel_id(0): upload_time(0), channel_id(1): upload_time(0)}
    fetch = _api(small_server, tmp_path).subscription_uploads(cutoffs)
    # Its id is asked for (videos.list then checks the video's own publishedAt), but a time
    # past tomorrow is no reason to read the next page.
    assert [v.video_id for v in fetch.videos] == [video_id(0, 0)]
    assert len(small_server.api_requests("playlistItems")) == 2  # one page per channel


@pytest.mark.parametrize(
    "body",
    [
        {"error": {"code": 400, "message": 5, "errors": [{"reason": ["x"]}, {"reason": 3}]}},
        {"error": {"code": 400, "message": "\x1b[2J" + "m" * 10_000, "errors": "none"}},
        {"error": "flat"},
    ],
)
def test_hostile_error_bodies_still_give_a_clear_error(small_server, tmp_path, body):
    small_server.reply_next("videos", body, status=400)
    with pytest.raises(
        YouTubeApiError, match=r"videos\.list (failed with HTTP 400|answered)"
    ) as raised:
        _api(small_server, tmp_path).rated_videos("like")
    assert "\x1b" not in str(raised.value) and len(str(raised.value)) < 600


# -- transport: the bearer token never travels in clear ----------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://youtube.googleapis.com",
        "https://proxy.example:8443/base",
        "http://127.0.0.1:8080",
        "http://127.8.0.1",
        "http://localhost:9000",
        "http://LOCALHOST",
        "http://[::1]:8080",
    ],
)
def test_https_or_loopback_endpoints_are_accepted(url) -> None:
    assert YouTubeApi(api_endpoint=url, token_uri=url).api_endpoint == url


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://youtube.googleapis.com", "plain http to youtube.googleapis.com"),
        ("http://192.168.1.5:8080", "plain http to 192.168.1.5"),
        ("http://0.0.0.0:8080", "plain http to 0.0.0.0"),
        ("http://localhost.evil.example", "plain http to localhost.evil.example"),
        ("ftp://example.com", "is not an https:// URL"),
        ("youtube.googleapis.com", "is not an https:// URL"),
        ("https://", "is not an https:// URL"),
        ("http://[::1", "is not an https:// URL"),
    ],
)
def test_other_endpoints_are_refused_naming_the_setting(url, problem) -> None:
    with pytest.raises(ValueError, match="VRDNDI_YOUTUBE_API_ENDPOINT") as raised:
        YouTubeApi(api_endpoint=url)
    message = str(raised.value)
    assert problem in message and "Use an https:// URL" in message
    with pytest.raises(ValueError, match="token_uri"):
        YouTubeApi(token_uri=url)


def test_an_endpoint_from_an_environment_variable_is_checked_when_the_run_builds_it(
    tmp_path, monkeypatch
) -> None:
    import dagster as dg

    monkeypatch.setenv("VRDNDI_TEST_ENDPOINT", "http://youtube.example")

    @dg.asset
    def liked(youtube: YouTubeApi) -> None:
        youtube.rated_videos("like")

    api = YouTubeApi(api_endpoint=dg.EnvVar("VRDNDI_TEST_ENDPOINT"))  # a name: not checked yet
    result = dg.materialize([liked], resources={"youtube": api}, raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "RESOURCE_INIT_FAILURE"]
    message = str(failure.event_specific_data.error)
    assert "VRDNDI_YOUTUBE_API_ENDPOINT='http://youtube.example' is plain http" in message
