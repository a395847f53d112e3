"""Paired ingest A/B: ``modq serve`` from two source trees, rounds alternating.

Usage: python bench/paired.py TREE_A TREE_B [--rounds 8] [--seconds 6] [--threads 16] [--json]

A tree is a checkout of modq (``git worktree add /tmp/modq-before <commit>``, say);
``bare:TREE`` runs that tree's ``bench/bare_app.py`` instead. On a shared machine one
version's median against the other's moves by more than most changes do (the same code
gave 0.35-0.80 of the bare app from one 10 s round to the next), so this runs A then B
``--rounds`` times against one scratch deployment, each on a fresh server, and reports
the median of the per-pair ratios: drift over minutes moves both of a pair alike.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ingest import WRK_SCRIPT, group_cpu_seconds, load_with_wrk
from support import deployment, free_port, machine, report, wait_until

from processes import http


def start(tree: str, port: int, threads: int, settings, env: dict[str, str]) -> subprocess.Popen:
    """One server from ``tree``: modq serve, or the bare app for ``bare:TREE``."""
    bare = tree.startswith("bare:")
    path = Path(tree.removeprefix("bare:")).resolve()
    args = ([str(path / "bench" / "bare_app.py"), "--port", str(port), "--workers", "2",
             "--threads", str(threads), settings.redis_url] if bare else
            ["-m", "service.cli", "serve", "--port", str(port), "--workers", "2", "--threads", str(threads)])
    server = subprocess.Popen([sys.executable, *args], env={**env, "PYTHONPATH": str(path)}, cwd=path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api/v1/comments"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    wait_until(lambda: http("POST", url, b"", form)[0] == 422)  # an empty form: ready and validating
    return server


def run(trees: list[str], rounds: int, seconds: int, threads: int) -> dict:
    runs: dict[str, list[dict]] = {tree: [] for tree in trees}
    with deployment() as (settings, env):
        script = settings.var_dir / "post.lua"
        script.write_text(WRK_SCRIPT)
        for _ in range(rounds):
            for tree in trees:
                port = free_port()
                server = start(tree, port, threads, settings, env)
                try:
                    url = f"http://127.0.0.1:{port}/api/v1/comments"
                    load_with_wrk(url, 32, 2, script)  # warm up: imports, connections, caches
                    cpu_before = group_cpu_seconds(server.pid)
                    result = load_with_wrk(url, 32, seconds, script)
                    cpu = group_cpu_seconds(server.pid) - cpu_before
                    result["cpu_ms_per_request"] = cpu * 1000 / max(1, result["requests"])
                    runs[tree].append(result)
                finally:
                    os.killpg(server.pid, signal.SIGTERM)
                    server.wait()
                time.sleep(0.5)
    a, b = (runs[tree] for tree in trees)
    pairs = [y["requests_per_second"] / x["requests_per_second"] for x, y in zip(a, b, strict=True)]
    cpu_pairs = [y["cpu_ms_per_request"] / x["cpu_ms_per_request"] for x, y in zip(a, b, strict=True)]
    return {"trees": trees, "rounds": rounds, "seconds": seconds, "threads": threads, "runs": runs,
            "ratio_median": statistics.median(pairs), "ratios": pairs,
            "cpu_ratio_median": statistics.median(cpu_pairs), "cpu_ratios": cpu_pairs, "machine": machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs=2, metavar="TREE")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = run(args.trees, args.rounds, args.seconds, args.threads)
    a, b = r["trees"]
    rps = {tree: statistics.median(x["requests_per_second"] for x in r["runs"][tree]) for tree in r["trees"]}
    report(r, [
        ("setup", f"gunicorn --workers 2 --threads {r['threads']}, wrk, 32 connections, "
                  f"{r['rounds']} x (A, B) x {r['seconds']} s"),
        ("A", f"{a}: median {rps[a]:.0f} req/s"),
        ("B", f"{b}: median {rps[b]:.0f} req/s"),
        ("B / A req/s, per pair", f"median {r['ratio_median']:.3f} "
                                  f"({', '.join(f'{x:.2f}' for x in sorted(r['ratios']))})"),
        ("B / A CPU per request", f"median {r['cpu_ratio_median']:.3f}"),
        ("machine", f"{r['machine']['cpus']} x {r['machine']['cpu_model']}, "
                    f"load {r['machine']['load_average_1m']}"),
    ], args.json)


if __name__ == "__main__":
    main()
