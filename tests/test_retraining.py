"""The model's life in a running service: owner labels -> retrain, hot swap, rescore."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from classifier_fixtures import tiny_trained
from click.testing import CliRunner

from classifier import LabelledComment, ModelStore, train_and_store
from classifier.training import TrainedModel, extra_rows_seen_by
from service import create_app
from service.commands.model import rescore, train
from service.storage import (
    Decision,
    NewComment,
    ScoreRecord,
    Status,
    add_comment,
    decide,
    get_comment,
    record_scores,
)
from worker import jobs

# A campaign the shipped corpora have never seen: no link, no "subscribe", no caps.
CAMPAIGN = "the velvet quokka tea society meets thursdays, ask grandma tilly about quokka tea"
VARIANTS = [
    "velvet quokka tea is back, grandma tilly has the quokka tea society list",
    "ask grandma tilly for velvet quokka tea, the society meets again",
    "grandma tilly says velvet quokka tea society forever",
    "join the velvet quokka tea society today, grandma tilly approves",
    "quokka tea from grandma tilly, velvet edition, society members only",
    "the velvet quokka tea society wants you, talk to grandma tilly",
    "grandma tilly pours velvet quokka tea for the whole society",
    "velvet quokka tea society: grandma tilly, thursdays, be there",
]
HAM = ["thanks for the clear write-up of the migration steps",
       "I tried this on my own server and it worked first time",
       "could you explain the second diagram in more detail?"]


@pytest.fixture
def scoring_settings(settings, model_dir, tmp_path):
    """Settings with a private copy of the session's model store (these tests write to it)."""
    return replace(settings, model_dir=shutil.copytree(model_dir, tmp_path / "models"))


@pytest.fixture
def cli_env(scoring_settings, monkeypatch):
    monkeypatch.setenv("MODQ_DATABASE_URL", scoring_settings.database_url)
    monkeypatch.setenv("MODQ_MODEL_DIR", str(scoring_settings.model_dir))
    monkeypatch.setenv("MODQ_VAR_DIR", str(scoring_settings.var_dir))


def add(engine, body: str) -> int:
    return add_comment(engine, NewComment(post="p", name="N", email="n@example.com",
                                          homepage="", body=body))


def submit_and_score(client, body: str) -> int:
    comment_id = client.post("/api/v1/comments", json={
        "name": "T", "email": "t@example.com", "body": body}).get_json()["id"]
    assert jobs.score_comment(comment_id) == 1
    return comment_id


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # one full training
def test_owner_labels_retrain_the_model_end_to_end(scoring_settings, worker_runtime, cli_env,
                                                    owner):
    app = create_app(scoring_settings, {"TESTING": True})
    client, engine = app.test_client(), worker_runtime.engine
    before = get_comment(engine, submit_and_score(client, CAMPAIGN))
    for body in VARIANTS + HAM:
        comment_id = submit_and_score(client, body)
        action = "spam" if body in VARIANTS else "approve"
        response = client.post(f"/api/v1/review/{comment_id}/{action}", headers=owner)
        assert response.status_code == 200, response.get_json()
    result = CliRunner().invoke(train, [])  # no --force: the gate must see the lesson
    assert result.exit_code == 0, result.output
    assert "promoted       yes (at least as good as live" in result.output
    assert "extra labels   11 (8 spam, 3 ham), all trained on" in result.output
    after = get_comment(engine, submit_and_score(client, CAMPAIGN + " again"))
    assert after["model_version"] != before["model_version"]
    assert after["spam_score"] > before["spam_score"] + 0.2
    app.extensions["modq.engine"].dispose()


def owner_rows(extra_ham: tuple[str, ...] = ()) -> list[LabelledComment]:
    return ([LabelledComment(body=t, label=1, source="owner") for t in VARIANTS]
            + [LabelledComment(body=t, label=0, source="owner") for t in HAM + list(extra_ham)])


def test_every_owner_label_is_learned_and_the_gate_judges_the_unseen_ones(scoring_settings):
    store = ModelStore(scoring_settings.model_dir)
    first = train_and_store(store, extra=owner_rows())
    assert first.metadata["data"]["counts"]["owner"] == {"spam": 8, "ham": 3}
    assert first.metadata["validation"]["unseen_extra_rows"] == 11
    assert first.promoted, first.reason  # out of fold it catches the campaign; live cannot
    second = train_and_store(store, extra=owner_rows(("a new approved comment on backups",)),
                             promote=False)
    assert second.metadata["validation"]["unseen_extra_rows"] == 1  # live trained on the 11


def test_a_version_without_a_record_of_its_extra_rows_is_assumed_to_have_seen_them(tmp_path):
    store = ModelStore(tmp_path)
    unrecorded = store.save(tiny_trained())
    recorded = store.save(tiny_trained({"data": {"extra_rows": ["00ff"]}}))
    assert extra_rows_seen_by(store, unrecorded) is None
    assert extra_rows_seen_by(store, recorded) == {"00ff"}
    assert extra_rows_seen_by(store, None) == set()


def _second_version(store: ModelStore) -> str:
    live = store.load()
    return store.save(TrainedModel(pipeline=live.pipeline, metadata=dict(live.metadata)))


def test_a_running_worker_switches_to_a_newly_promoted_model_between_jobs(worker_runtime):
    store = ModelStore(worker_runtime.model.store.model_dir)
    first = store.live_version()
    earlier = add(worker_runtime.engine, HAM[0])
    jobs.score_comment(earlier)
    second = _second_version(store)
    store.promote(second)
    later = add(worker_runtime.engine, HAM[1])
    jobs.score_comment(later)
    assert get_comment(worker_runtime.engine, earlier)["model_version"] == first
    assert get_comment(worker_runtime.engine, later)["model_version"] == second


def test_rescore_updates_waiting_comments_and_leaves_decided_ones(worker_runtime, cli_env):
    engine = worker_runtime.engine
    spam_text = "CHECK OUT MY CHANNEL!!! subscribe http://free-money.example.com win $1000"
    stale, in_spam, decided = (add(engine, spam_text) for _ in range(3))
    record_scores(engine, [ScoreRecord(cid, 0.01, ["old"], "old-model", Status.REVIEW)
                           for cid in (stale, decided)]
                  + [ScoreRecord(in_spam, 0.99, ["old"], "old-model", Status.SPAM)])
    decide(engine, decided, Decision.APPROVE)

    result = CliRunner().invoke(rescore, ["--status", "spam"])
    assert result.exit_code == 0, result.output
    assert get_comment(engine, stale)["model_version"] == "old-model"  # not asked for
    assert get_comment(engine, in_spam)["model_version"] != "old-model"

    result = CliRunner().invoke(rescore, [])
    assert result.exit_code == 0, result.output
    assert "re-scored 2 of 2 waiting comment(s)" in result.output
    assert "moved: 1 review -> spam" in result.output
    row = get_comment(engine, stale)
    assert row["status"] == Status.SPAM and row["spam_score"] > 0.5
    assert row["model_version"] == worker_runtime.model.current().version
    assert "old" not in row["reasons"]
    untouched = get_comment(engine, decided)
    assert untouched["status"] == Status.APPROVED and untouched["model_version"] == "old-model"


def test_rescore_without_a_model_fails_clearly(settings, monkeypatch):
    monkeypatch.setenv("MODQ_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MODQ_MODEL_DIR", str(settings.model_dir))
    monkeypatch.setenv("MODQ_VAR_DIR", str(settings.var_dir))
    result = CliRunner().invoke(rescore, [])
    assert result.exit_code != 0 and "no live model" in result.output
