"""``modq review``: clear the queue from a terminal, against the database directly."""

from __future__ import annotations

import json

import click

from service.listing import SORTS, ReviewQuery, list_for_review
from service.storage import Decision, Status, decide, get_comment
from service.views import owner_view


def _engine():
    from service.cli import load_settings
    from service.db import make_engine
    from service.storage import init_db

    engine = make_engine(load_settings().database_url)
    init_db(engine)
    return engine


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@click.group()
def review() -> None:
    """List the review queue and approve, reject or mark comments from the terminal."""


@review.command("list")
@click.option("--status", type=click.Choice([s.value for s in Status]), default="review", show_default=True)
@click.option("--sort", type=click.Choice(list(SORTS)), default="score_desc", show_default=True)
@click.option("--post", default=None, help="Only this thread.")
@click.option("--search", default=None, help="Text to find in name, email or body.")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_comments(status: str, sort: str, post: str | None, search: str | None, limit: int,
                  as_json: bool) -> None:
    """Show a page of comments in a status, most likely spam first."""
    rows, total = list_for_review(_engine(), ReviewQuery(Status(status), sort, 1, limit, post, search))
    for row in rows:
        view = owner_view(row)
        if as_json:
            click.echo(json.dumps(view, ensure_ascii=False))
            continue
        score = "  -  " if view["spam_score"] is None else f"{view['spam_score']:.3f}"
        click.echo(f"{view['id']:>6}  {score}  {_one_line(view['name'], 16):<16}  "
                   f"{_one_line(view['body'], 60)}")
        if view["reasons"]:
            click.echo(" " * 15 + "reasons: " + ", ".join(view["reasons"]))
    if not as_json:
        click.echo(f"{len(rows)} of {total} {status} comment(s)")


@review.command()
@click.argument("comment_id", type=int)
def show(comment_id: int) -> None:
    """Print one comment with everything stored about it, as JSON."""
    row = get_comment(_engine(), comment_id)
    if row is None:
        raise click.ClickException(f"no comment {comment_id}")
    click.echo(json.dumps(owner_view(row), ensure_ascii=False, indent=2))


def _decision_command(decision: Decision, help_text: str) -> click.Command:
    @click.command(name=decision.value, help=help_text)
    @click.argument("comment_ids", type=int, nargs=-1, required=True)
    def command(comment_ids: tuple[int, ...]) -> None:
        engine = _engine()
        failed = 0
        for comment_id in comment_ids:
            if get_comment(engine, comment_id) is None:
                click.echo(f"{comment_id}: no such comment", err=True)
                failed += 1
            elif (status := decide(engine, comment_id, decision)) is None:
                click.echo(f"{comment_id}: cannot {decision.value} it in its current status", err=True)
                failed += 1
            else:
                click.echo(f"{comment_id}: {status.value}")
        if failed:
            raise click.exceptions.Exit(1)

    return command


for _decision, _help in (
    (Decision.APPROVE, "Approve comments: they are shown on the blog."),
    (Decision.REJECT, "Reject comments: never shown, and not a spam label."),
    (Decision.SPAM, "Mark comments as spam: moved to the spam folder, learned as spam."),
    (Decision.HAM, "Mark spam-folder comments as not spam: back to the review queue."),
):
    review.add_command(_decision_command(_decision, _help))
