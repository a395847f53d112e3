"""The database schema's version: Alembic migrations, applied at every start.

The web service, each worker and ``modq db upgrade`` all call ``upgrade``; several of
them may start at once against one empty database, so the whole upgrade runs in one
transaction that holds a lock (PostgreSQL: an advisory lock; SQLite: ``BEGIN
IMMEDIATE``, see ``service.db``). The others wait, then find the schema current.

Databases created before migrations existed (by ``metadata.create_all``) have tables
but no ``alembic_version``: they are stamped, then upgraded like any other.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from service.storage import SCHEMA_LOCK_ID, metadata

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BASELINE = "0001"  # the schema ``metadata.create_all`` made before migrations existed


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration in code: no alembic.ini needed by an installed modq."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head() -> str:
    """The newest revision shipped with this code (read from disk once per process)."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"modq's migrations must have exactly one head, found {heads}")
    return heads[0]


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_ID})


def _stamp_if_unversioned(connection: Connection) -> None:
    """A create_all database: stamp head if it already matches, else the baseline."""
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" in tables or "comments" not in tables:
        return
    matches = not compare_metadata(MigrationContext.configure(connection), metadata)
    command.stamp(alembic_config(connection), "head" if matches else BASELINE)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision``; cheap (one SELECT) when it is already there."""
    if revision == "head":
        with engine.connect() as connection:
            if current(connection) == head():
                return
    with engine.begin() as connection:
        _lock(connection)
        _stamp_if_unversioned(connection)
        command.upgrade(alembic_config(connection), revision)
