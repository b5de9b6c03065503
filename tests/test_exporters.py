"""Exporter plugins: the built-in QTI exporters through the public hook, registration
checks, and a whole form of real item types exported and validated."""

from __future__ import annotations

import hashlib
import io
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from itembank.exporters import Exporter
from itembank.plugins import PluginError, PluginHost
from plugins.itemtypes._graphic import EXAMPLE_MEDIA
from qti.package import Classification, PackageError, PackageItem, PackageSection, PackageTest
from qti.rp import evaluate_score
from qti.validate import validate_package_bytes

HOST = PluginHost(entry_points=False)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x03" * 16
PNG_SHA = hashlib.sha256(PNG).hexdigest()
#: The stem's image, and those of the graphic types' examples.
MEDIA = {PNG_SHA: PNG, **EXAMPLE_MEDIA}


def form(host: PluginHost = HOST) -> tuple[PackageTest, list[PackageItem]]:
    """One item of every built-in type, the first with a bank image in its stem."""
    items = []
    for index, type_id in enumerate(sorted(host.item_types)):
        item_type = host.item_type(type_id)
        stem = f"<p>Soal {index + 1}</p>" + (
            f'<p><img src="/media/{PNG_SHA}"></p>' if index == 0 else ""
        )
        model = item_type.qti_item(
            stem,
            item_type.load(item_type.example_content()),
            identifier=f"item_{index + 1}",
            title=f"CACT-DEMO-{index + 1:06d}",
        )
        items.append(
            PackageItem(
                model, f"CACT-DEMO-{index + 1:06d}", 1, (Classification("skd-cpns", "TKP"),)
            )
        )
    section = PackageSection("section_1", "Bagian 1", tuple(i.item.identifier for i in items))
    return PackageTest("form_1", "Paket 1", (section,), time_limit=6000), items


@pytest.mark.parametrize(
    ("exporter_id", "namespace"), [("qti3", b"imsqtiasi_v3p0"), ("qti21", b"imsqti_v2p1")]
)
def test_builtin_qti_exporters_write_valid_packages(exporter_id: str, namespace: bytes) -> None:
    exporter = HOST.exporter(exporter_id)
    assert HOST.registrations["plugins.exporters.qti"].exporters == ["qti3", "qti21"]
    assert (exporter.file_extension, exporter.media_type) == ("zip", "application/zip")
    test, items = form()
    data = exporter.export(test, items, MEDIA)
    report = validate_package_bytes(data)
    assert report.issues == [] and report.documents == len(items) + 2
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert f"media/{PNG_SHA}.png" in names
        index = sorted(HOST.item_types).index("weighted_options") + 1  # types sorted by id
        weighted = archive.read(f"items/item_{index}.xml")
        assert namespace in weighted
    assert evaluate_score(weighted, {"RESPONSE": "D"}) == 4
    assert exporter.export(test, items, MEDIA) == data


def test_exporter_refuses_a_form_it_cannot_write() -> None:
    test, items = form()
    with pytest.raises(PackageError, match="not one of the media given"):
        HOST.exporter("qti3").export(test, items, {})


@pytest.fixture
def plugin_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("exporter_plugin", None)


def _write_plugin(folder: Path, body: str) -> None:
    (folder / "exporter_plugin.py").write_text(
        "from itembank import hookimpl\n"
        "from itembank.exporters import Exporter\n"
        "from plugins.exporters.qti import QTI3\n"
        "@hookimpl\n"
        "def itembank_register_exporters(register):\n" + body
    )


def test_third_party_exporter_is_registered(plugin_module: Path) -> None:
    _write_plugin(
        plugin_module,
        "    register(Exporter('raw_json', {'id': 'JSON', 'en': 'JSON'}, 'json',"
        " 'application/json', lambda test, items, media: b'{}'))\n",
    )
    host = PluginHost(extra=["exporter_plugin"], entry_points=False)
    assert host.registrations["exporter_plugin"].exporters == ["raw_json"]
    assert host.exporter("raw_json").export(*form(), {}) == b"{}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "    register(QTI3)\n",
            "exporter 'qti3' is registered by both 'plugins.exporters.qti' and 'exporter_plugin'",
        ),
        ("    register('qti9')\n", "plugin 'exporter_plugin' registered 'qti9', not an Exporter"),
        (
            "    register(Exporter('QTI 9', {'id': 'x'}, '.zip', 'application/zip', None))\n",
            "exporter 'QTI 9': id 'QTI 9' must be lowercase letters, digits and '_'; label needs"
            " an Indonesian ('id') and an English ('en') name; file_extension '.zip' must be"
            " given without a dot; export must be callable",
        ),
    ],
)
def test_bad_exporters_are_refused(plugin_module: Path, body: str, message: str) -> None:
    _write_plugin(plugin_module, body)
    with pytest.raises(PluginError) as info:
        PluginHost(extra=["exporter_plugin"], entry_points=False)
    assert message in str(info.value)


def test_exporter_contract_is_the_dataclass() -> None:
    assert isinstance(HOST.exporter("qti21"), Exporter)
    assert HOST.exporter("qti21").problems() == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "    register(QtiImporter())\n",
            "importer 'qti' is registered by both 'plugins.importers.qti' and 'importer_plugin'",
        ),
        ("    register('csv')\n", "plugin 'importer_plugin' registered 'csv', not an Importer"),
        (
            "    class Nameless(Importer):\n        id = ''\n    register(Nameless())\n",
            "plugin 'importer_plugin' registered an importer without an id",
        ),
    ],
)
def test_bad_importers_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, message: str
) -> None:
    """Importers go through the same registration checks as every other plugin kind."""
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "importer_plugin.py").write_text(
        "from itembank import hookimpl\n"
        "from itembank.importing import Importer\n"
        "from plugins.importers.qti import QtiImporter\n"
        "@hookimpl\n"
        "def itembank_register_importers(register):\n" + body
    )
    try:
        with pytest.raises(PluginError) as info:
            PluginHost(extra=["importer_plugin"], entry_points=False)
    finally:
        sys.modules.pop("importer_plugin", None)
    assert message in str(info.value)
