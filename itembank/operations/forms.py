"""Test forms (paket soal): create, pin entries, lock, clone, mark exported.

Lifecycle ``draft → locked → exported``. Only a draft changes: entries are added
(approved versions only, pinned: a newer approved version never replaces them
silently), removed, moved, re-pinned and reordered. Locking checks the validation
report (:mod:`itembank.operations.form_report`) and is refused while it has errors;
warnings are allowed and recorded in the lock's audit event. A locked form never
changes (the operations refuse, and database triggers too); a new draft can be cloned
from any form. ``mark_exported`` records each export of a locked form with its
package's SHA-256 (and, for an export a bank admin forced over the report's errors,
those errors). Moving, reordering and removing a draft's entries are in
:mod:`itembank.operations.form_order`.

Assemblers and bank admins see and write forms; other members of the bank are refused
(a form's make-up is as secret as its items). Every change is an audit event; every
edit takes the form's row lock first, so concurrent edits are serialised, and accepts
the revision it was based on (a stale one is refused, naming who changed the form).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from itembank.access import require_role
from itembank.audit import record
from itembank.errors import Conflict, InvalidInput, NotFound, StaleEdit
from itembank.extensions import db
from itembank.models import (
    Bank,
    Blueprint,
    Form,
    FormEntry,
    FormSection,
    FormStatus,
    ItemVersion,
    User,
)
from itembank.models._types import utcnow
from itembank.operations.blueprints import ASSEMBLY_ROLES
from itembank.operations.form_report import Report, build_report, fits_row, match_rows
from itembank.operations.form_sets import set_anchor
from itembank.plugins import PluginHost
from itembank.workflow import Status

log = logging.getLogger(__name__)

SHA256_RE = re.compile(r"[0-9a-f]{64}")
#: Item and form identifiers (``CACT-DEMO-000123``, ``CACT-DEMO-F001``).
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EXTERNAL_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
FORMAT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class FormLocked(Conflict):
    """The form is not a draft any more."""

    code = "form_locked"


class ConcurrentEdit(Conflict):
    """The database refused a draft edit because another request changed the same
    rows at the same moment (a safety net: edits are serialised by the form's row lock,
    so this should not happen); nothing was applied."""

    code = "concurrent_edit"


class FormInvalid(Conflict):
    """Locking or exporting refused: the validation report has errors (``findings``
    lists them)."""

    code = "form_invalid"


def form_problem(field: str, message: str, message_en: str) -> InvalidInput:
    """One problem with ``field``, to raise."""
    return InvalidInput(
        message_en, [{"field": field, "message": message, "message_en": message_en}]
    )


def _title(title: Any) -> str:
    if (
        not isinstance(title, str)
        or not title.strip()
        or len(title.strip()) > 200
        or CONTROL_RE.search(title)
    ):
        raise form_problem(
            "title",
            "Judul paket wajib diisi, paling banyak 200 karakter.",
            "The form's title is required, at most 200 characters.",
        )
    return title.strip()


# -- reading -------------------------------------------------------------------------------


def get_form(external_id: str, *, actor: User) -> Form:
    """The form if ``actor`` assembles in its bank: NotFound for non-members,
    PermissionDenied for members with another role."""
    key = (external_id or "").strip().upper()
    form = None
    if EXTERNAL_ID_RE.fullmatch(key):
        form = db.session.scalars(sa.select(Form).where(Form.external_id == key)).first()
    if form is None:
        raise NotFound(f"no form {external_id!r}")
    try:
        require_role(actor, form.bank, *ASSEMBLY_ROLES, doing="see test forms")
    except NotFound:
        raise NotFound(f"no form {external_id!r}") from None
    return form


def list_forms(bank: Bank, *, actor: User, status: str | None = None) -> list[Form]:
    require_role(actor, bank, *ASSEMBLY_ROLES, doing="see test forms")
    query = sa.select(Form).where(Form.bank_id == bank.id)
    if status:
        query = query.where(Form.status == status)
    return list(db.session.scalars(query.order_by(Form.number)))


def entry_counts(forms: list[Form]) -> dict[int, int]:
    if not forms:
        return {}
    rows = db.session.execute(
        sa.select(FormEntry.form_id, sa.func.count(FormEntry.id))
        .where(FormEntry.form_id.in_([f.id for f in forms]))
        .group_by(FormEntry.form_id)
    ).all()
    counts = {form_id: int(n) for form_id, n in rows}
    return {f.id: counts.get(f.id, 0) for f in forms}


def get_entry(form: Form, entry_id: int) -> FormEntry:
    entry = db.session.get(FormEntry, entry_id)
    if entry is None or entry.form_id != form.id:
        raise NotFound(f"form {form.external_id} has no entry {entry_id}")
    return entry


def form_report(form: Form, *, actor: User, plugins: PluginHost) -> Report:
    require_role(actor, form.bank, *ASSEMBLY_ROLES, doing="see test forms")
    return build_report(form, plugins)


# -- creating ------------------------------------------------------------------------------


def _next_number(bank: Bank) -> int:
    # The bank's row lock serialises numbering of concurrent creations.
    db.session.execute(sa.select(Bank.id).where(Bank.id == bank.id).with_for_update())
    current = db.session.scalar(sa.select(sa.func.max(Form.number)).where(Form.bank_id == bank.id))
    return int(current or 0) + 1


def _new_form(bank: Bank, blueprint: Blueprint, title: str, actor: User) -> Form:
    number = _next_number(bank)
    now = utcnow()
    form = Form(
        bank=bank,
        number=number,
        external_id=f"{bank.code}-F{number:03d}",
        blueprint=blueprint,
        title=title,
        status=FormStatus.DRAFT.value,
        created_by_id=actor.id,
        created_at=now,
        updated_by_id=actor.id,
        updated_at=now,
    )
    for section in blueprint.sections:
        form.sections.append(
            FormSection(position=section.position, title=section.title, blueprint_section=section)
        )
    db.session.add(form)
    return form


def create_form(bank: Bank, blueprint: Blueprint, *, title: Any, actor: User) -> Form:
    """A new, empty draft form against ``blueprint``, with the blueprint's sections."""
    require_role(actor, bank, *ASSEMBLY_ROLES, doing="make test forms")
    if blueprint.bank_id != bank.id:
        raise NotFound(f"bank {bank.code} has no blueprint {blueprint.code!r}")
    form = _new_form(bank, blueprint, _title(title), actor)
    db.session.flush()
    record(
        "form.create",
        actor=actor,
        bank=bank,
        object_type="form",
        object_id=form.external_id,
        to_status=form.status,
        blueprint=blueprint.code,
    )
    return form


