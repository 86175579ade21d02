"""Rows people write: feedback clicks, labeller labels, hides and channel blocks; run failures.

These rows are never deleted by the pipeline. Every write is idempotent, so a retried click or
a re-saved label never doubles a row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from vrdndi_pipeline.core.records import is_video_id
from vrdndi_pipeline.core.store.schema import (
    feedback,
    interest_labels,
    run_failures,
    visibility_changes,
)
from vrdndi_pipeline.core.store.upserts import UpsertCounts, insert_new, upsert_rows

FEEDBACK_KINDS = {"interest", "productive"}


@dataclass(frozen=True, slots=True)
class FeedbackClick:
    """One click of a feedback button. ``click_id`` is the idempotency key (a retry of the
    same click carries the same id)."""

    click_id: str
    video_id: str
    kind: str  # interest | productive
    value: int  # 1: interest / correct timing; 0: uninterest / not now
    created_at: datetime  # timezone-aware
    timezone: str  # the user's IANA zone

    def __post_init__(self) -> None:
        if not self.click_id or len(self.click_id) > 64:
            raise ValueError("click_id must be 1 to 64 characters")
        if not is_video_id(self.video_id):
            raise ValueError(f"not a YouTube video id: {self.video_id!r}")
        if self.kind not in FEEDBACK_KINDS:
            raise ValueError(f"kind must be one of {sorted(FEEDBACK_KINDS)}, got {self.kind!r}")
        if self.value not in (0, 1):
            raise ValueError(f"value must be 0 or 1, got {self.value!r}")
        if self.created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")

    def row(self) -> dict[str, Any]:
        """Its ``feedback`` row (the database adds ``id``)."""
        return asdict(self)


def insert_feedback(conn: Connection, clicks: Sequence[FeedbackClick | Mapping[str, Any]]) -> int:
    """Append clicks whose ``click_id`` is not stored yet; returns how many were new."""
    rows = [c.row() if isinstance(c, FeedbackClick) else dict(c) for c in clicks]
    return insert_new(conn, feedback, rows, ["click_id"])


def upsert_interest_labels(conn: Connection, rows: Iterable[Mapping[str, Any]]) -> UpsertCounts:
    """Store labeller labels by video id; labelling a video again keeps the latest label.

    Rows: ``video_id, label (0|1), labelled_at`` and optionally ``source``.
    """
    return upsert_rows(
        conn,
        interest_labels,
        ({"source": "labeller", **r} for r in rows),
        update_columns=("label", "labelled_at", "source"),
    )


@dataclass(frozen=True, slots=True)
class VisibilityChange:
    """Hide (``hidden=True``) or restore a video, block or unblock a channel. ``change_id`` is
    the idempotency key; the latest change of a target wins."""

    change_id: str
    target: str  # video | channel
    target_id: str
    label: str | None  # the video's title or the channel's name, for the "hidden" list
    hidden: bool
    created_at: datetime

    def __post_init__(self) -> None:
        if self.target not in ("video", "channel"):
            raise ValueError(f"target must be 'video' or 'channel', got {self.target!r}")
        if self.target == "video" and not is_video_id(self.target_id):
            raise ValueError(f"not a YouTube video id: {self.target_id!r}")
        if not self.target_id or len(self.target_id) > 64:
            raise ValueError("a channel id must be 1 to 64 characters")
        if not self.change_id or len(self.change_id) > 64:
            raise ValueError("change_id must be 1 to 64 characters")
        if self.created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")


def record_visibility(conn: Connection, change: VisibilityChange) -> bool:
    """Append ``change``; ``False`` if its ``change_id`` is stored already (a retry)."""
    return bool(insert_new(conn, visibility_changes, [asdict(change)], ["change_id"]))


def hidden_now(conn: Connection, target: str) -> dict[str, VisibilityChange]:
    """Targets (``video`` or ``channel``) whose latest change hides them, with that change."""
    rows = conn.execute(
        select(visibility_changes)
        .where(visibility_changes.c.target == target)
        .order_by(visibility_changes.c.created_at, visibility_changes.c.id)
    )
    latest: dict[str, VisibilityChange] = {}
    for row in rows:
        m = row._mapping
        latest[m["target_id"]] = VisibilityChange(
            m["change_id"],
            m["target"],
            m["target_id"],
            m["label"],
            bool(m["hidden"]),
            m["created_at"],
        )
    return {k: v for k, v in latest.items() if v.hidden}


def latest_feedback(conn: Connection, video_ids: Iterable[str]) -> dict[str, dict[str, int]]:
    """The latest feedback value per video and kind (``{"interest": 1, "productive": 0}``):
    what the feed's toggles show as pressed. A later click replaces an earlier one."""
    wanted = list(dict.fromkeys(video_ids))
    state: dict[str, dict[str, int]] = {}
    for start in range(0, len(wanted), 500):
        rows = conn.execute(
            select(feedback.c.video_id, feedback.c.kind, feedback.c.value)
            .where(feedback.c.video_id.in_(wanted[start : start + 500]))
            .order_by(feedback.c.created_at, feedback.c.id)
        )
        for video_id, kind, value in rows:
            state.setdefault(video_id, {})[kind] = int(value)
    return state


def count_labels(conn: Connection) -> int:
    """Feedback clicks plus labeller labels: what the "enough new labels" rule counts."""
    clicks = conn.execute(select(func.count()).select_from(feedback)).scalar_one()
    labels = conn.execute(select(func.count()).select_from(interest_labels)).scalar_one()
    return int(clicks) + int(labels)


@dataclass(frozen=True, slots=True)
class RunFailure:
    run_id: str
    job_name: str
    failed_at: datetime
    message: str


def record_run_failure(conn: Connection, failure: RunFailure) -> bool:
    """Store a failed run once (by run id); ``False`` if it was recorded already."""
    return bool(insert_new(conn, run_failures, [asdict(failure)], ["run_id"]))


def recent_run_failures(
    conn: Connection, since: datetime | None = None, limit: int = 10
) -> list[RunFailure]:
    """The newest failures first (those at or after ``since`` when given)."""
    query = select(run_failures).order_by(run_failures.c.failed_at.desc()).limit(limit)
    if since is not None:
        query = query.where(run_failures.c.failed_at >= since)
    return [RunFailure(**row._mapping) for row in conn.execute(query)]
