"""The quarantine: source items that failed validation, one row per (source, item, reason).

An asset writes its rejections in the same transaction as its accepted rows, so a rerun that
meets the same bad item again bumps ``times_seen`` and ``last_seen`` instead of adding a row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, select

from vrdndi_pipeline.core.store.schema import rejected_items
from vrdndi_pipeline.core.store.upserts import insert_statement_for
from vrdndi_pipeline.core.validation import Rejection, item_key

SOURCES = ("takeout", "activitywatch", "youtube")


def record_rejections(
    conn: Connection, source: str, rejections: Iterable[Rejection], now: datetime
) -> int:
    """Keep ``rejections`` of ``source``; returns how many distinct items were written."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
    seen = Counter((item_key(r.key), r.reason[:64]) for r in rejections)
    if not seen:
        return 0
    rows = [
        {
            "source": source,
            "item_key": key,
            "reason": reason,
            "first_seen": now,
            "last_seen": now,
            "times_seen": times,
        }
        for (key, reason), times in seen.items()
    ]
    insert = insert_statement_for(conn, rejected_items)
    statement = insert.on_conflict_do_update(
        index_elements=["source", "item_key", "reason"],
        set_={
            "last_seen": insert.excluded.last_seen,
            "times_seen": rejected_items.c.times_seen + insert.excluded.times_seen,
        },
    )
    conn.execute(statement, rows)
    return len(rows)


def rejected_counts(conn: Connection, source: str | None = None) -> dict[str, int]:
    """Distinct rejected items per reason (of one source, or all)."""
    statement = select(rejected_items.c.reason, rejected_items.c.item_key)
    if source is not None:
        statement = statement.where(rejected_items.c.source == source)
    return dict(Counter(reason for reason, _ in conn.execute(statement)))
