"""Where the user stopped labelling: ``<data dir>/labeller-progress.json``.

The labels themselves live in ``interest_labels``; this small file only remembers the video the
user was looking at and the videos they skipped, so a restart continues there. It is written
atomically (a temporary file in the same folder, then a rename): a crash leaves the old file or
the new one, never half of one. It has mode 0600 (only its owner reads it), its folder 0700 when
this module makes it.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from vrdndi_pipeline.core.private_files import FILE_MODE, private_dir
from vrdndi_pipeline.core.records import is_video_id

PROGRESS_FILE_NAME = "labeller-progress.json"
FORMAT_VERSION = 1


class ProgressFileError(ValueError):
    """The progress file exists but cannot be used (not JSON, or not the labeller's)."""


@dataclass(frozen=True, slots=True)
class Progress:
    """The saved position: the video on screen and the videos skipped, in skip order."""

    current_video_id: str | None = None
    skipped_ids: tuple[str, ...] = ()
    saved_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "current_video_id": self.current_video_id,
            "skipped_ids": list(self.skipped_ids),
            "saved_at": self.saved_at.isoformat() if self.saved_at else None,
        }

    @classmethod
    def from_json(cls, data: object) -> Progress:
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise ProgressFileError(f"not a version {FORMAT_VERSION} labeller progress file")
        current = data.get("current_video_id")
        skipped = data.get("skipped_ids", [])
        if current is not None and not is_video_id(current):
            raise ProgressFileError(f"current_video_id {current!r} is not a video id")
        if not isinstance(skipped, list) or not all(is_video_id(v) for v in skipped):
            raise ProgressFileError("skipped_ids must be a list of video ids")
        saved_at = data.get("saved_at")
        try:
            when = datetime.fromisoformat(saved_at) if isinstance(saved_at, str) else None
        except ValueError as error:
            raise ProgressFileError(f"saved_at {saved_at!r} is not an ISO time") from error
        return cls(current_video_id=current, skipped_ids=tuple(skipped), saved_at=when)


def progress_path(data_dir: Path) -> Path:
    """The progress file of the data folder ``data_dir``."""
    return Path(data_dir) / PROGRESS_FILE_NAME


def read_progress(path: Path) -> Progress:
    """The saved progress; an empty :class:`Progress` when no file was written yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Progress()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProgressFileError(f"{path} is not JSON: {error}") from error
    try:
        return Progress.from_json(data)
    except ProgressFileError as error:
        raise ProgressFileError(f"{path}: {error}") from error


def write_progress(path: Path, progress: Progress) -> None:
    """Replace the file at ``path`` with ``progress`` in one atomic rename (mode 0600)."""
    private_dir(path.parent, tighten=False)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)  # mkstemp's 0600 already; the rename keeps it
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(progress.to_json(), file, indent=2)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
