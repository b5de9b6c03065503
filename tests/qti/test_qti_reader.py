"""Reading QTI items into the model (``qti.reader``) and opening sources safely
(``qti.package_reader``): what is read, what is refused with which code and line, and
hostile input (entity bombs, zip-slip, zip bombs, symlinks, huge files, manifests that
point outside)."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from qti.model import (
    ChoiceInteraction,
    Html,
    InlineBlock,
    MatchInteraction,
    OrderInteraction,
    RubricBlock,
    TextEntryInteraction,
)
from qti.package_reader import ImportLimits, open_source
from qti.reader import ItemReadError, read_item

V3 = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
V21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"


def item21(body: str, declarations: str = "", processing: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="{V21}" identifier="q1" title="Q" adaptive="false"
    timeDependent="false" xml:lang="id">
{declarations}
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<itemBody>
{body}
</itemBody>
{processing}
</assessmentItem>
""".encode()


CHOICE_DECL = """<responseDeclaration identifier="RESPONSE" cardinality="single"
 baseType="identifier">
<correctResponse><value>A</value></correctResponse></responseDeclaration>"""
CHOICES = """<choiceInteraction responseIdentifier="RESPONSE" maxChoices="1" shuffle="true">
<prompt>Pilih <b>satu</b>.</prompt>
<simpleChoice identifier="A">Jakarta<feedbackInline outcomeIdentifier="F" identifier="A">Ya
</feedbackInline></simpleChoice>
<simpleChoice identifier="B" fixed="true"><span xml:lang="en">Bandung</span></simpleChoice>
</choiceInteraction>"""
MATCH_CORRECT = (
    '<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/'
    'match_correct"/>'
)


def test_reads_a_qti3_item(qti3_item: str) -> None:
    reading = read_item(qti3_item.encode())
    item = reading.item
    assert (item.identifier, item.title, item.lang, reading.version) == (
        "item_capital",
        "Capital",
        "en",
        "3.0",
    )
    assert [type(part) for part in item.body] == [Html, ChoiceInteraction]
    assert item.body[0].content == '<p><img src="img/jakarta.png" alt="Jakarta skyline"/></p>'
    choice = item.body[1]
    assert isinstance(choice, ChoiceInteraction)
    assert choice.prompt == "What is the capital of Indonesia?"
    assert [(c.identifier, c.content) for c in choice.choices] == [
        ("choice_a", "Jakarta"),
        ("choice_b", "Bandung"),
        ("choice_c", "Surabaya"),
    ]
    assert item.processing is not None and item.processing.template == "match_correct"
    assert item.responses[0].correct == ("choice_a",)
    assert [image.src for image in reading.images] == ["img/jakarta.png"]


def test_reads_qti21_body_prompt_feedback_and_lang() -> None:
    reading = read_item(item21(f"<p>Ibu kota?</p>{CHOICES}", CHOICE_DECL, MATCH_CORRECT))
    choice = reading.item.body[1]
    assert isinstance(choice, ChoiceInteraction)
    assert (choice.shuffle, choice.max_choices) == (True, 1)
    assert choice.prompt == "Pilih <b>satu</b>."
    assert choice.choices[0].content == "Jakarta"  # inline feedback left out ...
    assert choice.choices[1].content == '<span lang="en">Bandung</span>'
    assert choice.choices[1].fixed
    assert [note.code for note in reading.notes] == ["feedback_dropped"]  # ... and noted
    assert reading.notes[0].line is not None


def test_inline_text_entry_stays_in_its_sentence_as_a_slot() -> None:
    """The sentence keeps a slot where the entry is (the importer shows it as a blank,
    ``_____``, in the stem of a short text item)."""
    body = (
        '<p>Ibu kota Jawa Barat adalah <textEntryInteraction responseIdentifier="R" '
        'expectedLength="15"/>.</p>'
    )
    declarations = '<responseDeclaration identifier="R" cardinality="single" baseType="string"/>'
    item = read_item(item21(body, declarations)).item
    assert item.body == (
        InlineBlock(
            '<p>Ibu kota Jawa Barat adalah <qti-slot index="0"/>.</p>',
            (TextEntryInteraction("R", 15),),
        ),
    )
    assert list(item.interactions()) == [TextEntryInteraction("R", 15)]


