"""``/api/v1/tokens``: create a personal token with a password, list and revoke tokens."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from itembank.api import auth
from itembank.api.common import INT_ID, PUBLIC, Extended, make_blueprint
from itembank.api.schemas import TokenCreatedOut, TokenCreateIn, TokenListQuery, TokenOut
from itembank.errors import PermissionDenied
from itembank.operations.accounts import get_user

blp = make_blueprint("tokens", "Personal API tokens: create with a password, list, revoke.")


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.arguments(TokenCreateIn)
    @blp.response(201, TokenCreatedOut)
    @blp.doc(security=[])
    def post(self, data: dict[str, Any]) -> Any:
        """Create a token (needs no token: username and password)

        The secret is in ``token`` and shown only in this response. Repeated failures
        lock the account (and the client address) for a while: 429 with Retry-After.
        """
        token, secret = auth.issue_token(
            data["username"], data["password"], name=data["name"], days=data["expires_in_days"]
        )
        return Extended(token, token=secret)

    @blp.arguments(TokenListQuery, location="query")
    @blp.response(200, TokenOut(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """Your tokens (administrators: ``?user=`` for someone else's)"""
        actor = auth.current_user()
        wanted = (query.get("user") or actor.username).strip().lower()
        if wanted != actor.username and not actor.is_admin:
            raise PermissionDenied("only administrators see other users' tokens")
        owner = actor if wanted == actor.username else get_user(wanted)
        return auth.list_tokens(owner, actor=actor)


PUBLIC.add(("tokens.Tokens", "POST"))


@blp.route(f"/tokens/<{INT_ID}:token_id>")
class TokenById(MethodView):
    @blp.response(204)
    def delete(self, token_id: int) -> None:
        """Revoke a token (its owner or an administrator)"""
        auth.revoke_token(token_id, actor=auth.current_user())
