"""QTI import (``itembank.qti_bridge.convert``): the public sample corpus item by item against a
golden list, the round trip of everything it imports (exported again as QTI 3.0 and 2.1,
validated, scored like the source on every response of the proof), the round trip of the
bank's own exports of every item type, and hostile or broken input."""

from __future__ import annotations

import copy
import hashlib
import io
import os
import sys
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from itembank.itemtypes import ItemType
from itembank.plugins import PluginHost
from itembank.qti_bridge.convert import REASONS, Candidate, ImportResult, convert, type_order
from itembank.qti_bridge.parts import joint_responses
from itembank.qti_bridge.responses import responses_for, responses_for_gaps
from plugins.itemtypes._graphic import EXAMPLE_GAP_IMAGES, EXAMPLE_MEDIA, EXAMPLE_SHA256
from qti.model import InlineChoiceInteraction
from qti.package import (
    Classification,
    PackageItem,
    PackageSection,
    PackageTest,
    build_package,
)
from qti.package_reader import open_source
from qti.reader import read_item
from qti.rp import score_function
from qti.xml import parse_bytes
from tests.qti_import_golden import GOLDEN
from tests.qti_items import CHOICE_ITEM
from tests.qti_items import png as _png
from tests.qti_items import zip_of as _zip
from tests.shared import SHARED as SHARED_ROOT
from tests.shared import shared_path

SHARED = SHARED_ROOT / "qti-samples"
QTIWORKS = (
    SHARED / "davemckain-qtiworks/qtiworks-samples/src/main/resources/uk/ac/ed/ph/qtiworks/samples"
)
KENNISNET = SHARED / "kennisnet-php-qti3"

sys.path.insert(0, str(Path(__file__).parent / "thirdparty"))
HOST = PluginHost(entry_points=False, extra=["acme_itembank"])
sys.path.pop(0)
TYPES = HOST.item_types


PNG = _png()
PNG_SHA = hashlib.sha256(PNG).hexdigest()


# -- the corpus ---------------------------------------------------------------------------


def _targets() -> list[tuple[str, Path]]:
    shared_path("qti-samples")
    targets = [(f"qtiworks/{p.name}", p) for p in sorted(QTIWORKS.iterdir()) if p.is_dir()]
    targets += [(f"kennisnet/{p.name}", p) for p in sorted((KENNISNET / "fixtures").glob("*.zip"))]
    targets.append(
        ("kennisnet/resources", KENNISNET / "tests/Unit/AssessmentItem/Service/resources")
    )
    return targets


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[Path, ImportResult]]:
    return {label: (path, convert(path, TYPES)) for label, path in _targets()}


def _xml_files(path: Path) -> set[str]:
    if path.is_dir():
        return {p.relative_to(path).as_posix() for p in path.rglob("*.xml")}
    with zipfile.ZipFile(path) as archive:
        return {name for name in archive.namelist() if name.endswith(".xml")}


def test_every_sample_file_gets_its_golden_outcome(corpus: dict[str, Any]) -> None:
    outcomes: dict[str, str] = {}
    for label, (path, result) in corpus.items():
        files = _xml_files(path)
        for entry in result.report:
            assert entry.reason in REASONS and entry.reason != "internal_error", entry
            assert entry.message and entry.message_en
            if entry.status in ("imported", "not_imported", "skipped"):
                key = f"{label}/{entry.file}"
                assert key not in outcomes, f"{key} reported twice"
                outcomes[key] = entry.type_id or entry.reason
        documented = {f"{label}/{name}" for name in files} - {f"{label}/imsmanifest.xml"}
        assert documented <= set(outcomes) | set(), documented - set(outcomes)
        if "imsmanifest.xml" in files:
            assert any(e.reason == "manifest" for e in result.report)
        assert len(result.candidates) == sum(1 for e in result.report if e.status == "imported")
    assert outcomes == GOLDEN


