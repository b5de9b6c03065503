"""Reading stored imports and their reports, and import templates."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from itembank.access import ensure_visible, require_role, roles_in
from itembank.csvcells import inert
from itembank.errors import InvalidInput, NotFound
from itembank.extensions import db
from itembank.importing import ImportContext, ImportLimits, TaxonomyListing, Template
from itembank.models import Bank, ImportBatch, Role, TaxonomyNode, TaxonomyRecord, User
from itembank.operations.content import visible_taxonomies
from itembank.plugins import PluginHost


def _sees_all(actor: User, bank: Bank) -> bool:
    return actor.is_admin or Role.BANK_ADMIN in roles_in(actor, bank)


def list_imports(
    bank: Bank, *, actor: User, limit: int = 100, offset: int = 0
) -> list[ImportBatch]:
    """The bank's imports, newest first: all of them for bank admins, an author's own
    for authors."""
    require_role(actor, bank, Role.AUTHOR, Role.BANK_ADMIN, doing="view imports")
    query = sa.select(ImportBatch).where(ImportBatch.bank_id == bank.id)
    if not _sees_all(actor, bank):
        query = query.where(ImportBatch.actor_id == actor.id)
    query = query.order_by(ImportBatch.id.desc()).limit(limit).offset(offset)
    return list(db.session.scalars(query))


def get_import(bank: Bank, batch_id: int, *, actor: User) -> ImportBatch:
    """One import with its report (its author's, or any for bank admins)."""
    require_role(actor, bank, Role.AUTHOR, Role.BANK_ADMIN, doing="view imports")
    batch = db.session.get(ImportBatch, batch_id)
    if (
        batch is None
        or batch.bank_id != bank.id
        or (batch.actor_id != actor.id and not _sees_all(actor, bank))
    ):
        raise NotFound(f"no import {batch_id} in bank {bank.code}")
    return batch


REPORT_COLUMNS = (
    "baris_atau_item",
    "kolom",
    "tingkat",
    "hasil",
    "pesan",
    "message",
    "id_soal",
    "versi",
    "berkas",
)


def report_rows(batch: ImportBatch) -> Iterable[list[str]]:
    """The report as rows of text (header first), cells that a spreadsheet would take
    for a formula prefixed with an apostrophe."""
    yield list(REPORT_COLUMNS)
    for entry in batch.entries:
        yield [
            inert(value)
            for value in (
                entry.item_ref,
                entry.column_name,
                entry.severity,
                entry.outcome,
                entry.message,
                entry.message_en,
                entry.item.external_id if entry.item is not None else "",
                "" if entry.version_number is None else str(entry.version_number),
                entry.file,
            )
        ]


def import_template(
    bank: Bank | None,
    type_id: str,
    fmt: str,
    *,
    actor: User | None,
    plugins: PluginHost,
    importer_id: str = "spreadsheet",
) -> Template:
    """A template for ``type_id`` in format ``fmt``, listing the taxonomies ``bank`` can
    see (the global ones when there is no bank). Any member of the bank may get one."""
    if bank is not None and actor is not None:
        ensure_visible(actor, bank)
    importer = plugins.importers.get(importer_id)
    if importer is None or fmt not in importer.template_formats:
        offered = sorted(
            f"{imp.id}:{f}" for imp in plugins.importers.values() for f in imp.template_formats
        )
        raise InvalidInput(
            f"no {fmt!r} template from importer {importer_id!r} (offered: {', '.join(offered)})",
            [
                {
                    "field": "format",
                    "message": f"Templat berformat '{fmt}' tidak tersedia.",
                    "message_en": f"There is no template in format '{fmt}'.",
                }
            ],
        )
    item_type = plugins.item_types.get(type_id)
    if item_type is None:
        raise NotFound(f"no item type {type_id!r}")
    context = ImportContext(
        bank_code=bank.code if bank is not None else "",
        bank_language=bank.language if bank is not None else "id",
        item_types=dict(plugins.item_types),
        limits=ImportLimits(),
        taxonomies=_taxonomy_listings(bank),
    )
    return importer.template(item_type, fmt, context)


def _taxonomy_listings(bank: Bank | None) -> list[TaxonomyListing]:
    if bank is not None:
        query = visible_taxonomies(bank)
    else:
        query = sa.select(TaxonomyRecord).where(TaxonomyRecord.bank_id.is_(None))
    listings = []
    for taxonomy in db.session.scalars(query.order_by(TaxonomyRecord.code)):
        nodes = db.session.scalars(
            sa.select(TaxonomyNode)
            .where(TaxonomyNode.taxonomy_id == taxonomy.id)
            .order_by(TaxonomyNode.path)
        )
        name = taxonomy.name.get("id") or taxonomy.name.get("en") or taxonomy.code
        listings.append(
            TaxonomyListing(
                code=taxonomy.code,
                name=name,
                nodes=[
                    (node.code, node.name.get("id") or node.name.get("en", ""), node.level_numbers)
                    for node in nodes
                ],
            )
        )
    return listings
