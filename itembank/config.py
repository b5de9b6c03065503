"""Configuration: defaults here, overridden by environment variables and test config."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from itembank import media_check
from itembank.logging_setup import log_format


def _env_list(name: str) -> list[str] | None:
    value = os.environ.get(name)
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def env_count(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole number >= ``minimum`` from the environment (``default`` when unset), with
    an error naming the variable."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, not {value!r}")
    return number


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity where the system has one): the
    default of ``ITEMBANK_IMPORT_PROCESSES``."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def default_config(instance_path: str) -> dict[str, Any]:
    """The configuration for ``create_app``, read from the environment.

    ``DATABASE_URL``: any SQLAlchemy URL (default: SQLite under ``instance/``).
    ``SECRET_KEY``: session signing key (default: generated and kept in ``instance/``).
    ``ITEMBANK_PLUGINS_ALLOW`` / ``ITEMBANK_PLUGINS_DENY``: comma-separated plugin names.
    ``ITEMBANK_MEDIA_MAX_BYTES``: largest image upload (default 2 MB).
    ``ITEMBANK_PROXY_HOPS``: how many reverse proxies in front set ``X-Forwarded-*``
    headers that are trusted (default 0: none).
    ``ITEMBANK_LOG_FORMAT``: ``text`` (default) or ``json``, one line per record.
    ``ITEMBANK_SESSION_IDLE_MINUTES`` / ``ITEMBANK_SESSION_MAX_HOURS``: a web session
    ends after this long unused (default 60 minutes) / this long after sign-in (12 hours).
    ``ITEMBANK_LOGIN_*``: the failed-login limits (``itembank.api.auth``).
    ``ITEMBANK_IMPORT_PROCESSES``: how many processes may convert the items of one large
    QTI import (default: the CPUs this process may use; 1: none besides the import's).
    """
    database_url = os.environ.get("DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "itembank.sqlite3")
    )
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    session_idle = env_count("ITEMBANK_SESSION_IDLE_MINUTES", 60, minimum=1)
    session_max = env_count("ITEMBANK_SESSION_MAX_HOURS", 12, minimum=1)
    import_processes = env_count("ITEMBANK_IMPORT_PROCESSES", usable_cpus(), minimum=1)
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # No pool_pre_ping (a round trip before every request): the app checks only
        # connections that sat idle in the pool (itembank.extensions.ping_when_idle).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "ITEMBANK_PLUGINS_ALLOW": _env_list("ITEMBANK_PLUGINS_ALLOW"),
        "ITEMBANK_PLUGINS_DENY": _env_list("ITEMBANK_PLUGINS_DENY") or [],
        "ITEMBANK_PLUGINS_EXTRA": _env_list("ITEMBANK_PLUGINS_EXTRA") or [],
        "ITEMBANK_MEDIA_MAX_BYTES": int(
            os.environ.get("ITEMBANK_MEDIA_MAX_BYTES", media_check.DEFAULT_MAX_BYTES)
        ),
        "ITEMBANK_DEMO_PASSWORD": os.environ.get("ITEMBANK_DEMO_PASSWORD", "itembank-demo"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("ITEMBANK_MAX_REQUEST_BYTES", 16 * 1024 * 1024)),
        # Background jobs (itembank.jobs): the queue is a SQLite file in instance/
        # unless ITEMBANK_REDIS_URL is set; immediate runs each job where it is sent.
        "ITEMBANK_REDIS_URL": os.environ.get("ITEMBANK_REDIS_URL") or None,
        "ITEMBANK_QUEUE_FILE": os.environ.get("ITEMBANK_QUEUE_FILE") or None,
        "ITEMBANK_QUEUE_NAME": os.environ.get("ITEMBANK_QUEUE_NAME") or "itembank",
        "ITEMBANK_JOBS_IMMEDIATE": os.environ.get("ITEMBANK_JOBS_IMMEDIATE") == "1",
        "ITEMBANK_JOB_LEASE_SECONDS": float(os.environ.get("ITEMBANK_JOB_LEASE_SECONDS", 60)),
        "ITEMBANK_JOB_RESEND_SECONDS": float(os.environ.get("ITEMBANK_JOB_RESEND_SECONDS", 300)),
        # How long a worker told to stop (SIGINT) lets its running jobs finish before
        # it gives them back to the queue (itembank.jobs.queue.run_worker).
        "ITEMBANK_WORKER_STOP_SECONDS": float(os.environ.get("ITEMBANK_WORKER_STOP_SECONDS", 300)),
        "ITEMBANK_PROXY_HOPS": env_count("ITEMBANK_PROXY_HOPS", 0),
        # Processes converting a large QTI import's items (itembank.qti_bridge.pool),
        # read by ImportLimits.from_config.
        "ITEMBANK_IMPORT_PROCESSES": import_processes,
        # SQLite: how long a transaction waits for another writer before the request
        # is answered 503 (itembank.busy).
        "ITEMBANK_SQLITE_BUSY_SECONDS": float(os.environ.get("ITEMBANK_SQLITE_BUSY_SECONDS", 10)),
        "ITEMBANK_LOG_FORMAT": log_format(os.environ.get("ITEMBANK_LOG_FORMAT")),
        "ITEMBANK_SESSION_IDLE_MINUTES": session_idle,
        "ITEMBANK_SESSION_MAX_HOURS": session_max,
        # The signed cookie is refused past the session's absolute lifetime too.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=session_max),
        **_login_limits(),
        # Notification mail (itembank.notification_mail): none unless ITEMBANK_SMTP_HOST.
        **_mail_settings(),
        "ITEMBANK_BASE_URL": os.environ.get("ITEMBANK_BASE_URL", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
    }


def _mail_settings() -> dict[str, Any]:
    from itembank.notification_mail import config_defaults

    return config_defaults(dict(os.environ))


def _login_limits() -> dict[str, int]:
    """The failed-login limits set in the environment (the others keep the defaults of
    ``itembank.api.auth.CONFIG_DEFAULTS``)."""
    from itembank.api.auth import CONFIG_DEFAULTS

    limits = {}
    for name, default in CONFIG_DEFAULTS.items():
        if os.environ.get(name, "").strip():
            minimum = 0 if name == "ITEMBANK_LOGIN_MAX_FAILURES_PER_ADDRESS" else 1
            limits[name] = env_count(name, int(default), minimum=minimum)
    return limits


def _instance_secret(instance_path: str) -> str:
    """A per-installation secret key, created on first use and kept in instance/."""
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key