def test_reasons_are_specific_and_bilingual(corpus: dict[str, Any]) -> None:
    entries = {
        f"{label}/{e.file}": e
        for label, (_path, result) in corpus.items()
        for e in result.report
        if e.status == "not_imported"
    }
    bonus = entries["qtiworks/stomp/chc_mulS.xml"]
    assert bonus.message_en == (
        "Cannot be represented: the exact correct response (ChoiceA ChoiceB) scores 5, more "
        "than its choices' values together (4): a bonus for the exact answer has no form in "
        "the bank (mapped scoring adds up each choice's value)"
    )
    assert "jawaban benar persis (ChoiceA ChoiceB) mendapat 5" in bonus.message
    drawing = entries["qtiworks/ims/drawing.xml"]
    assert (drawing.reason, drawing.line) == ("unsupported_interaction", 11)
    assert "<drawingInteraction>" in drawing.message_en


def test_imported_samples_keep_text_images_and_metadata(corpus: dict[str, Any]) -> None:
    _path, result = corpus["kennisnet/valid-package.zip"]
    first = next(c for c in result.candidates if c.file == "QUE_1_1.xml")
    assert first.type_id == "single_choice"
    assert first.content["key"] == "choice1" and first.content["points"] == 1
    assert first.content["shuffle"] is True
    assert [o["text"] for o in first.content["options"]] == [
        "<p>A</p>",
        "<p>B</p>",
        "<p>C</p>",
        "<p>D</p>",
    ]
    assert first.stem.startswith("<p><strong>Anatomie zaadplant.</strong><br>")
    assert len(first.media) == 3
    for media in first.media:
        assert f'src="/media/{media.sha256}"' in first.stem
        assert hashlib.sha256(media.data).hexdigest() == media.sha256
        assert media.media_type == "image/jpeg"
    assert first.title == "Plantenanatomie"
    assert first.metadata["resource"] == "QUE_1_1"
    essay = next(c for c in result.candidates if c.file == "QUE_11_1.xml")
    assert essay.content["rubric"][0]["max_points"] == 1
    assert "lucht in de vaten" in essay.content["rubric"][0]["criterion"]
    _path, ims = corpus["qtiworks/ims"]
    einstein = next(c for c in ims.candidates if c.file == "math.xml")
    assert einstein.stem == (
        "Which famous scientist is popularly associated with the equation <math><mrow>"
        "<mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn></msup></mrow></math> ?"
    )
    _path, cito = corpus["kennisnet/no-metadata.zip"]
    lom = next(c for c in cito.candidates if c.file == "depitems/32m5a5.xml")
    sources = [c["source"] for c in lom.metadata["classifications"]]
    assert sources[:2] == ["copyright", "leerweg1"]
    assert lom.metadata["classifications"][1]["taxa"] == [{"id": "GL/TL", "entry": "GL/TL"}]


# -- scoring of the round trip -----------------------------------------------------------


def _source_scorer(path: Path, file: str) -> tuple[Any, Callable[[Any], float], Any, Any]:
    with open_source(path) as source:
        reading = read_item(source.read(file, document=True))
    interaction = next(reading.item.interactions())
    declaration = next(
        r for r in reading.item.responses if r.identifier == interaction.response_identifier
    )
    run = score_function(reading.root)
    if _gaps(reading.item):  # inline choices: a dict of the gaps' variables
        return reading, (lambda value: run(value or {})), interaction, declaration
    return reading, (lambda value: run({declaration.identifier: value})), interaction, declaration


def _gaps(item: Any) -> bool:
    return all(isinstance(i, InlineChoiceInteraction) for i in item.interactions())


