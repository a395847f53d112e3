"""Benchmark the default spam model: speed, size, and quality on unseen videos / SMS.

Usage: python bench/classifier_bench.py [--json]

Trains the default model into a temporary store (as `ensure_default_model` would),
then measures load time, single-comment latency with reasons, batch throughput and a
scoring process's peak memory, and sets the cross-validated metrics (leave-one-video-out,
grouped SMS folds, never-trained pilot videos) beside a plain bag-of-words MultinomialNB
trained and validated on the same folds.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.naive_bayes import MultinomialNB

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifier import CommentInput, ModelStore, shipped_corpora, train_and_store
from classifier.crossval import assign_folds
from classifier.evaluation import metrics, reliability
from classifier.features import TEXT, model_input

KEYS = ("mcc", "spam_caught", "blocked_ham", "f1", "roc_auc")
_RSS_SCRIPT = """
import resource, sys
from classifier import CommentInput, ModelStore
model = ModelStore(sys.argv[1]).load()
comments = [CommentInput("check out my channel http://x.com %d" % i) for i in range(2000)]
model.predict_proba(comments); model.score(comments[:200])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def _naive_bayes_baseline() -> dict:
    """Bag-of-words MultinomialNB on the raw bodies, same folds, its own 0.5 cut-off."""
    train = shipped_corpora(include_pilot=False)
    pilots = [e for e in shipped_corpora() if e.source.startswith("pilot:")]
    bodies = np.array([e.body for e in train], dtype=object)
    y = np.array([e.label for e in train])
    sources = np.array([e.source for e in train])
    folds = assign_folds(train, model_input(train)[:, TEXT])
    scores = np.zeros(len(y))
    for k in sorted(set(folds.tolist())):
        vectorizer = CountVectorizer()
        nb = MultinomialNB().fit(vectorizer.fit_transform(bodies[folds != k]), y[folds != k])
        scores[folds == k] = nb.predict_proba(vectorizer.transform(bodies[folds == k]))[:, 1]
    groups = {g: metrics(y[sources == g], scores[sources == g], 0.5) for g in sorted(set(sources))}
    vectorizer = CountVectorizer()
    nb = MultinomialNB().fit(vectorizer.fit_transform(bodies), y)
    for group in sorted({e.source for e in pilots}):
        rows = [e for e in pilots if e.source == group]
        p = nb.predict_proba(vectorizer.transform([e.body for e in rows]))[:, 1]
        groups[group] = metrics([e.label for e in rows], p, 0.5)
    return groups


def _timings(store: ModelStore) -> dict:
    """Load time, single-comment latency (with reasons) and batch throughput."""
    loads = []
    for _ in range(5):
        started = time.perf_counter()
        model = store.load()
        loads.append(time.perf_counter() - started)
    corpus = [CommentInput(body=e.body, name=e.name, homepage=e.homepage)
              for e in shipped_corpora()]
    latencies = []
    for comment in corpus[::7]:
        started = time.perf_counter()
        model.score([comment])
        latencies.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    model.predict_proba(corpus)
    throughput = len(corpus) / (time.perf_counter() - started)
    latencies.sort()
    return {"load_seconds": statistics.median(loads),
            "single_ms_p50": statistics.median(latencies),
            "single_ms_p99": latencies[int(0.99 * (len(latencies) - 1))],
            "batch_comments_per_second": throughput, "batch_size": len(corpus)}


def _peak_rss_mb(model_dir: Path) -> int:
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", _RSS_SCRIPT, str(model_dir)], cwd=root,
                         capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1])


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        store = ModelStore(tmp)
        started = time.perf_counter()
        outcome = train_and_store(store)
        train_seconds = time.perf_counter() - started
        meta = outcome.metadata
        model = store.load()
        groups = dict(meta["metrics"]["groups"])
        pilots = [e for e in shipped_corpora() if e.source.startswith("pilot:")]
        pilot_reliability = reliability([e.label for e in pilots], model.predict_proba(pilots))
        for group in sorted({e.source for e in pilots}):
            rows = [e for e in pilots if e.source == group]
            groups[group] = metrics([e.label for e in rows], model.predict_proba(rows),
                                    model.spam_threshold)
        return {"version": outcome.version, "train_seconds": train_seconds,
                "model_bytes": meta["file_size"], "spam_threshold": model.spam_threshold,
                **_timings(store), "worker_peak_rss_mb": _peak_rss_mb(Path(tmp)),
                "reliability": {"out-of-fold": meta["metrics"]["reliability"],
                                "pilot videos": pilot_reliability},
                "model": {g: {k: m[k] for k in KEYS} for g, m in groups.items()},
                "naive_bayes": {g: {k: m[k] for k in KEYS}
                                for g, m in _naive_bayes_baseline().items()}}


def _table(result: dict) -> str:
    lines = [
        f"training time          {result['train_seconds']:.1f} s (incl. 4-fold LOVO CV)",
        f"model file             {result['model_bytes'] / 1e6:.2f} MB",
        f"load time              {result['load_seconds'] * 1000:.0f} ms",
        (f"single comment+reasons p50 {result['single_ms_p50']:.2f} ms, "
         f"p99 {result['single_ms_p99']:.2f} ms"),
        f"batch throughput       {result['batch_comments_per_second']:.0f} comments/s",
        f"scoring process RSS    {result['worker_peak_rss_mb']} MB",
        f"spam threshold         {result['spam_threshold']:.4f}",
        "",
        "| held-out group | model MCC | spam caught | blocked ham | ROC AUC | NB MCC | NB blocked ham |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for group, m in result["model"].items():
        nb = result["naive_bayes"][group]
        lines.append(f"| {group} | {m['mcc']:.3f} | {m['spam_caught']:.3f} | "
                     f"{m['blocked_ham']:.3f} | {m['roc_auc']:.3f} | {nb['mcc']:.3f} | "
                     f"{nb['blocked_ham']:.3f} |")
    lines += ["", "| score bin | out-of-fold n | mean score | spam rate | pilot n | mean score "
              "| spam rate |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    oof, pilot = result["reliability"]["out-of-fold"], result["reliability"]["pilot videos"]
    for a, b in zip(oof, pilot, strict=True):
        lines.append(f"| {a['bin']} | {a['n']} | {_maybe(a['mean_score'])} | "
                     f"{_maybe(a['spam_rate'])} | {b['n']} | {_maybe(b['mean_score'])} | "
                     f"{_maybe(b['spam_rate'])} |")
    return "\n".join(lines)


def _maybe(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    outcome = run()
    print(json.dumps(outcome, indent=1) if "--json" in sys.argv[1:] else _table(outcome))
