"""YouTube as a Dagster resource: the Data API v3 with the user's token, or a bundled snapshot.

Both build the same `googleapiclient` youtube v3 Resource from the discovery document shipped
inside google-api-python-client (nothing is downloaded) and run the same
:class:`~vrdndi_pipeline.resources.youtube.fetch.YouTubeFetcher`; the snapshot only swaps the
HTTP transport for one that answers from JSON files. The service is built inside each call,
never at import or construction, so a definitions load needs no token.
Relative paths are resolved against the current working directory.
"""

from __future__ import annotations

import ipaddress
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dagster as dg
from pydantic import Field, field_validator

from vrdndi_pipeline.core.records import Rating, VideoSource
from vrdndi_pipeline.core.sources.youtube.items import YouTubeFetch
from vrdndi_pipeline.core.validation import terminal_text
from vrdndi_pipeline.demo import DEMO_DATA_DIR, YOUTUBE_DIR
from vrdndi_pipeline.resources.env_var_config import stripped
from vrdndi_pipeline.resources.youtube.errors import (
    YouTubeApiError,
    YouTubeAuthError,
    YouTubeError,
    YouTubeQuotaExceeded,
)
from vrdndi_pipeline.resources.youtube.fetch import ApiJsonModel, YouTubeFetcher

logger = logging.getLogger(__name__)

DEMO_YOUTUBE_DIR = DEMO_DATA_DIR / YOUTUBE_DIR
ENDPOINT_SETTING = "VRDNDI_YOUTUBE_API_ENDPOINT"
LOOPBACK_NAMES = frozenset({"localhost"})


def _build_youtube(**kwargs: Any) -> Any:
    from googleapiclient.discovery import build

    # static_discovery: the youtube v3 document ships in googleapiclient/discovery_cache.
    return build(
        "youtube",
        "v3",
        static_discovery=True,
        cache_discovery=False,
        model=ApiJsonModel(),
        **kwargs,
    )


def is_loopback_host(host: str) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1): this machine only."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_endpoint(url: str, setting: str) -> str:
    """`url` when it is `https://`, or `http://` to this machine (a local fake server);
    else a `ValueError` naming `setting` and the fix: over plain http the OAuth bearer
    token, which reads the user's YouTube account, would travel in clear."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    scheme = parts.scheme.lower() if parts else ""
    if host and (scheme == "https" or (scheme == "http" and is_loopback_host(host))):
        return url
    shown = terminal_text(url)[:200]
    if scheme == "http" and host:
        problem = (
            f"is plain http to {terminal_text(host)}, so the YouTube token would travel in clear"
        )
    else:
        problem = "is not an https:// URL"
    raise ValueError(
        f"{setting}={shown!r} {problem}. Use an https:// URL (http:// is allowed only for "
        f"localhost, 127.0.0.1 or ::1), or unset {setting} to use Google's API."
    )


class YouTubeSource(dg.ConfigurableResource, ABC):
    """Where videos, the user's subscriptions and the user's ratings come from."""

    @abstractmethod
    def subscription_uploads(self, published_after: Mapping[str, datetime]) -> YouTubeFetch:
        """Uploads of subscribed channels newer than each channel's cutoff (channel id → time)."""

    @abstractmethod
    def rated_videos(self, rating: Rating) -> YouTubeFetch:
        """The videos the user liked (`"like"`) or disliked (`"dislike"`)."""

    @abstractmethod
    def video_details(self, video_ids: Sequence[str], source: VideoSource) -> YouTubeFetch:
        """Full details of the given videos (unknown ones are counted as `not_found`)."""


