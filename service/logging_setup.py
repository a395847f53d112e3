"""Logs: one JSON object per line for log collectors, readable lines on a terminal.

Every record passes through ``Redact`` first, so an email address, an IP address or a
bearer token never reaches a log, even when a library puts one in a message (SQLAlchemy
errors, for one, quote the parameters of the failed statement). Records logged while a
request is handled carry its ``request_id`` (see ``service.request_id``).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import sys
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

_SECRETS = (
    (re.compile(r"(\w+://[^:/@\s]*:)[^@\s]+@"), r"\1[redacted]@"),  # a password in a URL
    (re.compile(r"(?i)\b(bearer\s+)[^\s,;'\"]+"), r"\1[redacted]"),
    (re.compile(r"(?i)\b(token|api_key|key|secret|password)(\s*[=:]\s*)[^\s&,;'\"]+"), r"\1\2[redacted]"),
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[email]"),
    (re.compile(r"\b(\d{1,3}\.){3}\d{1,3}\b"), "[ip]"),
)
# Anything with two colons and hex digits might be IPv6; only real addresses are replaced
# (so "12:30:45" in a message stays).
_IPV6_CANDIDATE = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
# What every pattern above needs to match (an @, a colon, digits around a dot, a keyword):
# one search that rules all of them out for most messages.
_MAYBE_SECRET = re.compile(r"[@:]|\d\.\d|(?i:bearer|token|key|secret|password)")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
QUIET_LIBRARIES = ("alembic", "rq.worker", "rq.scheduler")


def _ipv6(match: re.Match) -> str:
    try:
        ipaddress.IPv6Address(match.group(0))
    except ValueError:
        return match.group(0)
    return "[ip]"


def redact(text: str) -> str:
    if not _MAYBE_SECRET.search(text):  # most messages (every request's log line): nothing to do
        return text
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return _IPV6_CANDIDATE.sub(_ipv6, text)


class Redact(logging.Filter):
    """Rewrite the message (and any traceback) of every record without personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class RequestContext(logging.Filter):
    """Add the current request's id to records logged while handling one."""

    def filter(self, record: logging.LogRecord) -> bool:
        from flask import g, has_request_context

        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
        return True


def formatter(stream: TextIO) -> logging.Formatter:
    """JSON unless ``stream`` is a terminal (a person reading)."""
    if stream.isatty():
        return logging.Formatter(TEXT_FORMAT)
    return JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger"},
                         json_ensure_ascii=False)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record is emitted, not at setup (click's
    test runner and pytest swap it)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> TextIO:  # type: ignore[override]
        return sys.stderr


def configure(level: str = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send every log record of the process to ``stream`` (default stderr), redacted.

    Calling it again replaces the handler it installed before, and only that one.
    """
    handler = logging.StreamHandler(stream) if stream else StderrHandler()
    handler.setFormatter(formatter(stream or sys.stderr))
    handler.addFilter(RequestContext())
    handler.addFilter(Redact())
    handler.set_name("modq")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "modq"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    return handler
