"""The REST API under ``/api/v1`` (flask-smorest).

OpenAPI 3 at ``/api/v1/openapi.json``, Swagger UI at ``/api/v1/docs``. Authenticate
with a personal token (``POST /api/v1/tokens``, then ``Authorization: Bearer <token>``).
Every error is RFC 9457 problem details (:mod:`itembank.api.errors`); every request
commits once at the end if it succeeded (:mod:`itembank.api.common`).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from flask import Flask, render_template, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Api

from itembank.api import (
    accounts,
    assembly,
    auth,
    banks,
    errors,
    forms,
    imports,
    items,
    jobs,
    media,
    meta,
    notifications,
    passages,
    results,
    statistics,
    statuses,
    tokens,
    transitions,
)
from itembank.api.common import URL_PREFIX
from itembank.api.schemas import ProblemOut
from itembank.api.spec_extras import SchemaRulesPlugin, document_choices

BLUEPRINTS = (
    tokens.blp,
    accounts.blp,
    banks.blp,
    items.blp,
    transitions.blp,
    meta.blp,
    media.blp,
    forms.blp,
    imports.blp,
    jobs.blp,
    assembly.blp,
    results.blp,
    statistics.blp,
    notifications.blp,
    passages.blp,
)

CONFIG_DEFAULTS: dict[str, Any] = {
    "API_TITLE": "itembank",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": URL_PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    # Relative to the docs page, so it also works when the app is mounted under a prefix.
    "OPENAPI_SWAGGER_UI_URL": "docs/assets/",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": (
                "Item authoring and review for the ASN competency tests. Create a token "
                "with POST /api/v1/tokens and send it as 'Authorization: Bearer <token>'. "
                "Errors are RFC 9457 problem details (application/problem+json)."
            )
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    },
    **auth.CONFIG_DEFAULTS,
}


class ItembankApi(Api):
    """flask-smorest's Api with problem details as the documented error shape; its
    own app-wide error handler is replaced by :func:`itembank.api.errors.register`,
    which touches only paths under ``/api/``."""

    ERROR_SCHEMA = ProblemOut
    #: No catch-all error response: :mod:`itembank.api.statuses` documents each
    #: operation's own.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        errors.register(self._app)

    def _openapi_swagger_ui(self) -> str:
        """The docs page: Swagger UI started by a script file of ours rather than
        flask-smorest's inline script, so the page gets the same Content-Security-Policy
        and framing rules as every other page (:mod:`itembank.ui.security`)."""
        return render_template(
            "api/docs.html",
            title=self.spec.title,
            spec_url=url_for(f"{self._make_doc_blueprint_name()}.openapi_json"),
            swagger_ui_url=self._swagger_ui_url,
        )

    def _register_responses(self) -> None:
        """Document the error responses (one per status, and the default) with the media
        type they are sent with, ``application/problem+json``, not ``application/json``."""
        self.DEFAULT_RESPONSE_CONTENT_TYPE = errors.PROBLEM_MIMETYPE
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE


def init_app(app: Flask) -> None:
    for key, value in CONFIG_DEFAULTS.items():
        app.config.setdefault(key, value)
    api = ItembankApi(
        app,
        spec_kwargs={"extra_plugins": [statuses.ProblemStatusesPlugin(), SchemaRulesPlugin()]},
    )
    document_choices(api.ma_plugin, app.extensions["itembank.plugins"])
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
    app.extensions["itembank.api"] = api

    @app.get(f"{URL_PREFIX}/docs/assets/<path:filename>")
    def swagger_ui_asset(filename: str) -> ResponseReturnValue:
        """Swagger UI's own files, from the ``flask-swagger-ui`` distribution installed
        with the app, so the docs page works without internet access."""
        return send_from_directory(swagger_ui_dist(), filename, max_age=86400)


def swagger_ui_dist() -> str:
    """The folder holding ``swagger-ui-bundle.js`` and friends (Swagger UI 5)."""
    return str(resources.files("flask_swagger_ui") / "dist")
