"""The QTI importer through the real import: packages and items become drafts in a bank,
with their images, and a report per item; the bank's own exports come back unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import Item, Media
from itembank.operations.export import export_form
from itembank.operations.imports import run_import
from itembank.plugins import PluginHost
from itembank.sanitize import media_references
from plugins.itemtypes._graphic import EXAMPLE_MEDIA, EXAMPLE_SHA256
from tests.factories import World
from tests.qti_items import choice_item
from tests.shared import SHARED, shared_path
from tests.test_export import locked_form

IMS = SHARED / "qti-samples/davemckain-qtiworks/qtiworks-samples/src/main/resources/uk/ac/ed/ph"
IMS = IMS / "qtiworks/samples/ims"
KENNISNET = SHARED / "qti-samples/kennisnet-php-qti3/fixtures"


def _sample(path: Path) -> bytes:
    return shared_path(path.relative_to(SHARED)).read_bytes()


def _import(world: World, plugins: PluginHost, name: str, data: bytes, **kwargs: Any) -> Any:
    return run_import(
        world.bank,
        actor=world.author,
        plugins=plugins,
        filename=name,
        data=data,
        mode=kwargs.pop("mode", "valid_only"),
        **kwargs,
    )


def test_the_banks_own_export_comes_back_unchanged(world: World, plugins: PluginHost) -> None:
    """Every item of an exported form is recognised as the bank's own, and since
    nothing changed, no new version is made."""
    form = locked_form(world, plugins)
    package = export_form(form, exporter_id="qti3", actor=world.assembler, plugins=plugins)
    batch = _import(world, plugins, "paket.zip", package.data)
    assert batch.importer == "qti"
    assert batch.status == "completed", [(e.severity, e.message_en) for e in batch.entries]
    assert (batch.items_created, batch.items_unchanged) == (0, len(plugins.item_types)), [
        (e.severity, e.outcome, e.message_en) for e in batch.entries
    ]


def test_an_export_imports_into_another_bank_with_its_images(
    world: World, plugins: PluginHost
) -> None:
    form = locked_form(world, plugins)
    package = export_form(form, exporter_id="qti21", actor=world.assembler, plugins=plugins)
    other = World()
    batch = _import(other, plugins, "paket-21.zip", package.data)
    assert batch.status == "completed", [(e.severity, e.message_en) for e in batch.entries]
    assert batch.items_created == len(plugins.item_types)
    items = db.session.scalars(sa.select(Item).where(Item.bank_id == other.bank.id)).all()
    assert sorted(i.item_type for i in items) == sorted(plugins.item_types)
    for item in items:
        version = item.latest_version
        assert version.status == "draft" and version.created_by_id == other.author.id
        assert "Diimpor dari" in version.meta["notes"]
        assert version.meta["classifications"] == []  # another bank's taxonomy: notes only
    with_image = [i for i in items if "/media/" in i.latest_version.stem]
    assert len(with_image) == 1
    stored = db.session.scalars(sa.select(Media).where(Media.bank_id == other.bank.id)).all()
    # the stem's image, and those of the graphic types' examples
    assert sorted(m.sha256 for m in stored) == sorted(
        [media_references(with_image[0].latest_version.stem).pop(), *EXAMPLE_MEDIA]
    )
    (hotspot,) = [i for i in items if i.item_type == "hotspot"]
    assert EXAMPLE_SHA256 in hotspot.latest_version.content["image"]


def test_a_foreign_item_file_is_imported_with_scoring_proved(
    world: World, plugins: PluginHost
) -> None:
    batch = _import(world, plugins, "feedback.xml", _sample(IMS / "feedback.xml"))
    assert batch.status == "completed" and batch.items_created == 1
    (item,) = db.session.scalars(sa.select(Item).where(Item.bank_id == world.bank.id)).all()
    assert item.item_type == "single_choice"
    notes = item.latest_version.meta["notes"]
    assert "feedback.xml" in notes and "Judul di sumber:" in notes  # identifier and title kept
    created = [e for e in batch.entries if e.outcome == "created"]
    assert created and created[0].item_id == item.id
    # What the bank cannot keep (the item's feedback) is said, not silently dropped.
    assert any("Feedback" in e.message_en for e in batch.entries if e.severity == "warning")


def test_an_item_whose_image_is_not_there_is_not_imported(
    world: World, plugins: PluginHost
) -> None:
    """A lone item file cannot bring the image beside it: refused, with the reason."""
    batch = _import(world, plugins, "choice.xml", _sample(IMS / "choice.xml"))
    assert batch.items_created == 0
    (refused,) = [e for e in batch.entries if e.severity == "error"]
    assert "images/sign.png" in refused.message_en and refused.file.startswith("choice.xml")


def test_a_package_reports_what_it_could_not_import(world: World, plugins: PluginHost) -> None:
    """valid_only keeps what can be imported; every refused item says why."""
    batch = _import(world, plugins, "pkg.zip", _sample(KENNISNET / "no-response-processing.zip"))
    refused = [e for e in batch.entries if e.severity == "error"]
    assert refused, [(e.severity, e.message_en) for e in batch.entries]
    assert all(e.message and e.message_en for e in refused)
    assert batch.items_created + len(refused) >= 1
    # A refused item is counted as an item of the import, and as rejected.
    assert (batch.items_total, batch.items_rejected) == (1, 1)
    assert [e.outcome for e in refused] == ["rejected"]


def test_strict_mode_imports_nothing_when_an_item_is_refused(
    world: World, plugins: PluginHost
) -> None:
    data = _sample(KENNISNET / "no-response-processing.zip")
    batch = _import(world, plugins, "pkg.zip", data, mode="strict")
    assert batch.items_created == 0
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Item).where(Item.bank_id == world.bank.id)
        )
        == 0
    )


def test_a_broken_zip_is_a_failed_import_with_a_report(world: World, plugins: PluginHost) -> None:
    batch = _import(world, plugins, "rusak.zip", b"PK\x03\x04 not really a zip")
    assert batch.items_created == 0
    assert [e for e in batch.entries if e.severity == "error"]


def test_importing_the_same_foreign_item_again_does_not_duplicate_it(
    world: World, plugins: PluginHost
) -> None:
    """The item remembers its identifier in the source system: a second import of it is
    recognised (unchanged here; a changed one becomes a new draft version)."""
    data = _sample(IMS / "feedback.xml")
    first = _import(world, plugins, "feedback.xml", data)
    assert first.items_created == 1
    (item,) = db.session.scalars(sa.select(Item).where(Item.bank_id == world.bank.id)).all()
    assert item.source_ref == "feedback"
    again = _import(world, plugins, "feedback.xml", data)
    assert (again.items_created, again.items_unchanged) == (0, 1)
    changed = data.replace(b"Who is the President of Mexico?", b"Who was President of Mexico?")
    assert changed != data
    revised = _import(world, plugins, "feedback.xml", changed)
    assert (revised.items_created, revised.items_updated) == (0, 1), [
        (e.severity, e.message_en) for e in revised.entries
    ]
    db.session.expire(item)
    # Still the writer's own draft, so the draft itself is updated (a submitted or
    # approved item would get a new draft version instead).
    assert [v.number for v in item.versions] == [1]
    assert "Who was President of Mexico?" in item.latest_version.stem
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Item).where(Item.bank_id == world.bank.id)
        )
        == 1
    )


def _noise_png(side: int, seed: int) -> bytes:
    """A PNG of random pixels: it does not compress, so its size is about 3 * side²."""
    import io
    import random

    from PIL import Image

    pixels = random.Random(seed).randbytes(side * side * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(buffer, "PNG")
    return buffer.getvalue()


def _package_with_image(ident: str, image: bytes) -> bytes:
    from tests.qti_items import CHOICE_ITEM, zip_of

    members = {
        f"{ident}.xml": CHOICE_ITEM.format(ident=ident, image='<img src="img/p.png" alt="p"/>'),
        "img/p.png": image,
    }
    return zip_of(members)


def test_the_configured_media_limit_applies_to_qti_images(
    app: Any, world: World, plugins: PluginHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ITEMBANK_MEDIA_MAX_BYTES, not a fixed 2 MB: a 2.3 MB image imports under a 3 MB
    limit (the limits every caller builds from the configuration carry it)."""
    from itembank.importing import ImportLimits
    from itembank.models import MediaBlob

    image = _noise_png(870, seed=1)
    assert 2 * 1024 * 1024 < len(image) < 3 * 1024 * 1024
    monkeypatch.setitem(app.config, "ITEMBANK_MEDIA_MAX_BYTES", 3 * 1024 * 1024)
    limits = ImportLimits.from_config(app.config)
    assert limits.media_max_bytes == 3 * 1024 * 1024
    batch = _import(world, plugins, "besar.zip", _package_with_image("besar", image), limits=limits)
    assert batch.items_created == 1, [(e.severity, e.message_en) for e in batch.entries]
    (media,) = db.session.scalars(sa.select(Media).where(Media.bank_id == world.bank.id)).all()
    assert db.session.get(MediaBlob, media.sha256).size == len(image)