def test_order_match_rubric_and_inline_rules() -> None:
    body = """<div><orderInteraction responseIdentifier="O">
<simpleChoice identifier="A">a</simpleChoice>
<simpleChoice identifier="B">b</simpleChoice></orderInteraction></div>
<rubricBlock view="scorer"><p>Skor penuh jika urut.</p></rubricBlock>"""
    declarations = """<responseDeclaration identifier="O" cardinality="ordered"
 baseType="identifier">
<correctResponse><value>B</value><value>A</value></correctResponse></responseDeclaration>"""
    processing = """<responseProcessing><responseCondition><responseIf>
<match><variable identifier="O"/><correct identifier="O"/></match>
<setOutcomeValue identifier="SCORE"><baseValue baseType="float">2</baseValue></setOutcomeValue>
</responseIf><responseElse><exitResponse/></responseElse></responseCondition></responseProcessing>"""
    item = read_item(item21(body, declarations, processing)).item
    assert isinstance(item.body[0], OrderInteraction)
    assert item.body[1] == RubricBlock("scorer", ("<p>Skor penuh jika urut.</p>",), "scoring")
    assert item.processing is not None
    rule = item.processing.rules[0]
    assert rule.branches[0].condition.name == "match"  # type: ignore[union-attr]
    assert rule.branches[0].rules[0].expression.text == "2"  # type: ignore[union-attr]

    match_body = """<matchInteraction responseIdentifier="M" maxAssociations="0">
<simpleMatchSet><simpleAssociableChoice identifier="P" matchMax="1">p</simpleAssociableChoice>
</simpleMatchSet>
<simpleMatchSet><simpleAssociableChoice identifier="R" matchMax="0">r</simpleAssociableChoice>
</simpleMatchSet>
</matchInteraction>"""
    match_decl = (
        '<responseDeclaration identifier="M" cardinality="multiple" baseType="directedPair"/>'
    )
    match = read_item(item21(match_body, match_decl)).item.body[0]
    assert isinstance(match, MatchInteraction)
    assert (match.sources[0].match_max, match.targets[0].match_max) == (1, 0)


@pytest.mark.parametrize(
    "uri",
    [
        "http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response",
        "http://www.imsglobal.org/question/qti_v2p2/rptemplates/map_response",
        "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml",
        "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response",
        "map_response.xml",
        "http://www.imsglobal.org/xml/imsqti_item_v2p0/rpMapResponse",
    ],
)
def test_every_template_spelling_is_recognised(uri: str) -> None:
    processing = f'<responseProcessing template="{uri}"/>'
    item = read_item(item21(CHOICES, CHOICE_DECL, processing)).item
    assert item.processing is not None and item.processing.template == "map_response"


def test_mapping_case_default_follows_the_version() -> None:
    declaration = """<responseDeclaration identifier="R" cardinality="single" baseType="string">
<mapping defaultValue="0"><mapEntry mapKey="York" mappedValue="1"/></mapping>
</responseDeclaration>"""
    body = '<p><textEntryInteraction responseIdentifier="R"/></p>'
    v21 = read_item(item21(body, declaration)).item
    assert v21.responses[0].mapping.entries[0].case_sensitive is True  # type: ignore[union-attr]
    v22 = item21(body, declaration).replace(
        V21.encode(), b"http://www.imsglobal.org/xsd/imsqti_v2p2"
    )
    mapping = read_item(v22).item.responses[0].mapping
    assert mapping is not None and mapping.entries[0].case_sensitive is False


