"""New uploads, rated videos and video details from the YouTube Data API v3.

Why the uploads playlist and not ``search.list``: the issue asks for an incremental fetch "with
``publishedAfter``". ``search.list(channelId=..., publishedAfter=...)`` does that in one call
per channel, but costs 100 quota units a call; the default 10,000 units a day would allow 100
channel searches, fewer than many people's subscriptions, and nothing else. Every channel's
uploads also sit in its "uploads" playlist, newest first, and ``playlistItems.list`` costs 1
unit a page of 50. So we apply the ``publishedAfter`` cutoff ourselves: page through the
playlist until a page holds nothing newer than the channel's cutoff, keep the ids newer than
it, and ask ``videos.list`` (1 unit per 50 ids) for their details. A refresh of 200
subscriptions costs about 4 + 200 + (new videos / 50) units instead of 20,000.

Every HTTP request goes through :meth:`YouTubeFetcher._execute`, which retries what a retry can
fix (5xx, 429, rate limits, dropped connections) and stops at once on what it cannot (the daily
quota, missing authorisation, a bad request).
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import httplib2
from google.auth import exceptions as auth_exceptions
from googleapiclient.errors import HttpError

from vrdndi_pipeline.core.records import Rating, VideoSource, is_video_id
from vrdndi_pipeline.core.youtube_items import YouTubeFetch, parse_published_at, parse_video_items
from vrdndi_pipeline.resources.youtube_errors import (
    AUTH_REASONS,
    PACIFIC,
    QUOTA_REASONS,
    RATE_LIMIT_REASONS,
    RETRY_STATUSES,
    YouTubeApiError,
    YouTubeAuthError,
    YouTubeError,
    YouTubeQuotaExceeded,
    error_reasons,
    quota_message,
)

logger = logging.getLogger(__name__)

MAX_RESULTS = 50  # the API's largest page and largest id list


def _endpoint(request: Any) -> str:
    method_id = getattr(request, "methodId", None)  # "youtube.videos.list"
    return method_id.removeprefix("youtube.") if method_id else "YouTube API"


def _batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


class YouTubeFetcher:
    """Calls of the YouTube Data API v3 on a ``googleapiclient`` youtube v3 Resource.

    ``requests`` and ``quota_units`` count every HTTP attempt (a failed request costs quota too).
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

    def _execute(self, request: Any) -> dict[str, Any]:
        endpoint = _endpoint(request)
        for attempt in range(self._max_retries + 1):
            self.requests += 1
            self.quota_units += 1
            try:
                return request.execute(num_retries=0)
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
        message = (error.reason or "no message").rstrip(".")
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

    def _pages(self, make_request: Callable[[str | None], Any]) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            page = self._execute(make_request(token))
            yield page
            token = page.get("nextPageToken")
            if not token:
                return

    def _fetch(self, start: tuple[int, int], result: YouTubeFetch) -> YouTubeFetch:
        """``result`` with the requests made since ``start`` and without zero counts."""
        return YouTubeFetch(
            videos=result.videos,
            skipped={reason: n for reason, n in result.skipped.items() if n > 0},
            requests=self.requests - start[0],
            quota_units=self.quota_units - start[1],
        )

    # -- endpoints ---------------------------------------------------------------------------

    def subscribed_channels(self) -> list[str]:
        """Ids of the channels the authorised user subscribes to, in the API's order."""
        subscriptions = self._service.subscriptions()
        channel_ids: list[str] = []
        for page in self._pages(
            lambda token: subscriptions.list(
                part="snippet", mine=True, maxResults=MAX_RESULTS, pageToken=token
            )
        ):
            for item in page.get("items", []):
                channel_id = item.get("snippet", {}).get("resourceId", {}).get("channelId")
                if isinstance(channel_id, str) and channel_id:
                    channel_ids.append(channel_id)
        logger.info("%d subscribed channels", len(channel_ids))
        return _unique(channel_ids)

    def uploads_playlists(self, channel_ids: Sequence[str]) -> dict[str, str]:
        """Channel id → id of its "uploads" playlist; unknown channels are left out."""
        channels = self._service.channels()
        ids = _unique(channel_ids)
        uploads: dict[str, str] = {}
        for number, batch in enumerate(_batches(ids, MAX_RESULTS), start=1):
            page = self._execute(
                channels.list(part="contentDetails", id=",".join(batch), maxResults=MAX_RESULTS)
            )
            for item in page.get("items", []):
                playlist = item.get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
                if item.get("id") and playlist:
                    uploads[item["id"]] = playlist
            logger.info("uploads playlists: channel batch %d (%d channels)", number, len(batch))
        return uploads

    def _new_uploads(
        self, channel_id: str, playlist_id: str, cutoff: datetime | None, skipped: Counter[str]
    ) -> list[str]:
        items_api = self._service.playlistItems()
        found: list[str] = []
        token: str | None = None
        pages = 0
        while True:
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
            for item in page.get("items", []):
                details = item.get("contentDetails", {})
                video_id = details.get("videoId")
                published = parse_published_at(details.get("videoPublishedAt"))
                if not is_video_id(video_id):
                    skipped["playlist_item_without_video"] += 1
                    continue
                # Private or deleted uploads have no videoPublishedAt; videos.list drops them.
                if cutoff is None or published is None or published > cutoff:
                    found.append(video_id)
                    any_newer = any_newer or published is not None
            token = page.get("nextPageToken")
            if not token or (cutoff is not None and not any_newer):
                break
            if cutoff is None and pages >= self._max_upload_pages:
                break
        logger.info("channel %s: %d new uploads in %d pages", channel_id, len(found), pages)
        return found

    def subscription_uploads(self, published_after: Mapping[str, datetime]) -> YouTubeFetch:
        """Uploads of every subscribed channel newer than that channel's cutoff, with details.

        A channel missing from ``published_after`` gets its newest
        ``max_upload_pages_per_channel`` pages of uploads.
        """
        start = (self.requests, self.quota_units)
        skipped: Counter[str] = Counter()
        channel_ids = self.subscribed_channels()
        uploads = self.uploads_playlists(channel_ids)
        skipped["channel_not_found"] += len(set(channel_ids) - set(uploads))
        new_ids: list[str] = []
        for channel_id, playlist_id in uploads.items():
            cutoff = published_after.get(channel_id)
            new_ids.extend(self._new_uploads(channel_id, playlist_id, cutoff, skipped))
        listing = self._fetch(start, YouTubeFetch(skipped=dict(skipped)))
        return listing.merge(self.videos_by_id(new_ids, source="subscription"))

    def videos_by_id(self, video_ids: Iterable[str], source: VideoSource) -> YouTubeFetch:
        """Details of the given videos, asked 50 at a time; duplicates asked once, order kept.

        Malformed ids are not sent (``invalid_video_id``); ids the API does not return
        (deleted, private) are counted as ``not_found``.
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
            items = page.get("items", [])
            result = result.merge(parse_video_items(items, source))
            returned = {item.get("id") for item in items if isinstance(item, dict)}
            skipped["not_found"] += len(set(batch) - returned)
            logger.info("video details: batch %d, %d of %d ids", number, len(batch), len(valid))
        return self._fetch(start, result.merge(YouTubeFetch(skipped=dict(skipped))))

    def rated_videos(self, rating: Rating) -> YouTubeFetch:
        """The videos the authorised user liked (``"like"``) or disliked (``"dislike"``)."""
        if rating not in ("like", "dislike"):
            raise ValueError(f"rating must be 'like' or 'dislike', not {rating!r}")
        source: VideoSource = "liked" if rating == "like" else "disliked"
        start = (self.requests, self.quota_units)
        videos_api = self._service.videos()
        result = YouTubeFetch()
        for number, page in enumerate(
            self._pages(
                lambda token: videos_api.list(
                    part="snippet,contentDetails",
                    myRating=rating,
                    maxResults=MAX_RESULTS,
                    pageToken=token,
                )
            ),
            start=1,
        ):
            result = result.merge(parse_video_items(page.get("items", []), source))
            logger.info("%s videos: page %d, %d so far", source, number, len(result.videos))
        return self._fetch(start, result)
