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

Work that must follow a commit but need not be repeated per write runs once per group:
each caller may pass an ``after`` callable, and the leader calls each distinct one once,
after the commit and outside the writers' file lock, before it wakes the callers. modq's submissions
pass the "make sure a scoring job is queued" Redis call, so a group of ten comments
costs one round trip, not ten.

Likewise before the commit: a caller may pass an ``admit`` check and its key, and the
leader calls each distinct check once with the keys of all its writes; a write the check
refuses is not run, and its caller gets ``Refused``. modq's submissions pass their
client's rate-limit count this way: one pipelined round trip for the group, made while
the group waits for its commit anyway, rather than one per request before it (paired
runs: +3.5% requests/s, -6.5% server CPU per request).
"""

from __future__ import annotations

import fcntl
import logging
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")
MAX_GROUP = 256
# A check run once per group before its commit: given the keys of the writes that passed
# it, one answer per key, None to let that write run, anything else to refuse it.
AdmitCheck = Callable[[list[Any]], list[Any]]


class Refused(Exception):
    """A write its ``admit`` check refused; ``answer`` is what the check said."""

    def __init__(self, answer: Any) -> None:
        super().__init__(answer)
        self.answer = answer

log = logging.getLogger(__name__)


class _Write:
    """One caller's work and, once its group has committed, its result or error."""

    def __init__(self, work: Callable[[Connection], Any], after: Callable[[], Any] | None,
                 admit: tuple[AdmitCheck, Any] | None) -> None:
        self.work = work
        self.after = after
        self.admit = admit
        # Its caller waits on it until the write's group is done or the caller is handed
        # the lead: a bare lock is the cheapest hand-off CPython has (an Event builds a
        # Condition and a waiter lock for every wait).
        self.wake = threading.Lock()
        self.wake.acquire()
        self.result: Any = None
        self.after_result: Any = None
        self.error: BaseException | None = None
        self.finished = False

    def finish(self, result: Any = None, error: BaseException | None = None) -> None:
        self.result, self.error, self.finished = result, error, True


class GroupCommit:
    def __init__(self, lock_path: str | None = None) -> None:
        self._queue: list[_Write] = []
        self._queue_lock = threading.Lock()
        # One thread at a time leads: it commits a group, then wakes the next writer in the
        # queue to lead the next one, so every waiting writer is woken exactly once.
        self._leading = False
        self._lock_path = lock_path
        self._lock_file = None
        self._conn: Connection | None = None  # the leaders' connection under load (leader only)

    @contextmanager
    def _between_processes(self) -> Iterator[None]:
        """Hold the database's writer file lock (only called by the leader)."""
        if self._lock_file is None:
            self._lock_file = open(self._lock_path, "a")  # noqa: SIM115 - kept for the process's life
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def run(self, engine: Engine, work: Callable[[Connection], T],
            after: Callable[[], Any] | None = None,
            admit: tuple[AdmitCheck, Any] | None = None) -> tuple[T, Any]:
        """Run ``work(conn)`` in a transaction shared with concurrent callers; once that
        transaction is committed, return ``(work's result, after's result)`` (or raise work's error).

        ``after`` runs once per group for all the callers in it that passed the same
        callable object, after the commit: work that must follow the commit but need not
        be repeated for each write (modq's: making sure a scoring job is queued). It runs
        once the lead has passed to the next writer, so the next group commits meanwhile. If it raises, the
        error is logged and its result is None: the writes are committed either way.

        ``admit``, a ``(check, key)`` pair, runs before: ``check`` once per group with the
        keys of the callers that passed it (see ``AdmitCheck``); if it refuses this
        caller's key, ``work`` does not run and ``Refused`` is raised here.
        """
        write = _Write(work, after, admit)
        with self._queue_lock:
            self._queue.append(write)
            lead = not self._leading
            self._leading = True
        if not lead:
            write.wake.acquire()  # until its group is done, or it is handed the lead
        if not write.finished:
            self._lead(engine)
        if write.error is not None:
            raise write.error
        return write.result, write.after_result

    def _lead(self, engine: Engine) -> None:
        """Commit one group (the caller's write is in it), hand the lead on, then run the
        group's ``after`` calls and wake its callers."""
        group: list[_Write] = []
        try:
            # The group is taken once this process may write: writers that arrive
            # while another process commits join it, rather than wait for the next.
            with self._between_processes() if self._lock_path else nullcontext():
                group = self._take_group()
                admitted = _admit(group)
                if admitted:
                    self._commit(engine, admitted)
        except Exception as exc:  # e.g. the lock file: no caller may wait for ever
            group = group or self._take_group()
            for pending in group:
                if not pending.finished:
                    pending.finish(error=exc)
        self._hand_on_lead()
        _run_after_and_release(group)

    def _hand_on_lead(self) -> None:
        """Wake the first queued writer to lead the next group (the ``after`` calls of
        this one then run while it commits), or, if none waits, give the connection back
        and stop leading."""
        with self._queue_lock:
            successor = self._queue[0] if self._queue else None
        if successor is None:
            self._close_connection()  # still leading: nobody else touches it
            with self._queue_lock:
                successor = self._queue[0] if self._queue else None
                if successor is None:
                    self._leading = False
                    return
        successor.wake.release()

    def _take_group(self) -> list[_Write]:
        """The writes queued so far, up to ``MAX_GROUP`` (only called by the leader)."""
        with self._queue_lock:
            group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
        return group

    def _commit(self, engine: Engine, group: list[_Write], fresh: bool = False) -> None:
        """Commit a group; if it fails, commit each write alone so one bad write fails alone.

        While writers keep queueing, the leaders keep one connection rather than take one
        from the pool per group (checking a connection out and back in cost as much Python
        as the writes themselves); it goes back to the pool as soon as nobody waits, so an
        idle process (or an engine being thrown away) holds none. After any failure it is
        closed and replaced; if the
        server had dropped it (found at the first statement, so nothing was written),
        the group is tried again on a new one, as the pool's pre-ping would have done.
        """
        results: list[Any] = []
        try:
            if self._conn is None:
                self._conn = engine.connect()
            with self._conn.begin():
                for write in group:
                    results.append(write.work(self._conn))
        except Exception as exc:
            self._close_connection()
            if not results and not fresh and getattr(exc, "connection_invalidated", False):
                self._commit(engine, group, fresh=True)
                return
            if len(group) == 1:
                group[0].finish(error=exc)
                return
            for write in group:
                self._commit(engine, [write], fresh=True)
            return
        for write, result in zip(group, results, strict=True):
            write.finish(result)

    def _close_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # already broken: the pool drops it
                log.debug("closing a group-commit connection failed", exc_info=True)