REFUSALS = [
    (b'<?xml version="1.0"?>\n<assessmentItem', "invalid_xml", 2),
    (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;">]>\n<assessmentItem>&lol2;</assessmentItem>',
        "invalid_xml",
        2,
    ),
    (
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<assessmentItem>&e;</assessmentItem>",
        "invalid_xml",
        2,
    ),
    (f'<assessmentTest xmlns="{V21}" identifier="t"/>'.encode(), "not_an_item", 1),
    (b'<assessmentItem xmlns="urn:other" identifier="x"/>', "unsupported_version", 1),
    (
        item21('<hotspotInteraction responseIdentifier="RESPONSE"/>', CHOICE_DECL),
        "unsupported_interaction",
        9,
    ),
    (
        item21(
            '<p><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><plus/><ci>x</ci>'
            "</apply></math></p>"
        ),
        "unsupported_content",
        7,
    ),
    (
        item21("<p><object type='application/x-shockwave-flash' data='a.swf'/></p>"),
        "unsupported_content",
        7,
    ),
    (
        # an image object whose fallback is a video object: the fallback is checked too
        item21(
            '<p><object type="image/png" data="a.png">\n<object type="video/mp4" '
            'data="a.mp4">Film</object></object></p>'
        ),
        "unsupported_content",
        8,
    ),
    (
        item21(CHOICES, CHOICE_DECL).replace(b'adaptive="false"', b'adaptive="true"'),
        "adaptive",
        3,  # libxml2 gives a start tag the line where it ends
    ),
    (
        item21(
            CHOICES,
            CHOICE_DECL
            + '<templateDeclaration identifier="T" cardinality="single" baseType="integer"/>',
        ),
        "template_processing",
        6,
    ),
    (
        item21(
            '<p><textEntryInteraction responseIdentifier="R"/></p>',
            '<responseDeclaration identifier="R" cardinality="record"/>',
        ),
        "unsupported_response",
        4,
    ),
    (
        item21(CHOICES, CHOICE_DECL, '<responseProcessing template="http://example.com/mine"/>'),
        "custom_response_processing",
        16,
    ),
    (
        item21(
            CHOICES,
            CHOICE_DECL,
            "<responseProcessing><lookupOutcomeValue identifier='SCORE'>"
            "<baseValue baseType='float'>1</baseValue></lookupOutcomeValue></responseProcessing>",
        ),
        "custom_response_processing",
        16,
    ),
]


def test_image_objects_are_kept_with_their_fallback_for_the_caller_to_choose() -> None:
    """An object of an image type, or of none, is kept as written (the caller shows it
    or its fallback), its data listed with the images; one of another type is refused,
    naming the type."""
    reading = read_item(
        item21(
            CHOICES.replace(
                "Jakarta", 'Jakarta <object type="image/png" data="j.png">Monas</object>'
            ),
            CHOICE_DECL,
            "",
        ).replace(
            b"<choiceInteraction",
            b'<div><object type="image/eps" data="p.eps" width="20" height="10">\n'
            b'<param name="q" value="1" valuetype="DATA"/><object data="p.png">Kartu '
            b"pos</object></object></div>\n<choiceInteraction",
        )
    )
    (html, choice) = reading.item.body
    assert isinstance(html, Html) and isinstance(choice, ChoiceInteraction)
    assert html.content == (
        '<div><object type="image/eps" data="p.eps" width="20" height="10">\n'
        '<param name="q" value="1" valuetype="DATA"/><object data="p.png">Kartu pos</object>'
        "</object></div>"
    )
    assert choice.choices[0].content.startswith(
        'Jakarta <object type="image/png" data="j.png">Monas</object>'
    )
    assert [(image.src, image.line) for image in reading.images] == [
        ("p.eps", 9),
        ("p.png", 10),
        ("j.png", 13),
    ]
    with pytest.raises(ItemReadError) as info:
        read_item(item21('<p><object type="video/mp4" data="a.mp4">Film</object></p>'))
    assert info.value.code == "unsupported_content"
    assert "'video/mp4'" in info.value.message and "<object>" in info.value.message


@pytest.mark.parametrize(("data", "code", "line"), REFUSALS)
def test_refusals_name_the_reason_and_line(data: bytes, code: str, line: int) -> None:
    with pytest.raises(ItemReadError) as info:
        read_item(data)
    assert info.value.code == code
    assert info.value.line == line
    assert str(info.value).startswith(f"line {line}: ")


# -- sources ------------------------------------------------------------------------------


