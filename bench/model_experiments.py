"""Cheap leave-one-video-out experiments on model candidates (features cached once).

Usage: python bench/model_experiments.py [CANDIDATE ...] [--dump] [--target=0.005] [--sms-random]
       [--per-domain]

`current` is the shipped pipeline; the other names (see CANDIDATES) are variants on cached
features.  `--target` sets the blocked-ham target of the threshold, `--sms-random` splits
the SMS rows at random (duplicates may straddle folds, as in a random held-back 20%),
`--per-domain` calibrates and thresholds video and SMS rows apart (what training does per channel;
the `mcc@t` column then uses each domain's own threshold).

Hashed n-gram counts are stateless, so they are computed once per analyser and reused;
each fold then fits its TF-IDF weights and classifier on the training rows only.  For
each candidate it prints per held-out group: MCC at 0.5, at the pooled threshold chosen
like `classifier.training` does (Platt on out-of-fold logits, `spam_threshold` at 0.5%), at a
*nested* threshold (calibration + threshold from the other folds' out-of-fold scores
only), and at the group's own best threshold (an upper bound, not a result), then the
2014 pilot videos scored by a model fitted on all training rows.
`lr_fead` fits the channel copies' TF-IDF on all rows before masking them, so it only approximates
the shipped pipeline; bench/weight_experiments.py reproduces it exactly and loops over three SMS splits.
"""

from __future__ import annotations

import sys
import time
from functools import cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifier import shipped_corpora  # noqa: E402
from classifier.crossval import (  # noqa: E402
    apply_calibration,
    assign_folds,
    domain_weights,
    fit_calibration,
    spam_threshold,
)
from classifier.evaluation import metrics  # noqa: E402
from classifier.features import SIGNALS, TEXT, build_pipeline, model_input  # noqa: E402


@cache
def data():
    """Training rows (fold >= 0) followed by the pilot videos (fold -1, never trained on)."""
    examples = shipped_corpora(include_pilot=False)
    pilots = [e for e in shipped_corpora() if e.source.startswith("pilot:")]
    X = model_input(examples + pilots)
    y = np.array([e.label for e in examples + pilots])
    folds = np.concatenate([assign_folds(examples, X[: len(examples), TEXT]),
                            -np.ones(len(pilots), dtype=int)])
    if "--sms-random" in sys.argv:  # like the held-back 20%: duplicates may straddle folds
        sms = np.array([e.source == "sms" for e in examples + pilots])
        folds[sms] = np.random.default_rng(0).integers(0, folds.max() + 1, int(sms.sum()))
    if "--train-pilots" in sys.argv:  # pilots are trained on too, each video its own fold
        names = sorted({e.source for e in pilots})
        folds[len(examples):] = [folds.max() + 1 + names.index(e.source) for e in pilots]
    return examples + pilots, X, y, folds, np.array([e.source for e in examples + pilots])


def known(*arrays):
    """The training rows of arrays aligned with `data()`."""
    n = int((data()[3] >= 0).sum())
    return [a[:n] for a in arrays]


def best_mcc(y, s) -> tuple[float, float]:
    """The group's best MCC over all thresholds (and that threshold): an upper bound."""
    order = np.argsort(-s)
    tp = np.cumsum(y[order] == 1).astype(float)
    fp = np.cumsum(y[order] == 0).astype(float)
    fn, tn = tp[-1] - tp, fp[-1] - fp
    denominator = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = np.divide(tp * tn - fp * fn, denominator, out=np.zeros_like(tp), where=denominator > 0)
    i = int(np.argmax(mcc))
    return float(mcc[i]), float(s[order][i])


