"""The passage diff (itembank.diff_passages): pure, no database."""

from __future__ import annotations

from itembank.diff_passages import PassageView, diff_passages

SHA_A = "a" * 64
SHA_B = "b" * 64


def joined(ops: list[dict[str, str]], *keep: str) -> str:
    return "".join(op["text"] for op in ops if op["op"] in keep)


def test_title_and_text_are_compared_word_by_word() -> None:
    old = PassageView(1, "Banjir <di> kota", "<p>Hujan turun tiga hari.</p><p>Sungai meluap.</p>")
    new = PassageView(2, "Banjir <di> desa", "<p>Hujan turun lima hari.</p><p>Sungai meluap.</p>")
    diff = diff_passages(old, new)
    assert (diff["from"], diff["to"], diff["changed"]) == (1, 2, True)
    # joining the ops gives back each side's plain text (markup-like titles included)
    assert joined(diff["title"]["ops"], "equal", "delete") == "Banjir <di> kota"
    assert joined(diff["title"]["ops"], "equal", "insert") == "Banjir <di> desa"
    assert {"op": "delete", "text": "tiga"} in diff["body"]["ops"]
    assert {"op": "insert", "text": "lima"} in diff["body"]["ops"]
    assert not diff["body"]["images"]["changed"]


def test_markup_and_images_count_as_changes() -> None:
    old = PassageView(1, "T", f'<p>Teks <img src="/media/{SHA_A}" alt="peta"></p>')
    new = PassageView(
        2, "T", f'<p><strong>Teks</strong> <img src="/media/{SHA_B}" alt="grafik"></p>'
    )
    diff = diff_passages(old, new)
    assert diff["changed"] and diff["body"]["changed"] and not diff["title"]["changed"]
    images = diff["body"]["images"]
    assert [i["sha256"] for i in images["added"]] == [SHA_B]
    assert [i["sha256"] for i in images["removed"]] == [SHA_A]


def test_the_same_version_has_no_changes() -> None:
    view = PassageView(3, "T", "<p>x</p>")
    diff = diff_passages(view, view)
    assert not diff["changed"]
    assert diff["title"] == {"changed": False, "ops": []}
    assert diff["body"]["ops"] == []
