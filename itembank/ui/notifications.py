"""The bell in the header and the notifications page: read, open, mark read, and the
e-mail preference."""

from __future__ import annotations

from typing import Any

from flask import flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from itembank.api.common import DB_INT_MAX
from itembank.extensions import db
from itembank.models import MailPreference
from itembank.notification_mail import smtp_settings
from itembank.operations import notifications as ops
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import pick


@bp.app_context_processor
def _bell() -> dict[str, Any]:
    """``unread_notifications()`` for the header's bell (counted only when shown)."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        try:
            return ops.unread_count(current_user._get_current_object())
        except SQLAlchemyError:
            # An error page for a failed database must still render.
            db.session.rollback()
            return 0

    return {"unread_notifications": unread_notifications}


def _labels() -> dict[str, str]:
    return {
        MailPreference.IMMEDIATE.value: _("At once, one e-mail per event"),
        MailPreference.DAILY.value: _("A daily digest"),
        MailPreference.NONE.value: _("No e-mail (in the app only)"),
    }


@bp.get("/notifications")
@login_required
def notifications_page() -> ResponseReturnValue:
    user = actor()
    unread_only = request.args.get("unread") == "1"
    rows = [
        {"n": n, "text": pick(ops.describe(n)), "link": ops.link(n)}
        for n in ops.list_notifications(user, unread_only=unread_only)
    ]
    return page(
        "notifications.html",
        rows=rows,
        unread_only=unread_only,
        unread=ops.unread_count(user),
        preference=ops.mail_preference(user).value,
        preference_labels=_labels(),
        mail_configured=smtp_settings() is not None,
        has_email=bool(user.email),
    )


@bp.get(f"/notifications/<int(max={DB_INT_MAX}):notification_id>")
@login_required
def open_notification(notification_id: int) -> ResponseReturnValue:
    """Mark it read and go where it leads."""
    user = actor()
    notification = ops.get_notification(user, notification_id)
    ops.mark_read(user, [notification.id])
    target = ops.link(notification)
    commit()
    return redirect_to(target)


@bp.post("/notifications/read")
@login_required
def read_notifications() -> ResponseReturnValue:
    """Mark the ticked notifications read (``all=1``: every one)."""
    user = actor()
    if request.form.get("all") == "1":
        ids = None
    else:
        ids = [int(v) for v in request.form.getlist("ids") if v.isdigit() and len(v) < 10]
    changed = ops.mark_read(user, ids)
    commit()
    flash(_("%(num)d notifications marked read.", num=changed), "success")
    return redirect_to(url_for("ui.notifications_page"))


@bp.post("/notifications/preferences")
@login_required
def notification_preferences() -> ResponseReturnValue:
    user = actor()
    chosen = ops.set_mail_preference(user, request.form.get("mail", ""))
    commit()
    flash(_("E-mail: %(choice)s.", choice=_labels()[chosen.value]), "success")
    return redirect_to(url_for("ui.notifications_page"))
