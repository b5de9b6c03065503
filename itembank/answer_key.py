"""The answer-key report of a form (kunci jawaban), as JSON and CSV.

Built from the bank's data, never from an exported package: for every entry of the form,
in delivery order, its QTI identifier (:func:`qti_item_identifier`, the one the QTI
exporter also uses), the item's bank id and pinned version, its type, the correct
response(s) (the type's ``summary().keys``), the maximum score and, for types with
options, the score of choosing each option alone (the type's own ``score()``, which the
exported package's response processing reproduces exactly; the tests check the key
against the package).

The score of an option "alone" is ``score(content, response)`` for the first response
shape the type accepts: for identifiers ``"true"``/``"false"`` the JSON boolean; then the
identifier itself (single-response types); then a one-element list (multiple-response
types). Types whose options score only together (``ItemType.no_option_scores``:
ordering, matching), types scored by a person (essays) and types that take none of these
shapes have no option scores; ``option_scores_note`` says why when the type does, and
their keys and maximum score still appear.

Numbers are written exactly as the data holds them: the JSON's numbers are the data's, and
the CSV writes whole numbers without a decimal point (``5``, ``1234567``), other numbers
as their shortest exact decimal (``1.6666666666666667``, never ``1.66667`` or
``1.23457e+06``), fractions as ``5/3``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from itembank.access import require_role
from itembank.audit import record
from itembank.csvcells import inert
from itembank.errors import Conflict
from itembank.itemtypes import ExportNotSupported, ItemType
from itembank.models import Form, FormStatus, User
from itembank.operations.blueprints import ASSEMBLY_ROLES
from itembank.operations.form_report import load_form_entries
from itembank.plugins import PluginHost

CSV_COLUMNS = (
    "number",
    "section",
    "qti_identifier",
    "item",
    "version",
    "type",
    "max_score",
    "correct_response",
    "option_scores",
    "option_scores_note",
)

#: Why an essay has no option scores (its type's ``no_option_scores`` otherwise).
SCORED_BY_PERSON_NOTE = {
    "id": "Tidak ada skor per pilihan: dinilai oleh penilai dengan rubrik.",
    "en": "No per-option score: a person scores it against the rubric.",
}

_NOT_NCNAME = re.compile(r"[^A-Za-z0-9._-]")


def qti_item_identifier(external_id: str, version: int) -> str:
    """The QTI identifier of one pinned item version: ``I-`` + the item's external id +
    ``-V`` + the version number, e.g. ``I-CACT-DEMO-000123-V2``.

    Stable (it depends only on the item's id and version, which never change), unique in
    a package (a form pins one version per entry; a duplicated item is an error the form
    cannot be locked with) and a valid QTI identifier (an XML NCName: it starts with a
    letter, and any character outside letters, digits, ``.``, ``_`` and ``-`` becomes
    ``_``). Exporters use it for ``assessmentItem/@identifier`` and the item references
    of the assessment test, so the answer key and the package name items the same way.
    """
    return f"I-{_NOT_NCNAME.sub('_', external_id)}-V{int(version)}"


def _score_alone(item_type: ItemType, content: dict[str, Any], ident: str) -> Any:
    candidates: list[Any] = [ident, [ident]]
    if ident in ("true", "false"):
        candidates.insert(0, ident == "true")
    for response in candidates:
        try:
            return item_type.score(content, response)
        except (ValueError, TypeError, KeyError):
            continue
    return None


def option_scores(item_type: ItemType, content: dict[str, Any]) -> dict[str, Any] | None:
    """Option identifier -> the score of choosing only it; None when not meaningful."""
    if item_type.scored_by_person or item_type.no_option_scores is not None:
        return None
    options = item_type.summary(content).options
    if not options:
        return None
    scores: dict[str, Any] = {}
    for ident in options:
        score = _score_alone(item_type, content, ident)
        if score is None:
            return None
        scores[ident] = score
    return scores


def build_answer_key(form: Form, plugins: PluginHost) -> dict[str, Any]:
    """The answer key as plain data (no role check: see :func:`answer_key`)."""
    rows = []
    for number, entry in enumerate(load_form_entries(form), start=1):
        item, version = entry.item, entry.version
        item_type = plugins.item_types.get(item.item_type)
        row: dict[str, Any] = {
            "number": number,
            "section": entry.section.position,
            "section_title": entry.section.title,
            "qti_identifier": qti_item_identifier(item.external_id, version.number),
            "item": item.external_id,
            "version": version.number,
            "type": item.item_type,
            "content_hash": version.content_hash,
            "max_score": None,
            "correct_response": [],
            "option_scores": None,
            "option_scores_note": None,
            "scored_by_person": False,
        }
        if item_type is not None:
            try:
                item_type.check_stored(version.content)
            except ExportNotSupported as exc:
                raise Conflict(
                    f"item {item.external_id} v{version.number}: {exc.message_en}"
                ) from None
            summary = item_type.summary(version.content)
            row.update(
                max_score=item_type.max_score(version.content),
                correct_response=list(summary.keys),
                option_scores=option_scores(item_type, version.content),
                option_scores_note=_note(item_type),
                scored_by_person=item_type.scored_by_person,
            )
        rows.append(row)
    return {
        "form": form.external_id,
        "title": form.title,
        "bank": form.bank.code,
        "blueprint": form.blueprint.code,
        "status": form.status,
        "locked_at": form.locked_at.isoformat() if form.locked_at else None,
        "items": rows,
    }


def answer_key(form: Form, *, actor: User, plugins: PluginHost, fmt: str = "json") -> Any:
    """The answer key for ``actor`` (assemblers and bank admins), recorded in the audit
    trail: JSON data, or for ``fmt="csv"`` the CSV text."""
    require_role(actor, form.bank, *ASSEMBLY_ROLES, doing="read answer keys")
    if not answer_key_available(form):
        raise Conflict(
            f"form {form.external_id} is not locked yet: its answer key is given out only "
            "once the form is locked (a bank admin may allow keys of drafts with the bank "
            "setting answer_key_from_drafts)",
            message_id=(
                f"Paket {form.external_id} belum difinalkan: kunci jawabannya baru dapat "
                "diunduh setelah paket difinalkan (administrator bank dapat mengizinkan kunci "
                "jawaban paket draf di pengaturan bank)."
            ),
        )
    key = build_answer_key(form, plugins)
    record_answer_key_read(form, actor=actor, fmt=fmt)
    return answer_key_csv(key) if fmt == "csv" else key


def answer_key_available(form: Form) -> bool:
    """Whether ``form``'s answer key may be given out: once the form is locked (a draft
    still changes, so its key would not match what is delivered), or for a draft when
    the bank's ``answer_key_from_drafts`` setting allows it."""
    if form.status != FormStatus.DRAFT.value:
        return True
    return bool(form.bank.setting("answer_key_from_drafts"))


