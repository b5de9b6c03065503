"""An optional review checklist per bank, answered with each decision and kept with
the review."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from itembank.errors import InvalidInput, PermissionDenied
from itembank.extensions import db
from itembank.models import AuditEvent
from itembank.operations.accounts import update_bank_settings
from itembank.operations.review_checklist import STANDARD
from itembank.operations.reviews import review_version, submit_version
from tests.factories import World, make_item

ALL_YES = {c["code"]: "yes" for c in STANDARD}


def _in_review(world: World, plugins: Any) -> Any:
    item = make_item(world, plugins)
    return submit_version(item.latest_version, actor=world.author)


def test_every_criterion_must_be_answered_and_the_review_keeps_them(
    world: World, plugins: Any
) -> None:
    update_bank_settings(world.bank, actor=world.bank_admin, review_checklist=True)
    version = _in_review(world, plugins)
    with pytest.raises(InvalidInput) as refused:
        review_version(version, actor=world.reviewer, decision="approve")
    assert [p["field"] for p in refused.value.problems] == [
        f"checklist.{c['code']}" for c in STANDARD
    ]
    partly = {**ALL_YES, "K3": "maybe"}
    partly.pop("B3")
    with pytest.raises(InvalidInput) as refused:
        review_version(version, actor=world.reviewer, decision="approve", checklist=partly)
    assert [p["field"] for p in refused.value.problems] == ["checklist.K3", "checklist.B3"]
    assert version.reviews == []

    answers = {**ALL_YES, "K3": "na", "B1": "no"}
    review_version(
        version,
        actor=world.reviewer,
        decision="request_changes",
        comment="Perbaiki ejaan pada pilihan C.",
        checklist=answers,
    )
    kept = version.reviews[0].checklist
    assert [(c["code"], c["answer"]) for c in kept] == list(answers.items())
    assert kept[8]["text"]["id"] == "Bahasa sesuai kaidah bahasa Indonesia (EYD)."
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "version.review", AuditEvent.item_id == version.item_id
        )
    ).one()
    assert event.data["checklist"]["B1"] == "no"


def test_a_later_change_of_the_list_leaves_past_reviews_as_they_were(
    world: World, plugins: Any
) -> None:
    update_bank_settings(world.bank, actor=world.bank_admin, review_checklist=True)
    version = _in_review(world, plugins)
    review_version(version, actor=world.reviewer, decision="approve", checklist=ALL_YES)
    update_bank_settings(
        world.bank,
        actor=world.bank_admin,
        review_checklist=[{"code": "X1", "aspect": "substance", "text": {"id": "a", "en": "a"}}],
    )
    assert len(version.reviews[0].checklist) == len(STANDARD)


def test_without_a_checklist_nothing_is_asked_and_answers_are_refused(
    world: World, plugins: Any
) -> None:
    version = _in_review(world, plugins)
    with pytest.raises(InvalidInput) as refused:
        review_version(version, actor=world.reviewer, decision="approve", checklist=ALL_YES)
    assert refused.value.problems[0]["field"] == "checklist"
    review_version(version, actor=world.reviewer, decision="approve")
    assert version.reviews[0].checklist is None and version.status == "approved"


def test_only_bank_admins_set_it_and_a_bad_list_is_named(world: World) -> None:
    with pytest.raises(PermissionDenied):
        update_bank_settings(world.bank, actor=world.reviewer, review_checklist=True)
    bad = [
        {"code": "A", "aspect": "style", "text": {"id": "a", "en": "a"}},
        {"code": "A", "aspect": "language", "text": {"id": "b", "en": "b"}},
    ]
    with pytest.raises(InvalidInput) as refused:
        update_bank_settings(world.bank, actor=world.bank_admin, review_checklist=bad)
    assert refused.value.problems[0]["field"] == "review_checklist.0.aspect"
    with pytest.raises(InvalidInput) as repeated:
        update_bank_settings(world.bank, actor=world.bank_admin, review_checklist=[bad[1], bad[1]])
    assert "A" in repeated.value.problems[0]["message_en"]
