"""Training, load and memory figures of the default model, against the performance targets.

Usage: python bench/model_figures.py [--json]

Trains the default model on the shipped corpora into a temporary store (what ``modq up``
does on first start), then reuses the classifier benchmark's own measurements
(``bench/classifier_bench.py``) for load time, scoring speed and a scoring process's
peak memory. ``bench/scoring.py`` reports a real ``modq worker``'s peak memory too.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from classifier_bench import _peak_rss_mb, _timings
from support import machine, report

from classifier import ModelStore, train_and_store


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        store = ModelStore(tmp)
        started = time.perf_counter()
        train_and_store(store)
        train_seconds = time.perf_counter() - started
        return {"train_seconds": train_seconds, **_timings(store),
                "scoring_process_peak_rss_mb": _peak_rss_mb(Path(tmp)), "machine": machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = run()
    report(r, [
        ("training, default model (target < 30 s)", f"{r['train_seconds']:.1f} s"),
        ("model load (target < 0.5 s)", f"{r['load_seconds'] * 1000:.0f} ms"),
        ("one comment with reasons", f"p50 {r['single_ms_p50']:.2f} ms, p99 {r['single_ms_p99']:.2f} ms"),
        ("batch, no reasons", f"{r['batch_comments_per_second']:.0f} comments/s"),
        ("scoring process peak RSS (target < 300 MB)", f"{r['scoring_process_peak_rss_mb']} MB"),
        ("machine", f"{r['machine']['cpus']} x {r['machine']['cpu_model']}, "
                    f"load {r['machine']['load_average_1m']}"),
    ], args.json)


if __name__ == "__main__":
    sys.exit(main())
