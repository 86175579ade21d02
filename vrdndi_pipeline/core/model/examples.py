"""What the model learns from and scores: ``TrainingExample`` (a ``Video`` to score becomes one
with :func:`video_example`).

Labels: interest 1 = interested, 0 = not; productive 1 = "correct timing", 0 = "not now".
A missing label is ``None`` here; it becomes ``ignore_index`` only inside tensors.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from vrdndi_pipeline.core.model.context_features import ContextEvent, parse_context_events
from vrdndi_pipeline.core.records import Video, video_text

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

LABEL_MEANINGS = {
    "interest": {0: "not interested", 1: "interested"},
    "productive": {0: "not now", 1: "correct timing"},
}


@dataclass(frozen=True, slots=True)
class TrainingExample:
    """One labelled row: an interest row (no moment, no context) or a productive row (feedback
    given at ``moment`` with the ActivityWatch ``context`` before it, in ``timezone``)."""

    video_id: str
    text: str
    video_duration_s: float | None
    moment: datetime | None
    context: tuple[ContextEvent, ...]
    interest_label: int | None
    productive_label: int | None
    timezone: str = "UTC"
    key: str = ""  # "interest:<video id>" or "productive:<feedback id>": one row across models

    @property
    def is_productive(self) -> bool:
        return self.productive_label is not None


def video_example(
    video: Video,
    moment: datetime | None = None,
    context: tuple[ContextEvent, ...] = (),
    timezone: str = "UTC",
) -> TrainingExample:
    """An unlabelled example of ``video`` to score, at ``moment`` after ``context`` (none: the
    context-free interest row). The model reads the duration as a float."""
    return TrainingExample(
        video_id=video.video_id,
        text=video.text,
        video_duration_s=None if video.duration_s is None else float(video.duration_s),
        moment=moment,
        context=context,
        interest_label=None,
        productive_label=None,
        timezone=timezone,
    )


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _label(value: Any, column: str) -> int | None:
    if _missing(value):
        return None
    label = int(value)
    if label not in (0, 1) or label != value:
        raise ValueError(f"{column} must be 0, 1 or missing, got {value!r}")
    return label


def _duration(value: Any) -> float | None:
    if _missing(value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _utc(value: Any) -> datetime:
    moment = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(f"feedback_at must be a timezone-aware datetime, got {value!r}")
    return moment.astimezone(UTC)


def _text(row: Any) -> str:
    return video_text(
        *(
            None if _missing(row.get(c)) else str(row.get(c))
            for c in ("title", "channel_title", "description")
        )
    )


def productive_key(row: Any) -> str:
    """``"productive:<feedback id>"`` of a ``productive_data`` row (a mapping)."""
    click = row.get("feedback_id")
    if _missing(click):
        return f"productive:{row['video_id']}@{_utc(row['feedback_at']).isoformat()}"
    return f"productive:{int(click)}"


def interest_key(row: Any) -> str:
    """``"interest:<video id>"`` of an ``interest_data`` row (a mapping)."""
    return f"interest:{row['video_id']}"


def examples_from_frames(
    interest_frame: pd.DataFrame | None, productive_frame: pd.DataFrame | None
) -> list[TrainingExample]:
    """Training examples from the ``interest_data`` and ``productive_data`` tables.

    interest_data: ``video_id, title, channel_title, description, duration_s, interest_label``.
    productive_data: ``feedback_id, video_id, title, channel_title, description, duration_s,
    productive_label, feedback_at (UTC), timezone (IANA), context_events (JSON list)``.
    Rows without a label are skipped (and counted in the log).
    """
    examples: list[TrainingExample] = []
    skipped = 0
    tables = (
        (interest_frame, "interest_label", _interest_example),
        (productive_frame, "productive_label", _productive_example),
    )
    for frame, label_column, example in tables:
        for row in [] if frame is None else frame.to_dict("records"):
            label = _label(row.get(label_column), label_column)
            if label is None:
                skipped += 1
            else:
                examples.append(example(row, label))
    if skipped:
        log.info("skipped %d rows without a label", skipped)
    return examples


def _row_example(row: Any) -> TrainingExample:
    """The unlabelled, context-free example of the video of an ``interest_data`` or
    ``productive_data`` row."""
    return TrainingExample(
        video_id=str(row["video_id"]),
        text=_text(row),
        video_duration_s=_duration(row.get("duration_s")),
        moment=None,
        context=(),
        interest_label=None,
        productive_label=None,
    )


def _interest_example(row: Any, label: int) -> TrainingExample:
    return replace(_row_example(row), interest_label=label, key=interest_key(row))


def _productive_example(row: Any, label: int) -> TrainingExample:
    zone = row.get("timezone")
    return replace(
        _row_example(row),
        moment=_utc(row["feedback_at"]),
        context=parse_context_events(row.get("context_events")),
        productive_label=label,
        timezone="UTC" if _missing(zone) else str(zone),
        key=productive_key(row),
    )