def _package(candidates: list[Candidate], version: str) -> dict[str, bytes]:
    items, media = [], {}
    for index, candidate in enumerate(candidates):
        item_type = TYPES[candidate.type_id]
        model = item_type.qti_item(
            candidate.stem,
            candidate.content,
            identifier=f"I{index}",
            title=candidate.title,
            lang=candidate.language or "id",
        )
        items.append(PackageItem(model, f"B-{index}", 1))
        media.update({m.sha256: m.data for m in candidate.media})
    test = PackageTest(
        "T", "T", (PackageSection("S", "S", tuple(i.item.identifier for i in items)),)
    )
    package = build_package(test, items, media, version)  # type: ignore[arg-type]
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("version", ["3.0", "2.1"])
def test_imported_samples_export_valid_and_score_like_the_source(
    corpus: dict[str, Any], version: str
) -> None:
    pairs = [
        (path, candidate) for path, result in corpus.values() for candidate in result.candidates
    ]
    assert len(pairs) == sum(1 for value in GOLDEN.values() if value in TYPES)
    files = _package([candidate for _path, candidate in pairs], version)  # validates
    checked = 0
    for index, (path, candidate) in enumerate(pairs):
        item_type = TYPES[candidate.type_id]
        reading, source, interaction, declaration = _source_scorer(path, candidate.file)
        exported = score_function(parse_bytes(files[f"items/I{index}.xml"]))
        if len(list(reading.item.interactions())) > 1:  # a composite: every response at once
            run = score_function(reading.root)
            for value in joint_responses(reading.item, run):
                bank = item_type.response_from_qti(candidate.content, value)
                assert exported(item_type.qti_response(candidate.content, bank)) == run(value)
                checked += 1
            continue
        extra = [str(key) for key in item_type.summary(candidate.content).keys]
        gaps = _gaps(reading.item)
        tried = (
            responses_for_gaps(reading.item)
            if gaps
            else responses_for(reading.item, interaction, declaration, extra)
        )
        for value in tried:
            if item_type.scored_by_person:
                variables = {"RESPONSE": value}
            else:
                bank = item_type.response_from_qti(candidate.content, value)
                variables = item_type.qti_response(candidate.content, bank)
            assert exported(variables) == source(value), (candidate.file, value)
            checked += 1
    assert checked >= 1500


@pytest.mark.parametrize("version", ["3.0", "2.1"])
def test_newly_representable_samples_come_back_identical(
    corpus: dict[str, Any], version: str
) -> None:
    """The text entries scored by a mapping of answers (mapped short text), the hot
    text holding formatting and the postcard shown by an object (an image with its
    fallback text as alt text), exported (every document validated against the QTI XSDs
    as the package is built) and imported again: the same stem, content and media."""
    wanted = {
        ("qtiworks/ims", "text_entry.xml"),
        ("qtiworks/stomp", "hottext.xml"),
        ("qtiworks/ims", "extended_text.xml"),
        ("qtiworks/ims", "nested_object.xml"),
    }
    candidates = [
        candidate
        for label, (_path, result) in corpus.items()
        for candidate in result.candidates
        if (label, candidate.file) in wanted
    ]
    assert len(candidates) == 4
    result = convert(_zip(_package(candidates, version)), TYPES, name="again.zip")
    again = {c.identifier: c for c in result.candidates}
    for index, candidate in enumerate(candidates):
        assert again[f"I{index}"].type_id == candidate.type_id
        assert again[f"I{index}"].stem == candidate.stem
        assert again[f"I{index}"].content == candidate.content
        assert {m.sha256 for m in again[f"I{index}"].media} == {m.sha256 for m in candidate.media}
    hot = next(c for c in candidates if c.type_id == "hot_text")
    assert hot.content["hottexts"][-1] == {"id": "E", "text": "<em>No error</em>."}


# -- the bank's own exports ----------------------------------------------------------------


STEM = f'<p>Pokok soal dengan <strong>gambar</strong> <img src="/media/{PNG_SHA}" alt="grafik"></p>'


