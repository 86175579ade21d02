"""Errors the YouTube client raises, and how a spent quota is explained to the user."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from googleapiclient.errors import HttpError

from vrdndi_pipeline.core.validation import terminal_text

QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
AUTH_REASONS = frozenset(
    {"authError", "forbidden", "insufficientPermissions", "unauthorized", "invalidCredentials"}
)
QUOTA_CONSOLE_URL = "https://console.cloud.google.com/apis/api/youtube.googleapis.com/quotas"
PACIFIC = ZoneInfo("America/Los_Angeles")


class YouTubeError(RuntimeError):
    """Base of every error this package raises about YouTube."""


class YouTubeAuthError(YouTubeError):
    """No usable OAuth token: the user has to (re-)authorise."""


class YouTubeQuotaExceeded(YouTubeError):
    """The project's daily YouTube Data API quota is spent; retrying today is useless."""


class YouTubeApiError(YouTubeError):
    """The API refused a request, or kept failing after every retry."""

    def __init__(self, message: str, *, status: int | None = None, reasons: Sequence[str] = ()):
        super().__init__(message)
        self.status = status
        self.reasons = tuple(reasons)


def quota_reset_at(now: datetime) -> datetime:
    """The next midnight in Pacific time after `now` (aware), when YouTube quotas reset."""
    local = now.astimezone(PACIFIC)
    next_day = (local + timedelta(days=1)).date()
    return datetime(next_day.year, next_day.month, next_day.day, tzinfo=PACIFIC)


def quota_message(endpoint: str, now: datetime) -> str:
    reset = quota_reset_at(now)
    hours = (reset - now).total_seconds() / 3600
    return (
        f"The YouTube Data API daily quota is spent ({endpoint} answered quotaExceeded). "
        f"It resets at midnight Pacific time, {reset.isoformat()} (in about {hours:.1f} h); "
        "run again after that. See the usage in the Google Cloud console: APIs & Services → "
        f"YouTube Data API v3 → Quotas ({QUOTA_CONSOLE_URL})."
    )


def error_reasons(error: HttpError) -> list[str]:
    """The `error.errors[].reason` texts of a Google API error body (empty if none)."""
    try:
        body = json.loads(error.content.decode("utf-8"))
        errors = body["error"].get("errors", [])
        reasons = [e.get("reason") for e in errors if isinstance(e, dict)]
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return []
    return [terminal_text(r)[:64] for r in reasons if isinstance(r, str)]


def error_message(error: HttpError) -> str:
    """The API's message of an error body, safe to show and at most 300 characters."""
    reason = error.reason if isinstance(error.reason, str) else ""
    return terminal_text(reason or "no message")[:300].rstrip(".")
