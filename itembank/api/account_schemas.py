"""marshmallow schemas of the account endpoints (:mod:`itembank.api.accounts`)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from itembank.operations.accounts import MAX_PASSWORD, MIN_PASSWORD

_NEW_PASSWORD = {
    "required": True,
    "validate": validate.Length(min=MIN_PASSWORD, max=MAX_PASSWORD),
    "load_only": True,
    "metadata": {"description": f"{MIN_PASSWORD} to {MAX_PASSWORD} characters"},
}


class PasswordChangeIn(ma.Schema):
    current_password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=MAX_PASSWORD)
    )
    new_password = fields.String(**_NEW_PASSWORD)


class PasswordResetIn(ma.Schema):
    new_password = fields.String(**_NEW_PASSWORD)


class DisableIn(ma.Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class UserOut(ma.Schema):
    username = fields.String()
    display_name = fields.String()
    is_admin = fields.Boolean()
    is_active = fields.Boolean(metadata={"description": "false: disabled, cannot sign in"})
    created_at = fields.DateTime()


class AccountChangeOut(ma.Schema):
    """What a password change or reset, or disabling, did. Every web session of the user
    ended and every API token was revoked (the one used for the request too)."""

    username = fields.Function(lambda change: change.user.username)
    is_active = fields.Function(lambda change: change.user.is_active)
    sessions_ended = fields.Integer(metadata={"description": "web sessions that were live"})
    tokens_revoked = fields.Integer()