def report(name: str, logits: np.ndarray, seconds: float, target: float = 0.005,
           pilot_logits: np.ndarray | None = None) -> dict:
    examples, X, y, folds, sources = data()
    pilot_y, pilot_sources = y[folds < 0], sources[folds < 0]
    y, folds, sources = known(y, folds, sources)
    calibration = fit_calibration(logits, y)
    scores = apply_calibration(logits, calibration)
    threshold = spam_threshold(scores, y, target)
    if "--per-domain" in sys.argv:  # calibration and threshold per domain, threshold moved into scores
        video = np.array([s.startswith(("youtube:", "pilot:")) for s in sources])
        for m in (video, ~video):
            cal = fit_calibration(logits[m], y[m])
            s_m = apply_calibration(logits[m], cal)
            t_m = spam_threshold(s_m, y[m], target)
            z = np.log(s_m / (1 - s_m)) - np.log(t_m / (1 - t_m)) + np.log(threshold / (1 - threshold))
            scores[m] = 1 / (1 + np.exp(-z))
            print(f"  domain threshold {t_m:.3f}")
    nested = np.zeros(len(y))
    for k in sorted(set(folds.tolist())):
        other = folds != k
        cal = fit_calibration(logits[other], y[other])
        t = spam_threshold(apply_calibration(logits[other], cal), y[other], target)
        nested[~other] = apply_calibration(logits[~other], cal) >= t
    print(f"== {name}  ({seconds:.1f} s)  pooled threshold {threshold:.3f}")
    print(f"  {'group':30s} {'mcc@.5':>7} {'mcc@t':>7} {'caught':>7} {'bh@t':>6} "
          f"{'nested':>7} {'nbh':>6} {'best':>7} {'at':>6} {'auc':>6}")
    out = {}
    for g in sorted(set(sources.tolist())):
        m = sources == g
        at_t = metrics(y[m], scores[m], threshold)
        nest = metrics(y[m], nested[m], 0.5)
        out[g] = at_t["mcc"]
        print(f"  {g:30s} {metrics(y[m], scores[m], 0.5)['mcc']:7.3f} {at_t['mcc']:7.3f} "
              f"{at_t['spam_caught']:7.3f} {at_t['blocked_ham']:6.3f} {nest['mcc']:7.3f} "
              f"{nest['blocked_ham']:6.3f} {'{:7.3f} {:6.3f}'.format(*best_mcc(y[m], scores[m]))} "
              f"{at_t['roc_auc']:6.3f}")
    if pilot_logits is not None:
        p = apply_calibration(pilot_logits, calibration)
        for g in sorted(set(pilot_sources.tolist())):
            m = pilot_sources == g
            r = metrics(pilot_y[m], p[m], threshold)
            print(f"  {g[:30]:30s} {metrics(pilot_y[m], p[m], 0.5)['mcc']:7.3f} "
                  f"{r['mcc']:7.3f} {r['spam_caught']:7.3f} "
                  f"{r['blocked_ham']:6.3f}  (pilot, model fitted on all rows)")
    return out


_EXTRA = False


def oof(fit_predict) -> tuple[np.ndarray, float]:
    """Out-of-fold logits of `fit_predict(train_mask) -> logits of test_mask`."""
    examples, X, y, folds, sources = data()
    started = time.perf_counter()
    logits = np.zeros(len(y))
    for k in sorted(set(folds.tolist()) - {-1}):
        logits[folds == k] = fit_predict((folds != k) & (folds >= 0), folds == k)
    pilots = fit_predict(folds >= 0, folds < 0) if (folds < 0).any() else np.zeros(0)
    return known(logits)[0], pilots, time.perf_counter() - started


def shipped(weights="domain", **options):
    """The shipped pipeline with other weights or options."""
    def fit_predict(train, test):
        examples, X, y, folds, sources = data()
        from classifier.crossval import fit_weighted
        model = fit_weighted(build_pipeline(**options), X[train], y[train], weights_for(weights)[train])
        return model.decision_function(X[test])
    return fit_predict


current = shipped()


