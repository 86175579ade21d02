"""YouTube Data API v3 answered from bundled JSON files, for the demo and for tests.

:class:`YouTubeSnapshotRouter` answers the four GET endpoints the pipeline uses, with the
API's pagination, its ``maxResults`` and 50-id limits and its JSON error bodies.
:class:`SnapshotHttp` puts it behind the ``httplib2.Http`` interface, like
``googleapiclient.http.HttpMock``, so the demo runs the real client library and the real
fetcher. The test suite serves the same router over HTTP on 127.0.0.1.

Files in ``data_dir`` (a missing file is an empty one):
``subscriptions.json`` (list of youtube#subscription), ``channels.json`` (list of
youtube#channel with ``contentDetails.relatedPlaylists.uploads``), ``playlist_items.json``
(playlist id → list of youtube#playlistItem, newest first), ``videos.json`` (list of
youtube#video) and ``ratings.json`` (``{"like": [ids], "dislike": [ids]}``).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import logging
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httplib2

logger = logging.getLogger(__name__)

API_PREFIX = "/youtube/v3/"
MAX_RESULTS = 50
DEFAULT_MAX_RESULTS = 5  # what the API uses when maxResults is not given
ALWAYS_INCLUDED = ("kind", "etag", "id")

Query = Mapping[str, list[str]]
Answer = tuple[int, dict[str, Any]]


class ApiError(Exception):
    """An error answer, raised inside the router and turned into the API's JSON shape."""

    def __init__(self, code: int, reason: str, message: str, *, location: str | None = None):
        super().__init__(message)
        self.code, self.reason, self.message, self.location = code, reason, message, location

    def body(self) -> dict[str, Any]:
        domain = "global" if self.code != 400 else "youtube.parameter"
        detail: dict[str, Any] = {"message": self.message, "domain": domain, "reason": self.reason}
        if self.location:
            detail.update(location=self.location, locationType="parameter")
        status = {400: "INVALID_ARGUMENT", 404: "NOT_FOUND", 405: "INVALID_ARGUMENT"}
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "errors": [detail],
                "status": status.get(self.code, "UNKNOWN"),
            }
        }


def _etag(value: object) -> str:
    return hashlib.sha1(json.dumps(value, sort_keys=True).encode()).hexdigest()[:27]


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix == "offset" and number.isdigit():
            return int(number)
    except ValueError:
        pass
    raise ApiError(400, "invalidPageToken", "The request specifies an invalid page token.")


