"""Migrations: an empty database upgraded to head has exactly the schema of the models."""

from __future__ import annotations

import threading

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import insert, inspect, select, text

from service.cli import main
from service.db import make_engine
from service.schema import BASELINE, alembic_config, current, head, upgrade
from service.storage import comments, metadata, utcnow


def schema_diff(engine) -> list:
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), metadata)


def test_upgrading_an_empty_database_gives_exactly_the_models_schema(database_url):
    """Fails when storage.metadata changes without a migration (run `modq db revision`)."""
    engine = make_engine(database_url)
    upgrade(engine)
    assert schema_diff(engine) == []
    with engine.connect() as connection:
        assert current(connection) == head()
    engine.dispose()


def test_a_database_made_by_create_all_is_stamped_and_keeps_its_rows(database_url):
    engine = make_engine(database_url)
    metadata.create_all(engine)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(insert(comments).values(post="/p", name="A", email="a@example.com",
                                             homepage="", body="kept", status="review",
                                             created_at=now, updated_at=now))
    upgrade(engine)
    with engine.connect() as connection:
        assert current(connection) == head()
        assert connection.execute(select(comments.c.body)).scalars().all() == ["kept"]
    engine.dispose()


def test_an_unversioned_baseline_database_is_upgraded_from_the_baseline(database_url):
    engine = make_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), BASELINE)
        connection.execute(text("DROP TABLE alembic_version"))
    upgrade(engine)
    assert schema_diff(engine) == []
    engine.dispose()


def test_processes_starting_together_on_an_empty_database_all_succeed(database_url):
    errors: list[BaseException] = []

    def start() -> None:
        engine = make_engine(database_url)
        try:
            upgrade(engine)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert schema_diff(make_engine(database_url)) == []


def test_downgrade_to_base_removes_every_table(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_upgrading_from_the_baseline_keeps_rows_and_fills_the_verdict(database_url):
    engine = make_engine(database_url)
    now = utcnow()
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), BASELINE)
        for status, decision in (("spam", None), ("approved", "approve"), ("received", None)):
            connection.execute(
                text("INSERT INTO comments (post, name, email, homepage, body, status, spam_score, "
                     "decision, ip_hash, user_agent, referrer, created_at, updated_at) VALUES "
                     "('/p', 'A', 'a@example.com', '', :body, :status, :score, :decision, '', '', '', "
                     ":now, :now)"),
                {"body": status, "status": status, "decision": decision, "now": now,
                 "score": None if status == "received" else 0.9},
            )
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(select(comments.c.body, comments.c.verdict).order_by(comments.c.id))
        assert rows.all() == [("spam", "spam"), ("approved", None), ("received", None)]
    engine.dispose()


def test_the_db_commands_upgrade_and_report(database_url, tmp_path):
    env = {"MODQ_DATABASE_URL": database_url, "MODQ_VAR_DIR": str(tmp_path), "MODQ_SECRET_KEY": "k"}
    runner = CliRunner()
    behind = runner.invoke(main, ["db", "current", "--check"], env=env)
    assert behind.exit_code == 1 and "database: none" in behind.output
    assert runner.invoke(main, ["db", "upgrade"], env=env).output.strip() == f"database at revision {head()}"
    current_now = runner.invoke(main, ["db", "current", "--check"], env=env)
    assert current_now.exit_code == 0 and "(up to date)" in current_now.output
    nothing = runner.invoke(main, ["db", "revision", "-m", "no change"], env=env)
    assert nothing.exit_code == 1 and "nothing to write" in nothing.output
