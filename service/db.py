"""The SQL engine: SQLite (embedded default) or PostgreSQL, set up for durability.

The database is modq's system of record; Redis only ever holds comment ids. For SQLite
that means WAL (readers never block the writer), ``synchronous=FULL`` (a 202 means the
row survived a power cut) and ``BEGIN IMMEDIATE`` for every transaction, so that two
processes wait for each other via the busy timeout instead of failing with
"database is locked" when a read transaction later tries to write.

The scoring worker opts out of the per-commit fsync (``sync_commits=False``): everything
it writes can be computed again. WAL keeps the file consistent either way; a score lost
to a power cut leaves its comment ``received``, and the sweeper queues it again. Saving
the fsync takes several milliseconds off every comment's time to be scored.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event

from service.settings import SettingsError

BUSY_TIMEOUT_S = 30
SQLITE_PRAGMAS = (
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}",  # first: later statements wait for other writers
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)


def _execute_waiting_out_busy(cursor: sqlite3.Cursor, statement: str) -> None:
    """Run ``statement``, retrying while SQLite answers SQLITE_BUSY, for up to the busy timeout.

    The busy timeout does not cover every case: when several processes open a brand-new file
    at once, each holds a shared lock while it asks for the exclusive one that switching to
    WAL needs, and SQLite answers all but one "database is locked" at once rather than let
    them deadlock (gunicorn workers booting together hit this). The winner's switch is
    quick and persists in the file, so asking again shortly after succeeds.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.001
    while True:
        try:
            cursor.execute(statement)
            return
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.05)


def _make_sqlite_durable(engine: Engine, sync_commits: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - driver hook
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            _execute_waiting_out_busy(cursor, pragma)
        if not sync_commits:
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # on the driver's connection: SQLAlchemy's exec_driver_sql costs several times more
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE")


def _make_directory(directory: Path) -> None:
    """Create the SQLite file's directory; failing, say so as a setting to fix, not an OSError."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(f"MODQ_DATABASE_URL: cannot create the directory {directory} "
                            f"({exc.strerror})") from None


def make_engine(url: str, sync_commits: bool = True) -> Engine:
    """Create the engine for ``url`` with the settings modq relies on.

    ``sync_commits=False`` is only for writers whose every write can be redone (see above).
    """
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            _make_directory(Path(url.removeprefix("sqlite:///")).parent)
        engine = create_engine(url)
        _make_sqlite_durable(engine, sync_commits)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