def _own_contents() -> list[tuple[str, dict[str, Any]]]:
    cases = [(type_id, TYPES[type_id].example_content()) for type_id in TYPES]
    likert = TYPES["likert"].example_content()
    cases.append(("likert", {**likert, "direction": "negative"}))
    cases.append(("true_false", {"key": False, "points": 2}))
    mr = TYPES["multiple_response"].example_content()
    cases.append(("multiple_response", {**mr, "scoring": "all_or_nothing", "shuffle": False}))
    matching = TYPES["matching"].example_content()
    cases.append(("matching", {**matching, "scoring": "all_or_nothing"}))
    short = TYPES["short_text"].example_content()
    cases.append(("short_text", {**short, "case_sensitive": True}))
    york = {"id": "J1", "text": "york", "value": 0.5}
    minus = {"id": "J2", "text": "Lancaster", "value": -1}
    cases.append(
        (
            "short_text",
            {
                **short,
                "accepted": ["York", "House of York"],
                "case_sensitive": True,
                "scoring": "mapped",
                "answer_values": [york, minus],
                "mapping": {"default": -0.25, "lower": None},
            },
        )
    )
    cases.append(
        (
            "short_text",
            {**short, "points": 2, "scoring": "mapped", "answer_values": [{**york, "value": 1}]},
        )
    )
    hotspot = TYPES["hotspot"].example_content()
    many = {"keys": ["A", "C"], "max_choices": 0, "scoring": "partial", "points": 2}
    cases.append(("hotspot", {**hotspot, **many}))
    cases.append(("hotspot", {**hotspot, **many, "scoring": "all_or_nothing", "max_choices": 2}))
    associate = TYPES["associate"].example_content()
    cases.append(("associate", {**associate, "scoring": "all_or_nothing", "shuffle": False}))
    weighted = copy.deepcopy(TYPES["weighted_options"].example_content())
    for option, weight in zip(weighted["options"], [5, 4, 3, 2, 1], strict=True):
        option["weight"] = weight
    cases.append(("weighted_options", weighted))
    inline = copy.deepcopy(TYPES["inline_choice"].example_content())
    inline["gaps"][1]["points"] = 0.25
    inline["text"] = "<p>Pada [[G1]] oleh <strong>[[G2]]</strong> &amp; lainnya.</p>"
    cases.append(("inline_choice", {**inline, "shuffle": True}))
    numeric = TYPES["numeric"].example_content()
    cases.append(("numeric", {**numeric, "tolerance": 2.5, "tolerance_mode": "relative"}))
    cases.append(("numeric", {**numeric, "answer": -3, "tolerance": 0}))
    gaps = TYPES["gap_match"].example_content()
    cases.append(("gap_match", {**gaps, "key": [["G1", "B"], ["G2", "B"]], "reuse_words": True}))
    hot = TYPES["hot_text"].example_content()
    cases.append(("hot_text", {**hot, "keys": ["H4"], "max_choices": 1, "points": 1}))
    formatted = [{"id": "H1", "text": "H<sub>2</sub>O"}, {"id": "H2", "text": "<em>bukan</em>."}]
    cases.append(("hot_text", {**hot, "hottexts": formatted + hot["hottexts"][2:]}))
    return [(type_id, TYPES[type_id].load(content)) for type_id, content in cases]


OWN = _own_contents()


def own_package(version: str, copies: int = 2, labelled: bool = True) -> bytes:
    """The bank's own export of every type of :data:`OWN`, ``copies`` times (the first
    copy without the stem's image), in QTI ``version``; ``labelled=False``: without the
    items' type labels."""
    items = []
    for number in range(copies):
        for index, (type_id, content) in enumerate(OWN):
            model = TYPES[type_id].qti_item(
                STEM if number else "<p>Pokok soal tanpa gambar</p>",
                content,
                identifier=f"Q{number}_{index}",
                title="S",
            )
            model = model if labelled else replace(model, label=None)
            items.append(PackageItem(model, f"B{number}_{index}", 1))
    test = PackageTest(
        "T", "T", (PackageSection("S", "S", tuple(i.item.identifier for i in items)),)
    )
    media = {PNG_SHA: PNG, **EXAMPLE_MEDIA}
    return build_package(test, items, media, version).data  # type: ignore[arg-type]


#: The examples' images each graphic type shows besides the stem's.
GRAPHIC_MEDIA = {
    "hotspot": [EXAMPLE_SHA256],
    "graphic_gap_match": list(EXAMPLE_MEDIA),
    "select_point": [EXAMPLE_SHA256],
    "graphic_order": [EXAMPLE_SHA256],
    "graphic_associate": [EXAMPLE_SHA256],
}


