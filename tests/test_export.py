"""Exporting a locked form: a valid, deterministic package whose every item scores in its
own response processing exactly as the item type's ``score()``, with its answer key."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image

from itembank.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from itembank.extensions import db
from itembank.models import AuditEvent, Form
from itembank.operations.blueprints import create_blueprint
from itembank.operations.export import build_form_package, export_form
from itembank.operations.forms import FormInvalid, add_entry, create_form, lock_form
from itembank.operations.media import upload_media
from itembank.plugins import PluginHost
from plugins.itemtypes._graphic import EXAMPLE_MEDIA
from qti import run_response_processing
from qti.package import CHECKSUMS
from qti.reader import read_item
from qti.validate import validate_package_bytes
from qti.xml import parse_bytes
from tests.factories import World, unique
from tests.forms_helpers import approved
from tests.itemtype_helpers import (
    NO_QTI_GAP_PAIRS,
    NO_QTI_GAPS,
    NO_QTI_MULTIPLE,
    NO_QTI_PAIRS,
    NO_QTI_SINGLE,
    WRONG_GAP_PAIRS,
    WRONG_GAPS,
    WRONG_LIST,
    WRONG_MATCHING,
    WRONG_NUMBER,
    WRONG_POINTS,
    WRONG_SINGLE,
    WRONG_TEXT,
    deliverable_associate,
    deliverable_gap_fillings,
    deliverable_gap_match,
    deliverable_gaps,
    deliverable_matching,
    deliverable_multiple,
    deliverable_numbers,
    deliverable_ordering,
    deliverable_points,
    deliverable_single,
    deliverable_text,
)

EXPORTERS = ("qti3", "qti21")


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 4), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def every_type(world: World, plugins: PluginHost, types: Iterable[str] | None = None) -> list[Any]:
    """One approved item of every built-in type (or of ``types``), all under TIU.NUM; the
    first shows an image in its stem."""
    items = []
    for type_id in sorted(plugins.item_types if types is None else types):
        item_type = plugins.item_types[type_id]
        items.append(
            approved(world, plugins, item_type=type_id, content=item_type.example_content())
        )
    return items


def locked_form(
    world: World, plugins: PluginHost, *, image: bool = True, types: Iterable[str] | None = None
) -> Form:
    items = every_type(world, plugins, types)
    if image:
        media = upload_media(world.bank, _png(), actor=world.author, max_bytes=200_000)
        from itembank.operations.items import start_new_draft, update_draft
        from itembank.operations.reviews import review_version, submit_version

        draft = start_new_draft(items[0], actor=world.author)
        draft = update_draft(
            draft,
            actor=world.author,
            plugins=plugins,
            base_revision=draft.revision,
            stem=f'<p>Perhatikan gambar.</p><p><img src="/media/{media.sha256}" alt="grafik"></p>',
        )
        submit_version(draft, actor=world.author)
        review_version(draft, actor=world.reviewer, decision="approve")
    spec = {
        "code": unique("BP-"),
        "title": "Semua jenis soal",
        "total_length": len(items),
        "time_limit_minutes": 45,
        "sections": [
            {
                "title": "Bagian 1",
                "rows": [{"taxonomy": "skd-cpns", "node": "TIU.NUM", "count": len(items)}],
            }
        ],
    }
    blueprint = create_blueprint(world.bank, spec, actor=world.assembler, plugins=plugins)
    form = create_form(world.bank, blueprint, title="Paket uji ekspor", actor=world.assembler)
    for item in items:
        add_entry(form, item.approved_version, actor=world.assembler)
    lock_form(form, actor=world.assembler, plugins=plugins)
    return form


#: (The hotspot example takes one area.)
SINGLE_IDENTIFIER = {"single_choice", "weighted_options", "likert", "hotspot"}


def responses_for(type_id: str, content: dict[str, Any], plugins: PluginHost) -> list[Any]:
    """Every response a delivery system can send for the item: blank, every option alone,
    and the combinations a candidate could make. ``score`` and ``qti_response`` accept
    each one (the shapes they refuse are in :func:`refused_for`)."""
    ids = list(plugins.item_types[type_id].summary(content).options)
    if type_id in SINGLE_IDENTIFIER:
        return deliverable_single(ids)
    if type_id == "multiple_response":
        return deliverable_multiple(ids)
    if type_id == "true_false":
        return [None, True, False]
    if type_id == "ordering":
        return deliverable_ordering(ids)
    if type_id == "matching":
        return deliverable_matching(content)
    if type_id == "short_text":
        return deliverable_text(list(content["accepted"]))
    if type_id == "composite":  # each part's responses with the others blank, and all at once
        parts = content["parts"]
        own = [responses_for(p["type"], p["content"], plugins) for p in parts]
        blank: list[Any] = [None] * len(parts)
        result: list[Any] = [None]
        for index, values in enumerate(own):
            result += [[*blank[:index], value, *blank[index + 1 :]] for value in values]
        result += [list(combo) for combo in zip(*own, strict=False)]
        best = [
            max(values, key=lambda r, p=part: plugins.item_types[p["type"]].score(p["content"], r))
            for part, values in zip(parts, own, strict=True)
        ]
        return [*result, best]
    if type_id == "inline_choice":
        return deliverable_gaps(content)
    if type_id == "numeric":
        return deliverable_numbers(content)
    if type_id == "slider":  # every value of the scale
        from plugins.itemtypes.slider import scale_values

        return [None, *scale_values(content)]
    if type_id == "gap_match":
        return deliverable_gap_fillings(content)
    if type_id == "hot_text":
        return deliverable_multiple(list(plugins.item_types[type_id].summary(content).options))
    if type_id == "associate":
        return deliverable_associate(content)
    if type_id == "graphic_gap_match":
        return deliverable_gap_match(content)
    if type_id == "select_point":
        return deliverable_points(content)
    if type_id == "graphic_order":
        return deliverable_ordering(list(content["correct_order"]))
    if type_id == "graphic_associate":
        return deliverable_associate(content)
    raise AssertionError(f"no responses for the machine-scored type {type_id!r}")


def refused_for(type_id: str) -> tuple[list[Any], list[Any]]:
    """The shapes ``score`` refuses and those only ``qti_response`` refuses (``score``
    takes an identifier with a space, which no QTI response can carry)."""
    if type_id in SINGLE_IDENTIFIER:
        return WRONG_SINGLE, [NO_QTI_SINGLE]
    if type_id in {"multiple_response", "ordering", "true_false", "graphic_order"}:
        return WRONG_LIST, [NO_QTI_MULTIPLE] if type_id == "multiple_response" else []
    if type_id in {"matching", "associate", "graphic_gap_match", "graphic_associate"}:
        return WRONG_MATCHING, [NO_QTI_PAIRS]
    if type_id == "short_text":
        return WRONG_TEXT, []
    if type_id == "select_point":
        return WRONG_POINTS, []
    if type_id == "composite":  # one response per part, in a list
        return [WRONG_SINGLE[0], ["A"], "A", {"RESPONSE_1": "A"}], []
    if type_id == "inline_choice":
        return WRONG_GAPS, [NO_QTI_GAPS]
    if type_id == "numeric":
        return WRONG_NUMBER, []
    if type_id == "slider":  # a whole-number scale has no fractions
        return WRONG_NUMBER, [62.5]
    if type_id == "gap_match":
        return WRONG_GAP_PAIRS, [NO_QTI_GAP_PAIRS]
    if type_id == "hot_text":
        return WRONG_LIST, [NO_QTI_MULTIPLE]
    raise AssertionError(f"no refused shapes for the machine-scored type {type_id!r}")


@pytest.mark.parametrize("exporter", EXPORTERS)
def test_a_locked_form_exports_a_valid_deterministic_faithful_package(
    world: World, plugins: PluginHost, exporter: str
) -> None:
    form = locked_form(world, plugins)
    first = export_form(form, exporter_id=exporter, actor=world.assembler, plugins=plugins)
    second = export_form(form, exporter_id=exporter, actor=world.assembler, plugins=plugins)
    assert first.data == second.data and first.sha256 == second.sha256
    report = validate_package_bytes(first.data)
    assert report.ok, report.issues[:5]
    assert form.status == "exported" and form.package_sha256 == first.sha256

    archive = zipfile.ZipFile(io.BytesIO(first.data))
    names = set(archive.namelist())
    assert any(name.startswith("media/") and name.endswith(".png") for name in names)
    checksums = archive.read(CHECKSUMS).decode()
    assert len(checksums.splitlines()) == len(names) - 1
    key = json.loads(first.answer_key_json)
    assert key["package"] == {"format": exporter, "sha256": first.sha256}
    entries = {row["qti_identifier"]: row for row in key["items"]}
    assert len(entries) == len(plugins.item_types)

    # Every item, scored by its own exported response processing, agrees with score().
    checked = keyed = 0
    for identifier, row in entries.items():
        item_type = plugins.item_types[row["type"]]
        version = _version(world, row["item"], row["version"])
        root = parse_bytes(archive.read(f"items/{identifier}.xml"))
        # A ValueError from score() or qti_response() fails the test: each is a response
        # a delivery system sends.
        responses = (
            []
            if item_type.scored_by_person
            else responses_for(row["type"], version.content, plugins)
        )
        for response in responses:
            expected = item_type.score(version.content, response)
            variables = item_type.qti_response(version.content, response)
            got = run_response_processing(root, variables)
            assert got["SCORE"] == expected, (identifier, response, got, expected)
            checked += 1
        # The key's option scores are what the package itself scores: each option alone
        # in the shape its response declaration takes, through the package's processing.
        declaration = read_item(archive.read(f"items/{identifier}.xml")).item.responses[0]
        for option, score in (row["option_scores"] or {}).items():
            alone = option if declaration.cardinality == "single" else [option]
            assert run_response_processing(root, {"RESPONSE": alone})["SCORE"] == score, (
                identifier,
                option,
            )
            assert score == _score_alone(item_type, version.content, row["type"], option)
            keyed += 1
        if row["option_scores"] is None and item_type.summary(version.content).options:
            assert row["option_scores_note"], row["type"]  # says why there are none
    assert checked > 100
    assert keyed >= 20

    events = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "form.export", AuditEvent.object_id == form.external_id
        )
    ).all()
    assert [e.data["package_sha256"] for e in events] == [first.sha256, first.sha256]


def test_the_shapes_no_delivery_system_sends_are_refused_by_name(plugins: PluginHost) -> None:
    """What the export test leaves out is refused with a ValueError, not scored: malformed
    shapes by score() and qti_response() alike, identifiers with a space by
    qti_response() alone (score() reads them, a QTI response cannot carry them)."""
    machine_scored = [
        t for t in sorted(plugins.item_types) if not plugins.item_types[t].scored_by_person
    ]
    assert machine_scored
    for type_id in machine_scored:
        item_type = plugins.item_types[type_id]
        content = item_type.load(item_type.example_content())
        wrong, no_qti = refused_for(type_id)
        for response in wrong:
            with pytest.raises(ValueError):
                item_type.score(content, response)
            with pytest.raises(ValueError):
                item_type.qti_response(content, response)
        for response in no_qti:
            item_type.score(content, response)
            with pytest.raises(ValueError):
                item_type.qti_response(content, response)
        for response in responses_for(type_id, content, plugins):
            assert response not in wrong and response not in no_qti, (type_id, response)


def _score_alone(item_type: Any, content: dict[str, Any], type_id: str, option: str) -> Any:
    """The score of a response choosing only ``option``, in the type's response shape."""
    if type_id == "true_false":
        return item_type.score(content, option == "true")
    if type_id == "multiple_response":
        return item_type.score(content, [option])
    return item_type.score(content, option)


