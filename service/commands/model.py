"""CLI commands for the spam model: train, evaluate, and manage versions.

The main CLI registers them with `main.add_command(...)` (see `COMMANDS`).  Heavy
imports (scikit-learn) happen inside the commands so `modq --help` stays fast.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import click


def model_dir() -> str:
    """Where model versions live (MODQ_MODEL_DIR, else under MODQ_VAR_DIR)."""
    from service.cli import load_settings

    return str(load_settings().model_dir)


@contextmanager
def _model_errors() -> Iterator[None]:
    """A model version that is missing or that modq refuses to load is one `Error:` line."""
    from classifier import ModelNotFound, UntrustedModelError

    try:
        yield
    except (ModelNotFound, UntrustedModelError) as exc:
        raise click.ClickException(str(exc)) from None


def _load_owner_labels() -> list:
    """The owner's spam/approve decisions as labelled comments (from the service's DB)."""
    from service.storage import owner_labels

    return owner_labels()


def _load_files(paths: tuple[str, ...]) -> list:
    from classifier import DatasetError, load_file

    examples = []
    for path in paths:
        try:
            examples += load_file(path)
        except DatasetError as exc:
            raise click.ClickException(str(exc)) from None
    return examples


def _progress():
    """A progress printer for terminals only (keeps logs and pipes clean)."""
    if not sys.stderr.isatty():
        return None
    return lambda message: click.echo(f"  ... {message}", err=True)


def _label_counts(examples) -> str:
    spam = sum(e.label for e in examples)
    return f"{len(examples)} ({spam} spam, {len(examples) - spam} ham)" if examples else "none"


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _print_metrics(result: dict) -> None:
    click.echo(f"accuracy     {_fmt(result['accuracy'])}")
    click.echo(f"spam caught  {_fmt(result['spam_caught'])}")
    click.echo(f"blocked ham  {_fmt(result['blocked_ham'])}")
    click.echo(f"F1           {_fmt(result['f1'])}")
    click.echo(f"MCC          {_fmt(result['mcc'])}")
    click.echo(f"ROC AUC      {_fmt(result['roc_auc'])}")


@click.command("train")
@click.option("--data", "data_files", multiple=True, type=click.Path(dir_okay=False),
              help="Extra labelled file (YouTube CSV, SMS TSV or body,label CSV). Repeatable.")
@click.option("--no-owner-labels", is_flag=True, help="Do not use the owner's decisions.")
@click.option("--promote/--no-promote", default=True, show_default=True,
              help="Make the new model live if it passes the quality gate.")
@click.option("--force", is_flag=True, help="Promote even if worse than the live model.")
@click.option("--blocked-ham-target", "target", type=click.FloatRange(0, 0.5, min_open=True),
              default=0.005, show_default=True, metavar="RATE",
              help="Chance of sending a real comment to the spam folder that the spam "
                   "threshold allows (0.01 = 1%: more spam caught, more ham blocked).")
def train(data_files, no_owner_labels, promote, force, target):
    """Train a new model version on the shipped corpora, extra files and owner labels.

    Prints cross-validated metrics (leave-one-video-out, grouped SMS folds), training
    time, model size, the version, and whether it was promoted (and why not).
    """
    from classifier import ModelStore, train_and_store

    extra = _load_files(data_files)
    if not no_owner_labels:
        extra += _load_owner_labels()
    store = ModelStore(model_dir())
    outcome = train_and_store(store, extra=extra, promote=promote, force=force,
                              progress=_progress(), blocked_ham_target=target)
    meta = outcome.metadata
    click.echo("cross-validated (unseen videos / SMS groups), per group:")
    for group, result in meta["metrics"]["groups"].items():
        click.echo(f"  {group:38s} MCC {_fmt(result['mcc'])}  spam caught "
                   f"{_fmt(result['spam_caught'])}  blocked ham {_fmt(result['blocked_ham'])}")
    click.echo("overall:")
    _print_metrics(meta["metrics"]["overall"])
    channels = "".join(f", {name} {t['spam']:.4f}"
                       for name, t in meta["thresholds"].get("channels", {}).items())
    click.echo(f"spam threshold comments {meta['thresholds']['spam']:.4f}{channels} "
               f"(blocked-ham target {meta['thresholds']['blocked_ham_target']:.2%})")
    click.echo(f"training time  {meta['training_seconds']:.1f} s")
    click.echo(f"model size     {meta['file_size'] / 1e6:.2f} MB")
    click.echo(f"extra labels   {_label_counts(extra)}" + (", all trained on" if extra else ""))
    click.echo(f"gate set       {meta['validation']['set']}")
    click.echo(f"version        {outcome.version}")
    click.echo(f"promoted       {'yes' if outcome.promoted else 'no'} ({outcome.reason})")


def _effective_threshold(option: float | None, configured: float | None) -> tuple[float | None, str]:
    """The threshold to evaluate at and where it comes from: `--threshold`, else the one the
    service uses (MODQ_SPAM_THRESHOLD, else the model's own: None, per channel), so the
    figures are the ones the owner will see."""
    if option is not None:
        return option, "--threshold"
    if configured is not None:
        return configured, "MODQ_SPAM_THRESHOLD"
    return None, "model"


@click.command("evaluate")
@click.option("--data", "data_file", required=True, type=click.Path(dir_okay=False),
              help="Labelled file to evaluate on.")
@click.option("--model", "version", default=None, help="Model version (default: live).")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Spam threshold (default: MODQ_SPAM_THRESHOLD, as the service, else the model's own).")
@click.option("--channel", type=click.Choice(["comment", "sms"]), default=None,
              help="What the texts are (default: sms for an SMS Spam Collection file, else comment).")
@click.option("--page", default=None,
              help="Address of the page the comments were posted on (default: a YouTube file's "
                   "video, or the file's page/post column).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def evaluate(data_file, version, threshold, channel, page, as_json):
    """Evaluate a model on a labelled file: accuracy, spam caught, blocked ham, F1, MCC, AUC.

    At the threshold the service would use (MODQ_SPAM_THRESHOLD, else the model's own),
    or --threshold; the output says which.
    """
    from dataclasses import replace

    from classifier import ModelStore
    from classifier import evaluate as run_evaluation
    from service.cli import load_settings

    overrides = {k: v for k, v in (("channel", channel), ("page", page)) if v is not None}
    examples = [replace(e, **overrides) for e in _load_files((data_file,))]
    settings = load_settings()
    with _model_errors():
        model = ModelStore(settings.model_dir).load(version)
    chosen, source = _effective_threshold(threshold, settings.spam_threshold)
    result = {**run_evaluation(model, examples, chosen), "threshold_source": source,
              "model_version": model.version}
    if as_json:
        click.echo(json.dumps(result))
        return
    thresholds = result["threshold"] if isinstance(result["threshold"], list) else [result["threshold"]]
    click.echo(f"model {model.version}, {result['n']} comments, "
               f"threshold {' / '.join(f'{t:.4f}' for t in thresholds)} (source: {source})")
    _print_metrics(result)
    c = result["confusion"]
    click.echo("confusion      predicted spam  predicted ham")
    click.echo(f"  spam         {c['tp']:>14}  {c['fn']:>13}")
    click.echo(f"  ham          {c['fp']:>14}  {c['tn']:>13}")


@click.group("models")
def models():
    """List model versions, promote one, or roll back to the previous live one."""


@models.command("list")
def list_models():
    """Table of versions, newest first: created, live marker, cross-validated MCC, the
    gate's validation MCC (the figure promotion compares), training rows, size.

    A version that cannot be loaded is listed too, with why, under its row.
    """
    from classifier import ModelStore

    directory = model_dir()
    entries = ModelStore(directory).list()
    if not entries:
        click.echo(f"no models in {directory}")
        return
    click.echo(f"{'':2}{'version':24}{'created':27}{'CV MCC':>8}{'gate MCC':>10}{'rows':>7}"
               f"{'size MB':>9}")
    for meta in entries:
        mcc = meta.get("metrics", {}).get("overall", {}).get("mcc")
        gate = meta.get("validation", {}).get("mcc")
        rows = meta.get("data", {}).get("rows", "")
        click.echo(f"{'*' if meta['live'] else ' ':2}{meta['version']:24}"
                   f"{meta.get('created', '')[:26]:27}{_fmt(mcc):>8}{_fmt(gate):>10}{rows:>7}"
                   f"{meta.get('file_size', 0) / 1e6:>9.2f}")
        if meta["problem"]:
            click.echo(f"{'':4}cannot be loaded: {meta['problem']}")


@models.command("promote")
@click.argument("version")
def promote(version):
    """Make VERSION the live model (no quality gate: the owner decides).

    VERSION must load first: one the workers cannot load would fail every job.
    """
    from classifier import ModelStore

    with _model_errors():
        ModelStore(model_dir()).promote(version)
    click.echo(f"live model is now {version}")


@models.command("rollback")
def rollback():
    """Make the previously live model live again (once it loads)."""
    from classifier import ModelStore

    with _model_errors():
        version = ModelStore(model_dir()).rollback()
    click.echo(f"rolled back; live model is now {version}")


RESCORE_BATCH = 500


@click.command("rescore")
@click.option("--status", "statuses", multiple=True, type=click.Choice(["review", "spam"]),
              help="Only comments in this status (repeatable; default: review and spam).")
def rescore(statuses):
    """Re-score the comments still waiting for the owner with the live model.

    Run it after a new model went live so the review queue and the spam folder reflect
    it; a comment may move between them.  Comments the owner decided are never touched.
    """
    from classifier import ModelStore
    from service.cli import load_settings
    from service.db import make_engine
    from service.storage import Status, get_comments, init_db, waiting_ids
    from service.storage import rescore as store_scores
    from worker.jobs import score_records
    from worker.runtime import LiveModel

    settings = load_settings()
    chosen = tuple(Status(s) for s in statuses) or (Status.REVIEW, Status.SPAM)
    engine = make_engine(settings.database_url)
    init_db(engine)
    live = LiveModel(ModelStore(settings.model_dir), settings.spam_threshold)
    with _model_errors():
        live.current()
    seen = changed = last = 0
    moves: Counter[str] = Counter()
    while ids := waiting_ids(engine, chosen, after_id=last, limit=RESCORE_BATCH):
        last = ids[-1]
        seen += len(ids)
        rows = get_comments(engine, ids)
        records = score_records(rows, live, settings.allowed_origins)
        replaced = set(store_scores(engine, records, chosen))
        changed += len(replaced)
        was = {row["id"]: row["status"] for row in rows}
        moves.update(f"{was[r.comment_id]} -> {r.status.value}" for r in records
                     if r.comment_id in replaced and was[r.comment_id] != r.status.value)
    engine.dispose()
    moved = ", ".join(f"{count} {move}" for move, count in sorted(moves.items())) or "none"
    click.echo(f"re-scored {changed} of {seen} waiting comment(s) with model "
               f"{live.current().version}; moved: {moved}")


COMMANDS = [train, evaluate, models, rescore]