@pytest.mark.parametrize("version", ["3.0", "2.1"])
def test_own_exports_come_back_identical(version: str) -> None:
    items = []
    for index, (type_id, content) in enumerate(OWN):
        model = TYPES[type_id].qti_item(
            STEM, content, identifier=f"Q{index}", title=f"Soal {index}"
        )
        classification = Classification("asn-2017", "M.8", "Perekat bangsa", 3)
        items.append(PackageItem(model, f"CACT-DEMO-{index:06d}", 2, (classification,)))
    test = PackageTest(
        "T", "Ujian", (PackageSection("S", "S", tuple(i.item.identifier for i in items)),)
    )
    media = {PNG_SHA: PNG, **EXAMPLE_MEDIA}
    package = build_package(test, items, media, version)  # type: ignore[arg-type]
    result = convert(package.data, TYPES, name="export.zip")
    imported = {c.identifier: c for c in result.candidates}
    refused = [e for e in result.report if e.status == "not_imported"]
    assert not refused
    for index, (type_id, content) in enumerate(OWN):
        candidate = imported[f"Q{index}"]
        assert candidate.type_id == type_id, (index, type_id)
        expected = {**content, "unit": ""} if type_id == "numeric_entry" else content
        assert candidate.content == expected, type_id
        assert candidate.stem == STEM
        shown = [PNG_SHA, *GRAPHIC_MEDIA.get(type_id, [])]
        assert sorted(m.sha256 for m in candidate.media) == sorted(shown)
        assert candidate.metadata["bank_item_id"] == f"CACT-DEMO-{index:06d}"
        assert candidate.metadata["version"] == "2"
        assert candidate.metadata["classifications"][0]["source"] == "asn-2017"
        assert candidate.metadata["classifications"][0]["taxa"][0]["id"] == "M.8"
        assert candidate.title == f"Soal {index}"


@pytest.mark.parametrize("version", ["3.0", "2.1"])
def test_part_prompts_before_a_stage_or_a_text_entry_come_back_to_their_parts(
    version: str,
) -> None:
    """A position object stage and a text entry have no prompt of their own: the export
    writes the part's prompt in a marked block before them, which the import gives back
    to the part (not to the stem)."""
    point = TYPES["select_point"].example_content()
    content = TYPES["composite"].load(
        {
            "parts": [
                {
                    "id": "RESPONSE_1",
                    "type": "select_point",
                    "prompt": "<p>Letakkan <strong>penanda</strong> di kota itu.</p>",
                    "content": {**point, "marker": EXAMPLE_GAP_IMAGES[0]},
                },
                {
                    "id": "RESPONSE_2",
                    "type": "short_text",
                    "prompt": "<p>Tulis nama kotanya.</p>",
                    "content": TYPES["short_text"].example_content(),
                },
            ]
        }
    )
    model = TYPES["composite"].qti_item(STEM, content, identifier="Q", title="Q")
    test = PackageTest("T", "T", (PackageSection("S", "S", ("Q",)),))
    package = build_package(
        test, [PackageItem(model, "B-1", 1)], {PNG_SHA: PNG, **EXAMPLE_MEDIA}, version
    )  # type: ignore[arg-type]
    (candidate,) = convert(package.data, TYPES, name="export.zip").candidates
    assert candidate.type_id == "composite"
    assert candidate.content == content
    assert candidate.stem == STEM


def test_without_the_label_hint_the_defined_order_decides() -> None:
    likert = TYPES["likert"]
    content = likert.load(likert.example_content())
    model = replace(likert.qti_item(STEM, content, identifier="L", title="L"), label=None)
    test = PackageTest("T", "T", (PackageSection("S", "S", ("L",)),))
    package = build_package(test, [PackageItem(model, "L", 1)], {PNG_SHA: PNG})
    result = convert(package.data, TYPES)
    (candidate,) = result.candidates
    assert candidate.type_id == "weighted_options"  # asked before likert
    weights = [o["weight"] for o in candidate.content["options"]]
    assert weights == [5, 4, 3, 2, 1]


def test_type_order_is_defined_and_hint_goes_first() -> None:
    order = [t.id for t in type_order(TYPES)]
    assert order[:9] == [
        "single_choice",
        "multiple_response",
        "weighted_options",
        "true_false",
        "likert",
        "short_text",
        "extended_text",
        "ordering",
        "matching",
    ]
    assert order[9:] == [
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
        "composite",
        "numeric_entry",
    ]
    assert next(t.id for t in type_order(TYPES, "itembank:numeric_entry")) == "numeric_entry"
    assert [t.id for t in type_order(TYPES, "itembank:unknown")] == order


# -- hostile and broken input -----------------------------------------------------------------


def _outcomes(result: ImportResult) -> dict[str, tuple[str, str, int | None]]:
    return {
        e.file: (e.status, e.type_id or e.reason, e.line)
        for e in result.report
        if e.status != "note"
    }


