"""``modq purge``: delete rejected and spam comments past their retention."""

from __future__ import annotations

import re
from datetime import timedelta

import click

UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class Duration(click.ParamType):
    """``30d``, ``12h`` or ``90m``."""

    name = "duration"

    def convert(self, value, param, ctx) -> timedelta:
        if isinstance(value, timedelta):
            return value
        match = re.fullmatch(r"\s*(\d{1,6})\s*([dhm])\s*", str(value))
        if not match:
            self.fail(f"{value!r} is not a duration such as 30d, 12h or 90m", param, ctx)
        return timedelta(**{UNITS[match[2]]: int(match[1])})


@click.command()
@click.option("--older-than", type=Duration(), default="30d", show_default=True,
              help="Delete what has been rejected or spam for longer than this (30d, 12h, 90m).")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def purge(older_than: timedelta, dry_run: bool) -> None:
    """Delete rejected and spam comments past their retention (they hold emails and IP hashes)."""
    from service.cli import load_settings
    from service.db import make_engine
    from service.retention import purge as delete_old
    from service.storage import init_db

    engine = make_engine(load_settings().database_url)
    init_db(engine)
    count = delete_old(engine, older_than, dry_run=dry_run)
    click.echo(f"{count} comment(s) {'would be deleted' if dry_run else 'deleted'}")
