"""``/api/v1/me/notifications``: your notifications and your e-mail preference."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields, validate

from itembank.api import auth
from itembank.api.common import DB_INT_MAX, make_blueprint
from itembank.models import MailPreference
from itembank.operations import notifications as ops

blp = make_blueprint("notifications", "Your notifications and how you get them by e-mail.")


class NotificationQuery(ma.Schema):
    unread = fields.Boolean(load_default=False, metadata={"description": "unread ones only"})
    limit = fields.Integer(load_default=ops.PAGE_LIMIT, validate=validate.Range(1, ops.PAGE_LIMIT))


class NotificationOut(ma.Schema):
    id = fields.Integer()
    kind = fields.String(
        metadata={
            "description": "changes_requested, approved, rejected, review_waiting, "
            "job_finished or flagged"
        }
    )
    object_type = fields.String(metadata={"description": "item or job"})
    object_id = fields.String()
    params = fields.Dict()
    text = fields.Function(lambda n: ops.describe(n)["id"], metadata={"description": "Indonesian"})
    text_en = fields.Function(lambda n: ops.describe(n)["en"])
    link = fields.Function(ops.link, metadata={"description": "the page it is about"})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class NotificationListOut(ma.Schema):
    unread = fields.Integer()
    notifications = fields.List(fields.Nested(NotificationOut))


class MarkReadIn(ma.Schema):
    ids = fields.List(
        fields.Integer(validate=validate.Range(1, DB_INT_MAX)),
        validate=validate.Length(max=1000),
        metadata={"description": "the notifications to mark read; omit for all of them"},
    )


class MarkReadOut(ma.Schema):
    marked = fields.Integer()
    unread = fields.Integer()


class PreferenceIn(ma.Schema):
    mail = fields.String(required=True, validate=validate.OneOf([p.value for p in MailPreference]))


class PreferenceOut(ma.Schema):
    mail = fields.String(metadata={"description": "immediate, daily or none"})


@blp.route("/me/notifications")
class MyNotifications(MethodView):
    @blp.arguments(NotificationQuery, location="query")
    @blp.response(200, NotificationListOut)
    def get(self, query: dict[str, Any]) -> Any:
        """Your notifications, newest first (at most 100)"""
        user = auth.current_user()
        return {
            "unread": ops.unread_count(user),
            "notifications": ops.list_notifications(
                user, unread_only=query["unread"], limit=query["limit"]
            ),
        }


@blp.route("/me/notifications/read")
class MarkRead(MethodView):
    @blp.arguments(MarkReadIn)
    @blp.response(200, MarkReadOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Mark notifications read (``ids``, or all when omitted)"""
        user = auth.current_user()
        marked = ops.mark_read(user, data.get("ids"))
        return {"marked": marked, "unread": ops.unread_count(user)}


@blp.route("/me/notification-preferences")
class Preferences(MethodView):
    @blp.response(200, PreferenceOut)
    def get(self) -> Any:
        """How you get notifications by e-mail"""
        return {"mail": ops.mail_preference(auth.current_user()).value}

    @blp.arguments(PreferenceIn)
    @blp.response(200, PreferenceOut)
    def patch(self, data: dict[str, Any]) -> Any:
        """Choose: ``immediate`` (default), a ``daily`` digest, or ``none``"""
        return {"mail": ops.set_mail_preference(auth.current_user(), data["mail"]).value}
