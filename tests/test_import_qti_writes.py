"""The QTI import's shortcuts after conversion write exactly what the reference path
writes: the content the conversion loaded with the item's own type is not loaded a
second time (:attr:`itembank.importing.CandidateItem.loaded_by`), metadata is loaded
once per distinct value but for its notes, the content is written as JSON once for its
size check and its hash, and :func:`insert_rows` processes a value shared by a chunk's
rows once. An import of the bank's own export of every type (labelled, each item twice,
with images and classifications; then again, skipping the exact copies) and of the
public sample corpus writes, with and without the shortcuts, the same items, versions
(stem, content, metadata, hash, search text), classifications, contributors, images,
audit events and report, on every database. Content from anywhere else is still loaded,
as is content an importer says another type object loaded."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from itembank.extensions import db
from itembank.importing import CandidateItem, Location
from itembank.itemtypes import ContentError, schema_instance
from itembank.models import (
    AuditEvent,
    Bank,
    ImportBatch,
    Item,
    ItemClassification,
    ItemVersion,
    Media,
    Role,
    VersionContributor,
)
from itembank.operations import content as content_module
from itembank.operations import import_checks, import_writes, imports
from itembank.operations.accounts import add_member, create_bank
from itembank.operations.content import (
    MAX_NOTES_CHARS,
    MetadataSchema,
    _load_metadata,
    content_hash,
    content_size_problem,
    prepare_version,
)
from itembank.operations.import_checks import CheckedItem, Outcome
from itembank.operations.imports import run_import
from itembank.plugins import PluginHost
from plugins.itemtypes._graphic import EXAMPLE_MEDIA
from qti.package import Classification, PackageItem, PackageSection, PackageTest, build_package
from tests.factories import World, unique
from tests.qti_items import zip_of
from tests.shared import shared_path
from tests.test_import_rows_written import report
from tests.test_qti_import import OWN, PNG, PNG_SHA, STEM


def _reference(monkeypatch: pytest.MonkeyPatch) -> None:
    """The path before the shortcuts: every candidate's content loaded again, metadata
    loaded by the schema every time, the content's JSON written for the size check and
    again inside the hash's document, every value of a row processed for the driver."""
    prepare = import_checks.prepare_version
    monkeypatch.setattr(
        import_checks,
        "prepare_version",
        lambda *args, **kwargs: prepare(*args, **{**kwargs, "loaded": False}),
    )
    monkeypatch.setattr(
        content_module,
        "_load_metadata",
        lambda metadata: schema_instance(MetadataSchema).load(metadata),
    )
    monkeypatch.setattr(content_module, "_canonical_json", lambda value: None)
    monkeypatch.setattr(
        import_writes, "_processed", lambda column, process: [process(v) for v in column]
    )


#: A classification the bank's export writes (a taxonomy every bank sees).
CLASSIFIED = (Classification("skd-cpns", "TIU", "Tes Intelegensia Umum"),)


def _package(plugins: PluginHost, own: str | None = None, prefix: str = "Q") -> bytes:
    """The bank's own QTI 3.0 export of every type, each item twice (the second copy
    with a stem of its own), with images and a classification in the manifest, the
    items' identifiers starting with ``prefix``. With ``own`` (a bank's code), the
    first items as that bank's first ones coming back, every other one changed."""
    types = plugins.item_types
    items = []
    for copy in range(1 if own else 2):
        for index, (type_id, content) in enumerate(OWN[:8] if own else OWN):
            if type_id not in types:
                continue
            stem = STEM if copy else f"<p>Pokok soal {index} tanpa gambar</p>"
            if own and index % 2:
                stem = f"<p>Pokok soal {index} yang diubah</p>"
            model = types[type_id].qti_item(
                stem, content, identifier=f"{prefix}{copy}_{index}", title=f"Soal {index}"
            )
            bank_id = f"{own}-{index + 1:06d}" if own else f"B{copy}_{index}"
            items.append(PackageItem(model, bank_id, 1, classifications=CLASSIFIED))
    test = PackageTest(
        "T", "T", (PackageSection("S", "S", tuple(i.item.identifier for i in items)),)
    )
    return build_package(test, items, {PNG_SHA: PNG, **EXAMPLE_MEDIA}, "3.0").data  # type: ignore[arg-type]


