"""Configuration for the web service, the worker and the CLI, read once from ``MODQ_*``.

Every process of modq reads its settings here and nowhere else, so a deployment is
described entirely by its environment. The defaults work on one machine: a SQLite file
and models under ``./var/``, Redis on localhost.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path


class SettingsError(ValueError):
    """A ``MODQ_*`` variable holds a value modq cannot use; the message names it."""


def _number(env: dict[str, str], key: str, default: float, cast: type = float) -> float:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        return cast(raw)
    except ValueError:
        raise SettingsError(f"{key}={raw!r} is not a number") from None


def _origins(raw: str) -> tuple[str, ...]:
    return tuple(o.strip().rstrip("/") for o in raw.replace(",", " ").split() if o.strip())


def _rate_limit(raw: str) -> str:
    """A `limits` rate string such as ``10 per minute`` (``off`` disables the limit)."""
    if raw.strip().lower() == "off":
        return "off"
    from limits import parse_many

    try:
        parse_many(raw)
    except ValueError:
        raise SettingsError(f"MODQ_RATE_LIMIT={raw!r} is not a limit such as '10 per minute'") from None
    return raw


def database_url_for(raw: str) -> str:
    """Point plain ``postgresql://`` URLs at psycopg 3, the driver modq installs."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def _kept_secret(path: Path) -> str:
    """Read a generated secret, creating it (mode 0600) the first time it is needed."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def _check_webhook(settings: Settings) -> None:
    """A webhook must be http(s) and signed: an unsigned one could be forged by anyone."""
    if not settings.webhook_url:
        return
    if not settings.webhook_url.startswith(("http://", "https://")):
        raise SettingsError("MODQ_WEBHOOK_URL must be an http:// or https:// URL")
    if not settings.webhook_secret:
        raise SettingsError("MODQ_WEBHOOK_SECRET is required when MODQ_WEBHOOK_URL is set")


@dataclass(frozen=True)
class Settings:
    var_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str = "redis://127.0.0.1:6379/0"
    owner_token: str = ""
    model_dir: Path = Path("var/models")
    secret_key: str = ""
    allowed_origins: tuple[str, ...] = ()
    spam_threshold: float | None = None
    queue_name: str = "modq-scoring"
    sweep_after_seconds: float = 60.0
    max_request_bytes: int = 64 * 1024
    akismet_key: str = ""
    webhook_url: str = ""
    webhook_secret: str = ""
    web_workers: int = 0  # 0: gunicorn's 2 * cores + 1, capped (service.server)
    web_threads: int = 0  # 0: service.server's default
    rate_limit: str = "10 per minute"
    rate_limit_storage_url: str = ""
    proxy_count: int = 0
    min_submit_seconds: float = 3.0
    duplicate_window_seconds: float = 300.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Build settings from the environment; missing secrets are generated under var/."""
        env = dict(os.environ if env is None else env)
        var_dir = Path(env.get("MODQ_VAR_DIR") or "var")
        threshold = env.get("MODQ_SPAM_THRESHOLD")
        settings = cls(
            var_dir=var_dir,
            database_url=database_url_for(
                env.get("MODQ_DATABASE_URL") or f"sqlite:///{(var_dir / 'modq.sqlite3').resolve()}"
            ),
            redis_url=env.get("MODQ_REDIS_URL") or "redis://127.0.0.1:6379/0",
            owner_token=env.get("MODQ_OWNER_TOKEN", ""),
            model_dir=Path(env.get("MODQ_MODEL_DIR") or var_dir / "models"),
            secret_key=env.get("MODQ_SECRET_KEY", ""),
            allowed_origins=_origins(env.get("MODQ_ALLOWED_ORIGINS", "")),
            spam_threshold=_number(env, "MODQ_SPAM_THRESHOLD", 0.0) if threshold else None,
            queue_name=env.get("MODQ_QUEUE") or "modq-scoring",
            sweep_after_seconds=_number(env, "MODQ_SWEEP_AFTER", 60.0),
            max_request_bytes=int(_number(env, "MODQ_MAX_REQUEST_BYTES", 64 * 1024, int)),
            akismet_key=env.get("MODQ_AKISMET_KEY", ""),
            webhook_url=env.get("MODQ_WEBHOOK_URL", ""),
            webhook_secret=env.get("MODQ_WEBHOOK_SECRET", ""),
            web_workers=int(_number(env, "MODQ_WEB_WORKERS", 0, int)),
            web_threads=int(_number(env, "MODQ_WEB_THREADS", 0, int)),
            rate_limit=_rate_limit(env.get("MODQ_RATE_LIMIT") or "10 per minute"),
            rate_limit_storage_url=env.get("MODQ_RATE_LIMIT_STORAGE_URL", ""),
            proxy_count=int(_number(env, "MODQ_PROXY_COUNT", 0, int)),
            min_submit_seconds=_number(env, "MODQ_MIN_SUBMIT_SECONDS", 3.0),
            duplicate_window_seconds=_number(env, "MODQ_DUPLICATE_WINDOW", 300.0),
        )
        if settings.proxy_count < 0:
            raise SettingsError("MODQ_PROXY_COUNT must be 0 or more")
        if settings.spam_threshold is not None and not 0 < settings.spam_threshold <= 1:
            raise SettingsError("MODQ_SPAM_THRESHOLD must be in (0, 1]")
        _check_webhook(settings)
        if not settings.secret_key:
            settings = replace(settings, secret_key=_kept_secret(var_dir / "secret_key"))
        return settings

    @property
    def akismet_api_key(self) -> str:
        """The key Akismet clients must present: ``MODQ_AKISMET_KEY``, else the owner token."""
        return self.akismet_key or self.owner_token

    def with_generated_owner_token(self) -> Settings:
        """The owner token ``modq up`` uses when none is configured: kept under var/."""
        if self.owner_token:
            return self
        return replace(self, owner_token=_kept_secret(self.var_dir / "owner_token"))