def test_hostile_items_are_reported_and_the_good_one_imported() -> None:
    members = {
        "good.xml": CHOICE_ITEM.format(ident="good", image='<img src="img/a.png" alt=""/>'),
        "img/a.png": PNG,
        "missing.xml": CHOICE_ITEM.format(ident="missing", image='<img src="img/none.png"/>'),
        "outside.xml": CHOICE_ITEM.format(ident="outside", image='<img src="../../x.png"/>'),
        "remote.xml": CHOICE_ITEM.format(ident="remote", image='<img src="http://e.x/a.png"/>'),
        "fake.xml": CHOICE_ITEM.format(ident="fake", image='<img src="img/fake.png"/>'),
        "img/fake.png": b"\x89PNG\r\n\x1a\nnot really",
        "eps.xml": CHOICE_ITEM.format(ident="eps", image='<img src="img/p.eps"/>'),
        "img/p.eps": b"%!PS-Adobe-3.0 EPSF",
        "bomb.xml": '<?xml version="1.0"?>\n<!DOCTYPE b [<!ENTITY a "aaaa">]>\n<b>&a;</b>',
        "broken.xml": "<assessmentItem>\n<p>\n</assessmentItem>",
        "../slip.xml": "<x/>",
        "big.xml": b"<x>" + os.urandom(5 << 19).hex().encode() + b"</x>",
    }
    result = convert(_zip(members), TYPES, name="hostile.zip")
    outcomes = _outcomes(result)
    assert outcomes["good.xml"] == ("imported", "single_choice", None)
    assert outcomes["missing.xml"][:2] == ("not_imported", "missing_media")
    assert outcomes["missing.xml"][2] == 7
    assert outcomes["outside.xml"][:2] == ("not_imported", "missing_media")
    assert outcomes["remote.xml"][:2] == ("not_imported", "missing_media")
    assert outcomes["fake.xml"][:2] == ("not_imported", "unsupported_media")
    assert outcomes["eps.xml"][:2] == ("not_imported", "unsupported_media")
    assert outcomes["bomb.xml"] == ("not_imported", "invalid_xml", 2)
    assert outcomes["broken.xml"] == ("not_imported", "invalid_xml", 3)
    assert outcomes["big.xml"][:2] == ("not_imported", "too_large")
    assert outcomes["hostile.zip"][:2] == ("not_imported", "unsafe_path")
    assert [c.identifier for c in result.candidates] == ["good"]
    assert [m.path for m in result.candidates[0].media] == ["img/a.png"]


def test_a_single_item_document_and_garbage() -> None:
    result = convert(CHOICE_ITEM.format(ident="one", image="").encode(), TYPES, name="one.xml")
    assert [c.type_id for c in result.candidates] == ["single_choice"]
    assert result.candidates[0].content["points"] == 1
    for garbage in (b"", b"\x00\xff\xfe", b"PK\x03\x04", b"<?xml version='1.0'?><a>"):
        result = convert(garbage, TYPES)
        assert result.candidates == []
        assert [e.status for e in result.report] == ["not_imported"]


def test_a_plugin_type_imports_through_the_same_hook() -> None:
    numeric = TYPES["numeric_entry"]
    content = numeric.load({"answer": 2.5, "tolerance": 0.25, "points": 3})
    model = replace(numeric.qti_item(STEM, content, identifier="N", title="N"), label=None)
    test = PackageTest("T", "T", (PackageSection("S", "S", ("N",)),))
    package = build_package(test, [PackageItem(model, "N", 1)], {PNG_SHA: PNG})
    (candidate,) = convert(package.data, TYPES).candidates
    assert candidate.type_id == "numeric_entry"
    assert candidate.content == {**content, "unit": ""}
    without_plugin = {k: v for k, v in TYPES.items() if k != "numeric_entry"}
    result = convert(package.data, without_plugin)
    assert result.candidates == []
    assert [e.reason for e in result.report if e.status == "not_imported"] == ["no_item_type"]