def clone_form(form: Form, *, actor: User, title: Any = None) -> Form:
    """A new draft with the same blueprint, sections and pinned versions as ``form``
    (in any state). Nothing is re-pinned: the new form's report says what changed."""
    bank = form.bank
    require_role(actor, bank, *ASSEMBLY_ROLES, doing="make test forms")
    # A shared lock: the source's entries do not change while they are copied, and a
    # draft deleted meanwhile is NotFound rather than a broken reference.
    form = _locked_form(form.id, form.external_id, read=True)
    new_title = _title(title) if title is not None else _title(f"{form.title} (salinan)"[:200])
    clone = _new_form(bank, form.blueprint, new_title, actor)
    clone.cloned_from = form
    db.session.flush()
    sections = {s.position: s for s in clone.sections}
    now = utcnow()
    for source in form.sections:
        for entry in source.entries:
            sections[source.position].entries.append(
                FormEntry(
                    form_id=clone.id,
                    position=entry.position,
                    item_id=entry.item_id,
                    item_version_id=entry.item_version_id,
                    added_by_id=actor.id,
                    added_at=now,
                )
            )
    db.session.flush()
    record(
        "form.clone",
        actor=actor,
        bank=bank,
        object_type="form",
        object_id=clone.external_id,
        to_status=clone.status,
        cloned_from=form.external_id,
        entries=len(clone.entries),
    )
    return clone


# -- editing a draft -----------------------------------------------------------------------


P = ParamSpec("P")
R = TypeVar("R")


