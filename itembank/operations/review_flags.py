"""The reviewers' statistics queue (*perlu ditelaah: statistik*).

An analysis whose figures cross the bank's thresholds puts each flagged item version in
the queue (:func:`raise_analysis_flags`). A version has at most one open flag; a newer
analysis updates its figures. A decided flag is not raised again for the same findings:
only a new finding (a flag code the decision did not see) opens it again.

A reviewer or bank admin decides (:func:`decide_flag`) with a reason: ``keep`` (the item
stays as it is), ``revise`` (the writers are to revise it; an author starts the new
draft from the flag) or ``retire`` (a bank admin only: the item is retired with the
reason). Nothing changes an item's status by itself; every decision is audited.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from itembank.access import require_role
from itembank.audit import record
from itembank.errors import Conflict, InvalidInput, NotFound
from itembank.extensions import db
from itembank.models import Analysis, Bank, ReviewFlag, Role, User
from itembank.models._types import utcnow
from itembank.operations import notifications
from itembank.operations.result_scoring import FormScorer
from itembank.psychometrics import Flag

__all__ = [
    "DECISIONS",
    "decide_flag",
    "find_flag",
    "flag_payload",
    "list_flags",
    "raise_analysis_flags",
]

DECISIONS = ("keep", "revise", "retire")
FLAG_READERS = (Role.AUTHOR, Role.REVIEWER, Role.ASSEMBLER, Role.BANK_ADMIN)


def flag_payload(flags: Sequence[Flag]) -> list[dict[str, Any]]:
    """The core's flags as stored with an analysis and a review flag."""
    out: list[dict[str, Any]] = []
    for flag in flags:
        value = flag.value
        if value is not None and not math.isfinite(float(value)):
            value = None
        out.append(
            {
                "code": flag.code,
                "message": flag.message,
                "message_en": flag.message_en,
                "value": None if value is None else float(value),
            }
        )
    return out


def raise_analysis_flags(
    analysis: Analysis, scorer: FormScorer, *, actor: User | None
) -> list[ReviewFlag]:
    """Open (or update) a flag for every entry the analysis flagged."""
    flagged = {row["version_id"]: row for row in analysis.items if row.get("flags")}
    if not flagged:
        return []
    existing: dict[int, list[ReviewFlag]] = {}
    for flag in db.session.scalars(
        sa.select(ReviewFlag)
        .where(ReviewFlag.version_id.in_(flagged))
        .order_by(ReviewFlag.id.desc())
    ):
        existing.setdefault(flag.version_id, []).append(flag)
    entries = {entry.entry.version.id: entry for entry in scorer.entries}
    touched: list[ReviewFlag] = []
    for version_id, row in flagged.items():
        codes = {flag["code"] for flag in row["flags"]}
        history = existing.get(version_id, [])
        open_flag = next((f for f in history if f.status == "open"), None)
        if open_flag is not None:
            if open_flag.flags != row["flags"]:
                open_flag.flags = row["flags"]
                open_flag.analysis_id = analysis.id
                touched.append(open_flag)
            continue
        decided = history[0] if history else None
        if decided is not None and codes <= set(decided.codes):
            continue  # decided already on these findings
        entry = entries[version_id]
        flag = ReviewFlag(
            bank_id=analysis.bank_id,
            item_id=entry.item.id,
            version_id=version_id,
            source="analysis",
            analysis_id=analysis.id,
            flags=row["flags"],
        )
        db.session.add(flag)
        touched.append(flag)
        record(
            "statistics.flag",
            actor=actor,
            version=entry.entry.version,
            codes=sorted(codes),
            analysis=analysis.id,
        )
        notifications.version_flagged(entry.entry.version, sorted(codes), analysis_id=analysis.id)
    db.session.flush()
    return touched


def list_flags(bank: Bank, *, actor: User, status: str | None = "open") -> list[ReviewFlag]:
    """The bank's flags (open ones by default), newest first."""
    require_role(actor, bank, *FLAG_READERS, doing="read the statistics review queue")
    query = sa.select(ReviewFlag).where(ReviewFlag.bank_id == bank.id)
    if status:
        query = query.where(ReviewFlag.status == status)
    return list(db.session.scalars(query.order_by(ReviewFlag.id.desc()).limit(1000)))


def find_flag(bank: Bank, flag_id: int, *, actor: User) -> ReviewFlag:
    require_role(actor, bank, *FLAG_READERS, doing="read the statistics review queue")
    flag = db.session.get(ReviewFlag, flag_id)
    if flag is None or flag.bank_id != bank.id:
        raise NotFound(f"bank {bank.code} has no review flag {flag_id}")
    return flag


def decide_flag(flag: ReviewFlag, *, actor: User, decision: Any, reason: Any) -> ReviewFlag:
    """Decide an open flag: ``keep``, ``revise`` or ``retire`` (bank admins), with a
    reason. The caller commits."""
    bank = flag.item.bank
    if decision == "retire":
        require_role(actor, bank, Role.BANK_ADMIN, doing="retire items")
    else:
        require_role(actor, bank, Role.REVIEWER, Role.BANK_ADMIN, doing="decide review flags")
    if decision not in DECISIONS:
        raise InvalidInput(
            f"decision must be one of {', '.join(DECISIONS)}",
            [
                {
                    "field": "decision",
                    "message": "Keputusan harus keep, revise atau retire.",
                    "message_en": "The decision must be keep, revise or retire.",
                }
            ],
        )
    text = reason.strip() if isinstance(reason, str) else ""
    if not text or len(text) > 2000:
        raise InvalidInput(
            "say why (a reason of at most 2000 characters)",
            [
                {
                    "field": "reason",
                    "message": "Alasan wajib diisi, paling banyak 2000 karakter.",
                    "message_en": "A reason is required, at most 2000 characters.",
                }
            ],
        )
    locked = db.session.scalar(
        sa.select(ReviewFlag).where(ReviewFlag.id == flag.id).with_for_update()
    )
    assert locked is not None
    db.session.refresh(flag)
    if flag.status != "open":
        raise Conflict(
            f"flag {flag.id} was decided already ({flag.status})", status_now=flag.status
        )
    if decision == "retire" and not flag.item.is_retired:
        from itembank.operations.reviews import retire_item

        retire_item(flag.item, actor=actor, reason=text)
    flag.status = decision
    flag.reason = text
    flag.decided_by_id = actor.id
    flag.decided_at = utcnow()
    record(
        "statistics.flag_decided",
        actor=actor,
        version=flag.version,
        to_status=decision,
        reason=text,
        flag=flag.id,
        codes=flag.codes,
    )
    db.session.flush()
    return flag
