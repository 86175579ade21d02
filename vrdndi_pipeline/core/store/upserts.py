"""Idempotent upserts by natural key: writing the same rows twice changes nothing.

A row is only rewritten when one of its values really differs (``IS DISTINCT FROM``), so the
counts say what changed, and re-ingesting the same data reports zero changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

# Rows per INSERT statement batch; SQLAlchemy splits further by the backend's parameter limit.
DEFAULT_CHUNK_ROWS = 5_000


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """What an upsert did: rows new, rows whose values changed, rows already identical."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.inserted + self.updated

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )

    def as_metadata(self, prefix: str = "") -> dict[str, int]:
        return {
            f"{prefix}inserted": self.inserted,
            f"{prefix}updated": self.updated,
            f"{prefix}unchanged": self.unchanged,
        }


def insert_statement_for(conn: Connection, table: Table) -> Any:
    name = conn.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"upserts support SQLite and PostgreSQL, not {name}")


def insert_new(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], key: Sequence[str]
) -> int:
    """Append the ``rows`` whose ``key`` columns are not stored yet (an append-only table's
    idempotent write: a retry inserts nothing twice); returns how many were new."""
    if not rows:
        return 0
    statement = (
        insert_statement_for(conn, table)
        .on_conflict_do_nothing(index_elements=list(key))
        .returning(*table.primary_key.columns)
    )
    return len(conn.execute(statement, [dict(r) for r in rows]).all())


def _row_count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def upsert_rows(
    conn: Connection,
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    *,
    update_columns: Sequence[str] | None = None,
    keep_existing_when_null: Sequence[str] = (),
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> UpsertCounts:
    """Insert ``rows`` into ``table``, updating rows whose primary key already exists.

    ``update_columns`` are the columns a conflicting row may change (default: every column that
    is not part of the primary key); an empty sequence means "insert new rows only".
    ``keep_existing_when_null`` columns keep their stored value when the new one is NULL, so a
    poorer source never blanks what a richer one wrote. Runs inside the caller's transaction:
    the caller decides what is committed together. ``rows`` may be a generator; it is consumed
    in chunks, so memory stays flat.
    """
    key_columns = [c.name for c in table.primary_key.columns]
    if update_columns is None:
        update_columns = [c.name for c in table.columns if c.name not in key_columns]
    before = _row_count(conn, table)
    affected = 0
    seen = 0
    insert = insert_statement_for(conn, table)
    excluded = insert.excluded

    def new_value(column: str) -> Any:
        if column in keep_existing_when_null:
            return func.coalesce(excluded[column], table.c[column])
        return excluded[column]

    if update_columns:
        statement = insert.on_conflict_do_update(
            index_elements=key_columns,
            set_={c: new_value(c) for c in update_columns},
            where=or_(*(new_value(c).is_distinct_from(table.c[c]) for c in update_columns)),
        )
    else:
        statement = insert.on_conflict_do_nothing(index_elements=key_columns)
    statement = statement.returning(*(table.c[k] for k in key_columns))

    iterator = iter(rows)
    while chunk := list(islice(iterator, chunk_rows)):
        seen += len(chunk)
        affected += len(conn.execute(statement, chunk).all())
    inserted = _row_count(conn, table) - before
    updated = affected - inserted
    return UpsertCounts(inserted=inserted, updated=updated, unchanged=seen - affected)
