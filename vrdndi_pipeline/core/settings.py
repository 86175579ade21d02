"""vrdndi's settings, read from ``VRDNDI_*`` environment variables by entry points.

Nothing here runs at import: call :func:`load_settings` where the program starts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vrdndi_pipeline.core.model.config import BUNDLED_MINILM
from vrdndi_pipeline.core.sources.import_files import DEFAULT_MAX_IMPORT_MB
from vrdndi_pipeline.core.store.database import default_database_url

Sources = Literal["live", "demo"]

DEMO_TIMEZONE = "Europe/Berlin"
"""The demo person's IANA zone: the bundled demo data is generated in it
(:mod:`vrdndi_pipeline.demo.anchor` reads it from here) and vrdndi works in it on demo data."""


class SettingsError(ValueError):
    """A ``VRDNDI_*`` variable with a value vrdndi cannot use."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting, with its environment variable in the field's comment."""

    data_dir: Path  # VRDNDI_DATA_DIR
    database_url: str  # VRDNDI_DATABASE_URL
    timezone: str | None  # VRDNDI_TIMEZONE (None: the system's)
    sources: Sources  # VRDNDI_SOURCES: live | demo
    aw_url: str  # VRDNDI_AW_URL
    aw_hostname: str  # VRDNDI_AW_HOSTNAME
    aw_export_file: str  # VRDNDI_AW_EXPORT_FILE
    aw_categories_file: str  # VRDNDI_AW_CATEGORIES_FILE
    youtube_client_secret: str  # VRDNDI_YOUTUBE_CLIENT_SECRET
    youtube_token: str  # VRDNDI_YOUTUBE_TOKEN
    youtube_api_endpoint: str  # VRDNDI_YOUTUBE_API_ENDPOINT
    takeout_path: str  # VRDNDI_TAKEOUT_PATH
    mlflow_tracking_uri: str  # VRDNDI_MLFLOW_TRACKING_URI ("": a SQLite file in the data folder)
    now: datetime | None = None  # VRDNDI_NOW: a fixed clock (ISO time); demo: the demo's end
    train_preset: str = "cpu-small"  # VRDNDI_TRAIN_PRESET: preset name or YAML path
    train_min_new_labels: int = 20  # VRDNDI_TRAIN_MIN_NEW_LABELS: new labels that start training
    feed_refresh_cron: tuple[str, ...] = ()  # VRDNDI_FEED_REFRESH_CRON ("a;b"); () = default
    daily_cron: str = "0 7 * * *"  # VRDNDI_DAILY_CRON, in the user's time zone
    text_encoder: str = BUNDLED_MINILM  # VRDNDI_TEXT_ENCODER: the frozen sentence model
    # VRDNDI_AW_WEB_BUCKETS: "bucket=host;..." joins browser buckets to a machine's windows
    aw_web_buckets: tuple[tuple[str, str], ...] = ()
    max_import_mb: int = DEFAULT_MAX_IMPORT_MB  # VRDNDI_MAX_IMPORT_MB: import file size limit
    # The VRDNDI_* variables set in the process environment (none when the settings came from
    # a given mapping): Dagster resources read secrets and URLs from these by name (`EnvVar`),
    # so Dagster's UI shows the name, never the value.
    from_environment: frozenset[str] = frozenset()

    @property
    def user_timezone(self) -> str:
        """The IANA zone vrdndi works in: ``VRDNDI_TIMEZONE``; on demo data the demo person's
        zone; else the system's, else UTC."""
        if self.timezone:
            return self.timezone
        if self.sources == "demo":
            return DEMO_TIMEZONE
        return system_timezone()


