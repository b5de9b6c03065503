"""Where an item was used and how exposed it is.

**Where used**: per version, the forms that pin it, the administrations that delivered
those forms, how many candidates had it there and when. **Exposure** of a version (or
an item: any of its versions) is the number of stored candidate results on forms that
pin it; it was **last used** on the last day of the latest such administration. The
item listing filters on both (*not used since*, *exposure at least*), and automated
assembly reads the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from itembank.access import require_role
from itembank.extensions import db
from itembank.models import (
    Administration,
    AdministrationForm,
    Bank,
    CandidateResult,
    Form,
    FormEntry,
    Item,
    Role,
    User,
)

__all__ = [
    "Exposure",
    "item_exposure_query",
    "version_exposure",
    "where_used",
]

READERS = (Role.AUTHOR, Role.REVIEWER, Role.ASSEMBLER, Role.BANK_ADMIN)


@dataclass(frozen=True)
class Exposure:
    candidates: int
    last_used: date | None
    administrations: int


def _per_form(bank_id: int) -> Any:
    """Candidates per (form, administration) of a bank, with the administration's end."""
    return (
        sa.select(
            CandidateResult.form_id.label("form_id"),
            CandidateResult.administration_id.label("administration_id"),
            sa.func.count(CandidateResult.id).label("candidates"),
            sa.func.max(Administration.ends_on).label("ends_on"),
        )
        .join(Administration, Administration.id == CandidateResult.administration_id)
        .where(Administration.bank_id == bank_id)
        .group_by(CandidateResult.form_id, CandidateResult.administration_id)
        .subquery("per_form")
    )


def item_exposure_query(bank_id: int) -> Any:
    """``(item_id, exposure, last_used)`` for every item of the bank delivered at least
    once (a subquery the listing filters with)."""
    per_form = _per_form(bank_id)
    return (
        sa.select(
            FormEntry.item_id.label("item_id"),
            sa.func.sum(per_form.c.candidates).label("exposure"),
            sa.func.max(per_form.c.ends_on).label("last_used"),
        )
        .join(per_form, per_form.c.form_id == FormEntry.form_id)
        .group_by(FormEntry.item_id)
        .subquery("item_exposure")
    )


def version_exposure(bank: Bank, version_ids: list[int] | None = None) -> dict[int, Exposure]:
    """Exposure per item version of ``bank`` (versions never delivered are absent)."""
    per_form = _per_form(bank.id)
    query = (
        sa.select(
            FormEntry.item_version_id,
            sa.func.sum(per_form.c.candidates),
            sa.func.max(per_form.c.ends_on),
            sa.func.count(sa.distinct(per_form.c.administration_id)),
        )
        .join(per_form, per_form.c.form_id == FormEntry.form_id)
        .group_by(FormEntry.item_version_id)
    )
    if version_ids is not None:
        query = query.where(FormEntry.item_version_id.in_(version_ids))
    return {
        version_id: Exposure(int(candidates or 0), last, int(administrations))
        for version_id, candidates, last, administrations in db.session.execute(query)
    }


def where_used(item: Item, *, actor: User) -> list[dict[str, Any]]:
    """Per version of ``item`` (newest first) that any form pins: the forms, the
    administrations that delivered them, candidates per administration, last use."""
    require_role(actor, item.bank, *READERS, doing="see where items are used")
    pins = db.session.execute(
        sa.select(FormEntry.item_version_id, Form)
        .join(Form, Form.id == FormEntry.form_id)
        .where(FormEntry.item_id == item.id)
        .order_by(Form.number)
    ).all()
    if not pins:
        return []
    form_ids = {form.id for _, form in pins}
    deliveries = db.session.execute(
        sa.select(
            AdministrationForm.form_id,
            Administration,
            sa.func.count(CandidateResult.id),
            sa.func.max(CandidateResult.tested_at),
        )
        .join(Administration, Administration.id == AdministrationForm.administration_id)
        .outerjoin(
            CandidateResult,
            sa.and_(
                CandidateResult.administration_id == Administration.id,
                CandidateResult.form_id == AdministrationForm.form_id,
            ),
        )
        .where(AdministrationForm.form_id.in_(form_ids))
        .group_by(AdministrationForm.form_id, Administration.id)
        .order_by(Administration.starts_on)
    ).all()
    by_form: dict[int, list[dict[str, Any]]] = {}
    for form_id, administration, candidates, last_tested in deliveries:
        by_form.setdefault(form_id, []).append(
            {
                "administration": administration.external_id,
                "title": administration.title,
                "starts_on": administration.starts_on,
                "ends_on": administration.ends_on,
                "simulated": administration.simulated,
                "candidates": int(candidates),
                "last_tested_at": last_tested,
            }
        )
    versions: dict[int, dict[str, Any]] = {}
    numbers = {v.id: v.number for v in item.versions}
    for version_id, form in pins:
        entry = versions.setdefault(
            version_id,
            {"version": numbers.get(version_id), "forms": [], "candidates": 0, "last_used": None},
        )
        delivered = by_form.get(form.id, [])
        entry["forms"].append(
            {
                "form": form.external_id,
                "title": form.title,
                "status": form.status,
                "administrations": delivered,
            }
        )
        entry["candidates"] += sum(d["candidates"] for d in delivered)
        ends = [d["ends_on"] for d in delivered if d["candidates"]]
        if ends:
            last = max(ends)
            entry["last_used"] = max(entry["last_used"] or last, last)
    return sorted(versions.values(), key=lambda v: -(v["version"] or 0))
