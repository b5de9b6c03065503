"""What every built-in item type shares: registration, examples, rich text, previews.

Type-specific checks and scoring are in ``test_itemtypes_choice.py``,
``test_itemtypes_text.py`` and ``test_itemtypes_structured.py``.
"""

from __future__ import annotations

import importlib
import json
import math
from typing import Any

import marshmallow as ma
import pytest
from lxml import html as lxml_html

from itembank.itemtypes import ContentError, ItemType
from itembank.plugins import BUILTIN_PLUGINS, PluginHost
from plugins.itemtypes._common import (
    JsonNumber,
    StrictBoolean,
    html_is_blank,
    is_identifier,
    letter,
    partial_credit,
)
from plugins.itemtypes.associate import Associate
from plugins.itemtypes.composite import Composite
from plugins.itemtypes.extended_text import ExtendedText
from plugins.itemtypes.gap_match import GapMatch
from plugins.itemtypes.graphic_associate import GraphicAssociate
from plugins.itemtypes.graphic_gap_match import GraphicGapMatch
from plugins.itemtypes.graphic_order import GraphicOrder
from plugins.itemtypes.hot_text import HotText
from plugins.itemtypes.hotspot import Hotspot
from plugins.itemtypes.inline_choice import InlineChoice
from plugins.itemtypes.likert import Likert
from plugins.itemtypes.matching import Matching
from plugins.itemtypes.multiple_response import MultipleResponse
from plugins.itemtypes.numeric import Numeric
from plugins.itemtypes.ordering import Ordering
from plugins.itemtypes.select_point import SelectPoint
from plugins.itemtypes.short_text import ShortText
from plugins.itemtypes.single_choice import SingleChoice
from plugins.itemtypes.slider import Slider
from plugins.itemtypes.true_false import TrueFalse
from plugins.itemtypes.weighted_options import WeightedOptions
from tests.itemtype_helpers import patched

TYPES: dict[str, ItemType] = {
    t.id: t
    for t in (
        SingleChoice(),
        MultipleResponse(),
        WeightedOptions(),
        TrueFalse(),
        ShortText(),
        ExtendedText(),
        Ordering(),
        Matching(),
        Likert(),
        Composite(),
        InlineChoice(),
        Numeric(),
        Slider(),
        GapMatch(),
        HotText(),
        Hotspot(),
        Associate(),
        GraphicGapMatch(),
        SelectPoint(),
        GraphicOrder(),
        GraphicAssociate(),
    )
}
for _type in TYPES.values():  # as the plugin host does once every type is registered
    _type.attach(TYPES)
TYPE_IDS = list(TYPES)
STEM = "<p>Perhatikan <strong>pernyataan</strong> berikut.</p>"


# -- registration ----------------------------------------------------------------------


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_module_hookimpl_registers_one_instance(type_id: str) -> None:
    module = importlib.import_module(f"plugins.itemtypes.{type_id}")
    registered: list[ItemType] = []
    module.itembank_register_item_types(register=registered.append)
    assert len(registered) == 1
    assert type(registered[0]) is type(TYPES[type_id])
    assert registered[0].id == type_id
    assert hasattr(module.itembank_register_item_types, "itembank_impl")


def test_plugin_host_collects_every_builtin_type() -> None:
    modules = [name for name in BUILTIN_PLUGINS if name.startswith("plugins.itemtypes.")]
    host = PluginHost(builtins=modules, entry_points=False)
    assert sorted(host.item_types) == sorted(TYPE_IDS)
    assert all(len(host.registrations[name].item_types) == 1 for name in modules)


@pytest.mark.parametrize("item_type", TYPES.values(), ids=TYPE_IDS)
def test_names_and_descriptions_in_both_languages(item_type: ItemType) -> None:
    assert set(item_type.label) == {"id", "en"} and all(item_type.label.values())
    assert set(item_type.description) == {"id", "en"} and all(item_type.description.values())
    assert item_type.scored_by_person is (item_type.id == "extended_text")


