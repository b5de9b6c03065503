"""HTTP endpoints outside the API and the web UI: liveness and health. (``/`` is the web
UI's dashboard, :mod:`itembank.ui`.)

- ``/livez`` answers as long as the process serves requests; it does no I/O, so a
  supervisor can restart a stuck process without restarting it for a database outage.
- ``/healthz`` checks what the application needs: the database and, once the job queue
  exists, the queue (:func:`queue_check`). A load balancer takes the instance out of
  rotation while it answers 503.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from itembank.extensions import db


def queue_check() -> tuple[bool, str]:
    """The job queue's health as ``(ok, detail)`` (:func:`itembank.jobs.queue.health`)."""
    from itembank.jobs import queue

    return queue.health()


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
        queue_ok, detail = queue_check()
        body["queue"] = "ok" if queue_ok else detail
        healthy = healthy and queue_ok
        body["status"] = "ok" if healthy else "error"
        return jsonify(body), 200 if healthy else 503
