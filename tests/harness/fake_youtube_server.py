"""A local stand-in for Google's servers, so tests run the real client library offline.

``FakeYouTubeServer`` listens on 127.0.0.1 on a free port and answers
``/youtube/v3/...`` from a :class:`YouTubeSnapshotRouter`, ``/token`` like Google's OAuth token
endpoint and ``/auth`` like its consent screen (approving at once). Queued faults are served
before the router, and every request is logged to assert on::

    with FakeYouTubeServer(tmp_path) as server:
        server.fail_next(503, BACKEND_ERROR)
        ...
        assert server.api_paths() == ["/youtube/v3/videos", "/youtube/v3/videos"]
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from vrdndi_pipeline.demo.youtube_snapshot import YouTubeSnapshotRouter


def google_error(code: int, reason: str, message: str, domain: str = "global") -> dict[str, Any]:
    """An error body in the shape Google's APIs send."""
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }


# As the YouTube Data API sends them.
QUOTA_EXCEEDED = google_error(
    403,
    "quotaExceeded",
    'The request cannot be completed because you have exceeded your <a href="/youtube/v3/'
    'getting-started#quota">quota</a>.',
    domain="youtube.quota",
)
BACKEND_ERROR = google_error(503, "backendError", "The service is currently unavailable.")
RATE_LIMITED = google_error(403, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits")
INVALID_CREDENTIALS = google_error(401, "authError", "Invalid Credentials")


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]