def _zip(members: dict[str, bytes | str], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            data = content.encode() if isinstance(content, str) else content
            archive.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.create_system = 3
            info.external_attr = 0o120777 << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _codes(source: object) -> list[str]:
    return [issue.code for issue in source.issues]  # type: ignore[attr-defined]


def test_manifest_lists_items_and_skips_the_rest(qti3_item: str, qti3_manifest: object) -> None:
    manifest = qti3_manifest({"items/q.xml": ["items/img/jakarta.png"]})  # type: ignore[operator]
    data = _zip(
        {
            "imsmanifest.xml": manifest,
            "items/q.xml": qti3_item,
            "items/img/jakarta.png": b"png",
            "tests/test.xml": "<x/>",
        }
    )
    with open_source(data, name="p.zip") as source:
        assert [item.path for item in source.items] == ["items/q.xml"]
        assert source.items[0].metadata.identifier == "res_0"
        assert _codes(source) == ["manifest", "not_an_item"]
        assert source.resolve("items/q.xml", "img/jakarta.png") == ("items/img/jakarta.png", "")
        assert source.resolve("items/q.xml", "../../etc/passwd")[0] is None
        assert source.resolve("items/q.xml", "http://evil.example/x.png")[0] is None
        assert source.resolve("items/q.xml", "img/none.png")[1].endswith("missing from the package")


def test_zip_slip_symlinks_and_manifest_pointing_outside(qti3_manifest: object) -> None:
    manifest = qti3_manifest({"../outside.xml": [], "/abs.xml": []})  # type: ignore[operator]
    data = _zip(
        {"imsmanifest.xml": manifest, "../evil.xml": "<x/>", "/etc/cron.xml": "<x/>"},
        symlink="link.xml",
    )
    with open_source(data, name="p.zip") as source:
        assert source.items == []
        codes = _codes(source)
        assert codes.count("unsafe_path") == 4  # two members, two manifest hrefs
        assert "symlink" in codes
        assert "evil.xml" not in source.names and "link.xml" not in source.names


def test_zip_bomb_and_limits() -> None:
    bomb = _zip({"item.xml": b"\0" * (2 << 20)})
    with open_source(bomb, name="b.zip") as source:
        assert "zip_bomb" in _codes(source) and source.items == []
    many = _zip({f"i{n}.xml": "<x/>" for n in range(6)})
    with open_source(many, name="m.zip", limits=ImportLimits(max_files=5)) as source:
        assert _codes(source) == ["too_many_files"] and source.items == []
    big = _zip({"a.xml": "<x>" + "a" * 5000 + "</x>"})
    with open_source(big, name="g.zip", limits=ImportLimits(max_file_bytes=1000)) as source:
        assert "too_large" in _codes(source)
    total = _zip({"a.xml": "a" * 800, "b.xml": "b" * 800})
    with open_source(total, name="t.zip", limits=ImportLimits(max_total_bytes=1000)) as source:
        assert "zip_bomb" in _codes(source) and source.names == []
    with open_source(b"PK\x03\x04broken", name="x.zip") as source:
        assert _codes(source) == ["not_a_zip"]


def test_missing_or_broken_manifest_falls_back_to_scanning(qti3_item: str) -> None:
    with open_source(_zip({"a/q.xml": qti3_item, "b.txt": "x"}), name="n.zip") as source:
        assert [item.path for item in source.items] == ["a/q.xml"]
        assert _codes(source) == ["no_manifest"]
    broken = _zip({"imsmanifest.xml": "<manifest>\n<resources>\n</manifest>", "q.xml": qti3_item})
    with open_source(broken, name="b.zip") as source:
        assert [item.path for item in source.items] == ["q.xml"]
        assert [(i.code, i.line) for i in source.issues] == [("invalid_manifest", 3)]


def test_qti1_resources_are_reported(tmp_path: Path) -> None:
    manifest = """<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m">
<resources><resource identifier="r" type="imsqti_xmlv1p2" href="q.xml"><file href="q.xml"/>
</resource></resources></manifest>"""
    (tmp_path / "imsmanifest.xml").write_text(manifest)
    (tmp_path / "q.xml").write_text("<questestinterop/>")
    with open_source(tmp_path) as source:
        assert source.items == []
        assert "unsupported_version" in _codes(source)


def test_folder_symlinks_and_huge_documents(tmp_path: Path, qti3_item: str) -> None:
    (tmp_path / "q.xml").write_text(qti3_item)
    (tmp_path / "huge.xml").write_bytes(b"<x>" + b" " * 3000 + b"</x>")
    secret = tmp_path.parent / "secret.xml"
    secret.write_text("<secret/>")
    os.symlink(secret, tmp_path / "link.xml")
    os.symlink(tmp_path.parent, tmp_path / "up")
    with open_source(tmp_path, limits=ImportLimits(max_document_bytes=2000)) as source:
        assert sorted(item.path for item in source.items) == ["huge.xml", "q.xml"]
        assert _codes(source).count("symlink") == 2
        assert source.read("q.xml", document=True) == qti3_item.encode()
        with pytest.raises(Exception, match="more than 2000"):
            source.read("huge.xml", document=True)
    with open_source(tmp_path / "huge.xml", limits=ImportLimits(max_document_bytes=2000)) as source:
        assert _codes(source) == ["too_large"] and source.items == []
    with open_source(tmp_path / "nothing.zip") as source:
        assert _codes(source) == ["not_found"]