def _corpus() -> list[tuple[str, bytes]]:
    """The public sample corpus as uploads: each zip as it is, each folder zipped."""
    root = shared_path("qti-samples")
    qtiworks = (
        root
        / "davemckain-qtiworks/qtiworks-samples/src/main/resources/uk/ac/ed/ph/qtiworks/samples"
    )
    uploads = []
    for folder in sorted(p for p in qtiworks.iterdir() if p.is_dir()):
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        uploads.append(
            (
                f"{folder.name}.zip",
                zip_of({str(p.relative_to(folder)): p.read_bytes() for p in files}),
            )
        )
    for path in sorted((root / "kennisnet-php-qti3/fixtures").glob("*.zip")):
        uploads.append((path.name, path.read_bytes()))
    return uploads


def _written(bank: Bank, batches: list[ImportBatch]) -> dict[str, Any]:
    """Everything the imports wrote for ``bank``, ids, times and the bank's code aside
    (an item by its number, an import by its place in ``batches``)."""
    code = bank.code

    place = {batch.id: f"#{n}" for n, batch in enumerate(batches)}
    files = {batch.sha256: f"#{n}" for n, batch in enumerate(batches)}  # (some name the bank)

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: place[v] if k == "import_batch" else plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, str):
            # (a report names an earlier import by its id: "impor #12, ...")
            text = re.sub(r"#(\d+),", lambda m: place.get(int(m[1]), m[0]) + ",", value)
            return files.get(value) or text.replace(code, "<bank>")
        return value

    number = dict(
        db.session.execute(sa.select(Item.id, Item.number).where(Item.bank_id == bank.id)).all()
    )
    version_number = dict(
        db.session.execute(
            sa.select(ItemVersion.id, ItemVersion.number).where(ItemVersion.item_id.in_(number))
        ).all()
    )

    def rows(model: Any, where: Any, *order: Any) -> list[Any]:
        return list(db.session.scalars(sa.select(model).where(where).order_by(*order)))

    items = rows(Item, Item.bank_id == bank.id, Item.number)
    versions = rows(
        ItemVersion, ItemVersion.item_id.in_(number), ItemVersion.item_id, ItemVersion.number
    )
    versions_by_id = {v.id: v for v in versions}
    classifications = rows(ItemClassification, ItemClassification.version_id.in_(versions_by_id))
    contributors = rows(VersionContributor, VersionContributor.version_id.in_(versions_by_id))

    def version_key(version_id: int) -> tuple[int, int]:
        version = versions_by_id[version_id]
        return number[version.item_id], version.number

    events = rows(AuditEvent, AuditEvent.bank_id == bank.id, AuditEvent.id)
    media = rows(Media, Media.bank_id == bank.id, Media.id)
    return plain(
        {
            "batches": [
                [
                    b.status,
                    b.filename,
                    b.sha256,
                    b.importer,
                    b.mode,
                    b.items_total,
                    b.items_created,
                    b.items_updated,
                    b.items_unchanged,
                    b.items_rejected,
                    b.errors,
                    b.warnings,
                ]
                for b in batches
            ],
            "items": [
                [
                    i.number,
                    i.external_id,
                    i.item_type,
                    i.source_ref,
                    i.created_by_id,
                    version_number.get(i.newest_version_id),
                    i.is_retired,
                ]
                for i in items
            ],
            "versions": [
                [
                    number[v.item_id],
                    v.number,
                    v.status,
                    v.stem,
                    v.content,
                    v.meta,
                    v.content_hash,
                    v.search_text,
                    v.revision,
                    v.created_by_id,
                    v.updated_by_id,
                ]
                for v in versions
            ],
            "classifications": sorted(
                [*version_key(c.version_id), c.node_id, c.level] for c in classifications
            ),
            "contributors": sorted([*version_key(c.version_id), c.user_id] for c in contributors),
            "events": [
                [
                    e.action,
                    e.actor_id,
                    number.get(e.item_id),
                    e.version_number,
                    e.from_status,
                    e.to_status,
                    e.reason,
                    e.object_type,
                    e.object_id if e.object_type != "import" else "#",
                    e.data,
                ]
                for e in events
            ],
            "media": [[m.sha256, m.filename, m.uploaded_by_id] for m in media],
            "entries": [report(batch) for batch in batches],
        }
    )


