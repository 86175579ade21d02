"""How one feed row reads on screen: durations, ages, URLs, scores, reasons, the status line.

Pure functions of a :class:`~vrdndi_pipeline.core.store.feed_tables.FeedItem` (or its fields),
so the page code only places them.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from vrdndi_pipeline.core.records import is_video_id
from vrdndi_pipeline.core.store.feed_tables import FeedGeneration, FeedItem
from vrdndi_pipeline.core.vocabulary import GOOD_TIME
from vrdndi_ui.feed.feed_data import ModelStatus

CHAMPION = "champion"
RANKING_NAMES = {
    "champion": "the trained model",
    "interest-baseline": "the interest baseline (no trained model yet)",
    "recency": "newest first (no model and no baseline yet)",
}
REASON_ICONS = {
    "explore": "explore",
    "activity": "computer",
    "time": "schedule",
    "video": "smart_display",
    "similar": "favorite",
    "words": "text_fields",
    "new": "fiber_new",
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


def is_fallback(ranking: str) -> bool:
    """True when the feed was not ranked by the champion model."""
    return ranking != CHAMPION


def ranking_badge(ranking: str, model_version: str) -> str:
    """The short badge naming the ranking: ``model v3`` or ``fallback: recency``."""
    if not is_fallback(ranking):
        return f"model v{model_version}" if model_version not in ("", "none") else "model"
    return f"fallback: {ranking}"


@dataclass(frozen=True, slots=True)
class ScoreBadge:
    label: str
    text: str
    tooltip: str


def score_badges(item: FeedItem) -> list[ScoreBadge]:
    """The scores as a person reads them: ``89 % match``, ``good time now 72 %``."""
    badges = []
    if item.interest_score is not None:
        badges.append(
            ScoreBadge(
                "interest", f"{_pct(item.interest_score)} match", "how likely it interests you"
            )
        )
    if item.productive_score is not None:
        badges.append(
            ScoreBadge(
                "productive",
                f"{GOOD_TIME.lower()} {_pct(item.productive_score)}",
                "how likely now, with what you are doing, is a good time for it",
            )
        )
    return badges


def _pct(p: float) -> str:
    return f"{round(100 * p)} %"


def reason_lines(item: FeedItem) -> list[tuple[str, str]]:
    """``(icon, text)`` per stored reason; a row without any says which ranking placed it."""
    if item.reasons:
        return [(REASON_ICONS.get(r.kind, "info"), r.text) for r in item.reasons]
    return [("info", f"#{item.rank} by {RANKING_NAMES.get(item.ranking, item.ranking)}")]


def status_lines(
    generation: FeedGeneration,
    status: ModelStatus,
    *,
    train_threshold: int,
    timezone: str,
) -> list[str]:
    """The truth about the ranking: which model ranks this feed (version, since when), whether
    a newer one was trained and why it was not promoted, how many labels start the next
    training."""
    zone = ZoneInfo(timezone)
    selection = status.selection
    lines = []
    if is_fallback(generation.ranking):
        lines.append(
            f"Fallback ranking: {RANKING_NAMES.get(generation.ranking, generation.ranking)}."
        )
    else:
        family = selection.champion_family if selection else None
        since = status.champion_since
        lines.append(
            f"Ranked by the {family or 'trained'} model, version {generation.model_version}"
            + (f", champion since {since.astimezone(zone):%Y-%m-%d %H:%M}" if since else "")
            + "."
        )
    if selection is not None:
        versions = selection.summary.get("versions", {})
        newer = sorted(
            f"{family} v{version}"
            for family, version in versions.items()
            if version != generation.model_version
        )
        if newer and not selection.summary.get("promoted"):
            lines.append(
                f"Trained {selection.selected_at.astimezone(zone):%Y-%m-%d %H:%M}, not promoted: "
                f"{', '.join(newer)}. Why: {selection.summary.get('reason', 'unknown')} "
                f"({GOOD_TIME.lower()} ROC-AUC on held-out clicks)."
            )
        new_labels = status.labels_now - selection.labels_total
    else:
        new_labels = status.labels_now
    missing = train_threshold - new_labels
    lines.append(
        f"{missing} more label{'s' if missing != 1 else ''} start the next training."
        if missing > 0
        else f"{new_labels} new labels: the next training starts at its next check."
    )
    return lines