def _version(world: World, external_id: str, number: int) -> Any:
    from itembank.models import Item, ItemVersion

    return db.session.scalars(
        sa.select(ItemVersion)
        .join(Item, Item.id == ItemVersion.item_id)
        .where(Item.external_id == external_id, ItemVersion.number == number)
    ).one()


def test_the_package_follows_the_form(world: World, plugins: PluginHost) -> None:
    form = locked_form(world, plugins, image=False)
    test, items, media = build_form_package(form, plugins)
    assert test.title == "Paket uji ekspor" and test.time_limit == 45 * 60
    assert [s.title for s in test.sections] == ["Bagian 1"]
    assert list(test.sections[0].items) == [i.item.identifier for i in items]
    first = items[0]
    assert first.bank_item_id.startswith(world.bank.code)
    assert first.classifications[0].taxonomy == "skd-cpns"
    assert first.classifications[0].node == "TIU.NUM"
    # no image in any stem: only those of the graphic types' examples
    assert media == EXAMPLE_MEDIA


def test_only_locked_forms_export_and_only_for_assemblers(
    world: World, plugins: PluginHost
) -> None:
    form = locked_form(world, plugins, image=False)
    for name in ("author", "reviewer"):
        with pytest.raises(PermissionDenied):
            export_form(form, exporter_id="qti3", actor=world.users[name], plugins=plugins)
    with pytest.raises(NotFound):
        export_form(form, exporter_id="qti3", actor=world.outsider, plugins=plugins)
    with pytest.raises(InvalidInput) as unknown:
        export_form(form, exporter_id="scorm", actor=world.assembler, plugins=plugins)
    assert "qti21, qti3" in unknown.value.message
    spec = {
        "code": unique("BP-"),
        "title": "Kosong",
        "total_length": 1,
        "sections": [{"title": "A", "rows": [{"taxonomy": "skd-cpns", "node": "TIU", "count": 1}]}],
    }
    blueprint = create_blueprint(world.bank, spec, actor=world.assembler, plugins=plugins)
    draft = create_form(world.bank, blueprint, title="Draf", actor=world.assembler)
    with pytest.raises(Conflict, match="only locked forms export"):
        export_form(draft, exporter_id="qti3", actor=world.assembler, plugins=plugins)
    assert draft.status == "draft"


