"""Sender rules: the owner blocks or trusts by email, domain, IP prefix or a pattern in links.

Rules are applied at submission, before the model: a ``block`` rule sends the comment to
the spam folder, a ``trust`` rule approves it (it is published at once, which is what
"trusted" means on Disqus and friends). Block wins over trust. Each rule counts the
comments it decided. IP rules are matched against the client address at submission,
the only moment modq holds it (only a keyed hash is stored).

Email and domain are what the sender typed, not verified: trust them sparingly.
"""

from __future__ import annotations

import enum
import ipaddress
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from service.storage import as_utc, rules, utcnow
from service.validation import CleanComment

MAX_PATTERN = 254
_LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_HOST = re.compile(r"^(?=.{1,253}$)[^\s/@:]+$")


class RuleAction(enum.StrEnum):
    BLOCK = "block"
    TRUST = "trust"


class RuleKind(enum.StrEnum):
    EMAIL = "email"
    DOMAIN = "domain"
    IP = "ip"
    LINK = "link"


class RuleError(ValueError):
    """A rule modq cannot store; ``fields`` says which field and why."""

    def __init__(self, message: str, fields: dict[str, str] | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.message, self.fields, self.status = message, fields or {}, status


@dataclass(frozen=True)
class Rule:
    id: int
    action: RuleAction
    kind: RuleKind
    pattern: str
    hits: int
    created_at: datetime
    last_hit_at: datetime | None

    def as_dict(self) -> dict:
        """The rule as the owner sees it (timestamps in ISO 8601, UTC)."""
        return {"id": self.id, "action": self.action.value, "kind": self.kind.value,
                "pattern": self.pattern, "hits": self.hits, "created_at": _iso(self.created_at),
                "last_hit_at": _iso(self.last_hit_at)}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def normalise_pattern(kind: RuleKind, pattern: str) -> str:
    """The canonical form a rule is stored and matched in; RuleError if it cannot match."""
    value = pattern.strip()
    if not value or len(value) > MAX_PATTERN or any(ch.isspace() or not ch.isprintable() for ch in value):
        raise RuleError("invalid rule", {"pattern": f"must be 1 to {MAX_PATTERN} printable "
                                                    "characters without spaces"})
    if kind is RuleKind.IP:
        try:
            return str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise RuleError("invalid rule", {"pattern": "must be an IP address or prefix such as "
                                                        "203.0.113.0/24"}) from None
    value = value.casefold()
    if kind is RuleKind.EMAIL and value.count("@") != 1:
        raise RuleError("invalid rule", {"pattern": "must be an email address"})
    if kind is RuleKind.DOMAIN:
        value = value.removeprefix("@").removeprefix("*.").rstrip(".")
        if not _HOST.match(value):
            raise RuleError("invalid rule", {"pattern": "must be a domain such as example.com"})
    return value


def parse_rule(action: str, kind: str, pattern: str) -> tuple[RuleAction, RuleKind, str]:
    """Check the three parts of a new rule, collecting every problem."""
    problems: dict[str, str] = {}
    if action not in {a.value for a in RuleAction}:
        problems["action"] = "must be one of " + ", ".join(RuleAction)
    if kind not in {k.value for k in RuleKind}:
        problems["kind"] = "must be one of " + ", ".join(RuleKind)
    if problems:
        raise RuleError("invalid rule", problems)
    return RuleAction(action), RuleKind(kind), normalise_pattern(RuleKind(kind), pattern)


def _rule(row) -> Rule:
    return Rule(row.id, RuleAction(row.action), RuleKind(row.kind), row.pattern, row.hits,
                as_utc(row.created_at), as_utc(row.last_hit_at))


def add_rule(engine: Engine, action: str, kind: str, pattern: str) -> Rule:
    """Store a new rule; RuleError (409) if a rule for that pattern exists already."""
    rule_action, rule_kind, value = parse_rule(action, kind, pattern)
    try:
        with engine.begin() as conn:
            rule_id = conn.execute(insert(rules).values(
                action=rule_action.value, kind=rule_kind.value, pattern=value, hits=0,
                created_at=utcnow())).inserted_primary_key[0]
            return _rule(conn.execute(select(rules).where(rules.c.id == rule_id)).one())
    except IntegrityError:
        raise RuleError(f"there is already a rule for {rule_kind.value} {value}", status=409) from None


def list_rules(engine: Engine) -> list[Rule]:
    with engine.begin() as conn:
        return [_rule(row) for row in conn.execute(select(rules).order_by(rules.c.id))]


def remove_rule(engine: Engine, rule_id: int) -> bool:
    with engine.begin() as conn:
        return bool(conn.execute(delete(rules).where(rules.c.id == rule_id)).rowcount)


def count_hit(engine: Engine, rule_id: int) -> None:
    """Count one decision of a rule, atomically in SQL (many web processes count at once)."""
    with engine.begin() as conn:
        conn.execute(update(rules).where(rules.c.id == rule_id)
                     .values(hits=rules.c.hits + 1, last_hit_at=utcnow()))


def _matches(rule: Rule, clean: CleanComment, client_ip: str | None) -> bool:
    if rule.kind is RuleKind.EMAIL:
        return clean.email.casefold() == rule.pattern
    if rule.kind is RuleKind.DOMAIN:
        hosts = [clean.email.rpartition("@")[2], _host(clean.homepage)]
        return any(h == rule.pattern or h.endswith("." + rule.pattern) for h in hosts if h)
    if rule.kind is RuleKind.IP:
        try:
            return client_ip is not None and ipaddress.ip_address(client_ip) in ipaddress.ip_network(
                rule.pattern)
        except ValueError:
            return False
    links = [clean.homepage, *_LINK.findall(clean.body)]
    return any(rule.pattern in link.casefold() for link in links if link)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").casefold().rstrip(".") if url else ""


def first_match(all_rules: list[Rule], clean: CleanComment, client_ip: str | None) -> Rule | None:
    """The rule that decides a comment: the first matching block rule, else the first trust rule."""
    for action in (RuleAction.BLOCK, RuleAction.TRUST):
        for rule in all_rules:
            if rule.action is action and _matches(rule, clean, client_ip):
                return rule
    return None


class RuleCache:
    """The rules, read from the database at most every ``ttl`` seconds per process.

    Submissions are the hot path: most of them must not pay a query for a rule list that
    rarely changes. Changes through this process's API apply at once (``invalidate``);
    changes from the CLI or another process within ``ttl`` seconds.
    """

    def __init__(self, engine: Engine, ttl: float = 5.0) -> None:
        self.engine, self.ttl = engine, ttl
        self._rules: list[Rule] = []
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def get(self) -> list[Rule]:
        with self._lock:
            if time.monotonic() - self._loaded_at >= self.ttl:
                self._rules = list_rules(self.engine)
                self._loaded_at = time.monotonic()
            return self._rules

    def invalidate(self) -> None:
        with self._lock:
            self._loaded_at = float("-inf")