class YouTubeFetcherSource(YouTubeSource, ABC):
    """A source that runs :class:`YouTubeFetcher` on a youtube v3 service it builds."""

    max_upload_pages_per_channel: int = 4

    @abstractmethod
    def _build_service(self) -> Any:
        """A `googleapiclient.discovery.Resource` for youtube v3."""

    def _fetcher(self) -> YouTubeFetcher:
        return YouTubeFetcher(
            self._build_service(), max_upload_pages_per_channel=self.max_upload_pages_per_channel
        )

    def subscription_uploads(self, published_after: Mapping[str, datetime]) -> YouTubeFetch:
        return self._fetcher().subscription_uploads(published_after)

    def rated_videos(self, rating: Rating) -> YouTubeFetch:
        return self._fetcher().rated_videos(rating)

    def video_details(self, video_ids: Sequence[str], source: VideoSource) -> YouTubeFetch:
        return self._fetcher().videos_by_id(video_ids, source)


class YouTubeApi(YouTubeFetcherSource):
    """The YouTube Data API v3 as the user who ran `vrdndi auth youtube` (read-only scope).

    `api_endpoint` and `token_uri` must be `https://` (plain `http://` only to this
    machine): every request carries the user's OAuth bearer token. `api_endpoint` may be a
    `dg.EnvVar` (a URL can carry a user and password).
    """

    client_secret_file: str = "secrets/client_secret.json"
    token_file: str = "secrets/youtube_token.json"
    api_endpoint: str | None = Field(
        default=None,
        description="Base URL instead of https://youtube.googleapis.com/ (e.g. a local fake); "
        "paths /youtube/v3/... are appended to it. https:// only, or http:// to localhost.",
    )
    token_uri: str | None = Field(
        default=None,
        description="OAuth token endpoint for refreshes instead of Google's (a local fake); "
        "https:// only, or http:// to localhost.",
    )
    max_retries: int = 5
    backoff_seconds: float = 1.0

    @field_validator("api_endpoint", mode="before")
    @classmethod
    def _api_endpoint_is_safe(cls, url: object) -> object:
        # An EnvVar (a variable's name) is checked when Dagster builds the resource for a run.
        url = stripped(url)
        if not url or not isinstance(url, str) or isinstance(url, dg.EnvVar):
            return url
        return checked_endpoint(url, ENDPOINT_SETTING)

    @field_validator("token_uri", mode="before")
    @classmethod
    def _token_uri_is_safe(cls, url: object) -> object:
        if not url or not isinstance(url, str) or isinstance(url, dg.EnvVar):
            return url
        return checked_endpoint(url, "token_uri")

    def _build_service(self) -> Any:
        from vrdndi_pipeline.resources.youtube.oauth import load_credentials

        credentials = load_credentials(
            Path(self.token_file), Path(self.client_secret_file), token_uri=self.token_uri
        )
        options = {"api_endpoint": self.api_endpoint} if self.api_endpoint else None
        return _build_youtube(credentials=credentials, client_options=options)

    def _fetcher(self) -> YouTubeFetcher:
        return YouTubeFetcher(
            self._build_service(),
            max_retries=self.max_retries,
            backoff_seconds=self.backoff_seconds,
            max_upload_pages_per_channel=self.max_upload_pages_per_channel,
        )


class YouTubeSnapshot(YouTubeFetcherSource):
    """YouTube answered from a folder of JSON files (the bundled demo data by default)."""

    snapshot_dir: str = str(DEMO_YOUTUBE_DIR)

    def _build_service(self) -> Any:
        from vrdndi_pipeline.demo.youtube_snapshot import SnapshotHttp, YouTubeSnapshotRouter

        folder = Path(self.snapshot_dir).expanduser()
        if not folder.is_dir():
            raise YouTubeError(f"No YouTube snapshot folder at {folder.resolve()}")
        return _build_youtube(http=SnapshotHttp(YouTubeSnapshotRouter(folder)))


__all__ = [
    "YouTubeApi",
    "YouTubeApiError",
    "YouTubeAuthError",
    "YouTubeError",
    "YouTubeQuotaExceeded",
    "YouTubeSnapshot",
    "YouTubeSource",
]