def test_an_item_the_exporter_cannot_write_stops_the_export(
    world: World, plugins: PluginHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export refuses, saying which item, and the form is not marked exported."""
    form = locked_form(world, plugins, image=False)
    item_type = plugins.item_types["single_choice"]

    def broken(*args: Any, **kwargs: Any) -> Any:
        model = type(item_type).to_qti(item_type, *args, **kwargs)
        return model.__class__(**{**model.__dict__, "identifier": "1-not-an-identifier"})

    monkeypatch.setattr(item_type, "to_qti", broken)
    with pytest.raises(Conflict) as refused:
        export_form(form, exporter_id="qti3", actor=world.assembler, plugins=plugins)
    assert refused.value.code == "export_failed"
    assert "1-not-an-identifier" in refused.value.message
    assert form.status == "locked"


@pytest.mark.parametrize("exporter", EXPORTERS)
def test_stored_content_validation_would_refuse_stops_the_export(
    world: World, plugins: PluginHost, exporter: str
) -> None:
    """Content stored around validation (or before a limit existed) is refused by name,
    never a server error: a 400-digit ``points`` cannot become a float."""
    from itembank.answer_key import answer_key
    from itembank.operations.form_report import load_form_entries

    form = locked_form(world, plugins, image=False)
    entry = next(e for e in load_form_entries(form) if "points" in e.version.content)
    entry.version.content = {**entry.version.content, "points": 10**400}
    db.session.flush()
    with pytest.raises(Conflict) as refused:
        export_form(form, exporter_id=exporter, actor=world.assembler, plugins=plugins)
    assert refused.value.code == "export_failed"
    assert f"{entry.item.external_id} v{entry.version.number}" in refused.value.message
    assert (
        "stored content does not pass validation: points: Must be less than or equal to 1000."
        in refused.value.message
    )
    assert form.status == "locked"
    with pytest.raises(Conflict) as key_refused:
        answer_key(form, actor=world.assembler, plugins=plugins)
    assert "points: Must be less than or equal to 1000." in key_refused.value.message


def _retire_first_item(world: World, form: Form) -> Any:
    """Retire the form's first item, as a bank admin does when it leaked."""
    from itembank.operations.form_report import load_form_entries
    from itembank.operations.reviews import retire_item

    item = load_form_entries(form)[0].item
    return retire_item(item, actor=world.bank_admin, reason="Tersebar di media sosial")


def _export_events(form: Form) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "form.export", AuditEvent.object_id == form.external_id)
            .order_by(AuditEvent.id)
        )
    )


