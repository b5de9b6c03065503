"""A form holding every item type and a passage set exports as a valid package: QTI 3.0
writes the passage once as a stimulus the set's items reference, QTI 2.1 writes it into
each of them; the items still score as their types say."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import Form
from itembank.operations.blueprints import create_blueprint
from itembank.operations.export import export_form
from itembank.operations.forms import add_entry, create_form, lock_form
from itembank.operations.media import upload_media
from itembank.operations.passage_reviews import review_passage_version, submit_passage_version
from itembank.operations.passage_sets import set_item_passage
from itembank.operations.passages import create_passage
from itembank.operations.reviews import review_version, submit_version
from itembank.plugins import PluginHost
from qti import run_response_processing
from qti.validate import validate_package_bytes
from qti.xml import parse_bytes
from tests.factories import World, make_item, unique
from tests.test_export import _png, every_type

QTI3 = "{http://www.imsglobal.org/xsd/imsqtiasi_v3p0}"
QTI21 = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"


def passage_set(world: World, plugins: PluginHost, size: int = 2) -> tuple[Any, list[Any]]:
    """An approved passage (text, a table, an image, a formula) and ``size`` approved
    single-choice items pinning it."""
    media = upload_media(world.bank, _png(), actor=world.author, max_bytes=200_000)
    passage = create_passage(
        world.bank,
        actor=world.author,
        title="Layanan izin daring",
        body=(
            "<p>Pemerintah kota membuka layanan izin usaha daring.</p>"
            "<table><tr><th>Tahun</th><th>Izin</th></tr><tr><td>2024</td><td>1.200</td></tr>"
            "</table>"
            f'<p><img src="/media/{media.sha256}" alt="grafik izin"></p>'
            '<p><math xmlns="http://www.w3.org/1998/Math/MathML"><mfrac><mn>3</mn><mn>4</mn>'
            "</mfrac></math> pemohon adalah UMKM.</p>"
        ),
    )
    version = submit_passage_version(passage.latest_version, actor=world.author)
    review_passage_version(version, actor=world.reviewer, decision="approve")
    items = []
    for _ in range(size):
        item = make_item(world, plugins)
        set_item_passage(item.latest_version, actor=world.author, passage=version)
        submitted = submit_version(item.latest_version, actor=world.author)
        review_version(submitted, actor=world.reviewer, decision="approve")
        items.append(item)
    return passage, items


def form_with_a_set(world: World, plugins: PluginHost) -> tuple[Form, Any, list[Any]]:
    items = every_type(world, plugins)
    passage, members = passage_set(world, plugins)
    spec = {
        "code": unique("BP-"),
        "title": "Semua jenis soal dan satu bacaan",
        "total_length": len(items) + len(members),
        "time_limit_minutes": 45,
        "sections": [
            {
                "title": "Bagian 1",
                "rows": [
                    {
                        "taxonomy": "skd-cpns",
                        "node": "TIU.NUM",
                        "count": len(items) + len(members),
                    }
                ],
            }
        ],
    }
    blueprint = create_blueprint(world.bank, spec, actor=world.assembler, plugins=plugins)
    form = create_form(world.bank, blueprint, title="Paket dengan bacaan", actor=world.assembler)
    for item in [*items, *members]:
        add_entry(form, item.approved_version, actor=world.assembler)
    lock_form(form, actor=world.assembler, plugins=plugins)
    return form, passage, members


@pytest.mark.parametrize("exporter", ["qti3", "qti21"])
def test_a_form_with_every_type_and_a_passage_set_exports_validly(
    world: World, plugins: PluginHost, exporter: str
) -> None:
    form, passage, members = form_with_a_set(world, plugins)
    exported = export_form(form, exporter_id=exporter, actor=world.assembler, plugins=plugins)
    report = validate_package_bytes(exported.data)
    assert report.ok, report.issues[:5]
    archive = zipfile.ZipFile(io.BytesIO(exported.data))
    names = set(archive.namelist())
    stimulus_path = f"stimuli/S-{passage.external_id}-V1.xml"
    member_files = [f"items/I-{item.external_id}-V1.xml" for item in members]
    others = [name for name in names if name.startswith("items/") and name not in member_files]
    assert len(others) == len(plugins.item_types)
    if exporter == "qti3":
        assert stimulus_path in names
        stimulus = parse_bytes(archive.read(stimulus_path))
        assert stimulus.find(f".//{QTI3}table") is not None
        assert stimulus.find(f".//{QTI3}img").get("src").startswith("../media/")
        for path in member_files:
            root = parse_bytes(archive.read(path))
            ref = root.find(f"{QTI3}qti-assessment-stimulus-ref")
            assert ref.get("href") == f"../{stimulus_path}"
        for path in others:
            assert (
                parse_bytes(archive.read(path)).find(f"{QTI3}qti-assessment-stimulus-ref") is None
            )
    else:
        assert not any(name.startswith("stimuli/") for name in names)
        for path in member_files:
            text = archive.read(path).decode()
            assert 'class="itembank-stimulus"' in text and "1.200" in text
        for path in others:
            assert b"itembank-stimulus" not in archive.read(path)
    # the set's items still score as single choice: the key scores, another option not
    for path in member_files:
        root = parse_bytes(archive.read(path))
        assert run_response_processing(root, {"RESPONSE": "B"})["SCORE"] == 5
        assert run_response_processing(root, {"RESPONSE": "A"})["SCORE"] == 0


def _import(world: World, plugins: PluginHost, name: str, data: bytes) -> Any:
    from itembank.operations.imports import run_import

    return run_import(
        world.bank,
        actor=world.author,
        plugins=plugins,
        filename=name,
        data=data,
        mode="valid_only",
    )


@pytest.mark.parametrize("exporter", ["qti3", "qti21"])
def test_a_passage_set_comes_back_as_one_passage_in_another_bank(
    world: World, plugins: PluginHost, exporter: str
) -> None:
    from itembank.models import Item, Media, Passage

    form, passage, members = form_with_a_set(world, plugins)
    exported = export_form(form, exporter_id=exporter, actor=world.assembler, plugins=plugins)
    other = World()
    batch = _import(other, plugins, f"paket-{exporter}.zip", exported.data)
    assert batch.status == "completed", [(e.severity, e.message_en) for e in batch.entries]
    assert batch.items_created == len(plugins.item_types) + len(members)
    passages = db.session.scalars(sa.select(Passage).where(Passage.bank_id == other.bank.id)).all()
    assert len(passages) == 1  # the set's two items share one passage
    (copy,) = passages
    source = passage.latest_version
    version = copy.latest_version
    assert version.status == "draft" and version.title == source.title
    assert version.body == source.body.replace(
        _media_of(source.body), _media_of(version.body)
    )  # the same text, tables, formula and image (stored in the other bank)
    assert db.session.scalar(
        sa.select(Media.id).where(
            Media.bank_id == other.bank.id, Media.sha256 == _media_of(version.body)
        )
    )
    items = db.session.scalars(sa.select(Item).where(Item.bank_id == other.bank.id)).all()
    in_set = [i for i in items if i.latest_version.passage_version_id == version.id]
    assert len(in_set) == len(members)
    # the stem no longer carries the passage
    assert all("1.200" not in i.latest_version.stem for i in in_set)


def test_the_banks_own_passage_set_comes_back_pinned_to_its_passage(
    world: World, plugins: PluginHost
) -> None:
    from itembank.models import Passage

    form, _passage, members = form_with_a_set(world, plugins)
    exported = export_form(form, exporter_id="qti3", actor=world.assembler, plugins=plugins)
    batch = _import(world, plugins, "paket.zip", exported.data)
    assert batch.status == "completed"
    assert batch.items_unchanged == len(plugins.item_types) + len(members)
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Passage).where(Passage.bank_id == world.bank.id)
    )
    assert count == 1  # nothing new


def _media_of(html: str) -> str:
    import re

    match = re.search(r"/media/([0-9a-f]{64})", html)
    assert match is not None
    return match.group(1)


def _set_form(world: World, plugins: PluginHost, length: int) -> Form:
    spec = {
        "code": unique("BP-"),
        "title": "Bacaan",
        "total_length": length,
        "sections": [
            {
                "title": "Bagian 1",
                "rows": [{"taxonomy": "skd-cpns", "node": "TIU.NUM", "count": length}],
            }
        ],
    }
    blueprint = create_blueprint(world.bank, spec, actor=world.assembler, plugins=plugins)
    return create_form(world.bank, blueprint, title="Paket bacaan", actor=world.assembler)


def _codes(form: Form, plugins: PluginHost) -> list[tuple[str, str | None]]:
    from itembank.operations.form_report import build_report

    report = build_report(form, plugins)
    return [(f.code, f.item) for f in report.findings if f.code.startswith("set_")]


def test_an_added_item_joins_its_set_and_a_split_set_is_an_error(
    world: World, plugins: PluginHost
) -> None:
    from itembank.operations.form_order import move_entry
    from tests.forms_helpers import approved

    _passage, members = passage_set(world, plugins, size=3)
    loose = approved(world, plugins)
    form = _set_form(world, plugins, 4)
    first = add_entry(form, members[0].approved_version, actor=world.assembler)
    add_entry(form, loose.approved_version, actor=world.assembler)
    # the set's next item goes right after the first, not after the loose item
    second = add_entry(form, members[1].approved_version, actor=world.assembler)
    assert (first.position, second.position) == (1, 2)
    # the set counts its items: each fills a blueprint row of its own; one is missing
    assert _codes(form, plugins) == [("set_incomplete", members[0].external_id)]
    third = add_entry(form, members[2].approved_version, actor=world.assembler)
    assert third.position == 3 and _codes(form, plugins) == []
    lock_form(form, actor=world.assembler, plugins=plugins)

    split = _set_form(world, plugins, 4)
    for item in (*members, loose):
        add_entry(split, item.approved_version, actor=world.assembler)
    loose_entry = max(split.sections[0].entries, key=lambda e: e.position)
    move_entry(loose_entry, actor=world.assembler, position=2)
    codes = _codes(split, plugins)
    assert [code for code, _ in codes] == ["set_apart", "set_apart"]
    from itembank.operations.forms import FormInvalid

    with pytest.raises(FormInvalid):
        lock_form(split, actor=world.assembler, plugins=plugins)


@pytest.mark.parametrize("count", [1, 2, 3])
def test_assembly_takes_a_set_all_or_none(world: World, plugins: PluginHost, count: int) -> None:
    from itembank.operations.assembly import accept_run, build_pool, run_inline
    from itembank.operations.assembly_request import load_request
    from itembank.operations.blueprints import get_blueprint
    from itembank.operations.form_report import build_report
    from tests.forms_helpers import approved

    loose = approved(world, plugins)
    _passage, members = passage_set(world, plugins, size=2)
    pool = build_pool(world.bank, load_request({"target": "content"}), plugins)
    assert pool.pool.item_sets == [[m.id for m in members]]
    spec = {
        "code": unique("BP-"),
        "title": "Rakit",
        "total_length": count,
        "sections": [
            {"title": "TIU", "rows": [{"taxonomy": "skd-cpns", "node": "TIU.NUM", "count": count}]}
        ],
    }
    code = create_blueprint(world.bank, spec, actor=world.assembler, plugins=plugins).code
    blueprint = get_blueprint(world.bank, code, actor=world.assembler)
    run = run_inline(
        world.bank,
        blueprint,
        {"forms": 1, "seed": 3, "target": "content"},
        actor=world.assembler,
        plugins=plugins,
    )
    assert run.status == "proposed", run.messages
    (form,) = accept_run(run, actor=world.assembler)
    chosen = {e.item.external_id for e in form.entries}
    in_set = chosen & {m.external_id for m in members}
    assert in_set in (set(), {m.external_id for m in members})
    assert (loose.external_id in chosen) == (count != 2)
    order = [e.item.external_id for e in sorted(form.entries, key=lambda e: e.position)]
    if in_set:  # the set is one run of entries
        at = sorted(order.index(m.external_id) for m in members)
        assert at[1] == at[0] + 1
    assert build_report(form, plugins).ok


def test_exporting_chosen_items_ships_their_passage(world: World, plugins: PluginHost) -> None:
    from itembank.operations.bulk_export import export_items

    passage, members = passage_set(world, plugins)
    exported = export_items(
        world.bank,
        [m.external_id for m in members],
        actor=world.assembler,
        plugins=plugins,
        exporter_id="qti3",
        skip_refused=False,
    )
    assert validate_package_bytes(exported.data).ok
    names = set(zipfile.ZipFile(io.BytesIO(exported.data)).namelist())
    assert f"stimuli/S-{passage.external_id}-V1.xml" in names
    assert any(name.startswith("media/") for name in names)  # the passage's image
