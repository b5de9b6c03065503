"""Tests for the version diff (itembank.diff)."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from itembank.diff import (
    VersionView,
    diff_to_text,
    diff_versions,
    render_ops_html,
    tokenize,
    word_diff,
)
from itembank.itemtypes import ContentSummary

SHA = "ab" * 32


def old_side(ops: list[dict[str, str]]) -> str:
    return "".join(op["text"] for op in ops if op["op"] != "insert")


def new_side(ops: list[dict[str, str]]) -> str:
    return "".join(op["text"] for op in ops if op["op"] != "delete")


def view(
    number: int = 1,
    stem: str = "<p>Soal</p>",
    *,
    options: dict[str, str] | None = None,
    keys: list[str] | None = None,
    weights: dict[str, float] | None = None,
    extra: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    item_type: str = "single_choice",
) -> VersionView:
    summary = ContentSummary(
        options={"A": "satu", "B": "dua"} if options is None else options,
        keys=["A"] if keys is None else keys,
        weights=weights or {},
        extra=extra or {},
    )
    return VersionView(number, stem, summary, metadata or {}, item_type)


# -- tokenizer and word diff ------------------------------------------------------------------


def test_tokenize_keeps_numbers_and_reduplication_whole() -> None:
    assert tokenize("Harga Rp54.000/rim, anak-anak 3,5 kg.") == [
        *("Harga", " ", "Rp54.000", "/", "rim", ",", " ", "anak-anak", " ", "3,5"),
        *(" ", "kg", "."),
    ]


@pytest.mark.parametrize("text", ["", " ", "a  b\n\tc", "¿Qué?", "x.y. z", "—–…"])
def test_tokenize_loses_nothing(text: str) -> None:
    assert "".join(tokenize(text)) == text


def test_word_diff_replacement() -> None:
    ops = word_diff("<p>Harga Rp54.000 per rim</p>", "<p>Harga Rp55.000 per rim</p>")
    assert ops == [
        {"op": "equal", "text": "Harga "},
        {"op": "delete", "text": "Rp54.000"},
        {"op": "insert", "text": "Rp55.000"},
        {"op": "equal", "text": " per rim"},
    ]


def test_word_diff_insertion_and_punctuation() -> None:
    ops = word_diff("Ibu pergi ke pasar.", "Ayah pergi ke pasar, lalu pulang.")
    assert ops == [
        {"op": "delete", "text": "Ibu"},
        {"op": "insert", "text": "Ayah"},
        {"op": "equal", "text": " pergi ke pasar"},
        {"op": "insert", "text": ", lalu pulang"},
        {"op": "equal", "text": "."},
    ]


def test_word_diff_folds_single_spaces_between_changes() -> None:
    ops = word_diff("ganti dua kata", "ubah tiga kata")
    assert ops == [
        {"op": "delete", "text": "ganti dua"},
        {"op": "insert", "text": "ubah tiga"},
        {"op": "equal", "text": " kata"},
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("", "", []),
        ("sama", "sama", [{"op": "equal", "text": "sama"}]),
        ("", "baru", [{"op": "insert", "text": "baru"}]),
        ("lama", "", [{"op": "delete", "text": "lama"}]),
        ("<p>sama</p>", "<p><strong>sama</strong></p>", [{"op": "equal", "text": "sama"}]),
        ("a&nbsp;&amp;&nbsp;b", "a &amp; b", [{"op": "equal", "text": "a & b"}]),
    ],
)
def test_word_diff_edge_cases(old: str, new: str, expected: list[dict[str, str]]) -> None:
    assert word_diff(old, new) == expected


def test_word_diff_works_on_text_of_html() -> None:
    ops = word_diff("<p>satu</p><p>dua</p>", "<p>satu</p><p>tiga</p>")
    assert ops == [
        {"op": "equal", "text": "satu\n"},
        {"op": "delete", "text": "dua"},
        {"op": "insert", "text": "tiga"},
    ]


def test_word_diff_ignores_script_content() -> None:
    assert word_diff("a<script>x</script>", "a<script>y</script>") == [{"op": "equal", "text": "a"}]


def test_word_diff_ops_reconstruct_both_sides_and_are_merged() -> None:
    rnd = random.Random(7)
    words = ["kata", "soal", "jawaban", "benar", "salah", ",", ".", "Rp54.000", "anak-anak"]
    for _ in range(300):
        old = " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 12)))
        new = " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 12)))
        ops = word_diff(old, new)
        assert old_side(ops) == old
        assert new_side(ops) == new
        for first, second in itertools.pairwise(ops):
            assert first["op"] != second["op"]
            assert (first["op"], second["op"]) != ("insert", "delete")
        assert all(op["text"] for op in ops)


# -- version diff -----------------------------------------------------------------------------


def test_identical_versions() -> None:
    result = diff_versions(view(1), view(2))
    assert result["from"] == 1
    assert result["to"] == 2
    assert result["changed"] is False
    assert result["stem"] == {
        "changed": False,
        "ops": [{"op": "equal", "text": "Soal"}],
        "images": {"changed": False, "added": [], "removed": [], "described": []},
    }
    assert [o["status"] for o in result["options"]] == ["unchanged", "unchanged"]
    assert result["keys"] == {"changed": False, "from": ["A"], "to": ["A"]}
    assert result["weights"] == {"changed": False, "changes": []}
    assert result["extra"] == {"changed": False, "changes": []}
    assert result["metadata"] == {"changed": False, "changes": []}
    assert result["option_order"]["changed"] is False
    assert result["item_type"] == {
        "changed": False,
        "from": "single_choice",
        "to": "single_choice",
    }
    assert diff_to_text(result) == "--- version 1\n+++ version 2\nno changes"


def test_stem_change() -> None:
    result = diff_versions(view(1, "<p>Berapa 2+2?</p>"), view(2, "<p>Berapa 2+3?</p>"))
    assert result["changed"] is True
    assert result["stem"]["changed"] is True
    assert new_side(result["stem"]["ops"]) == "Berapa 2+3?"
    assert {"op": "delete", "text": "2"} in result["stem"]["ops"]


def test_markup_only_stem_change_is_changed_without_text_ops() -> None:
    old = view(1, "<p>Lihat gambar</p>")
    new = view(2, f'<p>Lihat gambar<img src="/media/{SHA}"></p>')
    result = diff_versions(old, new)
    assert result["stem"]["changed"] is True
    assert result["stem"]["ops"] == [{"op": "equal", "text": "Lihat gambar"}]
    assert result["stem"]["images"]["added"] == [{"sha256": SHA, "alt": ""}]
    assert result["changed"] is True


def test_image_changes_are_named_swapped_and_redescribed() -> None:
    other = "b" * 64
    old = view(1, f'<p>Grafik<img src="/media/{SHA}" alt="Grafik 2023"></p>')
    swapped = diff_versions(old, view(2, f'<p>Grafik<img src="/media/{other}" alt="Grafik"></p>'))
    images = swapped["stem"]["images"]
    assert images["removed"] == [{"sha256": SHA, "alt": "Grafik 2023"}]
    assert images["added"] == [{"sha256": other, "alt": "Grafik"}]
    assert swapped["stem"]["ops"] == [{"op": "equal", "text": "Grafik"}]
    text = diff_to_text(swapped)
    assert f"image removed: {SHA[:12]} ('Grafik 2023')" in text
    assert f"image added: {other[:12]} ('Grafik')" in text
    relabelled = diff_versions(old, view(2, f'<p>Grafik<img src="/media/{SHA}" alt="Data"></p>'))
    assert relabelled["stem"]["images"]["described"] == [
        {"sha256": SHA, "from": "Grafik 2023", "to": "Data"}
    ]


def test_equivalent_html_is_unchanged() -> None:
    result = diff_versions(view(1, "<p>a&nbsp;b</p>"), view(2, "<p>a\xa0b</p>"))
    assert result["stem"]["changed"] is False
    assert result["changed"] is False


def test_options_added_removed_changed_in_new_order() -> None:
    old = view(1, options={"A": "Jakarta", "B": "Bandung", "C": "Surabaya"})
    new = view(2, options={"D": "Medan", "B": "Bandung", "A": "Jakarta Pusat"})
    result = diff_versions(old, new)
    assert [(o["id"], o["status"]) for o in result["options"]] == [
        ("D", "added"),
        ("B", "unchanged"),
        ("A", "changed"),
        ("C", "removed"),
    ]
    by_id = {o["id"]: o["ops"] for o in result["options"]}
    assert by_id["D"] == [{"op": "insert", "text": "Medan"}]
    assert by_id["C"] == [{"op": "delete", "text": "Surabaya"}]
    assert by_id["A"] == [
        {"op": "equal", "text": "Jakarta"},
        {"op": "insert", "text": " Pusat"},
    ]
    assert result["option_order"] == {
        "changed": True,
        "from": ["A", "B", "C"],
        "to": ["D", "B", "A"],
    }


def test_option_reorder_only() -> None:
    result = diff_versions(view(1), view(2, options={"B": "dua", "A": "satu"}))
    assert [o["status"] for o in result["options"]] == ["unchanged", "unchanged"]
    assert result["option_order"]["changed"] is True
    assert result["changed"] is True
    assert "option order: A B -> B A" in diff_to_text(result)


def test_key_change() -> None:
    result = diff_versions(view(1, keys=["A"]), view(2, keys=["B"]))
    assert result["keys"] == {"changed": True, "from": ["A"], "to": ["B"]}
    assert result["changed"] is True


def test_key_order_matters() -> None:
    result = diff_versions(view(1, keys=["A", "B"]), view(2, keys=["B", "A"]))
    assert result["keys"]["changed"] is True


def test_weight_changes() -> None:
    old = view(1, weights={"A": 5, "B": 4, "C": 1})
    new = view(2, weights={"A": 5.0, "B": 3, "D": 2})
    result = diff_versions(old, new)
    assert result["weights"] == {
        "changed": True,
        "changes": [
            {"id": "B", "from": 4, "to": 3},
            {"id": "D", "from": None, "to": 2},
            {"id": "C", "from": 1, "to": None},
        ],
    }


def test_extra_changes_only_changed_entries() -> None:
    old = view(1, extra={"points": 1, "case": "insensitive", "partial": False})
    new = view(2, extra={"points": 2, "case": "insensitive", "partial": 0})
    result = diff_versions(old, new)
    assert result["extra"] == {
        "changed": True,
        "changes": [
            {"id": "points", "from": 1, "to": 2},
            {"id": "partial", "from": False, "to": 0},
        ],
    }


def test_metadata_changes_per_field() -> None:
    old = view(1, metadata={"tags": ["tkp"], "difficulty": 0.4, "source": "2023"})
    new = view(2, metadata={"tags": ["tkp", "integritas"], "difficulty": 0.4, "note": "x"})
    result = diff_versions(old, new)
    assert result["metadata"] == {
        "changed": True,
        "changes": [
            {"field": "tags", "from": ["tkp"], "to": ["tkp", "integritas"]},
            {"field": "note", "from": None, "to": "x"},
            {"field": "source", "from": "2023", "to": None},
        ],
    }


def test_metadata_missing_equals_none() -> None:
    result = diff_versions(view(1, metadata={"difficulty": None}), view(2, metadata={}))
    assert result["metadata"]["changed"] is False


def test_classifications_compared_as_sets() -> None:
    first = {"taxonomy": "asn-2017", "node": "INT", "level": 3}
    second = {"taxonomy": "asn-2017", "node": "KS", "level": 2}
    old = view(1, metadata={"classifications": [first, second]})
    same = view(2, metadata={"classifications": [dict(second), dict(first)]})
    assert diff_versions(old, same)["metadata"]["changed"] is False

    moved = view(3, metadata={"classifications": [first, {**second, "level": 3}]})
    result = diff_versions(old, moved)
    assert result["metadata"]["changes"] == [
        {
            "field": "classifications",
            "from": [first, second],
            "to": [first, {**second, "level": 3}],
        }
    ]


def test_classifications_as_sequences_and_without_level() -> None:
    old = view(1, metadata={"classifications": [["asn", "INT", None], ("asn", "KS")]})
    new = view(2, metadata={"classifications": [{"taxonomy": "asn", "node": "KS"}, ["asn", "INT"]]})
    assert diff_versions(old, new)["metadata"]["changed"] is False
    assert diff_versions(old, view(3, metadata={}))["metadata"]["changed"] is True


def test_item_type_change() -> None:
    result = diff_versions(view(1), view(2, item_type="multiple_choice"))
    assert result["item_type"] == {
        "changed": True,
        "from": "single_choice",
        "to": "multiple_choice",
    }
    assert result["changed"] is True


# -- rendering --------------------------------------------------------------------------------


def test_render_ops_html_escapes() -> None:
    ops = [
        {"op": "equal", "text": "a < b & "},
        {"op": "delete", "text": '"lama"'},
        {"op": "insert", "text": "<script>x</script>"},
    ]
    assert render_ops_html(ops) == (
        "a &lt; b &amp; <del>&quot;lama&quot;</del><ins>&lt;script&gt;x&lt;/script&gt;</ins>"
    )
    assert render_ops_html([]) == ""


def test_render_ops_html_of_real_diff() -> None:
    html = render_ops_html(word_diff("<p>Harga Rp54.000</p>", "<p>Harga Rp55.000</p>"))
    assert html == "Harga <del>Rp54.000</del><ins>Rp55.000</ins>"


def test_diff_to_text_full() -> None:
    old = view(
        3,
        "<p>Harga Rp54.000 per rim</p>",
        options={"A": "Rp108.000", "B": "Rp100.000", "C": "Rp90.000"},
        keys=["A"],
        weights={"A": 1, "B": 0},
        extra={"points": 1},
        metadata={"tags": ["numerik"]},
    )
    new = view(
        5,
        "<p>Harga Rp55.000 per rim</p>",
        options={"A": "Rp110.000", "B": "Rp100.000", "D": "Rp120.000"},
        keys=["A"],
        weights={"A": 1, "B": 0.5},
        extra={"points": 2},
        metadata={"tags": ["numerik", "tiu"]},
    )
    text = diff_to_text(diff_versions(old, new))
    assert text.splitlines() == [
        "--- version 3",
        "+++ version 5",
        "stem: changed",
        "    Harga [-Rp54.000-]{+Rp55.000+} per rim",
        "option A: changed",
        "    [-Rp108.000-]{+Rp110.000+}",
        "option D: added",
        "    {+Rp120.000+}",
        "option C: removed",
        "    [-Rp90.000-]",
        "weight B: 0 -> 0.5",
        "extra points: 1 -> 2",
        'metadata tags: ["numerik"] -> ["numerik", "tiu"]',
    ]


def test_diff_to_text_shows_keys_item_type_and_multiline_text() -> None:
    old = view(1, "<p>satu</p><p>dua</p>", keys=["A"])
    new = view(2, "<p>satu</p><p>tiga</p>", keys=["B"], item_type="true_false")
    text = diff_to_text(diff_versions(old, new))
    assert "item type: single_choice -> true_false" in text
    assert "    satu\n    [-dua-]{+tiga+}" in text
    assert 'key: ["A"] -> ["B"]' in text
