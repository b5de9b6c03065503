"""The answer-key report: built from the bank's data through each item type's
``summary()`` and ``score()``, as JSON and CSV, with the QTI identifier exporters use."""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from typing import Any

import pytest
import sqlalchemy as sa

from itembank.answer_key import CSV_COLUMNS, answer_key, answer_key_csv, qti_item_identifier
from itembank.errors import PermissionDenied
from itembank.extensions import db
from itembank.models import AuditEvent
from itembank.operations.blueprints import create_blueprint
from itembank.operations.forms import add_entry, create_form, lock_form
from tests.factories import World
from tests.forms_helpers import approved

TYPES = (
    "single_choice",
    "multiple_response",
    "weighted_options",
    "true_false",
    "short_text",
    "extended_text",
    "ordering",
    "matching",
    "likert",
    "inline_choice",
    "numeric",
    "slider",
    "gap_match",
    "hot_text",
    "hotspot",
    "associate",
    "graphic_gap_match",
    "select_point",
    "graphic_order",
    "graphic_associate",
)


def test_qti_identifier_is_stable_and_a_valid_ncname() -> None:
    assert qti_item_identifier("CACT-DEMO-000123", 2) == "I-CACT-DEMO-000123-V2"
    assert qti_item_identifier("X 1/2", 1) == "I-X_1_2-V1"


@pytest.fixture
def every_type_form(world: World, plugins: Any) -> Any:
    spec = {
        "code": "SEMUA",
        "title": "Semua jenis",
        "total_length": len(TYPES),
        "sections": [
            {"title": "TWK", "rows": [{"taxonomy": "skd-cpns", "node": "TWK", "count": len(TYPES)}]}
        ],
    }
    blueprint = create_blueprint(world.bank, spec, actor=world.assembler, plugins=plugins)
    form = create_form(world.bank, blueprint, title="Semua jenis", actor=world.assembler)
    for type_id in TYPES:
        content = plugins.item_types[type_id].example_content()
        item = approved(world, plugins, "TWK.PN", item_type=type_id, content=content)
        add_entry(form, item.approved_version, actor=world.assembler)
    lock_form(form, actor=world.bank_admin, plugins=plugins)
    return form


