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


COMMANDS_READING_SETTINGS = [
    ["train"], ["rescore"], ["status"], ["retry-failed"], ["review", "list"], ["models", "list"],
    ["models", "rollback"], ["purge", "--dry-run"], ["export"], ["rules", "list"], ["db", "current"],
    ["worker", "--burst"], ["serve"], ["up"],
]


@pytest.mark.parametrize("value", ["abc", "1.5"])
@pytest.mark.parametrize("command", COMMANDS_READING_SETTINGS)
def test_a_bad_setting_is_one_error_line_for_every_command(command, value, tmp_path, monkeypatch):
    monkeypatch.setenv("MODQ_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MODQ_SPAM_THRESHOLD", value)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output.startswith("Error: MODQ_SPAM_THRESHOLD") and len(result.output.splitlines()) == 1


@pytest.mark.parametrize("command", [
    ["train"], ["rescore"], ["status"], ["review", "list"], ["purge", "--dry-run"], ["export"],
    ["rules", "list"], ["db", "current"], ["worker", "--burst"],
])
def test_an_unreachable_database_is_one_error_line(command, tmp_path, model_dir, monkeypatch):
    monkeypatch.setenv("MODQ_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MODQ_MODEL_DIR", str(model_dir))
    monkeypatch.setenv("MODQ_DATABASE_URL", "postgresql://modq@127.0.0.1:1/modq")
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    last = result.output.splitlines()[-1]  # a worker logs the model it loaded first
    assert last.startswith("Error: cannot use the database at MODQ_DATABASE_URL: ")
    assert "Connection refused" in last and "Traceback" not in result.output


def test_a_sqlite_file_under_a_file_is_one_error_line(tmp_path, monkeypatch):
    (tmp_path / "plain-file").write_text("")
    monkeypatch.setenv("MODQ_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MODQ_DATABASE_URL", f"sqlite:///{tmp_path}/plain-file/modq.sqlite3")
    result = CliRunner().invoke(main, ["review", "list"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output.startswith("Error: MODQ_DATABASE_URL: cannot create the directory ")


def test_an_unreachable_redis_is_one_error_line(tmp_path, model_dir, monkeypatch):
    monkeypatch.setenv("MODQ_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MODQ_MODEL_DIR", str(model_dir))
    monkeypatch.setenv("MODQ_REDIS_URL", "redis://127.0.0.1:1/0")
    result = CliRunner().invoke(main, ["worker", "--burst"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    last = result.output.splitlines()[-1]  # after the log line of the model it loaded
    assert last.startswith("Error: cannot reach Redis at MODQ_REDIS_URL: ") and "Connection refused" in last
    assert "Traceback" not in result.output


def test_serve_help_states_the_default_threads_the_code_uses():
    from service.server import DEFAULT_THREADS

    result = CliRunner().invoke(main, ["serve", "--help"])
    assert f"MODQ_WEB_THREADS, else {DEFAULT_THREADS}]" in " ".join(result.output.split())
