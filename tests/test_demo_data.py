"""Structure checks for the demo bank's data files (``itembank/demo_data/*.json``).

No Flask app or database: these tests read the plain data, through the demo loader's own
readers. Where the built-in item type and taxonomy plugins import, every version's content
also goes through the type's ``load()`` and the sanitizer (as when a version is saved) and
every classification is looked up in the registered taxonomy.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from fractions import Fraction
from html.parser import HTMLParser
from itertools import pairwise
from typing import Any

import pytest

from itembank.demo import ASSEMBLY_FILE, DATA, ITEM_FILES, demo_items, read_demo_file

DEMO_ITEMS = demo_items()
ASSEMBLY = read_demo_file(ASSEMBLY_FILE)
DEMO_BLUEPRINT, DEMO_FORM, DEMO_ENEMIES, DEMO_ADMINISTRATION = (
    ASSEMBLY["blueprint"],
    ASSEMBLY["form"],
    ASSEMBLY["enemies"],
    ASSEMBLY["administration"],
)

ITEM_TYPES = (
    "single_choice",
    "multiple_response",
    "weighted_options",
    "true_false",
    "short_text",
    "extended_text",
    "ordering",
    "matching",
    "likert",
    "composite",
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

CONTENT_FIELDS: dict[str, set[str]] = {
    "single_choice": {"options", "key", "points", "shuffle"},
    "multiple_response": {
        "options",
        "keys",
        "points",
        "scoring",
        "min_choices",
        "max_choices",
        "shuffle",
    },
    "weighted_options": {"options", "scale", "shuffle"},
    "true_false": {"key", "points"},
    "short_text": {"accepted", "case_sensitive", "points", "expected_length"},
    "extended_text": {"rubric", "expected_length"},
    "ordering": {"options", "correct_order", "points", "shuffle"},
    "matching": {"premises", "responses", "pairs", "points", "scoring", "shuffle"},
    "likert": {"scale", "direction"},
    "composite": {"parts"},
    "inline_choice": {"text", "gaps", "shuffle"},
    "numeric": {"answer", "tolerance", "tolerance_mode", "points", "expected_length"},
    "slider": {
        "lower",
        "upper",
        "step",
        "integer",
        "answer",
        "tolerance",
        "tolerance_mode",
        "points",
        "scoring",
        "step_label",
        "vertical",
    },
    "gap_match": {"text", "words", "gaps", "key", "reuse_words", "shuffle"},
    "hot_text": {"text", "hottexts", "keys", "points", "max_choices"},
    "hotspot": {"image", "hotspots", "keys", "max_choices", "points", "scoring"},
    "associate": {"choices", "pairs", "max_associations", "points", "scoring", "shuffle"},
    "graphic_gap_match": {"image", "gaps", "hotspots", "pairs", "points", "scoring"},
    "select_point": {"image", "marker", "areas", "max_choices", "mapping", "points"},
    "graphic_order": {"image", "hotspots", "correct_order", "points"},
    "graphic_associate": {"image", "hotspots", "pairs", "max_associations", "points", "scoring"},
}

FINAL_OUTCOMES = {"draft", "in_review", "changes_requested", "approved", "rejected", "retired"}
EARLIER_OUTCOMES = {"approved", "changes_requested"}
NEEDS_COMMENT = {"changes_requested", "rejected", "retired"}

SKD_NODES = {
    "TWK",
    "TWK.NAS",
    "TWK.INT",
    "TWK.BN",
    "TWK.PN",
    "TWK.BI",
    "TIU",
    "TIU.VER",
    "TIU.VER.ANALOGI",
    "TIU.VER.SILOGISME",
    "TIU.NUM",
    "TIU.NUM.BERHITUNG",
    "TIU.NUM.DERET",
    "TIU.NUM.CERITA",
    "TIU.FIG",
    "TKP",
    "TKP.PP",
    "TKP.JK",
    "TKP.SB",
    "TKP.TIK",
    "TKP.PROF",
    "TKP.AR",
}
ASN_NODES = {f"M.{n}" for n in range(1, 9)} | {"SK.1"}
BLOOM_NODES = {f"C{n}" for n in range(1, 7)}

OPTION_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "sub",
    "sup",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
}
VOID_TAGS = {"br"}


def _versions() -> Iterator[tuple[str, int, dict[str, Any], dict[str, Any]]]:
    for item in DEMO_ITEMS:
        for index, version in enumerate(item["versions"]):
            yield item["key"], index, item, version


ALL_VERSIONS = list(_versions())
VERSION_IDS = [f"{key}-v{index + 1}" for key, index, _item, _version in ALL_VERSIONS]
ITEM_IDS = [item["key"] for item in DEMO_ITEMS]


def _final(item: dict[str, Any]) -> str:
    return item["versions"][-1]["outcome"]


def _entry_ids(item_type: str, content: dict[str, Any]) -> list[str]:
    """Every identifier an item's content defines (options, premises, criteria, ...)."""
    if item_type in {"single_choice", "multiple_response", "weighted_options", "ordering"}:
        return [option["id"] for option in content["options"]]
    if item_type == "matching":
        return [entry["id"] for entry in content["premises"] + content["responses"]]
    if item_type == "extended_text":
        return [criterion["id"] for criterion in content["rubric"]]
    if item_type == "likert":
        return [label["id"] for label in content["scale"]]
    if item_type == "composite":  # each part's own identifiers are its own
        return [part["id"] for part in content["parts"]]
    if item_type == "inline_choice":  # each gap's options are its own
        return [gap["id"] for gap in content["gaps"]]
    if item_type == "gap_match":
        return [entry["id"] for entry in content["words"] + content["gaps"]]
    if item_type == "hot_text":
        return [entry["id"] for entry in content["hottexts"]]
    if item_type == "hotspot":
        return [region["id"] for region in content["hotspots"]]
    if item_type == "associate":
        return [choice["id"] for choice in content["choices"]]
    if item_type == "graphic_gap_match":
        return [entry["id"] for entry in content["gaps"] + content["hotspots"]]
    if item_type == "select_point":
        return [area["id"] for area in content["areas"]]
    if item_type in ("graphic_order", "graphic_associate"):
        return [region["id"] for region in content["hotspots"]]
    return []


