import fcntl
import json
import os
import threading

import pytest
import skops.io
from classifier_fixtures import tiny_trained
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import SVC

from classifier import CommentInput, ModelNotFound, ModelStore, UntrustedModelError


def shout(values):
    """A custom function: skops would have to trust this module to load it."""
    return values


def test_save_load_roundtrip_keeps_scores_and_metadata(tmp_path):
    store = ModelStore(tmp_path / "models")
    trained = tiny_trained()
    version = store.save(trained)
    model = store.load(version)
    assert model.version == version and model.metadata["file_size"] > 0
    assert model.spam_threshold == 0.5
    comments = [CommentInput("subscribe to my channel"), CommentInput("lovely song")]
    p = model.predict_proba(comments)
    assert p[0] > p[1]
    assert [s.spam_score for s in model.score(comments)] == pytest.approx(list(p))


def test_no_live_model_raises_model_not_found(tmp_path):
    store = ModelStore(tmp_path / "none")
    assert store.live_version() is None and store.list() == []
    with pytest.raises(ModelNotFound):
        store.load()
    with pytest.raises(ModelNotFound):
        store.load("20990101T000000-abcdef")
    with pytest.raises(ModelNotFound):
        store.load("../../etc/passwd")


def test_promote_rollback_and_list(tmp_path):
    store = ModelStore(tmp_path)
    first, second = store.save(tiny_trained()), store.save(tiny_trained())
    store.promote(first)
    store.promote(second)
    assert store.live_version() == second
    listed = store.list()
    assert [m["version"] for m in listed] == [second, first]
    assert [m["live"] for m in listed] == [True, False]
    assert store.rollback() == first and store.live_version() == first
    with pytest.raises(ModelNotFound):
        store.rollback()
    assert [e["action"] for e in store.history()] == ["promote", "promote", "rollback"]
    with pytest.raises(ModelNotFound):
        store.promote("20990101T000000-abcdef")


def _plant(tmp_path, obj, version="20260101T000000-abcdef"):
    skops.io.dump(obj, tmp_path / f"{version}.skops")
    (tmp_path / f"{version}.json").write_text(json.dumps({"thresholds": {"spam": 0.5}}))
    return version


def test_file_with_custom_function_is_refused(tmp_path):
    version = _plant(tmp_path, Pipeline([("f", FunctionTransformer(shout))]))
    with pytest.raises(UntrustedModelError, match="untrusted types"):
        ModelStore(tmp_path).load(version)


def test_library_type_outside_the_pinned_list_is_refused(tmp_path):
    # skops itself trusts every sklearn estimator by default; our list is stricter.
    version = _plant(tmp_path, SVC())
    with pytest.raises(UntrustedModelError, match="sklearn.svm"):
        ModelStore(tmp_path).load(version)


def test_garbage_file_is_refused(tmp_path):
    version = "20260101T000000-abcdef"
    (tmp_path / f"{version}.skops").write_bytes(b"\x80\x04not a zip")
    (tmp_path / f"{version}.json").write_text("{}")
    with pytest.raises(UntrustedModelError, match="not a skops model file"):
        ModelStore(tmp_path).load(version)


def test_failed_write_leaves_no_partial_files(tmp_path, monkeypatch):
    store = ModelStore(tmp_path)
    good = store.save(tiny_trained())
    store.promote(good)
    other = store.save(tiny_trained())
    before = sorted(p.name for p in tmp_path.iterdir())

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.save(tiny_trained())
    with pytest.raises(OSError, match="disk full"):
        store.promote(other)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert store.load().version == good


def _live_state(directory) -> dict:
    return {name: (directory / name).read_bytes() for name in ("LIVE", "history.json")}


def test_promote_refuses_a_version_that_does_not_load_and_changes_nothing(tmp_path):
    store = ModelStore(tmp_path)
    store.promote(store.save(tiny_trained()))
    before = _live_state(tmp_path)
    untrusted = _plant(tmp_path, SVC())
    with pytest.raises(UntrustedModelError, match="untrusted types"):
        store.promote(untrusted)
    lonely = store.save(tiny_trained())
    (tmp_path / f"{lonely}.json").unlink()
    with pytest.raises(ModelNotFound, match=f"metadata file .*{lonely}.json is missing"):
        store.promote(lonely)
    only_classifier = Pipeline([("model", tiny_trained().pipeline.named_steps["model"])])
    not_modq = _plant(tmp_path, only_classifier, version="20260101T000001-abcdef")
    with pytest.raises(UntrustedModelError, match="not a modq model"):
        store.promote(not_modq)
    assert _live_state(tmp_path) == before


def test_rollback_refuses_a_previous_version_that_no_longer_loads(tmp_path):
    store = ModelStore(tmp_path)
    first, second = store.save(tiny_trained()), store.save(tiny_trained())
    store.promote(first)
    store.promote(second)
    (tmp_path / f"{first}.skops").write_bytes(b"not a zip")
    before = _live_state(tmp_path)
    with pytest.raises(UntrustedModelError, match="not a skops model file"):
        store.rollback()
    assert _live_state(tmp_path) == before and store.live_version() == second


def test_list_shows_versions_that_cannot_be_loaded_and_why(tmp_path):
    store = ModelStore(tmp_path)
    good = store.save(tiny_trained())
    untrusted = _plant(tmp_path, SVC())
    lonely = store.save(tiny_trained())
    (tmp_path / f"{lonely}.json").unlink()
    problems = {m["version"]: m["problem"] for m in store.list()}
    assert set(problems) == {good, untrusted, lonely} and problems[good] is None
    assert "untrusted types" in problems[untrusted] and "metadata file" in problems[lonely]


def test_model_files_and_the_live_pointer_are_readable_by_other_users(tmp_path):
    store = ModelStore(tmp_path)
    version = store.save(tiny_trained())
    store.promote(version)
    modes = {path.name: path.stat().st_mode & 0o777 for path in tmp_path.iterdir()
             if path.name != ".lock"}  # the promotion lock: only promoters open it
    assert modes == {f"{version}.skops": 0o644, f"{version}.json": 0o644,
                     "LIVE": 0o644, "history.json": 0o644}


def test_promote_waits_for_another_promotion_to_finish(tmp_path):
    store = ModelStore(tmp_path)
    version = store.save(tiny_trained())
    with open(tmp_path / ".lock", "a") as held:  # another process mid-promotion
        fcntl.flock(held, fcntl.LOCK_EX)
        worker = threading.Thread(target=store.promote, args=(version,))
        worker.start()
        worker.join(timeout=1.0)
        assert worker.is_alive() and store.live_version() is None
    worker.join(timeout=10)
    assert store.live_version() == version
