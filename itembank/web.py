"""HTTP endpoints outside the API and the web UI: the health check. (``/`` is the web
UI's dashboard, :mod:`itembank.ui`.)"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from itembank.extensions import db


def init_app(app: Flask) -> None:
    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        """Liveness and database check for load balancers."""
        try:
            db.session.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return jsonify(status="error", database="unreachable"), 503
        return jsonify(status="ok", database="ok")
