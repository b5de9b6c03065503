"""A bank's statistics flag thresholds: when an item's figures put it in the
statistics review queue.

Stored in ``bank.settings["statistics_thresholds"]`` and read by
:func:`itembank.operations.statistics.thresholds_for`; the names are those of
:class:`itembank.psychometrics.flags.Thresholds` plus ``min_candidates`` (the fewest
candidates an item needs before it is flagged). A bank admin sets them with
``PATCH /api/v1/banks/<code>`` or the bank settings page; a value left out keeps its
default.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import marshmallow as ma
from babel.numbers import format_decimal

from itembank.errors import InvalidInput
from itembank.itemtypes import flatten_marshmallow_errors
from itembank.models import Bank
from itembank.psychometrics.flags import Thresholds

#: The fewest candidates an item needs before it is flagged, unless the bank says.
DEFAULT_MIN_CANDIDATES = 100
#: The Mantel-Haenszel DIF categories a bank may flag (ETS: A negligible, B moderate,
#: C large).
DIF_CATEGORIES = ("B", "C")


#: Each number's allowed range (low, high, whole), for messages that state it.
BOUNDS: dict[str, tuple[float, float, bool]] = {
    "p_low": (0, 1, False),
    "p_high": (0, 1, False),
    "item_rest_min": (-1, 1, False),
    "option_share_min": (0, 1, False),
    "misfit_p": (0, 1, False),
    "a_min": (0, 10, False),
    "min_candidates": (2, 1_000_000, True),
}
ORDER = "Must be below the upper limit of p."


def _problem(field: str, message: str, message_en: str) -> dict[str, str]:
    """The problem, with the range stated in both languages where one was broken."""
    name = field.rsplit(".", 1)[-1]
    if message_en == ORDER:
        message = "Harus lebih kecil dari batas atas p."
    elif name in BOUNDS and message_en.startswith(("Must be", "Not a valid")):
        low, high, whole = BOUNDS[name]
        kind_id, kind_en = ("bilangan bulat", "a whole number") if whole else ("angka", "a number")
        low_id, high_id = (format_decimal(bound, locale="id") for bound in (low, high))
        message = f"Harus {kind_id} dari {low_id} sampai {high_id}."
        message_en = f"Must be {kind_en} from {low:,} to {high:,}."
    return {"field": field, "message": message, "message_en": message_en}


def _share(**kwargs: Any) -> ma.fields.Float:
    return ma.fields.Float(allow_nan=False, validate=ma.validate.Range(0, 1), **kwargs)


class ThresholdsSchema(ma.Schema):
    p_low = _share(metadata={"description": "flag items with p below this (too hard)"})
    p_high = _share(metadata={"description": "flag items with p above this (too easy)"})
    item_rest_min = ma.fields.Float(
        allow_nan=False,
        validate=ma.validate.Range(-1, 1),
        metadata={"description": "flag items whose item-rest correlation is below this"},
    )
    option_share_min = _share(
        metadata={"description": "flag options chosen by fewer than this share of candidates"}
    )
    misfit_p = _share(metadata={"description": "flag IRT misfit with a p-value below this"})
    a_min = ma.fields.Float(
        allow_nan=False,
        validate=ma.validate.Range(0, 10),
        metadata={"description": "flag IRT slopes (a) below this"},
    )
    dif_categories = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(DIF_CATEGORIES)),
        metadata={"description": "the Mantel-Haenszel DIF categories flagged (B, C)"},
    )
    min_candidates = ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(2, 1_000_000),
        metadata={"description": "the fewest candidates an item needs before it is flagged"},
    )

    @ma.validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        low = data.get("p_low", Thresholds.p_low)
        high = data.get("p_high", Thresholds.p_high)
        if low >= high:
            raise ma.ValidationError(ORDER, field_name="p_low")


def defaults() -> dict[str, Any]:
    """Every threshold at its default."""
    values = asdict(Thresholds())
    values["dif_categories"] = list(values["dif_categories"])
    return {**values, "min_candidates": DEFAULT_MIN_CANDIDATES}


def load_thresholds(raw: Any) -> dict[str, Any]:
    """``raw`` checked and completed with the defaults; :class:`InvalidInput` names
    each problem (``statistics_thresholds.<name>``)."""
    if not isinstance(raw, dict):
        raise InvalidInput(
            "the statistics thresholds must be an object",
            [
                {
                    "field": "statistics_thresholds",
                    "message": "Ambang statistik harus berupa objek.",
                    "message_en": "The statistics thresholds must be an object.",
                }
            ],
        )
    try:
        loaded = ThresholdsSchema().load(raw)
    except ma.ValidationError as exc:
        problems = [
            _problem(
                f"statistics_thresholds.{p.field}" if p.field else "statistics_thresholds",
                p.message,
                p.message_en,
            )
            for p in flatten_marshmallow_errors(exc.messages)
        ]
        raise InvalidInput(
            "the statistics thresholds are not valid: "
            + "; ".join(f"{p['field']}: {p['message_en']}" for p in problems),
            problems,
        ) from None
    return {**defaults(), **loaded}


def bank_thresholds(bank: Bank) -> dict[str, Any]:
    """The thresholds the bank flags with (its own, defaults for the rest)."""
    raw = bank.setting("statistics_thresholds") or {}
    known = {k: v for k, v in raw.items() if k in defaults()} if isinstance(raw, dict) else {}
    return {**defaults(), **known}