class _Greedy(ItemType):
    """A type that claims every choice item but scores nothing: the proof stops it."""

    id = "greedy"
    label = {"id": "Rakus", "en": "Greedy"}

    def from_qti(self, item: Any, score: Any) -> dict[str, Any] | None:
        return {}

    def load(self, content: Any) -> dict[str, Any]:
        return {}

    def score(self, content: Any, response: Any) -> float:
        return 0

    def summary(self, content: Any) -> Any:
        from itembank.itemtypes import ContentSummary

        return ContentSummary()


def test_the_proof_stops_a_type_whose_scores_differ() -> None:
    data = CHOICE_ITEM.format(ident="g", image="").encode()
    types = {"greedy": _Greedy(), **TYPES}
    result = convert(data, {**types, "greedy": types["greedy"]})
    assert [c.type_id for c in result.candidates] == ["single_choice"]
    only = convert(data, {"greedy": _Greedy()})
    (entry,) = [e for e in only.report if e.status == "not_imported"]
    assert entry.reason == "scoring_mismatch"
    assert entry.message_en.endswith("the response 'A' scores 1 in the source but 0 in the bank")


# -- select point -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "third"), [("map-response-point-template.xml", 1), ("select-point-processing.xml", 3)]
)
def test_kennisnet_select_point_items_import_with_their_image(name: str, third: int) -> None:
    """The corpus lacks their image (``missing_media`` in the golden list); with it, the
    template item imports as it is and the one whose processing divides
    ``mapResponsePoint`` by 3 with every value divided by 3, each proved."""
    folder = KENNISNET / "tests/Unit/AssessmentItem/Service/resources"
    package = _zip(
        {
            name: (folder / name).read_bytes(),
            "resources/22fd50d1cc707e413ce3ca889c831f57.jpg": _png(600, 600),
        }
    )
    result = convert(package, TYPES, name="kennisnet.zip")
    (candidate,) = result.candidates
    assert candidate.type_id == "select_point"
    content = candidate.content
    assert [a["shape"] for a in content["areas"]] == ["circle", "poly", "rect"]
    assert content["areas"][0]["coords"] == [408, 427, 51]
    assert [a["value"] for a in content["areas"]] == [1 / third] * 3
    assert content["max_choices"] == 3
    assert content["points"] == 3 / third
    select_point = TYPES["select_point"]
    assert select_point.score(content, [[408, 427], [130, 200], [0, 0]]) == 2 / third


def test_position_object_imports_as_select_point_with_its_marker(corpus: dict[str, Any]) -> None:
    """QTIworks' airports: a stage with one object placed up to three times, scored by
    an area mapping: a select point item whose marker is the object, proved."""
    _path, result = corpus["qtiworks/ims"]
    (candidate,) = [c for c in result.candidates if c.file == "position_object.xml"]
    assert candidate.type_id == "select_point"
    content = candidate.content
    media = {m.sha256: m for m in candidate.media}
    assert len(media) == 2
    for sha256 in media:
        assert f'src="/media/{sha256}"' in content["image"] + content["marker"]
    assert 'width="206" height="280"' in content["image"]
    assert 'width="16" height="16"' in content["marker"]
    assert [a["coords"] for a in content["areas"]] == [
        [118, 184, 12],
        [150, 235, 12],
        [96, 114, 12],
    ]
    assert content["max_choices"] == 3 and content["points"] == 3
    select_point = TYPES["select_point"]
    assert select_point.score(content, [[118, 184], [96, 114], [0, 0]]) == 2


POSTCARD_ALT = (
    "Here is a postcard of my town. Please send me a postcard from your town. What size is "
    "your town? What is the nicest part of your town? Where do you go in the evenings? Sam."
)


@pytest.mark.parametrize("name", ["extended_text.xml", "nested_object.xml"])
def test_an_image_object_imports_as_the_image_with_its_fallback_as_alt_text(
    corpus: dict[str, Any], name: str
) -> None:
    """QTIworks' postcard: a PNG object (nested: inside an EPS object, which the bank
    cannot show, so its fallback, the PNG object, is chosen) whose fallback is the
    postcard's text. The stem shows the PNG, stored by its hash, the text its alt text."""
    path, result = corpus["qtiworks/ims"]
    (candidate,) = [c for c in result.candidates if c.file == name]
    assert candidate.type_id == "extended_text"
    png = (path / "images/postcard.png").read_bytes()
    sha = hashlib.sha256(png).hexdigest()
    assert [(m.path, m.sha256, m.media_type) for m in candidate.media] == [
        ("images/postcard.png", sha, "image/png")
    ]
    assert candidate.stem.startswith(
        "<p>Read this postcard from your English pen-friend, Sam.</p>"
        f'<img src="/media/{sha}" alt="{POSTCARD_ALT}">'
    )
    assert "blockquote" not in candidate.stem and "eps" not in candidate.stem
    assert candidate.content["expected_length"] == 200


