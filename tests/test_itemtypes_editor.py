"""The item types' editor descriptions (``ItemType.editor_fields``)."""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
import pytest

from itembank.itemtypes import EDITOR_KINDS, EditorField, ItemType, check_editor_fields
from itembank.plugins import PluginHost

HOST = PluginHost(entry_points=False)


@pytest.mark.parametrize("type_id", sorted(HOST.item_types))
def test_builtin_descriptions_cover_the_content_schema(type_id: str) -> None:
    item_type = HOST.item_type(type_id)
    assert item_type.editor_fields(), f"{type_id} has no editor description"
    assert check_editor_fields(item_type) == []
    described = json.loads(json.dumps([f.as_dict() for f in item_type.editor_fields()]))
    assert all(f["label"]["id"] and f["label"]["en"] for f in described)
    # Every value of the example content is named by some field of the description.
    names = {f["name"] for f in described}
    assert set(item_type.example_content()) <= names


def test_a_third_party_type_without_a_description_gets_the_json_editor() -> None:
    class Bare(ItemType):
        id = "bare"
        label = {"id": "Polos", "en": "Bare"}
        content_schema = ma.Schema

    assert Bare().editor_fields() == []
    assert check_editor_fields(Bare()) == []


class PointsSchema(ma.Schema):
    points = ma.fields.Float()
    options = ma.fields.List(
        ma.fields.Nested(ma.Schema.from_dict({"id": ma.fields.Str(), "text": ma.fields.Str()}))
    )
    key = ma.fields.Str()


def described(*fields: EditorField) -> Any:
    class Described(ItemType):
        id = "described"
        label = {"id": "D", "en": "D"}
        content_schema = PointsSchema

        def editor_fields(self) -> list[EditorField]:
            return list(fields)

    return Described()


LABEL = {"id": "Label", "en": "Label"}
OPTIONS = EditorField(
    "options", "entries", LABEL, fields=(EditorField("text", "rich_text", LABEL),)
)


def test_check_editor_fields_names_what_is_wrong() -> None:
    good = described(
        EditorField("points", "number", LABEL),
        OPTIONS,
        EditorField("key", "key", LABEL, source="options"),
    )
    assert check_editor_fields(good) == []
    problems = check_editor_fields(
        described(
            EditorField("points", "slider", {"id": "Poin"}),
            EditorField("extra", "text", LABEL),
            EditorField("key", "key", LABEL, source="nowhere"),
            EditorField("options", "entries", LABEL, fields=(), id_style="roman"),
        )
    )
    assert "points: unknown kind 'slider'" in problems
    assert "points: needs an Indonesian and an English label" in problems
    assert "extra: not a field of the content schema" in problems
    assert "key: source 'nowhere' is not an entries field beside it" in problems
    assert "options.text: in the content schema but not in the editor" in problems
    assert "options: unknown id style 'roman'" in problems
    assert {"rich_text", "entries", "key"} <= EDITOR_KINDS


def test_regions_are_drawn_on_an_image_field_and_are_a_source_for_keys() -> None:
    from plugins.itemtypes._graphic import regions_editor_field
    from plugins.itemtypes.hotspot import Hotspot

    class Misdrawn(Hotspot):
        def editor_fields(self) -> list[EditorField]:
            fields = super().editor_fields()
            image = EditorField("image", "text", {"id": "Gambar", "en": "Image"})
            regions = regions_editor_field("hotspots", {"id": "Area", "en": "Regions"})
            return [image, regions, *fields[2:]]

    assert check_editor_fields(Hotspot()) == []
    assert check_editor_fields(Misdrawn()) == [
        "hotspots: source 'image' is not an image field beside it"
    ]
    assert {"image", "regions"} <= EDITOR_KINDS
    description = Hotspot().editor_fields()[1].as_dict()
    assert (description["kind"], description["source"]) == ("regions", "image")
    assert [f["name"] for f in description["fields"]] == ["shape", "coords", "label"]
