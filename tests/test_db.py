"""The SQLite engine settings hold when several processes open one new file at once."""

from __future__ import annotations

import threading

from sqlalchemy import text

from service.db import make_engine


def test_connections_opening_a_new_file_together_all_get_wal(tmp_path):
    # Several openers switching a brand-new file to WAL at the same moment: SQLite answers
    # all but one "database is locked" without waiting (the busy timeout does not apply),
    # which once stopped gunicorn workers booting. Staged for real with a barrier; without
    # the retry about a quarter of these rounds fail.
    errors: list[BaseException] = []
    modes: list[str] = []

    def open_and_ask(url: str, start: threading.Barrier) -> None:
        engine = make_engine(url)
        start.wait()
        try:
            with engine.connect() as connection:
                modes.append(connection.execute(text("PRAGMA journal_mode")).scalar_one())
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            engine.dispose()

    rounds, openers = 40, 6
    for round_number in range(rounds):
        url = f"sqlite:///{tmp_path / f'new-{round_number}.db'}"
        start = threading.Barrier(openers)
        threads = [threading.Thread(target=open_and_ask, args=(url, start)) for _ in range(openers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert modes == ["wal"] * rounds * openers
