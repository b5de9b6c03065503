"""Validation of content packages (zip and folder), including hostile zips."""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

from qti.validate import Report, ZipLimits, validate_package_bytes, validate_path

MakeZip = Callable[..., Path]
Members = dict[str, str | bytes]


def _messages(report: Report) -> list[str]:
    return [f"{issue.file}: {issue.message}" for issue in report.issues]


def test_valid_zip_package(make_zip: MakeZip, valid_package_members: Members) -> None:
    report = validate_path(make_zip(valid_package_members))
    assert report.issues == []
    assert report.ok
    assert report.documents == 2  # the manifest and the item


def test_valid_folder_package(tmp_path: Path, valid_package_members: Members) -> None:
    for name, content in valid_package_members.items():
        target = tmp_path / "pkg" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)
    report = validate_path(tmp_path / "pkg")
    assert report.issues == []
    assert report.documents == 2


def test_package_bytes_in_memory(make_zip: MakeZip, valid_package_members: Members) -> None:
    data = make_zip(valid_package_members).read_bytes()
    report = validate_package_bytes(data, name="export.zip")
    assert report.ok and report.documents == 2


def test_missing_file(make_zip: MakeZip, valid_package_members: Members) -> None:
    del valid_package_members["items/img/jakarta.png"]
    report = validate_path(make_zip(valid_package_members))
    messages = _messages(report)
    assert any(
        m.startswith("imsmanifest.xml: <file href='items/img/jakarta.png'> is not in")
        for m in messages
    )
    # the item's <img src> is reported too, at its line
    broken = [i for i in report.issues if i.file == "items/item_capital.xml"]
    assert len(broken) == 1 and broken[0].line is not None
    assert "'img/jakarta.png', which is not in the package" in broken[0].message


def test_unlisted_file(make_zip: MakeZip, valid_package_members: Members) -> None:
    valid_package_members["notes/readme.txt"] = "not listed"
    report = validate_path(make_zip(valid_package_members))
    assert _messages(report) == [
        "notes/readme.txt: is in the package but not listed in the manifest"
    ]


def test_used_but_not_listed_for_its_resource(
    make_zip: MakeZip, valid_package_members: Members, qti3_manifest: Callable[..., str]
) -> None:
    valid_package_members["imsmanifest.xml"] = qti3_manifest(
        {"items/item_capital.xml": [], "items/img/jakarta.png": []}
    )
    report = validate_path(make_zip(valid_package_members))
    assert [i.severity for i in report.issues if i.file == "items/item_capital.xml"] == ["warning"]


def test_absolute_url_and_parent_hrefs(
    make_zip: MakeZip, valid_package_members: Members, qti3_manifest: Callable[..., str]
) -> None:
    valid_package_members["imsmanifest.xml"] = qti3_manifest(
        {
            "items/item_capital.xml": [
                "items/img/jakarta.png",
                "/etc/passwd",
                "C:/Windows/win.ini",
                "https://example.com/logo.png",
                "../outside.png",
            ]
        }
    )
    report = validate_path(make_zip(valid_package_members))
    messages = [i.message for i in report.issues if i.file == "imsmanifest.xml"]
    assert len(messages) == 4
    assert sum("absolute path" in m for m in messages) == 2
    assert sum("is a URL" in m for m in messages) == 1
    assert sum("contains '..'" in m for m in messages) == 1
    assert all(i.line is not None for i in report.issues if i.file == "imsmanifest.xml")


def test_invalid_item_inside_a_package(make_zip: MakeZip, valid_package_members: Members) -> None:
    item = str(valid_package_members["items/item_capital.xml"])
    valid_package_members["items/item_capital.xml"] = item.replace("choice_c", "3c")
    report = validate_path(make_zip(valid_package_members))
    assert report.issues and {i.file for i in report.issues} == {"items/item_capital.xml"}
    assert any("must start with a letter" in i.message for i in report.issues)


def test_missing_manifest(make_zip: MakeZip, valid_package_members: Members) -> None:
    del valid_package_members["imsmanifest.xml"]
    report = validate_path(make_zip(valid_package_members, "loose.zip"))
    assert _messages(report) == ["loose.zip: no imsmanifest.xml at the package root"]
    assert report.documents == 1  # the item was still validated


def test_zip_slip_members_are_reported_and_ignored(
    make_zip: MakeZip, valid_package_members: Members
) -> None:
    valid_package_members["../../evil.xml"] = "<evil/>"
    valid_package_members["/etc/cron.d/evil"] = "x"
    valid_package_members["..\\windows.txt"] = "x"
    report = validate_path(make_zip(valid_package_members, "slip.zip"))
    slips = [i for i in report.issues if "zip-slip" in i.message]
    assert len(slips) == 3
    assert all(i.file == "slip.zip" and i.severity == "error" for i in slips)
    assert len(report.issues) == 3  # nothing else: the members were set aside unread


