"""Group commit: concurrent submissions share commits, and each is committed on return."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from service.groupcommit import GroupCommit, Refused
from service.storage import NewComment, add_comment, comments, get_comments, utcnow


def new(i: int) -> NewComment:
    return NewComment(post="p", name=f"N{i}", email="n@example.com", homepage="", body=f"comment {i}")


def test_concurrent_submissions_are_all_committed_with_their_own_ids(engine):
    barrier = threading.Barrier(24)
    ids: dict[int, int] = {}

    def submit(i: int) -> None:
        barrier.wait()
        ids[i] = add_comment(engine, new(i))

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = {row["id"]: row for row in get_comments(engine, list(ids.values()))}
    assert len(set(ids.values())) == 24
    assert all(rows[ids[i]]["body"] == f"comment {i}" for i in range(24))


def test_a_failing_write_fails_alone_and_the_others_in_its_group_commit(engine):
    group = GroupCommit()
    now = utcnow()
    good = {**new(1).__dict__, "status": "received", "created_at": now, "updated_at": now}
    bad = {**good, "name": None}  # NOT NULL: the database refuses it
    started, results = threading.Barrier(6), {}

    def write(i: int, values: dict) -> None:
        started.wait()
        try:
            results[i] = group.run(engine, lambda conn: conn.execute(insert(comments), values)
                                   .inserted_primary_key[0])[0]
        except IntegrityError as exc:
            results[i] = exc

    threads = [threading.Thread(target=write, args=(i, bad if i == 3 else good)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert isinstance(results.pop(3), IntegrityError)
    assert len(get_comments(engine, list(results.values()))) == 5


def test_an_error_reaches_the_caller_of_a_lone_write(engine):
    with pytest.raises(IntegrityError):
        GroupCommit().run(engine, lambda conn: conn.execute(insert(comments), {"name": None}))


def test_a_broken_writer_lock_fails_the_write_instead_of_hanging(engine, tmp_path):
    group = GroupCommit(str(tmp_path / "missing-dir" / "db.writers"))
    with pytest.raises(FileNotFoundError):
        group.run(engine, lambda conn: conn.execute(insert(comments), {"name": "x"}))


def test_a_held_connection_the_server_dropped_is_replaced_before_anything_is_written(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("only a database server drops connections")
    group = GroupCommit()
    group._conn = engine.connect()  # as held between the groups of a busy stream of writes
    backend = group._conn.execute(select(func.pg_backend_pid())).scalar()
    group._conn.commit()
    with engine.connect() as admin:
        admin.execute(select(func.pg_terminate_backend(backend)))
    comment_id = group.run(engine, lambda conn: add_row(conn, 7))[0]
    assert get_comments(engine, [comment_id])[0]["body"] == "comment 7"


def test_no_connection_is_held_once_nobody_waits(engine):
    group = GroupCommit()
    group.run(engine, lambda conn: add_row(conn, 1))
    assert engine.pool.checkedout() == 0


def test_writes_of_one_group_share_one_call_of_their_after_commit_work(engine):
    group, release, calls, results = GroupCommit(), threading.Event(), [], {}

    def trigger() -> int:
        calls.append(len(get_comments(engine, list(range(1, 100)))))  # sees the group's rows
        return len(calls)

    def blocking_first_write(conn):
        release.wait()
        return add_row(conn, 0)

    def write(i: int) -> None:
        results[i] = group.run(engine, (lambda conn: add_row(conn, i)) if i else blocking_first_write,
                               trigger)

    first = threading.Thread(target=write, args=(0,))
    first.start()
    others = [threading.Thread(target=write, args=(i,)) for i in range(1, 6)]
    for thread in others:
        thread.start()
    while len(group._queue) < 5:  # the five queue up behind the blocked first commit
        threading.Event().wait(0.01)
    release.set()
    for thread in [first, *others]:
        thread.join()
    # once after the first commit, once after the group of five; each after its commit
    assert len(calls) == 2 and min(calls) >= 1 and max(calls) == 6
    shared = {results[i][1] for i in range(1, 6)}
    assert len(shared) == 1 and results[0][1] not in shared


def test_a_failing_after_commit_call_leaves_the_write_committed(engine):
    def broken() -> None:
        raise RuntimeError("redis is down")

    comment_id, after = GroupCommit().run(engine, lambda conn: add_row(conn, 1), broken)
    assert after is None and get_comments(engine, [comment_id])[0]["body"] == "comment 1"


def test_one_admit_check_per_group_decides_each_write_and_refused_writes_store_nothing(engine):
    group, release, checks, results = GroupCommit(), threading.Event(), [], {}

    def allow_even(keys: list[int]) -> list[str | None]:
        checks.append(list(keys))
        return [None if key % 2 == 0 else f"odd {key}" for key in keys]

    def blocking_first_write(conn):
        release.wait()
        return add_row(conn, 0)

    def write(i: int) -> None:
        try:
            results[i] = group.run(engine, (lambda conn: add_row(conn, i)) if i else blocking_first_write,
                                   admit=(allow_even, i))[0]
        except Refused as refusal:
            results[i] = refusal.answer

    first = threading.Thread(target=write, args=(0,))
    first.start()
    while not checks:  # the first write was admitted alone and is committing
        threading.Event().wait(0.01)
    others = [threading.Thread(target=write, args=(i,)) for i in range(1, 7)]
    for thread in others:
        thread.start()
    while len(group._queue) < 6:
        threading.Event().wait(0.01)
    release.set()
    for thread in [first, *others]:
        thread.join()
    assert checks[0] == [0] and sorted(checks[1]) == [1, 2, 3, 4, 5, 6] and len(checks) == 2
    assert [results[i] for i in (1, 3, 5)] == ["odd 1", "odd 3", "odd 5"]
    stored = get_comments(engine, [results[i] for i in (0, 2, 4, 6)])
    assert sorted(row["body"] for row in stored) == ["comment 0", "comment 2", "comment 4", "comment 6"]
    assert count_rows(engine) == 4


def test_a_failing_admit_check_fails_its_writes_without_writing(engine):
    def broken(keys):
        raise RuntimeError("check failed")

    with pytest.raises(RuntimeError, match="check failed"):
        GroupCommit().run(engine, lambda conn: add_row(conn, 1), admit=(broken, 1))
    assert count_rows(engine) == 0


def test_many_writers_in_many_groups_each_return_their_own_result_once(engine):
    """Leadership passes from writer to writer; a lost hand-off would hang here."""
    group, results, lock = GroupCommit(), {}, threading.Lock()

    def refuse_multiples_of_seven(keys: list[int]) -> list[str | None]:
        return ["refused" if key % 7 == 0 else None for key in keys]

    def writer(first: int) -> None:
        for i in range(first, first + 25):
            try:
                outcome = group.run(engine, lambda conn, i=i: add_row(conn, i),
                                    admit=(refuse_multiples_of_seven, i))[0]
            except Refused as refusal:
                outcome = refusal.answer
            with lock:
                results[i] = outcome

    threads = [threading.Thread(target=writer, args=(t * 25,)) for t in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 300
    assert all((results[i] == "refused") == (i % 7 == 0) for i in range(300))
    stored = get_comments(engine, [v for v in results.values() if v != "refused"])
    assert sorted(int(row["body"].split()[1]) for row in stored) == [i for i in range(300) if i % 7]
    assert count_rows(engine) == 300 - 43 and group._leading is False


def add_row(conn, i: int) -> int:
    now = utcnow()
    values = {**new(i).__dict__, "status": "received", "created_at": now, "updated_at": now}
    return conn.execute(insert(comments), values).inserted_primary_key[0]


def count_rows(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(comments)).scalar()
