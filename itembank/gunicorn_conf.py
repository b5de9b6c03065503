"""gunicorn settings for serving itembank in production.

Run from the project folder (where ``wsgi.py`` is)::

    gunicorn -c python:itembank.gunicorn_conf wsgi:app

Options given on the command line (or in ``GUNICORN_CMD_ARGS``) override these, e.g.
``--bind unix:/run/itembank/web.sock`` or ``--timeout 120``.

- **bind** ``127.0.0.1:$PORT`` (``PORT`` defaults to 5000): the loopback address, for a
  reverse proxy on the same host (nginx, Caddy) that terminates HTTPS.
- **workers** ``WEB_CONCURRENCY`` (default 2) synchronous worker processes;
  **threads** ``WEB_THREADS`` (default 1): more than one makes each worker serve that
  many requests at once in threads (gunicorn's ``gthread`` worker, which also keeps
  connections alive), so a request waiting for the database (a commit's disk write)
  leaves the worker to others.
- **preload_app**: the master imports the application once and forks the workers
  from it; before that it compiles every QTI schema (:func:`on_starting`, unless
  ``ITEMBANK_PRELOAD_SCHEMAS=0``), so workers share the compiled schemas and no request
  waits seconds for one.
- **timeout** 60 s: a worker silent for that long is killed and replaced;
  **graceful_timeout** 30 s: on SIGTERM or a restart, workers get that long to finish
  the requests they are serving; **keepalive** 5 s between requests on a connection.
- **logs**: gunicorn's error log and its access log go to standard output, one line per
  record in ``ITEMBANK_LOG_FORMAT`` (text or JSON), like the application's own
  (:mod:`itembank.logging_setup`); an access line carries the request's id.
- **forwarded headers**: gunicorn itself believes none (``forwarded_allow_ips`` empty,
  no secure-scheme headers). The application decides, from ``ITEMBANK_PROXY_HOPS``,
  how many proxies' ``X-Forwarded-For/-Proto/-Host`` to trust, in one place.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from gunicorn import glogging

from itembank.config import env_count
from itembank.logging_setup import log_format, use_format

bind = [f"127.0.0.1:{env_count('PORT', 5000, minimum=1)}"]
workers = env_count("WEB_CONCURRENCY", 2, minimum=1)
threads = env_count("WEB_THREADS", 1, minimum=1)
preload_app = True
timeout = 60
graceful_timeout = 30
keepalive = 5

accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}

# gunicorn 25.1+ opens a control socket at a per-user default path, which two instances
# on one host would share; nothing here uses it.
control_socket_disable = True


def preload_schemas_enabled() -> bool:
    """``ITEMBANK_PRELOAD_SCHEMAS`` (default on; ``0`` turns it off, e.g. in tests)."""
    return os.environ.get("ITEMBANK_PRELOAD_SCHEMAS", "1").strip().lower() not in {
        "0",
        "false",
        "no",
        "off",
    }


def on_starting(server: Any) -> None:
    """In the master, before it listens or forks: compile the QTI schemas once."""
    if not preload_schemas_enabled():
        server.log.info("QTI schemas: not preloaded (ITEMBANK_PRELOAD_SCHEMAS=0)")
        return
    from qti.validate import preload_schemas

    seconds = preload_schemas()
    server.log.info("QTI schemas compiled in %.1f s; the workers share them", seconds)


def post_fork(server: Any, worker: Any) -> None:
    """In each new worker: drop the database connections inherited from the master."""
    from itembank.extensions import db

    app = server.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)


class Logger(glogging.Logger):
    """gunicorn's logger with its error and access logs on standard output, formatted
    like the application's records (``ITEMBANK_LOG_FORMAT``)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        name = log_format(os.environ.get("ITEMBANK_LOG_FORMAT"))
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not getattr(handler, "_gunicorn", False):
                    continue
                if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr:
                    handler.setStream(sys.stdout)
                use_format(handler, name)


logger_class = Logger