@pytest.mark.parametrize("name", ["text_entry.xml", "text_entry1.xml", "text_entry2.xml"])
def test_text_entry_with_answers_of_different_values_imports_as_mapped_short_text(
    corpus: dict[str, Any], name: str
) -> None:
    """QTIworks' Richard III: 'York' 1, 'york' 0.5 (mapping entries, case sensitive as
    QTI 2.1 has it by default), anything else 0: mapped short text, proved."""
    _path, result = corpus["qtiworks/ims"]
    (candidate,) = [c for c in result.candidates if c.file == name]
    assert candidate.type_id == "short_text"
    content = candidate.content
    assert content["accepted"] == ["York"] and content["case_sensitive"] is True
    assert content["scoring"] == "mapped" and content["points"] == 1
    assert content["answer_values"] == [{"id": "J1", "text": "york", "value": 0.5}]
    assert content["mapping"] == {"default": 0, "lower": None}
    short_text = TYPES["short_text"]
    scores = [short_text.score(content, r) for r in ("York", "york", "YORK", "Lancaster")]
    assert scores == [1, 0.5, 0, 0]


def _stage_item(interactions: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="s" '
        'title="Stage" adaptive="false" timeDependent="false">'
        '<responseDeclaration identifier="R1" cardinality="single" baseType="point">'
        '<areaMapping defaultValue="0"><areaMapEntry shape="circle" coords="10,10,5" '
        'mappedValue="1"/></areaMapping></responseDeclaration>'
        '<responseDeclaration identifier="R2" cardinality="single" baseType="point">'
        '<areaMapping defaultValue="0"><areaMapEntry shape="circle" coords="20,20,5" '
        'mappedValue="1"/></areaMapping></responseDeclaration>'
        '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>'
        "<itemBody><p>Place them.</p><positionObjectStage>"
        '<object type="image/png" data="stage.png" width="40" height="30"/>'
        f"{interactions}</positionObjectStage></itemBody>"
        '<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/'
        'rptemplates/map_response_point"/></assessmentItem>'
    ).encode()


def test_a_stage_with_several_objects_is_refused_with_its_reason() -> None:
    placed = (
        '<positionObjectInteraction responseIdentifier="{}" maxChoices="1">'
        '<object type="image/png" data="pin.png" width="8" height="8"/>'
        "</positionObjectInteraction>"
    )
    package = _zip(
        {
            "stage.xml": _stage_item(placed.format("R1") + placed.format("R2")),
            "stage.png": _png(40, 30),
            "pin.png": _png(8, 8),
        }
    )
    result = convert(package, TYPES, name="stage.zip")
    assert not result.candidates
    (entry,) = [e for e in result.report if e.file == "stage.xml"]
    assert entry.reason == "unsupported_interaction"
    assert "holds 2 position object interactions" in entry.message_en
    assert entry.message


def test_a_position_object_outside_a_stage_is_refused() -> None:
    item = (
        _stage_item("")
        .replace(b"<positionObjectStage>", b"")
        .replace(
            b'<object type="image/png" data="stage.png" width="40" height="30"/>'
            b"</positionObjectStage>",
            b'<positionObjectInteraction responseIdentifier="R1">'
            b'<object type="image/png" data="pin.png" width="8" height="8"/>'
            b"</positionObjectInteraction>",
        )
    )
    result = convert(_zip({"loose.xml": item, "pin.png": _png(8, 8)}), TYPES, name="l.zip")
    (entry,) = [e for e in result.report if e.file == "loose.xml"]
    assert entry.reason == "unsupported_interaction"
    assert "<positionObjectInteraction>" in entry.message_en