def test_answer_key_of_every_type(world: World, plugins: Any, every_type_form: Any) -> None:
    key = answer_key(every_type_form, actor=world.assembler, plugins=plugins)
    rows = {row["type"]: row for row in key["items"]}
    assert [row["number"] for row in key["items"]] == list(range(1, len(TYPES) + 1))
    first = key["items"][0]
    assert first["qti_identifier"] == qti_item_identifier(first["item"], first["version"])
    assert rows["single_choice"]["correct_response"] == ["B"]
    assert rows["single_choice"]["option_scores"] == {"A": 0, "B": 5, "C": 0, "D": 0, "E": 0}
    assert rows["weighted_options"]["option_scores"] == {"A": 3, "B": 5, "C": 1, "D": 4, "E": 2}
    assert rows["weighted_options"]["max_score"] == 5
    assert rows["true_false"]["option_scores"] == {"true": 1, "false": 0}
    # partial credit: each key alone is worth points / len(keys)
    assert rows["multiple_response"]["option_scores"] == {"A": 1, "B": 0, "C": 1, "D": 1, "E": 0}
    assert rows["short_text"]["correct_response"] == ["Bandung", "Kota Bandung"]
    assert rows["short_text"]["option_scores"] is None
    assert rows["extended_text"]["scored_by_person"] is True
    assert (rows["extended_text"]["option_scores"], rows["extended_text"]["max_score"]) == (
        None,
        10,
    )
    assert rows["matching"]["correct_response"] == ["P1 R2", "P2 R3", "P3 R1"]
    assert rows["matching"]["option_scores"] is None
    assert rows["ordering"]["correct_response"] == ["B", "D", "A", "E", "C"]
    # An option alone is no ordering response: no per-option scores, and the key says so.
    assert rows["ordering"]["option_scores"] is None
    assert rows["ordering"]["option_scores_note"]["en"] == (
        "No per-option score: a whole order is scored (or each position, under "
        "per-position scoring)."
    )
    assert rows["matching"]["option_scores_note"]["id"].startswith("Tidak ada skor per pilihan")
    assert rows["extended_text"]["option_scores_note"]["en"].endswith("against the rubric.")
    assert rows["single_choice"]["option_scores_note"] is None
    assert rows["likert"]["correct_response"] == []
    assert rows["likert"]["option_scores"] == {"SS": 5, "S": 4, "N": 3, "TS": 2, "STS": 1}
    # each gap's key, named gap.option; scores are per gap, and the key says so
    assert rows["inline_choice"]["correct_response"] == ["G1.B", "G2.B"]
    assert rows["inline_choice"]["option_scores"] is None
    assert rows["inline_choice"]["option_scores_note"]["en"].startswith("Scores are per gap")
    assert rows["inline_choice"]["max_score"] == 2
    assert rows["numeric"]["correct_response"] == ["1.54"]
    assert rows["numeric"]["max_score"] == 2
    assert rows["slider"]["correct_response"] == ["65"]
    assert rows["slider"]["max_score"] == 1
    assert rows["slider"]["option_scores_note"]["en"] == "No options: the number chosen is scored."
    # a hotspot's areas are its options, named by their labels
    assert rows["hotspot"]["correct_response"] == ["B"]
    assert rows["hotspot"]["option_scores"] == {"A": 0, "B": 1, "C": 0}
    assert rows["associate"]["correct_response"] == ["A C", "B D", "E F"]
    assert rows["associate"]["option_scores"] is None
    assert rows["graphic_gap_match"]["correct_response"] == ["G2 A", "G3 B"]
    assert rows["graphic_gap_match"]["option_scores"] is None
    # a select point item's key: the areas worth more than 0, each area's value beside
    assert rows["select_point"]["correct_response"] == ["A", "B"]
    assert rows["select_point"]["option_scores"] is None
    assert rows["select_point"]["max_score"] == 2
    assert rows["graphic_order"]["correct_response"] == ["C", "B", "D", "A"]
    assert rows["graphic_order"]["option_scores"] is None
    assert rows["graphic_associate"]["correct_response"] == ["B C", "D B"]
    assert rows["graphic_associate"]["option_scores"] is None


def test_answer_key_csv(world: World, plugins: Any, every_type_form: Any) -> None:
    text = answer_key(every_type_form, actor=world.bank_admin, plugins=plugins, fmt="csv")
    table = list(csv.reader(io.StringIO(text)))
    assert tuple(table[0]) == CSV_COLUMNS
    assert len(table) == 1 + len(TYPES)
    by_type = {row[5]: dict(zip(CSV_COLUMNS, row, strict=True)) for row in table[1:]}
    assert by_type["single_choice"]["option_scores"] == "A=0; B=5; C=0; D=0; E=0"
    assert by_type["short_text"]["correct_response"] == "Bandung | Kota Bandung"
    assert by_type["extended_text"]["max_score"] == "10"
    assert by_type["matching"]["option_scores"] == ""
    assert by_type["ordering"]["option_scores"] == ""
    assert by_type["ordering"]["option_scores_note"] == (
        "Tidak ada skor per pilihan: yang dinilai urutan lengkap (atau tiap posisi pada "
        "penskoran per posisi). / "
        "No per-option score: a whole order is scored (or each position, under "
        "per-position scoring)."
    )
    assert by_type["single_choice"]["option_scores_note"] == ""
    formats = db.session.scalars(
        sa.select(AuditEvent.data).where(
            AuditEvent.action == "form.answer_key",
            AuditEvent.object_id == every_type_form.external_id,
        )
    ).all()
    assert [f["format"] for f in formats] == ["csv"]


