"""A :class:`~vrdndi_pipeline.core.records.Video` in a store table: the table's columns that
are named like the record's fields, matched by name.

``videos`` holds every field; ``feed_predictions`` the ones the feed shows. Reading and writing
through these functions means a new field of ``Video`` reaches a table by adding the column
(and its migration) only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Column, Table

from vrdndi_pipeline.core.records import VIDEO_FIELDS, Video


def video_columns(table: Table) -> list[Column[Any]]:
    """The columns of ``table`` that hold a field of ``Video``, in the record's field order."""
    return [table.c[name] for name in VIDEO_FIELDS if name in table.c]


def video_from_row(row: Mapping[Any, Any]) -> Video:
    """The ``Video`` of a row holding some of its fields (``tags`` as a stored JSON list);
    fields the row lacks keep their defaults."""
    values = {name: row[name] for name in VIDEO_FIELDS if name in row}
    if "tags" in values:
        tags = values["tags"]
        values["tags"] = tuple(json.loads(tags) if isinstance(tags, str) else tags or ())
    return Video(**values)


def video_values(video: Video, table: Table) -> dict[str, Any]:
    """The values of ``video`` for the columns of ``table`` that hold its fields."""
    values = {c.name: getattr(video, c.name) for c in video_columns(table)}
    if "tags" in values:
        values["tags"] = json.dumps(list(values["tags"]), ensure_ascii=False)
    return values