class FakeYouTubeServer:
    """Google's YouTube API, OAuth token and consent endpoints, on 127.0.0.1."""

    def __init__(self, data_dir: Path, *, access_token: str | None = None) -> None:
        self.router = YouTubeSnapshotRouter(data_dir)
        # When set, API requests must carry "Authorization: Bearer <access_token>".
        self.access_token = access_token
        self.requests: list[LoggedRequest] = []
        self.token_requests: list[dict[str, str]] = []
        self._faults: deque[tuple[int, dict[str, Any] | bytes]] = deque()
        self._always: tuple[int, dict[str, Any]] | None = None
        self._replies: dict[str, deque[tuple[int, Any]]] = {}
        self._lock = threading.Lock()
        self._issued = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start the server with `with FakeYouTubeServer(...)`"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    def fail_next(self, status: int, body: dict[str, Any] | bytes, times: int = 1) -> None:
        """Answer the next ``times`` API requests with ``status`` and ``body`` (an object sent
        as JSON, or bytes sent as they are: a reply that is not JSON)."""
        with self._lock:
            self._faults.extend([(status, body)] * times)

    def reply_next(self, endpoint: str, body: object, *, status: int = 200, times: int = 1) -> None:
        """Answer the next ``times`` requests to ``/youtube/v3/<endpoint>`` with ``body`` (any
        JSON value, or bytes sent as they are) instead of the snapshot's answer."""
        with self._lock:
            self._replies.setdefault(f"/youtube/v3/{endpoint}", deque()).extend(
                [(status, body)] * times
            )

    def fail_always(self, status: int, body: dict[str, Any]) -> None:
        with self._lock:
            self._always = (status, body)

    def api_requests(self, endpoint: str | None = None) -> list[LoggedRequest]:
        """Logged ``/youtube/v3/`` requests, all or those of one endpoint (``"videos"``)."""
        with self._lock:
            logged = list(self.requests)
        return [
            r
            for r in logged
            if r.path.startswith("/youtube/v3/")
            and (endpoint is None or r.path == f"/youtube/v3/{endpoint}")
        ]

    def api_paths(self) -> list[str]:
        return [r.path for r in self.api_requests()]

    def __enter__(self) -> FakeYouTubeServer:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- answers -----------------------------------------------------------------------------

    def answer(
        self, method: str, path: str, query: dict[str, list[str]], auth: str | None
    ) -> tuple[int, Any]:
        with self._lock:
            self.requests.append(LoggedRequest(method, path, query))
            if path == "/token":
                return self._token(query)
            if path == "/auth":
                return self._consent(query)
            if self._faults:
                return self._faults.popleft()
            if self._replies.get(path):
                return self._replies[path].popleft()
            if self._always is not None:
                return self._always
            if self.access_token is not None and auth != f"Bearer {self.access_token}":
                return 401, INVALID_CREDENTIALS
        return self.router.handle(method, path, query)

    def _token(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        fields = {k: v[-1] for k, v in form.items()}
        self.token_requests.append(fields)
        grant = fields.get("grant_type")
        if grant not in ("refresh_token", "authorization_code"):
            return 400, {"error": "unsupported_grant_type"}
        if grant == "refresh_token" and fields.get("refresh_token") == "revoked":
            return 400, {"error": "invalid_grant", "error_description": "Token has been revoked."}
        token = f"fake-access-{next(self._issued)}"
        if self.access_token is not None:  # the API accepts only the newest token
            self.access_token = token
        body: dict[str, Any] = {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}
        body["scope"] = "https://www.googleapis.com/auth/youtube.readonly"
        if grant == "authorization_code":
            body["refresh_token"] = "fake-refresh-from-code"
        return 200, body

    def _consent(self, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        redirect = query["redirect_uri"][-1]
        location = f"{redirect}?{urlencode({'code': 'fake-code', 'state': query['state'][-1]})}"
        return 302, {"location": location}


def _json_bytes(payload: Any) -> bytes:
    try:
        return json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: sent escaped (as \ud800), as JSON allows
        return json.dumps(payload).encode("ascii")


def _handler_for(fake: FakeYouTubeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, so shutdown never waits on an idle keep-alive.
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            self._serve(b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._serve(self.rfile.read(length))

        def _serve(self, body: bytes) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            method = self.command
            if method == "POST":  # a form: the token endpoint, or a long GET sent as POST
                query.update(parse_qs(body.decode("utf-8"), keep_blank_values=True))
                method = self.headers.get("X-HTTP-Method-Override") or method
            status, payload = fake.answer(
                method, parts.path, query, self.headers.get("Authorization")
            )
            if status == 302:
                self.send_response(302)
                self.send_header("Location", payload["location"])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = payload if isinstance(payload, bytes) else _json_bytes(payload)
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest output quiet; the request log is in ``fake.requests``

    return Handler


# -- fixture files -------------------------------------------------------------------------------

SCOPE = "https://www.googleapis.com/auth/youtube.readonly"


def write_token(
    path: Path,
    *,
    token: str = "fake-access-0",
    refresh_token: str = "fake-refresh",
    expiry: datetime | None = None,
) -> Path:
    """An authorised-user token JSON, as ``Credentials.to_json()`` writes it.

    ``expiry`` defaults to an hour from now (not expired). google-auth ignores a ``token_uri``
    in this file, so tests pass ``token_uri=server.token_url`` to the code instead.
    """
    expiry = expiry or datetime.now(UTC) + timedelta(hours=1)
    info = {
        "token": token,
        "refresh_token": refresh_token,
        "token_uri": "http://127.0.0.1:9/token-ignored-by-google-auth",
        "client_id": "fake-client.apps.googleusercontent.com",
        "client_secret": "fake-secret",
        "scopes": [SCOPE],
        "expiry": expiry.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z",
    }
    path.write_text(json.dumps(info), encoding="utf-8")
    return path


def video_resource(
    video_id: str,
    *,
    title: str | None = None,
    channel_id: str = "UCchannel000000000000000",
    published_at: datetime | None = None,
    duration: str | None = "PT4M13S",
    description: str = "",
    tags: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A ``youtube#video`` resource with snippet and contentDetails."""
    published = (published_at or datetime(2024, 1, 1, tzinfo=UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    snippet: dict[str, Any] = {
        "publishedAt": published,
        "channelId": channel_id,
        "title": title if title is not None else f"Video {video_id}",
        "description": description,
        "channelTitle": f"Channel {channel_id[-4:]}",
        "categoryId": "27",
    }
    if tags:
        snippet["tags"] = list(tags)
    item: dict[str, Any] = {
        "kind": "youtube#video",
        "etag": "e",
        "id": video_id,
        "snippet": snippet,
    }
    if duration is not None:
        item["contentDetails"] = {"duration": duration, "dimension": "2d", "definition": "hd"}
    return item


def channel_id(n: int) -> str:
    return f"UC{n:022d}"


def video_id(channel: int, n: int) -> str:
    return f"v{channel:04d}_{n:05d}"


def upload_time(n: int) -> datetime:
    """When upload ``n`` of a channel was published: upload 0 is the newest."""
    return datetime(2024, 6, 1, 12, tzinfo=UTC) - timedelta(hours=n)


def write_youtube_snapshot(
    folder: Path,
    uploads_per_channel: list[int],
    *,
    ratings: dict[str, list[str]] | None = None,
    extra_videos: Sequence[dict[str, Any]] = (),
) -> Path:
    """Snapshot files for channels ``0..len-1``; channel ``c`` has ``uploads_per_channel[c]``
    uploads ``video_id(c, 0..)`` (newest first, one an hour before the previous one)."""
    folder.mkdir(parents=True, exist_ok=True)
    subscriptions: list[dict[str, Any]] = []
    channels: list[dict[str, Any]] = []
    playlists: dict[str, list[dict[str, Any]]] = {}
    videos: list[dict[str, Any]] = []
    for c, count in enumerate(uploads_per_channel):
        subscriptions.append(
            {
                "kind": "youtube#subscription",
                "id": f"sub{c}",
                "snippet": {
                    "title": f"Channel {c}",
                    "resourceId": {"kind": "youtube#channel", "channelId": channel_id(c)},
                },
            }
        )
        uploads = f"UU{channel_id(c)[2:]}"
        channels.append(
            {
                "kind": "youtube#channel",
                "id": channel_id(c),
                "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": uploads}},
            }
        )
        playlists[uploads] = []
        for n in range(count):
            vid, published = video_id(c, n), upload_time(n)
            stamp = published.strftime("%Y-%m-%dT%H:%M:%SZ")
            playlists[uploads].append(
                {
                    "kind": "youtube#playlistItem",
                    "id": f"pi-{vid}",
                    "snippet": {"title": f"Video {vid}", "publishedAt": stamp},
                    "contentDetails": {"videoId": vid, "videoPublishedAt": stamp},
                }
            )
            videos.append(video_resource(vid, channel_id=channel_id(c), published_at=published))
    files = {
        "subscriptions.json": subscriptions,
        "channels.json": channels,
        "playlist_items.json": playlists,
        "videos.json": videos + list(extra_videos),
        "ratings.json": ratings or {"like": [], "dislike": []},
    }
    for name, content in files.items():
        (folder / name).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return folder


def allow_only_loopback(monkeypatch: Any) -> None:
    """Make any name lookup other than 127.0.0.1 / localhost fail (nothing may reach Google)."""
    real_getaddrinfo = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", b"127.0.0.1", b"localhost"):
            raise AssertionError(f"a test tried to reach {host!r}; only 127.0.0.1 is allowed")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
