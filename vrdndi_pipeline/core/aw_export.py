"""Read an ActivityWatch export file (the JSON the web UI's "Export all buckets" writes)."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vrdndi_pipeline.core.activity import ActivityDataError, BucketInfo

EXPORT_HOWTO = (
    "Export it again from the ActivityWatch web UI (Raw Data → Export all buckets as JSON), "
    "or point VRDNDI_AW_EXPORT_FILE at the right file."
)


@dataclass(frozen=True, slots=True)
class AwExport:
    """The buckets of an export file and their raw events."""

    buckets: tuple[BucketInfo, ...]
    events: Mapping[str, list[Any]]


def load_aw_export(path: Path) -> AwExport:
    """Parse ``path`` (``.json`` or ``.json.gz``); :class:`ActivityDataError` says what is wrong."""
    if not path.is_file():
        raise ActivityDataError(f"ActivityWatch export file {path} does not exist. {EXPORT_HOWTO}")
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        document = json.loads(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise ActivityDataError(
            f"{path} is not a readable gzip file ({error}). {EXPORT_HOWTO}"
        ) from error
    except UnicodeDecodeError as error:
        raise ActivityDataError(f"{path} is not UTF-8 JSON ({error}). {EXPORT_HOWTO}") from error
    except json.JSONDecodeError as error:
        raise ActivityDataError(
            f"{path} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            f"the file may be truncated. {EXPORT_HOWTO}"
        ) from error
    return parse_aw_export(document, source=str(path))


def parse_aw_export(document: Any, source: str = "export") -> AwExport:
    """Buckets and events of an export document, validated."""
    if not isinstance(document, Mapping) or not isinstance(document.get("buckets"), Mapping):
        raise ActivityDataError(
            f"{source} is not an ActivityWatch export: expected an object with a 'buckets' "
            f"object. {EXPORT_HOWTO}"
        )
    buckets: list[BucketInfo] = []
    events: dict[str, list[Any]] = {}
    for key, bucket in document["buckets"].items():
        if not isinstance(bucket, Mapping):
            raise ActivityDataError(f"{source}: bucket {key!r} is not an object. {EXPORT_HOWTO}")
        bucket_id = bucket.get("id") or key
        missing = [f for f in ("type", "hostname") if not isinstance(bucket.get(f), str)]
        if missing:
            raise ActivityDataError(
                f"{source}: bucket {bucket_id!r} has no {' or '.join(missing)}. {EXPORT_HOWTO}"
            )
        bucket_events = bucket.get("events", [])
        if not isinstance(bucket_events, list):
            raise ActivityDataError(f"{source}: events of bucket {bucket_id!r} are not a list.")
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
