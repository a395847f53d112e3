"""The model CLI commands, run through click's CliRunner against real stores."""

import json

import pytest
import skops.io
from classifier_fixtures import copy_store
from click.testing import CliRunner

from classifier import ModelStore
from service.commands.model import evaluate, models, train


@pytest.fixture
def store_dir(tmp_path_factory, tmp_path, monkeypatch):
    directory = copy_store(tmp_path_factory, tmp_path / "models")
    monkeypatch.setenv("MODQ_MODEL_DIR", str(directory))
    return directory


@pytest.fixture
def labelled_csv(tmp_path):
    path = tmp_path / "owner.csv"
    path.write_text("body,label\nbuy cheap pills at pills.example.com,spam\n"
                    "lovely post thank you,ham\nsubscribe to my channel,spam\n"
                    "I disagree with the second point,ham\n", encoding="utf-8")
    return path


def test_train_creates_and_reports_a_new_version(store_dir, labelled_csv):
    before = ModelStore(store_dir).live_version()
    result = CliRunner().invoke(train, ["--no-owner-labels", "--data", str(labelled_csv)])
    assert result.exit_code == 0, result.output
    assert "MCC" in result.output and "training time" in result.output
    assert "model size" in result.output and "promoted" in result.output
    assert "extra labels   4 (2 spam, 2 ham), all trained on" in result.output
    assert "gate set       2014 pilot videos + 4 extra label(s)" in result.output
    versions = [m["version"] for m in ModelStore(store_dir).list()]
    assert len(versions) == 2 and before in versions
    new = next(m for m in ModelStore(store_dir).list() if m["version"] != before)
    listing = CliRunner().invoke(models, ["list"]).output
    assert "gate MCC" in listing and f"{new['validation']['mcc']:.4f}" in listing


def test_train_takes_another_blocked_ham_target(store_dir):
    live = ModelStore(store_dir).load()
    result = CliRunner().invoke(train, ["--no-owner-labels", "--no-promote",
                                        "--blocked-ham-target", "0.02"])
    assert result.exit_code == 0, result.output
    assert "(blocked-ham target 2.00%)" in result.output
    new = next(m for m in ModelStore(store_dir).list() if m["version"] != live.version)
    assert new["thresholds"]["blocked_ham_target"] == 0.02
    # a looser target lets more spam (and ham) over a lower comment threshold
    assert new["thresholds"]["spam"] < live.spam_threshold
    assert ModelStore(store_dir).live_version() == live.version


@pytest.mark.parametrize("rate", ["0", "0.6", "one percent"])
def test_a_blocked_ham_target_out_of_range_trains_nothing(store_dir, rate):
    before = [m["version"] for m in ModelStore(store_dir).list()]
    result = CliRunner().invoke(train, ["--no-owner-labels", "--blocked-ham-target", rate])
    assert result.exit_code == 2 and "--blocked-ham-target" in result.output
    assert [m["version"] for m in ModelStore(store_dir).list()] == before


def test_the_cli_default_target_is_trainings():
    from classifier.training import DEFAULT_BLOCKED_HAM_TARGET

    option = next(p for p in train.params if p.name == "target")
    assert option.default == DEFAULT_BLOCKED_HAM_TARGET