@cache
def counts(kind: str) -> sp.csr_matrix:
    """Hashed raw counts of one analyser over all rows (stateless, so cacheable)."""
    from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer

    examples, X, y, folds, sources = data()
    specs = {
        "word12": dict(ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b"),
        "word1": dict(ngram_range=(1, 1), token_pattern=r"(?u)\b\w+\b"),
        "charwb25": dict(analyzer="char_wb", ngram_range=(2, 5)),
        "char15": dict(analyzer="char", ngram_range=(1, 5)),
        "char25": dict(analyzer="char", ngram_range=(2, 5)),
        "char36": dict(analyzer="char", ngram_range=(3, 6)),
        "charwb35": dict(analyzer="char_wb", ngram_range=(3, 5)),
        "charwb14": dict(analyzer="char_wb", ngram_range=(1, 4)),
        "charwb24": dict(analyzer="char_wb", ngram_range=(2, 4)),
        "charwb23": dict(analyzer="char_wb", ngram_range=(2, 3)),
        "charwb34": dict(analyzer="char_wb", ngram_range=(3, 4)),
        "char24": dict(analyzer="char", ngram_range=(2, 4)),
        "char14": dict(analyzer="char", ngram_range=(1, 4)),
        "charwb13": dict(analyzer="char_wb", ngram_range=(1, 3)),
        "charwb15": dict(analyzer="char_wb", ngram_range=(1, 5)),
        "charwb36": dict(analyzer="char_wb", ngram_range=(3, 6)),
        "word13": dict(ngram_range=(1, 3), token_pattern=r"(?u)\b\w+\b"),
    }
    if kind in ("name_word", "name_char"):
        from classifier.text import normalize

        names = [normalize(e.name) for e in examples]
        spec = (dict(token_pattern=r"(?u)\b\w+\b") if kind == "name_word"
                else dict(analyzer="char_wb", ngram_range=(2, 4)))
        return HashingVectorizer(n_features=2**16, alternate_sign=False, norm=None,
                                 dtype=np.float32, **spec).transform(names).tocsr()
    if kind == "signal":
        return CountVectorizer(token_pattern=r"__\w+__", lowercase=False,
                               binary=True).fit_transform(X[:, SIGNALS]).tocsr()
    texts = X[:, TEXT]
    bits = 18
    if kind.endswith("-big"):
        kind, bits = kind.removesuffix("-big"), 20
    if kind.endswith("-longdigits"):  # only runs of 5+ digits (phone numbers, short codes) as 0
        import re

        kind = kind.removesuffix("-longdigits")
        texts = np.array([re.sub(r"\d{5,}", lambda m: "0" * len(m.group()), t) for t in texts],
                         dtype=object)
    if kind.endswith("-digits"):  # every digit as 0: unseen phone numbers share n-grams
        import re

        kind = kind.removesuffix("-digits")
        texts = np.array([re.sub(r"\d", "0", t) for t in texts], dtype=object)
    if kind.endswith("-punct"):  # runs of punctuation as words of their own ("subscribers...come")
        import re

        kind = kind.removesuffix("-punct")
        texts = np.array([re.sub(r"([^\w\s]+)", r" \1 ", t) for t in texts], dtype=object)
    if kind.endswith("-nolinks"):  # links cut out: the link signals alone speak for them
        from classifier.text import find_links

        kind = kind.removesuffix("-nolinks")
        texts = np.array([_without_links(t, find_links(t)) for t in texts], dtype=object)
    hasher = HashingVectorizer(n_features=2**bits, alternate_sign=False, norm=None,
                               dtype=np.float32, **specs[kind])
    return hasher.transform(texts).tocsr()


def _without_links(text: str, links: list[str]) -> str:
    for link in sorted(set(links), key=len, reverse=True):
        text = text.replace(link, " ")
    return text


def features(train, test, blocks, binary=False, sublinear=True):
    """TF-IDF (fitted on `train` rows) of the named blocks, stacked; signals as-is."""
    from sklearn.feature_extraction.text import TfidfTransformer

    parts_train, parts_test = [], []
    for block in blocks:
        c = counts(block)
        if block == "signal":
            parts_train.append(c[train])
            parts_test.append(c[test])
            continue
        if binary:
            c = (c > 0).astype(np.float32)
        tfidf = TfidfTransformer(sublinear_tf=sublinear).fit(c[train])
        parts_train.append(tfidf.transform(c[train]))
        parts_test.append(tfidf.transform(c[test]))
    return sp.hstack(parts_train, format="csr"), sp.hstack(parts_test, format="csr")


def weights_for(mode: str) -> np.ndarray:
    examples, X, y, folds, sources = data()
    n = int((folds >= 0).sum())  # pilots are never trained on: weight 1 is never used
    base = np.concatenate([domain_weights(examples[:n]), np.ones(len(y) - n)])
    if mode == "domain":
        return base
    if mode == "none":
        return np.ones(len(y))
    if mode == "cells":  # every (domain, class) cell gets the same total weight
        video = np.array([s.startswith("youtube:") for s in sources])
        w = np.zeros(len(y))
        for cell in ((video, 1), (video, 0), (~video, 1), (~video, 0)):
            m = cell[0] & (y == cell[1])
            w[m] = len(y) / (4 * m.sum())
        return w
    from classifier import crossval

    factor = float(mode.removeprefix("video"))
    return np.where(base > 1, base * factor / crossval.VIDEO_SHARE, 1.0)


def lr(blocks, c=30.0, weights="domain", cw="balanced", **feat):
    from sklearn.linear_model import LogisticRegression

    def fit_predict(train, test):
        examples, X, y, folds, sources = data()
        A, B = features(train, test, blocks, **feat)
        model = LogisticRegression(C=c, max_iter=2000, class_weight=cw, solver="liblinear",
                                   random_state=0)
        model.fit(A, y[train], sample_weight=weights_for(weights)[train])
        return model.decision_function(B)
    return fit_predict


def _proba(kind, train, test, blocks, c=30.0, weights="domain", **feat):
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.naive_bayes import ComplementNB, MultinomialNB

    examples, X, y, folds, sources = data()
    A, B = features(train, test, blocks, **feat)
    w = weights_for(weights)[train]
    if kind == "lr":
        model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced",
                                   solver="liblinear")
    elif kind == "sgd":
        model = SGDClassifier(loss="modified_huber", alpha=c, class_weight="balanced",
                              max_iter=50, random_state=0)
    elif kind == "cnb":
        model = ComplementNB(alpha=c)
    else:
        model = MultinomialNB(alpha=c)
    model.fit(A, y[train], sample_weight=w)
    return model.predict_proba(B)[:, 1]


