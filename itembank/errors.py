"""Domain errors. Views, the API and the CLI turn these into responses or messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class DomainError(Exception):
    """Base class: ``message`` is for people, ``code`` for programs."""

    code = "error"

    def __init__(self, message: str, **details: Any):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class PermissionDenied(DomainError):
    code = "forbidden"


class InvalidInput(DomainError):
    """Input failed validation; ``problems`` lists ``{"field", "message", "message_en"}``."""

    code = "invalid"

    def __init__(self, message: str, problems: list[dict[str, str]] | None = None):
        super().__init__(message, problems=problems or [])
        self.problems = problems or []


class Conflict(DomainError):
    code = "conflict"


class Unavailable(DomainError):
    """A service the operation needs (the job queue) cannot be reached now; try later."""

    code = "unavailable"


class StaleEdit(Conflict):
    """A draft edit was based on an older revision than the one stored."""

    code = "stale_edit"

    def __init__(
        self, *, base_revision: int, current_revision: int, changed_by: str, changed_at: datetime
    ):
        super().__init__(
            f"this draft was changed by {changed_by} at {changed_at:%Y-%m-%d %H:%M:%S} UTC "
            f"(revision {current_revision}) after the revision {base_revision} your edit was "
            "based on; reload it and apply your changes again",
            base_revision=base_revision,
            current_revision=current_revision,
            changed_by=changed_by,
            changed_at=changed_at.isoformat(),
        )
