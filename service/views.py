"""How a stored comment is shown: an allow-list of fields for each audience.

Public output never carries an email, an IP hash or a score; the owner sees all of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from service.storage import as_utc

PUBLIC_FIELDS = ("id", "name", "homepage", "body", "created_at")
OWNER_FIELDS = (
    "id", "post", "name", "email", "homepage", "body", "status", "spam_score",
    "model_version", "reasons", "decision", "user_agent", "referrer",
    "created_at", "updated_at", "scored_at", "decided_at",
)


def _timestamp(value: datetime | None) -> str | None:
    value = as_utc(value)
    return value.isoformat().replace("+00:00", "Z") if value else None


def _pick(row: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for name in fields:
        value = row.get(name)
        out[name] = _timestamp(value) if name.endswith("_at") else value
    return out


def public_view(row: dict[str, Any]) -> dict[str, Any]:
    return _pick(row, PUBLIC_FIELDS)


def owner_view(row: dict[str, Any]) -> dict[str, Any]:
    view = _pick(row, OWNER_FIELDS)
    view["reasons"] = view["reasons"] or []
    return view