def _param(query: Query, name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def _max_results(query: Query) -> int:
    raw = _param(query, "maxResults")
    if raw is None:
        return DEFAULT_MAX_RESULTS
    if not raw.isdigit() or int(raw) > MAX_RESULTS:
        raise ApiError(
            400,
            "invalidParameter",
            f"Invalid value '{raw}'. Values must be within the range: [0, {MAX_RESULTS}]",
            location="maxResults",
        )
    return int(raw)


def _id_list(query: Query) -> list[str]:
    ids = [v for v in (_param(query, "id") or "").split(",") if v]
    if len(ids) > MAX_RESULTS:
        raise ApiError(400, "invalidFilters", "The request specifies an invalid filter parameter.")
    return list(dict.fromkeys(ids))


class YouTubeSnapshotRouter:
    """Answers YouTube Data API v3 list requests from the JSON files in ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)

    def _load(self, name: str, empty: Any) -> Any:
        path = self.data_dir / name
        if not path.is_file():
            return empty
        return json.loads(path.read_text(encoding="utf-8"))

    @cached_property
    def subscriptions(self) -> list[dict[str, Any]]:
        return self._load("subscriptions.json", [])

    @cached_property
    def channels(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self._load("channels.json", [])}

    @cached_property
    def playlist_items(self) -> dict[str, list[dict[str, Any]]]:
        return self._load("playlist_items.json", {})

    @cached_property
    def videos(self) -> dict[str, dict[str, Any]]:
        return {v["id"]: v for v in self._load("videos.json", []) if "id" in v}

    @cached_property
    def ratings(self) -> dict[str, list[str]]:
        return self._load("ratings.json", {})

    def handle(self, method: str, path: str, query: Query) -> Answer:
        """``(status, JSON body)`` for one request, errors in the API's own shape."""
        routes: dict[str, Callable[[Query], dict[str, Any]]] = {
            "subscriptions": self._subscriptions,
            "channels": self._channels,
            "playlistItems": self._playlist_items,
            "videos": self._videos,
        }
        name = path.rstrip("/").removeprefix(API_PREFIX) if path.startswith(API_PREFIX) else None
        try:
            if name not in routes:
                raise ApiError(404, "notFound", "Method not found.")
            if method.upper() != "GET":
                raise ApiError(405, "methodNotAllowed", f"{method} is not supported here.")
            if not _param(query, "part"):
                raise ApiError(400, "required", "Required parameter: part", location="part")
            return 200, routes[name](query)
        except ApiError as error:
            return error.code, error.body()

    def _listing(self, kind: str, items: list[dict[str, Any]], query: Query) -> dict[str, Any]:
        """One page of ``items``, with only the requested parts of each."""
        parts = set((_param(query, "part") or "").split(",")) | set(ALWAYS_INCLUDED)
        size = _max_results(query)
        start = _offset(_param(query, "pageToken"))
        page = [{k: v for k, v in item.items() if k in parts} for item in items[start:][:size]]
        body: dict[str, Any] = {"kind": kind, "etag": _etag([kind, start, page])}
        if size and start + size < len(items):
            body["nextPageToken"] = _page_token(start + size)
        if start > 0:
            body["prevPageToken"] = _page_token(max(0, start - size))
        body["pageInfo"] = {"totalResults": len(items), "resultsPerPage": size}
        body["items"] = page
        return body

    def _subscriptions(self, query: Query) -> dict[str, Any]:
        if _param(query, "mine") != "true":
            raise ApiError(400, "invalidFilters", "The snapshot answers only mine=true.")
        return self._listing("youtube#subscriptionListResponse", self.subscriptions, query)

    def _channels(self, query: Query) -> dict[str, Any]:
        found = [self.channels[i] for i in _id_list(query) if i in self.channels]
        return self._listing("youtube#channelListResponse", found, query)

    def _playlist_items(self, query: Query) -> dict[str, Any]:
        playlist_id = _param(query, "playlistId")
        if playlist_id not in self.playlist_items:
            raise ApiError(
                404,
                "playlistNotFound",
                "The playlist identified with the request's <code>playlistId</code> "
                "parameter cannot be found.",
                location="playlistId",
            )
        items = self.playlist_items[playlist_id]
        return self._listing("youtube#playlistItemListResponse", items, query)

    def _videos(self, query: Query) -> dict[str, Any]:
        rating = _param(query, "myRating")
        has_ids = _param(query, "id") is not None
        if rating is not None and has_ids:
            raise ApiError(
                400,
                "incompatibleParameters",
                "The request specifies two or more parameters that cannot be used in the "
                "same request.",
            )
        if rating is not None:
            if rating not in ("like", "dislike"):
                raise ApiError(
                    400, "invalidParameter", f"Invalid value '{rating}'.", location="myRating"
                )
            ids = self.ratings.get(rating, [])
        elif has_ids:
            ids = _id_list(query)
        else:
            raise ApiError(
                400,
                "missingRequiredParameter",
                "No filter selected. Expected one of: myRating, chart, id",
            )
        found = [self.videos[i] for i in ids if i in self.videos]
        return self._listing("youtube#videoListResponse", found, query)


class SnapshotHttp:
    """An ``httplib2.Http`` stand-in that answers from a :class:`YouTubeSnapshotRouter`."""

    def __init__(self, router: YouTubeSnapshotRouter) -> None:
        self.router = router

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        redirections: int = httplib2.DEFAULT_MAX_REDIRECTS,
        connection_type: Any = None,
    ) -> tuple[httplib2.Response, bytes]:
        parts = urlsplit(uri)
        query = parse_qs(parts.query, keep_blank_values=True)
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        # googleapiclient turns a GET with a URI over 2048 characters into this POST.
        override = lowered.get("x-http-method-override")
        if method.upper() == "POST" and override:
            method = override
            text = body.decode("utf-8") if isinstance(body, bytes) else (body or "")
            query.update(parse_qs(text, keep_blank_values=True))
        status, payload = self.router.handle(method, parts.path, query)
        response = httplib2.Response(
            {"status": str(status), "content-type": "application/json; charset=UTF-8"}
        )
        response.reason = http.client.responses.get(status, "")
        return response, json.dumps(payload, ensure_ascii=False).encode("utf-8")

    def close(self) -> None:
        """Nothing to close (the interface asks for it)."""
