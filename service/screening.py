"""What a submission meets before the model: the bot checks, then the owner's sender rules.

Most submissions pass both without a query (the rules are cached per process), so the
hot path stays one INSERT and one enqueue; the few that are decided here are stored
with their status and reason and never queued for scoring.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app

from service.antibot import bot_reason
from service.extensions import engine
from service.rules import RuleAction, RuleCache, first_match
from service.settings import Settings
from service.storage import Status
from service.validation import CleanComment


@dataclass(frozen=True)
class Verdict:
    status: Status
    reason: str
    rule_id: int | None = None


def rule_cache() -> RuleCache:
    """This app's cached rule list (created on first use)."""
    cache = current_app.extensions.get("modq.rules")
    if cache is None:
        cache = current_app.extensions["modq.rules"] = RuleCache(engine())
    return cache


def screen(raw: dict[str, str], clean: CleanComment, client_ip: str | None,
           settings: Settings) -> Verdict | None:
    """Spam for a bot or a blocked sender, approved for a trusted one, else None (the model decides)."""
    reason = bot_reason(raw, settings.secret_key, settings.min_submit_seconds)
    if reason:
        return Verdict(Status.SPAM, reason)
    rule = first_match(rule_cache().get(), clean, client_ip)
    if rule is None:
        return None
    if rule.action is RuleAction.BLOCK:
        return Verdict(Status.SPAM, f"blocked by rule {rule.id}", rule.id)
    return Verdict(Status.APPROVED, f"trusted by rule {rule.id}", rule.id)


def fingerprint(email: str, body: str) -> str:
    """What makes two submissions the same comment: the sender's email and the exact body."""
    return hashlib.sha256(f"{email.casefold()}\n{body}".encode()).hexdigest()
