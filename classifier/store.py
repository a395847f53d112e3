"""Versioned model files on disk: save, load (trusted types only), promote, roll back.

Layout of `model_dir`:
    <version>.skops   the fitted pipeline, written with skops (never pickle)
    <version>.json    its metadata
    LIVE              the live version's name (tiny: workers poll it to hot-reload)
    history.json      promotion stack and an event log, for rollback and audit

Every write goes to a temp file in the same directory and is then `os.replace`d, so a
reader sees either the old file or the new one, never half of one.  Files are 0644: a
model is not secret, and workers may run as another user than the one who trains.

A version goes live (promote, rollback) only after it has loaded: a live version the
workers cannot load would fail every job.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import skops.io

from .model import SpamModel

# Pinned: every type a model file may contain.  Anything else is refused before loading.
TRUSTED_TYPES = [
    "sklearn.pipeline.Pipeline",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.HashingVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.CountVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
]
_PRIMITIVES = {
    "builtins.dict", "builtins.list", "builtins.tuple", "builtins.str", "builtins.int",
    "builtins.float", "builtins.bool", "builtins.NoneType", "builtins.slice",
    "numpy.ndarray", "numpy.float32", "numpy.float64", "numpy.int32", "numpy.int64",
    "numpy.bool_", "numpy.str_",
}
_VERSION_RE = re.compile(r"^\d{8}T\d{6}-[0-9a-f]{6}$")
FILE_MODE = 0o644


class ModelNotFound(LookupError):
    """No such model version (or no live model, or nothing to roll back to)."""


class UntrustedModelError(ValueError):
    """The model's files are not something modq will load: a type outside the pinned trust
    list, not a skops file, unreadable metadata, or not a modq pipeline."""


def _atomic_write(path: Path, data: bytes) -> None:
    """Write to a temp file beside `path`, fsync, then rename over it (mode FILE_MODE,
    not mkstemp's 0600, so workers running as another user can read it)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _types_in(path: Path) -> set[str]:
    """Every `module.class` named in a skops file's schema (read without loading it)."""
    try:
        with zipfile.ZipFile(path) as archive:
            schema = json.loads(archive.read("schema.json"))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as exc:
        raise UntrustedModelError(f"{path}: not a skops model file ({exc})") from None
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__class__" in node:
                found.add(f"{node.get('__module__')}.{node['__class__']}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _refuse_untrusted(path: Path) -> None:
    """Raise unless every type the skops file names is trusted (reads only its schema)."""
    untrusted = sorted(_types_in(path) - set(TRUSTED_TYPES) - _PRIMITIVES)
    if untrusted:
        raise UntrustedModelError(f"{path}: refusing to load untrusted types {untrusted}")


def load_pipeline(path: Path):
    """Load a skops file, refusing any type outside TRUSTED_TYPES (fail closed)."""
    _refuse_untrusted(path)
    try:
        return skops.io.load(path, trusted=TRUSTED_TYPES)
    except skops.io.exceptions.UntrustedTypesFoundException as exc:
        raise UntrustedModelError(f"{path}: refusing to load: {exc}") from None


class ModelStore:
    """A directory of model versions with a live pointer and a promotion history."""

    def __init__(self, model_dir: str | Path) -> None:
        self.model_dir = Path(model_dir)

    def _path(self, version: str, suffix: str) -> Path:
        if not _VERSION_RE.match(version):
            raise ModelNotFound(f"not a model version: {version!r}")
        return self.model_dir / f"{version}{suffix}"

    def live_version(self) -> str | None:
        """The live version, from the small `LIVE` file (cheap enough to call per job)."""
        try:
            return (self.model_dir / "LIVE").read_text(encoding="ascii").strip() or None
        except FileNotFoundError:
            return None

    def metadata(self, version: str) -> dict:
        """The version's metadata; a model file without it is named as such (not loadable)."""
        path = self._path(version, ".json")
        try:
            metadata = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            if self._path(version, ".skops").exists():
                raise ModelNotFound(f"metadata file {path} is missing") from None
            raise ModelNotFound(f"no model version {version} in {self.model_dir}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UntrustedModelError(f"{path}: not readable metadata ({exc})") from None
        if not isinstance(metadata, dict):
            raise UntrustedModelError(f"{path}: metadata is not a JSON object")
        return metadata

    def _model_file(self, version: str) -> Path:
        """The version's model file, once it is there and names only trusted types."""
        path = self._path(version, ".skops")
        if not path.exists():
            raise ModelNotFound(f"model file {path} is missing")
        _refuse_untrusted(path)
        return path

    def load(self, version: str | None = None) -> SpamModel:
        """Load a version (default: the live one) as a ready-to-score SpamModel."""
        version = version or self.live_version()
        if version is None:
            raise ModelNotFound(f"no live model in {self.model_dir}")
        metadata = self.metadata(version)
        path = self._model_file(version)
        pipeline = load_pipeline(path)
        try:
            return SpamModel(pipeline, metadata, version)
        except Exception as exc:  # whatever a pipeline of another shape trips on
            raise UntrustedModelError(f"{path}: not a modq model ({type(exc).__name__}: {exc})") from None

    def save(self, trained) -> str:
        """Write a new version (model file first, then metadata); does not promote."""
        self.model_dir.mkdir(parents=True, exist_ok=True)
        created = datetime.now(UTC)
        version = f"{created:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
        data = skops.io.dumps(trained.pipeline, compression=zipfile.ZIP_DEFLATED)
        _atomic_write(self._path(version, ".skops"), data)
        metadata = {**trained.metadata, "version": version, "file_size": len(data),
                    "saved": created.isoformat(timespec="microseconds")}
        metadata.setdefault("created", metadata["saved"])
        _atomic_write(self._path(version, ".json"),
                      json.dumps(metadata, indent=1, sort_keys=True).encode("utf-8"))
        trained.metadata.update(version=version, file_size=len(data))
        return version

    def _history(self) -> dict:
        try:
            return json.loads((self.model_dir / "history.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"stack": [], "events": []}

    def _set_live(self, version: str, history: dict, action: str) -> None:
        history["events"].append({"action": action, "version": version,
                                  "at": datetime.now(UTC).isoformat(timespec="seconds")})
        _atomic_write(self.model_dir / "history.json",
                      json.dumps(history, indent=1).encode("utf-8"))
        _atomic_write(self.model_dir / "LIVE", f"{version}\n".encode("ascii"))

    @contextmanager
    def _one_at_a_time(self) -> Iterator[None]:
        """Promote and rollback read history.json, change it and write it back: two at
        once (a `modq train` and an owner's `modq models promote`) would lose one's entry."""
        with open(self.model_dir / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
            yield

    def promote(self, version: str) -> None:
        """Make `version` live once it loads; the previous live version stays on the
        rollback stack.  Raises ModelNotFound or UntrustedModelError, changing nothing."""
        self.load(version)
        with self._one_at_a_time():
            history = self._history()
            if history["stack"] and history["stack"][-1] == version:
                return
            history["stack"].append(version)
            self._set_live(version, history, "promote")

    def rollback(self) -> str:
        """Go back to the previously live version, once it loads, and return it."""
        with self._one_at_a_time():
            history = self._history()
            if len(history["stack"]) < 2:
                raise ModelNotFound("no previously live model to roll back to")
            history["stack"].pop()
            version = history["stack"][-1]
            self.load(version)
            self._set_live(version, history, "rollback")
            return version

    def history(self) -> list[dict]:
        """Promote/rollback events, oldest first."""
        return self._history()["events"]

    def list(self) -> list[dict]:
        """Metadata of every version, newest first, each with `live: bool` and `problem`:
        None, or why it cannot go live (a file missing, bad metadata, untrusted types).

        Versions with a problem are listed too, so a file that `promote` refuses is never
        one that `list` leaves out.  The check reads no model (cheap); `load` is the full one.
        """
        live = self.live_version()
        versions = {path.stem for pattern in ("*.json", "*.skops")
                    for path in self.model_dir.glob(pattern) if _VERSION_RE.match(path.stem)}
        entries = [self._listed(version, live) for version in versions]
        return sorted(entries, key=lambda m: (m.get("saved", ""), m["version"]), reverse=True)

    def _listed(self, version: str, live: str | None) -> dict:
        metadata, problem = {}, None
        try:
            metadata = self.metadata(version)
            self._model_file(version)
        except (ModelNotFound, UntrustedModelError) as exc:
            problem = str(exc)
        return {**metadata, "version": version, "live": version == live, "problem": problem}