def test_the_import_takes_its_media_limit_from_its_limits_not_the_configuration(
    app: Any, world: World, plugins: PluginHost
) -> None:
    """A 150 kB image under the test configuration's 200 kB, over the 100 kB the import
    was given: refused by the QTI importer, with the limit in both languages."""
    from itembank.importing import ImportLimits

    image = _noise_png(224, seed=2)
    assert 100_000 < len(image) < app.config["ITEMBANK_MEDIA_MAX_BYTES"]
    batch = _import(
        world,
        plugins,
        "sedang.zip",
        _package_with_image("sedang", image),
        limits=ImportLimits(media_max_bytes=100_000),
    )
    assert (batch.items_created, batch.items_rejected) == (0, 1)
    (refused,) = [e for e in batch.entries if e.severity == "error"]
    assert "maximum size is 0.1 MB" in refused.message_en
    assert "ukuran maksimum 0,1 MB" in refused.message
    assert db.session.scalars(sa.select(Media).where(Media.bank_id == world.bank.id)).all() == []


def test_valid_only_stores_only_the_images_of_the_items_written(
    world: World, plugins: PluginHost
) -> None:
    """An item refused in valid_only mode brings its image in vain: no Media row, no
    blob and no ``media.upload`` event for an image no written item uses; the image two
    written items share is stored once, with one event."""
    from itembank.models import AuditEvent, MediaBlob
    from tests.qti_items import CHOICE_ITEM, png, zip_of

    shared, own, lost = png(3, 3), png(4, 4), png(5, 5)
    sha = {
        name: hashlib.sha256(data).hexdigest()
        for name, data in (("shared", shared), ("own", own), ("lost", lost))
    }

    def item(ident: str, src: str) -> str:
        return CHOICE_ITEM.format(ident=ident, image=f'<img src="{src}" alt="gambar"/>')

    no_score = item("tanpa-skor", "img/lost.png").replace(
        '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>', ""
    )
    package = zip_of(
        {
            "1-a.xml": item("soal-a", "img/shared.png"),
            "2-b.xml": item("soal-b", "img/shared.png"),
            # the same source identifier again: the import rejects it while checking
            "3-again.xml": item("soal-a", "img/own.png"),
            # no SCORE: the QTI importer refuses it before the import sees its image
            "4-no-score.xml": no_score,
            "img/shared.png": shared,
            "img/own.png": own,
            "img/lost.png": lost,
        }
    )
    batch = _import(world, plugins, "campuran.zip", package, mode="valid_only")
    assert batch.status == "completed"
    assert (batch.items_created, batch.items_rejected) == (2, 2), [
        (e.severity, e.message_en) for e in batch.entries
    ]
    rejected = {e.file.split(":")[0] for e in batch.entries if e.outcome == "rejected"}
    assert rejected == {"3-again.xml", "4-no-score.xml"}
    stored = db.session.scalars(sa.select(Media.sha256).where(Media.bank_id == world.bank.id))
    assert list(stored) == [sha["shared"]]
    assert db.session.get(MediaBlob, sha["own"]) is None
    assert db.session.get(MediaBlob, sha["lost"]) is None
    uploads = db.session.scalars(
        sa.select(AuditEvent.object_id).where(
            AuditEvent.action == "media.upload", AuditEvent.bank_id == world.bank.id
        )
    ).all()
    assert uploads == [sha["shared"]]


