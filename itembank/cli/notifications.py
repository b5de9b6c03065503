"""``flask --app wsgi itembank notifications send|send-digest``: notification mail.

``send`` mails users who want notifications at once (the job worker does this every
minute too); ``send-digest`` mails the daily digests (run it once a day from cron, or
let the worker run it at ``ITEMBANK_DIGEST_HOUR_UTC``)."""

from __future__ import annotations

import smtplib

import click
from flask import current_app
from flask.cli import AppGroup

from itembank.cli.core import itembank_cli

notifications_cli = AppGroup("notifications", help="Send notification e-mail.")
itembank_cli.add_command(notifications_cli)


def _send(digest: bool, base_url: str | None) -> None:
    from itembank.notification_mail import send_pending, smtp_settings

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if smtp_settings(app) is None:
        raise click.ClickException("ITEMBANK_SMTP_HOST is not set: no mail can be sent")
    try:
        counts = send_pending(digest=digest, app=app, base_url=base_url)
    except (OSError, smtplib.SMTPException) as exc:
        raise click.ClickException(f"the mail server refused or cannot be reached: {exc}") from None
    click.echo(
        f"{counts['sent']} messages sent ({counts['notifications']} notifications), "
        f"{counts['failed']} failed"
    )
    if counts["failed"]:
        raise SystemExit(1)


_BASE = click.option(
    "--base-url",
    default=None,
    help="The site's address for the links (default: ITEMBANK_BASE_URL).",
)


@notifications_cli.command("send")
@_BASE
def send_command(base_url: str | None) -> None:
    """Mail the unmailed notifications of users who want them at once."""
    _send(False, base_url)


@notifications_cli.command("send-digest")
@_BASE
def send_digest_command(base_url: str | None) -> None:
    """Mail each daily-digest user one message with their unmailed notifications."""
    _send(True, base_url)
