"""HTTP endpoints outside the API and the web UI: liveness and health. (``/`` is the web
UI's dashboard, :mod:`itembank.ui`.)

- ``/livez`` answers as long as the process serves requests; it does no I/O, so a
  supervisor can restart a stuck process without restarting it for a database outage.
- ``/healthz`` checks what the application needs: the database and, once the job queue
  exists, the queue (:func:`queue_check`). A load balancer takes the instance out of
  rotation while it answers 503.
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from itembank.extensions import db

QUEUE_MODULE = "itembank.jobs.queue"


def queue_check() -> tuple[bool, str] | None:
    """The job queue's health as ``(ok, detail)``, or ``None`` when there is no queue.

    The queue lives in :mod:`itembank.jobs.queue`, whose ``health()`` returns
    ``(ok, detail)``; while that module does not exist the health check leaves the
    queue out. A queue module that exists but fails to import (a missing dependency),
    or a ``health()`` that raises, counts as not ok.
    """
    try:
        queue = importlib.import_module(QUEUE_MODULE)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing == QUEUE_MODULE or QUEUE_MODULE.startswith(missing + "."):
            return None
        return False, f"cannot import {QUEUE_MODULE}: {exc}"
    except ImportError as exc:
        return False, f"cannot import {QUEUE_MODULE}: {exc}"
    try:
        ok, detail = queue.health()
    except Exception as exc:  # a failing check is an unhealthy queue, not a 500
        return False, f"health check failed: {exc.__class__.__name__}: {exc}"
    return bool(ok), str(detail)


def _database_ok() -> bool:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return False
    return True


def init_app(app: Flask) -> None:
    @app.get("/livez")
    def livez() -> ResponseReturnValue:
        """Liveness: the process is up and serving (no database or queue access)."""
        return jsonify(status="ok")

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        """Readiness for load balancers: the database and the job queue answer."""
        body: dict[str, str] = {}
        healthy = _database_ok()
        body["database"] = "ok" if healthy else "unreachable"
        queue = queue_check()
        if queue is not None:
            queue_ok, detail = queue
            body["queue"] = "ok" if queue_ok else (detail or "error")
            healthy = healthy and queue_ok
        body["status"] = "ok" if healthy else "error"
        return jsonify(body), 200 if healthy else 503