#: What to import, in order, into a bank (given its code): (file name, data, options).
Uploads = Callable[[str], list[tuple[str, bytes, dict[str, Any]]]]


def _import_into_new_bank(world: World, plugins: PluginHost, uploads: Uploads) -> dict[str, Any]:
    code = unique("W").upper()[:20]
    bank = create_bank(code, f"Bank {code}", actor=None)
    add_member(bank, world.author, Role.AUTHOR, actor=None)
    db.session.flush()
    batches = [
        run_import(bank, actor=world.author, plugins=plugins, filename=name, data=data, **options)
        for name, data, options in uploads(code)
    ]
    db.session.flush()
    return _written(bank, batches)


def _both_ways(
    monkeypatch: pytest.MonkeyPatch, world: World, plugins: PluginHost, uploads: Uploads
) -> dict[str, Any]:
    with monkeypatch.context() as patch:
        _reference(patch)
        reference = _import_into_new_bank(world, plugins, uploads)
    fast = _import_into_new_bank(world, plugins, uploads)
    for key, rows in reference.items():
        differing = [(r, f) for r, f in zip(rows, fast[key], strict=False) if r != f]
        assert (key, len(fast[key]), differing[:1]) == (key, len(rows), [])
    return fast


def test_own_export_of_every_type_writes_what_the_reference_path_writes(
    monkeypatch: pytest.MonkeyPatch, world: World, plugins: PluginHost
) -> None:
    data = _package(plugins)

    def uploads(code: str) -> list[tuple[str, bytes, dict[str, Any]]]:
        return [
            ("paket.zip", data, {"mode": "valid_only"}),
            # the same items again: each known by its source's identifier, unchanged
            ("paket.zip", data, {"mode": "strict", "skip_duplicates": True}),
            # the same items by other identifiers: new items, each close to one before
            ("lagi.zip", _package(plugins, prefix="R"), {"mode": "strict"}),
            ("kembali.zip", _package(plugins, own=code), {"mode": "valid_only"}),
        ]

    written = _both_ways(monkeypatch, world, plugins, uploads)
    kinds = len([t for t, _ in OWN if t in plugins.item_types])
    assert [b[5:10] for b in written["batches"]] == [
        [2 * kinds, 2 * kinds, 0, 0, 0],
        [2 * kinds, 0, 0, 2 * kinds, 0],
        [2 * kinds, 2 * kinds, 0, 0, 0],
        [8, 0, 8, 0, 0],  # the bank's own drafts coming back, with their classifications
    ]
    versions = written["versions"]
    assert len(versions) == 4 * kinds
    # another system's classifications are kept in the notes; the bank's own come back
    noted = [v for v in versions if "Klasifikasi di sumber: skd-cpns TIU" in v[5]["notes"]]
    assert len(noted) == 4 * kinds - 8
    assert len(written["classifications"]) == 8
    assert len(written["media"]) == 1 + len(EXAMPLE_MEDIA)


def test_sample_corpus_writes_what_the_reference_path_writes(
    monkeypatch: pytest.MonkeyPatch, world: World, plugins: PluginHost
) -> None:
    corpus = [(name, data, {"mode": "valid_only"}) for name, data in _corpus()]
    written = _both_ways(monkeypatch, world, plugins, lambda code: corpus)
    assert len(written["versions"]) > 100
    assert sum(b[9] for b in written["batches"]) > 0  # refused items reported alike


# -- the content loaded once ----------------------------------------------------------------


def _counting_loads(monkeypatch: pytest.MonkeyPatch, plugins: PluginHost) -> list[str]:
    loads: list[str] = []
    for item_type in plugins.item_types.values():
        original = item_type.load

        def load(content: Any, original: Any = original, type_id: str = item_type.id) -> Any:
            loads.append(type_id)
            return original(content)

        monkeypatch.setattr(item_type, "load", load)
    return loads


