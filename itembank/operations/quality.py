"""A bank's writing rules: what its items must meet before they are submitted.

Stored in ``bank.settings["writing_rules"]``::

    {"require_classification": true,
     "types": {"single_choice": {"options": 5},
               "weighted_options": {"options": 5, "distinct_weights": true}}}

``require_classification``: every item names at least one taxonomy node.
``types.<type id>.options``: items of that type have exactly this many options.
``types.<type id>.distinct_weights``: each weight of the scale is used by exactly one
option (TKP: weights 1 to 5, each once; PPPK: 1 to 4, each once), which also fixes
the number of options to the scale's size.

A draft is stored with these problems listed; submitting refuses them
(:func:`itembank.operations.reviews.submit_version`).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from itembank.errors import InvalidInput
from itembank.itemtypes import ItemType, Problem, flatten_marshmallow_errors
from itembank.models import Bank, TaxonomyNode


class TypeRulesSchema(ma.Schema):
    options = ma.fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=ma.validate.Range(2, 26)
    )
    distinct_weights = ma.fields.Boolean(load_default=False)


class WritingRulesSchema(ma.Schema):
    require_classification = ma.fields.Boolean(load_default=False)
    types = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Length(min=1, max=64)),
        values=ma.fields.Nested(TypeRulesSchema),
        load_default=dict,
    )


def load_writing_rules(raw: Any) -> dict[str, Any]:
    """``raw`` checked and normalised; :class:`InvalidInput` names each problem."""
    try:
        return WritingRulesSchema().load(raw if raw is not None else {})
    except ma.ValidationError as exc:
        problems = [
            Problem(
                f"writing_rules.{p.field}" if p.field else "writing_rules", p.message, p.message_en
            )
            for p in flatten_marshmallow_errors(exc.messages)
        ]
        raise InvalidInput(
            "the writing rules are not valid: "
            + "; ".join(f"{p.field}: {p.message_en}" for p in problems),
            [p.as_dict() for p in problems],
        ) from None


def writing_rules(bank: Bank) -> dict[str, Any]:
    """The bank's writing rules (nothing required when none are set)."""
    raw = bank.setting("writing_rules") or {}
    try:
        return WritingRulesSchema().load(raw)
    except ma.ValidationError:  # stored by hand and wrong: apply none rather than fail
        return WritingRulesSchema().load({})


def bank_rule_problems(
    bank: Bank,
    item_type: ItemType,
    content: dict[str, Any],
    nodes: list[tuple[TaxonomyNode, int | None]],
    *,
    complete: bool = True,
) -> list[Problem]:
    """What keeps content from meeting ``bank``'s writing rules. ``complete`` is False
    for a draft's content that still misses fields; rules about options are then
    checked only as far as the options go."""
    rules = writing_rules(bank)
    problems: list[Problem] = []
    if rules["require_classification"] and not nodes:
        problems.append(
            Problem(
                "metadata.classifications",
                f"Bank {bank.code} mewajibkan klasifikasi: pilih minimal satu kompetensi "
                "atau bidang.",
                f"Bank {bank.code} requires a classification: choose at least one "
                "competency or area.",
            )
        )
    type_rules = rules["types"].get(item_type.id)
    options = content.get("options")
    if not type_rules or not isinstance(options, list):
        return problems
    wanted = type_rules.get("options")
    if wanted is not None and len(options) != wanted:
        problems.append(
            Problem(
                "content.options",
                f"Bank {bank.code} mewajibkan tepat {wanted} pilihan jawaban "
                f"(sekarang {len(options)}).",
                f"Bank {bank.code} requires exactly {wanted} options (now {len(options)}).",
            )
        )
    if type_rules.get("distinct_weights"):
        problems.extend(_distinct_weight_problems(content, complete=complete))
    return problems


def _distinct_weight_problems(content: dict[str, Any], *, complete: bool) -> list[Problem]:
    options = content["options"]
    scale = content.get("scale") or {}
    low, high = scale.get("min"), scale.get("max")
    weights = [o.get("weight") for o in options if isinstance(o, dict)]
    problems: list[Problem] = []
    seen: dict[Any, str] = {}
    for index, option in enumerate(options):
        weight = option.get("weight") if isinstance(option, dict) else None
        if weight is None:
            continue
        if weight in seen:
            problems.append(
                Problem(
                    f"content.options.{index}.weight",
                    f"Bobot {weight} sudah dipakai pilihan '{seen[weight]}': setiap bobot "
                    "dipakai satu kali.",
                    f"Weight {weight} is already used by option '{seen[weight]}': use each "
                    "weight once.",
                )
            )
        else:
            seen[weight] = str(option.get("id", index + 1))
    if complete and isinstance(low, int) and isinstance(high, int) and 0 <= high - low < 26:
        missing = [w for w in range(low, high + 1) if w not in weights]
        if missing:
            problems.append(
                Problem(
                    "content.options",
                    "Bobot yang belum dipakai: " + ", ".join(map(str, missing)) + ".",
                    "Weights not used yet: " + ", ".join(map(str, missing)) + ".",
                )
            )
    return problems


def _join(prefix: str, field: str) -> str:
    return f"{prefix}.{field}" if field else prefix