# -- content ---------------------------------------------------------------------------


@pytest.mark.parametrize("item_type", TYPES.values(), ids=TYPE_IDS)
def test_example_content_is_valid_and_complete(item_type: ItemType) -> None:
    example = item_type.example_content()
    loaded = item_type.load(example)
    assert loaded == example  # every default is spelled out
    assert item_type.load(loaded) == loaded
    assert json.loads(json.dumps(loaded)) == loaded


@pytest.mark.parametrize("item_type", TYPES.values(), ids=TYPE_IDS)
def test_json_schema_describes_the_content(item_type: ItemType) -> None:
    schema = item_type.json_schema()
    json.dumps(schema)
    assert schema["type"] == "object"
    assert set(item_type.example_content()) <= set(schema["properties"])


@pytest.mark.parametrize("item_type", TYPES.values(), ids=TYPE_IDS)
def test_content_must_be_an_object_without_unknown_fields(item_type: ItemType) -> None:
    with pytest.raises(ContentError) as info:
        item_type.load([])
    assert info.value.problems[0].field == ""
    with pytest.raises(ContentError) as info:
        item_type.load({**item_type.example_content(), "feedback": "x"})
    assert [p.as_dict() for p in info.value.problems] == [
        {"field": "feedback", "message": "Kolom tidak dikenal.", "message_en": "Unknown field."}
    ]


BEST_RESPONSES: dict[str, Any] = {
    "single_choice": "B",
    "multiple_response": ["D", "C", "A"],
    "weighted_options": "B",
    "true_false": True,
    "short_text": "kota bandung",
    "extended_text": {"R1": 4, "R2": 4, "R3": 2},
    "ordering": ["B", "D", "A", "E", "C"],
    "matching": [["P3", "R1"], ["P1", "R2"], ["P2", "R3"]],
    "likert": "SS",
    "composite": ["B", ["D", "C", "A"]],
    "inline_choice": {"G1": "B", "G2": "B"},
    "numeric": 1.545,
    "slider": 70,
    "gap_match": [["A", "G1"], ["B", "G2"]],
    "hot_text": ["H4", "H3"],
    "hotspot": "B",
    "associate": [["C", "A"], ["B", "D"], ["E", "F"]],
    "graphic_gap_match": [["G3", "B"], ["G2", "A"]],
    "select_point": [[300, 75], [110, 207]],
    "graphic_order": ["C", "B", "D", "A"],
    "graphic_associate": [["C", "B"], ["B", "D"]],
}


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_best_response_reaches_max_score_and_blank_scores_zero(type_id: str) -> None:
    item_type = TYPES[type_id]
    content = item_type.example_content()
    assert item_type.score(content, BEST_RESPONSES[type_id]) == item_type.max_score(content) > 0
    assert item_type.score(content, None) == 0


# -- rich text -------------------------------------------------------------------------

HTML_PATHS: dict[str, list[str]] = {
    "single_choice": [f"options.{i}.text" for i in range(5)],
    "multiple_response": [f"options.{i}.text" for i in range(5)],
    "weighted_options": [f"options.{i}.text" for i in range(5)],
    "true_false": [],
    "short_text": [],
    "extended_text": [f"rubric.{i}.criterion" for i in range(3)],
    "ordering": [f"options.{i}.text" for i in range(5)],
    "matching": [f"premises.{i}.text" for i in range(3)]
    + [f"responses.{i}.text" for i in range(4)],
    "likert": [f"scale.{i}.text" for i in range(5)],
    "composite": ["parts.0.prompt"]
    + [f"parts.0.content.options.{i}.text" for i in range(5)]
    + ["parts.1.prompt"]
    + [f"parts.1.content.options.{i}.text" for i in range(5)],
    "inline_choice": ["text"],
    "numeric": [],
    "slider": [],
    "gap_match": ["text"],
    "hot_text": ["text"] + [f"hottexts.{i}.text" for i in range(4)],
    "hotspot": ["image"],
    "associate": [f"choices.{i}.text" for i in range(6)],
    "graphic_gap_match": ["image", "gaps.0.image", "gaps.1.image", "gaps.2.image"],
    "select_point": ["image"],
    "graphic_order": ["image"],
    "graphic_associate": ["image"],
}