def test_the_conversions_content_is_not_loaded_again(
    monkeypatch: pytest.MonkeyPatch, world: World, plugins: PluginHost
) -> None:
    """The checks of a new item's content load nothing: the conversion loaded it with
    the same type (they loaded it a second time); the rows are the reference path's
    (above)."""
    loads = _counting_loads(monkeypatch, plugins)
    during: list[int] = []
    prepare = import_checks.prepare_version

    def counting(*args: Any, **kwargs: Any) -> Any:
        before = len(loads)
        prepared = prepare(*args, **kwargs)
        during.append(len(loads) - before)
        return prepared

    monkeypatch.setattr(import_checks, "prepare_version", counting)
    batch = run_import(
        world.bank,
        actor=world.author,
        plugins=plugins,
        filename="paket.zip",
        data=_package(plugins),
        mode="strict",
    )
    assert batch.status == "completed" and batch.items_created == len(during) > 0
    assert set(during) == {0}
    assert len(loads) >= batch.items_created  # the conversion's own


def _candidate(content: Any, loaded_by: Any) -> CandidateItem:
    return CandidateItem(
        location=Location("x.xml", "X"),
        item_type="single_choice",
        stem="<p>Pokok</p>",
        content=content,
        loaded_by=loaded_by,
    )


def test_content_from_outside_or_another_type_object_is_loaded(
    world: World, plugins: PluginHost
) -> None:
    """Only content an importer got from the core's own type object skips the load:
    anything else is loaded (and refused when it is wrong), whatever it claims."""
    item_type = plugins.item_types["single_choice"]
    wrong = {**item_type.example_content(), "key": "Z"}  # a key naming no option
    with pytest.raises(ContentError):
        item_type.load(wrong)
    other = PluginHost(entry_points=False).item_types["single_choice"]
    assert other is not item_type
    for loaded_by in (None, other, plugins.item_types["multiple_response"]):
        checked = CheckedItem(_candidate(wrong, loaded_by))
        import_checks._prepare(
            checked,
            world.bank,
            world.author,
            plugins,
            content_module.NodeLookup(world.bank),
            10**6,
            {},
        )
        assert checked.prepared is None
        assert [p.location.column for p in checked.problems] == [""]
        assert "Key 'Z'" in checked.problems[0].message_en


def test_prepare_version_loads_unless_told_the_content_is_the_types_own(
    monkeypatch: pytest.MonkeyPatch, world: World, plugins: PluginHost
) -> None:
    loads = _counting_loads(monkeypatch, plugins)
    item_type = plugins.item_types["single_choice"]
    content = item_type.load(item_type.example_content())
    loads.clear()
    by_hand = prepare_version(world.bank, item_type, "<p>Pokok</p>", content, {})
    assert loads == ["single_choice"]
    loads.clear()
    told = prepare_version(world.bank, item_type, "<p>Pokok</p>", content, {}, loaded=True)
    assert loads == []
    assert told == by_hand
    # rich text is still sanitized (and then the sanitized content is loaded)
    dirty = {**content, "options": [{**content["options"][0], "text": "<script>x</script>A"}]}
    dirty["options"] += content["options"][1:]
    cleaned = prepare_version(world.bank, item_type, "<p>Pokok</p>", dirty, {}, loaded=True)
    assert "<script>" not in json.dumps(cleaned.content)
    assert loads == ["single_choice"]


# -- metadata, JSON, the driver's values -----------------------------------------------------


def test_metadata_is_the_schemas_own_with_each_items_notes() -> None:
    schema = schema_instance(MetadataSchema)
    inputs: list[Any] = [
        {"notes": "Diimpor dari a.xml (QTI a).", "language": "id"},
        {"notes": "Diimpor dari b.xml (QTI b).", "language": "id"},
        {"language": "id", "notes": ""},
        {"tags": ["b", "a"], "notes": "x" * MAX_NOTES_CHARS},
        {"notes": "Catatan", "classifications": [{"taxonomy": "t", "node": "n", "level": 2}]},
        {"notes": "Catatan"},
        {},
    ]
    for metadata in inputs * 2:
        loaded = _load_metadata(metadata)
        assert list(loaded.items()) == list(schema.load(metadata).items())  # order too
    import marshmallow as ma

    for bad in (
        {"notes": "x" * (MAX_NOTES_CHARS + 1), "language": "id"},
        {"notes": 5, "language": "id"},
        {"notes": None, "language": "id"},
        {"notes": "ok", "difficulty": 2},
    ):
        for _ in range(2):
            with pytest.raises(ma.ValidationError) as raised:
                _load_metadata(bad)
            with pytest.raises(ma.ValidationError) as reference:
                schema.load(bad)
            assert raised.value.messages == reference.value.messages