def _html_fields(item_type: str, version: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """``(label, html)`` for the stem and every rich-text field of the content."""
    yield "stem", version["stem"]
    content = version["content"]
    for key in ("options", "premises", "responses"):
        for entry in content.get(key, []) if isinstance(content, dict) else []:
            yield f"{key}.{entry['id']}", entry["text"]
    if item_type in {"inline_choice", "gap_match", "hot_text"}:  # the text with its gaps
        yield "text", content["text"]
    if item_type == "associate":
        for choice in content["choices"]:
            yield f"choices.{choice['id']}", choice["text"]
    if item_type == "extended_text":
        for criterion in content["rubric"]:
            yield f"rubric.{criterion['id']}", criterion["criterion"]
    if item_type == "composite":
        for part in content["parts"]:
            yield f"{part['id']}.prompt", part["prompt"]
            for label, text in _html_fields(part["type"], {"stem": "", **part}):
                if label != "stem":
                    yield f"{part['id']}.{label}", text


class _TagChecker(HTMLParser):
    """Collects problems: tags outside the allowed set, attributes, unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> not allowed")
        if tag == "span":
            if attrs != [("lang", "en")]:
                self.problems.append(f'<span> must carry exactly lang="en", not {attrs}')
        elif attrs:
            self.problems.append(f"<{tag}> carries attributes {attrs}")
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unexpected </{tag}> (open: {self.stack})")
            return
        self.stack.pop()


def _check_html(text: str) -> tuple[list[str], set[str]]:
    checker = _TagChecker()
    checker.feed(text)
    checker.close()
    problems = list(checker.problems)
    if checker.stack:
        problems.append(f"unclosed tags {checker.stack}")
    return problems, checker.tags


# -- the files ---------------------------------------------------------------------------------


def test_the_data_folder_holds_exactly_the_listed_files() -> None:
    names = {entry.name for entry in DATA.iterdir() if entry.name.endswith(".json")}
    assert names == {*ITEM_FILES, ASSEMBLY_FILE}


@pytest.mark.parametrize("name", [*ITEM_FILES, ASSEMBLY_FILE])
def test_files_are_canonical_json(name: str) -> None:
    """UTF-8, indent 2, non-ASCII kept as is, one final newline: what
    ``json.dumps(data, ensure_ascii=False, indent=2)`` writes, so a rewrite by a script
    changes no more than it means to."""
    text = (DATA / name).read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    assert isinstance(data["about"], str) and data["about"].strip()
    if name == ASSEMBLY_FILE:
        assert set(data) == {"about", "blueprint", "form", "enemies", "administration"}
    else:
        assert set(data) == {"about", "items"} and data["items"]


# -- the bank as a whole ---------------------------------------------------------------------


def test_enough_items_with_unique_slug_keys() -> None:
    keys = [item["key"] for item in DEMO_ITEMS]
    assert len(keys) >= 36
    assert [k for k, n in Counter(keys).items() if n > 1] == []
    assert [k for k in keys if not SLUG.fullmatch(k)] == []


def test_every_type_appears_at_least_twice() -> None:
    counts = Counter(item["type"] for item in DEMO_ITEMS)
    assert set(counts) == set(ITEM_TYPES)
    assert {t: n for t, n in counts.items() if n < 2} == {}
    # Mostly weighted options and single choice, as in the exams the bank serves (the
    # showcase of the other interaction types, interaction-types.json, grows with them).
    showcase = {item["key"] for item in read_demo_file("interaction-types.json")["items"]}
    exam = Counter(item["type"] for item in DEMO_ITEMS if item["key"] not in showcase)
    assert exam["weighted_options"] + exam["single_choice"] > sum(exam.values()) / 2


def test_final_status_mix() -> None:
    finals = Counter(_final(item) for item in DEMO_ITEMS)
    assert finals["draft"] + finals["in_review"] >= 8
    assert finals["changes_requested"] >= 4
    assert finals["approved"] >= 14
    assert 1 <= finals["rejected"] <= 2
    assert finals["retired"] == 1


def test_revision_history_mix() -> None:
    lengths = Counter(len(item["versions"]) for item in DEMO_ITEMS)
    assert lengths[2] >= 6
    assert lengths[3] >= 2


def test_weighted_items_cover_tkp_and_every_competency() -> None:
    competencies: set[str] = set()
    levels: set[int] = set()
    tkp_aspects: set[str] = set()
    for item in DEMO_ITEMS:
        if item["type"] != "weighted_options":
            continue
        for c in item["versions"][-1]["metadata"]["classifications"]:
            if c["taxonomy"] == "asn-2017":
                competencies.add(c["node"])
                levels.add(c["level"])
            elif c["taxonomy"] == "skd-cpns":
                tkp_aspects.add(c["node"])
    assert competencies == ASN_NODES
    assert len(levels) >= 3
    assert tkp_aspects == {"TKP.PP", "TKP.JK", "TKP.SB", "TKP.TIK", "TKP.PROF", "TKP.AR"}


def test_rich_text_is_used() -> None:
    tags_by_area: dict[str, set[str]] = {}
    for _key, _index, _item, version in ALL_VERSIONS:
        _problems, tags = _check_html(version["stem"])
        nodes = {c["node"] for c in version["metadata"]["classifications"]}
        area = "TIU" if any(n.startswith("TIU") for n in nodes) else "other"
        tags_by_area.setdefault(area, set()).update(tags)
    everywhere = set().union(*tags_by_area.values())
    assert "table" in tags_by_area["TIU"]
    assert {"sub", "sup", "span"} <= everywhere
    assert {"ul", "ol"} & everywhere


def test_no_two_places_share_a_mutable_object() -> None:
    """A consumer that edits one version in place must not change another."""
    seen: dict[int, str] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict | list):
            assert id(value) not in seen, f"{path} is the same object as {seen[id(value)]}"
            seen[id(value)] = path
            children = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in children:
                walk(child, f"{path}.{key}")

    walk(DEMO_ITEMS, "DEMO_ITEMS")


# -- items and versions ------------------------------------------------------------------------


@pytest.mark.parametrize("item", DEMO_ITEMS, ids=ITEM_IDS)
def test_item_shape_and_outcomes(item: dict[str, Any]) -> None:
    assert set(item) == {"key", "type", "versions"}
    assert item["type"] in ITEM_TYPES
    versions = item["versions"]
    assert 1 <= len(versions) <= 3
    for version in versions[:-1]:
        assert version["outcome"] in EARLIER_OUTCOMES
    assert versions[-1]["outcome"] in FINAL_OUTCOMES


@pytest.mark.parametrize("item", DEMO_ITEMS, ids=ITEM_IDS)
def test_revisions_change_the_item(item: dict[str, Any]) -> None:
    """Each later version differs from the one it was built from, in stem or content."""
    versions = item["versions"]
    for before, after in pairwise(versions):
        assert (before["stem"], before["content"]) != (after["stem"], after["content"])


@pytest.mark.parametrize(("key", "index", "item", "version"), ALL_VERSIONS, ids=VERSION_IDS)
def test_version_shape(key: str, index: int, item: dict[str, Any], version: dict[str, Any]) -> None:
    assert set(version) == {"stem", "content", "metadata", "outcome", "comment"}
    assert isinstance(version["stem"], str) and version["stem"].startswith("<p>")
    assert isinstance(version["comment"], str)
    if version["outcome"] in NEEDS_COMMENT:
        assert len(version["comment"]) >= 40, "reviewer comment must say what to change"
    for label, text in [
        ("stem", version["stem"]),
        ("comment", version["comment"]),
        ("notes", version["metadata"]["notes"]),
    ]:
        assert text == text.strip() and "  " not in text, f"{label} has stray whitespace"


@pytest.mark.parametrize(("key", "index", "item", "version"), ALL_VERSIONS, ids=VERSION_IDS)
def test_metadata(key: str, index: int, item: dict[str, Any], version: dict[str, Any]) -> None:
    metadata = version["metadata"]
    assert set(metadata) == {"classifications", "difficulty", "tags", "language", "notes"}
    assert metadata["language"] == "id"
    difficulty = metadata["difficulty"]
    assert difficulty is None or (isinstance(difficulty, float) and 0 <= difficulty <= 1)
    tags = metadata["tags"]
    assert tags and all(isinstance(t, str) and SLUG.fullmatch(t) for t in tags)
    assert len(set(tags)) == len(tags)
    assert isinstance(metadata["notes"], str) and metadata["notes"]
    assert "<" not in metadata["notes"], "notes are plain text"


@pytest.mark.parametrize(("key", "index", "item", "version"), ALL_VERSIONS, ids=VERSION_IDS)
def test_classifications_use_listed_codes(
    key: str, index: int, item: dict[str, Any], version: dict[str, Any]
) -> None:
    classifications = version["metadata"]["classifications"]
    assert 1 <= len(classifications) <= 2
    pairs = [(c["taxonomy"], c["node"]) for c in classifications]
    assert len(set(pairs)) == len(pairs)
    for c in classifications:
        assert set(c) == {"taxonomy", "node", "level"}
        if c["taxonomy"] == "asn-2017":
            assert c["node"] in ASN_NODES
            assert c["level"] in {1, 2, 3, 4, 5}
        elif c["taxonomy"] == "skd-cpns":
            assert c["node"] in SKD_NODES
            assert c["level"] is None
        else:
            assert c["taxonomy"] == "bloom-revised"
            assert c["node"] in BLOOM_NODES
            assert c["level"] is None
    # The first classification is the item's main one: a competency or an SKD area.
    assert classifications[0]["taxonomy"] in {"asn-2017", "skd-cpns"}


@pytest.mark.parametrize(("key", "index", "item", "version"), ALL_VERSIONS, ids=VERSION_IDS)
def test_html_uses_only_allowed_markup(
    key: str, index: int, item: dict[str, Any], version: dict[str, Any]
) -> None:
    for label, text in _html_fields(item["type"], version):
        assert isinstance(text, str) and text.strip(), f"{label} is empty"
        problems, _tags = _check_html(text)
        assert problems == [], f"{label}: {problems}"


# -- content, per type --------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "index", "item", "version"), ALL_VERSIONS, ids=VERSION_IDS)
def test_content_fields_and_identifiers(
    key: str, index: int, item: dict[str, Any], version: dict[str, Any]
) -> None:
    content = version["content"]
    mapped = set()
    if content.get("scoring") == "mapped":
        mapped = {
            "slider": {"mapping", "values"},
            "short_text": {"mapping", "scoring", "answer_values"},
        }.get(item["type"], {"mapping"})
    assert set(content) == CONTENT_FIELDS[item["type"]] | mapped
    ids = _entry_ids(item["type"], content)
    assert [i for i in ids if not OPTION_ID.fullmatch(i)] == []
    assert len(set(ids)) == len(ids), "identifiers must be unique within the item"
    if "points" in content:
        assert isinstance(content["points"], int) and content["points"] > 0
    if "shuffle" in content:
        assert isinstance(content["shuffle"], bool)
    if "scoring" in content:
        assert content["scoring"] in {"all_or_nothing", "partial", "mapped", "answer"}


def _versions_of(*types: str) -> list[Any]:
    return [
        pytest.param(item, version, id=f"{key}-v{index + 1}")
        for key, index, item, version in ALL_VERSIONS
        if item["type"] in types
    ]


@pytest.mark.parametrize(("item", "version"), _versions_of("weighted_options"))
def test_weighted_options_weights(item: dict[str, Any], version: dict[str, Any]) -> None:
    content = version["content"]
    weights = sorted(option["weight"] for option in content["options"])
    assert all(type(w) is int for w in weights)
    taxonomies = {c["taxonomy"] for c in version["metadata"]["classifications"]}
    if "skd-cpns" in taxonomies:  # TKP
        assert content["scale"] == {"min": 1, "max": 5}
        assert weights == [1, 2, 3, 4, 5]
    else:  # PPPK managerial / socio-cultural SJT
        assert "asn-2017" in taxonomies
        assert content["scale"] == {"min": 1, "max": 4}
        assert weights == [1, 2, 3, 4]


#: The slider items' answers, recomputed from their stems' numbers.
SLIDER_ANSWERS = {
    "geser-kehadiran-rapat-01": 34 / 40 * 100,
    "geser-suhu-termometer-01": 31 - 4 * 1.5,
}


@pytest.mark.parametrize(("item", "version"), _versions_of("slider"))
def test_slider_answers_are_on_the_scale_and_score_the_points(
    item: dict[str, Any], version: dict[str, Any]
) -> None:
    from plugins.itemtypes.slider import Slider

    content = Slider().load(version["content"])
    assert content["answer"] == SLIDER_ANSWERS[item["key"]]
    assert Slider().score(content, content["answer"]) == content["points"]
    wrong = content["answer"] + 3 * content["step"]
    assert Slider().score(content, wrong) == 0


@pytest.mark.parametrize(("item", "version"), _versions_of("single_choice"))
def test_single_choice_key(item: dict[str, Any], version: dict[str, Any]) -> None:
    content = version["content"]
    ids = [option["id"] for option in content["options"]]
    assert 2 <= len(ids) <= 10
    assert content["key"] in ids
    texts = [option["text"] for option in content["options"]]
    assert len(set(texts)) == len(texts), "two options read the same"


@pytest.mark.parametrize(("item", "version"), _versions_of("multiple_response"))
def test_multiple_response_keys(item: dict[str, Any], version: dict[str, Any]) -> None:
    content = version["content"]
    ids = [option["id"] for option in content["options"]]
    keys = content["keys"]
    assert keys and len(set(keys)) == len(keys)
    assert set(keys) <= set(ids)
    assert len(keys) < len(ids), "at least one option must be wrong"
    assert isinstance(content["min_choices"], int) and content["min_choices"] >= 0
    assert isinstance(content["max_choices"], int) and content["max_choices"] >= 0
    if content["max_choices"]:
        assert content["max_choices"] >= len(keys)
        assert content["min_choices"] <= content["max_choices"]
    assert content["min_choices"] <= len(keys)


@pytest.mark.parametrize(("item", "version"), _versions_of("true_false"))
def test_true_false_key(item: dict[str, Any], version: dict[str, Any]) -> None:
    assert version["content"]["key"] in (True, False)


@pytest.mark.parametrize(("item", "version"), _versions_of("short_text"))
def test_short_text_accepted(item: dict[str, Any], version: dict[str, Any]) -> None:
    content = version["content"]
    accepted = content["accepted"]
    assert accepted and all(isinstance(a, str) and a for a in accepted)
    assert all(a == a.strip() and "<" not in a for a in accepted), "plain text, trimmed"
    folded = accepted if content["case_sensitive"] else [a.casefold() for a in accepted]
    assert len(set(folded)) == len(folded), "duplicate accepted answers"
    assert isinstance(content["expected_length"], int)
    assert max(len(a) for a in accepted) <= content["expected_length"]


@pytest.mark.parametrize(("item", "version"), _versions_of("extended_text"))
def test_extended_text_rubric(item: dict[str, Any], version: dict[str, Any]) -> None:
    content = version["content"]
    assert content["rubric"]
    for criterion in content["rubric"]:
        assert set(criterion) == {"id", "criterion", "max_points"}
        assert isinstance(criterion["max_points"], int) and criterion["max_points"] > 0
    assert isinstance(content["expected_length"], int) and content["expected_length"] > 0


@pytest.mark.parametrize(("item", "version"), _versions_of("ordering", "graphic_order"))
def test_ordering_is_a_permutation(item: dict[str, Any], version: dict[str, Any]) -> None:
    content = version["content"]
    entries = content["options"] if item["type"] == "ordering" else content["hotspots"]
    ids = [entry["id"] for entry in entries]
    assert sorted(content["correct_order"]) == sorted(ids)
    assert content["correct_order"] != ids, "the display order must not give the answer away"


@pytest.mark.parametrize(("item", "version"), _versions_of("matching"))
def test_matching_pairs(item: dict[str, Any], version: dict[str, Any]) -> None:
    content = version["content"]
    premises = {p["id"] for p in content["premises"]}
    responses = {r["id"] for r in content["responses"]}
    assert not premises & responses
    paired = [premise for premise, _response in content["pairs"]]
    assert all(len(pair) == 2 for pair in content["pairs"])
    assert len(set(paired)) == len(paired), "a premise is in more than one pair"
    for premise, response in content["pairs"]:
        assert premise in premises
        assert response in responses


@pytest.mark.parametrize(("item", "version"), _versions_of("likert"))
def test_likert_scale(item: dict[str, Any], version: dict[str, Any]) -> None:
    content = version["content"]
    assert 2 <= len(content["scale"]) <= 7
    assert content["scale"][0]["id"] == "SS", "most agreeing label first"
    assert content["direction"] in {"positive", "negative"}


def test_likert_items_use_both_directions() -> None:
    directions = {
        item["versions"][-1]["content"]["direction"]
        for item in DEMO_ITEMS
        if item["type"] == "likert"
    }
    assert directions == {"positive", "negative"}


_MARKER = re.compile(r"\[\[([A-Za-z_][A-Za-z0-9_.-]*)\]\]")


@pytest.mark.parametrize(
    ("item", "version"), _versions_of("inline_choice", "gap_match", "hot_text")
)
def test_text_markers_name_each_gap_once(item: dict[str, Any], version: dict[str, Any]) -> None:
    content = version["content"]
    entries = content["hottexts"] if item["type"] == "hot_text" else content["gaps"]
    assert _MARKER.findall(content["text"]) == [entry["id"] for entry in entries]


@pytest.mark.parametrize(("item", "version"), _versions_of("inline_choice"))
def test_inline_choice_gaps(item: dict[str, Any], version: dict[str, Any]) -> None:
    for gap in version["content"]["gaps"]:
        ids = [option["id"] for option in gap["options"]]
        texts = [option["text"] for option in gap["options"]]
        assert len(ids) >= 2 and len(set(ids)) == len(ids) and len(set(texts)) == len(texts)
        assert gap["correct"] in ids
        assert isinstance(gap["points"], int) and gap["points"] > 0


@pytest.mark.parametrize(("item", "version"), _versions_of("gap_match"))
def test_gap_match_key(item: dict[str, Any], version: dict[str, Any]) -> None:
    content = version["content"]
    words = {word["id"] for word in content["words"]}
    gaps = [gap["id"] for gap in content["gaps"]]
    assert sorted(gap for gap, _word in content["key"]) == sorted(gaps), "every gap keyed once"
    used = {word for _gap, word in content["key"]}
    assert used <= words
    assert words - used, "at least one word must be a distractor"


@pytest.mark.parametrize(("item", "version"), _versions_of("hot_text", "hotspot"))
def test_selection_keys(item: dict[str, Any], version: dict[str, Any]) -> None:
    content = version["content"]
    entries = content["hottexts"] if item["type"] == "hot_text" else content["hotspots"]
    ids = [entry["id"] for entry in entries]
    keys = content["keys"]
    assert keys and len(set(keys)) == len(keys) and set(keys) <= set(ids)
    assert len(keys) < len(ids), "at least one selectable part must be wrong"
    assert content["max_choices"] == 0 or content["max_choices"] >= len(keys)


@pytest.mark.parametrize(
    ("item", "version"), _versions_of("associate", "graphic_gap_match", "graphic_associate")
)
def test_pairs_name_existing_entries(item: dict[str, Any], version: dict[str, Any]) -> None:
    content = version["content"]
    if item["type"] == "graphic_associate":  # an area may be in several pairs (match_max)
        limits = {region["id"]: region["match_max"] for region in content["hotspots"]}
        ends = Counter(end for pair in content["pairs"] for end in pair)
        assert all(len(pair) == 2 and pair[0] != pair[1] for pair in content["pairs"])
        assert set(ends) <= set(limits)
        assert all(count <= limits[end] for end, count in ends.items())
        firsts = [first for first, _ in content["pairs"]]
        assert len(set(firsts)) == len(firsts), "the editor gives each area one partner"
        return
    if item["type"] == "associate":
        sources = targets = {choice["id"] for choice in content["choices"]}
    else:
        sources = {gap["id"] for gap in content["gaps"]}
        targets = {region["id"] for region in content["hotspots"]}
    ends = [end for pair in content["pairs"] for end in pair]
    assert all(len(pair) == 2 and pair[0] != pair[1] for pair in content["pairs"])
    assert all(first in sources and second in targets for first, second in content["pairs"])
    assert len(set(ends)) == len(ends), "each entry is in at most one key pair"


@pytest.mark.parametrize(
    ("item", "version"),
    _versions_of(
        "hotspot", "graphic_gap_match", "select_point", "graphic_order", "graphic_associate"
    ),
)
def test_graphic_items_show_images_the_loader_uploads(
    item: dict[str, Any], version: dict[str, Any]
) -> None:
    """The loader stores ``EXAMPLE_MEDIA`` in the bank first: an image outside it would
    fail the media check when the version is saved."""
    media = pytest.importorskip("plugins.itemtypes._graphic").EXAMPLE_MEDIA
    content = version["content"]
    images = [content["image"]] + [gap["image"] for gap in content.get("gaps", [])]
    images += [content["marker"]] if content.get("marker") else []
    for image in images:
        (sha,) = re.findall(r'src="/media/([0-9a-f]{64})"', image)
        assert sha in media


@pytest.mark.parametrize(("item", "version"), _versions_of("select_point"))
def test_select_point_areas_score_the_key(item: dict[str, Any], version: dict[str, Any]) -> None:
    """A point inside each area worth more than 0 earns the points; a point outside
    every area earns nothing."""
    item_type = pytest.importorskip("plugins.itemtypes.select_point").SelectPoint()
    content = item_type.load(version["content"])
    from qti.areas import inner_point

    best = [
        list(inner_point(a["shape"], a["coords"]))  # type: ignore[arg-type]
        for a in content["areas"]
        if a["value"] > 0
    ]
    response = best[0] if content["max_choices"] == 1 else best
    assert item_type.score(content, response) == content["points"]
    outside = [0, 0] if content["max_choices"] == 1 else [[0, 0]]
    assert item_type.score(content, outside) == 0


def test_a_select_point_item_has_a_marker() -> None:
    """At least one select point item places a marker (QTI's position object)."""
    markers = [
        version["content"].get("marker")
        for key, index, item, version in ALL_VERSIONS
        if item["type"] == "select_point"
    ]
    assert any(markers)


# -- the keys of numeric items, recomputed ---------------------------------------------------------


def _keyed_text(key: str, version: int = -1) -> str:
    item = next(i for i in DEMO_ITEMS if i["key"] == key)
    content = item["versions"][version]["content"]
    if item["type"] == "short_text":
        return content["accepted"][0]
    return next(o["text"] for o in content["options"] if o["id"] == content["key"])


def _rupiah(value: Fraction) -> str:
    assert value.denominator == 1
    return "Rp" + f"{int(value):,}".replace(",", ".")


def test_numeric_keys_are_arithmetically_correct() -> None:
    # 12 reams at Rp54.000, 10% off the total.
    assert _keyed_text("tiu-cerita-01") == _rupiah(12 * 54_000 * Fraction(9, 10))
    assert _keyed_text("tiu-cerita-01", 0) != _rupiah(12 * 54_000 * Fraction(9, 10))
    # 2^5 + 3^4 - 12^2 : 16
    assert _keyed_text("tiu-berhitung-01") == str(2**5 + 3**4 - Fraction(12**2, 16))
    # Interleaved: odd terms +5, even terms x2.
    terms = [5, 8]
    while len(terms) < 8:
        terms.append(terms[-2] + 5 if len(terms) % 2 == 0 else terms[-2] * 2)
    assert terms[:7] == [5, 8, 10, 16, 15, 32, 20]
    assert _keyed_text("tiu-deret-01") == str(terms[7])
    # Arithmetic sequence with U3 = 11, U7 = 27.
    d = Fraction(27 - 11, 7 - 3)
    a = 11 - 2 * d
    assert _keyed_text("tiu-deret-02") == str(a + 9 * d)
    # Birth certificates 180 -> 300, rounded to one decimal with a decimal comma.
    rise = Fraction(300 - 180, 180) * 100
    assert _keyed_text("tiu-cerita-02") == f"{float(rise):.1f}%".replace(".", ",")
    # Teams finishing 1.200 files in 6 and in 4 days, together.
    days = Fraction(1200) / (Fraction(1200, 6) + Fraction(1200, 4))
    assert _keyed_text("tiu-cerita-03") == f"{float(days):g} hari".replace(".", ",")
    # 15% of Rp2.400.000
    assert _keyed_text("st-persentase-01") == str(2_400_000 * Fraction(15, 100))
    # Budget realisation Rp1.245.600.000 of Rp1.800.000.000, in percent.
    assert _answer("num-realisasi-anggaran-01") == Fraction(1_245_600_000, 1_800_000_000) * 100
    # 6,4 cm on a 1 : 250.000 map, in km (100.000 cm to the km).
    assert _answer("num-skala-peta-01") == Fraction(64, 10) * 250_000 / 100_000


def _answer(key: str) -> Fraction:
    """A numeric item's answer, exact, after checking every version keys the same."""
    item = next(i for i in DEMO_ITEMS if i["key"] == key)
    answers = {version["content"]["answer"] for version in item["versions"]}
    assert len(answers) == 1
    return Fraction(str(answers.pop()))


def test_table_matches_the_numbers_the_key_uses() -> None:
    item = next(i for i in DEMO_ITEMS if i["key"] == "tiu-cerita-02")
    stem = item["versions"][-1]["stem"]
    assert "<td>Akta Kelahiran</td><td>180</td><td>190</td><td>240</td><td>300</td>" in stem


# -- against the plugins, where they exist --------------------------------------------------------


def _plugin_host(*modules: str) -> Any:
    for module in modules:
        pytest.importorskip(module)
    from itembank.plugins import PluginHost

    return PluginHost(builtins=modules, entry_points=False)


@pytest.mark.parametrize("item_type", ITEM_TYPES)
def test_content_loads_with_the_item_type_plugin(item_type: str) -> None:
    """Every version passes the steps of ``prepare_version`` that need no database: the
    type's own schema and checks, the sanitizer on the stem and every rich-text field, the
    metadata schema. The files are already in the stored form: loading and sanitizing
    change neither stem nor content."""
    from itembank.itemtypes import ContentError, schema_instance
    from itembank.operations.content import MetadataSchema
    from itembank.sanitize import sanitize_html

    modules = [f"plugins.itemtypes.{item_type}"]
    if item_type == "composite":  # its parts are the other types
        modules += [f"plugins.itemtypes.{t}" for t in ITEM_TYPES if t != "composite"]
    host = _plugin_host(*modules)
    plugin = host.item_types[item_type]
    failures = []
    for key, index, item, version in ALL_VERSIONS:
        if item["type"] != item_type:
            continue
        where = f"{key} v{index + 1}"
        try:
            loaded = plugin.load(version["content"])
        except ContentError as exc:
            failures.append(f"{where}: {exc}")
            continue
        if loaded != version["content"]:
            failures.append(f"{where}: content is not in its loaded form")
        if plugin.map_html(loaded, sanitize_html) != loaded:
            failures.append(f"{where}: sanitizing changes the content's rich text")
        if sanitize_html(version["stem"]) != version["stem"]:
            failures.append(f"{where}: sanitizing changes the stem")
        errors = schema_instance(MetadataSchema).validate(version["metadata"])
        if errors:
            failures.append(f"{where}: metadata {errors}")
    assert failures == []


def test_classifications_exist_in_the_registered_taxonomies() -> None:
    host = _plugin_host(
        "plugins.taxonomies.asn", "plugins.taxonomies.skd", "plugins.taxonomies.bloom"
    )
    for key, index, _item, version in ALL_VERSIONS:
        for c in version["metadata"]["classifications"]:
            node = host.taxonomies[c["taxonomy"]].find(c["node"])
            assert node is not None, f"{key} v{index + 1}: unknown node {c}"
            numbers = {level.number for level in node.levels}
            if numbers:
                assert c["level"] in numbers, f"{key} v{index + 1}: {c}"
            else:
                assert c["level"] is None, f"{key} v{index + 1}: {c}"


# -- the demo blueprint, form and enemy pairs ------------------------------------------------

ITEMS_BY_KEY = {item["key"]: item for item in DEMO_ITEMS}
ASN_GROUPS = {"MANAJERIAL": ASN_NODES - {"SK.1"}, "SOSIAL-KULTURAL": {"SK.1"}}


def _under(row: dict[str, Any], classification: dict[str, Any]) -> bool:
    """The classification is the row's node or below it (codes in these taxonomies nest
    by prefix, and the ASN groups hold their competencies)."""
    if classification["taxonomy"] != row["taxonomy"]:
        return False
    node, code = row["node"], classification["node"]
    if row["taxonomy"] == "asn-2017" and node in ASN_GROUPS:
        inside = code in ASN_GROUPS[node] or code == node
    else:
        inside = code == node or code.startswith(node + ".")
    return inside and (row.get("level") is None or classification["level"] == row["level"])


def _fits(row: dict[str, Any], key: str) -> bool:
    item = ITEMS_BY_KEY[key]
    types = row.get("item_types") or []
    if types and item["type"] not in types:
        return False
    classes = item["versions"][-1]["metadata"]["classifications"]
    return any(_under(row, c) for c in classes)


def test_demo_blueprint_rows_add_up_and_name_known_nodes() -> None:
    rows = [row for section in DEMO_BLUEPRINT["sections"] for row in section["rows"]]
    assert sum(row["count"] for row in rows) == DEMO_BLUEPRINT["total_length"]
    for row in rows:
        known = SKD_NODES if row["taxonomy"] == "skd-cpns" else ASN_NODES | set(ASN_GROUPS)
        assert row["node"] in known, row
        assert set(row.get("item_types") or []) <= set(ITEM_TYPES)


def test_demo_form_fills_every_row_with_approved_items() -> None:
    sections = DEMO_BLUEPRINT["sections"]
    assert len(DEMO_FORM["sections"]) == len(sections)
    keys = [key for part in DEMO_FORM["sections"] for key in part]
    assert len(keys) == len(set(keys)) == DEMO_BLUEPRINT["total_length"]
    for key in keys:
        assert _final(ITEMS_BY_KEY[key]) == "approved", key
    for section, part in zip(sections, DEMO_FORM["sections"], strict=True):
        left = list(part)
        for row in section["rows"]:  # every row is filled, in blueprint order
            taken = [key for key in left if _fits(row, key)][: row["count"]]
            assert len(taken) == row["count"], (section["title"], row)
            left = [key for key in left if key not in taken]
        assert left == [], left


def test_demo_enemies_exist_and_are_not_both_in_the_form() -> None:
    assert DEMO_ENEMIES
    keys = {key for part in DEMO_FORM["sections"] for key in part}
    for pair in DEMO_ENEMIES:
        assert set(pair) == {"items", "reason"}
        first, second = pair["items"]
        assert first in ITEMS_BY_KEY and second in ITEMS_BY_KEY and first != second
        assert pair["reason"].strip()
        assert not {first, second} <= keys


def test_demo_administration_plants_on_items_of_the_form() -> None:
    """The simulated administration's wrong key names a distractor of a single-choice
    item of the form, and its DIF an item of the form, with a group to be DIF between."""
    spec = DEMO_ADMINISTRATION
    assert set(spec) == {"about", "candidates", "seed", "group", "wrong_key", "dif"}
    assert "SIM" in spec["about"] and 100 <= spec["candidates"] <= 2000
    assert isinstance(spec["seed"], int)
    group = spec["group"]
    assert set(group) == {"name", "reference", "focal", "focal_share"}
    assert group["reference"] != group["focal"] and 0 < group["focal_share"] < 1
    keys = {key for part in DEMO_FORM["sections"] for key in part}
    wrong = spec["wrong_key"]
    assert wrong["item"] in keys and ITEMS_BY_KEY[wrong["item"]]["type"] == "single_choice"
    content = ITEMS_BY_KEY[wrong["item"]]["versions"][-1]["content"]
    distractors = {o["id"] for o in content["options"]} - {content["key"]}
    assert wrong["option"] in distractors
    assert spec["dif"]["item"] in keys and spec["dif"]["item"] != wrong["item"]
    assert 0 < spec["dif"]["shift"] <= 3
