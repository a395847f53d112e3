"""The ``modq`` command line: help everywhere, and the terminal review flow."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from service.cli import main
from service.storage import NewComment, ScoreRecord, Status, add_comment, get_comment, record_scores


@pytest.fixture
def runner(settings, monkeypatch):
    monkeypatch.setenv("MODQ_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MODQ_VAR_DIR", str(settings.var_dir))
    return CliRunner()


@pytest.mark.parametrize("command", [[], ["up"], ["serve"], ["worker"], ["review"], ["review", "list"],
                                     ["review", "approve"], ["train"], ["evaluate"], ["models"]])
def test_every_command_explains_itself(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and len(result.output.splitlines()) > 3


def test_review_list_shows_the_queue_and_approve_moves_a_comment(runner, app, engine):
    comment_id = add_comment(engine, NewComment(post="p", name="花子", email="h@example.jp",
                                                homepage="", body="こんにちは\n二行目"))
    record_scores(engine, [ScoreRecord(comment_id, 0.25, ['"subscribe"'], "v1", Status.REVIEW)])
    listed = runner.invoke(main, ["review", "list"])
    assert listed.exit_code == 0
    assert "こんにちは 二行目" in listed.output and "0.250" in listed.output and "subscribe" in listed.output
    as_json = runner.invoke(main, ["review", "list", "--json"])
    assert json.loads(as_json.output.splitlines()[0])["body"] == "こんにちは\n二行目"
    approved = runner.invoke(main, ["review", "approve", str(comment_id)])
    assert approved.exit_code == 0 and f"{comment_id}: approved" in approved.output
    assert get_comment(engine, comment_id)["status"] == Status.APPROVED


def test_review_of_an_unknown_comment_fails_with_a_message(runner, app):
    result = runner.invoke(main, ["review", "reject", "424242"])
    assert result.exit_code == 1 and "no such comment" in result.output
    shown = runner.invoke(main, ["review", "show", "424242"])
    assert shown.exit_code != 0 and "no comment 424242" in shown.output
