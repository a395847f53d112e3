"""Group commit: concurrent submissions share commits, and each is committed on return."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from service.groupcommit import GroupCommit
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
