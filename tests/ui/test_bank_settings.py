"""The bank settings page (``/banks/<code>/settings``): bank admins only; it saves
what ``PATCH /api/v1/banks/<code>`` saves (tests/ui/test_roles.py pairs the two), shows
problems beside their fields in Indonesian, and the settings take effect."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import AuditEvent
from itembank.operations.review_checklist import STANDARD
from tests.factories import World
from tests.ui.conftest import text
from tests.ui.test_i18n import leaks, visible_text

SETTINGS = {
    "required_approvals": "2",
    "require_classification": "1",
    "options.single_choice": "4",
    "options.weighted_options": "",
    "distinct_weights.weighted_options": "1",
    "checklist": "standard",
    "criteria": "",
    "answer_key_from_drafts": "1",
    "thresholds.p_low": "0,25",
    "thresholds.p_high": "0,9",
    "thresholds.item_rest_min": "0,1",
    "thresholds.option_share_min": "0,05",
    "thresholds.misfit_p": "0.01",
    "thresholds.a_min": "0,4",
    "thresholds.min_candidates": "1.000",
    "thresholds.dif_categories.B": "1",
    "thresholds.dif_categories.C": "1",
}


def _error(html: str, field: str) -> str:
    match = re.search(rf'id="f-{re.escape(field)}-error">([^<]*)<', html)
    return match.group(1) if match else ""


def _audits(world: World) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.bank_id == world.bank.id, AuditEvent.action == "bank.settings")
        )
    )


def test_only_bank_admins_see_and_change_the_settings(
    as_user: Any, world: World, plugins: Any
) -> None:
    path = f"/banks/{world.bank.code}/settings"
    admin = as_user("bank_admin")
    shown = admin.get(path)
    assert shown.status_code == 200
    html = text(shown)
    assert "Pengaturan bank" in html and 'name="options.single_choice"' in html
    assert leaks(html, sorted(plugins.item_types)) == []
    assert 'id="bank-settings-link"' in text(admin.get(f"/banks/{world.bank.code}/items"))
    for role in ("author", "reviewer", "assembler"):
        client = as_user(role)
        refused = client.get(path)
        assert refused.status_code == 403, role
        assert "mengubah pengaturan bank" in text(refused)
        assert client.post(path, SETTINGS).status_code == 403
        assert 'id="bank-settings-link"' not in text(client.get(f"/banks/{world.bank.code}/items"))
    assert as_user("outsider").get(path).status_code == 404
    assert _audits(world) == 0


def test_saving_changes_the_settings_and_audits_them(as_user: Any, world: World) -> None:
    admin = as_user("bank_admin")
    path = f"/banks/{world.bank.code}/settings"
    saved = admin.post(path, SETTINGS)
    assert saved.status_code == 303 and saved.location == path
    db.session.refresh(world.bank)
    assert world.bank.required_approvals == 2
    assert world.bank.setting("writing_rules") == {
        "require_classification": True,
        "types": {
            "single_choice": {"options": 4, "distinct_weights": False},
            "weighted_options": {"options": None, "distinct_weights": True},
        },
    }
    assert world.bank.setting("review_checklist") == STANDARD
    assert world.bank.setting("answer_key_from_drafts") is True
    assert world.bank.setting("statistics_thresholds") == {
        "p_low": 0.25,
        "p_high": 0.9,
        "item_rest_min": 0.1,
        "option_share_min": 0.05,
        "misfit_p": 0.01,
        "a_min": 0.4,
        "min_candidates": 1000,
        "dif_categories": ["B", "C"],
    }
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.bank_id == world.bank.id, AuditEvent.action == "bank.settings"
        )
    ).one()
    assert event.actor_id == world.users["bank_admin"].id
    assert event.data["required_approvals"] == {"from": 1, "to": 2}
    page = text(admin.get(path))
    assert "Pengaturan bank" in page and "telah disimpan" in page
    assert 'id="f-checklist-standard" name="checklist" value="standard" checked' in page
    assert re.search(r'name="options.single_choice"[^>]*value="4"', page)
    assert re.search(r'name="thresholds.p_low"[^>]*value="0,25"', page)
    assert re.search(r'name="thresholds.min_candidates"[^>]*value="1.000"', page)

    # The bank's own criteria, one per line; they come back as written.
    own = {
        **SETTINGS,
        "checklist": "own",
        "criteria": "A1 | Materi | Sesuai indikator. | Fits the indicator.\n\n"
        "B1 | bahasa | Bahasa baku.",
    }
    assert admin.post(path, own).status_code == 303
    db.session.refresh(world.bank)
    assert [
        (c["code"], c["aspect"], c["text"]["en"]) for c in world.bank.setting("review_checklist")
    ] == [
        ("A1", "substance", "Fits the indicator."),
        ("B1", "language", "Bahasa baku."),
    ]
    page = text(admin.get(path))
    assert "A1 | Materi | Sesuai indikator. | Fits the indicator." in page


def test_problems_are_shown_beside_their_fields_and_nothing_is_saved(
    as_user: Any, world: World, plugins: Any
) -> None:
    admin = as_user("bank_admin")
    path = f"/banks/{world.bank.code}/settings"
    before = dict(world.bank.settings or {})
    cases = [
        ({"required_approvals": "dua"}, "required_approvals", "Isi dengan bilangan bulat."),
        ({"required_approvals": "11"}, "required_approvals", "dari 1 sampai 10"),
        ({"options.single_choice": "1,5"}, "options-single_choice", "Isi dengan bilangan bulat."),
        ({"options.single_choice": "1"}, "options-single_choice", "2"),
        (
            {"checklist": "own", "criteria": "K9 | Gaya | Teks."},
            "criteria",
            "Baris 1: aspek harus Materi, Konstruksi, atau Bahasa.",
        ),
        ({"checklist": "own", "criteria": " \n"}, "criteria", "Tulis minimal satu kriteria"),
        (
            {"checklist": "own", "criteria": "A1 | Materi | Satu.\nA1 | Bahasa | Dua."},
            "criteria",
            "Kode kriteria dipakai lebih dari sekali: A1.",
        ),
        ({"checklist": "lain"}, "checklist", "Pilih salah satu."),
        ({"thresholds.a_min": "rendah"}, "thresholds-a_min", "Isi dengan angka, misalnya 0,25."),
        (
            {"thresholds.p_low": "0,95"},
            "thresholds-p_low",
            "Harus lebih kecil dari batas atas p.",
        ),
        (
            {"thresholds.min_candidates": "1"},
            "thresholds-min_candidates",
            "Harus bilangan bulat dari 2 sampai 1.000.000.",
        ),
    ]
    for change, field, message in cases:
        answer = admin.post(path, {**SETTINGS, **change})
        html = text(answer)
        assert answer.status_code == 422, change
        assert message in _error(html, field), (change, _error(html, field))
        assert 'id="settings-problems"' in html
        assert leaks(html, sorted(plugins.item_types)) == [], change
        # what was typed is kept
        for name, value in change.items():
            if name not in ("criteria", "checklist") and value.strip():
                assert f'value="{value}"' in html, (name, value)
    db.session.refresh(world.bank)
    assert dict(world.bank.settings or {}) == before and _audits(world) == 0


def test_requiring_a_classification_stops_an_unclassified_submission(
    as_user: Any, world: World
) -> None:
    import json

    from tests.factories import SINGLE_CHOICE, STEM

    admin, author = as_user("bank_admin"), as_user("author")
    settings = f"/banks/{world.bank.code}/settings"
    unclassified = {
        "stem": STEM,
        "content": json.dumps(SINGLE_CHOICE),
        "metadata": "{}",
        "action": "submit",
    }
    assert admin.post(settings, {**SETTINGS, "options.single_choice": ""}).status_code == 303
    refused = author.post(f"/banks/{world.bank.code}/items/new?type=single_choice", unclassified)
    assert refused.status_code == 303 and refused.location.endswith("/edit")
    shown = visible_text(text(author.get(refused.location)))
    assert "tidak diajukan" in shown and f"Bank {world.bank.code} mewajibkan klasifikasi" in shown
    item_id = refused.location.split("/")[2]

    assert admin.post(settings, {**SETTINGS, "require_classification": ""}).status_code == 303
    submitted = author.post(
        f"/items/{item_id}/edit", {**unclassified, "base_revision": "1", "options.x": ""}
    )
    assert submitted.status_code == 303 and submitted.location == f"/items/{item_id}"
    assert "telah diajukan untuk ditelaah" in text(author.get(submitted.location))
