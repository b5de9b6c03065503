"""Sending notifications by e-mail, outside web requests.

Configured by ``ITEMBANK_SMTP_HOST`` (unset: no mail at all), ``ITEMBANK_SMTP_PORT``
(default 587 with STARTTLS, else 25), ``ITEMBANK_SMTP_USER`` / ``ITEMBANK_SMTP_PASSWORD``
(log in when set), ``ITEMBANK_SMTP_FROM`` (the sender address) and
``ITEMBANK_SMTP_STARTTLS`` (``1``/``0``, default ``1``). :func:`send_pending` sends each
recipient one message with the notifications not mailed yet: ``immediate`` users from
the job worker's housekeeping (every minute) or ``flask itembank notifications send``;
``daily`` users from ``flask itembank notifications send-digest`` (run it once a day from
cron, or let the worker run it at ``ITEMBANK_DIGEST_HOUR_UTC``). Users without an
address, disabled users and ``none`` get nothing. A message that fails stays unsent and
is tried again next time; each sent message is committed at once, so nothing is mailed
twice.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from itembank.extensions import db
from itembank.models import MailPreference, Notification, NotificationPreference, User
from itembank.models._types import utcnow
from itembank.operations.notifications import describe, link

log = logging.getLogger(__name__)

#: Notifications older than this are never mailed (a user who switches mail on later
#: does not receive a backlog).
MAX_AGE = timedelta(days=3)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str
    sender: str
    starttls: bool


def config_defaults(environ: dict[str, str]) -> dict[str, Any]:
    """The ``ITEMBANK_SMTP_*`` settings from the environment."""
    starttls = environ.get("ITEMBANK_SMTP_STARTTLS", "1") != "0"
    port = environ.get("ITEMBANK_SMTP_PORT", "")
    return {
        "ITEMBANK_SMTP_HOST": environ.get("ITEMBANK_SMTP_HOST", ""),
        "ITEMBANK_SMTP_PORT": int(port) if port.isdigit() else (587 if starttls else 25),
        "ITEMBANK_SMTP_USER": environ.get("ITEMBANK_SMTP_USER", ""),
        "ITEMBANK_SMTP_PASSWORD": environ.get("ITEMBANK_SMTP_PASSWORD", ""),
        "ITEMBANK_SMTP_FROM": environ.get("ITEMBANK_SMTP_FROM", "itembank@localhost"),
        "ITEMBANK_SMTP_STARTTLS": starttls,
        "ITEMBANK_DIGEST_HOUR_UTC": int(environ.get("ITEMBANK_DIGEST_HOUR_UTC", "23") or 23) % 24,
    }


def smtp_settings(app: Flask | None = None) -> SmtpSettings | None:
    """The app's SMTP settings, or None when mail is not configured."""
    config = (app or current_app).config
    host = config.get("ITEMBANK_SMTP_HOST") or ""
    if not host:
        return None
    starttls = bool(config.get("ITEMBANK_SMTP_STARTTLS", True))
    return SmtpSettings(
        host=host,
        port=int(config.get("ITEMBANK_SMTP_PORT") or (587 if starttls else 25)),
        user=config.get("ITEMBANK_SMTP_USER") or "",
        password=config.get("ITEMBANK_SMTP_PASSWORD") or "",
        sender=config.get("ITEMBANK_SMTP_FROM") or "itembank@localhost",
        starttls=starttls,
    )


def _pending(preference: MailPreference) -> dict[int, list[Notification]]:
    """Unmailed notifications of active users with an address and this preference."""
    chosen = sa.func.coalesce(NotificationPreference.mail, MailPreference.IMMEDIATE.value)
    rows = db.session.scalars(
        sa.select(Notification)
        .join(User, User.id == Notification.recipient_id)
        .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(
            Notification.mailed_at.is_(None),
            Notification.created_at >= utcnow() - MAX_AGE,
            User.is_active.is_(True),
            User.email.is_not(None),
            User.email != "",
            chosen == preference.value,
        )
        .order_by(Notification.recipient_id, Notification.id)
    )
    grouped: dict[int, list[Notification]] = {}
    for notification in rows:
        grouped.setdefault(notification.recipient_id, []).append(notification)
    return grouped


def compose(
    user: User, notifications: list[Notification], *, sender: str, base_url: str, digest: bool
) -> EmailMessage:
    """One plain-text message, Indonesian first with the English below."""
    count = len(notifications)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((user.name, user.email or ""))
    message["Message-ID"] = make_msgid(domain="itembank")
    if digest:
        message["Subject"] = f"[Bank soal] Ringkasan harian: {count} pemberitahuan"
    elif count == 1:
        message["Subject"] = f"[Bank soal] {describe(notifications[0])['id']}"
    else:
        message["Subject"] = f"[Bank soal] {count} pemberitahuan baru"
    lines = [f"Halo {user.name},", ""]
    english = ["", "-- English --", ""]
    for notification in notifications:
        text = describe(notification)
        url = base_url.rstrip("/") + link(notification)
        when = notification.created_at.strftime("%Y-%m-%d %H:%M UTC")
        lines += [f"* {text['id']} ({when})", f"  {url}"]
        english += [f"* {text['en']} ({when})", f"  {url}"]
    footer = [
        "",
        "Atur surel pemberitahuan di / Change your e-mail settings at: "
        + base_url.rstrip("/")
        + "/notifications",
    ]
    message.set_content("\n".join(lines + english + footer) + "\n")
    return message


def send_pending(
    *, digest: bool, app: Flask | None = None, base_url: str | None = None
) -> dict[str, int]:
    """Mail the unmailed notifications of ``immediate`` users (``digest``: of ``daily``
    users), one message per user; returns ``{"sent": messages, "notifications": n,
    "failed": messages}``. Without SMTP settings it does nothing."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    settings = smtp_settings(app)
    counts = {"sent": 0, "notifications": 0, "failed": 0}
    if settings is None:
        return counts
    preference = MailPreference.DAILY if digest else MailPreference.IMMEDIATE
    pending = _pending(preference)
    if not pending:
        return counts
    base = base_url or app.config.get("ITEMBANK_BASE_URL") or "http://localhost:5000"
    with _connect(settings) as smtp:
        for recipient_id, notifications in pending.items():
            user = db.session.get(User, recipient_id)
            assert user is not None
            message = compose(
                user, notifications, sender=settings.sender, base_url=base, digest=digest
            )
            try:
                smtp.send_message(message)
            except smtplib.SMTPException as exc:
                log.warning("mail to user %s failed: %s", user.username, exc)
                counts["failed"] += 1
                continue
            now = utcnow()
            for notification in notifications:
                notification.mailed_at = now
            db.session.commit()
            counts["sent"] += 1
            counts["notifications"] += len(notifications)
    log.info("notification mail (%s): %s", "digest" if digest else "immediate", counts)
    return counts


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=30)
    try:
        if settings.starttls:
            smtp.starttls()
        if settings.user:
            smtp.login(settings.user, settings.password)
    except Exception:
        smtp.close()
        raise
    return smtp