def test_evaluate_json_is_one_object(store_dir, labelled_csv):
    result = CliRunner().invoke(evaluate, ["--data", str(labelled_csv), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"accuracy", "spam_caught", "blocked_ham", "f1", "mcc", "roc_auc", "confusion",
            "n", "threshold", "model_version"} <= set(data)
    assert data["n"] == 4


def test_evaluate_table_and_threshold(store_dir, labelled_csv):
    result = CliRunner().invoke(evaluate, ["--data", str(labelled_csv), "--threshold", "0.99"])
    assert result.exit_code == 0 and "blocked ham" in result.output and "confusion" in result.output


def test_evaluate_bad_file_fails_clearly(store_dir, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("body,label\nhello,perhaps\n", encoding="utf-8")
    result = CliRunner().invoke(evaluate, ["--data", str(bad)])
    assert result.exit_code != 0 and "line 2" in result.output


def test_models_list_promote_rollback(store_dir):
    store = ModelStore(store_dir)
    first = store.live_version()
    second = store.save(type("T", (), {"pipeline": store.load().pipeline,
                                       "metadata": dict(store.load().metadata)})())
    runner = CliRunner()
    assert runner.invoke(models, ["promote", second]).exit_code == 0
    listing = runner.invoke(models, ["list"]).output
    assert f"* {second}" in listing and first in listing
    result = runner.invoke(models, ["rollback"])
    assert result.exit_code == 0 and first in result.output
    assert store.live_version() == first
    assert runner.invoke(models, ["promote", "20990101T000000-abcdef"]).exit_code != 0


def test_every_command_has_help():
    for command, args in [(train, []), (evaluate, []), (models, []), (models, ["list"])]:
        result = CliRunner().invoke(command, [*args, "--help"])
        assert result.exit_code == 0 and len(result.output) > 80


def test_evaluate_reads_the_channel_from_the_file_and_takes_overrides(store_dir, tmp_path):
    model = ModelStore(store_dir).load()
    sms_threshold = model.metadata["thresholds"]["channels"]["sms"]["spam"]
    messages = tmp_path / "messages"
    messages.write_text("spam\tWIN a prize, txt WIN to 80086\nham\tsee you at 6\n", encoding="utf-8")
    as_sms = json.loads(CliRunner().invoke(evaluate, ["--data", str(messages), "--json"]).output)
    assert as_sms["threshold"] == pytest.approx(sms_threshold)
    forced = CliRunner().invoke(evaluate, ["--data", str(messages), "--json", "--channel", "comment"])
    assert json.loads(forced.output)["threshold"] == pytest.approx(model.spam_threshold)
    video = tmp_path / "video.csv"
    video.write_text("COMMENT_ID,CONTENT,CLASS\na,best part http://youtu.be/9bZkp7q19f0,0\n"
                     "b,check out my channel http://youtu.be/aaaaaaaaaaa,1\n", encoding="utf-8")
    args = ["--data", str(video), "--json"]
    plain = json.loads(CliRunner().invoke(evaluate, args).output)
    on_page = json.loads(CliRunner().invoke(
        evaluate, [*args, "--page", "https://www.youtube.com/watch?v=9bZkp7q19f0"]).output)
    assert plain["confusion"]["fp"] == 1 and on_page["confusion"]["fp"] == 0


def test_promote_refuses_a_version_that_does_not_load(store_dir):
    from sklearn.svm import SVC

    version = "20260101T000000-abcdef"
    skops.io.dump(SVC(), store_dir / f"{version}.skops")
    (store_dir / f"{version}.json").write_text(json.dumps({"thresholds": {"spam": 0.5}}))
    live = ModelStore(store_dir).live_version()
    result = CliRunner().invoke(models, ["promote", version])
    assert result.exit_code == 1 and "untrusted types" in result.output
    assert "live model is now" not in result.output and ModelStore(store_dir).live_version() == live
    listing = CliRunner().invoke(models, ["list"]).output
    assert version in listing and "cannot be loaded:" in listing and "sklearn.svm" in listing


def test_a_header_only_file_is_an_error_for_train_and_evaluate(store_dir, tmp_path):
    header_only = tmp_path / "empty.csv"
    header_only.write_text("body,label\n", encoding="utf-8")
    versions = ModelStore(store_dir).list()
    for command, args in [(train, ["--no-owner-labels"]), (evaluate, [])]:
        result = CliRunner().invoke(command, [*args, "--data", str(header_only)])
        assert result.exit_code == 1 and "empty.csv: no labelled rows" in result.output
    assert ModelStore(store_dir).list() == versions


def test_evaluate_uses_the_services_threshold_and_says_where_it_came_from(
        store_dir, labelled_csv, tmp_path, monkeypatch):
    monkeypatch.setenv("MODQ_VAR_DIR", str(tmp_path))

    def run(*args):
        return CliRunner().invoke(evaluate, ["--data", str(labelled_csv), *args])

    own = json.loads(run("--json").output)
    assert own["threshold"] == pytest.approx(ModelStore(store_dir).load().spam_threshold)
    assert own["threshold_source"] == "model"
    monkeypatch.setenv("MODQ_SPAM_THRESHOLD", "0.01")
    configured = json.loads(run("--json").output)
    assert (configured["threshold"], configured["threshold_source"]) == (0.01, "MODQ_SPAM_THRESHOLD")
    assert configured["blocked_ham"] >= own["blocked_ham"]
    assert "threshold 0.0100 (source: MODQ_SPAM_THRESHOLD)" in run().output
    chosen = json.loads(run("--json", "--threshold", "0.99").output)
    assert (chosen["threshold"], chosen["threshold_source"]) == (0.99, "--threshold")
    assert "threshold 0.9900 (source: --threshold)" in run("--threshold", "0.99").output
