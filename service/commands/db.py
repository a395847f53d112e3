"""``modq db``: the schema's migrations (Alembic), for operators and developers.

Every start of the web service or a worker upgrades the schema by itself; ``modq db
upgrade`` does it ahead of a deploy, and ``modq db current`` says where a database is.
"""

from __future__ import annotations

import click


def _engine():
    from service.cli import load_settings
    from service.db import make_engine

    return make_engine(load_settings().database_url)


@click.group()
def db() -> None:
    """Database schema migrations (the database is MODQ_DATABASE_URL)."""


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the schema to REVISION (default: the newest one shipped with modq)."""
    from service.schema import current
    from service.schema import upgrade as run_upgrade

    engine = _engine()
    run_upgrade(engine, revision)
    with engine.connect() as connection:
        click.echo(f"database at revision {current(connection)}")


@db.command(name="current")
@click.option("--check", is_flag=True, help="Exit with status 1 unless the schema is up to date.")
def show_current(check: bool) -> None:
    """Show the database's schema revision and the newest one this modq ships."""
    from service.schema import current, head

    with _engine().connect() as connection:
        revision = current(connection)
    newest = head()
    state = "up to date" if revision == newest else "behind: run `modq db upgrade`"
    click.echo(f"database: {revision or 'none'}  newest: {newest}  ({state})")
    if check and revision != newest:
        raise SystemExit(1)


@db.command()
@click.option("-m", "--message", required=True, help="What the change is for.")
def revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database.

    For developers, from a source checkout: point MODQ_DATABASE_URL at a scratch database,
    change ``service/storage.py``, then run this and read (and tidy) the generated script.
    """
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from service.schema import alembic_config, head, upgrade
    from service.storage import metadata

    engine = _engine()
    upgrade(engine)
    with engine.begin() as connection:
        if not compare_metadata(MigrationContext.configure(connection), metadata):
            raise click.ClickException("service/storage.py and the migrations agree: nothing to write")
        command.revision(alembic_config(connection), message=message, autogenerate=True,
                         rev_id=f"{int(head()) + 1:04d}")  # 0001, 0002, ...: the order is the name
