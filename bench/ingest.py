"""Ingest throughput: ``POST /api/v1/comments`` on ``modq serve`` against a bare Flask + LPUSH.

Usage: python bench/ingest.py [--connections 32] [--seconds 10] [--rounds 3] [--threads N]
                              [--database-url postgresql://...] [--json]

Both servers run under the same gunicorn settings (``--workers 2`` and ``modq serve``'s
default threads unless ``--threads``), one after the other,
``--rounds`` times, so load from anything else on the machine hits both alike; the
medians are reported. The load comes from ``wrk`` (every request a different comment)
or, without it, a Python client. Afterwards every 202 from modq must have its row in the
database (counted, and a sample of ids read back). modq stores into a scratch SQLite
file, or with ``--database-url`` into a scratch database created on that PostgreSQL
server (and dropped afterwards).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from support import ROOT, deployment, free_port, machine, percentile, report, start_modq, stop, wait_until

from processes import http
from service.server import DEFAULT_THREADS

WRK_SCRIPT = r"""
local counter = 0
local thread_id = 0
local run = ""
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  thread_id = id
  run = args[1] or ""
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
function request()
  counter = counter + 1
  local body = "name=Bench&email=bench%40example.com&post=%2Fbench&body=Load+test+comment+"
    .. run .. "-" .. thread_id .. "-" .. counter .. "+about+the+migration+guide"
  return wrk.format(nil, nil, nil, body)
end
function done(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %f, "non_2xx": %d, "socket_errors": %d, '
    .. '"p50_ms": %f, "p99_ms": %f}\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def load_with_wrk(url: str, connections: int, seconds: int, script: Path) -> dict:
    # A fresh tag per run keeps every body unique, so duplicate detection answers none of them.
    tag = f"{time.time_ns():x}"
    done = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url,
                           "--", tag], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    out = done.stdout
    result = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])
    result["requests_per_second"] = result["requests"] / result["seconds"]
    return result


