"""The ``model_selections`` table: what each champion selection decided, for the feed's status
line ("v5 was not promoted: 0.47 against the champion's 0.81")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from vrdndi_pipeline.core.store.schema import model_selections


@dataclass(frozen=True, slots=True)
class ModelSelection:
    selected_at: datetime
    champion_version: str | None  # after the selection
    champion_family: str | None
    labels_total: int  # labels when training started
    summary: dict[str, Any]  # reason, promoted, versions {family: version}, scores {name: auc}


def record_selection(conn: Connection, selection: ModelSelection) -> None:
    conn.execute(
        insert(model_selections),
        {
            "selected_at": selection.selected_at,
            "champion_version": selection.champion_version,
            "champion_family": selection.champion_family,
            "labels_total": selection.labels_total,
            "summary": json.dumps(selection.summary, ensure_ascii=False),
        },
    )


def latest_selection(conn: Connection) -> ModelSelection | None:
    row = conn.execute(
        select(model_selections).order_by(model_selections.c.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    m = row._mapping
    try:
        summary = json.loads(m["summary"])
    except ValueError:
        summary = {}
    return ModelSelection(
        m["selected_at"], m["champion_version"], m["champion_family"], m["labels_total"], summary
    )


def champion_since(conn: Connection, version: str) -> datetime | None:
    """When ``version`` first became the champion (its first selection that left it there)."""
    return conn.execute(
        select(func.min(model_selections.c.selected_at)).where(
            model_selections.c.champion_version == version
        )
    ).scalar_one_or_none()
