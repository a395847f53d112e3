"""``modq export`` / ``modq import``: JSON Lines round trips, all-or-nothing, and Isso."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest
from click.testing import CliRunner

from service.cli import main
from service.db import make_engine
from service.listing import count_by_status
from service.records import add_decided
from service.storage import (
    Decision,
    NewComment,
    ScoreRecord,
    Status,
    add_comment,
    decide,
    init_db,
    record_scores,
    unscored_ids,
)


def cli(runner: CliRunner, url: str, tmp_path, *args: str):
    env = {"MODQ_DATABASE_URL": url, "MODQ_VAR_DIR": str(tmp_path), "MODQ_SECRET_KEY": "k"}
    return runner.invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def source(tmp_path):
    """A SQLite database with comments in every shape modq stores."""
    url = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    engine = make_engine(url)
    init_db(engine)
    new = [NewComment(post="/a", name="山田", email="y@example.jp", homepage="https://y.example.jp/",
                      body="こんにちは\n二行目 🙏", ip_hash="ab" * 32, user_agent="UA", referrer="https://r/"),
           NewComment(post="/a", name="Spam", email="s@example.com", homepage="", body="buy now"),
           NewComment(post="/b", name="Waiting", email="w@example.com", homepage="", body="later")]
    ids = [add_comment(engine, comment) for comment in new]
    record_scores(engine, [ScoreRecord(ids[0], 0.125, ['"migration"'], "v1", Status.REVIEW),
                           ScoreRecord(ids[1], 0.97, ['"buy"'], "v1", Status.SPAM)])
    decide(engine, ids[0], Decision.APPROVE)
    add_decided(engine, NewComment(post="https://blog/x", name="", email="", homepage="", body="ham"),
                Decision.APPROVE)
    engine.dispose()
    return url


def without_ids(text: str) -> list[dict]:
    return [{k: v for k, v in json.loads(line).items() if k != "id"} for line in text.splitlines()]


def test_export_then_import_into_an_empty_database_round_trips(source, database_url, tmp_path):
    runner = CliRunner()
    exported = cli(runner, source, tmp_path, "export", "-o", str(tmp_path / "all.jsonl"))
    assert exported.exit_code == 0
    first = (tmp_path / "all.jsonl").read_text(encoding="utf-8")
    assert len(first.splitlines()) == 4
    imported = cli(runner, database_url, tmp_path, "import", str(tmp_path / "all.jsonl"))
    assert imported.exit_code == 0 and "imported 4 comment(s); 1 will be scored" in imported.output
    again = cli(runner, database_url, tmp_path, "export")
    assert without_ids(again.stdout) == without_ids(first)
    engine = make_engine(database_url)
    assert len(unscored_ids(engine, stale_after=timedelta(0))) == 1
    engine.dispose()


def test_export_can_pick_statuses(source, tmp_path):
    result = cli(CliRunner(), source, tmp_path, "export", "--status", "spam", "--status", "received")
    assert sorted(json.loads(line)["status"] for line in result.stdout.splitlines()) == ["received", "spam"]


def test_a_bad_line_imports_nothing_and_says_where(database_url, tmp_path):
    good = {"name": "A", "email": "a@example.com", "body": "hi", "status": "approved",
            "created_at": "2026-01-02T03:04:05Z"}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "status": "published"}) + "\n")
    result = cli(CliRunner(), database_url, tmp_path, "import", str(path))
    assert result.exit_code != 0
    assert "line 2: status" in result.output and "nothing was imported" in result.output
    engine = make_engine(database_url)
    init_db(engine)
    assert sum(count_by_status(engine).values()) == 0
    engine.dispose()


def make_isso(path) -> None:
    """A database with Isso's schema (isso/db/threads.py and comments.py)."""
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
            CREATE TABLE comments (tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
                created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR, text VARCHAR,
                author VARCHAR, email VARCHAR, website VARCHAR, likes INTEGER DEFAULT 0,
                dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL, notification INTEGER DEFAULT 0);
            INSERT INTO threads VALUES (1, '/2026/async/', 'Async'), (2, '/about/', 'About');
        """)
        rows = [(1, 1, None, 1767225600.5, None, 1, "192.168.1.0", "Great post!", "Aiko", "aiko@example.jp",
                 "https://aiko.example"),
                (1, 2, 1, 1767229200.0, 1767229300.0, 2, "10.0.0.0", "A reply, pending", None, None, None),
                (2, 3, None, 1767232800.0, None, 4, "10.0.0.0", "", None, None, None),
                (2, 4, None, 1767236400.0, None, 4, "10.0.0.0", "removed but kept", "Bob", None, None)]
        db.executemany("INSERT INTO comments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, x'00', 0)", rows)


def test_an_isso_database_is_imported_with_its_moderation_state(database_url, tmp_path):
    isso = tmp_path / "comments.db"
    make_isso(isso)
    result = cli(CliRunner(), database_url, tmp_path, "import", "--isso", str(isso))
    assert result.exit_code == 0 and "imported 3 comment(s); 1 will be scored" in result.output
    exported = cli(CliRunner(), database_url, tmp_path, "export").stdout
    rows = [json.loads(line) for line in exported.splitlines()]
    assert [(r["post"], r["name"], r["status"], r["body"]) for r in rows] == [
        ("/2026/async/", "Aiko", "approved", "Great post!"),
        ("/2026/async/", "", "received", "A reply, pending"),
        ("/about/", "Bob", "rejected", "removed but kept"),
    ]
    assert rows[0]["created_at"] == "2026-01-01T00:00:00.500000Z"
    assert rows[0]["email"] == "aiko@example.jp" and rows[0]["homepage"] == "https://aiko.example"
    assert "192.168.1.0" not in exported and len(rows[0]["ip_hash"]) == 64


def test_a_file_that_is_not_an_isso_database_is_refused(database_url, tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    result = cli(CliRunner(), database_url, tmp_path, "import", "--isso", str(other))
    assert result.exit_code != 0 and "not an Isso database" in result.output
