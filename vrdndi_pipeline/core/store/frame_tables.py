"""Derived tables written from DataFrames, replaced atomically.

A derived table (one that vrdndi computes, never one that people write) is rebuilt in a staging
table and swapped in inside one transaction, so a reader sees the old rows or the new ones,
never an empty or half-written table. No ``to_sql(if_exists="replace")``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Engine,
    Float,
    MetaData,
    Table,
    Text,
    insert,
    inspect,
    select,
)
from sqlalchemy.types import TypeEngine

from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.schema import UtcDateTime

STAGING_SUFFIX = "__staging"


class FrameTableError(ValueError):
    """A DataFrame that cannot be stored as a table as it is."""


def _column_type(name: str, series: pd.Series) -> TypeEngine[Any]:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return Boolean()
    if pd.api.types.is_integer_dtype(dtype):
        return BigInteger()
    if pd.api.types.is_float_dtype(dtype):
        return Float()
    if isinstance(dtype, pd.DatetimeTZDtype):
        return UtcDateTime()
    if pd.api.types.is_datetime64_dtype(dtype):
        raise FrameTableError(
            f"column {name!r} holds naive datetimes; localise it to UTC first "
            "(series.dt.tz_localize('UTC'))"
        )
    return Text()


def _python_value(value: Any) -> Any:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None  # None, NaN, NaT and pd.NA alike
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def frame_table(table_name: str, frame: pd.DataFrame, metadata: MetaData | None = None) -> Table:
    """The table definition that stores ``frame``'s columns with their types."""
    if frame.columns.has_duplicates:
        raise FrameTableError(f"{table_name}: duplicate column names {list(frame.columns)}")
    columns = [Column(str(name), _column_type(str(name), frame[name])) for name in frame.columns]
    return Table(table_name, metadata or MetaData(), *columns)


def replace_table_with_frame(engine: Engine, table_name: str, frame: pd.DataFrame) -> int:
    """Replace table ``table_name`` by the rows of ``frame`` in one transaction; row count."""
    staging = frame_table(table_name + STAGING_SUFFIX, frame)
    records = [
        {k: _python_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")
    ]
    quote = engine.dialect.identifier_preparer.quote
    with write_transaction(engine) as conn:
        staging.drop(conn, checkfirst=True)
        staging.create(conn)
        if records:
            conn.execute(insert(staging), records)
        Table(table_name, MetaData()).drop(conn, checkfirst=True)
        conn.exec_driver_sql(f"ALTER TABLE {quote(staging.name)} RENAME TO {quote(table_name)}")
    return len(records)


def read_frame(engine: Engine, table_name: str) -> pd.DataFrame:
    """The rows of a table as a DataFrame, UTC datetimes restored as tz-aware columns."""
    with read_transaction(engine) as conn:
        if not inspect(conn).has_table(table_name):
            raise FrameTableError(
                f"table {table_name!r} does not exist yet: materialize its asset first"
            )
        table = Table(table_name, MetaData(), autoload_with=conn)
        result = conn.execute(select(table))
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    for column in table.columns:
        python_type = _reflected_python_type(column.type)
        if python_type is datetime:
            frame[column.name] = pd.to_datetime(frame[column.name], utc=True)
    return frame


def _reflected_python_type(type_: TypeEngine[Any]) -> type | None:
    try:
        return type_.python_type
    except NotImplementedError:
        return None
