"""Scoring throughput: one ``modq worker`` draining N waiting comments, against RQ's own ceiling.

Usage: python bench/scoring.py [-n 2000] [--json]

1. N comments (real corpus texts) are posted to a real ``modq serve`` while no worker
   runs, so they wait in the database and the queue exactly as a burst leaves them.
2. One ``modq worker`` process starts; the clock runs from the moment it registers with
   RQ until no comment is ``received`` any more. Each comment must end scored once, with
   a score, reasons and the model version (checked, and the jobs' return values, which
   count the rows each job changed, must add up to N).
3. The baseline, in the same run: an ``rq.SimpleWorker`` process draining N no-op jobs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from support import deployment, free_port, machine, peak_rss_mb, report, start_modq, stop, wait_until

from processes import http
from service.queue import connect_redis, scoring_queue
from service.storage import Status

NOOP_WORKER = """
import sys, time
from redis import Redis
from rq import Queue, SimpleWorker
from rq.serializers import JSONSerializer
redis = Redis.from_url(sys.argv[1])
queue = Queue("bench-noop", connection=redis, serializer=JSONSerializer)
started = time.perf_counter()
SimpleWorker([queue], connection=redis, serializer=JSONSerializer).work(burst=True, logging_level="WARNING")
print(time.perf_counter() - started)
"""


def corpus_bodies(n: int) -> list[str]:
    from classifier import shipped_corpora

    bodies = [e.body for e in shipped_corpora()]
    return [f"{bodies[i % len(bodies)]} ({i})" for i in range(n)]


def post_comments(env: dict[str, str], settings, n: int) -> list[int]:
    """Post N comments through a real ``modq serve``; returns their ids."""
    port = free_port()
    server = start_modq(["serve", "--port", str(port), "--workers", "2"], env,
                        settings.var_dir / "serve.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: http("GET", f"{base}/healthz")[0] == 200, timeout=60)

        def post(body: str) -> int:
            form = urlencode({"name": "Bench", "email": "bench@example.com", "body": body})
            status, _, answer = http("POST", f"{base}/api/v1/comments", form.encode(),
                                     {"Content-Type": "application/x-www-form-urlencoded"})
            assert status == 202, (status, answer)
            return answer["id"]

        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(post, corpus_bodies(n)))
    finally:
        stop(server)


def drain_with_modq_worker(env: dict[str, str], settings, engine, n: int) -> dict:
    """Start one ``modq worker``; time from its registration with RQ until nothing waits."""
    from rq import Worker
    from sqlalchemy import text

    redis = connect_redis(settings.redis_url)
    queue = scoring_queue(redis, settings.queue_name)
    worker = start_modq(["worker"], env, settings.var_dir / "worker.log")
    try:
        wait_until(lambda: Worker.all(queue=queue), timeout=120, interval=0.002)
        started = time.perf_counter()

        def waiting() -> int:
            with engine.connect() as conn:
                return conn.execute(text("SELECT count(*) FROM comments WHERE status = 'received'")).scalar()

        wait_until(lambda: waiting() == 0, timeout=600, interval=0.01)
        elapsed = time.perf_counter() - started
        rss = peak_rss_mb(worker.pid)
        time.sleep(0.5)  # let RQ store the last job's result
        return {"seconds": elapsed, "comments_per_second": n / elapsed, "worker_peak_rss_mb": rss,
                "jobs_run": len(queue.finished_job_registry.get_job_ids()),
                "rows_changed_by_jobs": _sum_job_results(queue),
                "failed_jobs": queue.failed_job_registry.count}
    finally:
        stop(worker)


def _sum_job_results(queue) -> int:
    """Every job returns how many comments it changed; their sum counts each scoring once."""
    from rq.job import Job

    ids = queue.finished_job_registry.get_job_ids()
    jobs = Job.fetch_many(ids, connection=queue.connection, serializer=queue.serializer)
    return sum(int(job.return_value() or 0) for job in jobs if job is not None)


def verify(engine, ids: list[int], model_version: str) -> dict:
    from service.storage import get_comments

    rows = get_comments(engine, ids)
    scored = [r for r in rows if r["status"] in (Status.REVIEW.value, Status.SPAM.value)
              and r["spam_score"] is not None and isinstance(r["reasons"], list)
              and r["model_version"] == model_version and r["scored_at"] is not None]
    return {"comments": len(ids), "scored_with_score_reasons_version": len(scored),
            "spam": sum(r["status"] == Status.SPAM.value for r in rows)}


def rq_noop_baseline(redis_url: str, n: int) -> dict:
    """RQ's ceiling: a SimpleWorker process running N jobs that do nothing."""
    from redis import Redis
    from rq import Queue
    from rq.serializers import JSONSerializer

    queue = Queue("bench-noop", connection=Redis.from_url(redis_url), serializer=JSONSerializer)
    queue.enqueue_many([Queue.prepare_data("builtins.len", args=([],)) for _ in range(n)])
    out = subprocess.run([sys.executable, "-c", NOOP_WORKER, redis_url], capture_output=True,
                         text=True, check=True)
    seconds = float(out.stdout.strip().splitlines()[-1])
    return {"seconds": seconds, "jobs_per_second": n / seconds, "failed": queue.failed_job_registry.count}


def run(n: int) -> dict:
    from classifier import ModelStore
    from service.db import make_engine

    with deployment() as (settings, env):
        ids = post_comments(env, settings, n)
        engine = make_engine(settings.database_url)
        modq = drain_with_modq_worker(env, settings, engine, n)
        checked = verify(engine, ids, ModelStore(settings.model_dir).live_version())
        baseline = rq_noop_baseline(settings.redis_url, n)
        engine.dispose()
    ratio = modq["comments_per_second"] / baseline["jobs_per_second"]
    ok = (checked["scored_with_score_reasons_version"] == n and modq["rows_changed_by_jobs"] == n
          and modq["failed_jobs"] == 0)
    return {"n": n, "modq_worker": modq, "rq_noop": baseline, "ratio": ratio, "check": checked,
            "every_comment_scored_exactly_once": ok, "machine": machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="comments waiting (and no-op jobs)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = run(args.n)
    m, b = r["modq_worker"], r["rq_noop"]
    report(r, [
        ("comments waiting", str(r["n"])),
        ("modq worker", f"{m['comments_per_second']:.0f} comments/s ({m['seconds']:.2f} s, "
                        f"{m['jobs_run']} jobs)"),
        ("rq.SimpleWorker no-op", f"{b['jobs_per_second']:.0f} jobs/s ({b['seconds']:.2f} s)"),
        ("ratio (target >= 5)", f"{r['ratio']:.1f}x"),
        ("scored once, with score/reasons/version",
         f"{r['every_comment_scored_exactly_once']} ({r['check']['scored_with_score_reasons_version']}"
         f"/{r['n']}, rows changed by jobs {m['rows_changed_by_jobs']}, failed jobs {m['failed_jobs']})"),
        ("worker peak RSS", f"{m['worker_peak_rss_mb']:.0f} MB"),
        ("machine", f"{r['machine']['cpus']} x {r['machine']['cpu_model']}, "
                    f"load {r['machine']['load_average_1m']}"),
    ], args.json)


if __name__ == "__main__":
    main()
