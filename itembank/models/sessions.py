"""The web UI's sign-in sessions, kept on the server.

The signed session cookie holds only a random session id; this table holds its SHA-256,
so signing out (or an administrator's reset or disabling, or a password change) ends the
session for good, whatever copy of the cookie is replayed later.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from itembank.extensions import db
from itembank.models._types import UTCDateTime, utcnow
from itembank.models.users import User


class UserSession(db.Model):
    """One sign-in of a user in the web UI, from sign-in to its end."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: SHA-256 (hex) of the random id the cookie holds.
    id_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When a request last used it (to within ``itembank.ui.sessions.LAST_SEEN_PRECISION``).
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: ``logout``, ``password_change``, ``password_reset``, ``disabled``, ``ended``.
    end_reason: Mapped[str] = mapped_column(sa.String(32), default="")
    address: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} of user {self.user_id}>"