def load_with_python(url: str, connections: int, seconds: int) -> dict:
    """The fallback client: one thread per connection, one request at a time each."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    latencies: list[float] = []
    failures = [0]
    deadline = time.monotonic() + seconds
    tag = f"{time.time_ns():x}"

    def client(n: int) -> None:
        count = 0
        while time.monotonic() < deadline:
            count += 1
            body = urlencode({"name": "Bench", "email": "bench@example.com", "post": "/bench",
                              "body": f"Load test comment {tag}-{n}-{count} about the migration guide"})
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            started = time.perf_counter()
            conn.request("POST", "/api/v1/comments", body,
                         {"Content-Type": "application/x-www-form-urlencoded"})
            status = conn.getresponse().status
            latencies.append(time.perf_counter() - started)
            failures[0] += status // 100 != 2
            conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "seconds": elapsed, "non_2xx": failures[0], "socket_errors": 0,
            "requests_per_second": len(latencies) / elapsed,
            "p50_ms": statistics.median(latencies) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000}


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by the live processes of a process group:
    a server started in its own session, its gunicorn arbiter and workers."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process has gone
            continue
        if int(fields[2]) == pgid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def check_rows(settings, answered: int) -> dict:
    """Every 202 must be a committed row: count them and read a sample back by id."""
    from sqlalchemy import text

    from service.db import make_engine

    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        ids = conn.execute(text("SELECT id FROM comments")).scalars().all()
        sample = random.sample(ids, min(50, len(ids)))
        listed = ",".join(map(str, sample)) or "0"
        found = conn.execute(text(f"SELECT count(*) FROM comments WHERE id IN ({listed}) AND body <> ''")
                             ).scalar()
    engine.dispose()
    return {"answered_2xx": answered, "rows": len(ids), "sample": len(sample), "sample_found": found,
            "ok": len(ids) >= answered and found == len(sample)}


def run(connections: int, seconds: int, rounds: int, threads: int, postgres_url: str | None) -> dict:
    use_wrk = shutil.which("wrk") is not None
    results: dict[str, list[dict]] = {"bare": [], "modq": []}
    with deployment(postgres_url) as (settings, env):
        script = settings.var_dir / "post.lua"
        script.write_text(WRK_SCRIPT)
        ports = {"bare": free_port(), "modq": free_port()}
        serve_args = ["--workers", "2", "--threads", str(threads)]
        servers = {
            "bare": subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_app.py"),
                                      "--port", str(ports["bare"]), *serve_args, settings.redis_url],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True),
            "modq": start_modq(["serve", "--port", str(ports["modq"]), *serve_args], env,
                               settings.var_dir / "serve.log"),
        }
        try:
            wait_until(lambda: http("GET", f"http://127.0.0.1:{ports['modq']}/healthz")[0] == 200)
            wait_until(lambda: http("POST", f"http://127.0.0.1:{ports['bare']}/api/v1/comments",
                                    b"", {"Content-Type": "application/x-www-form-urlencoded"})[0] == 422)
            for _ in range(rounds):
                for name in ("bare", "modq"):
                    if servers[name].poll() is not None:
                        log = (settings.var_dir / "serve.log").read_text()[-2000:]
                        raise RuntimeError(f"the {name} server exited ({servers[name].returncode}); "
                                           f"modq's log ends: {log}")
                    url = f"http://127.0.0.1:{ports[name]}/api/v1/comments"
                    cpu_before = group_cpu_seconds(servers[name].pid)
                    result = (load_with_wrk(url, connections, seconds, script) if use_wrk
                              else load_with_python(url, connections, seconds))
                    cpu = group_cpu_seconds(servers[name].pid) - cpu_before
                    result["cpu_ms_per_request"] = cpu * 1000 / max(1, result["requests"])
                    results[name].append(result)
        finally:
            for server in servers.values():
                stop(server)
        answered = sum(r["requests"] - r["non_2xx"] - r["socket_errors"] for r in results["modq"])
        rows = check_rows(settings, answered)
    median = {name: {key: statistics.median(r[key] for r in runs)
                     for key in ("requests_per_second", "p50_ms", "p99_ms", "cpu_ms_per_request")}
              for name, runs in results.items()}
    return {"client": "wrk" if use_wrk else "python", "connections": connections, "seconds": seconds,
            "rounds": rounds, "threads": threads, "median": median, "runs": results,
            "ratio": median["modq"]["requests_per_second"] / median["bare"]["requests_per_second"],
            # each round's modq run against the bare run just before it: the machine's own
            # drift (it is shared) moves both of a pair alike
            "round_ratios": [m["requests_per_second"] / b["requests_per_second"]
                             for b, m in zip(results["bare"], results["modq"], strict=True)],
            "errors": {name: sum(r["non_2xx"] + r["socket_errors"] for r in runs)
                       for name, runs in results.items()},
            "rows": rows, "database": settings.database_url.split(":", 1)[0], "machine": machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help="gunicorn threads per worker, both apps (default: modq serve's)")
    parser.add_argument("--database-url", help="a PostgreSQL server to store into (default: SQLite)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = run(args.connections, args.seconds, args.rounds, args.threads, args.database_url)
    b, m = r["median"]["bare"], r["median"]["modq"]
    report(r, [
        ("setup", f"gunicorn --workers 2 --threads {r['threads']}, {r['client']}, "
                  f"{r['connections']} connections, {r['rounds']} x {r['seconds']} s each, medians, "
                  f"{r['database']}"),
        ("bare Flask + LPUSH", f"{b['requests_per_second']:.0f} req/s, p50 {b['p50_ms']:.1f} ms, "
                               f"p99 {b['p99_ms']:.1f} ms"),
        ("modq POST /api/v1/comments", f"{m['requests_per_second']:.0f} req/s, p50 {m['p50_ms']:.1f} ms, "
                                       f"p99 {m['p99_ms']:.1f} ms"),
        ("ratio (target >= 0.60)", f"{r['ratio']:.2f} (per round: "
                                   f"{', '.join(f'{x:.2f}' for x in r['round_ratios'])})"),
        ("server CPU per request", f"bare {b['cpu_ms_per_request']:.2f} ms, "
                                   f"modq {m['cpu_ms_per_request']:.2f} ms (all its processes)"),
        ("errors (bare, modq)", f"{r['errors']['bare']}, {r['errors']['modq']}"),
        ("202s with a committed row", f"{r['rows']['ok']} ({r['rows']['rows']} rows for "
                                      f"{r['rows']['answered_2xx']} answers, sample "
                                      f"{r['rows']['sample_found']}/{r['rows']['sample']})"),
        ("machine", f"{r['machine']['cpus']} x {r['machine']['cpu_model']}, "
                    f"load {r['machine']['load_average_1m']}"),
    ], args.json)


if __name__ == "__main__":
    main()
