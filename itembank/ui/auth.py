"""Signing in and out, and choosing the language.

The password check and the failed-login lockout are the API's
(:func:`itembank.api.auth.check_credentials`): the same limits count attempts made
here and at ``POST /api/v1/tokens``.

Sessions live on the server (:mod:`itembank.operations.sessions`): the signed cookie
holds the user id, a fingerprint of the password hash and a random session id, and a
request is signed in only while that session exists, has not ended, is not idle too long
and not too old. Signing out ends it for good, so a copy of the cookie is worthless
afterwards. Flask-Login's "remember me" cookie is never issued, and one sent anyway
signs nobody in: it carries no session id.
"""

from __future__ import annotations

import math

from flask import Flask, flash, g, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, login_user, logout_user

from itembank.api.auth import check_credentials, client_address
from itembank.api.errors import ApiError
from itembank.audit import record
from itembank.extensions import db
from itembank.models import User
from itembank.operations.sessions import end_session, live_session, start_session
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to, safe_next
from itembank.ui.i18n import LANGUAGES
from itembank.ui.i18n import gettext as _

login_manager = LoginManager()
#: The key of the server-side session's secret id in the signed cookie.
SESSION_KEY = "sid"


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """The session's user, if the account is still active, its password unchanged, and
    the server-side session live (which this marks seen, at most once a minute)."""
    user_id, _sep, fingerprint = session_id.partition(".")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_fingerprint != fingerprint:
        return None
    secret = session.get(SESSION_KEY)
    found = live_session(secret, user) if isinstance(secret, str) else None
    if found is None:
        g.session_ended = True
        return None
    pending = db.session.dirty
    if found in pending and len(pending) == 1 and not (db.session.new or db.session.deleted):
        # Only the session's last_seen_at changed (the user is loaded before the view
        # does anything): save it now, as a page that only reads never commits.
        db.session.commit()
    return user


@login_manager.unauthorized_handler
def _unauthorized() -> ResponseReturnValue:
    if g.get("session_ended"):
        flash(_("Your session has ended. Please sign in again."), "info")
    else:
        flash(_("Please sign in to continue."), "info")
    return redirect_to(url_for("ui.login", next=request.full_path.rstrip("?")))


def sign_in(user: User) -> None:
    """Start a fresh server-side session for ``user`` (and a fresh cookie, with a new
    CSRF token), keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang in LANGUAGES:
        session["lang"] = lang
    session[SESSION_KEY] = start_session(
        user,
        address=client_address(),
        user_agent=request.headers.get("User-Agent", ""),
    )
    login_user(user)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    # Flask-Login's own "session protection" logs a user out when the address or
    # browser changes; the signed cookie and CSRF tokens already cover this.
    login_manager.session_protection = None


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    next_url = safe_next(request.values.get("next"), url_for("ui.dashboard"))
    if request.method == "GET":
        return page("login.html", next_url=next_url, username="")
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    try:
        user = check_credentials(username, password)
    except ApiError as exc:
        db.session.rollback()
        return page(
            "login.html",
            exc.code or 400,
            next_url=next_url,
            username=username,
            error=_login_error(exc),
        )
    sign_in(user)
    record("user.login", actor=user, object_type="user", object_id=user.username, via="web")
    commit()
    return redirect_to(next_url)


def _login_error(exc: ApiError) -> str:
    if exc.problem_code == "login_locked":
        minutes = math.ceil(int(exc.extra.get("retry_after", 60)) / 60)
        return _(
            "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
            minutes=minutes,
        )
    if exc.problem_code == "account_disabled":
        return _("This account is disabled. Ask your administrator.")
    return _("Wrong username or password.")


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    user = actor()
    end_session(session.get(SESSION_KEY) or "", reason="logout")
    record("user.logout", actor=user, object_type="user", object_id=user.username, via="web")
    commit()
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have signed out."), "info")
    return redirect_to(url_for("ui.login"))


@bp.post("/language")
def language() -> ResponseReturnValue:
    """Switch the language (signed in or not) and go back to the page."""
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect_to(safe_next(request.form.get("next"), url_for("ui.dashboard")))