def vote(*members):
    """Soft vote: mean of the members' probabilities, returned as log-odds."""
    def fit_predict(train, test):
        p = np.mean([
                     _proba(m[0], train, test, m[1], **m[2]) for m in members], axis=0)
        p = np.clip(p, 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))
    return fit_predict


def dump(logits: np.ndarray, groups: tuple[str, ...], limit: int = 25) -> None:
    """Print the false positives / negatives of some groups at the pooled threshold."""
    examples, X, y, folds, sources = data()
    y, sources = known(y, sources)
    scores = apply_calibration(logits, fit_calibration(logits, y))
    threshold = spam_threshold(scores, y, 0.005)
    for g in groups:
        m = np.flatnonzero(sources == g)
        fp = [i for i in m if y[i] == 0 and scores[i] >= threshold]
        fn = [i for i in m if y[i] == 1 and scores[i] < threshold]
        print(f"--- {g}: {len(fp)} false positives")
        for i in sorted(fp, key=lambda i: -scores[i])[:limit]:
            print(f"  {scores[i]:.3f} {examples[i].body[:140]!r}")
        print(f"--- {g}: {len(fn)} false negatives")
        for i in sorted(fn, key=lambda i: scores[i])[:limit]:
            print(f"  {scores[i]:.3f} {examples[i].body[:140]!r}")


def is_video() -> np.ndarray:
    sources = data()[4]
    return np.array([s.startswith(("youtube:", "pilot:")) for s in sources])


def augment(M: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
    """Domain copies: [shared, video-only copy, other-only copy] (Daume III, 2007)."""
    v = is_video()[rows].astype(np.float32)
    return sp.hstack([M, sp.diags(v) @ M, sp.diags(1 - v) @ M], format="csr")


def lr_fead(blocks, c=30.0, weights="domain", only_video=False, copy=None, nb=False, **feat):
    from sklearn.linear_model import LogisticRegression

    def fit_predict(train, test):
        examples, X, y, folds, sources = data()
        if only_video:
            train = train & is_video()
        A, B = features(train, test, blocks, **feat)
        if copy is not None:
            A2, B2 = features(train, test, copy, **feat)
            v = is_video().astype(np.float32)
            A = sp.hstack([A, sp.diags(v[train]) @ A2, sp.diags(1 - v[train]) @ A2], format="csr")
            B = sp.hstack([B, sp.diags(v[test]) @ B2, sp.diags(1 - v[test]) @ B2], format="csr")
        elif not only_video:
            A, B = augment(A, train), augment(B, test)
        if nb:  # NB-LR (Wang & Manning 2012): scale each feature by its log-count ratio
            yt = y[train]
            binary = (A > 0).astype(np.float64)
            p = 1.0 + np.asarray(binary[yt == 1].sum(axis=0)).ravel()
            q = 1.0 + np.asarray(binary[yt == 0].sum(axis=0)).ravel()
            r = np.log((p / p.sum()) / (q / q.sum()))
            scale = sp.diags(np.abs(r) ** nb if nb is not True else np.abs(r))
            A, B = (A @ scale).tocsr(), (B @ scale).tocsr()
        model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", solver="liblinear",
                                   random_state=0)
        model.fit(A, y[train], sample_weight=weights_for(weights)[train])
        return model.decision_function(B)
    return fit_predict


