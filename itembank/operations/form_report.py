"""A form's validation report: the form checked against its blueprint and the bank.

Every finding has a ``severity`` (``error`` or ``warning``), a stable ``code``, a message
in Indonesian and English, and names the item (external id and pinned version), the
form entry and the blueprint row (``"2.1"``: section 2, row 1) it is about. A form with
errors cannot be locked; warnings are shown and allowed.

Codes:

=====================  ========  ============================================================
``row_missing``        error     a blueprint row has fewer items than it needs
``row_surplus``        error     an item fits a row of its section that is already full
``wrong_section``      error     an item fits no row of its section, but one of another
``no_row``             error     an item fits no row of the blueprint at all
``length_mismatch``    error     the form's number of items is not the blueprint's length
``duplicate_item``     error     the same item appears more than once (in any versions)
``enemy_pair``         error     two items marked as enemies are both in the form
``item_retired``       error     the item was retired after it was added
``not_approved``       error     the pinned version is no longer approved
``type_unavailable``   error     the item's type plugin is not loaded
``newer_version``      warning   a newer version of the item was approved since; the form
                                 keeps the pinned one until someone re-pins it
``points_mismatch``    warning   the item's maximum score differs from its row's points
``key_run``            warning   3 or more single-key items in a row of a section have the
                                 same key letter (candidates notice and guess from it)
``key_share``          warning   in a section, one key letter is used more than 1.5 times
                                 as often as an even spread would use it (at least as many
                                 keyed items as options), or not at all (twice as many)
``set_apart``          error     the items of one passage's set are not consecutive in one
                                 section (:mod:`itembank.operations.form_sets`)
``set_incomplete``     warning   the form holds some items of a set but not all
=====================  ========  ============================================================

**Key balance** counts the items with exactly one key among options lettered ``A``,
``B``, ... (single choice and the like; weighted and open items have no key letter), in
delivery order within each section.

**Which row an item fills.** An entry *fits* a row when its pinned version is classified
under the row's node or one of its descendants (at the row's level, when the row has
one) and its type is one the row allows. Entries fill rows of their own form section
only (the section copied from the blueprint section). Each entry fills at most one row.
When entries fit several rows, rows are filled so that as many entries as possible are
counted (a maximum matching): entries are taken in form order, each goes to the first
row in blueprint order that fits it and still has room, and when none has room an
earlier entry moves to another row it fits if that frees a place. The result depends
only on the form's order and the blueprint, so the same form always gets the same report.
An entry left over is surplus on the first row it fits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from itembank.assembly.matching import match_rows
from itembank.extensions import db
from itembank.models import (
    BlueprintRow,
    BlueprintSection,
    EnemyPair,
    Form,
    FormEntry,
    FormSection,
    ItemClassification,
    ItemVersion,
)
from itembank.operations.blueprints import describe_row, row_ref
from itembank.operations.form_sets import set_findings
from itembank.plugins import PluginHost
from itembank.workflow import Status

ERROR = "error"
WARNING = "warning"


@dataclass
class Finding:
    severity: str
    code: str
    message: str
    message_en: str
    item: str | None = None
    version: int | None = None
    entry: int | None = None
    number: int | None = None
    row: str | None = None
    related_item: str | None = None


@dataclass
class Report:
    form: str
    status: str
    blueprint: str
    length: int
    total_length: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "status": self.status,
            "blueprint": self.blueprint,
            "ok": self.ok,
            "length": self.length,
            "total_length": self.total_length,
            "counts": {"error": len(self.errors), "warning": len(self.warnings)},
            "rows": self.rows,
            "entries": self.entries,
            "findings": [asdict(f) for f in self.findings],
        }


def load_form_entries(form: Form) -> list[FormEntry]:
    """The form's entries in delivery order, with what the report needs loaded at once."""
    sections = db.session.scalars(
        sa.select(FormSection)
        .where(FormSection.form_id == form.id)
        .order_by(FormSection.position)
        .options(
            selectinload(FormSection.entries).options(
                selectinload(FormEntry.item),
                selectinload(FormEntry.version)
                .selectinload(ItemVersion.classifications)
                .selectinload(ItemClassification.node),
            ),
            selectinload(FormSection.blueprint_section)
            .selectinload(BlueprintSection.rows)
            .selectinload(BlueprintRow.node),
        )
    ).all()
    return [entry for section in sections for entry in section.entries]


