"""Shared passages in packages (``qti.package``): QTI 3.0 ``qti-assessment-stimulus``
files referenced by the items of the set; QTI 2.1 writes the passage into each item."""

from __future__ import annotations

import dataclasses

import pytest

from qti.package import (
    STIMULUS_CLASS,
    PackageError,
    PackageItem,
    PackageSection,
    PackageStimulus,
    PackageTest,
    build_package,
)
from qti.validate import validate_package_bytes
from qti.xml import parse_bytes
from tests.qti.test_qti_export_package import (
    GIF_SHA,
    MEDIA,
    PNG_SHA,
    choice_item,
    members,
    text_item,
)

BODY = (
    f'<p>Bacalah teks berikut. <img src="/media/{PNG_SHA}" alt="peta"/></p>'
    "<table><tbody><tr><td>2024</td><td>1.200</td></tr></tbody></table>"
    '<p><math xmlns="http://www.w3.org/1998/Math/MathML"><mfrac><mn>1</mn><mn>2</mn></mfrac>'
    "</math></p>"
)
STIMULUS = PackageStimulus("S-CACT-DEMO-P00001-V2", "Izin usaha", BODY, "id", "CACT-DEMO-P00001", 2)
ITEMS = (
    PackageItem(choice_item("item_a", image=GIF_SHA), "CACT-DEMO-000001", 1, stimulus=STIMULUS),
    PackageItem(text_item("item_b"), "CACT-DEMO-000002", 1, stimulus=STIMULUS),
    PackageItem(text_item("item_c"), "CACT-DEMO-000003", 1),
)
TEST = PackageTest(
    "form_s",
    "Paket bacaan",
    (PackageSection("section_1", "Bagian 1", ("item_a", "item_b", "item_c")),),
)
QTI3 = "{http://www.imsglobal.org/xsd/imsqtiasi_v3p0}"
CP3 = "{http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1}"


def test_qti3_writes_the_stimulus_once_and_the_items_reference_it() -> None:
    package = build_package(TEST, ITEMS, MEDIA, "3.0")
    files = members(package)
    path = "stimuli/S-CACT-DEMO-P00001-V2.xml"
    stimulus = parse_bytes(files[path])
    assert stimulus.tag == f"{QTI3}qti-assessment-stimulus"
    assert stimulus.get("title") == "Izin usaha"
    body = stimulus.find(f"{QTI3}qti-stimulus-body")
    assert body.find(f".//{QTI3}table") is not None
    assert body.find(f".//{QTI3}img").get("src") == f"../media/{PNG_SHA}.png"
    assert body.find(".//{http://www.w3.org/1998/Math/MathML}mfrac") is not None
    for name, referenced in (("item_a", True), ("item_b", True), ("item_c", False)):
        item = parse_bytes(files[f"items/{name}.xml"])
        refs = item.findall(f"{QTI3}qti-assessment-stimulus-ref")
        assert bool(refs) is referenced
        if referenced:
            (ref,) = refs
            assert ref.get("href") == f"../{path}"
            assert ref.get("identifier") == STIMULUS.identifier
            # after the declarations, right before the body (the schema's order)
            assert ref.getnext().tag == f"{QTI3}qti-item-body"
    manifest = parse_bytes(files["imsmanifest.xml"])
    resources = {r.get("identifier"): r for r in manifest.iter(f"{CP3}resource")}
    resource = resources["RES-STIMULUS-S-CACT-DEMO-P00001-V2"]
    assert resource.get("type") == "imsqti_stimulus_xmlv3p0"
    assert [d.get("identifierref") for d in resource.iter(f"{CP3}dependency")] == [
        f"RES-MEDIA-{PNG_SHA}"
    ]
    assert "CACT-DEMO-P00001" in files["imsmanifest.xml"].decode()
    item_deps = [
        d.get("identifierref") for d in resources["RES-ITEM-item_a"].iter(f"{CP3}dependency")
    ]
    assert item_deps[0] == "RES-STIMULUS-S-CACT-DEMO-P00001-V2"
    report = validate_package_bytes(package.data)
    assert [i for i in report.issues if i.severity == "error"] == []


def test_qti21_writes_the_passage_into_each_item_of_the_set() -> None:
    package = build_package(TEST, ITEMS, MEDIA, "2.1")
    files = members(package)
    assert not any(name.startswith("stimuli/") for name in files)
    qti21 = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
    for name, inlined in (("item_a", True), ("item_b", True), ("item_c", False)):
        body = parse_bytes(files[f"items/{name}.xml"]).find(f"{qti21}itemBody")
        passages = body.findall(f".//{qti21}div[@class='{STIMULUS_CLASS}']")
        assert len(passages) == int(inlined)
        if inlined:
            (passage,) = passages
            assert passage.get("id") == STIMULUS.identifier
            assert passage.find(f"{qti21}h2").text == "Izin usaha"
            assert passage.find(f".//{qti21}img").get("src") == f"../media/{PNG_SHA}.png"
            first = next(iter(body))
            assert passage in first.iter()  # before the stem
    report = validate_package_bytes(package.data)
    assert [i for i in report.issues if i.severity == "error"] == []


@pytest.mark.parametrize("version", ["3.0", "2.1"])
def test_same_input_gives_the_same_bytes(version: str) -> None:
    first = build_package(TEST, ITEMS, MEDIA, version)  # type: ignore[arg-type]
    second = build_package(TEST, list(ITEMS), dict(reversed(MEDIA.items())), version)  # type: ignore[arg-type]
    assert first.data == second.data


def test_one_identifier_with_two_texts_is_refused() -> None:
    other = dataclasses.replace(STIMULUS, body="<p>Teks lain.</p>")
    items = (*ITEMS[:2], dataclasses.replace(ITEMS[2], stimulus=other))
    with pytest.raises(PackageError, match="given twice with different content"):
        build_package(TEST, items, MEDIA, "3.0")
    bad = dataclasses.replace(STIMULUS, identifier="1 bad")
    with pytest.raises(PackageError, match="stimulus identifier '1 bad'"):
        build_package(TEST, (dataclasses.replace(ITEMS[0], stimulus=bad),), MEDIA, "3.0")