def test_symlink_member_is_refused(tmp_path: Path, valid_package_members: Members) -> None:
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in valid_package_members.items():
            archive.writestr(name, content)
        link = zipfile.ZipInfo("items/link.png")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    report = validate_path(path)
    assert _messages(report) == ["items/link.png: zip member is a symbolic link; ignored"]


def test_zip_bomb_by_ratio(make_zip: MakeZip, valid_package_members: Members) -> None:
    valid_package_members["items/bomb.xml"] = b" " * (8 << 20)
    report = validate_path(make_zip(valid_package_members, "bomb.zip"))
    bombs = [i for i in report.issues if "compression ratio" in i.message]
    assert len(bombs) == 1 and bombs[0].file == "items/bomb.xml"
    assert "possible zip bomb" in bombs[0].message


def test_zip_limits_on_size_and_count(make_zip: MakeZip, valid_package_members: Members) -> None:
    path = make_zip(valid_package_members)
    few = validate_path(path, limits=ZipLimits(max_members=2))
    assert [i.message for i in few.issues] == ["has 3 members, more than the limit of 2; not read"]
    small = validate_path(path, limits=ZipLimits(max_total_size=100))
    assert len(small.issues) == 1 and "possible zip bomb" in small.issues[0].message
    member = validate_path(path, limits=ZipLimits(max_member_size=10))
    assert sum("inflates to" in i.message for i in member.issues) == 3
    assert "no imsmanifest.xml" in member.issues[-1].message


def test_header_lying_about_size_is_caught(tmp_path: Path, valid_package_members: Members) -> None:
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in valid_package_members.items():
            archive.writestr(name, content)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("items/item_capital.xml")
    # Halve the size the central directory declares for the item (offset 24 of its entry).
    entry = data.find(b"items/item_capital.xml", data.find(b"PK\x01\x02")) - 46
    assert data[entry : entry + 4] == b"PK\x01\x02"
    data[entry + 24 : entry + 28] = (info.file_size // 2).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    report = validate_path(path)
    item_issues = [i for i in report.issues if i.file == "items/item_capital.xml"]
    assert item_issues and all(i.severity == "error" for i in item_issues)


def test_garbage_and_missing_paths(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"PK\x03\x04 this is not really a zip")
    report = validate_path(garbage)
    assert [i.severity for i in report.issues] == ["error"]
    assert "not a readable zip" in report.issues[0].message
    missing = validate_path(tmp_path / "nowhere.zip")
    assert [i.message for i in missing.issues] == ["does not exist"]


def test_broken_manifest(make_zip: MakeZip, valid_package_members: Members) -> None:
    valid_package_members["imsmanifest.xml"] = "<manifest>\n<resources>\n</manifest>"
    report = validate_path(make_zip(valid_package_members))
    assert report.issues[0].file == "imsmanifest.xml"
    assert report.issues[0].line == 3
    assert "not well-formed" in report.issues[0].message


def test_unknown_dependency(
    make_zip: MakeZip, valid_package_members: Members, qti3_manifest: Callable[..., str]
) -> None:
    manifest = qti3_manifest({"items/item_capital.xml": ["items/img/jakarta.png"]})
    valid_package_members["imsmanifest.xml"] = manifest.replace(
        "    </resource>", '      <dependency identifierref="nope"/>\n    </resource>'
    )
    report = validate_path(make_zip(valid_package_members))
    assert [i.message for i in report.issues] == [
        "resource 'res_0' depends on unknown resource 'nope'"
    ]


CP11_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_v1p2" identifier="manifest_21">
  <metadata>
    <schema>IMS Content</schema>
    <schemaversion>1.1</schemaversion>
  </metadata>
  <organizations/>
  <resources>
    <resource identifier="item_capital" type="imsqti_item_xmlv2p1" href="item_capital.xml">
      <metadata>
        <imsmd:lom><imsmd:general><imsmd:title>
          <imsmd:langstring xml:lang="en">Capital</imsmd:langstring>
        </imsmd:title></imsmd:general></imsmd:lom>
      </metadata>
      <file href="item_capital.xml"/>
    </resource>
  </resources>
</manifest>
"""


def test_qti21_package_with_a_cp11_manifest(make_zip: MakeZip, qti21_item: str) -> None:
    members: Members = {"imsmanifest.xml": CP11_MANIFEST, "item_capital.xml": qti21_item}
    report = validate_path(make_zip(members))
    assert report.issues == [] and report.documents == 2
    members["imsmanifest.xml"] = CP11_MANIFEST.replace("<organizations/>", "")
    report = validate_path(make_zip(members, "broken.zip"))
    assert [(i.file, i.severity) for i in report.issues] == [("imsmanifest.xml", "error")]
    assert report.issues[0].message.startswith("IMS CP 1.1 schema:")
