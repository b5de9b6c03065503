"""The review checklist on the review screen, through the API, and on the item page."""

from __future__ import annotations

from typing import Any

from itembank.operations.accounts import update_bank_settings
from itembank.operations.review_checklist import STANDARD
from itembank.operations.reviews import submit_version
from tests.factories import World, make_item
from tests.ui.conftest import text


def test_the_reviewer_answers_the_checklist_with_the_decision(
    as_user: Any, world: World, plugins: Any
) -> None:
    update_bank_settings(world.bank, actor=world.bank_admin, review_checklist=True)
    item = make_item(world, plugins)
    submit_version(item.latest_version, actor=world.author)
    reviewer = as_user("reviewer")
    url = f"/items/{item.external_id}/versions/1/review"
    page = text(reviewer.get(url))
    checklist = page.split('id="review-checklist"')[1].split("</fieldset>")[0]
    assert "Materi" in checklist and "Konstruksi" in checklist and "Bahasa" in checklist
    assert checklist.count('type="radio"') == 3 * len(STANDARD)

    answers = {f"checklist-{c['code']}": "yes" for c in STANDARD}
    answers.pop("checklist-K2")
    refused = reviewer.post(url, {"decision": "approve", **answers})
    assert refused.status_code == 422
    body = text(refused)
    assert 'href="#cl-K2-yes"' in body and "Jawab kriteria K2" in body
    assert 'id="cl-M1-yes" name="checklist-M1" value="yes" checked' in body  # kept

    answers["checklist-K2"] = "no"
    approved = reviewer.post(url, {"decision": "approve", **answers})
    assert approved.status_code == 303
    shown = text(as_user("author").get(f"/items/{item.external_id}/versions/1"))
    assert "Daftar periksa telaah: 1 dari 11 butir tidak terpenuhi" in shown
