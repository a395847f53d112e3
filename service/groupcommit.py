"""Group commit: writes that arrive while a commit is running share the next one.

A durable commit costs an fsync (milliseconds on most disks), and SQLite runs one write
transaction at a time, so one commit per request caps a server at a few hundred
submissions per second, however many threads it has. Here, the first writer commits
alone; writers that arrive meanwhile queue up, and when the commit finishes one of them
commits the whole queue in one transaction. Nobody waits for a timer: at low load every
write commits at once, under load each fsync covers many. Each caller still returns only
after its own write is committed, so a 202 still means the comment is on disk.

Only threads of one process can share a commit (gunicorn's ``--threads``); with plain
sync workers every group has one member and nothing changes. Between processes, SQLite's
own lock waits by sleeping (1, 2, 5, 10... ms) and lets one process starve the other, so
on SQLite the groups of all processes take turns on an ``flock`` of a file beside the
database, which wakes the next in line as soon as the lock is free.
"""

from __future__ import annotations

import fcntl
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")
MAX_GROUP = 256


class _Write:
    """One caller's work and, once its group has committed, its result or error."""

    def __init__(self, work: Callable[[Connection], Any]) -> None:
        self.work = work
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None

    def finish(self, result: Any = None, error: BaseException | None = None) -> None:
        self.result, self.error, self.done = result, error, True


class GroupCommit:
    def __init__(self, lock_path: str | None = None) -> None:
        self._queue: list[_Write] = []
        self._queue_lock = threading.Lock()
        self._commit_lock = threading.Lock()
        self._lock_path = lock_path
        self._lock_file = None

    @contextmanager
    def _between_processes(self) -> Iterator[None]:
        """Hold the database's writer file lock (only called under ``_commit_lock``)."""
        if self._lock_file is None:
            self._lock_file = open(self._lock_path, "a")  # noqa: SIM115 - kept for the process's life
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def run(self, engine: Engine, work: Callable[[Connection], T]) -> T:
        """Run ``work(conn)`` in a transaction shared with concurrent callers; return its
        result once that transaction is committed (or raise its error)."""
        write = _Write(work)
        with self._queue_lock:
            self._queue.append(write)
        while not write.done:
            with self._commit_lock:
                if write.done:
                    break
                with self._queue_lock:
                    group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
                try:
                    with self._between_processes() if self._lock_path else nullcontext():
                        _commit(engine, group)
                except Exception as exc:  # e.g. the lock file: no caller may wait for ever
                    for pending in group:
                        if not pending.done:
                            pending.finish(error=exc)
        if write.error is not None:
            raise write.error
        return write.result


def _commit(engine: Engine, group: list[_Write]) -> None:
    """Commit a group; if it fails, commit each write alone so one bad write fails alone."""
    try:
        with engine.begin() as conn:
            results = [write.work(conn) for write in group]
    except Exception as exc:
        if len(group) == 1:
            group[0].finish(error=exc)
            return
        for write in group:
            _commit(engine, [write])
        return
    for write, result in zip(group, results, strict=True):
        write.finish(result)


_groups: weakref.WeakKeyDictionary[Engine, GroupCommit] = weakref.WeakKeyDictionary()
_groups_lock = threading.Lock()


def group_commit(engine: Engine, work: Callable[[Connection], T]) -> T:
    """Run ``work`` in the engine's shared commit (see the module docstring)."""
    with _groups_lock:
        group = _groups.get(engine)
        if group is None:
            database = engine.url.database
            on_file = engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
            group = _groups[engine] = GroupCommit(f"{database}.writers" if on_file else None)
    return group.run(engine, work)
