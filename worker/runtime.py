"""What a worker process holds for its whole life: the database engine and the live model.

The model is loaded once per process, before the first job, and swapped between jobs
when ``modq models promote`` (or a new ``modq train``) changes the live version: a
cheap pointer-file read per job, never a reload per job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine

from classifier import ModelStore, SpamModel
from service.db import make_engine
from service.settings import Settings
from service.storage import init_db

log = logging.getLogger(__name__)


class LiveModel:
    """The live model of a store, reloaded only when its version changes."""

    def __init__(self, store: ModelStore, threshold_override: float | None = None) -> None:
        self.store = store
        self.threshold_override = threshold_override
        self._model: SpamModel | None = None

    def current(self) -> SpamModel:
        live = self.store.live_version()
        if self._model is None or (live is not None and live != self._model.version):
            self._model = self.store.load(live)
            log.info("loaded model %s", self._model.version)
        return self._model

    def threshold(self, model: SpamModel) -> float:
        """The spam threshold: the operator's override, else the one learned with the model."""
        return self.threshold_override if self.threshold_override is not None else model.spam_threshold


@dataclass
class Runtime:
    engine: Engine
    model: LiveModel
    settings: Settings

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        engine = make_engine(settings.database_url)
        init_db(engine)
        return cls(engine, LiveModel(ModelStore(settings.model_dir), settings.spam_threshold), settings)


_runtime: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    """Set the process's runtime (the worker entry point does this before taking jobs)."""
    global _runtime
    _runtime = runtime


def current() -> Runtime:
    """The process's runtime, built from the environment if the entry point did not."""
    global _runtime
    if _runtime is None:
        _runtime = Runtime.from_settings(Settings.from_env())
    return _runtime
