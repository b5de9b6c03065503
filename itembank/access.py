"""Who may do what in a bank. Every domain operation calls these."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from itembank.errors import NotFound, PermissionDenied
from itembank.extensions import db
from itembank.models import Bank, Membership, Role, User

#: ``session.info`` key of the roles read in the session's current transaction.
_ROLES_KEY = "itembank.roles_in"


def roles_in(user: User, bank: Bank) -> set[Role]:
    """``user``'s roles in ``bank``, read once per transaction: a request asks several
    times (the view, the operation, the serializer). Forgotten when the transaction
    ends and whenever the session writes or holds an unwritten membership."""
    session = db.session()
    if any(isinstance(o, Membership) for o in (*session.new, *session.deleted)):
        forget_roles(session)
    known: dict[tuple[int, int], frozenset[Role]] = session.info.setdefault(_ROLES_KEY, {})
    key = (user.id, bank.id)
    roles = known.get(key)
    if roles is None:
        rows = session.scalars(
            sa.select(Membership.role).where(
                Membership.bank_id == bank.id, Membership.user_id == user.id
            )
        )
        roles = known[key] = frozenset(Role(r) for r in rows)
    return set(roles)


def remember_roles(user: User, bank_id: int, roles: set[str]) -> None:
    """Record ``user``'s roles in bank ``bank_id`` as a query of the caller read them in
    this transaction (the membership rows, joined to what it read), so that
    :func:`roles_in` need not read them again. Nothing is recorded while the session
    holds an unwritten membership."""
    session = db.session()
    if any(isinstance(o, Membership) for o in (*session.new, *session.dirty, *session.deleted)):
        return
    known = session.info.setdefault(_ROLES_KEY, {})
    known[(user.id, bank_id)] = frozenset(Role(r) for r in roles)


def forget_roles(session: Any, *_: Any) -> None:
    """Drop the roles :func:`roles_in` remembered (a session event handler)."""
    session.info.pop(_ROLES_KEY, None)


def _forget_after_membership_writes(session: Any, *_: Any) -> None:
    if any(isinstance(o, Membership) for o in (*session.new, *session.dirty, *session.deleted)):
        forget_roles(session)


for _event in ("after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(Session, _event, forget_roles)
event.listen(Session, "before_flush", _forget_after_membership_writes)


def is_member(user: User, bank: Bank) -> bool:
    return user.is_admin or bool(roles_in(user, bank))


def ensure_visible(user: User, bank: Bank) -> None:
    """Non-members are told nothing exists, so a bank's existence does not leak."""
    if not is_member(user, bank):
        raise NotFound(f"no bank {bank.code!r}")


def require_role(user: User, bank: Bank, *roles: Role, doing: str) -> None:
    """Raise unless ``user`` holds one of ``roles`` in ``bank`` (global admins always do).

    Non-members get :class:`NotFound`; members without the role get
    :class:`PermissionDenied` naming the roles that may.
    """
    if not user.is_active:
        raise PermissionDenied("this account is disabled")
    if user.is_admin:
        return
    held = roles_in(user, bank)
    if not held:
        raise NotFound(f"no bank {bank.code!r}")
    if not held & set(roles):
        names = " or ".join(r.value for r in roles)
        names_id = " atau ".join(ROLE_NAMES_ID.get(r.value, r.value) for r in roles)
        raise PermissionDenied(
            f"you need the role {names} in bank {bank.code} to {doing}",
            message_id=(
                f"Anda memerlukan peran {names_id} di bank {bank.code} untuk "
                f"{doing_in_indonesian(doing)}."
            ),
        )


#: The roles' names in Indonesian (as the web UI shows them).
ROLE_NAMES_ID: dict[str, str] = {
    "author": "penulis soal",
    "reviewer": "penelaah",
    "assembler": "perakit paket",
    "bank_admin": "administrator bank",
}

#: What a refused actor wanted to do (the ``doing`` of :func:`require_role`), in Indonesian.
DOING_ID: dict[str, str] = {
    "analyse results": "menganalisis hasil",
    "assemble test forms": "merakit paket tes",
    "calibrate items": "mengkalibrasi soal",
    "change bank settings": "mengubah pengaturan bank",
    "comment on items": "mengomentari soal",
    "decide review flags": "memutuskan tanda telaah",
    "delete blueprints": "menghapus kisi-kisi",
    "edit drafts": "menyunting draf",
    "edit items": "menyunting soal",
    "edit test forms": "menyunting paket tes",
    "export a form whose validation report has errors": (
        "mengekspor paket yang laporan validasinya memuat galat"
    ),
    "export items": "mengekspor soal",
    "export test forms": "mengekspor paket tes",
    "import items": "mengimpor soal",
    "import results": "mengimpor hasil tes",
    "import taxonomies": "mengimpor taksonomi",
    "make test forms": "membuat paket tes",
    "manage members": "mengelola anggota",
    "mark enemy items": "menandai soal musuh",
    "print test forms": "mencetak paket tes",
    "read answer keys": "membaca kunci jawaban",
    "read item statistics": "membaca statistik soal",
    "read the audit trail": "membaca jejak audit",
    "read the statistics review queue": "membaca antrean telaah statistik",
    "record administrations": "mencatat pelaksanaan tes",
    "retire items": "mempensiunkan soal",
    "review items": "menelaah soal",
    "see administrations": "melihat pelaksanaan tes",
    "see assembly runs": "melihat proses perakitan",
    "see calibrations": "melihat kalibrasi",
    "see drafts": "melihat draf",
    "see results imports": "melihat impor hasil tes",
    "see test forms": "melihat paket tes",
    "see where items are used": "melihat di mana soal dipakai",
    "submit items for review": "mengajukan soal untuk ditelaah",
    "unmark enemy items": "membatalkan tanda soal musuh",
    "upload images": "mengunggah gambar",
    "view imports": "melihat impor",
    "withdraw items from review": "menarik soal dari telaah",
    "write blueprints": "menulis kisi-kisi",
    "write items": "menulis soal",
    "write passages": "menulis bacaan",
    "retire passages": "mempensiunkan bacaan",
    "comment on passages": "mengomentari bacaan",
    "submit passages for review": "mengajukan bacaan untuk ditelaah",
    "withdraw passages from review": "menarik bacaan dari telaah",
}


def doing_in_indonesian(doing: str) -> str:
    """``doing`` in Indonesian; an action missing from :data:`DOING_ID` stays as given
    (a test checks that every action passed in the code is listed)."""
    return DOING_ID.get(doing, doing)
