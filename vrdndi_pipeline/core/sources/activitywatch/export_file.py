"""Read an ActivityWatch export file (the JSON the web UI's "Export all buckets" writes).

The whole file is checked here: a file that is missing, too large (``VRDNDI_MAX_IMPORT_MB``),
not JSON, or not an export is an :class:`ActivityDataError` that says what to do. Single events
are not checked here but in :func:`~vrdndi_pipeline.core.sources.activitywatch.events.window_activity`, where one bad
event is counted, never fatal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vrdndi_pipeline.core.sources.activitywatch.events import ActivityDataError, BucketInfo
from vrdndi_pipeline.core.sources.import_files import (
    DEFAULT_MAX_IMPORT_MB,
    ImportTooLarge,
    ImportUnreadable,
    read_import_file,
)

# Longer integers are read as +/-10**40 (outside every range an event may have), so one
# 5,000-digit id is one rejected event instead of Python's "exceeds the digit limit" error.
MAX_INT_DIGITS = 40

EXPORT_HOWTO = (
    "Export it again from the ActivityWatch web UI (Raw Data → Export all buckets as JSON), "
    "or point VRDNDI_AW_EXPORT_FILE at the right file."
)


@dataclass(frozen=True, slots=True)
class AwExport:
    """The buckets of an export file and their raw events."""

    buckets: tuple[BucketInfo, ...]
    events: Mapping[str, list[Any]]


def _parse_int(text: str) -> int:
    if len(text) <= MAX_INT_DIGITS:
        return int(text)
    return -(10**MAX_INT_DIGITS) if text.startswith("-") else 10**MAX_INT_DIGITS


def load_aw_export(path: Path, max_import_mb: int = DEFAULT_MAX_IMPORT_MB) -> AwExport:
    """Parse ``path`` (``.json`` or ``.json.gz``, at most ``max_import_mb`` MB, also once
    inflated); :class:`ActivityDataError` says what is wrong and what to do."""
    if not path.is_file():
        raise ActivityDataError(f"ActivityWatch export file {path} does not exist. {EXPORT_HOWTO}")
    try:
        raw = read_import_file(path, max_import_mb)
    except ImportTooLarge as error:
        raise ActivityDataError(str(error)) from None
    except ImportUnreadable as error:
        raise ActivityDataError(
            f"{error}: it is not a readable file, or a truncated or damaged gzip file. "
            f"{EXPORT_HOWTO}"
        ) from None
    except FileNotFoundError:
        raise ActivityDataError(
            f"ActivityWatch export file {path} does not exist. {EXPORT_HOWTO}"
        ) from None
    try:
        document = json.loads(raw, parse_int=_parse_int)
    except UnicodeDecodeError as error:
        raise ActivityDataError(f"{path} is not UTF-8 JSON ({error}). {EXPORT_HOWTO}") from None
    except json.JSONDecodeError as error:
        raise ActivityDataError(
            f"{path} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            f"the file may be truncated. {EXPORT_HOWTO}"
        ) from None
    except (ValueError, RecursionError) as error:  # e.g. arrays nested 100,000 deep
        raise ActivityDataError(
            f"{path} is not an ActivityWatch export: its JSON cannot be read "
            f"({type(error).__name__}: {str(error)[:120]}). {EXPORT_HOWTO}"
        ) from None
    return parse_aw_export(document, source=str(path))


def parse_aw_export(document: Any, source: str = "export") -> AwExport:
    """Buckets and events of an export document; the buckets are checked, the events not.

    Raises :class:`ActivityDataError` for anything but an object with a ``buckets`` object of
    bucket objects, each with a text ``type`` and ``hostname``, a list of ``events`` and an id
    no other bucket has.
    """
    if not isinstance(document, Mapping) or not isinstance(document.get("buckets"), Mapping):
        raise ActivityDataError(
            f"{source} is not an ActivityWatch export: expected an object with a 'buckets' "
            f"object. {EXPORT_HOWTO}"
        )
    buckets: list[BucketInfo] = []
    events: dict[str, list[Any]] = {}
    for raw_key, bucket in document["buckets"].items():
        key = str(raw_key)
        if not isinstance(bucket, Mapping):
            raise ActivityDataError(
                f"{source}: bucket {key[:80]!r} is not an object. {EXPORT_HOWTO}"
            )
        bucket_id = bucket.get("id")
        if not isinstance(bucket_id, str) or not bucket_id:
            bucket_id = key
        missing = [f for f in ("type", "hostname") if not isinstance(bucket.get(f), str)]
        if missing:
            raise ActivityDataError(
                f"{source}: bucket {bucket_id[:80]!r} has no {' or '.join(missing)}. {EXPORT_HOWTO}"
            )
        bucket_events = bucket.get("events", [])
        if not isinstance(bucket_events, list):
            raise ActivityDataError(
                f"{source}: events of bucket {bucket_id[:80]!r} are not a list. {EXPORT_HOWTO}"
            )
        if bucket_id in events:
            raise ActivityDataError(
                f"{source}: two buckets have the id {bucket_id[:80]!r}. {EXPORT_HOWTO}"
            )
        buckets.append(BucketInfo(id=bucket_id, type=bucket["type"], hostname=bucket["hostname"]))
        events[bucket_id] = bucket_events
    return AwExport(buckets=tuple(buckets), events=events)


def load_category_rules_file(path: Path) -> list[dict[str, Any]]:
    """Category rules saved as JSON: a list, or an object with a ``classes`` list."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ActivityDataError(
            f"category rules file {path} does not exist; fix VRDNDI_AW_CATEGORIES_FILE"
        ) from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ActivityDataError(
            f"category rules file {path} is not valid JSON ({error})"
        ) from error
    if isinstance(document, Mapping):
        document = document.get("classes")
    if not isinstance(document, list):
        raise ActivityDataError(
            f"category rules file {path} must hold a list of categories (or {{'classes': [...]}})"
        )
    return document