def system_timezone(environ: Mapping[str, str] | None = None, etc: Path = Path("/etc")) -> str:
    """The system's IANA time zone name (``TZ``, ``/etc/timezone``, ``/etc/localtime``), or
    ``"UTC"`` when none of them names one."""
    env = os.environ if environ is None else environ
    candidates = [env.get("TZ", "").lstrip(":")]
    try:
        candidates.append((etc / "timezone").read_text().strip())
    except OSError:
        pass
    try:
        target = str((etc / "localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name and not name.startswith("/"):
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return "UTC"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``environ`` (default: the process environment), validated."""
    env = os.environ if environ is None else environ

    def get(name: str, default: str = "") -> str:
        return env.get(f"VRDNDI_{name}", "").strip() or default

    data_dir = Path(get("DATA_DIR", "data")).expanduser()
    sources = get("SOURCES", "live")
    if sources not in ("live", "demo"):
        raise SettingsError(f"VRDNDI_SOURCES={sources!r}: use 'live' or 'demo'")
    timezone = get("TIMEZONE") or None
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise SettingsError(
                f"VRDNDI_TIMEZONE={timezone!r} is not an IANA time zone such as 'Europe/Berlin'"
            ) from error
    now = None
    if get("NOW"):
        try:
            now = datetime.fromisoformat(get("NOW").replace("Z", "+00:00"))
        except ValueError as error:
            raise SettingsError(f"VRDNDI_NOW={get('NOW')!r} is not an ISO time") from error
        if now.tzinfo is None:
            raise SettingsError("VRDNDI_NOW needs a UTC offset, e.g. 2026-11-15T00:00:00Z")
    min_labels = get("TRAIN_MIN_NEW_LABELS", "20")
    if not min_labels.isdigit() or int(min_labels) < 1:
        raise SettingsError(f"VRDNDI_TRAIN_MIN_NEW_LABELS={min_labels!r}: use a positive number")
    crons = tuple(c.strip() for c in get("FEED_REFRESH_CRON").split(";") if c.strip())
    max_import_mb = get("MAX_IMPORT_MB", str(DEFAULT_MAX_IMPORT_MB))
    if not max_import_mb.isdigit() or int(max_import_mb) < 1:
        raise SettingsError(f"VRDNDI_MAX_IMPORT_MB={max_import_mb!r}: use a positive number")
    from_environment = (
        frozenset(k for k, v in env.items() if k.startswith("VRDNDI_") and v.strip())
        if env is os.environ
        else frozenset()
    )
    return Settings(
        data_dir=data_dir,
        database_url=get("DATABASE_URL", default_database_url(data_dir)),
        timezone=timezone,
        sources=sources,  # type: ignore[arg-type]
        aw_url=get("AW_URL", "http://127.0.0.1:5600"),
        aw_hostname=get("AW_HOSTNAME"),
        aw_export_file=get("AW_EXPORT_FILE"),
        aw_categories_file=get("AW_CATEGORIES_FILE"),
        youtube_client_secret=get("YOUTUBE_CLIENT_SECRET", "secrets/client_secret.json"),
        youtube_token=get("YOUTUBE_TOKEN", "secrets/youtube_token.json"),
        youtube_api_endpoint=get("YOUTUBE_API_ENDPOINT"),
        takeout_path=get("TAKEOUT_PATH", str(data_dir / "takeout" / "watch-history.json")),
        mlflow_tracking_uri=get("MLFLOW_TRACKING_URI"),
        now=now,
        train_preset=get("TRAIN_PRESET", "cpu-small"),
        train_min_new_labels=int(min_labels),
        feed_refresh_cron=crons,
        daily_cron=get("DAILY_CRON", "0 7 * * *"),
        text_encoder=get("TEXT_ENCODER", BUNDLED_MINILM),
        aw_web_buckets=parse_web_buckets(get("AW_WEB_BUCKETS")),
        max_import_mb=int(max_import_mb),
        from_environment=from_environment,
    )


def parse_web_buckets(text: str) -> tuple[tuple[str, str], ...]:
    """``"aw-watcher-web-firefox=laptop;aw-watcher-web-chrome=desk"`` as (bucket, host) pairs."""
    pairs = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        bucket, _, host = (x.strip() for x in part.partition("="))
        if not bucket or not host:
            raise SettingsError(
                f"VRDNDI_AW_WEB_BUCKETS: {part!r} is not 'bucket=hostname' (pairs separated "
                "by ';', e.g. aw-watcher-web-firefox=my-laptop)"
            )
        pairs.append((bucket, host))
    return tuple(pairs)
