"""Bring a database to the newest schema with the bundled alembic migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from vrdndi_pipeline.core.store.database import lock_for_migration, write_transaction

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    """An alembic configuration pointing at the bundled migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_schema(engine: Engine) -> None:
    """Apply every migration that ``engine``'s database has not seen yet, in one transaction."""
    config = alembic_config()
    with write_transaction(engine) as conn:
        lock_for_migration(conn)
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def schema_revision(engine: Engine) -> str | None:
    """The migration revision the database is at (``None`` for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest migration revision shipped with this version of vrdndi."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
