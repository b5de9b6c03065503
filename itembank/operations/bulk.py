"""Bulk actions on items: one action applied to many items, each under its own rules.

An action (submit, tag, classify, retire, add to a form) runs item by item through the
same operation a single item goes through (:func:`~itembank.operations.reviews.submit_version`,
:func:`~itembank.operations.items.update_draft`, ...), with that operation's role and
workflow checks. Each item is its own transaction: an item that is refused (not a draft,
not yours to retire, already on the form) is rolled back alone and reported, and the
items done before and after it stay done. The result says per item what happened.

Items are chosen by their identifiers or by the item listing's filters
(:func:`itembank.operations.reads.list_items`); either way at most :data:`BULK_LIMIT`
items per action, and a selection beyond it is refused as a whole (narrow the filters)
rather than cut silently. The action as a whole is recorded as ``items.bulk`` with its
counts, besides each item's own audit events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from itembank.access import ensure_visible
from itembank.audit import record
from itembank.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from itembank.extensions import db
from itembank.models import Bank, FormEntry, Item, User
from itembank.operations import reads
from itembank.operations.forms import add_entry, get_form
from itembank.operations.items import update_draft
from itembank.operations.reviews import MAX_COMMENT_CHARS, retire_item, submit_version
from itembank.plugins import PluginHost
from itembank.workflow import Status

#: Most items one bulk action takes (by identifiers or by filters).
BULK_LIMIT = 1000
ACTIONS = ("submit", "tag", "classify", "retire", "add_to_form")
MAX_TAGS = 30
MAX_TAG_CHARS = 50

DONE, UNCHANGED, REFUSED = "done", "unchanged", "refused"

#: What each kind of refusal is called, in Indonesian first.
_REFUSAL_LEAD = {
    NotFound: ("Tidak ditemukan", "Not found"),
    PermissionDenied: ("Tidak diizinkan", "Not allowed"),
    InvalidInput: ("Isian tidak valid", "Invalid input"),
    Conflict: ("Tidak dapat dilakukan", "Cannot be done"),
}


def _problem(field_name: str, message: str, message_en: str) -> InvalidInput:
    return InvalidInput(
        message_en, [{"field": field_name, "message": message, "message_en": message_en}]
    )


@dataclass
class Outcome:
    """What happened to one item: ``done``, ``unchanged`` (nothing to do) or ``refused``."""

    item: str
    outcome: str
    message: str = ""
    message_en: str = ""
    error: str | None = None


@dataclass
class BulkResult:
    action: str
    results: list[Outcome] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {DONE: 0, UNCHANGED: 0, REFUSED: 0}
        for outcome in self.results:
            counts[outcome.outcome] += 1
        return counts

    @property
    def total(self) -> int:
        return len(self.results)


# -- choosing the items ------------------------------------------------------------------------


def select_items(
    bank: Bank,
    *,
    actor: User,
    ids: list[str] | None = None,
    filters: reads.ItemFilters | None = None,
) -> list[str]:
    """The identifiers an action applies to: ``ids`` (duplicates dropped, order kept) or
    every item the listing shows ``actor`` with ``filters`` (in the listing's order).
    Refuses an empty selection and one of more than :data:`BULK_LIMIT` items."""
    ensure_visible(actor, bank)
    if (ids is None) == (filters is None):
        raise _problem(
            "items",
            "Pilih butir soal atau gunakan filter daftar, salah satu saja.",
            "Give either the items or the listing's filters, not both.",
        )
    if ids is not None:
        chosen = list(dict.fromkeys(i.strip().upper() for i in ids if i and i.strip()))
        if len(chosen) > BULK_LIMIT:
            raise _problem(
                "items",
                f"Paling banyak {BULK_LIMIT} butir per tindakan; dipilih {len(chosen)}.",
                f"At most {BULK_LIMIT} items per action; {len(chosen)} were chosen.",
            )
    else:
        assert filters is not None
        filters.page, filters.per_page = 1, BULK_LIMIT
        listing = reads.list_items(bank, filters, actor=actor)
        if listing["total"] > BULK_LIMIT or not listing["total_exact"]:
            more = "" if listing["total_exact"] else "lebih dari "
            more_en = "" if listing["total_exact"] else "more than "
            raise _problem(
                "filters",
                f"Filter ini cocok dengan {more}{listing['total']} butir; paling banyak "
                f"{BULK_LIMIT} per tindakan. Persempit filternya.",
                f"These filters match {more_en}{listing['total']} items; at most {BULK_LIMIT} "
                "per action. Narrow the filters.",
            )
        chosen = [row["external_id"] for row in listing["items"]]
    if not chosen:
        raise _problem("items", "Tidak ada butir yang dipilih.", "No items were chosen.")
    return chosen


# -- the action's parameters ---------------------------------------------------------------------


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise _problem("tags", "Label harus berupa daftar teks.", "Tags must be a list of text.")
    tags = list(dict.fromkeys(t.strip() for t in value if t.strip()))
    if not tags:
        raise _problem("tags", "Tuliskan minimal satu label.", "Give at least one tag.")
    if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG_CHARS for t in tags):
        raise _problem(
            "tags",
            f"Paling banyak {MAX_TAGS} label, masing-masing paling panjang {MAX_TAG_CHARS} "
            "karakter.",
            f"At most {MAX_TAGS} tags of at most {MAX_TAG_CHARS} characters each.",
        )
    return tags


def _classification(params: dict[str, Any]) -> dict[str, Any]:
    node = params.get("node")
    taxonomy = params.get("taxonomy")
    if isinstance(node, str) and ":" in node and not taxonomy:
        taxonomy, _sep, node = node.partition(":")
    if not isinstance(taxonomy, str) or not taxonomy.strip():
        raise _problem("taxonomy", "Pilih taksonomi.", "Choose a taxonomy.")
    if not isinstance(node, str) or not node.strip():
        raise _problem("node", "Pilih kode klasifikasi.", "Choose a classification node.")
    level = params.get("level")
    if level in ("", None):
        level = None
    else:
        try:
            level = int(level)
        except (TypeError, ValueError):
            level = 0
        if not 1 <= level <= 10:
            raise _problem("level", "Level harus 1 sampai 10.", "The level must be 1 to 10.")
    return {"taxonomy": taxonomy.strip(), "node": node.strip(), "level": level}


def _reason(value: Any) -> str:
    reason = value.strip() if isinstance(value, str) else ""
    if not reason:
        raise _problem("reason", "Alasan wajib diisi.", "A reason is required.")
    if len(reason) > MAX_COMMENT_CHARS:
        raise _problem(
            "reason",
            f"Alasan paling panjang {MAX_COMMENT_CHARS} karakter.",
            f"The reason is longer than {MAX_COMMENT_CHARS} characters.",
        )
    return reason


# -- running ---------------------------------------------------------------------------------


Handler = Callable[[Item], Outcome]


def run_bulk(
    bank: Bank,
    action: str,
    external_ids: list[str],
    *,
    actor: User,
    plugins: PluginHost,
    params: dict[str, Any] | None = None,
) -> BulkResult:
    """Apply ``action`` to each item of ``external_ids`` (from :func:`select_items`).

    Commits after each item (and rolls back a refused one), so what was done stays done
    whatever happens to the next item; records ``items.bulk`` at the end and commits it.

    :param params: ``tag``: ``tags`` (a list, or comma-separated text); ``classify``:
        ``taxonomy``, ``node`` and optionally ``level``; ``retire``: ``reason``;
        ``add_to_form``: ``form`` (the form's identifier); ``submit``: optionally
        ``reason``.
    :raises InvalidInput: an unknown action or missing parameters (nothing is done).
    """
    ensure_visible(actor, bank)
    params = params or {}
    if action not in ACTIONS:
        raise _problem(
            "action",
            f"Tindakan '{action}' tidak dikenal. Pilihan: {', '.join(ACTIONS)}.",
            f"Unknown action '{action}'. Choose: {', '.join(ACTIONS)}.",
        )
    handler = _handler(bank, action, actor=actor, plugins=plugins, params=params)
    result = BulkResult(action=action)
    for external_id in external_ids:
        item = db.session.scalars(
            sa.select(Item).where(Item.external_id == external_id, Item.bank_id == bank.id)
        ).first()
        if item is None or not _visible(item, actor):
            result.results.append(
                refusal(external_id, NotFound(f"no item {external_id!r} in bank {bank.code}"))
            )
            continue
        try:
            outcome = handler(item)
        except DomainError as exc:
            db.session.rollback()
            result.results.append(refusal(external_id, exc))
            continue
        db.session.commit()
        result.results.append(outcome)
    record(
        "items.bulk",
        actor=actor,
        bank=bank,
        object_type="bank",
        object_id=bank.code,
        bulk_action=action,
        items=len(external_ids),
        **result.counts,
        **({"form": params.get("form")} if action == "add_to_form" else {}),
    )
    db.session.commit()
    return result


def _visible(item: Item, actor: User) -> bool:
    """Assemblers act only on items they see (those with an approved version)."""
    try:
        reads.readable_item(item.external_id, actor=actor)
    except NotFound:
        return False
    return True


def refusal(external_id: str, exc: DomainError) -> Outcome:
    lead, lead_en = next(
        (names for kind, names in _REFUSAL_LEAD.items() if isinstance(exc, kind)),
        ("Ditolak", "Refused"),
    )
    problems = getattr(exc, "problems", None) or []
    detail = "; ".join(p.get("message", "") for p in problems if p.get("message"))
    detail_en = "; ".join(p.get("message_en", "") for p in problems if p.get("message_en"))
    return Outcome(
        item=external_id,
        outcome=REFUSED,
        message=f"{lead}: {detail or exc}",
        message_en=f"{lead_en}: {detail_en or exc}",
        error=getattr(exc, "code", None) or type(exc).__name__,
    )


def _handler(
    bank: Bank, action: str, *, actor: User, plugins: PluginHost, params: dict[str, Any]
) -> Handler:
    if action == "submit":
        reason = params.get("reason") or ""
        if not isinstance(reason, str) or len(reason) > MAX_COMMENT_CHARS:
            raise _problem("reason", "Alasan tidak valid.", "The reason is not valid text.")

        def submit(item: Item) -> Outcome:
            version = item.versions[-1]
            submit_version(version, actor=actor, reason=reason)
            return Outcome(
                item.external_id,
                DONE,
                f"Versi {version.number} diajukan untuk ditelaah.",
                f"Version {version.number} submitted for review.",
            )

        return submit

    if action in ("tag", "classify"):
        if action == "tag":
            tags = _tags(params.get("tags"))
        else:
            wanted = _classification(params)

        def change_draft(item: Item) -> Outcome:
            version = item.versions[-1]
            if version.status != Status.DRAFT.value:
                raise Conflict(
                    f"version {version.number} is {version.status}; only a draft changes "
                    "(start a new version first)"
                )
            metadata = dict(version.meta or {})
            if action == "tag":
                have = list(metadata.get("tags") or [])
                new = [t for t in tags if t not in have]
                if not new:
                    return Outcome(
                        item.external_id,
                        UNCHANGED,
                        "Sudah berlabel ini.",
                        "Already has these tags.",
                    )
                metadata["tags"] = have + new
                said = (f"Label ditambahkan: {', '.join(new)}.", f"Tags added: {', '.join(new)}.")
            else:
                have = list(metadata.get("classifications") or [])
                if any(
                    c.get("taxonomy") == wanted["taxonomy"]
                    and c.get("node") == wanted["node"]
                    and c.get("level") == wanted["level"]
                    for c in have
                ):
                    return Outcome(
                        item.external_id,
                        UNCHANGED,
                        "Sudah berklasifikasi ini.",
                        "Already has this classification.",
                    )
                metadata["classifications"] = [*have, wanted]
                said = (
                    f"Klasifikasi {wanted['node']} ditambahkan.",
                    f"Classification {wanted['node']} added.",
                )
            update_draft(
                version,
                actor=actor,
                plugins=plugins,
                base_revision=version.revision,
                metadata=metadata,
            )
            return Outcome(item.external_id, DONE, *said)

        return change_draft

    if action == "retire":
        reason = _reason(params.get("reason"))

        def retire(item: Item) -> Outcome:
            retire_item(item, actor=actor, reason=reason)
            return Outcome(item.external_id, DONE, "Dipensiunkan.", "Retired.")

        return retire

    # add_to_form
    form_id = params.get("form")
    if not isinstance(form_id, str) or not form_id.strip():
        raise _problem("form", "Pilih paket soal.", "Choose a form.")
    form = get_form(form_id.strip(), actor=actor)
    if form.bank_id != bank.id:
        raise _problem(
            "form",
            f"Paket {form.external_id} bukan milik bank {bank.code}.",
            f"Form {form.external_id} is not in bank {bank.code}.",
        )
    form_pk = form.id

    def add(item: Item) -> Outcome:
        current = get_form(form_id.strip(), actor=actor)
        already = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(FormEntry)
            .where(FormEntry.form_id == form_pk, FormEntry.item_id == item.id)
        )
        if already:
            return Outcome(
                item.external_id,
                UNCHANGED,
                f"Sudah ada di paket {current.external_id}.",
                f"Already on form {current.external_id}.",
            )
        version = item.approved_version
        if version is None:
            raise Conflict(f"item {item.external_id} has no approved version to assemble")
        entry = add_entry(current, version, actor=actor)
        return Outcome(
            item.external_id,
            DONE,
            f"Versi {version.number} ditambahkan ke paket {current.external_id} "
            f"(bagian {entry.section.position}).",
            f"Version {version.number} added to form {current.external_id} "
            f"(section {entry.section.position}).",
        )

    return add
