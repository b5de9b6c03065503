"""Account pages: changing your own password; administrators' user list, where they
reset passwords and disable or enable users.

The same operations as ``/api/v1/me/password`` and ``/api/v1/users/...``
(:mod:`itembank.operations.accounts`): every change is audited and ends all of the
user's sessions and API tokens. Changing your own password starts a fresh session for
the browser you changed it in.
"""

from __future__ import annotations

import math

from flask import flash, request, url_for
from flask.typing import ResponseReturnValue

from itembank.api.auth import counting_failures
from itembank.api.errors import ApiError
from itembank.errors import InvalidInput, PermissionDenied
from itembank.extensions import db
from itembank.models import User
from itembank.operations import accounts
from itembank.operations.sessions import live_session_counts
from itembank.ui import nav
from itembank.ui.auth import sign_in
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import problem_text


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    user = actor()
    if request.method == "GET":
        return page("change_password.html")
    try:
        if request.form.get("new_password") != request.form.get("confirm_password"):
            raise InvalidInput(
                "the passwords differ",
                [
                    {
                        "field": "confirm_password",
                        "message": "Ulangi kata sandi baru yang sama.",
                        "message_en": "Repeat the same new password.",
                    }
                ],
            )
        with counting_failures(user):
            change = accounts.change_password(
                user,
                request.form.get("current_password") or "",
                request.form.get("new_password") or "",
                actor=user,
            )
    except InvalidInput as exc:
        db.session.rollback()
        return page(
            "change_password.html",
            422,
            errors={p["field"]: problem_text(p) for p in exc.problems},
        )
    except ApiError as exc:  # locked out: too many wrong passwords
        db.session.rollback()
        minutes = math.ceil(int(exc.extra.get("retry_after", 60)) / 60)
        return page(
            "change_password.html",
            exc.code or 429,
            errors={
                "current_password": _(
                    "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
                    minutes=minutes,
                )
            },
        )
    sign_in(change.user)  # every session ended: this browser gets a fresh one
    commit()
    flash(
        _(
            "Your password has been changed. Your other sessions and your API tokens "
            "have been ended."
        ),
        "success",
    )
    return redirect_to(url_for("ui.dashboard"))


def _target(username: str) -> User:
    """The user an administrator acts on (others are refused before learning who exists)."""
    if not actor().is_admin:
        raise PermissionDenied("only administrators manage users")
    return accounts.get_user(username)


@bp.get("/admin/users")
@login_required
def users() -> ResponseReturnValue:
    admin = actor()
    everyone = accounts.list_users(actor=admin)
    return page("users.html", users=everyone, live_sessions=live_session_counts())


@bp.post("/admin/users/<username>/password")
@login_required
def reset_password(username: str) -> ResponseReturnValue:
    user = _target(username)
    try:
        change = accounts.reset_password(
            user, request.form.get("new_password") or "", actor=actor()
        )
    except InvalidInput as exc:
        db.session.rollback()
        for problem in exc.problems:
            flash(f"{username}: {problem_text(problem)}", "error")
        return redirect_to(url_for("ui.users"))
    commit()
    flash(
        _(
            "The password of %(user)s has been reset; %(sessions)d sessions and "
            "%(tokens)d API tokens were ended.",
            user=user.username,
            sessions=change.sessions_ended,
            tokens=change.tokens_revoked,
        ),
        "success",
    )
    return redirect_to(url_for("ui.users"))


@bp.post("/admin/users/<username>/disable")
@login_required
def disable_user(username: str) -> ResponseReturnValue:
    user = _target(username)
    accounts.disable_user(user, actor=actor(), reason=request.form.get("reason") or "")
    commit()
    flash(_("%(user)s has been disabled.", user=user.username), "success")
    return redirect_to(url_for("ui.users"))


@bp.post("/admin/users/<username>/enable")
@login_required
def enable_user(username: str) -> ResponseReturnValue:
    user = _target(username)
    accounts.enable_user(user, actor=actor())
    commit()
    flash(_("%(user)s has been enabled.", user=user.username), "success")
    return redirect_to(url_for("ui.users"))


nav.add(
    "ui.users",
    lambda: _("Users"),
    prefixes=("/admin/users",),
    visible=lambda user: bool(user.is_admin),
    order=90,
)