def fits_row(version: ItemVersion, item_type: str, row: BlueprintRow) -> bool:
    if row.item_types and item_type not in row.item_types:
        return False
    node = row.node
    for c in version.classifications:
        if row.level is not None and c.level != row.level:
            continue
        if c.node.taxonomy_id == node.taxonomy_id and c.node.path.startswith(node.path):
            return True
    return False


def build_report(
    form: Form, plugins: PluginHost, *, entries: list[FormEntry] | None = None
) -> Report:
    """The validation report of ``form`` (reads only; no role check: callers check).

    :param entries: the form's entries as :func:`load_form_entries` gives them, when the
        caller has them already (the export reads them once for the report, the package
        and the answer key).
    """
    blueprint = form.blueprint
    entries = load_form_entries(form) if entries is None else entries
    number_of = {entry.id: index for index, entry in enumerate(entries, start=1)}
    report = Report(
        form=form.external_id,
        status=form.status,
        blueprint=blueprint.code,
        length=len(entries),
        total_length=blueprint.total_length,
    )
    findings = report.findings

    def about(entry: FormEntry) -> dict[str, Any]:
        return {
            "item": entry.item.external_id,
            "version": entry.version.number,
            "entry": entry.id,
            "number": number_of[entry.id],
        }

    # -- rows -------------------------------------------------------------------------
    all_rows = [row for section in blueprint.sections for row in section.rows]
    filled: dict[int, list[FormEntry]] = defaultdict(list)
    row_of_entry: dict[int, BlueprintRow] = {}
    leftovers: list[tuple[FormEntry, list[BlueprintRow]]] = []
    for section in sorted(form.sections, key=lambda s: s.position):
        rows = list(section.blueprint_section.rows)
        section_entries = [e for e in entries if e.section_id == section.id]
        fits = [
            [i for i, row in enumerate(rows) if fits_row(e.version, e.item.item_type, row)]
            for e in section_entries
        ]
        owner = match_rows(fits, [row.count for row in rows])
        for index, entry in enumerate(section_entries):
            if index in owner:
                row = rows[owner[index]]
                filled[row.id].append(entry)
                row_of_entry[entry.id] = row
            else:
                leftovers.append((entry, [rows[i] for i in fits[index]]))

    for row in all_rows:
        have = len(filled[row.id])
        described_id, described_en = describe_row(row)
        report.rows.append(
            {
                "ref": row_ref(row),
                "section": row.section.position,
                "section_title": row.section.title,
                "taxonomy": row.node.taxonomy.code,
                "node": row.node.code,
                "level": row.level,
                "item_types": list(row.item_types or []),
                "count": row.count,
                "filled": have,
                "points": row.points,
                "entries": [e.id for e in filled[row.id]],
            }
        )
        if have < row.count:
            missing = row.count - have
            findings.append(
                Finding(
                    ERROR,
                    "row_missing",
                    f"Baris {described_id} di bagian '{row.section.title}' masih kurang "
                    f"{missing} butir (terisi {have} dari {row.count}).",
                    f"Row {described_en} in section '{row.section.title}' is missing "
                    f"{missing} item(s) ({have} of {row.count}).",
                    row=row_ref(row),
                )
            )

    for entry, fitting in leftovers:
        item = entry.item.external_id
        if fitting:
            row = fitting[0]
            described_id, described_en = describe_row(row)
            findings.append(
                Finding(
                    ERROR,
                    "row_surplus",
                    f"Butir {item} (v{entry.version.number}) sesuai dengan baris {described_id}, "
                    f"tetapi baris itu sudah berisi {row.count} butir; butir ini kelebihan.",
                    f"Item {item} (v{entry.version.number}) fits row {described_en}, but that "
                    f"row already has its {row.count} item(s); this one is surplus.",
                    row=row_ref(row),
                    **about(entry),
                )
            )
            continue
        elsewhere = [
            row
            for row in all_rows
            if row.section_id != entry.section.blueprint_section_id
            and fits_row(entry.version, entry.item.item_type, row)
        ]
        if elsewhere:
            row = elsewhere[0]
            described_id, described_en = describe_row(row)
            findings.append(
                Finding(
                    ERROR,
                    "wrong_section",
                    f"Butir {item} (v{entry.version.number}) tidak sesuai dengan baris mana pun "
                    f"di bagian '{entry.section.title}'; butir ini sesuai dengan baris "
                    f"{described_id} di bagian '{row.section.title}'. Pindahkan ke sana.",
                    f"Item {item} (v{entry.version.number}) fits no row of section "
                    f"'{entry.section.title}'; it fits row {described_en} of section "
                    f"'{row.section.title}'. Move it there.",
                    row=row_ref(row),
                    **about(entry),
                )
            )
        else:
            findings.append(
                Finding(
                    ERROR,
                    "no_row",
                    f"Butir {item} (v{entry.version.number}) tidak sesuai dengan baris mana pun "
                    f"pada kisi-kisi {blueprint.code} (klasifikasi, level atau jenis soal).",
                    f"Item {item} (v{entry.version.number}) fits no row of blueprint "
                    f"{blueprint.code} (classification, level or item type).",
                    **about(entry),
                )
            )

    # -- length -----------------------------------------------------------------------
    if len(entries) != blueprint.total_length:
        findings.append(
            Finding(
                ERROR,
                "length_mismatch",
                f"Paket berisi {len(entries)} butir; kisi-kisi {blueprint.code} menetapkan "
                f"{blueprint.total_length} butir.",
                f"The form has {len(entries)} item(s); blueprint {blueprint.code} asks for "
                f"{blueprint.total_length}.",
            )
        )

    # -- duplicates ----------------------------------------------------------------------
    by_item: dict[int, list[FormEntry]] = defaultdict(list)
    for entry in entries:
        by_item[entry.item_id].append(entry)
    for same in by_item.values():
        if len(same) < 2:
            continue
        first = same[0]
        numbers = ", ".join(str(number_of[e.id]) for e in same)
        versions = ", ".join(f"v{e.version.number}" for e in same)
        for entry in same[1:]:
            findings.append(
                Finding(
                    ERROR,
                    "duplicate_item",
                    f"Butir {first.item.external_id} muncul {len(same)} kali (nomor {numbers}; "
                    f"{versions}).",
                    f"Item {first.item.external_id} appears {len(same)} times (numbers "
                    f"{numbers}; {versions}).",
                    row=_ref(row_of_entry.get(entry.id)),
                    **about(entry),
                )
            )

    # -- enemies ------------------------------------------------------------------------
    item_ids = list(by_item)
    if item_ids:
        pairs = db.session.scalars(
            sa.select(EnemyPair)
            .where(EnemyPair.item_low_id.in_(item_ids), EnemyPair.item_high_id.in_(item_ids))
            .order_by(EnemyPair.id)
        ).all()
        for pair in pairs:
            low, high = by_item[pair.item_low_id][0], by_item[pair.item_high_id][0]
            first, second = sorted((low, high), key=lambda e: number_of[e.id])
            reason = f": {pair.reason}" if pair.reason else ""
            findings.append(
                Finding(
                    ERROR,
                    "enemy_pair",
                    f"Butir {first.item.external_id} (nomor {number_of[first.id]}) dan "
                    f"{second.item.external_id} (nomor {number_of[second.id]}) ditandai tidak "
                    f"boleh muncul bersama{reason}.",
                    f"Items {first.item.external_id} (number {number_of[first.id]}) and "
                    f"{second.item.external_id} (number {number_of[second.id]}) are marked "
                    f"as not to appear together{reason}.",
                    row=_ref(row_of_entry.get(second.id)),
                    related_item=first.item.external_id,
                    **about(second),
                )
            )

    # -- the pinned versions now ------------------------------------------------------------
    for entry in entries:
        item, version = entry.item, entry.version
        row = row_of_entry.get(entry.id)
        if item.is_retired:
            findings.append(
                Finding(
                    ERROR,
                    "item_retired",
                    f"Butir {item.external_id} dipensiunkan pada {item.retired_at:%Y-%m-%d}; "
                    "keluarkan dari paket.",
                    f"Item {item.external_id} was retired on {item.retired_at:%Y-%m-%d}; "
                    "remove it from the form.",
                    row=_ref(row),
                    **about(entry),
                )
            )
        elif version.status != Status.APPROVED.value:
            findings.append(
                Finding(
                    ERROR,
                    "not_approved",
                    f"Versi {version.number} butir {item.external_id} berstatus "
                    f"{version.status}, bukan disetujui.",
                    f"Version {version.number} of item {item.external_id} is "
                    f"{version.status}, not approved.",
                    row=_ref(row),
                    **about(entry),
                )
            )
        current = item.approved_version
        if (
            not item.is_retired
            and current is not None
            and current.status == Status.APPROVED.value
            and current.number > version.number
        ):
            when = f"{current.decided_at:%Y-%m-%d}" if current.decided_at else "-"
            findings.append(
                Finding(
                    WARNING,
                    "newer_version",
                    f"Versi {current.number} butir {item.external_id} disetujui pada {when}; "
                    f"paket masih memakai versi {version.number}. Sematkan ulang bila perlu.",
                    f"Version {current.number} of item {item.external_id} was approved on "
                    f"{when}; the form still uses version {version.number}. Re-pin it if "
                    "wanted.",
                    row=_ref(row),
                    **about(entry),
                )
            )
        item_type = plugins.item_types.get(item.item_type)
        if item_type is None:
            findings.append(
                Finding(
                    ERROR,
                    "type_unavailable",
                    f"Butir {item.external_id} memakai jenis soal yang tidak terpasang di "
                    "server ini (pluginnya dinonaktifkan atau dihapus): butir ini tidak dapat "
                    "dinilai atau diekspor sampai jenisnya dipasang lagi.",
                    f"The item type '{item.item_type}' of item {item.external_id} is not loaded.",
                    row=_ref(row),
                    **about(entry),
                )
            )
        elif row is not None and row.points is not None:
            top = item_type.max_score(version.content)
            if abs(top - row.points) > 1e-9:
                findings.append(
                    Finding(
                        WARNING,
                        "points_mismatch",
                        f"Skor maksimum butir {item.external_id} adalah {top:g}; baris "
                        f"{row_ref(row)} menetapkan {row.points:g}.",
                        f"Item {item.external_id} scores at most {top:g}; row {row_ref(row)} "
                        f"says {row.points:g}.",
                        row=row_ref(row),
                        **about(entry),
                    )
                )

    findings.extend(key_balance(entries, number_of, plugins))
    findings.extend(set_findings(entries, number_of))

    report.entries = [
        {**about(entry), "section": entry.section.position, "row": _ref(row_of_entry.get(entry.id))}
        for entry in entries
    ]
    order = {ERROR: 0, WARNING: 1}
    findings.sort(key=lambda f: (order[f.severity], f.number or 0))
    return report