CANDIDATES = {
    "nb-word": lr_fead(["word12", "charwb25-digits", "signal"], copy=["word12", "signal"], nb=True),
    "nb-word-half": lr_fead(["word12", "charwb25-digits", "signal"], copy=["word12", "signal"], nb=0.5),
    "nb-word-c3": lr_fead(["word12", "charwb25-digits", "signal"], copy=["word12", "signal"], nb=True, c=3.0),
    "cur-none": shipped("none"),
    "cur-video1": shipped("video1"),
    "cur-video2": shipped("video2"),
    "cur-video8": shipped("video8"),
    "cur-c10": shipped(c=10.0),
    "cur-c100": shipped(c=100.0),
    "fead-word": lr_fead(["word12", "charwb25-digits", "signal"], copy=["word12", "signal"]),
    "fead-word1": lr_fead(["word12", "charwb25-digits", "signal"], copy=["word1", "signal"]),
    "fead-signal": lr_fead(["word12", "charwb25-digits", "signal"], copy=["signal"]),
    "fead": lr_fead(["word12", "charwb25-digits", "signal"]),
    "fead-c10": lr_fead(["word12", "charwb25-digits", "signal"], c=10),
    "fead-none": lr_fead(["word12", "charwb25-digits", "signal"], weights="none"),
    "videoonly": lr_fead(["word12", "charwb25-digits", "signal"], only_video=True),
    "vote-lr-char-word": vote(("lr", ["char15", "signal"], {}),
                              ("lr", ["word12", "signal"], {})),
    "vote-lr-char-word-nb": vote(("lr", ["char15", "signal"], {}),
                                 ("lr", ["word12", "signal"], {}),
                                 ("mnb", ["word12", "signal"], {"c": 0.1})),
    "vote-lr-cnb": vote(("lr", ["word12", "charwb25", "signal"], {}),
                        ("cnb", ["word12", "signal"], {"c": 0.3})),
    "sgd": vote(("sgd", ["word12", "charwb25", "signal"], {"c": 1e-4})),
    "sgd-char15": vote(("sgd", ["word12", "char15", "signal"], {"c": 1e-4})),
    "current": current,
    "lr-same": lr(["word12", "charwb25", "signal"]),
    "lr-name-word": lr(["word12", "charwb25", "signal", "name_word"]),
    "lr-name-char": lr(["word12", "charwb25", "signal", "name_char"]),
    "lr-big": lr(["word12-big", "charwb25-big", "signal"]),
    "lr-digits": lr(["word12", "charwb25-digits", "signal"]),
    "lr-both-digits": lr(["word12-digits", "charwb25-digits", "signal"]),
    "lr-video1": lr(["word12", "charwb25", "signal"], weights="video1"),
    "lr-c10": lr(["word12", "charwb25", "signal"], c=10),
    "lr-c3": lr(["word12", "charwb25", "signal"], c=3),
    "lr-video2": lr(["word12", "charwb25", "signal"], weights="video2"),
    "lr-video4": lr(["word12", "charwb25", "signal"], weights="video4"),
    "lr-noweight": lr(["word12", "charwb25", "signal"], weights="none"),
    "lr-cells": lr(["word12", "charwb25", "signal"], weights="cells", cw=None),
    "lr-cells-c10": lr(["word12", "charwb25", "signal"], weights="cells", cw=None, c=10),
    "lr-video2-char15": lr(["word12", "char15", "signal"], weights="video2"),
    "lr-video2-c10": lr(["word12", "charwb25", "signal"], weights="video2", c=10),
    "lr-video2-c100": lr(["word12", "charwb25", "signal"], weights="video2", c=100),
    "lr-char15": lr(["word12", "char15", "signal"]),
    "lr-char15-bin": lr(["word12", "char15", "signal"], binary=True),
    "lr-char25-c10": lr(["word12", "char25", "signal"], c=10),
}


def top_hams(name: str, count: int = 15) -> None:
    """The highest-scoring video hams (what sets a video-only threshold)."""
    logits, _, _ = oof(CANDIDATES[name])
    examples, X, y, folds, sources = data()
    y, sources = known(y, sources)
    video = np.array([s.startswith("youtube:") for s in sources])
    scores = apply_calibration(logits, fit_calibration(logits[video], y[video]))
    hams = [i for i in np.flatnonzero(video & (y == 0))]
    for i in sorted(hams, key=lambda i: -scores[i])[:count]:
        print(f"  {scores[i]:.3f} {sources[i][8:20]:12s} {examples[i].body[:110]!r}")


