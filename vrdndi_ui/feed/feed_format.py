"""How one feed row reads on screen: durations, ages, URLs, badges, the "why" line.

Pure functions of a :class:`~vrdndi_pipeline.core.store.feed_tables.FeedItem` (or its fields),
so the page code only places them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from vrdndi_pipeline.core.records import is_video_id
from vrdndi_pipeline.core.store.feed_tables import FeedItem

CHAMPION = "champion"
RANKING_NAMES = {
    "champion": "the trained model",
    "interest-baseline": "the interest baseline (no trained model yet)",
    "recency": "newest first (no model and no baseline yet)",
}


def thumbnail_url(video_id: str) -> str:
    """The medium YouTube thumbnail of a validated video id."""
    return f"https://i.ytimg.com/vi/{_checked(video_id)}/mqdefault.jpg"


def embed_url(video_id: str) -> str:
    """The privacy-enhanced YouTube player URL of a validated video id."""
    return f"https://www.youtube-nocookie.com/embed/{_checked(video_id)}"


def _checked(video_id: str) -> str:
    if not is_video_id(video_id):
        raise ValueError(f"not a YouTube video id: {video_id!r}")
    return video_id


def format_duration(seconds: int | None) -> str:
    """``h:mm:ss`` (``0:04:05``); ``live`` for 0 (live streams), ``?`` when unknown."""
    if seconds is None or seconds < 0:
        return "?"
    if seconds == 0:
        return "live"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def format_age(published_at: datetime | None, now: datetime | None = None) -> str:
    """How long ago a video came out: ``just now``, ``12 min ago``, ``3 h ago``, ``5 d ago``."""
    if published_at is None:
        return "date unknown"
    now = now or datetime.now(UTC)
    seconds = (now - published_at).total_seconds()
    if seconds < -60:
        return "upcoming"
    if seconds < 60:
        return "just now"
    for unit, size in (("y", 365 * 86400), ("mo", 30 * 86400), ("d", 86400), ("h", 3600)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return f"{int(seconds // 60)} min ago"


def is_fallback(ranking: str) -> bool:
    """True when the feed was not ranked by the champion model."""
    return ranking != CHAMPION


def ranking_badge(ranking: str, model_version: str) -> str:
    """The short badge naming the ranking: ``model v3`` or ``fallback: recency``."""
    if not is_fallback(ranking):
        return f"model v{model_version}" if model_version not in ("", "none") else "model"
    return f"fallback: {ranking}"


def ranking_notice(ranking: str, model_version: str) -> str:
    """One sentence for the page header saying which ranking made the feed."""
    name = RANKING_NAMES.get(ranking, ranking)
    if not is_fallback(ranking):
        return f"Ranked by {name} (version {model_version})."
    return f"Fallback ranking: {name}. Feedback clicks help the next training."


@dataclass(frozen=True, slots=True)
class ScoreBadge:
    label: str
    text: str
    tooltip: str


def score_badges(item: FeedItem) -> list[ScoreBadge]:
    """Interest, productive and combined scores that the ranking had (missing ones left out)."""
    badges = []
    if item.interest_score is not None:
        badges.append(
            ScoreBadge("interest", f"interest {item.interest_score:.2f}", "P(you are interested)")
        )
    if item.productive_score is not None:
        badges.append(
            ScoreBadge(
                "productive",
                f"productive {item.productive_score:.2f}",
                "P(now is a good time for it)",
            )
        )
    badges.append(
        ScoreBadge("combined", f"combined {item.combined_score:.2f}", "what the feed sorted by")
    )
    return badges


def why_line(item: FeedItem) -> str:
    """ "Why this video": the pipeline's explanation, else a sentence built from the scores."""
    if item.explanation and item.explanation.strip():
        return item.explanation.strip()
    parts = []
    if item.interest_score is not None:
        parts.append(f"interest {item.interest_score:.0%}")
    if item.productive_score is not None:
        parts.append(f"right time now {item.productive_score:.0%}")
    by = RANKING_NAMES.get(item.ranking, item.ranking)
    scores = f": {', '.join(parts)}" if parts else ""
    return f"#{item.rank} by {by}{scores}."
