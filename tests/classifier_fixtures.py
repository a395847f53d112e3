"""Shared, explicitly imported helpers for the classifier tests.

Not a conftest.py (main owns that).  The full default model is trained at most once per
test session, whichever test module asks first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from classifier import LabelledComment, ModelStore, train_and_store
from classifier.features import build_pipeline, model_input
from classifier.training import TrainedModel

_TRAINED: dict[str, Path] = {}

SPAM = [
    "Check out my channel please subscribe http://bit.ly/abc",
    "FREE entry! Text WIN to 87121 to claim your prize",
    "subscribe to me and i will sub back!!!",
    "Make money from home, visit www.easycash.com now",
    "Hey guys check out my new video and like it",
    "Win a free iPhone, click http://win.example.com",
]
HAM = [
    "I love this song so much",
    "This video brings back memories",
    "See you at dinner tonight?",
    "Great performance, the dance is amazing",
    "Who is watching in 2015?",
    "ok i'll call you later",
]


def tiny_examples() -> list[LabelledComment]:
    return ([LabelledComment(body=t, label=1, source="tiny") for t in SPAM]
            + [LabelledComment(body=t, label=0, source="tiny") for t in HAM])


def tiny_trained(metadata: dict | None = None) -> TrainedModel:
    """A quickly fitted pipeline of the real shape (for store tests; no cross-validation)."""
    examples = tiny_examples()
    pipeline = build_pipeline(["comment"]).fit(model_input(examples),
                                              np.array([e.label for e in examples]))
    meta = {"thresholds": {"spam": 0.5}, "metrics": {"overall": {"mcc": 0.5}}}
    return TrainedModel(pipeline=pipeline, metadata={**meta, **(metadata or {})})


def trained_store_dir(tmp_path_factory) -> Path:
    """Directory of a store whose live model is the real default model (trained once)."""
    if "dir" not in _TRAINED:
        directory = tmp_path_factory.mktemp("default-model")
        train_and_store(ModelStore(directory), promote=True)
        _TRAINED["dir"] = directory
    return _TRAINED["dir"]


def copy_store(tmp_path_factory, target: Path) -> Path:
    shutil.copytree(trained_store_dir(tmp_path_factory), target)
    return target
