"""What an assembler asks of an automated assembly, checked once, with bounds.

:class:`AssemblyRequestSchema` is the one description of the settings: the API takes it
as its body, the web form and the CLI build the same dictionary. :func:`load_request`
validates (every problem names its field) and :func:`core_inputs` turns a loaded request
into the pure core's ``Rules``, ``Target`` and ``Settings``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from itembank.assembly import (
    Classical,
    ContentOnly,
    Exposure,
    KeyBalance,
    MaximinTIF,
    Rules,
    Settings,
    Target,
)
from itembank.errors import InvalidInput
from itembank.itemtypes import flatten_marshmallow_errors

MAX_FORMS = 50
MAX_TIME_LIMIT = 600
MAX_LISTED_ITEMS = 2000
MAX_THETAS = 9
TARGETS = ("auto", "maximin", "classical", "content")
ITEM_ID = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", error="Not an item identifier.")


def _items(description: str) -> fields.List:
    return fields.List(
        fields.String(validate=ITEM_ID),
        load_default=list,
        validate=validate.Length(max=MAX_LISTED_ITEMS),
        metadata={"description": description},
    )


class AssemblyRequestSchema(ma.Schema):
    """The settings of an automated assembly."""

    class Meta:
        unknown = ma.RAISE

    forms = fields.Integer(
        load_default=2,
        validate=validate.Range(min=1, max=MAX_FORMS),
        metadata={"description": "how many parallel forms"},
    )
    max_overlap = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=10_000),
        metadata={
            "description": "0 (default when max_uses is not given either): no item in two "
            "forms; k: any two forms share at most k items"
        },
    )
    max_uses = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_FORMS),
        metadata={"description": "an item is in at most this many forms"},
    )
    exposure_days = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=3650),
        metadata={"description": "leave out items used in a form of the bank in the last n days"},
    )
    exposure_max_share = fields.Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=1),
        metadata={
            "description": "leave out items seen by more than this share of candidates (needs "
            "delivery statistics; the run's notes say when the bank has none)"
        },
    )
    exclude_flagged = fields.Boolean(
        load_default=False, metadata={"description": "leave out items flagged by statistics"}
    )
    enemies = fields.Boolean(load_default=True, metadata={"description": "keep enemies apart"})
    anchors = _items("item identifiers put in every form")
    include = _items("item identifiers that must be in some form")
    exclude = _items("item identifiers left out")
    key_balance = fields.Boolean(
        load_default=False,
        metadata={"description": "balance single-choice key letters per section"},
    )
    key_min_share = fields.Float(load_default=0.1, validate=validate.Range(min=0, max=1))
    key_max_share = fields.Float(load_default=0.4, validate=validate.Range(min=0, max=1))
    key_max_run = fields.Integer(load_default=2, validate=validate.Range(min=1, max=20))
    target = fields.String(
        load_default="auto",
        validate=validate.OneOf(TARGETS),
        metadata={
            "description": "maximin: the weakest form's test information at the thetas (IRT "
            "parameters); classical: equal expected score and mean p; content: the blueprint "
            "only, at random; auto: the first the pool's parameters allow"
        },
    )
    thetas = fields.List(
        fields.Float(validate=validate.Range(min=-4, max=4)),
        load_default=lambda: [-1.0, 0.0, 1.0],
        validate=validate.Length(min=1, max=MAX_THETAS),
    )
    seed = fields.Integer(load_default=7, validate=validate.Range(min=0, max=2**31 - 1))
    time_limit = fields.Float(
        load_default=60,
        validate=validate.Range(min=1, max=MAX_TIME_LIMIT),
        metadata={"description": "seconds"},
    )

    @ma.validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("key_min_share", 0) > data.get("key_max_share", 1):
            raise ma.ValidationError(
                "Must not be more than key_max_share.", field_name="key_min_share"
            )
        uses = data.get("max_uses")
        if uses is not None and uses > data.get("forms", 1):
            raise ma.ValidationError("Must not be more than forms.", field_name="max_uses")


def load_request(raw: Any) -> dict[str, Any]:
    """The validated request; :class:`InvalidInput` naming every field that is wrong."""
    if not isinstance(raw, dict):
        raw = {}
    try:
        data = AssemblyRequestSchema().load(raw)
    except ma.ValidationError as exc:
        problems = [p.as_dict() for p in flatten_marshmallow_errors(exc.messages)]
        raise InvalidInput(
            "the assembly settings have problems: "
            + "; ".join(f"{p['field']}: {p['message_en']}" for p in problems[:10]),
            problems,
        ) from None
    data["thetas"] = sorted({round(float(t), 4) for t in data["thetas"]})
    for name in ("anchors", "include", "exclude"):
        data[name] = list(dict.fromkeys(data[name]))
    return data


def rules_of(request: dict[str, Any], ids: dict[str, int], letters: tuple[str, ...]) -> Rules:
    """The core's rules; ``ids`` maps the request's item identifiers to pool ids."""
    forms = request["forms"]
    overlap, uses = request["max_overlap"], request["max_uses"]
    if overlap is None and uses is None:
        overlap = 0
    max_shared = None
    if overlap == 0:
        uses = 1
    elif overlap is not None:
        max_shared = overlap
        uses = uses or forms
    exposure = None
    if request["exposure_days"] or request["exposure_max_share"] is not None:
        exposure = Exposure(
            max_share=request["exposure_max_share"],
            min_days_since_use=request["exposure_days"],
            exclude_flagged=request["exclude_flagged"],
        )
    elif request["exclude_flagged"]:
        exposure = Exposure(exclude_flagged=True)
    key_balance = None
    if request["key_balance"] and letters:
        key_balance = KeyBalance(
            letters=letters,
            min_share=request["key_min_share"],
            max_share=request["key_max_share"],
            max_run=request["key_max_run"],
        )
    return Rules(
        max_forms_per_item=max(1, min(int(uses or 1), forms)),
        max_shared=max_shared,
        exposure=exposure,
        enemies=request["enemies"],
        anchors=tuple(ids[i] for i in request["anchors"]),
        include=tuple(ids[i] for i in request["include"]),
        exclude=tuple(ids[i] for i in request["exclude"] if i in ids),
        key_balance=key_balance,
    )


def target_of(name: str, thetas: list[float]) -> Target:
    if name == "maximin":
        return MaximinTIF(thetas=tuple(thetas))
    if name == "classical":
        return Classical()
    return ContentOnly()


def settings_of(request: dict[str, Any]) -> Settings:
    return Settings(
        forms=request["forms"], seed=request["seed"], time_limit=float(request["time_limit"])
    )


@dataclass(frozen=True)
class Note:
    """Something the run could not apply or left out, in both languages."""

    message: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {"message": self.message, "message_en": self.message_en}
