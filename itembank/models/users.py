"""Users, banks and memberships."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from itembank.extensions import db
from itembank.models._types import JSONType, UTCDateTime, utcnow


class Role(enum.StrEnum):
    """A user's role in one bank."""

    AUTHOR = "author"
    REVIEWER = "reviewer"
    ASSEMBLER = "assembler"
    BANK_ADMIN = "bank_admin"


class User(db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str | None] = mapped_column(sa.String(254))
    password_hash: Mapped[str] = mapped_column(sa.String(256), default="")
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")

    def set_password(self, password: str) -> None:
        # scrypt (werkzeug's default) is memory-hard and current; tests configure a
        # cheaper method through ITEMBANK_PASSWORD_METHOD to stay fast.
        method = "scrypt"
        if has_app_context():
            method = current_app.config.get("ITEMBANK_PASSWORD_METHOD", method)
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def name(self) -> str:
        return self.display_name or self.username

    # -- Flask-Login (the web UI's sessions) -------------------------------------------

    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        """The session's user id: the user's id and a fingerprint of the password hash,
        so changing the password ends every session (``itembank.ui.auth`` checks it)."""
        return f"{self.id}.{self.session_fingerprint}"

    @property
    def session_fingerprint(self) -> str:
        return hashlib.sha256((self.password_hash or "").encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class Bank(db.Model):
    __tablename__ = "bank"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    language: Mapped[str] = mapped_column(sa.String(16), default="id")
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Last item number handed out; incremented atomically by ``next_item_number``.
    item_counter: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Changes in every transaction that changes what a draft's checks read in this bank
    #: (its items and versions, media, taxonomies, passages, settings):
    #: :mod:`itembank.content_stamp`. Starts at a random number, so a stamp never names
    #: the state of another bank that had the same id (a test's rolled-back one).
    content_stamp: Mapped[int] = mapped_column(
        sa.BigInteger, default=lambda: secrets.randbits(48), server_default="0"
    )

    memberships: Mapped[list[Membership]] = relationship(back_populates="bank")

    DEFAULT_SETTINGS: dict[str, Any] = {"required_approvals": 1, "answer_key_from_drafts": False}

    def setting(self, name: str) -> Any:
        return (self.settings or {}).get(name, self.DEFAULT_SETTINGS.get(name))

    @property
    def required_approvals(self) -> int:
        return int(self.setting("required_approvals"))

    def __repr__(self) -> str:
        return f"<Bank {self.code}>"


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (sa.UniqueConstraint("bank_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("bank.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    bank: Mapped[Bank] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")