def record_answer_key_read(form: Form, *, actor: User | None, fmt: str, **details: Any) -> None:
    """The ``form.answer_key`` audit event: someone got the form's answer key as ``fmt``
    (``json``, ``csv``). Every way out records it: the API and the web UI through
    :func:`answer_key`, the CLI's export for the key files it writes beside the package
    (``actor`` None: the server's operator; ``details`` such as the file)."""
    record(
        "form.answer_key",
        actor=actor,
        bank=form.bank,
        object_type="form",
        object_id=form.external_id,
        format=fmt,
        **details,
    )


def _note(item_type: ItemType) -> dict[str, str] | None:
    if item_type.scored_by_person:
        return dict(SCORED_BY_PERSON_NOTE)
    return dict(item_type.no_option_scores) if item_type.no_option_scores else None


def exact_number(value: Any) -> str:
    """``value`` written exactly, as the data holds it: ``""`` for None; whole numbers
    without a decimal point (``5``, ``1234567``, ``-1``); other floats as their shortest
    decimal that reads back as the same float (``1.6666666666666667``, ``0.0000001``:
    Python's ``repr``, without an exponent); fractions as ``5/3``; decimals as written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    number = float(value)
    if not math.isfinite(number):
        return repr(number)
    if number.is_integer():
        return str(int(number))
    return format(Decimal(repr(number)), "f")


def answer_key_csv(key: dict[str, Any]) -> str:
    """One header row, then one row per item. Several correct responses are separated
    by `` | ``; option scores are ``A=5; B=0`` (exact: :func:`exact_number`); a type
    without them says why in ``option_scores_note`` (Indonesian / English)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in key["items"]:
        scores = row["option_scores"]
        writer.writerow(
            [
                row["number"],
                row["section"],
                row["qti_identifier"],
                row["item"],
                row["version"],
                row["type"],
                exact_number(row["max_score"]),
                # Accepted answers are what writers typed: never a formula.
                inert(" | ".join(str(k) for k in row["correct_response"])),
                inert(
                    "; ".join(f"{k}={exact_number(v)}" for k, v in scores.items()) if scores else ""
                ),
                f"{note['id']} / {note['en']}" if (note := row.get("option_scores_note")) else "",
            ]
        )
    return buffer.getvalue()
