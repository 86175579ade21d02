"""Feedback clicks on their way to the ``feedback`` table; none is dropped.

A click gets its ``click_id`` once, when it is made. :meth:`FeedbackOutbox.submit` writes it;
when the write fails (database locked, server unreachable) the click stays queued with the
same id, is saved to a small JSON file so a restart keeps it, and is written again by
:meth:`FeedbackOutbox.flush` (a retry button, a timer). ``insert_feedback`` ignores an id it
has stored already, so a retry never doubles a row.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from vrdndi_pipeline.core.store.database import write_transaction
from vrdndi_pipeline.core.store.people_tables import FeedbackClick, insert_feedback

logger = logging.getLogger(__name__)

# button label -> (kind, value), in the order the player shows them: two either-or pairs
FEEDBACK_BUTTONS: dict[str, tuple[str, int]] = {
    "Interesting": ("interest", 1),
    "Not interested": ("interest", 0),
    "Good time now": ("productive", 1),
    "Not now": ("productive", 0),
}
BUTTON_OF = {value: label for label, value in FEEDBACK_BUTTONS.items()}

WriteClicks = Callable[[Sequence[FeedbackClick]], int]


def new_click(
    video_id: str, label: str, timezone: str, now: datetime | None = None
) -> FeedbackClick:
    """The click of one feedback button, with a fresh id and the time in UTC."""
    kind, value = FEEDBACK_BUTTONS[label]
    return FeedbackClick(
        click_id=uuid.uuid4().hex,
        video_id=video_id,
        kind=kind,
        value=value,
        created_at=(now or datetime.now(UTC)).astimezone(UTC),
        timezone=timezone,
    )


def database_writer(engine: Engine) -> WriteClicks:
    """The site's write function: append clicks in one write transaction."""

    def write(clicks: Sequence[FeedbackClick]) -> int:
        with write_transaction(engine) as conn:
            return insert_feedback(conn, list(clicks))

    return write


@dataclass(frozen=True, slots=True)
class SubmitResult:
    click: FeedbackClick
    saved: bool
    error: str | None  # why the write failed; the click is queued then


class FeedbackOutbox:
    """Clicks not yet written, keyed by ``click_id``; thread-safe."""

    def __init__(self, write: WriteClicks, queue_file: Path | None = None) -> None:
        self._write = write
        self._queue_file = queue_file
        self._pending: dict[str, FeedbackClick] = {}
        self._lock = threading.Lock()
        self._save_lock = threading.Lock()
        self.last_error: str | None = None
        if queue_file is not None and queue_file.exists():
            self._pending = _read_queue(queue_file)
            if self._pending:
                logger.warning("%d feedback clicks from the last run wait to be saved", len(self))

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def pending(self) -> list[FeedbackClick]:
        with self._lock:
            return list(self._pending.values())

    def submit(self, click: FeedbackClick) -> SubmitResult:
        """Write ``click`` (and any queued ones); on failure keep it queued."""
        with self._lock:
            self._pending[click.click_id] = click
        error = self.flush()
        with self._lock:
            saved = click.click_id not in self._pending
        return SubmitResult(click, saved, None if saved else error)

    def flush(self) -> str | None:
        """Write every queued click in one transaction; ``None`` on success, else the error."""
        clicks = self.pending()
        if not clicks:
            return None
        try:
            self._write(clicks)
        except Exception as error:  # any failure keeps the clicks; nothing is dropped
            message = _describe(error)
            logger.warning("could not save %d feedback clicks: %s", len(clicks), message)
            self.last_error = message
            self._save_queue()
            return message
        with self._lock:
            for click in clicks:
                self._pending.pop(click.click_id, None)
        self.last_error = None
        self._save_queue()
        return None

    def _save_queue(self) -> None:
        if self._queue_file is None:
            return
        # One writer at a time from snapshot to rename: an older snapshot never replaces a
        # newer one, and two writers never share a temporary file.
        with self._save_lock:
            with self._lock:
                rows = [_to_json(c) for c in self._pending.values()]
            try:
                if not rows:
                    self._queue_file.unlink(missing_ok=True)
                    return
                self._queue_file.parent.mkdir(parents=True, exist_ok=True)
                tmp = self._queue_file.with_name(f"{self._queue_file.name}.{uuid.uuid4().hex}.tmp")
                with open(tmp, "w", encoding="utf-8") as fh:
                    fh.write(json.dumps(rows, indent=1))
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self._queue_file)
            except OSError as error:  # the clicks are still queued in memory
                logger.error("could not save the feedback queue to %s: %s", self._queue_file, error)


def _describe(error: Exception) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:200]


def _to_json(click: FeedbackClick) -> dict[str, object]:
    return {**click.row(), "created_at": click.created_at.isoformat()}


def _read_queue(path: Path) -> dict[str, FeedbackClick]:
    try:
        rows = json.loads(path.read_text())
        clicks = [
            FeedbackClick(**{**r, "created_at": datetime.fromisoformat(r["created_at"])})
            for r in rows
        ]
    except (OSError, ValueError, TypeError, KeyError) as error:
        kept = path.with_name(path.name + ".unreadable")
        logger.error("unreadable feedback queue %s (moved to %s): %s", path, kept, error)
        try:
            os.replace(path, kept)
        except OSError:
            pass
        return {}
    return {c.click_id: c for c in clicks}