def test_a_retired_item_stops_the_export(world: World, plugins: PluginHost) -> None:
    """A locked form whose item was retired since is refused with the report's findings,
    and stays locked, with no export recorded."""
    form = locked_form(world, plugins, image=False)
    item = _retire_first_item(world, form)
    with pytest.raises(FormInvalid) as refused:
        export_form(form, exporter_id="qti3", actor=world.assembler, plugins=plugins)
    assert refused.value.code == "form_invalid"
    findings = refused.value.details["findings"]
    assert [(f["code"], f["item"], f["severity"]) for f in findings] == [
        ("item_retired", item.external_id, "error")
    ]
    assert findings[0]["message"] and findings[0]["message_en"]
    assert "1 error(s)" in refused.value.message and "force" in refused.value.message
    assert form.status == "locked" and form.package_sha256 is None
    assert _export_events(form) == []


def test_only_a_bank_admin_may_force_an_export_and_it_is_audited(
    world: World, plugins: PluginHost
) -> None:
    form = locked_form(world, plugins, image=False)
    item = _retire_first_item(world, form)
    with pytest.raises(PermissionDenied, match="bank_admin"):
        export_form(form, exporter_id="qti3", actor=world.assembler, plugins=plugins, force=True)
    with pytest.raises(PermissionDenied, match="--user"):
        export_form(form, exporter_id="qti3", actor=None, plugins=plugins, force=True)
    assert form.status == "locked"

    result = export_form(
        form, exporter_id="qti3", actor=world.bank_admin, plugins=plugins, force=True
    )
    assert form.status == "exported" and form.package_sha256 == result.sha256
    assert [f["code"] for f in result.forced] == ["item_retired"]
    (event,) = _export_events(form)
    assert event.actor_id == world.bank_admin.id
    assert event.data["forced"] is True
    assert [(f["code"], f["item"]) for f in event.data["findings"]] == [
        ("item_retired", item.external_id)
    ]
    # An exported form is checked again at every export.
    with pytest.raises(FormInvalid):
        export_form(form, exporter_id="qti21", actor=world.bank_admin, plugins=plugins)


def test_force_without_errors_records_nothing_more(world: World, plugins: PluginHost) -> None:
    form = locked_form(world, plugins, image=False)
    result = export_form(
        form, exporter_id="qti3", actor=world.assembler, plugins=plugins, force=True
    )
    assert result.forced == ()
    (event,) = _export_events(form)
    assert "forced" not in event.data and "findings" not in event.data
