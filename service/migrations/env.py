"""Alembic's environment for modq: the app's own engine and ``service.storage.metadata``.

``service.schema`` passes an open connection (inside a transaction it has locked) in
``config.attributes["connection"]``; the plain ``alembic`` command line, run from the
repository, gets an engine for ``MODQ_DATABASE_URL`` exactly as the app would build it.
"""

from __future__ import annotations

from alembic import context

from service.storage import metadata


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    from service.db import make_engine
    from service.settings import Settings

    engine = make_engine(Settings.from_env().database_url)
    try:
        with engine.connect() as connection:
            _configure_and_run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("modq's migrations run against a database; offline (--sql) mode is not supported")
run_migrations_online()
