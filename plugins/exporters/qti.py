"""QTI 3.0 and QTI 2.1 content packages (zip), validated before they are returned."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from itembank.exporters import Exporter, ExportFunction
from itembank.hookspecs import hookimpl
from qti.package import PackageItem, PackageTest, build_package
from qti.writer import QtiVersion


def _package_writer(version: QtiVersion) -> ExportFunction:
    def export(
        test: PackageTest, items: Sequence[PackageItem], media: Mapping[str, bytes]
    ) -> bytes:
        return build_package(test, items, media, version, validate=True).data

    return export


QTI3 = Exporter(
    id="qti3",
    label={"id": "Paket QTI 3.0", "en": "QTI 3.0 package"},
    description={
        "id": "Paket konten IMS QTI 3.0 (zip) yang sudah divalidasi, untuk sistem CAT.",
        "en": "A validated IMS QTI 3.0 content package (zip) for delivery systems.",
    },
    file_extension="zip",
    media_type="application/zip",
    export=_package_writer("3.0"),
)
QTI21 = Exporter(
    id="qti21",
    label={"id": "Paket QTI 2.1", "en": "QTI 2.1 package"},
    description={
        "id": "Paket konten IMS QTI 2.1 (zip) yang sudah divalidasi, untuk sistem lama.",
        "en": "A validated IMS QTI 2.1 content package (zip) for older delivery systems.",
    },
    file_extension="zip",
    media_type="application/zip",
    export=_package_writer("2.1"),
)


@hookimpl
def itembank_register_exporters(register: Callable[[Exporter], None]) -> None:
    register(QTI3)
    register(QTI21)
