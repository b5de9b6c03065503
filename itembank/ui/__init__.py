"""The web UI for item writers, reviewers and assemblers (Indonesian first, English).

Pages are server-rendered Jinja templates (``itembank/templates/ui/``) with small
scripts of our own (``itembank/static/js/``) and the rich-text editor bundled from npm
(``frontend/``, built into ``itembank/static/vendor/`` by ``make setup``). Views are thin:
they call the same domain operations as the API (``itembank/operations/``), so the same
role checks apply, and turn domain errors into friendly pages and messages.

Sessions: Flask-Login over the signed session cookie (``HttpOnly``, ``SameSite=Lax``,
``Secure`` unless ``ITEMBANK_SECURE_COOKIES=0`` or in debug/testing), each backed by a
server-side session that signing out, a password change and disabling end
(:mod:`itembank.ui.auth`). Every POST needs
the session's CSRF token (Flask-WTF). Every response outside ``/api/`` carries a strict
Content-Security-Policy (scripts and styles only from this site), ``nosniff``,
``Referrer-Policy`` and ``frame-ancestors 'none'``.

Later pages (blueprints, forms, imports, jobs, administrations, statistics) add themselves
to the navigation with :func:`itembank.ui.nav.add` and to the dashboard with
:func:`itembank.ui.dashboard.panel`.
"""

from __future__ import annotations

from flask import Flask

from itembank.ui import auth, errors, i18n, nav, security
from itembank.ui.blueprint import bp

CONFIG_DEFAULTS = {
    # One CSRF token per session, valid as long as the session: a writer may take
    # more than an hour over an item and must not lose it to an expired token.
    "WTF_CSRF_TIME_LIMIT": None,
    # The API authenticates with bearer tokens, not cookies: CSRF is checked for the
    # UI's own POSTs only (``itembank.ui.blueprint``).
    "WTF_CSRF_CHECK_DEFAULT": False,
}


def init_app(app: Flask) -> None:
    for key, value in CONFIG_DEFAULTS.items():
        app.config.setdefault(key, value)
    security.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    nav.init_app(app)

    from itembank.ui import (  # noqa: F401  (routes)
        accounts,
        administrations,
        analyses,
        assembly_runs,
        bank_settings,
        blueprints,
        bulk,
        compare,
        dashboard,
        editor,
        enemies,
        form_actions,
        form_fill,
        forms,
        imports,
        item_statistics,
        items,
        jobs,
        media,
        notifications,
        passage_actions,
        passage_editor,
        passage_review,
        passages,
        review,
        review_flags,
    )

    app.register_blueprint(bp)