def test_answer_keys_are_for_assemblers(world: World, plugins: Any, every_type_form: Any) -> None:
    for who in ("author", "reviewer"):
        with pytest.raises(PermissionDenied):
            answer_key(every_type_form, actor=world.users[who], plugins=plugins)


def test_answer_key_csv_cells_are_never_formulas() -> None:
    """An accepted answer typed as a formula opens in a spreadsheet as text."""
    key = {
        "items": [
            {
                "number": 1,
                "section": 1,
                "qti_identifier": "I-X-000001-V1",
                "item": "X-000001",
                "version": 1,
                "type": "short_text",
                "max_score": 1,
                "correct_response": ['=HYPERLINK("http://evil","klik")', "Bandung"],
                "option_scores": None,
            },
            {
                "number": 2,
                "section": 1,
                "qti_identifier": "I-X-000002-V1",
                "item": "X-000002",
                "version": 1,
                "type": "weighted_options",
                "max_score": 5,
                "correct_response": ["@A"],
                "option_scores": {"A": -1, "B": 5},
            },
        ]
    }
    rows = list(csv.reader(io.StringIO(answer_key_csv(key))))
    assert rows[1][7] == '\'=HYPERLINK("http://evil","klik") | Bandung'
    assert rows[2][7] == "'@A"
    assert rows[2][8] == "A=-1; B=5"  # starts with a letter: left as it is


def test_answer_key_csv_numbers_are_exact() -> None:
    """Never rounded to 6 digits (1.66667) or put in exponent form (1.23457e+06)."""
    key = {
        "items": [
            {
                "number": 1,
                "section": 1,
                "qti_identifier": "I-X-000001-V1",
                "item": "X-000001",
                "version": 1,
                "type": "weighted_options",
                "max_score": 1234567.0,
                "correct_response": [],
                "option_scores": {
                    "A": 5 / 3,
                    "B": 1234567,
                    "C": 0.1,
                    "D": 1e-7,
                    "E": Fraction(5, 3),
                    "F": -2.0,
                    "G": 12345678901234567890,
                },
            }
        ]
    }
    row = dict(zip(CSV_COLUMNS, list(csv.reader(io.StringIO(answer_key_csv(key))))[1], strict=True))
    assert row["max_score"] == "1234567"
    assert row["option_scores"] == (
        "A=1.6666666666666667; B=1234567; C=0.1; D=0.0000001; E=5/3; F=-2; G=12345678901234567890"
    )
    assert float(row["option_scores"].split("; ")[0][2:]) == 5 / 3  # reads back the same
    assert row["option_scores_note"] == ""


def test_a_partial_credit_key_prints_its_thirds_exactly(world: World, plugins: Any) -> None:
    spec = {
        "code": "SEPERTIGA",
        "title": "Sepertiga",
        "total_length": 1,
        "sections": [
            {"title": "TWK", "rows": [{"taxonomy": "skd-cpns", "node": "TWK", "count": 1}]}
        ],
    }
    blueprint = create_blueprint(world.bank, spec, actor=world.assembler, plugins=plugins)
    form = create_form(world.bank, blueprint, title="Sepertiga", actor=world.assembler)
    content = {**plugins.item_types["multiple_response"].example_content(), "points": 5}
    item = approved(world, plugins, "TWK.PN", item_type="multiple_response", content=content)
    add_entry(form, item.approved_version, actor=world.assembler)
    lock_form(form, actor=world.bank_admin, plugins=plugins)
    text = answer_key(form, actor=world.assembler, plugins=plugins, fmt="csv")
    row = dict(zip(CSV_COLUMNS, list(csv.reader(io.StringIO(text)))[1], strict=True))
    # each of the three keys alone is worth 5/3
    assert row["option_scores"] == (
        "A=1.6666666666666667; B=0; C=1.6666666666666667; D=1.6666666666666667; E=0"
    )
    assert row["max_score"] == "5"
