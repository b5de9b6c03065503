"""The gunicorn settings module, read the way gunicorn reads it."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from gunicorn.app.base import Application

from itembank import gunicorn_conf, logging_setup


class _Settings(Application):
    """gunicorn's configuration from ``-c python:itembank.gunicorn_conf`` alone."""

    def load_config(self) -> None:
        self.load_config_from_module_name_or_filename("python:itembank.gunicorn_conf")

    def load(self) -> Any:
        raise AssertionError("the application is not loaded here")


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Reload the settings module under the test's environment, then read it."""

    def read(**env: str) -> Any:
        for name in ("PORT", "WEB_CONCURRENCY", "WEB_THREADS", "ITEMBANK_LOG_FORMAT"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        importlib.reload(gunicorn_conf)
        return _Settings().cfg

    yield read
    monkeypatch.undo()
    importlib.reload(gunicorn_conf)


def test_defaults(settings: Any) -> None:
    cfg = settings()
    assert cfg.bind == ["127.0.0.1:5000"]
    assert cfg.workers == 2
    assert cfg.threads == 1 and cfg.worker_class_str == "sync"
    assert cfg.preload_app is True
    assert (cfg.timeout, cfg.graceful_timeout, cfg.keepalive) == (60, 30, 5)
    assert cfg.accesslog == "-" and cfg.errorlog == "-"
    # Forwarded headers are the application's business (ITEMBANK_PROXY_HOPS), not gunicorn's.
    assert cfg.forwarded_allow_ips == [] and cfg.secure_scheme_headers == {}
    assert cfg.logger_class is gunicorn_conf.Logger
    assert "control_socket_disable" not in cfg.settings or cfg.control_socket_disable


def test_port_and_workers_from_the_environment(settings: Any) -> None:
    cfg = settings(PORT="6123", WEB_CONCURRENCY="5")
    assert cfg.bind == ["127.0.0.1:6123"] and cfg.workers == 5
    with pytest.raises(ValueError, match="WEB_CONCURRENCY must be a whole number >= 1"):
        settings(WEB_CONCURRENCY="0")
    cfg = settings(WEB_THREADS="4")
    assert cfg.threads == 4  # gunicorn then runs its gthread worker


def test_gunicorn_logs_go_to_stdout_in_our_format(settings: Any) -> None:
    cfg = settings(ITEMBANK_LOG_FORMAT="json")
    logger = cfg.logger_class(cfg)
    handlers = logger.error_log.handlers + logger.access_log.handlers
    assert handlers and all(handler.stream is sys.stdout for handler in handlers)
    assert all(isinstance(handler.formatter, logging_setup.JsonFormatter) for handler in handlers)
    assert all(
        any(isinstance(f, logging_setup.RequestIdFilter) for f in handler.filters)
        for handler in handlers
    )


def test_schemas_are_compiled_in_the_master(monkeypatch: pytest.MonkeyPatch) -> None:
    import qti.validate

    calls: list[str] = []
    monkeypatch.setattr(qti.validate, "preload_schemas", lambda: calls.append("preload") or 1.5)
    server = ModuleType("server")
    server.log = logging.getLogger("itembank.tests.gunicorn")  # type: ignore[attr-defined]
    monkeypatch.delenv("ITEMBANK_PRELOAD_SCHEMAS", raising=False)
    gunicorn_conf.on_starting(server)
    assert calls == ["preload"]
    monkeypatch.setenv("ITEMBANK_PRELOAD_SCHEMAS", "0")
    gunicorn_conf.on_starting(server)
    assert calls == ["preload"]
