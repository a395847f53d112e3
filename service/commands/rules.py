"""``modq rules``: the owner's sender rules from a terminal (same rules as /api/v1/rules)."""

from __future__ import annotations

import json

import click

from service.rules import RuleAction, RuleError, RuleKind, add_rule, list_rules, remove_rule


def _engine():
    from service.cli import load_settings
    from service.db import make_engine
    from service.storage import init_db

    engine = make_engine(load_settings().database_url)
    init_db(engine)
    return engine


@click.group()
def rules() -> None:
    """Block or trust senders by email, domain, IP prefix or a pattern in links.

    Block sends a comment to the spam folder, trust approves it; block wins. Rules apply
    to new submissions within a few seconds, before the model.
    """


@rules.command("add")
@click.argument("action", type=click.Choice([a.value for a in RuleAction]))
@click.argument("kind", type=click.Choice([k.value for k in RuleKind]))
@click.argument("pattern")
def add(action: str, kind: str, pattern: str) -> None:
    """Add a rule, e.g. `modq rules add block domain spam.example` or `... trust ip 203.0.113.0/24`."""
    try:
        rule = add_rule(_engine(), action, kind, pattern)
    except RuleError as exc:
        raise click.ClickException(" ".join([exc.message, *exc.fields.values()])) from None
    click.echo(f"rule {rule.id}: {rule.action.value} {rule.kind.value} {rule.pattern}")


@rules.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_all(as_json: bool) -> None:
    """List the rules with how many comments each decided."""
    for rule in list_rules(_engine()):
        if as_json:
            click.echo(json.dumps(rule.as_dict(), ensure_ascii=False))
        else:
            click.echo(f"{rule.id:>4}  {rule.action.value:<5}  {rule.kind.value:<6}  {rule.hits:>6} hits  "
                       f"{rule.pattern}")


@rules.command("remove")
@click.argument("rule_id", type=int)
def remove(rule_id: int) -> None:
    """Remove a rule by its id (see `modq rules list`)."""
    if not remove_rule(_engine(), rule_id):
        raise click.ClickException(f"no rule {rule_id}")
    click.echo(f"rule {rule_id} removed")
