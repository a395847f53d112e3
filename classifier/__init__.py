"""modq's spam classifier: load data, train, store, score with reasons, evaluate.

Free of Flask, Redis and SQL so it can be used from a notebook, the worker or the CLI.
"""

from .datasets import CommentInput, DatasetError, LabelledComment, load_file, shipped_corpora
from .evaluation import evaluate
from .model import Score, SpamModel
from .store import ModelNotFound, ModelStore, UntrustedModelError
from .text import normalize
from .training import TrainedModel, TrainOutcome, ensure_default_model, train, train_and_store

__all__ = [
    "CommentInput", "DatasetError", "LabelledComment", "ModelNotFound", "ModelStore", "Score",
    "SpamModel", "TrainOutcome", "TrainedModel", "UntrustedModelError", "ensure_default_model",
    "evaluate", "load_file", "normalize", "shipped_corpora", "train", "train_and_store",
]
