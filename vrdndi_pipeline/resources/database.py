"""The application database as a Dagster resource, and the IO manager for DataFrame assets."""

from __future__ import annotations

import dagster as dg
import pandas as pd
from pydantic import PrivateAttr
from sqlalchemy import Engine

from vrdndi_pipeline.core.store.database import open_database
from vrdndi_pipeline.core.store.frame_tables import read_frame, replace_table_with_frame
from vrdndi_pipeline.resources.env_var_config import EnvVarString


class AppDatabase(dg.ConfigurableResource):
    """vrdndi's SQLAlchemy database (SQLite file by default, PostgreSQL by URL).

    The schema is brought up to date (alembic) once per run, before the first asset writes.
    `url` may be a `dg.EnvVar` (a PostgreSQL URL holds the password).
    """

    url: EnvVarString
    _engine: Engine | None = PrivateAttr(default=None)

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_database(self.url)
        return self._engine

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


class SqlTableIOManager(dg.ConfigurableIOManager):
    """Stores each DataFrame asset as a table of the application database, named after it.

    The table is replaced in one transaction, so readers never see it empty or half written.
    """

    database: AppDatabase

    @staticmethod
    def table_name(key: dg.AssetKey) -> str:
        return "__".join(key.path)

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame) -> None:
        if not isinstance(obj, pd.DataFrame):
            raise TypeError(
                f"{context.asset_key.to_user_string()} returned {type(obj).__name__}; "
                "SqlTableIOManager stores pandas DataFrames only"
            )
        name = self.table_name(context.asset_key)
        rows = replace_table_with_frame(self.database.engine(), name, obj)
        context.add_output_metadata({"table": name, "dagster/row_count": rows})

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        return read_frame(self.database.engine(), self.table_name(context.asset_key))