def resolve(content: Any, path: str) -> Any:
    for part in path.split("."):
        content = content[int(part)] if isinstance(content, list) else content[part]
    return content


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_html_fields_and_map_html(type_id: str) -> None:
    item_type = TYPES[type_id]
    content = item_type.example_content()
    fields = list(item_type.html_fields(content))
    assert [path for path, _ in fields] == HTML_PATHS[type_id]
    assert all(resolve(content, path) == value for path, value in fields)
    mapped = item_type.map_html(content, lambda value: f"<div>{value}</div>")
    assert content == item_type.example_content()
    for path, value in fields:
        assert resolve(mapped, path) == f"<div>{value}</div>"
    unmapped = item_type.map_html(mapped, lambda value: value[len("<div>") : -len("</div>")])
    assert unmapped == content


# -- previews --------------------------------------------------------------------------

INSTRUCTIONS: dict[str, tuple[str, str]] = {
    "single_choice": ("Pilih satu jawaban.", "Choose one answer."),
    "multiple_response": ("Pilih semua jawaban yang benar.", "Choose every correct answer."),
    "weighted_options": ("Pilih satu jawaban.", "Choose one answer."),
    "true_false": ("Pilih Benar atau Salah.", "Choose True or False."),
    "short_text": (">Jawaban</label>", ">Answer</label>"),
    "extended_text": (">Jawaban Anda</label>", ">Your answer</label>"),
    "ordering": ("Urutkan pilihan berikut", "Put the options below in order"),
    "matching": ("Pasangkan setiap pernyataan", "Match each statement"),
    "likert": ("Pilih satu tanggapan", "Choose the response"),
    "composite": (">Bagian 2</h3>", ">Part 2</h3>"),
    "inline_choice": ("Pilih jawaban untuk setiap rumpang.", "Choose an answer for each gap."),
    "numeric": (">Jawaban (bilangan)</label>", ">Answer (a number)</label>"),
    "slider": (">Geser untuk memilih nilai</label>", ">Slide to choose a value</label>"),
    "gap_match": (
        "Isi setiap rumpang dengan salah satu kata yang tersedia.",
        "Fill each gap with one of the words given.",
    ),
    "hot_text": ("Pilih bagian teks yang benar", "Select the right parts of the text"),
    "hotspot": ("Pilih satu area pada gambar.", "Choose one area on the image."),
    "associate": ("Pasangkan pilihan-pilihan", "Pair up the choices"),
    "graphic_gap_match": ("Tempatkan gambar yang tepat", "Place the right image"),
    "select_point": ("Tunjuk titik-titik yang tepat", "Click the right points"),
    "graphic_order": ("Urutkan area pada gambar", "Put the areas of the image in order"),
    "graphic_associate": ("Pasangkan area-area", "Pair up the areas"),
}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_preview_language_and_structure(type_id: str, lang: str) -> None:
    item_type = TYPES[type_id]
    content = item_type.example_content()
    html = item_type.preview_html(STEM, content, lang)
    assert html.startswith(f'<div class="ib-item ib-{type_id}">')
    assert f'-stem">{STEM}</div>' in html  # the sanitized stem goes in as it is
    assert INSTRUCTIONS[type_id][0 if lang == "id" else 1] in html
    assert INSTRUCTIONS[type_id][1 if lang == "id" else 0] not in html
    assert "checked" not in html and "selected" not in html
    if type_id == "inline_choice":  # the sentence, with a list where each marker was
        assert "<p>Pancasila disahkan sebagai dasar negara pada tanggal <label" in html
        assert "[[" not in html and html.count("<select") == 2
    elif type_id == "gap_match":
        assert "<p>Pancasila sebagai <label" in html
        assert "[[" not in html and html.count("<select") == 2
    elif type_id == "hot_text":
        assert '<p>Para <span class="ib-hottext">' in html
        assert "[[" not in html and html.count('type="checkbox"') == 4
    elif type_id != "extended_text":  # the rubric is for raters only
        assert all(value in html for _, value in item_type.html_fields(content))

    tree = lxml_html.fragment_fromstring(html)
    ids = tree.xpath("//@id")
    assert len(ids) == len(set(ids))
    labelled = set(tree.xpath("//label/@for"))
    for control in tree.xpath("//input | //select | //textarea"):
        assert control.get("id") in labelled
    for fieldset in tree.xpath("//fieldset"):
        assert fieldset[0].tag == "legend"


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_preview_falls_back_to_indonesian_and_is_deterministic(type_id: str) -> None:
    item_type = TYPES[type_id]
    content = item_type.example_content()
    preview = item_type.preview_html(STEM, content, "id")
    assert item_type.preview_html(STEM, content, "fr") == preview
    assert item_type.preview_html(STEM, content) == preview
    assert item_type.preview_html("<p>Soal lain.</p>", content) != preview


