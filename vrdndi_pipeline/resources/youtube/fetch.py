"""New uploads, rated videos and video details from the YouTube Data API v3.

Why the uploads playlist and not `search.list`: the issue asks for an incremental fetch "with
`publishedAfter`". `search.list(channelId=..., publishedAfter=...)` does that in one call
per channel, but costs 100 quota units a call; the default 10,000 units a day would allow 100
channel searches, fewer than many people's subscriptions, and nothing else. Every channel's
uploads also sit in its "uploads" playlist, newest first, and `playlistItems.list` costs 1
unit a page of 50. So we apply the `publishedAfter` cutoff ourselves: page through the
playlist until a page holds nothing newer than the channel's cutoff, keep the ids newer than
it, and ask `videos.list` (1 unit per 50 ids) for their details. A refresh of 200
subscriptions costs about 4 + 200 + (new videos / 50) units instead of 20,000.

Every HTTP request goes through :meth:`YouTubeFetcher._execute`, which retries what a retry can
fix (5xx, 429, rate limits, dropped connections) and stops at once on what it cannot (the daily
quota, missing authorisation, a bad request).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httplib2
from google.auth import exceptions as auth_exceptions
from googleapiclient.errors import HttpError
from googleapiclient.model import JsonModel

from vrdndi_pipeline.core.records import Rating, VideoSource, is_channel_id, is_video_id
from vrdndi_pipeline.core.sources.youtube.items import (
    YouTubeFetch,
    page_items,
    parse_published_at,
    parse_video_items,
)
from vrdndi_pipeline.core.validation import FUTURE_MARGIN, terminal_text
from vrdndi_pipeline.resources.youtube.errors import (
    AUTH_REASONS,
    PACIFIC,
    QUOTA_REASONS,
    RATE_LIMIT_REASONS,
    RETRY_STATUSES,
    YouTubeApiError,
    YouTubeAuthError,
    YouTubeError,
    YouTubeQuotaExceeded,
    error_message,
    error_reasons,
    quota_message,
)

logger = logging.getLogger(__name__)

MAX_RESULTS = 50  # the API's largest page and largest id list
# No listing the user can have is longer (50,000 items); a server that pages on is not YouTube.
MAX_PAGES = 1000
# Integers with more digits are read as floats (int() refuses 4,300 digits and more).
MAX_INT_DIGITS = 1000
PLAYLIST_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{2,64}$")
NOT_JSON_FIX = (
    "Is VRDNDI_YOUTUBE_API_ENDPOINT set to something other than the YouTube Data API, or is a "
    "proxy or captive portal answering? Unset it to use Google's, or check the network, then "
    "run again."
)


def _json_int(text: str) -> int | float:
    return int(text) if len(text) <= MAX_INT_DIGITS else float(text)


class ApiJsonModel(JsonModel):
    """googleapiclient's JSON model, stricter about what a reply is.

    A reply that is not JSON (or not UTF-8) raises `ValueError` instead of being handed on as
    text, and an integer too long for `int()` is read as a float instead of failing the page.
    """

    def deserialize(self, content: bytes | str) -> Any:
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        return json.loads(text, parse_int=_json_int)


def _unreadable(endpoint: str, what: str, error: BaseException) -> YouTubeApiError:
    cause = terminal_text(error)[:200]
    return YouTubeApiError(f"{endpoint} answered with {what} ({cause}). {NOT_JSON_FIX}")


def _endpoint(request: Any) -> str:
    method_id = getattr(request, "methodId", None)  # "youtube.videos.list"
    return method_id.removeprefix("youtube.") if method_id else "YouTube API"


def _batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _path(value: object, *keys: str) -> object:
    """`value[k1][k2]...` through JSON objects; None where one is missing or not an object."""
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    # A hashable answer only: a list or object where text belongs is as good as missing.
    return None if isinstance(value, list | Mapping) else value


class YouTubeFetcher:
    """Calls of the YouTube Data API v3 on a `googleapiclient` youtube v3 Resource built with
    `model=ApiJsonModel()`.

    `requests` and `quota_units` count every HTTP attempt (a failed request costs quota too).
    Replies are checked, never trusted: a page, item or page token of the wrong shape is counted
    in the result's `skipped` and passed over; only a reply that is not JSON at all fails.
    """

    def __init__(
        self,
        service: Any,
        *,
        max_retries: int = 5,
        backoff_seconds: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        max_upload_pages_per_channel: int = 4,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, not {max_retries}")
        self._service = service
        self._max_retries = max_retries
        self._backoff_seconds = backoff_seconds
        self._sleep = sleep
        self._max_upload_pages = max_upload_pages_per_channel
        self._rng = rng or random.Random()
        self._clock = clock or (lambda: datetime.now(PACIFIC))
        self.requests = 0
        self.quota_units = 0

    # -- one request -------------------------------------------------------------------------

    def _execute(self, request: Any) -> Any:
        """The decoded reply of `request`: any JSON value (the service is built with
        :class:`ApiJsonModel`, so a reply that is not JSON raises instead)."""
        endpoint = _endpoint(request)
        for attempt in range(self._max_retries + 1):
            self.requests += 1
            self.quota_units += 1
            try:
                reply = request.execute(num_retries=0)
            except (ValueError, RecursionError) as error:  # see ApiJsonModel
                raise _unreadable(endpoint, "something that is not JSON", error) from error
            except (AttributeError, TypeError) as error:  # an error body of the wrong shape
                raise _unreadable(endpoint, "an error of the wrong shape", error) from error
            except HttpError as error:
                status, reasons = error.resp.status, error_reasons(error)
                if QUOTA_REASONS & set(reasons):
                    raise YouTubeQuotaExceeded(quota_message(endpoint, self._clock())) from error
                retryable = status in RETRY_STATUSES or bool(RATE_LIMIT_REASONS & set(reasons))
                if not retryable:
                    raise self._refusal(endpoint, status, reasons, error) from error
                failure = f"HTTP {status} {','.join(reasons)}".strip()
                last: BaseException = error
            except auth_exceptions.RefreshError as error:
                raise YouTubeAuthError(
                    f"Google refused to refresh the YouTube token ({error}); "
                    "run `vrdndi auth youtube` to authorise again."
                ) from error
            except (OSError, httplib2.ServerNotFoundError, auth_exceptions.TransportError) as error:
                # TimeoutError, ConnectionError, ssl.SSLError are OSErrors.
                status, reasons, failure, last = None, [], f"no response ({error!r})", error
            else:
                return reply
            if attempt < self._max_retries:
                delay = self._backoff_seconds * 2**attempt
                delay += self._rng.uniform(0, 0.1 * delay)
                logger.warning(
                    "%s failed (%s); retry %d of %d in %.2f s",
                    endpoint,
                    failure,
                    attempt + 1,
                    self._max_retries,
                    delay,
                )
                self._sleep(delay)
        raise YouTubeApiError(
            f"{endpoint} failed {self._max_retries + 1} times, last with {failure}. "
            "Google's servers or the network are having trouble: wait a few minutes and run "
            "again (raise max_retries / backoff_seconds if this keeps happening).",
            status=status,
            reasons=reasons,
        ) from last

    @staticmethod
    def _refusal(endpoint: str, status: int, reasons: list[str], error: HttpError) -> YouTubeError:
        message = error_message(error)
        if status == 401 or (status == 403 and (not reasons or AUTH_REASONS & set(reasons))):
            return YouTubeAuthError(
                f"{endpoint} refused the YouTube token (HTTP {status}: {message}); "
                "run `vrdndi auth youtube` to authorise again."
            )
        hint = ""
        if "accessNotConfigured" in reasons:
            hint = " Enable the YouTube Data API v3 for this project in the Google Cloud console."
        return YouTubeApiError(
            f"{endpoint} failed with HTTP {status} ({', '.join(reasons) or 'no reason'}): "
            f"{message}.{hint}",
            status=status,
            reasons=reasons,
        )

    def _pages(
        self, make_request: Callable[[str | None], Any], skipped: Counter[str]
    ) -> Iterator[object]:
        """Every page of a listing; a bad or repeated `nextPageToken` ends it, counted."""
        token: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            page = self._execute(make_request(token))
            yield page
            token = self._next_token(page, seen, skipped)
            if token is None:
                return
        skipped["page_limit_reached"] += 1

    @staticmethod
    def _next_token(page: object, seen: set[str], skipped: Counter[str]) -> str | None:
        token = page.get("nextPageToken") if isinstance(page, Mapping) else None
        if token is None or token == "":
            return None
        if not isinstance(token, str) or len(token) > 1000:
            skipped["bad_page_token"] += 1
            return None
        if token in seen:
            skipped["repeated_page_token"] += 1
            return None
        seen.add(token)
        return token

    def _fetch(self, start: tuple[int, int], result: YouTubeFetch) -> YouTubeFetch:
        """`result` with the requests made since `start` and without zero counts."""
        return YouTubeFetch(
            videos=result.videos,
            skipped={reason: n for reason, n in result.skipped.items() if n > 0},
            requests=self.requests - start[0],
            quota_units=self.quota_units - start[1],
            rejections=result.rejections,
            not_found=result.not_found,
        )

    def _now(self) -> datetime:
        return self._clock().astimezone(UTC)

    # -- endpoints ---------------------------------------------------------------------------

    def subscribed_channels(self, skipped: Counter[str] | None = None) -> list[str]:
        """Ids of the channels the authorised user subscribes to, in the API's order.

        A subscription without a well-formed channel id is counted (`malformed_subscription`).
        """
        skipped = Counter() if skipped is None else skipped
        subscriptions = self._service.subscriptions()
        channel_ids: list[str] = []
        for page in self._pages(
            lambda token: subscriptions.list(
                part="snippet", mine=True, maxResults=MAX_RESULTS, pageToken=token
            ),
            skipped,
        ):
            for item in page_items(page, skipped):
                channel_id = _path(item, "snippet", "resourceId", "channelId")
                if is_channel_id(channel_id):
                    channel_ids.append(channel_id)
                else:
                    skipped["malformed_subscription"] += 1
        logger.info("%d subscribed channels", len(channel_ids))
        return _unique(channel_ids)

    def uploads_playlists(
        self, channel_ids: Sequence[str], skipped: Counter[str] | None = None
    ) -> dict[str, str]:
        """Channel id → id of its "uploads" playlist; unknown channels are left out, and a
        channel item of the wrong shape (or one not asked for) is counted
        (`malformed_channel`)."""
        skipped = Counter() if skipped is None else skipped
        channels = self._service.channels()
        ids = _unique(channel_ids)
        uploads: dict[str, str] = {}
        for number, batch in enumerate(_batches(ids, MAX_RESULTS), start=1):
            page = self._execute(
                channels.list(part="contentDetails", id=",".join(batch), maxResults=MAX_RESULTS)
            )
            for item in page_items(page, skipped):
                channel_id = _path(item, "id")
                playlist = _path(item, "contentDetails", "relatedPlaylists", "uploads")
                if (
                    isinstance(channel_id, str)
                    and channel_id in batch
                    and isinstance(playlist, str)
                    and PLAYLIST_ID_PATTERN.fullmatch(playlist)
                ):
                    uploads[channel_id] = playlist
                else:
                    skipped["malformed_channel"] += 1
            logger.info("uploads playlists: channel batch %d (%d channels)", number, len(batch))
        return uploads

    def _new_uploads(
        self, channel_id: str, playlist_id: str, cutoff: datetime | None, skipped: Counter[str]
    ) -> list[str]:
        items_api = self._service.playlistItems()
        latest_plausible = self._now() + FUTURE_MARGIN
        found: list[str] = []
        token: str | None = None
        seen: set[str] = set()
        pages = 0
        while pages < MAX_PAGES:
            try:
                page = self._execute(
                    items_api.list(
                        part="contentDetails",
                        playlistId=playlist_id,
                        maxResults=MAX_RESULTS,
                        pageToken=token,
                    )
                )
            except YouTubeApiError as error:
                if error.status != 404:
                    raise
                skipped["uploads_playlist_not_found"] += 1  # a channel without uploads
                break
            pages += 1
            any_newer = False
            for item in page_items(page, skipped):
                video_id = _path(item, "contentDetails", "videoId")
                published = parse_published_at(_path(item, "contentDetails", "videoPublishedAt"))
                if not isinstance(video_id, str) or not is_video_id(video_id):
                    skipped["playlist_item_without_video"] += 1
                    continue
                # Private or deleted uploads have no videoPublishedAt; videos.list drops them.
                if cutoff is None or published is None or published > cutoff:
                    found.append(video_id)
                    # A time past tomorrow is no reason to read on; videos.list rejects it.
                    any_newer = any_newer or (
                        published is not None and published <= latest_plausible
                    )
            token = self._next_token(page, seen, skipped)
            if not token or (cutoff is not None and not any_newer):
                break
            if cutoff is None and pages >= self._max_upload_pages:
                break
        else:
            skipped["page_limit_reached"] += 1
        logger.info("channel %s: %d new uploads in %d pages", channel_id, len(found), pages)
        return found

    def _cutoff(self, cutoff: object, skipped: Counter[str]) -> datetime | None:
        """A stored cursor as an aware time; one past tomorrow (a future-dated upload stored
        before validation) is ignored, so the channel's newest uploads are read again."""
        if not isinstance(cutoff, datetime):
            return None
        if cutoff.tzinfo is None:
            cutoff = cutoff.replace(tzinfo=UTC)
        if cutoff > self._now() + FUTURE_MARGIN:
            skipped["future_cursor_ignored"] += 1
            return None
        return cutoff

    def subscription_uploads(self, published_after: Mapping[str, datetime]) -> YouTubeFetch:
        """Uploads of every subscribed channel newer than that channel's cutoff, with details.

        A channel missing from `published_after`, or whose cutoff lies past tomorrow, gets its
        newest `max_upload_pages_per_channel` pages of uploads.
        """
        start = (self.requests, self.quota_units)
        skipped: Counter[str] = Counter()
        channel_ids = self.subscribed_channels(skipped)
        uploads = self.uploads_playlists(channel_ids, skipped)
        skipped["channel_not_found"] += len(set(channel_ids) - set(uploads))
        new_ids: list[str] = []
        for channel_id, playlist_id in uploads.items():
            cutoff = self._cutoff(published_after.get(channel_id), skipped)
            new_ids.extend(self._new_uploads(channel_id, playlist_id, cutoff, skipped))
        listing = self._fetch(start, YouTubeFetch(skipped=dict(skipped)))
        return listing.merge(self.videos_by_id(new_ids, source="subscription"))

    def videos_by_id(self, video_ids: Iterable[str], source: VideoSource) -> YouTubeFetch:
        """Details of the given videos, asked 50 at a time; duplicates asked once, order kept.

        Malformed ids are not sent (`invalid_video_id`); ids the API does not return
        (deleted, private) are counted as `not_found` and listed in
        :attr:`YouTubeFetch.not_found`, videos it returns unasked as `unexpected_video` (and
        left out).
        """
        start = (self.requests, self.quota_units)
        videos_api = self._service.videos()
        unique = _unique(video_ids)
        valid = [v for v in unique if is_video_id(v)]
        skipped = Counter({"invalid_video_id": len(unique) - len(valid)})
        result = YouTubeFetch()
        for number, batch in enumerate(_batches(valid, MAX_RESULTS), start=1):
            page = self._execute(
                videos_api.list(
                    part="snippet,contentDetails", id=",".join(batch), maxResults=MAX_RESULTS
                )
            )
            items = page_items(page, skipped)
            fetch = parse_video_items(items, source, now=self._now())
            asked = set(batch)
            kept = tuple(v for v in fetch.videos if v.video_id in asked)
            skipped["unexpected_video"] += len(fetch.videos) - len(kept)
            result = result.merge(dataclasses.replace(fetch, videos=kept))
            returned = {_path(item, "id") for item in items} & asked
            missing = tuple(v for v in batch if v not in returned)
            skipped["not_found"] += len(missing)
            result = result.merge(YouTubeFetch(not_found=missing))
            logger.info("video details: batch %d, %d of %d ids", number, len(batch), len(valid))
        return self._fetch(start, result.merge(YouTubeFetch(skipped=dict(skipped))))

    def rated_videos(self, rating: Rating) -> YouTubeFetch:
        """The videos the authorised user liked (`"like"`) or disliked (`"dislike"`)."""
        if rating not in ("like", "dislike"):
            raise ValueError(f"rating must be 'like' or 'dislike', not {rating!r}")
        source: VideoSource = "liked" if rating == "like" else "disliked"
        start = (self.requests, self.quota_units)
        videos_api = self._service.videos()
        skipped: Counter[str] = Counter()
        result = YouTubeFetch()
        for number, page in enumerate(
            self._pages(
                lambda token: videos_api.list(
                    part="snippet,contentDetails",
                    myRating=rating,
                    maxResults=MAX_RESULTS,
                    pageToken=token,
                ),
                skipped,
            ),
            start=1,
        ):
            result = result.merge(
                parse_video_items(page_items(page, skipped), source, now=self._now())
            )
            logger.info("%s videos: page %d, %d so far", source, number, len(result.videos))
        return self._fetch(start, result.merge(YouTubeFetch(skipped=dict(skipped))))