def _admit(group: list[_Write]) -> list[_Write]:
    """Run each distinct ``admit`` check once for its writes; finish the refused ones
    (with ``Refused``) and return the writes that may run.

    Checks are told apart by equality, so each request may pass a fresh bound method of
    the same object (``limits.refusals``).
    """
    checks: dict[AdmitCheck, list[_Write]] = {}
    for write in group:
        if write.admit is not None:
            checks.setdefault(write.admit[0], []).append(write)
    for check, writes in checks.items():
        answers = check([write.admit[1] for write in writes])  # type: ignore[index]
        for write, answer in zip(writes, answers, strict=True):
            if answer is not None:
                write.finish(error=Refused(answer))
    return [write for write in group if not write.finished]


def _run_after_and_release(group: list[_Write]) -> None:
    """Call each distinct ``after`` of the committed writes once, then wake every caller."""
    try:
        called: list[tuple[Callable[[], Any], Any]] = []
        for write in group:
            if write.after is None or write.error is not None:
                continue
            known = next((result for after, result in called if after is write.after), _NOT_CALLED)
            if known is _NOT_CALLED:
                known = _call(write.after)
                called.append((write.after, known))
            write.after_result = known
    finally:
        for write in group:
            write.wake.release()


_NOT_CALLED = object()


def _call(after: Callable[[], Any]) -> Any:
    try:
        return after()
    except Exception:
        log.exception("a group commit's after-commit call failed")
        return None


_groups: weakref.WeakKeyDictionary[Engine, GroupCommit] = weakref.WeakKeyDictionary()
_groups_lock = threading.Lock()


def group_commit(engine: Engine, work: Callable[[Connection], T],
                 after: Callable[[], Any] | None = None,
                 admit: tuple[AdmitCheck, Any] | None = None) -> tuple[T, Any]:
    """Run ``work`` in the engine's shared commit if ``admit`` lets it, then ``after`` once
    per group (see ``GroupCommit.run`` and the module docstring): ``(work's result, after's
    result)``, or ``Refused``."""
    with _groups_lock:
        group = _groups.get(engine)
        if group is None:
            database = engine.url.database
            on_file = engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
            group = _groups[engine] = GroupCommit(f"{database}.writers" if on_file else None)
    return group.run(engine, work, after, admit)
