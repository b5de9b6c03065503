"""Content quality: duplicate options, and a bank's writing rules checked on drafts
and enforced on submission."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from itembank.errors import InvalidInput, PermissionDenied
from itembank.extensions import db
from itembank.models import AuditEvent
from itembank.operations.accounts import update_bank_settings
from itembank.operations.items import draft_problems
from itembank.operations.reviews import submit_version
from tests.factories import SINGLE_CHOICE, TKP, World, make_item

SKD_RULES = {
    "require_classification": True,
    "types": {"single_choice": {"options": 5}, "weighted_options": {"distinct_weights": True}},
}


def fields_of(problems: list[dict[str, str]]) -> list[str]:
    return [p["field"] for p in problems]


def test_options_with_the_same_text_are_an_error(plugins: Any) -> None:
    content = {
        **SINGLE_CHOICE,
        "options": [
            {"id": "A", "text": "<p>Rp518.400</p>"},
            {"id": "B", "text": "<p><strong>rp518.400</strong>.</p>"},  # same once normalised
            {"id": "C", "text": "<p>Rp 518.400</p>"},  # a different text
        ],
        "key": "A",
    }
    with pytest.raises(Exception) as refused:
        plugins.item_type("single_choice").load(content)
    problems = refused.value.problems
    assert [(p.field, p.message) for p in problems] == [
        ("options.1.text", "Teks pilihan 'B' sama dengan pilihan 'A'.")
    ]


def test_the_banks_rules_are_listed_on_a_draft_and_refused_on_submission(
    world: World, plugins: Any
) -> None:
    update_bank_settings(world.bank, actor=world.bank_admin, writing_rules=SKD_RULES)
    four_options = make_item(world, plugins, metadata={})  # SINGLE_CHOICE has four
    draft = four_options.latest_version
    problems = draft_problems(draft, plugins=plugins)
    assert fields_of(problems) == ["metadata.classifications", "content.options"]
    assert problems[1]["message"] == (
        f"Bank {world.bank.code} mewajibkan tepat 5 pilihan jawaban (sekarang 4)."
    )
    with pytest.raises(InvalidInput) as refused:
        submit_version(draft, actor=world.author, plugins=plugins)
    assert fields_of(refused.value.problems) == fields_of(problems)
    assert draft.status == "draft"


def test_each_weight_of_the_scale_once(world: World, plugins: Any) -> None:
    update_bank_settings(world.bank, actor=world.bank_admin, writing_rules=SKD_RULES)
    twice = [dict(o) for o in TKP["options"]]
    twice[4]["weight"] = 3  # E repeats A's 3; nothing weighs 2
    item = make_item(
        world,
        plugins,
        item_type="weighted_options",
        content={**TKP, "options": twice},
        metadata={"classifications": [{"taxonomy": "skd-cpns", "node": "TKP.PP"}]},
    )
    problems = draft_problems(item.latest_version, plugins=plugins)
    assert [(p["field"], p["message_en"]) for p in problems] == [
        (
            "content.options.4.weight",
            "Weight 3 is already used by option 'A': use each weight once.",
        ),
        ("content.options", "Weights not used yet: 2."),
    ]
    good = make_item(
        world,
        plugins,
        item_type="weighted_options",
        content=TKP,
        metadata={"classifications": [{"taxonomy": "skd-cpns", "node": "TKP.PP"}]},
    )
    assert submit_version(good.latest_version, actor=world.author, plugins=plugins).status == (
        "in_review"
    )


def test_without_rules_nothing_more_is_required(world: World, plugins: Any) -> None:
    item = make_item(world, plugins, metadata={})
    assert draft_problems(item.latest_version, plugins=plugins) == []


def test_only_bank_admins_change_the_rules_and_bad_rules_name_the_field(
    world: World, plugins: Any
) -> None:
    with pytest.raises(PermissionDenied):
        update_bank_settings(world.bank, actor=world.author, writing_rules=SKD_RULES)
    with pytest.raises(InvalidInput) as refused:
        update_bank_settings(
            world.bank,
            actor=world.bank_admin,
            writing_rules={"types": {"single_choice": {"options": "lima"}}},
        )
    assert fields_of(refused.value.problems) == ["writing_rules.types.single_choice.value.options"]
    update_bank_settings(world.bank, actor=world.bank_admin, writing_rules=SKD_RULES)
    event = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "bank.settings")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.data["writing_rules"]["to"]["require_classification"]
