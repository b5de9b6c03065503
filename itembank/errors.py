"""Domain errors. Views, the API and the CLI turn these into responses or messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class DomainError(Exception):
    """Base class: ``message`` is for people, ``code`` for programs."""

    code = "error"

    def __init__(self, message: str, *, message_id: str = "", **details: Any):
        super().__init__(message)
        self.message = message
        #: The message in Indonesian, for the web UI (empty: only English is known).
        self.message_id = message_id
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class PermissionDenied(DomainError):
    """The actor may not do this. ``message`` is English (the API, the CLI, logs);
    ``message_id`` is the same in Indonesian for the web UI, given by the raiser or
    found in :data:`INDONESIAN` (falling back to the English text)."""

    code = "forbidden"

    def __init__(self, message: str, *, message_id: str = "", **details: Any):
        super().__init__(message, message_id=message_id or INDONESIAN.get(message, ""), **details)


#: Indonesian wording of the fixed refusals raised with :class:`PermissionDenied`.
INDONESIAN: dict[str, str] = {
    "this account is disabled": "Akun ini dinonaktifkan.",
    "only administrators manage users": "Hanya administrator yang mengelola pengguna.",
    "only administrators see other users' tokens": (
        "Hanya administrator yang dapat melihat token pengguna lain."
    ),
    "only administrators create users": "Hanya administrator yang dapat membuat pengguna.",
    "only administrators list users": "Hanya administrator yang dapat melihat daftar pengguna.",
    "only the user changes their own password; administrators reset it": (
        "Hanya pemilik akun yang mengganti kata sandinya; administrator mengaturnya ulang."
    ),
    "only administrators reset passwords": (
        "Hanya administrator yang dapat mengatur ulang kata sandi."
    ),
    "change your own password with the current one, not by a reset": (
        "Ganti kata sandi Anda sendiri dengan memasukkan kata sandi saat ini, bukan dengan "
        "pengaturan ulang."
    ),
    "only administrators disable users": "Hanya administrator yang dapat menonaktifkan pengguna.",
    "nobody may disable their own account": "Tidak ada yang boleh menonaktifkan akunnya sendiri.",
    "only administrators enable users": "Hanya administrator yang dapat mengaktifkan pengguna.",
    "only administrators end other users' sessions": (
        "Hanya administrator yang dapat mengakhiri sesi pengguna lain."
    ),
    "only administrators create banks": "Hanya administrator yang dapat membuat bank.",
    "only administrators see other users' sessions": (
        "Hanya administrator yang dapat melihat sesi pengguna lain."
    ),
    "nobody may grant themself a role; another bank admin or an administrator must do it": (
        "Tidak ada yang boleh memberi peran kepada dirinya sendiri; administrator bank lain "
        "atau administrator yang harus melakukannya."
    ),
    "exporting a form whose validation report has errors must name the bank admin "
    "who decides it (--user)": (
        "Mengekspor paket yang laporan validasinya memuat galat harus menyebut administrator "
        "bank yang memutuskannya (--user)."
    ),
}


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
