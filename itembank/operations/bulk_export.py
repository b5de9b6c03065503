"""Exporting chosen items (not a form) as one package: the bulk list's *export*.

Each chosen item contributes its approved version; an item without one, a retired item
or one whose type cannot be written is refused and named. With refusals the package is
written only when the caller says to leave those items out (``skip_refused``), so
nobody receives a package silently missing items. Assemblers and bank admins only (the
same roles that export forms); recorded as ``items.export`` with the package's SHA-256
and each exported version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa

from itembank.access import require_role
from itembank.audit import record
from itembank.errors import Conflict, DomainError, NotFound
from itembank.extensions import db
from itembank.models import Bank, Item, User
from itembank.operations.blueprints import ASSEMBLY_ROLES
from itembank.operations.bulk import DONE, BulkResult, Outcome, refusal
from itembank.operations.export import (
    ExportFailed,
    _media,
    exporter_for,
    package_version,
    qti_test_identifier,
    version_media,
)
from itembank.plugins import PluginHost
from qti.package import PackageItem, PackageSection, PackageTest


class ItemsNotExported(Conflict):
    """Some chosen items cannot be exported and ``skip_refused`` was not given."""

    code = "items_not_exported"


@dataclass
class ItemsExport:
    result: BulkResult
    filename: str
    media_type: str
    data: bytes
    sha256: str


def export_items(
    bank: Bank,
    external_ids: list[str],
    *,
    actor: User,
    plugins: PluginHost,
    exporter_id: str = "qti3",
    skip_refused: bool = False,
) -> ItemsExport:
    """The package of the chosen items' approved versions, in the given order.

    :raises ItemsNotExported: an item is refused and ``skip_refused`` is false, or none
        is left; ``results`` says per item what happened.
    """
    require_role(actor, bank, *ASSEMBLY_ROLES, doing="export items")
    exporter = exporter_for(plugins, exporter_id)
    result = BulkResult(action="export")
    packaged: list[PackageItem] = []
    media: set[str] = set()
    for external_id in external_ids:
        item = db.session.scalars(
            sa.select(Item).where(Item.external_id == external_id, Item.bank_id == bank.id)
        ).first()
        try:
            if item is None:
                raise NotFound(f"no item {external_id!r} in bank {bank.code}")
            version = item.approved_version
            if item.is_retired:
                raise Conflict(f"item {external_id} is retired")
            if version is None:
                raise Conflict(f"item {external_id} has no approved version")
            packaged.append(package_version(item, version, plugins, bank_language=bank.language))
        except DomainError as exc:
            result.results.append(refusal(external_id, exc))
            continue
        media |= version_media(version, plugins.item_types[item.item_type])
        result.results.append(
            Outcome(
                external_id,
                DONE,
                f"Versi {version.number} diekspor.",
                f"Version {version.number} exported.",
            )
        )
    refused = result.counts["refused"]
    if not packaged or (refused and not skip_refused):
        raise ItemsNotExported(
            f"{refused} of {result.total} items cannot be exported"
            + ("" if packaged else "; none can")
            + ("" if not packaged else "; send skip_refused to export the others"),
            results=[vars(o) for o in result.results],
        )
    identifier = qti_test_identifier(f"{bank.code}-ITEMS")
    test = PackageTest(
        identifier=identifier,
        title=f"{bank.name} ({len(packaged)})",
        sections=(
            PackageSection(
                identifier="S1",
                title=bank.name,
                items=tuple(p.item.identifier for p in packaged),
            ),
        ),
    )
    try:
        data = exporter.export(test, packaged, _media(sorted(media)))
    except ValueError as exc:
        raise ExportFailed(
            f"{exporter.id} cannot export these items: {exc}",
            issues=str(exc).splitlines()[:200],
        ) from None
    sha256 = hashlib.sha256(data).hexdigest()
    record(
        "items.export",
        actor=actor,
        bank=bank,
        object_type="bank",
        object_id=bank.code,
        exporter=exporter.id,
        sha256=sha256,
        versions=[[p.bank_item_id, p.version] for p in packaged],
        refused=refused,
    )
    return ItemsExport(
        result=result,
        filename=f"{bank.code}-items-{exporter.id}.{exporter.file_extension}",
        media_type=exporter.media_type,
        data=data,
        sha256=sha256,
    )
