"""Second-stage models (stackers) on the shipped model's out-of-fold logits, judged nested.

Usage: python bench/stacker_experiments.py [CANDIDATE ...] [--splits=hashed,r0,r1]

For each SMS split (`hashed`: training's grouped folds; `rN`: SMS rows at random, seed N,
like the held-back 20%) it fits the shipped pipeline 17 times (2 jobs, ~25 s, cached in
/tmp): the 4 leave-one-video-out folds, then for each held-out fold k the 3 inner folds
without k, and once on all rows for the never-trained 2014 pilot videos.  Printed per
group, the mean over the splits of
  - MCC at the channel threshold chosen on the stacker's scores over all folds (like the
    benchmark's figures: `platt` is the shipped calibration and reproduces them);
  - `N...`: fully nested: for held-out fold k the stacker and its threshold are fitted on
    inner out-of-fold logits of the other folds only;
  - the pilot videos, the stacker fitted on all out-of-fold logits;
with the worst blocked ham of the splits after the slash (in %).  A stacker marked
in-sample is scored on the rows it was fitted on (as training fits Platt); the others on
folds it did not see.  Results: bench/RESULTS-classifier.md (2026-11-26 third pass).
"""

from __future__ import annotations

import hashlib
import sys
import warnings
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import model_experiments as me  # noqa: E402

from classifier.crossval import apply_calibration, fit_calibration, spam_threshold  # noqa: E402
from classifier.evaluation import metrics  # noqa: E402
from classifier.features import SIGNALS, build_pipeline  # noqa: E402
from classifier.text import _URL_RE, SIGNAL_WORDS, _caps_ratio, clean, find_links  # noqa: E402

TARGET = 0.005
CACHE = Path("/tmp/modq-stacker-logits")
SIGS = [name for name in SIGNAL_WORDS if name != "__links_1__"]  # one link: __link__ alone
SHAPE = ["loglen", "logwords", "short5", "short12", "caps", "nlinks"]
META = SIGS + SHAPE
GROUPS = ["sms", "youtube:Youtube01-Psy", "youtube:Youtube02-KatyPerry",
          "youtube:Youtube03-LMFAO", "youtube:Youtube04-Eminem"]


def logits(split: str) -> dict:
    """Outer, inner (per held-out fold) and pilot logits of the shipped pipeline."""
    examples, X, y, folds, sources = me.data()
    path = CACHE / f"{split}-{_inputs_fingerprint(X)}.npz"
    if path.exists():
        return dict(np.load(path, allow_pickle=True))
    folds = folds.copy()
    if split != "hashed":
        sms = sources == "sms"
        folds[sms] = np.random.default_rng(int(split[1:])).integers(0, folds.max() + 1, sms.sum())
    fit_predict = me.shipped()
    ks = sorted(set(folds.tolist()) - {-1})
    jobs = [("outer", k, k) for k in ks] + [("inner", k, j) for k in ks for j in ks if j != k]
    jobs.append(("pilot", -1, -1))

    def run(kind, k, j):
        if kind == "pilot":
            return fit_predict(folds >= 0, folds < 0)
        return fit_predict((folds >= 0) & (folds != k) & (folds != j), folds == j)

    results = Parallel(n_jobs=2)(delayed(run)(*job) for job in jobs)
    out = {"outer": np.zeros(len(y)), "inner": np.zeros((len(ks), len(y))), "folds": folds,
           "y": y, "sources": sources}
    for (kind, k, j), values in zip(jobs, results, strict=True):
        if kind == "pilot":
            out["pilot"] = values
        else:
            (out["outer"] if kind == "outer" else out["inner"][k])[folds == j] = values
    CACHE.mkdir(exist_ok=True)
    np.savez(path, **out)
    return out


def _inputs_fingerprint(X: np.ndarray) -> str:
    """What the cached logits depend on: the model input and the pipeline's settings (a
    cache keyed on the split alone went on serving the previous model's logits)."""
    digest = hashlib.sha256("\x1f".join(X.ravel().tolist()).encode())
    digest.update(repr(build_pipeline()).encode())
    return digest.hexdigest()[:12]


def meta() -> np.ndarray:
    """Per row: signal flags, then length, word count, short flags, caps ratio, links."""
    examples, X, y, folds, sources = me.data()
    rows = []
    for example, signals in zip(examples, X[:, SIGNALS], strict=True):
        tokens, text = set(signals.split()), clean(example.body)
        words = len(text.split())
        rows.append([float(t in tokens) for t in SIGS] + [
            np.log1p(len(text)), np.log1p(words), float(words <= 5), float(words <= 12),
            _caps_ratio(_URL_RE.sub(" ", text))[0], min(len(find_links(text)), 3)])
    return np.array(rows)


class Platt:
    """The shipped comment calibration: Platt per channel, fitted in-sample."""

    insample = True

    def fit(self, z, M, y, sms):
        self.cal = {b: fit_calibration(z[sms == b], y[sms == b]) for b in (True, False)
                    if (sms == b).any()}
        return self

    def predict(self, z, M, sms):
        out = np.zeros(len(z))
        for b, cal in self.cal.items():
            out[sms == b] = apply_calibration(z[sms == b], cal)
        return out


