"""Administrations (pelaksanaan): one delivery of one or more exported forms.

The delivery team (assemblers) and bank admins create them and name the forms they
delivered; results are then imported into them (:mod:`itembank.operations.results`).
Only forms that were exported can be named: results name items by the identifiers of
the exported package, and a form nobody exported has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from itembank.access import require_role
from itembank.audit import record
from itembank.errors import InvalidInput, NotFound
from itembank.extensions import db
from itembank.models import Administration, AdministrationForm, Bank, Form, User
from itembank.models.forms import FormStatus
from itembank.operations.blueprints import ASSEMBLY_ROLES
from itembank.operations.forms import CONTROL_RE

__all__ = [
    "MAX_SESSIONS",
    "add_forms",
    "create_administration",
    "find_administration",
    "list_administrations",
]

MAX_SESSIONS = 100
MAX_FORMS = 200


def _problem(field: str, message: str, message_en: str) -> InvalidInput:
    problem = {"field": field, "message": message, "message_en": message_en}
    return InvalidInput(message_en, [problem])


def _text(value: Any, field: str, *, required: bool, limit: int, label: tuple[str, str]) -> str:
    if value is None and not required:
        return ""
    if (
        not isinstance(value, str)
        or (required and not value.strip())
        or len(value.strip()) > limit
        or CONTROL_RE.search(value)
    ):
        need = ("wajib diisi, " if required else "", "required, " if required else "")
        return _raise(
            field,
            f"{label[0]} {need[0]}paling banyak {limit} karakter, tanpa karakter kendali.",
            f"{label[1]} is {need[1]}at most {limit} characters, without control characters.",
        )
    return value.strip()


def _raise(field: str, message: str, message_en: str) -> Any:
    raise _problem(field, message, message_en)


def _date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    return _raise(
        field,
        f"Tanggal '{field}' harus berformat TTTT-BB-HH (mis. 2026-12-06).",
        f"The date '{field}' must be YYYY-MM-DD (e.g. 2026-12-06).",
    )


def _sessions(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or len(value) > MAX_SESSIONS:
        return _raise(
            "sessions",
            f"Sesi berupa daftar label, paling banyak {MAX_SESSIONS}.",
            f"Sessions are a list of labels, at most {MAX_SESSIONS}.",
        )
    labels: list[str] = []
    for index, label in enumerate(value):
        text = _text(
            label,
            f"sessions[{index}]",
            required=True,
            limit=64,
            label=("Label sesi", "A session label"),
        )
        if text in labels:
            _raise(
                f"sessions[{index}]",
                f"Sesi '{text}' disebut dua kali.",
                f"Session '{text}' is named twice.",
            )
        labels.append(text)
    return labels


def _next_number(bank: Bank) -> int:
    # The bank's row lock serialises numbering of concurrent creations.
    db.session.execute(sa.select(Bank.id).where(Bank.id == bank.id).with_for_update())
    current = db.session.scalar(
        sa.select(sa.func.max(Administration.number)).where(Administration.bank_id == bank.id)
    )
    return int(current or 0) + 1


def _exported_forms(bank: Bank, form_ids: Sequence[str]) -> list[Form]:
    if not isinstance(form_ids, list | tuple) or len(form_ids) > MAX_FORMS:
        _raise(
            "forms",
            f"Paket berupa daftar kode paket, paling banyak {MAX_FORMS}.",
            f"Forms are a list of form ids, at most {MAX_FORMS}.",
        )
    wanted = [str(f).strip() for f in form_ids]
    found = {
        form.external_id: form
        for form in db.session.scalars(
            sa.select(Form).where(Form.bank_id == bank.id, Form.external_id.in_(wanted))
        )
    }
    forms: list[Form] = []
    for index, external_id in enumerate(wanted):
        form = found.get(external_id)
        if form is None:
            _raise(
                f"forms[{index}]",
                f"Bank {bank.code} tidak memiliki paket '{external_id}'.",
                f"Bank {bank.code} has no form '{external_id}'.",
            )
            continue
        if form.status != FormStatus.EXPORTED.value:
            _raise(
                f"forms[{index}]",
                f"Paket {external_id} belum pernah diekspor; hanya paket yang diekspor "
                "dapat dilaksanakan.",
                f"Form {external_id} was never exported; only exported forms can be delivered.",
            )
        if form not in forms:
            forms.append(form)
    return forms


def create_administration(
    bank: Bank,
    *,
    actor: User | None,
    title: Any,
    starts_on: Any,
    ends_on: Any = None,
    site: Any = None,
    sessions: Any = None,
    forms: Sequence[str] = (),
    notes: Any = None,
    simulated: bool = False,
) -> Administration:
    """A new administration of ``forms`` (external ids of exported forms).

    Assemblers and bank admins (``actor`` None: the server's operator, from the CLI).
    Records ``administration.create``; the caller commits."""
    if actor is not None:
        require_role(actor, bank, *ASSEMBLY_ROLES, doing="record administrations")
    clean_title = _text(
        title, "title", required=True, limit=200, label=("Judul pelaksanaan", "The title")
    )
    start = _date(starts_on, "starts_on")
    end = _date(ends_on, "ends_on") if ends_on not in (None, "") else start
    if end < start:
        _raise(
            "ends_on",
            "Tanggal selesai tidak boleh sebelum tanggal mulai.",
            "The end date cannot be before the start date.",
        )
    delivered = _exported_forms(bank, forms)
    administration = Administration(
        bank=bank,
        number=_next_number(bank),
        title=clean_title,
        site=_text(site, "site", required=False, limit=200, label=("Lokasi", "The site")),
        starts_on=start,
        ends_on=end,
        sessions=_sessions(sessions),
        notes=_text(notes, "notes", required=False, limit=5000, label=("Catatan", "Notes")),
        simulated=bool(simulated),
        created_by_id=actor.id if actor else None,
    )
    administration.external_id = f"{bank.code}-A{administration.number:03d}"
    db.session.add(administration)
    db.session.flush()
    added = _link_forms(administration, delivered, actor)
    record(
        "administration.create",
        actor=actor,
        bank=bank,
        object_type="administration",
        object_id=administration.external_id,
        forms=[form.external_id for form in added],
        simulated=administration.simulated,
    )
    return administration


def _link_forms(
    administration: Administration, forms: Sequence[Form], actor: User | None
) -> list[Form]:
    present = set(
        db.session.scalars(
            sa.select(AdministrationForm.form_id).where(
                AdministrationForm.administration_id == administration.id
            )
        )
    )
    added = [form for form in forms if form.id not in present]
    for form in added:
        db.session.add(
            AdministrationForm(
                administration_id=administration.id,
                form_id=form.id,
                added_by_id=actor.id if actor else None,
            )
        )
    db.session.flush()
    db.session.expire(administration, ["forms"])
    return added


def add_forms(
    administration: Administration, forms: Sequence[str], *, actor: User | None
) -> list[Form]:
    """Name more exported forms as delivered in ``administration``; returns the forms
    that were not named already. Records ``administration.forms``."""
    bank = administration.bank
    if actor is not None:
        require_role(actor, bank, *ASSEMBLY_ROLES, doing="record administrations")
    added = _link_forms(administration, _exported_forms(bank, forms), actor)
    if added:
        record(
            "administration.forms",
            actor=actor,
            bank=bank,
            object_type="administration",
            object_id=administration.external_id,
            forms=[form.external_id for form in added],
        )
    return added


def find_administration(bank: Bank, external_id: str) -> Administration:
    administration = db.session.scalar(
        sa.select(Administration).where(
            Administration.bank_id == bank.id, Administration.external_id == external_id
        )
    )
    if administration is None:
        raise NotFound(f"bank {bank.code} has no administration {external_id!r}")
    return administration


def list_administrations(bank: Bank) -> list[Administration]:
    """The bank's administrations, newest first."""
    return list(
        db.session.scalars(
            sa.select(Administration)
            .where(Administration.bank_id == bank.id)
            .order_by(Administration.starts_on.desc(), Administration.number.desc())
        )
    )
