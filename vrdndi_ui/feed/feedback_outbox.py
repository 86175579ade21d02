"""Feedback clicks on their way to the ``feedback`` table; none is dropped.

A click gets its ``click_id`` once, when it is made. :meth:`FeedbackOutbox.submit` writes it;
when the write fails (database locked, server unreachable) the click stays queued with the
same id, is saved to a small file so a restart keeps it, and is written again by
:meth:`FeedbackOutbox.flush` (a retry button, a timer). ``insert_feedback`` ignores an id it
has stored already, so a retry never doubles a row.

The queue file is JSON Lines, one click per line, replaced atomically (mode 0600). It is read
line by line: a line that is no click (not JSON, not UTF-8, wrong fields, a bad video id, a
time without zone, ...) is appended alone, byte for byte, to ``<queue file>.unreadable`` and
counted in :attr:`FeedbackOutbox.set_aside`; every good click is still retried. A queue of the
previous version (one JSON array) is read too, each element checked alone.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine

from vrdndi_pipeline.core.private_files import open_private, private_dir, tighten_file
from vrdndi_pipeline.core.records import is_video_id
from vrdndi_pipeline.core.store.database import write_transaction
from vrdndi_pipeline.core.store.people_tables import FEEDBACK_KINDS, FeedbackClick, insert_feedback
from vrdndi_pipeline.core.validation import YOUTUBE_EPOCH, RecordRejected, checked_time

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

CLICK_FIELDS = frozenset(("click_id", "video_id", "kind", "value", "created_at", "timezone"))
MAX_LINE_BYTES = 4_096  # a click is about 200 bytes; a longer line is set aside unparsed
_CLICK_ID = re.compile(r"[\x21-\x7e]{1,64}")  # printable ASCII, as uuid4().hex


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
        # why queued lines were set aside at start, e.g. {"not_json": 1, "bad_video_id": 2}
        self.set_aside: Counter[str] = Counter()
        if queue_file is not None and queue_file.exists():
            tighten_file(queue_file)  # a queue of an earlier version may be 0644
            self._pending, self.set_aside = _read_queue(queue_file)
            if self._pending:
                logger.warning("%d feedback clicks from the last run wait to be saved", len(self))
            if self.set_aside or not self._pending:
                self._save_queue()  # the bad lines are kept aside: the queue holds the rest

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
                private_dir(self._queue_file.parent, tighten=False)
                tmp = self._queue_file.with_name(f"{self._queue_file.name}.{uuid.uuid4().hex}.tmp")
                with open_private(tmp) as fh:  # mode 0600, kept by the rename
                    fh.writelines(json.dumps(row) + "\n" for row in rows)
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


def _read_queue(path: Path) -> tuple[dict[str, FeedbackClick], Counter[str]]:
    """The clicks of the queue file and the count of its entries set aside, by reason."""
    try:
        data = path.read_bytes()
    except OSError as error:  # unreadable as a whole: moved aside, so no save replaces it
        kept = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.unreadable")
        logger.error("unreadable feedback queue %s (moved to %s): %s", path, kept, error)
        try:
            os.replace(path, kept)
        except OSError:
            pass
        return {}, Counter({"file_unreadable": 1})
    clicks: dict[str, FeedbackClick] = {}
    bad: list[tuple[str, bytes]] = []
    for raw, value, reason in _entries(data):
        if reason is not None:
            bad.append((reason, raw))
            continue
        try:
            click = _click_of(value)
        except RecordRejected as error:
            bad.append((error.reason, raw))
        else:
            clicks[click.click_id] = click
    counts = Counter(reason for reason, _ in bad)
    if bad:
        _set_aside(path, [raw for _, raw in bad])
        logger.error(
            "set aside %d unreadable line(s) of the feedback queue %s in %s (%s); %d click(s) kept",
            len(bad),
            path,
            path.with_name(path.name + ".unreadable"),
            ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items())),
            len(clicks),
        )
    return clicks, counts


def _entries(data: bytes) -> Iterator[tuple[bytes, object, str | None]]:
    """``(raw bytes, parsed JSON, None)`` for each entry of a queue file, ``(raw bytes, None,
    reason)`` for an entry that is no JSON at all. A file that starts with ``[`` is the previous
    version's array, unless it is no JSON as a whole."""
    if data.lstrip().startswith(b"["):
        try:
            rows = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError):  # also UnicodeDecodeError: read it as lines
            pass
        else:
            if isinstance(rows, list):
                for row in rows:
                    yield json.dumps(row).encode(), row, None
                return
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_BYTES:
            yield line, None, "line_too_long"
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            yield line, None, "not_utf8"
            continue
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: nested too deep
            yield line, None, "not_json"
        else:
            yield line, value, None


def _click_of(value: object) -> FeedbackClick:
    """The click a queue entry holds; :class:`RecordRejected` says why it holds none."""
    if not isinstance(value, dict):
        raise RecordRejected("not_an_object", type(value).__name__)
    if set(value) != CLICK_FIELDS:
        raise RecordRejected("wrong_fields", ", ".join(sorted(map(str, value))[:10]))
    row: dict[str, Any] = value
    if not isinstance(row["click_id"], str) or not _CLICK_ID.fullmatch(row["click_id"]):
        raise RecordRejected("bad_click_id")
    if not is_video_id(row["video_id"]):
        raise RecordRejected("bad_video_id")
    if row["kind"] not in FEEDBACK_KINDS:
        raise RecordRejected("bad_kind")
    if type(row["value"]) is not int or row["value"] not in (0, 1):
        raise RecordRejected("bad_value")
    if not isinstance(row["created_at"], str):
        raise RecordRejected("bad_time")
    try:
        created = datetime.fromisoformat(row["created_at"])
    except ValueError:
        raise RecordRejected("bad_time") from None
    created = checked_time(created, earliest=YOUTUBE_EPOCH, now=datetime.now(UTC))
    zone = row["timezone"]
    try:
        if not isinstance(zone, str) or len(zone) > 64:
            raise ValueError(zone)
        ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError, OSError):
        raise RecordRejected("bad_timezone") from None
    try:
        return FeedbackClick(**{**row, "created_at": created})
    except (TypeError, ValueError) as error:
        raise RecordRejected("bad_click", str(error)[:100]) from None


def _set_aside(path: Path, lines: list[bytes]) -> None:
    """Append ``lines`` to ``<path>.unreadable`` (mode 0600), each as it was read."""
    kept = path.with_name(path.name + ".unreadable")
    try:
        fd = os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "ab") as fh:
            fh.write(b"".join(line.rstrip(b"\r\n") + b"\n" for line in lines))
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as error:
        logger.error("could not keep the unreadable feedback clicks in %s: %s", kept, error)