def test_an_item_whose_markup_nests_too_deep_is_refused_saying_why(
    world: World, plugins: PluginHost
) -> None:
    """Rich text the sanitizer will not parse (over 100 levels) refuses the item with
    the reason, as any other content the bank cannot keep."""
    deep = "<span>" * 150 + "A" + "</span>" * 150
    data = choice_item("deep", 3, ["A"]).replace(b"Pilihan A", deep.encode())
    batch = _import(world, plugins, "deep.xml", data)
    assert batch.items_created == 0
    (refused,) = [e for e in batch.entries if e.severity == "error"]
    assert "the markup nests elements more than 100 deep" in refused.message_en
    assert "teks kaya tidak dapat disimpan" in refused.message


def test_an_image_object_is_stored_as_the_items_image(world: World, plugins: PluginHost) -> None:
    """QTIworks' nested postcard (an EPS object falling back to a PNG object falling
    back to text), with its images folder: a draft whose stem shows the PNG, stored as
    the bank's media, with the postcard's text as alt text."""
    from tests.qti_items import zip_of

    png = _sample(IMS / "images/postcard.png")
    package = zip_of(
        {
            "nested_object.xml": _sample(IMS / "nested_object.xml"),
            "images/postcard.eps": _sample(IMS / "images/postcard.eps"),
            "images/postcard.png": png,
        }
    )
    batch = _import(world, plugins, "kartu-pos.zip", package)
    assert (batch.status, batch.items_created) == ("completed", 1), [
        (e.severity, e.message_en) for e in batch.entries
    ]
    (item,) = db.session.scalars(sa.select(Item).where(Item.bank_id == world.bank.id)).all()
    assert item.item_type == "extended_text"
    sha = hashlib.sha256(png).hexdigest()
    stem = item.latest_version.stem
    assert media_references(stem) == {sha}
    assert 'alt="Here is a postcard of my town.' in stem
    stored = db.session.scalars(sa.select(Media).where(Media.bank_id == world.bank.id)).all()
    assert [(m.sha256, m.blob.mime, m.blob.data) for m in stored] == [(sha, "image/png", png)]
