"""``modq export`` and ``modq import``: comments as JSON Lines, and Isso's database.

Both work on the database directly (MODQ_DATABASE_URL), so they run with the web service
stopped or running; an import is one transaction.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from service.storage import Status


def _engine():
    from service.cli import load_settings
    from service.db import make_engine
    from service.storage import init_db

    engine = make_engine(load_settings().database_url)
    init_db(engine)
    return engine


@click.command(name="export")
@click.option("--status", "statuses", multiple=True, type=click.Choice([s.value for s in Status]),
              help="Only comments in this status (repeatable). Default: all.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write here instead of standard output.")
def export_comments(statuses: tuple[str, ...], output) -> None:
    """Write comments as JSON Lines, one comment per line, oldest first (see the README)."""
    from service.transfer import export_lines

    count = 0
    for line in export_lines(_engine(), statuses):
        output.write(line + "\n")
        count += 1
    click.echo(f"exported {count} comment(s)", err=True)


@click.command(name="import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--isso", is_flag=True, help="SOURCE is an Isso SQLite database (comments.db).")
def import_comments(source: Path, isso: bool) -> None:
    """Add the comments in SOURCE (a modq JSON Lines export, or with --isso an Isso database).

    All or nothing: a bad line stops the import before anything is written. Comments get
    new ids; unscored ones are scored by the worker.
    """
    from service.cli import load_settings
    from service.records import insert_rows
    from service.submit import ip_hash
    from service.transfer import TransferError, read_isso, read_lines

    settings = load_settings()
    try:
        if isso:
            rows = read_isso(source, lambda address: ip_hash(address, settings.secret_key))
        elif str(source) == "-":
            rows = read_lines(sys.stdin)
        else:
            with source.open(encoding="utf-8") as stream:
                rows = read_lines(stream)
    except (TransferError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{source}: {exc}; nothing was imported") from None
    ids = insert_rows(_engine(), rows)
    waiting = sum(row["status"] == Status.RECEIVED.value for row in rows)
    click.echo(f"imported {len(ids)} comment(s); {waiting} will be scored by the worker")
