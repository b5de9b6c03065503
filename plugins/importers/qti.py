"""The QTI importer: QTI 2.1, 2.2 and 3.0 item files and content packages (zip).

Reading, converting and proving the scoring of every item is
:func:`itembank.qti_bridge.convert.convert` (pure); this plugin turns its result into what the
import machinery stores: a :class:`~itembank.importing.CandidateItem` per item that can be
brought in faithfully (with its images), and a report entry per item that cannot, with
the reason, plus the notes about what was left out of imported items.

An item the bank exported itself (its manifest metadata names a ``CACT-DEMO-000123``-style
bank item id of this bank) becomes a new draft version of that item; its competency
classifications come back too. Any other item is a new item; the classifications it
carries from another system are kept in its notes, since they name taxonomies this bank
may not have.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from itembank.hookspecs import hookimpl
from itembank.importing import (
    CandidateItem,
    CandidatePassage,
    ImportContext,
    Importer,
    ImportFileError,
    ImportSource,
    Location,
    MediaFile,
    ReportEntry,
    Severity,
)
from itembank.qti_bridge.convert import Candidate, ConvertError, convert
from qti.package_reader import ImportLimits as SourceLimits

#: How a line of the conversion report shows in the import report.
_SEVERITY = {
    "not_imported": Severity.ERROR,
    "note": Severity.WARNING,
    "skipped": Severity.INFO,
}


class QtiImporter(Importer):
    id = "qti"
    label = {"id": "Butir atau paket QTI", "en": "QTI item or package"}
    description = {
        "id": "Butir QTI 2.1, 2.2 atau 3.0 (.xml) atau paket konten IMS (.zip) dengan medianya; "
        "penskoran setiap butir dibuktikan sama dengan sumbernya.",
        "en": "QTI 2.1, 2.2 or 3.0 items (.xml) or IMS content packages (.zip) with their "
        "media; every item's scoring is proved equal to its source's.",
    }
    extensions = (".zip", ".xml")

    def read(
        self, source: ImportSource, context: ImportContext
    ) -> Iterator[CandidateItem | ReportEntry]:
        limits = context.limits
        try:
            result = convert(
                source.data,
                dict(context.item_types),
                name=source.filename,
                limits=SourceLimits(
                    max_files=limits.max_files,
                    max_total_bytes=limits.max_uncompressed_bytes,
                    max_file_bytes=min(limits.max_bytes * 4, limits.max_uncompressed_bytes),
                ),
                media_max_bytes=limits.media_max_bytes,
                processes=limits.processes,
            )
        except ConvertError as exc:  # a conversion worker process died or failed
            raise ImportFileError(exc.message, exc.message_en) from exc
        for line in result.report:
            severity = _SEVERITY.get(line.status)
            if severity is None:  # "imported": the core reports what it stores
                continue
            where = f"{line.file}:{line.line}" if line.line else line.file
            entry = ReportEntry(
                Location(where, line.item or ""), severity, line.message, line.message_en
            )
            if line.status == "not_imported" and line.item:
                # A refused item is an item of the import, counted as rejected: a
                # candidate carrying only the reason (the core reports its empty type).
                yield CandidateItem(
                    location=entry.location, item_type="", stem="", content={}, problems=[entry]
                )
            else:
                yield entry
        for candidate in result.candidates:
            yield _candidate_item(candidate, context)


def _candidate_item(candidate: Candidate, context: ImportContext) -> CandidateItem:
    meta = candidate.metadata
    own = str(meta.get("bank_item_id") or "")
    external_id = own if own.startswith(f"{context.bank_code}-") else None
    metadata: dict[str, Any] = {}
    if candidate.language:
        metadata["language"] = candidate.language
    classifications, described = _classifications(meta.get("classifications") or [])
    notes = [f"Diimpor dari {candidate.file} (QTI {candidate.identifier})."]
    if candidate.title and candidate.title != candidate.identifier:
        notes.append(f"Judul di sumber: {candidate.title}.")
    if external_id is not None:
        # The bank's own item coming back: what it says is the item's, nothing added.
        metadata["classifications"] = classifications
    else:
        if described:
            notes.append("Klasifikasi di sumber: " + "; ".join(described) + ".")
        metadata["notes"] = " ".join(notes)[:5000]
    return CandidateItem(
        location=Location(candidate.file, candidate.identifier),
        item_type=candidate.type_id,
        stem=candidate.stem,
        content=candidate.content,
        metadata=metadata,
        external_id=external_id,
        source_id=candidate.identifier,
        media=[MediaFile(name=m.path, data=m.data) for m in candidate.media],
        passage=_passage(candidate, context),
        clean_html=candidate.scans,
        # convert's content is what this type's load returned (convert.try_content),
        # with the same types as the import's (or their copies in its conversion workers)
        loaded_by=context.item_types.get(candidate.type_id),
    )


def _passage(candidate: Candidate, context: ImportContext) -> CandidatePassage | None:
    """The candidate's stimulus as the passage of its item set; the bank's own passage
    when the stimulus is one the bank exported."""
    found = candidate.passage
    if found is None:
        return None
    own = found.bank_passage_id or ""
    return CandidatePassage(
        key=found.key,
        title=found.title,
        body=found.body,
        passage_id=own if own.startswith(f"{context.bank_code}-") else None,
    )


def _classifications(found: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """LOM classifications as the bank's (taxonomy code, node code, level), the way the
    bank's export writes them (the level as a deeper taxon ``M.8/3``), and as text."""
    result: list[dict[str, Any]] = []
    described: list[str] = []
    for classification in found:
        taxa = classification.get("taxa") or []
        source = str(classification.get("source") or "")
        if not taxa or not source:
            continue
        node = str(taxa[0].get("id") or "")
        level = None
        if len(taxa) > 1:
            deeper = str(taxa[1].get("id") or "")
            if deeper.startswith(node + "/") and deeper[len(node) + 1 :].isdigit():
                level = int(deeper[len(node) + 1 :])
        if node:
            result.append({"taxonomy": source, "node": node, "level": level})
            described.append(f"{source} {node}" + (f" tingkat {level}" if level else ""))
    return result, described


@hookimpl
def itembank_register_importers(register: Callable[[Importer], None]) -> None:
    register(QtiImporter())
