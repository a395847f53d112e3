"""Moving comments in and out of modq: JSON Lines both ways, and Isso's SQLite database.

The JSON Lines format (one comment per line, UTF-8) is documented in the README under
"Import and export". An import is all or nothing: every line is checked first and the
rows go in in one transaction, so a bad line 9,000 leaves the database as it was.
Imported comments get new ids; comments still ``received`` are left for the worker's
sweeper to queue (``enqueued_at`` is empty), so an import never needs Redis.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Engine, select

from service.storage import Decision, Status, as_utc, comments

FIELDS = ("id", "post", "name", "email", "homepage", "body", "status", "spam_score", "model_version",
          "verdict", "reasons", "decision", "ip_hash", "user_agent", "referrer",
          "created_at", "updated_at", "scored_at", "decided_at")
REQUIRED = ("name", "email", "body", "status", "created_at")
NOT_EMPTY = ("body", "status", "created_at")  # a name or email may be empty (Akismet, Isso)
TIMESTAMPS = ("created_at", "updated_at", "scored_at", "decided_at")
MAX_LENGTHS = {column.name: column.type.length for column in comments.columns
               if getattr(column.type, "length", None)}
ISSO_STATUS = {1: Status.APPROVED, 2: Status.RECEIVED, 4: Status.REJECTED}


class TransferError(ValueError):
    """A line or row that cannot be imported; names where and why."""


def _timestamp(value: datetime | None) -> str | None:
    value = as_utc(value)
    return value.isoformat().replace("+00:00", "Z") if value else None


def export_lines(engine: Engine, statuses: Iterable[str] = ()) -> Iterator[str]:
    """Every comment (or those in ``statuses``) as JSON lines, oldest id first."""
    query = select(*(comments.c[name] for name in FIELDS)).order_by(comments.c.id)
    if statuses:
        query = query.where(comments.c.status.in_(list(statuses)))
    with engine.connect() as conn:
        for row in conn.execute(query).mappings():
            out = {name: _timestamp(row[name]) if name in TIMESTAMPS else row[name] for name in FIELDS}
            yield json.dumps(out, ensure_ascii=False)


def _parse_time(value: Any, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise TransferError(f"{field}: not an ISO 8601 timestamp") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _check_row(obj: dict[str, Any]) -> dict[str, Any]:
    missing = [name for name in REQUIRED if obj.get(name) is None or obj.get(name) == "" and
               name in NOT_EMPTY]
    if missing:
        raise TransferError(f"missing {', '.join(missing)}")
    if obj.get("spam_score") is not None and not isinstance(obj["spam_score"], int | float):
        raise TransferError("spam_score: must be a number or null")
    if obj["status"] not in {s.value for s in Status}:
        raise TransferError(f"status: {obj['status']!r} is not a modq status")
    if obj.get("decision") not in {None, *(d.value for d in Decision)}:
        raise TransferError(f"decision: {obj['decision']!r} is not a modq decision")
    for name, limit in MAX_LENGTHS.items():
        if not isinstance(obj.get(name) or "", str) or len(obj.get(name) or "") > limit:
            raise TransferError(f"{name}: must be text of at most {limit} characters")
    row = {name: obj.get(name) for name in FIELDS if name != "id"}
    for name in ("post", "homepage", "ip_hash", "user_agent", "referrer"):
        row[name] = row[name] or ""
    for name in TIMESTAMPS:
        row[name] = _parse_time(obj.get(name), name)
    row["updated_at"] = row["updated_at"] or row["created_at"]
    return row


def read_lines(stream: TextIO) -> list[dict[str, Any]]:
    """Check every line of a JSON Lines export; the rows to insert, or the first error."""
    rows = []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise TransferError("not a JSON object")
            rows.append(_check_row(obj))
        except (json.JSONDecodeError, TransferError) as exc:
            raise TransferError(f"line {number}: {exc}") from None
    return rows


def _isso_time(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value else None


def read_isso(path: Path, ip_hash) -> list[dict[str, Any]]:
    """Isso's comments as modq rows: accepted -> approved, pending -> received (to be scored),
    deleted -> rejected (skipped when Isso kept no text). Replies become flat comments."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            db.row_factory = sqlite3.Row
            found = db.execute("SELECT t.uri, c.* FROM comments c JOIN threads t ON t.id = c.tid "
                               "ORDER BY c.id").fetchall()
    except sqlite3.Error as exc:
        raise TransferError(f"not an Isso database ({exc})") from None
    rows = []
    for c in found:
        if c["mode"] not in ISSO_STATUS or not (c["text"] or "").strip():
            continue
        rows.append(_check_row({
            "post": c["uri"], "name": c["author"] or "", "email": c["email"] or "",
            "homepage": c["website"] or "", "body": c["text"], "status": ISSO_STATUS[c["mode"]].value,
            "ip_hash": ip_hash(c["remote_addr"]),
            "created_at": _timestamp(_isso_time(c["created"])),
            "updated_at": _timestamp(_isso_time(c["modified"] or c["created"])),
        }))
    return rows