def draft_edit(operation: Callable[P, R]) -> Callable[P, R]:
    """Decorate an operation that changes a draft form or its entries: a write the
    database refuses because of a concurrent change (a unique position taken, a row
    gone: ``IntegrityError``, ``StaleDataError``) is rolled back and becomes
    :class:`ConcurrentEdit` (409) instead of an unexplained failure."""

    @functools.wraps(operation)
    def edit(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return operation(*args, **kwargs)
        except (IntegrityError, StaleDataError) as exc:
            db.session.rollback()
            # Logged: with the lock taken first this means a change that bypassed it.
            log.warning("%s refused by the database: %s", operation.__name__, exc)
            raise ConcurrentEdit(
                "this form was changed by someone else at the same moment and nothing was "
                "applied; reload it and try again"
            ) from None

    return edit


def _locked_form(form_id: int, external_id: str, *, read: bool = False) -> Form:
    """The form reloaded under its row lock (``read``: a shared lock), and every section
    and entry this session read before the lock forgotten, so what the caller reads
    next is what other requests committed before the lock was granted (they hold the
    same lock while they change them). NotFound if the form was deleted meanwhile."""
    db.session.flush()
    form = db.session.scalars(
        sa.select(Form)
        .where(Form.id == form_id)
        .with_for_update(read=read)
        .execution_options(populate_existing=True)
    ).first()
    if form is None:
        raise NotFound(f"no form {external_id!r}")
    for instance in list(db.session.identity_map.values()):
        if isinstance(instance, (FormSection, FormEntry)):
            db.session.expire(instance)
    return form


def editable_draft(form: Form, actor: User, base_revision: int | None) -> Form:
    """``form`` reloaded under its row lock, if ``actor`` may edit it, it is a draft and
    ``base_revision`` (when given) is its current revision. Every edit of a draft
    starts here, so concurrent edits of one form are serialised and each reads the
    form's sections and entries as the previous one left them."""
    require_role(actor, form.bank, *ASSEMBLY_ROLES, doing="edit test forms")
    form = _locked_form(form.id, form.external_id)
    if form.status != FormStatus.DRAFT.value:
        raise FormLocked(
            f"form {form.external_id} is {form.status}: a locked form never changes; clone it "
            "to make a new draft",
            status_now=form.status,
        )
    if base_revision is not None and base_revision != form.revision:
        raise StaleEdit(
            base_revision=base_revision,
            current_revision=form.revision,
            changed_by=form.updated_by.username,
            changed_at=form.updated_at,
        )
    return form


def editable_entry(
    entry: FormEntry, actor: User, base_revision: int | None
) -> tuple[Form, FormEntry]:
    """The entry's form as :func:`editable_draft` gives it, and the entry read again
    under the form's lock: NotFound if another request removed it meanwhile."""
    entry_id = entry.id
    form = db.session.get(Form, entry.form_id)
    if form is None:
        raise NotFound(f"no entry {entry_id}")
    form = editable_draft(form, actor, base_revision)
    current = db.session.scalars(
        sa.select(FormEntry).where(FormEntry.id == entry_id, FormEntry.form_id == form.id)
    ).first()
    if current is None:
        raise NotFound(f"form {form.external_id} has no entry {entry_id} (it was removed)")
    return form, current


def touch_form(form: Form, actor: User) -> None:
    """Record ``actor`` as the form's last editor and flush (the revision goes up)."""
    form.updated_by_id = actor.id
    form.updated_at = utcnow()
    db.session.flush()
    for section in form.sections:  # reload in position order when next read
        db.session.expire(section, ["entries"])


def audit_form(action: str, form: Form, actor: User, **data: Any) -> None:
    """The audit event of a draft edit, with the form's new revision."""
    record(
        action,
        actor=actor,
        bank=form.bank,
        object_type="form",
        object_id=form.external_id,
        revision=form.revision,
        **data,
    )


def section_at(form: Form, position: int) -> FormSection:
    """The form's section at ``position``; :class:`InvalidInput` naming those it has."""
    for section in form.sections:
        if section.position == position:
            return section
    have = ", ".join(str(s.position) for s in form.sections)
    raise form_problem(
        "section",
        f"Paket {form.external_id} tidak punya bagian {position} (yang ada: {have}).",
        f"Form {form.external_id} has no section {position} (it has: {have}).",
    )


def _default_section(form: Form, version: ItemVersion) -> FormSection:
    """The first section with a row the version fits and has room for it, else the first
    section with a row it fits, else the first section."""
    item_type = version.item.item_type
    fitting_somewhere: FormSection | None = None
    for section in form.sections:
        rows = list(section.blueprint_section.rows)
        if not any(fits_row(version, item_type, row) for row in rows):
            continue
        fitting_somewhere = fitting_somewhere or section
        candidates = [(e.version, e.item.item_type) for e in section.entries]
        candidates.append((version, item_type))
        fits = [[i for i, row in enumerate(rows) if fits_row(v, t, row)] for v, t in candidates]
        if len(candidates) - 1 in match_rows(fits, [row.count for row in rows]):
            return section
    return fitting_somewhere or form.sections[0]


def _check_pinnable(form: Form, version: ItemVersion) -> None:
    item = version.item
    if item.bank_id != form.bank_id:
        raise form_problem(
            "item",
            f"Butir {item.external_id} bukan milik bank {form.bank.code}.",
            f"Item {item.external_id} is not in bank {form.bank.code}.",
        )
    if item.is_retired:
        raise form_problem(
            "item",
            f"Butir {item.external_id} sudah dipensiunkan dan tidak dapat dirakit.",
            f"Item {item.external_id} is retired and cannot be assembled.",
        )
    if version.status != Status.APPROVED.value:
        raise form_problem(
            "version",
            f"Versi {version.number} butir {item.external_id} berstatus {version.status}; "
            "hanya versi yang disetujui yang dapat dirakit.",
            f"Version {version.number} of item {item.external_id} is {version.status}; only "
            "approved versions can be assembled.",
        )


@draft_edit
def update_form(form: Form, *, actor: User, title: Any, base_revision: int | None = None) -> Form:
    form = editable_draft(form, actor, base_revision)
    new = _title(title)
    if new == form.title:
        return form
    old, form.title = form.title, new
    touch_form(form, actor)
    audit_form("form.update", form, actor, title=new, previous_title=old)
    return form


@draft_edit
def delete_form(form: Form, *, actor: User, base_revision: int | None = None) -> None:
    """Delete a draft. Forms cloned from it are kept: they stop pointing at it (their
    ``form.clone`` audit events still name it), and the deletion's audit event lists
    them."""
    form = editable_draft(form, actor, base_revision)
    external_id = form.external_id
    bank = form.bank
    clones = list(
        db.session.scalars(
            sa.select(Form.external_id).where(Form.cloned_from_id == form.id).order_by(Form.id)
        )
    )
    if clones:
        # A plain UPDATE: losing the link is no edit of the clone (its revision, ETag and
        # last editor stay); the database allows it for locked clones too.
        db.session.execute(
            sa.update(Form.__table__)
            .where(Form.__table__.c.cloned_from_id == form.id)
            .values(cloned_from_id=None)
        )
        for instance in list(db.session.identity_map.values()):
            if isinstance(instance, Form) and instance.external_id in clones:
                db.session.expire(instance, ["cloned_from_id", "cloned_from"])
    db.session.delete(form)
    db.session.flush()
    record(
        "form.delete",
        actor=actor,
        bank=bank,
        object_type="form",
        object_id=external_id,
        **({"clones": clones} if clones else {}),
    )


@draft_edit
def add_entry(
    form: Form,
    version: ItemVersion,
    *,
    actor: User,
    section: int | None = None,
    position: int | None = None,
    base_revision: int | None = None,
) -> FormEntry:
    """Pin ``version`` (approved) into the form: into section ``section`` (by default
    the first whose blueprint rows it fits with room) at ``position`` (1-based within
    the section; by default at its end). An item of a passage's set whose set is in the
    form already joins it by default: right after the set's last entry."""
    form = editable_draft(form, actor, base_revision)
    _check_pinnable(form, version)
    anchor = set_anchor(form, version) if section is None and position is None else None
    if anchor is not None:
        target, position = anchor.section, anchor.position + 1
    elif section is not None:
        target = section_at(form, section)
    else:
        target = _default_section(form, version)
    entries = list(target.entries)
    if position is None:
        position = len(entries) + 1
    if not 1 <= position <= len(entries) + 1:
        raise form_problem(
            "position",
            f"Posisi harus 1 sampai {len(entries) + 1}.",
            f"The position must be 1 to {len(entries) + 1}.",
        )
    for entry in entries:
        entry.position = -entry.id
    db.session.flush()
    new = FormEntry(
        form_id=form.id,
        item=version.item,
        version=version,
        position=0,
        added_by_id=actor.id,
        added_at=utcnow(),
    )
    entries.insert(position - 1, new)
    target.entries.append(new)
    for index, entry in enumerate(entries, start=1):
        entry.position = index
    touch_form(form, actor)
    audit_form(
        "form.entry_add",
        form,
        actor,
        version=version,
        entry=new.id,
        section=target.position,
        position=position,
    )
    return new


@draft_edit
def add_entries(
    form: Form,
    sections: list[list[ItemVersion]],
    *,
    actor: User,
    via: str = "",
    base_revision: int | None = None,
) -> list[FormEntry]:
    """Pin many approved versions at once: ``sections[k]`` is appended, in order, to
    the form's section ``k + 1``. The same checks as :func:`add_entry` for every version
    (one refusal refuses all), one flush and one audit event (``form.entries_add``,
    naming each version) instead of one per entry."""
    form = editable_draft(form, actor, base_revision)
    if len(sections) > len(form.sections):
        raise form_problem(
            "section",
            f"Paket {form.external_id} hanya punya {len(form.sections)} bagian.",
            f"Form {form.external_id} has only {len(form.sections)} sections.",
        )
    added: list[FormEntry] = []
    now = utcnow()
    for target, versions in zip(form.sections, sections, strict=False):
        position = len(target.entries)
        for version in versions:
            _check_pinnable(form, version)
            position += 1
            entry = FormEntry(
                form_id=form.id,
                item_id=version.item_id,
                item_version_id=version.id,
                position=position,
                added_by_id=actor.id,
                added_at=now,
            )
            target.entries.append(entry)
            added.append(entry)
    touch_form(form, actor)
    audit_form(
        "form.entries_add",
        form,
        actor,
        via=via,
        entries=len(added),
        versions=[[v.item.external_id, v.number] for versions in sections for v in versions],
    )
    return added


@draft_edit
def repin_entry(
    entry: FormEntry,
    *,
    actor: User,
    version: ItemVersion | None = None,
    base_revision: int | None = None,
) -> FormEntry:
    """Pin another approved version of the entry's item (by default the newest)."""
    form, entry = editable_entry(entry, actor, base_revision)
    item = entry.item
    target = version if version is not None else item.approved_version
    if target is None or target.item_id != item.id:
        raise form_problem(
            "version",
            f"Butir {item.external_id} tidak punya versi itu yang disetujui.",
            f"Item {item.external_id} has no such approved version.",
        )
    _check_pinnable(form, target)
    if target.id == entry.item_version_id:
        return entry
    old = entry.version.number
    entry.version = target
    touch_form(form, actor)
    audit_form(
        "form.entry_repin",
        form,
        actor,
        version=target,
        entry=entry.id,
        from_version=old,
    )
    return entry


# -- lock and export -----------------------------------------------------------------------


@draft_edit
def lock_form(form: Form, *, actor: User, plugins: PluginHost) -> Report:
    """Lock a draft whose report has no errors; from now on it never changes. Returns the
    report it was locked with (its warnings are recorded in the audit event)."""
    form = editable_draft(form, actor, None)
    report = build_report(form, plugins)
    if report.errors:
        first = report.errors[0]
        raise FormInvalid(
            f"form {form.external_id} has {len(report.errors)} error(s) and cannot be locked; "
            f"first: {first.message_en}",
            findings=[f.__dict__ for f in report.errors],
        )
    form.status = FormStatus.LOCKED.value
    form.locked_by_id = actor.id
    form.locked_at = utcnow()
    touch_form(form, actor)
    record(
        "form.lock",
        actor=actor,
        bank=form.bank,
        object_type="form",
        object_id=form.external_id,
        from_status=FormStatus.DRAFT.value,
        to_status=FormStatus.LOCKED.value,
        warnings=[f.code for f in report.warnings],
        entries=[[e["item"], e["version"]] for e in report.entries],
    )
    report.status = form.status
    return report


def mark_exported(
    form: Form,
    package_sha256: str,
    format: str,
    *,
    actor: User | None,
    forced_over: list[dict[str, Any]] | None = None,
) -> Form:
    """Record that a package of this locked (or already exported) form was produced.
    Every export is an audit event with the package's SHA-256 and format. ``actor`` is
    None for the server's operator (the CLI without ``--user``). ``forced_over``: the
    report's errors a bank admin exported the form despite (recorded in the event as
    ``forced`` and ``findings``; see :func:`itembank.operations.export.export_form`)."""
    if actor is not None:
        require_role(actor, form.bank, *ASSEMBLY_ROLES, doing="export test forms")
    if not isinstance(package_sha256, str) or not SHA256_RE.fullmatch(package_sha256):
        raise form_problem(
            "package_sha256",
            "SHA-256 paket harus 64 digit heksadesimal huruf kecil.",
            "The package SHA-256 must be 64 lowercase hexadecimal digits.",
        )
    if not isinstance(format, str) or not FORMAT_RE.fullmatch(format):
        raise form_problem("format", "Format ekspor tidak valid.", "The export format is invalid.")
    form = _locked_form(form.id, form.external_id)
    if form.status == FormStatus.DRAFT.value:
        raise Conflict(
            f"form {form.external_id} is a draft: only locked forms export; lock it first",
            status_now=form.status,
        )
    source = form.status
    now = utcnow()
    form.status = FormStatus.EXPORTED.value
    if form.exported_at is None:
        form.exported_at = now
        form.exported_by_id = actor.id if actor is not None else None
    form.package_sha256 = package_sha256
    form.updated_at = now
    if actor is not None:
        form.updated_by_id = actor.id
    db.session.flush()
    record(
        "form.export",
        actor=actor,
        bank=form.bank,
        object_type="form",
        object_id=form.external_id,
        from_status=source,
        to_status=form.status,
        package_sha256=package_sha256,
        format=format,
        **({"forced": True, "findings": forced_over} if forced_over else {}),
    )
    return form
