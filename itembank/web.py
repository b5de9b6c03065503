"""HTTP endpoints outside the API: the front door and the health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, jsonify, redirect
from flask.typing import ResponseReturnValue

from itembank.extensions import db


def init_app(app: Flask) -> None:
    @app.get("/")
    def index() -> ResponseReturnValue:
        """The API's interactive documentation is the way in."""
        return redirect("/api/v1/docs")

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        """Liveness and database check for load balancers."""
        try:
            db.session.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return jsonify(status="error", database="unreachable"), 503
        return jsonify(status="ok", database="ok")