#: Items in a row with the same key letter that make a ``key_run`` warning.
KEY_RUN = 3
#: A key letter used more than this many times its even share makes a ``key_share`` warning.
KEY_SHARE_FACTOR = 1.5


def key_letter(
    item_type_id: str, version: ItemVersion, plugins: PluginHost
) -> tuple[str, int] | None:
    """The version's single key letter and its number of options, if it has one."""
    item_type = plugins.item_types.get(item_type_id)
    if item_type is None:
        return None
    try:
        summary = item_type.summary(version.content)
    except (KeyError, TypeError, ValueError):
        return None
    keys = [str(k) for k in summary.keys]
    options = [str(o) for o in summary.options]
    if len(keys) != 1 or len(options) < 2:
        return None
    if not all(len(o) == 1 and o.isalpha() and o.isupper() for o in options):
        return None
    return keys[0], len(options)


def key_balance(
    entries: list[FormEntry], number_of: dict[int, int], plugins: PluginHost
) -> list[Finding]:
    """``key_run`` and ``key_share`` warnings, per section in delivery order."""
    findings: list[Finding] = []
    sections: dict[int, list[tuple[FormEntry, str, int]]] = defaultdict(list)
    titles: dict[int, str] = {}
    for entry in entries:
        keyed = key_letter(entry.item.item_type, entry.version, plugins)
        if keyed is not None:
            sections[entry.section.position].append((entry, *keyed))
            titles[entry.section.position] = entry.section.title
    for position in sorted(sections):
        keyed = sections[position]
        title = titles[position]
        # Runs: consecutive keyed items (in delivery order) with the same letter.
        start = 0
        for index in range(1, len(keyed) + 1):
            if index < len(keyed) and keyed[index][1] == keyed[start][1]:
                continue
            run = keyed[start:index]
            if len(run) >= KEY_RUN:
                numbers = [number_of[e.id] for e, _k, _n in run]
                span = f"{numbers[0]}–{numbers[-1]}"
                letter = run[0][1]
                first = run[0][0]
                findings.append(
                    Finding(
                        WARNING,
                        "key_run",
                        f"{len(run)} butir berturut-turut di bagian '{title}' (nomor {span}) "
                        f"berkunci {letter}; peserta dapat menebak dari polanya.",
                        f"{len(run)} items in a row in section '{title}' (numbers {span}) "
                        f"have key {letter}; candidates may guess from the pattern.",
                        item=first.item.external_id,
                        version=first.version.number,
                        entry=first.id,
                        number=number_of[first.id],
                    )
                )
            start = index
        # Shares: each letter against an even spread over the usual number of options.
        options = max({n for _e, _k, n in keyed}, key=[n for _e, _k, n in keyed].count)
        total = len(keyed)
        if total < options:
            continue
        counts = {chr(ord("A") + i): 0 for i in range(options)}
        for _entry, letter, _n in keyed:
            counts[letter] = counts.get(letter, 0) + 1
        even = total / options
        shares = ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in sorted(counts.items()))
        over = [k for k, v in sorted(counts.items()) if v > KEY_SHARE_FACTOR * even]
        absent = [k for k, v in sorted(counts.items()) if v == 0] if total >= 2 * options else []
        if over or absent:
            said_id = "; ".join(
                [f"kunci {', '.join(over)} terlalu sering"] * bool(over)
                + [f"kunci {', '.join(absent)} tidak pernah dipakai"] * bool(absent)
            )
            said_en = "; ".join(
                [f"key {', '.join(over)} used too often"] * bool(over)
                + [f"key {', '.join(absent)} never used"] * bool(absent)
            )
            findings.append(
                Finding(
                    WARNING,
                    "key_share",
                    f"Sebaran kunci di bagian '{title}' ({total} butir): {shares}; {said_id}.",
                    f"Keys in section '{title}' ({total} items): {shares}; {said_en}.",
                )
            )
    return findings


def _ref(row: BlueprintRow | None) -> str | None:
    return row_ref(row) if row is not None else None
