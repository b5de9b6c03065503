"""Exporting a locked test form: the package a delivery system imports, and its answer key.

:func:`export_form` reads the form's pinned versions, turns each into a QTI item through
its item type (``ItemType.qti_item``), collects the bank images they show, and hands
that plain data to an exporter plugin (``qti3``, ``qti21``, or a third party's). The
exporter validates what it writes and refuses to return a package that fails, so a
package either is valid or does not exist. The form is then marked exported, with the
package's SHA-256 in the audit trail.

A locked form never changes, but the bank around it does: an item can be retired after
the form was locked ("exposed on social media"), two of its items marked as enemies, an
item type's plugin unloaded. So every export checks the form's validation report again
(:func:`itembank.operations.form_report.build_report`) and is refused
(:class:`~itembank.operations.forms.FormInvalid`, ``form_invalid``, with the
``findings``) while it has errors. A bank admin may export it anyway with ``force``; the
export's audit event then records ``forced`` and the findings it overrode.

The same form exports to the same bytes every time: items, sections and media come in
the form's order, and the QTI exporter zips deterministically.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from itembank.access import require_role
from itembank.answer_key import answer_key_csv, build_answer_key, qti_item_identifier
from itembank.errors import Conflict, InvalidInput, PermissionDenied
from itembank.extensions import db
from itembank.itemtypes import ExportNotSupported
from itembank.models import Form, FormEntry, Item, ItemVersion, MediaBlob, Role, User
from itembank.models.forms import FormStatus
from itembank.operations.blueprints import ASSEMBLY_ROLES
from itembank.operations.form_report import Finding, build_report, load_form_entries
from itembank.operations.forms import FormInvalid, mark_exported
from itembank.plugins import PluginHost
from itembank.sanitize import html_to_xhtml, media_references
from qti.package import (
    Classification,
    PackageItem,
    PackageSection,
    PackageStimulus,
    PackageTest,
)

__all__ = ["ExportResult", "build_form_package", "export_form", "package_version"]


@dataclass(frozen=True)
class ExportResult:
    """One export: the package and the answer key that goes beside it."""

    form: str
    exporter: str
    filename: str
    media_type: str
    data: bytes
    sha256: str
    answer_key_json: bytes
    answer_key_csv: bytes
    #: The validation report's errors a bank admin exported the form despite (``force``).
    forced: tuple[dict[str, Any], ...] = ()


class ExportFailed(Conflict):
    """The exporter refused the form (an item it cannot write, a document that fails
    validation); ``issues`` says what and where."""

    code = "export_failed"


def exporter_for(plugins: PluginHost, exporter_id: str) -> Any:
    """The exporter ``exporter_id``; :class:`InvalidInput` naming the known ones."""
    exporter = plugins.exporters.get(exporter_id)
    if exporter is None:
        known = ", ".join(sorted(plugins.exporters)) or "none"
        raise InvalidInput(
            f"no exporter {exporter_id!r}; available: {known}",
            [
                {
                    "field": "format",
                    "message": f"Format ekspor '{exporter_id}' tidak dikenal. Pilihan: {known}.",
                    "message_en": f"Unknown export format '{exporter_id}'. Choose: {known}.",
                }
            ],
        )
    return exporter


def export_form(
    form: Form,
    *,
    exporter_id: str,
    actor: User | None,
    plugins: PluginHost,
    force: bool = False,
) -> ExportResult:
    """Export a locked (or already exported) form with the exporter ``exporter_id``.

    Assemblers and bank admins only (``actor`` None: the server's operator, from the
    CLI). Records ``form.export`` with the package's SHA-256; the caller commits.

    :param force: export even though the form's validation report has errors (a retired
        item, a version no longer approved, ...). Only a bank admin (or a global admin)
        named as ``actor`` may; the audit event records ``forced`` and the findings.
        Without errors it changes nothing.
    :raises FormInvalid: the report has errors and ``force`` is not given (``findings``
        lists them).
    :raises PermissionDenied: ``force`` by anyone but a bank admin, when it would matter.
    """
    if actor is not None:
        require_role(actor, form.bank, *ASSEMBLY_ROLES, doing="export test forms")
    if form.status == FormStatus.DRAFT.value:
        raise Conflict(
            f"form {form.external_id} is a draft: only locked forms export; lock it first",
            status_now=form.status,
        )
    exporter = exporter_for(plugins, exporter_id)
    entries = load_form_entries(form)  # read once for the report and the package
    overridden = _errors_to_override(form, actor, plugins, force=force, entries=entries)
    test, items, media = build_form_package(form, plugins, entries=entries)
    try:
        data = exporter.export(test, items, media)
    except ValueError as exc:
        raise ExportFailed(
            f"{exporter.id} cannot export form {form.external_id}: {exc}",
            issues=str(exc).splitlines()[:200],
        ) from None
    sha256 = hashlib.sha256(data).hexdigest()
    forced = tuple(asdict(f) for f in overridden)
    mark_exported(form, sha256, exporter.id, actor=actor, forced_over=list(forced) or None)
    # Read again: mark_exported locks the form and expires what it had loaded, and one
    # bulk read is far cheaper than refreshing each entry on first touch.
    key = build_answer_key(form, plugins)
    return ExportResult(
        form=form.external_id,
        exporter=exporter.id,
        filename=f"{form.external_id}-{exporter.id}.{exporter.file_extension}",
        media_type=exporter.media_type,
        data=data,
        sha256=sha256,
        answer_key_json=(
            json.dumps(
                {**key, "package": {"format": exporter.id, "sha256": sha256}},
                ensure_ascii=False,
                indent=2,
                sort_keys=True,
            )
            + "\n"
        ).encode("utf-8"),
        answer_key_csv=answer_key_csv(key).encode("utf-8"),
        forced=forced,
    )


def _errors_to_override(
    form: Form,
    actor: User | None,
    plugins: PluginHost,
    *,
    force: bool,
    entries: list[FormEntry],
) -> list[Finding]:
    """The validation report's errors the export goes ahead despite: none, or (with
    ``force`` by a bank admin) all of them; otherwise :class:`FormInvalid`."""
    errors = build_report(form, plugins, entries=entries).errors
    if not errors:
        return []
    if not force:
        first = errors[0]
        raise FormInvalid(
            f"form {form.external_id} has {len(errors)} error(s) in its validation report "
            f"and is not exported; first: {first.message_en} (a bank admin may export it "
            "anyway with force, which the audit trail records)",
            findings=[asdict(f) for f in errors],
        )
    if actor is None:
        raise PermissionDenied(
            "exporting a form whose validation report has errors must name the bank admin "
            "who decides it (--user)"
        )
    require_role(
        actor,
        form.bank,
        Role.BANK_ADMIN,
        doing="export a form whose validation report has errors",
    )
    return errors


def build_form_package(
    form: Form, plugins: PluginHost, *, entries: list[FormEntry] | None = None
) -> tuple[PackageTest, list[PackageItem], dict[str, bytes]]:
    """The exporter's input for ``form``: the test, its items and their images (no role
    check and no audit: :func:`export_form` does both); ``entries`` as
    :func:`~itembank.operations.form_report.build_report` takes them."""
    entries = load_form_entries(form) if entries is None else entries
    sections: dict[int, list[str]] = {}
    titles: dict[int, str] = {}
    items: list[PackageItem] = []
    wanted_media: set[str] = set()
    for entry in entries:
        package_item = _package_item(form, entry, plugins)
        items.append(package_item)
        position = entry.section.position
        sections.setdefault(position, []).append(package_item.item.identifier)
        titles[position] = entry.section.title
        wanted_media |= version_media(entry.version, plugins.item_types[entry.item.item_type])
    test = PackageTest(
        identifier=qti_test_identifier(form.external_id),
        title=form.title,
        sections=tuple(
            PackageSection(
                identifier=f"S{position}", title=titles[position], items=tuple(sections[position])
            )
            for position in sorted(sections)
        ),
        time_limit=(form.blueprint.time_limit_minutes * 60)
        if form.blueprint.time_limit_minutes
        else None,
    )
    return test, items, _media(sorted(wanted_media))


def qti_test_identifier(external_id: str) -> str:
    """The assessment test's identifier: ``T-`` + the form's id (``T-CACT-DEMO-F001``)."""
    return "T-" + "".join(c if c.isalnum() or c in "._-" else "_" for c in external_id)


def _package_item(form: Form, entry: FormEntry, plugins: PluginHost) -> PackageItem:
    return package_version(entry.item, entry.version, plugins, bank_language=form.bank.language)


def package_version(
    item: Item, version: ItemVersion, plugins: PluginHost, *, bank_language: str | None
) -> PackageItem:
    """One version as a package item (:class:`ExportFailed` if its type cannot be
    written): the QTI item, its identifiers and its classifications."""
    item_type = plugins.item_types.get(item.item_type)
    if item_type is None:
        raise ExportFailed(
            f"item {item.external_id} is of type {item.item_type!r}, whose plugin is not loaded"
        )
    meta: dict[str, Any] = version.meta or {}
    try:
        qti_item = item_type.qti_item(
            version.stem,
            version.content,
            identifier=qti_item_identifier(item.external_id, version.number),
            title=item.external_id,
            lang=str(meta.get("language") or bank_language or "id"),
        )
    except ExportNotSupported as exc:
        raise ExportFailed(f"item {item.external_id} v{version.number}: {exc}") from None
    classifications = tuple(
        Classification(
            taxonomy=c.node.taxonomy.code,
            node=c.node.code,
            node_name=(c.node.name or {}).get("id", ""),
            level=c.level,
        )
        for c in sorted(
            version.classifications, key=lambda c: (c.node.taxonomy.code, c.node.path, c.level or 0)
        )
    )
    return PackageItem(
        item=qti_item,
        bank_item_id=item.external_id,
        version=version.number,
        classifications=classifications,
        stimulus=package_stimulus(version, lang=qti_item.lang),
    )


def qti_stimulus_identifier(external_id: str, number: int) -> str:
    """The QTI identifier of a passage version: ``S-<passage id>-V<version>``."""
    return f"S-{external_id}-V{number}"


def package_stimulus(version: ItemVersion, *, lang: str) -> PackageStimulus | None:
    """The passage ``version`` pins, as the package's stimulus (``None`` without one).
    Its identifier names the passage version, so every item of a set pinning the same
    version shares one stimulus."""
    pinned = version.passage_version
    if pinned is None:
        return None
    passage = pinned.passage
    return PackageStimulus(
        identifier=qti_stimulus_identifier(passage.external_id, pinned.number),
        title=pinned.title or passage.external_id,
        body=html_to_xhtml(pinned.body),
        lang=lang,
        bank_passage_id=passage.external_id,
        version=pinned.number,
    )


def version_media(version: ItemVersion, item_type: Any) -> set[str]:
    """The images a version shows: its stem's, its content's and its passage's."""
    found = media_references(version.stem)
    for _, html in item_type.html_fields(version.content):
        found |= media_references(html)
    if version.passage_version is not None:
        found |= media_references(version.passage_version.body)
    return found


def _media(hashes: list[str]) -> dict[str, bytes]:
    if not hashes:
        return {}
    rows = db.session.execute(
        sa.select(MediaBlob.sha256, MediaBlob.data).where(MediaBlob.sha256.in_(hashes))
    ).all()
    return {sha: bytes(data) for sha, data in rows}