def sms_char_copy(c=30.0):
    """Channel copies of words and signals for both domains, of char n-grams for SMS only."""
    from sklearn.linear_model import LogisticRegression

    def fit_predict(train, test):
        examples, X, y, folds, sources = data()
        A, B = features(train, test, ["word12", "charwb25-digits", "signal"])
        W, V = features(train, test, ["word12", "signal"])
        C_, D = features(train, test, ["charwb25-digits"])
        v = is_video().astype(np.float32)
        A = sp.hstack([A, sp.diags(v[train]) @ W, sp.diags(1 - v[train]) @ W,
                       sp.diags(1 - v[train]) @ C_], format="csr")
        B = sp.hstack([B, sp.diags(v[test]) @ V, sp.diags(1 - v[test]) @ V,
                       sp.diags(1 - v[test]) @ D], format="csr")
        model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", solver="liblinear",
                                   random_state=0)
        model.fit(A, y[train], sample_weight=weights_for("domain")[train])
        return model.decision_function(B)
    return fit_predict


CANDIDATES["sms-char-copy"] = sms_char_copy()
# Char n-gram ranges (2026-11-26; the signal block now includes __promo__, so `fead-word` is the
# shipped model with the earlier char_wb 2-5).  Long char n-grams restate a word many times
# over ("check" -> ~12 grams), so a spammy word outweighs the bigram that says otherwise.
_WORDS_SIGNALS = ["word12", "signal"]
for _name, _chars in (("char-wb14", "charwb14-digits"), ("char-wb13", "charwb13-digits"),
                      ("char-wb24", "charwb24-digits"), ("char-wb23", "charwb23-digits"),
                      ("char-wb35", "charwb35-digits"), ("char-wb15", "charwb15-digits"),
                      ("char-14", "char14-digits"), ("char-24", "char24-digits"),
                      ("char-wb14-nodigits", "charwb14")):
    CANDIDATES[_name] = lr_fead(["word12", _chars, "signal"], copy=_WORDS_SIGNALS)
CANDIDATES["char-wb14-copy"] = lr_fead(["word12", "charwb14-digits", "signal"],
                                       copy=["word12", "charwb14-digits", "signal"])
CANDIDATES["char-wb14-c10"] = lr_fead(["word12", "charwb14-digits", "signal"], copy=_WORDS_SIGNALS,
                                      c=10.0)
CANDIDATES["char-wb14-c100"] = lr_fead(["word12", "charwb14-digits", "signal"],
                                       copy=_WORDS_SIGNALS, c=100.0)
CANDIDATES["words-only"] = lr_fead(["word12", "signal"], copy=_WORDS_SIGNALS)
CANDIDATES["fead-word-again"] = lr_fead(["word12", "charwb25-digits", "signal"], copy=["word12", "signal"])


def splits_and_names(candidates: dict) -> tuple[list[str], list[str]]:
    """For the scripts built on this one: `--splits=hashed,r0,r1` (SMS splits: training's
    grouped folds, or random with seed N) and the candidate names (default: all) from the
    command line, which is then cleared, because `data()` reads flags of its own."""
    splits = next((a.split("=")[1].split(",") for a in sys.argv if a.startswith("--splits=")),
                  ["hashed", "r0", "r1"])
    names = [a for a in sys.argv[1:] if not a.startswith("--")] or list(candidates)
    sys.argv = sys.argv[:1]
    return splits, names


def mean_cells(results: list[dict], keys, short) -> str:
    """`group=MCC/blocked-ham%` per key: the mean MCC over the splits' results, the worst
    blocked ham."""
    return " ".join(f"{short(k)}={np.mean([r[k][0] for r in results]):.3f}"
                    f"/{100 * max(r[k][1] for r in results):.1f}" for k in keys)


if __name__ == "__main__":
    names = [a for a in sys.argv[1:] if not a.startswith("--")] or ["current"]
    data()
    for name in names:
        logits, pilots, seconds = oof(CANDIDATES[name])
        target = next((float(a.split("=")[1]) for a in sys.argv if a.startswith("--target=")),
                      0.005)
        report(name, logits, seconds, target, pilots)
        if "--dump" in sys.argv:
            dump(logits, ("youtube:Youtube02-KatyPerry", "youtube:Youtube03-LMFAO"))
