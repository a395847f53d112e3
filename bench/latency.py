"""Latency at low load: from a comment's 202 to its score being committed.

Usage: python bench/latency.py [-n 200] [--pause 0.05] [--json]

A real ``modq serve --workers 2`` and one ``modq worker`` run; comments are posted one at
a time, and after each 202 the database is polled (every millisecond, from this process)
until the comment is no longer ``received``. The next comment goes ``--pause`` seconds
after that, so the worker is never busy with an earlier one.
"""

from __future__ import annotations

import argparse
import time
from urllib.parse import urlencode

from support import deployment, free_port, machine, report, start_modq, stop, summary_ms, wait_until

from processes import http


def run(n: int, pause: float) -> dict:
    from rq import Worker
    from sqlalchemy import text

    from classifier import shipped_corpora
    from service.db import make_engine
    from service.queue import connect_redis, scoring_queue

    bodies = [e.body for e in shipped_corpora()]
    with deployment() as (settings, env):
        port = free_port()
        server = start_modq(["serve", "--port", str(port), "--workers", "2"], env,
                            settings.var_dir / "serve.log")
        worker = start_modq(["worker"], env, settings.var_dir / "worker.log")
        engine = make_engine(settings.database_url)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: http("GET", f"{base}/healthz")[0] == 200, timeout=60)
            queue = scoring_queue(connect_redis(settings.redis_url), settings.queue_name)
            wait_until(lambda: Worker.all(queue=queue), timeout=120)
            seconds, ids = [], []
            with engine.connect() as conn:
                for i in range(n):
                    form = urlencode({"name": "Bench", "email": "bench@example.com",
                                      "body": f"{bodies[(i * 37) % len(bodies)]} ({i})"})
                    status, _, answer = http("POST", f"{base}/api/v1/comments", form.encode(),
                                             {"Content-Type": "application/x-www-form-urlencoded"})
                    accepted = time.perf_counter()
                    assert status == 202, (status, answer)
                    ids.append(answer["id"])
                    query = text("SELECT status FROM comments WHERE id = :id")
                    while conn.execute(query, {"id": answer["id"]}).scalar() == "received":
                        conn.rollback()  # a fresh snapshot on the next read
                        time.sleep(0.001)
                    seconds.append(time.perf_counter() - accepted)
                    conn.rollback()
                    time.sleep(pause)
            stored = _stored_to_scored(engine, ids)
        finally:
            stop(worker)
            stop(server)
            engine.dispose()
    return {"n": n, "pause_seconds": pause, "accepted_to_scored": summary_ms(seconds),
            "stored_to_scored_by_db_clock": summary_ms(stored), "machine": machine()}


def _stored_to_scored(engine, ids: list[int]) -> list[float]:
    """The same interval by the servers' own clocks (insert to score write), without polling."""
    from service.storage import as_utc, get_comments

    return [(as_utc(r["scored_at"]) - as_utc(r["created_at"])).total_seconds()
            for r in get_comments(engine, ids)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--pause", type=float, default=0.05, help="seconds between comments")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = run(args.n, args.pause)
    lat = r["accepted_to_scored"]
    report(r, [
        ("comments, one at a time", f"{r['n']} ({r['pause_seconds'] * 1000:.0f} ms apart)"),
        ("202 -> scored p50 (target < 20 ms)", f"{lat['p50_ms']:.1f} ms"),
        ("202 -> scored p99 (target < 50 ms)", f"{lat['p99_ms']:.1f} ms"),
        ("202 -> scored max", f"{lat['max_ms']:.1f} ms"),
        ("insert -> score written, by the rows' timestamps",
         f"p50 {r['stored_to_scored_by_db_clock']['p50_ms']:.1f} ms, "
         f"p99 {r['stored_to_scored_by_db_clock']['p99_ms']:.1f} ms"),
        ("machine", f"{r['machine']['cpus']} x {r['machine']['cpu_model']}, "
                    f"load {r['machine']['load_average_1m']}"),
    ], args.json)


if __name__ == "__main__":
    main()
