"""ActivityWatch as a Dagster resource: a live aw-server, or an exported JSON file.

Both produce the same :class:`~vrdndi_pipeline.core.sources.activitywatch.events.WindowActivity`, through the same
core functions, so an import is validated, categorised and AFK-filtered exactly like a live
fetch. Read-only: nothing is ever written to the ActivityWatch server.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dagster as dg
import requests

from vrdndi_pipeline.core.sources.activitywatch.events import (
    ActivityDataError,
    BucketInfo,
    CategoryRules,
    HostBuckets,
    WindowActivity,
    default_category_rules,
    parse_category_rules,
    select_host_buckets,
    window_activity,
)
from vrdndi_pipeline.core.sources.activitywatch.export_file import (
    AwExport,
    load_aw_export,
    load_category_rules_file,
)
from vrdndi_pipeline.core.sources.import_files import DEFAULT_MAX_IMPORT_MB
from vrdndi_pipeline.demo import DEMO_DATA_DIR
from vrdndi_pipeline.resources.env_var_config import EnvVarString

logger = logging.getLogger(__name__)


class ActivityWatchUnavailable(RuntimeError):
    """The ActivityWatch server cannot be reached or answered with an error."""


def _rules_from_file(categories_file: str) -> tuple[CategoryRules, str] | None:
    if not categories_file:
        return None
    path = Path(categories_file).expanduser()
    return parse_category_rules(load_category_rules_file(path)), f"file:{path}"


def _host_of(buckets: list[BucketInfo], hostname: str, web_buckets: dict[str, str]) -> HostBuckets:
    host = select_host_buckets(buckets, hostname, socket.gethostname(), web_buckets)
    if host.unjoined_web:
        logger.warning(
            "Browser buckets %s belong to no machine with window events, so their URLs are not "
            "used. Say which machine each one runs on: VRDNDI_AW_WEB_BUCKETS=%s",
            ", ".join(host.unjoined_web),
            ";".join(f"{bucket}=<hostname>" for bucket in host.unjoined_web),
        )
    return host


class ActivityWatchSource(dg.ConfigurableResource, ABC):
    """Where the user's computer activity comes from."""

    web_buckets: dict[str, str] = {}  # browser bucket id -> the hostname whose windows it joins

    @abstractmethod
    def resolve_host(self) -> HostBuckets:
        """The buckets of the configured (or only) host; raises if there is none."""

    @abstractmethod
    def fetch_window_activity(
        self, host: HostBuckets, since: datetime | None, now: datetime | None = None
    ) -> WindowActivity:
        """Window events of `host` that start after `since` (all of them when `None`),
        validated against `now` (the wall clock when `None`)."""


class ActivityWatchServer(ActivityWatchSource):
    """A running aw-server (or aw-server-rust), local or on another machine.

    `url` may be a `dg.EnvVar` (a URL can carry a user and password).
    """

    url: EnvVarString = "http://127.0.0.1:5600"
    hostname: str = ""
    categories_file: str = ""
    initial_lookback_days: int = 90
    timeout_seconds: float = 30.0

    @contextlib.contextmanager
    def _client(self) -> Iterator[Any]:
        from aw_client import ActivityWatchClient

        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ActivityWatchUnavailable(
                f"VRDNDI_AW_URL={self.url!r} is not an http(s) URL like http://127.0.0.1:5600"
            )
        # aw-client takes a process lock per client name: a unique name lets several runs read
        # at once, and the lock file is removed again afterwards.
        name = f"vrdndi-reader-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        client = ActivityWatchClient(
            name,
            host=parts.hostname,
            port=parts.port or (443 if parts.scheme == "https" else 80),
            protocol=parts.scheme,
        )
        try:
            yield client
        except requests.ConnectionError as error:
            raise ActivityWatchUnavailable(
                f"Cannot reach the ActivityWatch server at {self.url} ({type(error).__name__}). "
                "Start ActivityWatch (aw-qt or aw-server) on that machine, or set VRDNDI_AW_URL "
                "to where it runs; to import an export file instead, set VRDNDI_AW_EXPORT_FILE."
            ) from error
        except requests.HTTPError as error:
            raise ActivityWatchUnavailable(
                f"The ActivityWatch server at {self.url} answered {error}. Check that "
                "VRDNDI_AW_URL points at ActivityWatch and that the server is healthy."
            ) from error
        finally:
            lock = getattr(client, "instance", None)
            if lock is not None and hasattr(lock, "fp"):
                lock.fp.close()
                with contextlib.suppress(OSError):
                    os.unlink(lock.lockfile)

    def resolve_host(self) -> HostBuckets:
        with self._client() as client:
            buckets = client.get_buckets()
        infos = [
            BucketInfo(id=bid, type=str(b.get("type", "")), hostname=str(b.get("hostname", "")))
            for bid, b in buckets.items()
        ]
        return _host_of(infos, self.hostname, self.web_buckets)

    def _category_rules(self, client: Any) -> tuple[CategoryRules, str]:
        from_file = _rules_from_file(self.categories_file)
        if from_file is not None:
            return from_file
        try:
            classes = client.get_setting("classes")
        except requests.HTTPError as error:
            # aw-server (Python) has no settings API and aw-server-rust answers 404 before the
            # user saves categories: both mean "use the defaults", as the web UI does.
            logger.info("No category rules on the server (%s); using aw-client's defaults", error)
            return default_category_rules(), "aw-client defaults"
        if not classes:
            return default_category_rules(), "aw-client defaults"
        return parse_category_rules(classes), "server"

    def fetch_window_activity(
        self, host: HostBuckets, since: datetime | None, now: datetime | None = None
    ) -> WindowActivity:
        now = now or datetime.now(UTC)
        if since is None:
            since = now - timedelta(days=self.initial_lookback_days)
        with self._client() as client:
            rules, rules_source = self._category_rules(client)
            events = {
                bucket: client.get_events(bucket, limit=-1, start=since)
                for bucket in host.window + host.afk + host.web
            }
        logger.info(
            "Fetched %d events from %d buckets of %s since %s",
            sum(len(e) for e in events.values()),
            len(events),
            host.hostname,
            since.isoformat(),
        )
        return window_activity(
            host, events, rules, category_source=rules_source, now=now, since=since
        )


class ActivityWatchExport(ActivityWatchSource):
    """An ActivityWatch export file (`.json` or `.json.gz`), e.g. the bundled demo data."""

    path: str = str(DEMO_DATA_DIR / "activitywatch-export.json.gz")
    hostname: str = ""
    categories_file: str = str(DEMO_DATA_DIR / "aw-categories.json")
    max_import_mb: int = DEFAULT_MAX_IMPORT_MB

    def _load(self) -> AwExport:
        return load_aw_export(Path(self.path).expanduser(), self.max_import_mb)

    def resolve_host(self) -> HostBuckets:
        return _host_of(list(self._load().buckets), self.hostname, self.web_buckets)

    def fetch_window_activity(
        self, host: HostBuckets, since: datetime | None, now: datetime | None = None
    ) -> WindowActivity:
        export = self._load()
        rules_and_source = _rules_from_file(self.categories_file)
        rules, source = rules_and_source or (default_category_rules(), "aw-client defaults")
        return window_activity(
            host,
            export.events,
            rules,
            category_source=source,
            now=now or datetime.now(UTC),
            since=since,
        )


__all__ = [
    "ActivityDataError",
    "ActivityWatchExport",
    "ActivityWatchServer",
    "ActivityWatchSource",
    "ActivityWatchUnavailable",
]