KEY_CHANGES: dict[str, dict[str, Any]] = {
    "single_choice": {"key": "A"},
    "multiple_response": {"keys": ["B"]},
    "weighted_options": {"options.0.weight": 5, "options.1.weight": 1},
    "true_false": {"key": False},
    "short_text": {"accepted": ["Surabaya"], "case_sensitive": True},
    "extended_text": {"rubric.0.max_points": 1},
    "ordering": {"correct_order": ["A", "B", "C", "D", "E"]},
    "matching": {"pairs": [["P1", "R1"]], "scoring": "all_or_nothing"},
    "likert": {"direction": "negative"},
    "composite": {"parts.0.content.key": "A", "parts.1.content.keys": ["B"]},
    "inline_choice": {"gaps.0.correct": "A", "gaps.1.points": 3},
    "numeric": {"answer": 2, "tolerance": 5, "tolerance_mode": "relative"},
    "slider": {"answer": 20, "tolerance": 0},
    "gap_match": {"key": [["G1", "C"], ["G2", "D"]], "gaps.0.points": 4},
    "hot_text": {"keys": ["H1"], "points": 1},
    "hotspot": {"keys": ["A"]},
    "associate": {"pairs": [["A", "D"]], "scoring": "all_or_nothing"},
    "graphic_gap_match": {"pairs": [["G1", "B"]]},
    "select_point": {"areas.0.value": 2, "areas.1.coords": [10, 10, 90, 10, 50, 90]},
    "graphic_order": {"correct_order": ["A", "B", "C", "D"]},
    "graphic_associate": {"pairs": [["A", "D"]], "scoring": "all_or_nothing"},
}


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_preview_does_not_depend_on_the_key(type_id: str) -> None:
    item_type = TYPES[type_id]
    content = item_type.example_content()
    other_key = patched(content, KEY_CHANGES[type_id])
    assert item_type.preview_html(STEM, other_key) == item_type.preview_html(STEM, content)