class Linear:
    """Logistic regression on [logit, meta columns, logit x interaction columns] per channel;
    `only` restricts it to one channel (True: SMS, False: comments), Platt for the other."""

    def __init__(self, cols, inter=(), c=1.0, only=None, insample=False):
        self.cols, self.inter, self.c, self.only, self.insample = cols, inter, c, only, insample

    def _design(self, z, M):
        return np.column_stack([z] + [M[:, META.index(c)] for c in self.cols]
                               + [z * M[:, META.index(c)] for c in self.inter])

    def fit(self, z, M, y, sms):
        self.platt = Platt().fit(z, M, y, sms)
        self.models = {b: LogisticRegression(C=self.c, max_iter=5000).fit(
            self._design(z[sms == b], M[sms == b]), y[sms == b])
            for b in (True, False) if self.only in (None, b)}
        return self

    def predict(self, z, M, sms):
        out = self.platt.predict(z, M, sms)
        for b, model in self.models.items():
            if (sms == b).any():
                out[sms == b] = model.predict_proba(self._design(z[sms == b], M[sms == b]))[:, 1]
        return out


class Boosted:
    """Gradient-boosted trees on [logit (monotone increasing), meta, channel]."""

    insample = False

    def fit(self, z, M, y, sms):
        self.model = HistGradientBoostingClassifier(
            monotonic_cst=[1] + [0] * (M.shape[1] + 1), max_iter=100, learning_rate=0.05,
            max_leaf_nodes=8, min_samples_leaf=40, random_state=0)
        self.model.fit(np.column_stack([z, M, sms]), y)
        return self

    def predict(self, z, M, sms):
        return self.model.predict_proba(np.column_stack([z, M, sms]))[:, 1]


CANDIDATES = {
    "platt": Platt,
    "sms-signals": lambda: Linear(SIGS, only=True, insample=True),  # shipped
    "sms-no-signal-only": lambda: Linear(["__no_signal__"], only=True, insample=True),
    "sms-signals-but-no-signal": lambda: Linear(SIGS[:-1], only=True, insample=True),
    "comment-signals": lambda: Linear(SIGS, only=False, insample=True),
    "both-signals-cv": lambda: Linear(SIGS),
    "both-shape-cv": lambda: Linear(SIGS + SHAPE),
    "both-interactions-cv": lambda: Linear(
        SIGS + SHAPE, inter=["short5", "short12", "loglen", "__no_signal__", "__link__", "__promo__"]),
    "boosted-cv": Boosted,
}
for _c in (0.3, 3.0, 10.0, 100.0):
    CANDIDATES[f"sms-signals-c{_c:g}"] = (lambda c: lambda: Linear(SIGS, c=c, only=True,
                                                                   insample=True))(_c)


def stacked_scores(make, z, M, y, sms, folds) -> np.ndarray:
    if getattr(make(), "insample", False):
        return make().fit(z, M, y, sms).predict(z, M, sms)
    out = np.zeros(len(y))
    for j in sorted(set(folds.tolist())):
        seen = folds != j
        out[~seen] = make().fit(z[seen], M[seen], y[seen], sms[seen]).predict(
            z[~seen], M[~seen], sms[~seen])
    return out


def thresholds(scores, y, sms) -> dict:
    return {b: spam_threshold(scores[sms == b], y[sms == b], TARGET) for b in (True, False)}


def evaluate(make, d: dict, M_all: np.ndarray) -> dict:
    n = int((d["folds"] >= 0).sum())
    y, sources, folds, z, M = d["y"][:n], d["sources"][:n], d["folds"][:n], d["outer"][:n], M_all[:n]
    sms = sources == "sms"
    scores = stacked_scores(make, z, M, y, sms, folds)
    t = thresholds(scores, y, sms)
    row_t = np.where(sms, t[True], t[False])
    result = {"t": t[False]}
    for g in GROUPS:
        m = sources == g
        r = metrics(y[m], scores[m], row_t[m])
        result[g] = (r["mcc"], r["blocked_ham"])
    flagged = np.zeros(n)
    for k in sorted(set(folds.tolist())):
        seen = folds != k
        zi = d["inner"][k][:n]
        ti = thresholds(stacked_scores(make, zi[seen], M[seen], y[seen], sms[seen], folds[seen]),
                        y[seen], sms[seen])
        p = make().fit(zi[seen], M[seen], y[seen], sms[seen]).predict(z[~seen], M[~seen], sms[~seen])
        flagged[~seen] = p >= np.where(sms[~seen], ti[True], ti[False])
    for g in GROUPS:
        m = sources == g
        r = metrics(y[m], flagged[m], 0.5)
        result["N" + g] = (r["mcc"], r["blocked_ham"])
    pilot_y, pilot_sources = d["y"][n:], d["sources"][n:]
    p = make().fit(z, M, y, sms).predict(d["pilot"], M_all[n:], np.zeros(len(pilot_y), bool))
    for g in sorted(set(pilot_sources.tolist())):
        m = pilot_sources == g
        r = metrics(pilot_y[m], p[m], t[False])
        result[g] = (r["mcc"], r["blocked_ham"])
    return result


def show(name: str, results: list[dict]) -> None:
    keys = [k for k in results[0] if k != "t"]

    def short(key):
        return key.replace("youtube:Youtube0", "").replace("pilot:", "")[:9]

    print(f"{name:26s} t={np.mean([r['t'] for r in results]):.3f} "
          f"{me.mean_cells(results, keys, short)}", flush=True)


if __name__ == "__main__":
    warnings.filterwarnings("ignore")
    splits, names = me.splits_and_names(CANDIDATES)
    data = [logits(s) for s in splits]
    M_all = meta()
    for name in names:
        show(name, [evaluate(CANDIDATES[name], d, M_all) for d in data])
