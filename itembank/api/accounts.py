"""``/api/v1/me`` and ``/api/v1/users``: changing your own password; administrators list
users, reset passwords, disable and enable accounts.

A password change or reset, and disabling, end every web session of the user and revoke
every API token of theirs (the token of the request too); each is audited.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from itembank.api import auth
from itembank.api.account_schemas import (
    AccountChangeOut,
    DisableIn,
    PasswordChangeIn,
    PasswordResetIn,
    UserOut,
)
from itembank.api.common import make_blueprint
from itembank.errors import PermissionDenied
from itembank.operations import accounts

blp = make_blueprint(
    "accounts", "Accounts: your password; administrators reset passwords, disable users."
)


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserOut)
    def get(self) -> Any:
        """The user of the token"""
        return auth.current_user()


@blp.route("/me/password")
class MyPassword(MethodView):
    @blp.arguments(PasswordChangeIn)
    @blp.response(200, AccountChangeOut)
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data: dict[str, Any]) -> Any:
        """Change your password (confirm the current one)

        Ends all your web sessions and revokes all your tokens, this one too: create a
        new token with the new password. A wrong current password (422,
        ``current_password``) counts as a failed login for the lockouts.
        """
        actor = auth.current_user()
        with auth.counting_failures(actor):
            return accounts.change_password(
                actor, data["current_password"], data["new_password"], actor=actor
            )


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, UserOut(many=True))
    @blp.alt_response(403, response="FORBIDDEN")
    def get(self) -> Any:
        """Every user (administrators)"""
        return accounts.list_users(actor=auth.current_user())


@blp.route("/users/<username>/password")
class UserPassword(MethodView):
    @blp.arguments(PasswordResetIn)
    @blp.response(200, AccountChangeOut)
    def post(self, data: dict[str, Any], username: str) -> Any:
        """Reset a user's password (administrators)

        Ends all of the user's web sessions and revokes all of their tokens.
        """
        actor = auth.current_user()
        user = _target(username, actor)
        return accounts.reset_password(user, data["new_password"], actor=actor)


@blp.route("/users/<username>/disable")
class UserDisable(MethodView):
    @blp.arguments(DisableIn)
    @blp.response(200, AccountChangeOut)
    def post(self, data: dict[str, Any], username: str) -> Any:
        """Disable a user (administrators; not yourself)

        The user can no longer sign in; all of their web sessions end and all of their
        tokens are revoked.
        """
        actor = auth.current_user()
        user = _target(username, actor)
        return accounts.disable_user(user, actor=actor, reason=data.get("reason", ""))


@blp.route("/users/<username>/enable")
class UserEnable(MethodView):
    @blp.response(200, UserOut)
    def post(self, username: str) -> Any:
        """Enable a disabled user again (administrators)"""
        actor = auth.current_user()
        return accounts.enable_user(_target(username, actor), actor=actor)


def _target(username: str, actor: Any) -> Any:
    """The user an administrator acts on (others get 403 before learning who exists)."""
    if not actor.is_admin:
        raise PermissionDenied("only administrators manage users")
    return accounts.get_user(username)
