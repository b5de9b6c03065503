"""Building QTI 3.0 and 2.1 content packages from plain data (``qti.package``)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import threading
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from qti.model import (
    AssessmentItem,
    Choice,
    ChoiceInteraction,
    ExtendedTextInteraction,
    Html,
    MapEntry,
    Mapping,
    MatchInteraction,
    OutcomeDeclaration,
    ResponseDeclaration,
    ResponseProcessing,
    RubricBlock,
    TextEntryInteraction,
)
from qti.package import (
    CHECKSUMS,
    Classification,
    Package,
    PackageError,
    PackageItem,
    PackageSection,
    PackageTest,
    build_package,
)
from qti.rp import evaluate_score
from qti.validate import validate_document, validate_package_bytes, validate_path
from qti.writer import VERSIONS
from qti.xml import parse_bytes

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
GIF = b"GIF89a" + b"\x01" * 20
PNG_SHA = hashlib.sha256(PNG).hexdigest()
GIF_SHA = hashlib.sha256(GIF).hexdigest()
UNUSED = b"\xff\xd8\xff" + b"\x02" * 20  # a JPEG no item shows
MEDIA = {PNG_SHA: PNG, GIF_SHA: GIF, hashlib.sha256(UNUSED).hexdigest(): UNUSED}
SCORE = (OutcomeDeclaration("SCORE", normal_maximum=5), OutcomeDeclaration("MAXSCORE", default="5"))


def choice_item(identifier: str, image: str = PNG_SHA) -> AssessmentItem:
    return AssessmentItem(
        identifier=identifier,
        title=f"Soal {identifier}",
        responses=(
            ResponseDeclaration(
                "RESPONSE", "single", "identifier", ("B",), Mapping((MapEntry("B", 5),))
            ),
        ),
        outcomes=SCORE,
        body=(
            Html(f'<p>Perhatikan gambar <img src="/media/{image}" alt="grafik"/></p>'),
            ChoiceInteraction(
                "RESPONSE",
                (Choice("A", "<p>satu</p>"), Choice("B", f'<img src="/media/{GIF_SHA}"/>')),
            ),
        ),
        processing=ResponseProcessing(template="map_response"),
    )


def text_item(identifier: str) -> AssessmentItem:
    return AssessmentItem(
        identifier=identifier,
        title="Isian",
        responses=(
            ResponseDeclaration(
                "RESPONSE",
                "single",
                "string",
                ("Bandung",),
                Mapping((MapEntry("Bandung", 5, False),)),
            ),
        ),
        outcomes=SCORE,
        body=(Html("Ibu kota Jawa Barat adalah ...."), TextEntryInteraction("RESPONSE", 20)),
        processing=ResponseProcessing(template="map_response"),
    )


def match_item(identifier: str) -> AssessmentItem:
    return AssessmentItem(
        identifier=identifier,
        title="Menjodohkan",
        responses=(
            ResponseDeclaration("RESPONSE", "multiple", "directedPair", ("P1 R1", "P2 R2")),
        ),
        outcomes=SCORE,
        body=(
            Html("<p>Pasangkan.</p>"),
            MatchInteraction(
                "RESPONSE",
                (Choice("P1", "satu"), Choice("P2", "dua")),
                (Choice("R1", "1", match_max=0), Choice("R2", "2", match_max=0)),
                max_associations=2,
            ),
        ),
        processing=ResponseProcessing(template="match_correct"),
    )


def essay_item(identifier: str) -> AssessmentItem:
    return AssessmentItem(
        identifier=identifier,
        title="Uraian",
        responses=(ResponseDeclaration("RESPONSE", "single", "string"),),
        outcomes=(
            OutcomeDeclaration("SCORE", normal_maximum=10, external_scored="human"),
            OutcomeDeclaration("MAXSCORE", default="10"),
        ),
        body=(
            Html("<p>Uraikan.</p>"),
            ExtendedTextInteraction("RESPONSE", 500),
            RubricBlock("scorer", ("<p>Kriteria 1</p>",)),
        ),
        processing=None,
    )


ITEMS = (
    PackageItem(
        choice_item("item_a"),
        "CACT-DEMO-000001",
        3,
        (Classification("asn-2017", "M.8", "Pengambilan Keputusan", 3),),
    ),
    PackageItem(text_item("item_b"), "CACT-DEMO-000002", 1),
    PackageItem(choice_item("item_c", image=GIF_SHA), "CACT-DEMO-000003", 2),
    PackageItem(match_item("item_d"), "CACT-DEMO-000004", 1, (Classification("skd-cpns", "TIU"),)),
    PackageItem(essay_item("item_e"), "CACT-DEMO-000005", 7),
)
TEST = PackageTest(
    "form_1",
    "Paket A",
    (
        PackageSection("section_1", "Bagian 1", ("item_b", "item_a", "item_c")),
        PackageSection("section_2", "Bagian 2", ("item_e", "item_d")),
    ),
    time_limit=5400,
)


def members(package: Package) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


@pytest.mark.parametrize("version", VERSIONS)
def test_package_is_valid_complete_and_listed(version: str) -> None:
    package = build_package(TEST, ITEMS, MEDIA, version)  # type: ignore[arg-type]
    report = validate_package_bytes(package.data)
    assert report.issues == [] and report.documents == 7  # manifest, test, five items
    files = members(package)
    assert list(files) == sorted(files)
    assert set(files) == {
        "imsmanifest.xml",
        CHECKSUMS,
        "tests/form_1.xml",
        *(f"items/item_{x}.xml" for x in "abcde"),
        f"media/{PNG_SHA}.png",
        f"media/{GIF_SHA}.gif",  # the unused JPEG is not shipped
    }
    assert files[f"media/{PNG_SHA}.png"] == PNG
    # every file but the manifest is listed in it, with a relative href
    manifest = parse_bytes(files["imsmanifest.xml"])
    hrefs = {element.get("href") for element in manifest.iter("{*}file")}
    assert hrefs == set(files) - {"imsmanifest.xml"}
    # the SHA-256 list covers every other file, and matches Package.files
    lines = files[CHECKSUMS].decode().splitlines()
    assert lines == [
        f"{hashlib.sha256(data).hexdigest()}  {path}"
        for path, data in sorted(files.items())
        if path != CHECKSUMS
    ]
    assert {f.path: f.sha256 for f in package.files} == {
        path: hashlib.sha256(data).hexdigest() for path, data in files.items()
    }
    assert package.sha256 == hashlib.sha256(package.data).hexdigest()


@pytest.mark.parametrize("version", VERSIONS)
def test_images_are_shipped_and_referenced_relatively(version: str) -> None:
    files = members(build_package(TEST, ITEMS, MEDIA, version))  # type: ignore[arg-type]
    item = files["items/item_a.xml"].decode()
    assert f'src="../media/{PNG_SHA}.png" alt="grafik"' in item
    assert f'src="../media/{GIF_SHA}.gif" alt=""' in item
    assert "/media/" + PNG_SHA + '"' not in item
    manifest = parse_bytes(files["imsmanifest.xml"])
    resource = next(r for r in manifest.iter("{*}resource") if r.get("href") == "items/item_a.xml")
    dependencies = [d.get("identifierref") for d in resource.iter("{*}dependency")]
    assert dependencies == [f"RES-MEDIA-{PNG_SHA}", f"RES-MEDIA-{GIF_SHA}"]
    test = next(r for r in manifest.iter("{*}resource") if r.get("href") == "tests/form_1.xml")
    assert len(list(test.iter("{*}dependency"))) == 5


@pytest.mark.parametrize("version", VERSIONS)
def test_metadata_carries_bank_id_version_and_competency(version: str) -> None:
    files = members(build_package(TEST, ITEMS, MEDIA, version))  # type: ignore[arg-type]
    manifest = parse_bytes(files["imsmanifest.xml"])
    resource = next(r for r in manifest.iter("{*}resource") if r.get("href") == "items/item_a.xml")
    texts = [(etree.QName(e).localname, (e.text or "").strip()) for e in resource.iter("{*}*")]
    values = [text for _, text in texts if text]
    assert "CACT-DEMO-000001" in values and "itembank" in values
    assert ("langstring" if version == "2.1" else "string", "3") in texts  # the version
    assert "asn-2017" in values and "M.8" in values and "Pengambilan Keputusan" in values
    assert "M.8/3" in values  # the target level, below its node
    if version == "3.0":
        assert ("interactionType", "choiceInteraction") in texts
        assert ("scoringMode", "responseprocessing") in texts
        essay = next(r for r in manifest.iter("{*}resource") if r.get("href") == "items/item_e.xml")
        assert ("scoringMode", "human") in [
            (etree.QName(e).localname, e.text) for e in essay.iter("{*}*")
        ]


@pytest.mark.parametrize("version", VERSIONS)
def test_test_document_keeps_order_and_time_limit(version: str) -> None:
    files = members(build_package(TEST, ITEMS, MEDIA, version))  # type: ignore[arg-type]
    test = parse_bytes(files["tests/form_1.xml"])
    refs = [
        (e.get("identifier"), e.get("href")) for e in test.iter("{*}*") if "ref" in e.tag.lower()
    ]
    assert refs == [
        (x, f"../items/{x}.xml") for x in ("item_b", "item_a", "item_c", "item_e", "item_d")
    ]
    sections = [e.get("identifier") for e in test.iter("{*}*") if "section" in e.tag.lower()]
    assert sections == ["section_1", "section_2"]
    limits = [e for e in test.iter("{*}*") if "time" in etree.QName(e).localname.lower()]
    assert [e.get("maxTime") or e.get("max-time") for e in limits] == ["5400"]


@pytest.mark.parametrize("version", VERSIONS)
def test_exported_items_score_as_declared(version: str) -> None:
    files = members(build_package(TEST, ITEMS, MEDIA, version))  # type: ignore[arg-type]
    assert evaluate_score(files["items/item_a.xml"], {"RESPONSE": "B"}) == 5
    assert evaluate_score(files["items/item_b.xml"], {"RESPONSE": "BANDUNG"}) == 5
    assert (
        evaluate_score(files["items/item_d.xml"], {"RESPONSE": [("P2", "R2"), ("P1", "R1")]}) == 1
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_same_input_gives_the_same_bytes(version: str) -> None:
    first = build_package(TEST, ITEMS, MEDIA, version)  # type: ignore[arg-type]
    second = build_package(TEST, list(ITEMS), dict(reversed(MEDIA.items())), version)  # type: ignore[arg-type]
    assert first.data == second.data and first.sha256 == second.sha256
    with zipfile.ZipFile(io.BytesIO(first.data)) as archive:
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 == 0o100644


def test_the_two_versions_differ_in_namespace() -> None:
    three = members(build_package(TEST, ITEMS, MEDIA, "3.0"))
    two = members(build_package(TEST, ITEMS, MEDIA, "2.1"))
    assert b"imsqtiasi_v3p0" in three["items/item_a.xml"]
    assert b"imsqti_v2p1" in two["items/item_a.xml"]
    assert b"<schemaversion>3.0.0</schemaversion>" in three["imsmanifest.xml"]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_tampered_document_is_refused_naming_the_file(version: str) -> None:
    bad = dataclasses.replace(
        ITEMS[0].item,
        responses=(ResponseDeclaration("RESPONSE", "single", "identifier", ("Z",)),),
        body=(
            Html("<p>x</p>"),
            ChoiceInteraction("RESPONSE", (Choice("A", "a"), Choice("1B", "b"))),
        ),
    )
    items = (dataclasses.replace(ITEMS[0], item=bad), *ITEMS[1:])
    with pytest.raises(PackageError) as info:
        build_package(TEST, items, MEDIA, version)  # type: ignore[arg-type]
    issues = info.value.issues
    assert {issue.file for issue in issues} == {"items/item_a.xml"}
    messages = " | ".join(issue.message for issue in issues)
    assert "'1B'" in messages and "must start with a letter or underscore" in messages
    assert "names 'Z', which is not a choice of its interaction" in messages
    assert all(issue.line is not None for issue in issues)
    assert "items/item_a.xml:" in str(info.value)
    # without validation the same input is written, and the validator finds the problem
    package = build_package(TEST, items, MEDIA, version, validate=False)  # type: ignore[arg-type]
    report = validate_package_bytes(package.data)
    assert {issue.file for issue in report.errors} == {"items/item_a.xml"}


@pytest.mark.parametrize("version", VERSIONS)
def test_errors_in_several_documents_come_in_document_order_and_no_thread_stays(
    version: str,
) -> None:
    # The issues are each document's own, complete and in the order of the documents
    # (items as given, then the test and the manifest), as validating them one after the
    # other gives them, and no validating thread outlives the call (should validation
    # ever run beside the zipping: a one-worker overlap was measured slower, see git log).
    def broken(entry: PackageItem, key: str, choice: str) -> PackageItem:
        item = dataclasses.replace(
            entry.item,
            responses=(ResponseDeclaration("RESPONSE", "single", "identifier", (key,)),),
            body=(ChoiceInteraction("RESPONSE", (Choice("A", "a"), Choice(choice, "b"))),),
        )
        return dataclasses.replace(entry, item=item)

    items = (broken(ITEMS[0], "Z", "1B"), *ITEMS[1:3], broken(ITEMS[3], "Y", "2C"), ITEMS[4])
    with pytest.raises(PackageError) as info:
        build_package(TEST, items, MEDIA, version)  # type: ignore[arg-type]
    files = members(build_package(TEST, items, MEDIA, version, validate=False))  # type: ignore[arg-type]
    expected = [
        issue
        for path in ("items/item_a.xml", "items/item_d.xml")
        for issue in validate_document(files[path], name=path)
        if issue.severity == "error"
    ]
    assert len(expected) >= 4
    assert info.value.issues == expected
    assert not [t for t in threading.enumerate() if t.name.startswith("qti-validate")]


def test_bad_input_is_refused_with_every_problem() -> None:
    items = (*ITEMS, PackageItem(text_item("item_b"), "CACT-DEMO-000009", 1))
    test = PackageTest(
        "1form",
        "x",
        (
            PackageSection("section_1", "a", ("item_a", "item_x", "item_b")),
            PackageSection("section_1", "b", ("item_a",)),
        ),
        time_limit=0,
    )
    media = {PNG_SHA: PNG, GIF_SHA: b"GIF89a tampered", "c" * 64: b"not an image"}
    with pytest.raises(PackageError) as info:
        build_package(test, items, media, "3.0")
    messages = [issue.message for issue in info.value.issues]
    assert messages == [
        "test identifier '1form' must start with a letter or underscore",
        "item identifier 'item_b' is used by items 2 and 6",
        "section 'section_1' lists 'item_x', which is not an item given",
        "section identifier 'section_1' is used twice",
        "item 'item_a' is in section 'section_1' and 'section_1'",
        "item 'item_c' is in no section",
        "item 'item_d' is in no section",
        "item 'item_e' is in no section",
        "the time limit must be a positive number of seconds, not 0",
        f"media {GIF_SHA!r}: the bytes do not have that SHA-256",
        f"media {'c' * 64!r}: the bytes do not have that SHA-256",
    ]


def test_missing_image_and_broken_xhtml_name_the_item() -> None:
    broken = dataclasses.replace(text_item("item_b"), body=(Html("<p>unclosed"),))
    items = (ITEMS[0], PackageItem(broken, "CACT-DEMO-000002", 1))
    test = PackageTest("form_1", "x", (PackageSection("s", "s", ("item_a", "item_b")),))
    with pytest.raises(PackageError) as info:
        build_package(test, items, {PNG_SHA: PNG}, "3.0")
    assert [(issue.file, issue.message) for issue in info.value.issues] == [
        (
            "items/item_a.xml",
            f"item 'item_a', body part 2, choice 'B': image '/media/{GIF_SHA}' is not one of "
            "the media given (the package ships only the bank's own images, /media/<sha256>)",
        ),
        (
            "items/item_b.xml",
            "item 'item_b', body part 1: the XHTML is not well-formed (Opening and ending tag "
            "mismatch: p line 1 and fragment)",
        ),
    ]


def test_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown QTI version '2\.2'"):
        build_package(TEST, ITEMS, MEDIA, "2.2")  # type: ignore[arg-type]


def test_written_package_validates_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "form.zip"
    path.write_bytes(build_package(TEST, ITEMS, MEDIA, "2.1").data)
    assert validate_path(path).issues == []