@pytest.mark.parametrize(
    "content",
    [
        {"b": 1, "a": [{"z": "é ✓ \u2028", "y": None}], "c": 0.1, "d": True},
        {"options": [{"id": "A", "text": '<p class="x">"quoted" \\ back</p>'}], "key": "A"},
        {},
    ],
)
@pytest.mark.parametrize("passage", [None, "ab" * 32])
def test_the_hash_around_the_contents_json_is_the_hash(content: Any, passage: Any) -> None:
    metadata = {"tags": ["é"], "language": "id", "notes": "n", "classifications": []}
    canonical = content_module._canonical_json(content)
    assert canonical is not None
    assert content_hash(
        "single_choice", "<p>é</p>", content, metadata, passage, content_json=canonical
    ) == content_hash("single_choice", "<p>é</p>", content, metadata, passage)
    assert content_size_problem(content, canonical) == content_size_problem(content)
    huge = {"text": "é" * 300_000}
    assert content_size_problem(huge, content_module._canonical_json(huge)) == (
        content_size_problem(huge)
    )
    assert content_size_problem(huge) is not None


def test_a_value_shared_by_rows_is_written_as_its_own_copies_are(world: World) -> None:
    """Rows sharing one object (a dict, a timestamp) are written as rows holding equal
    objects of their own."""
    from itembank.models._types import utcnow

    now = utcnow()
    data = {"via": "import", "n": [1, "é"]}

    def rows(shared: bool) -> list[dict[str, Any]]:
        return [
            {
                "created_at": now if shared else now.replace(),
                "action": "test.shared",
                "actor_id": world.author.id,
                "bank_id": world.bank.id,
                "object_type": "x",
                "object_id": f"{shared}-{n}",
                "data": data if shared else json.loads(json.dumps(data)),
                "reason": "",
            }
            for n in range(5)
        ]

    for shared in (True, False):
        import_writes.insert_rows(AuditEvent, rows(shared), world.bank.id)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "test.shared").order_by(AuditEvent.id)
    ).all()
    written = [(e.created_at, e.data, e.object_id.split("-")[1]) for e in events]
    assert written[:5] == written[5:]
    assert written[0][1] == data


# -- the report's outcome lines --------------------------------------------------------------


def test_each_outcome_says_what_it_said() -> None:
    """The outcome entries, written one at a time now, in the words they had."""
    candidate = CandidateItem(Location("f.xml", "I"), "single_choice", "", {})
    expected = {
        Outcome.CREATED: (
            "Diimpor sebagai soal baru B-000007 (versi 1, draf).",
            "Imported as new item B-000007 (version 1, draft).",
        ),
        Outcome.NEW_VERSION: (
            "Diimpor sebagai versi baru 3 (draf) dari soal B-000007.",
            "Imported as new version 3 (draft) of item B-000007.",
        ),
        Outcome.DRAFT_UPDATED: (
            "Draf versi 3 soal B-000007 diperbarui.",
            "Draft version 3 of item B-000007 was updated.",
        ),
        Outcome.UNCHANGED: (
            "Sama dengan versi 3 soal B-000007; tidak ada yang diubah.",
            "Same as version 3 of item B-000007; nothing was changed.",
        ),
        Outcome.NOT_IMPORTED: (
            "Soal ini valid, tetapi tidak diimpor karena impor dibatalkan seluruhnya "
            "(mode strict: semua atau tidak sama sekali).",
            "This item is valid but was not imported because the whole import was undone "
            "(strict mode: all or nothing).",
        ),
    }
    for outcome, (message, message_en) in expected.items():
        item = CheckedItem(candidate, outcome=outcome, external_id="B-000007", result_version=3)
        entry = imports._outcome_entry(item)
        assert (entry.location, entry.severity.value, entry.message, entry.message_en) == (
            candidate.location,
            "info",
            message,
            message_en,
        )
    skipped = CheckedItem(
        candidate,
        outcome=Outcome.UNCHANGED,
        external_id="B-000007",
        result_version=3,
        duplicate_of=object(),
    )
    entry = imports._outcome_entry(skipped)
    assert (entry.message, entry.message_en) == (
        "Sama persis dengan soal B-000007 (versi 3) yang sudah ada; dilewati (lewati duplikat).",
        "An exact copy of item B-000007 (version 3) already in the bank; skipped "
        "(skip duplicates).",
    )