HOSTILE = '"><script>alert(1)</script>'
INJECTED_PATHS: dict[str, list[str]] = {
    "single_choice": ["options.0.id"],
    "multiple_response": ["options.1.id"],
    "weighted_options": ["options.2.id"],
    "short_text": ["accepted.0"],
    "extended_text": ["rubric.0.id"],
    "ordering": ["options.0.id"],
    "matching": ["premises.0.id", "responses.0.id"],
    "likert": ["scale.0.id"],
    "inline_choice": ["gaps.0.options.0.id", "gaps.0.options.1.text"],
    "gap_match": ["words.0.id", "words.1.text"],
    # hot_text: none; its hot texts are rich text, sanitized before a preview (and reduced
    # to inline formatting on load: tests/test_itemtypes_text_based.py)
    "hotspot": ["hotspots.0.id", "hotspots.1.label"],
    "associate": ["choices.0.id"],
    "graphic_gap_match": ["gaps.0.label", "hotspots.1.id"],
    "graphic_order": ["hotspots.0.id", "hotspots.2.label"],
    "graphic_associate": ["hotspots.1.id", "hotspots.3.label"],
}

#: Accepted answers and rubrics never appear in a preview.
HIDDEN_FROM_CANDIDATES = {"short_text", "extended_text"}


@pytest.mark.parametrize("type_id", list(INJECTED_PATHS))
def test_preview_escapes_plain_text(type_id: str) -> None:
    item_type = TYPES[type_id]
    changes = dict.fromkeys(INJECTED_PATHS[type_id], HOSTILE)
    html = item_type.preview_html(STEM, patched(item_type.example_content(), changes))
    assert "<script>" not in html
    if type_id not in HIDDEN_FROM_CANDIDATES:
        assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- shared helpers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "expected"), [(0, "A"), (4, "E"), (25, "Z"), (26, "AA"), (27, "AB"), (702, "AAA")]
)
def test_letter(index: int, expected: str) -> None:
    assert letter(index) == expected


@pytest.mark.parametrize(
    ("text", "blank"),
    [
        ("", True),
        ("<p> </p>", True),
        ("<p>&nbsp;<br></p>", True),
        ("<p>0</p>", False),
        ('<img src="a.png" alt="">', False),
        ('<p><IMG SRC="a.png"></p>', False),
        ("<p>&amp;</p>", False),
    ],
)
def test_html_is_blank(text: str, blank: bool) -> None:
    assert html_is_blank(text) is blank


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("A", True),
        ("_a", True),
        ("a-b.c_1", True),
        ("x" * 32, True),
        ("x" * 33, False),
        ("1a", False),
        ("-a", False),
        ("", False),
        ("A\n", False),
        ("a b", False),
        ("é", False),
    ],
)
def test_is_identifier(value: str, valid: bool) -> None:
    assert is_identifier(value) is valid


class _Fields(ma.Schema):
    number = JsonNumber()
    flag = StrictBoolean()


@pytest.mark.parametrize(
    ("data", "loaded"),
    [({"number": 2}, 2), ({"number": 2.5}, 2.5), ({"flag": True}, True), ({"flag": False}, False)],
)
def test_strict_fields_accept_json_values_as_given(data: dict[str, Any], loaded: Any) -> None:
    value = next(iter(_Fields().load(data).values()))
    assert value == loaded and type(value) is type(loaded)


@pytest.mark.parametrize(
    "data",
    [
        {"number": "2"},
        {"number": True},
        {"number": math.inf},
        {"number": math.nan},
        {"number": None},
        {"flag": 1},
        {"flag": "true"},
        {"flag": 0},
    ],
)
def test_strict_fields_refuse_other_values(data: dict[str, Any]) -> None:
    with pytest.raises(ma.ValidationError):
        _Fields().load(data)


@pytest.mark.parametrize(
    ("earned", "expected"), [(-2, 0), (0, 0), (1, 4 / 3), (2, 8 / 3), (3, 4), (5, 4)]
)
def test_partial_credit_is_clamped(earned: int, expected: float) -> None:
    assert partial_credit(4, earned, 3) == expected


def test_loading_is_idempotent_for_every_type(plugins: PluginHost) -> None:
    """Saving relies on it: content that sanitizing leaves alone is not loaded twice."""
    for item_type in plugins.item_types.values():
        once = item_type.load(item_type.example_content())
        assert item_type.load(once) == once, item_type.id
