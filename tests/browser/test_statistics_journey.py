"""Results and statistics in the browser: an assembler records an administration of an
exported form and uploads a results CSV, sees the job finish and the disagreement
report, opens the form's *Analisis* (histogram, the item table sorting on a click);
then a reviewer decides a flag from the statistics queue with a reason and reads the
item's *Statistik* tab with its option chart."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from itembank.extensions import db
from tests.browser.conftest import PASSWORD, LiveServer

N = 240


def _exported_form_with_results(live_server: LiveServer, tmp_path: Path) -> dict[str, Any]:
    """A bank of its own (users with the demo password) holding an exported form of
    eight items, and a results CSV of 240 simulated candidates for it: able candidates
    choose a distractor of the first item (a miskey the analysis flags), and the
    delivery system reports its full score for that item to everyone (a disagreement)."""
    from itembank.models import User
    from itembank.operations.blueprints import create_blueprint
    from itembank.operations.export import export_form
    from itembank.operations.forms import add_entry, create_form, lock_form
    from tests.factories import World, unique
    from tests.forms_helpers import approved
    from tests.results_helpers import results_csv, scorer_for, simulated_rows

    app = live_server.app
    with app.app_context():
        plugins = app.extensions["itembank.plugins"]
        world = World()
        items = [approved(world, plugins) for _ in range(6)]
        items += [approved(world, plugins, item_type="weighted_options") for _ in range(2)]
        blueprint = create_blueprint(
            world.bank,
            {
                "code": unique("BP-"),
                "title": "Kisi-kisi uji statistik",
                "total_length": len(items),
                "sections": [
                    {
                        "title": "TIU",
                        "rows": [{"taxonomy": "skd-cpns", "node": "TIU.NUM", "count": len(items)}],
                    }
                ],
            },
            actor=world.assembler,
            plugins=plugins,
        )
        form = create_form(
            world.bank, blueprint, title="Paket uji statistik", actor=world.assembler
        )
        for item in items:
            add_entry(form, item.approved_version, actor=world.assembler)
        lock_form(form, actor=world.assembler, plugins=plugins)
        export_form(form, exporter_id="qti3", actor=world.assembler, plugins=plugins)
        scorer = scorer_for(form, plugins)
        rows = simulated_rows(scorer, plugins, N, miskey=(0, "C"))
        delivered = [
            [float(e.max_score) if j == 0 else None for j, e in enumerate(scorer.entries)]
            for _ in rows
        ]
        groups = [{"gender": "F" if i % 2 else "M"} for i in range(N)]
        path = tmp_path / "hasil-seleksi.csv"
        path.write_bytes(results_csv(scorer, rows, delivered=delivered, groups=groups))
        for user in world.users.values():
            db.session.get(User, user.id).set_password(PASSWORD)
        made = {
            "bank": world.bank.code,
            "assembler": world.assembler.username,
            "reviewer": world.reviewer.username,
            "form": form.external_id,
            "miskeyed": items[0].external_id,
            "csv": path,
        }
        db.session.commit()
        db.session.remove()
    return made


def test_results_to_statistics_to_a_decision(
    login: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    made = _exported_form_with_results(live_server, tmp_path)
    bank, form = made["bank"], made["form"]

    assembler = login(made["assembler"])
    page = assembler.page
    page.get_by_role("navigation", name="Menu utama").get_by_role(
        "link", name="Pelaksanaan"
    ).click()
    page.wait_for_url(re.compile(rf"/banks/{bank}/administrations$"))
    assembler.check_accessible_names()
    page.get_by_label("Judul").fill("Seleksi CPNS 2026 Regional I")
    page.get_by_label("Hari pertama").fill("2026-11-02")
    page.get_by_label("Hari terakhir").fill("2026-11-06")
    page.get_by_label("Lokasi").fill("Kantor Regional I BKN, Yogyakarta")
    page.get_by_label("Sesi (satu per baris)").fill("Sesi 1\nSesi 2")
    page.get_by_label(re.compile(rf"^{form} ")).check()
    page.locator("#adm-create").click()
    page.wait_for_url(re.compile(rf"/banks/{bank}/administrations/{bank}-A001$"))
    expect(page.locator(".flash-success")).to_contain_text(f"{bank}-A001")
    expect(page.locator("#administration-forms")).to_contain_text(form)
    assembler.check_accessible_names()
    assembler.shot("60-perakit-pelaksanaan")

    page.get_by_label(re.compile(r"^Berkas hasil")).set_input_files(str(made["csv"]))
    page.locator("#results-submit").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    expect(page.locator("[data-job-status]")).to_have_text("Selesai")
    expect(page.locator("[data-job-summary]")).to_contain_text(f"{N} peserta")
    page.get_by_role("link", name="Buka laporan impor").click()
    page.wait_for_url(re.compile(rf"/administrations/{bank}-A001/imports/\d+$"))
    expect(page.locator("#result-import-outcome")).to_contain_text(f"{N} peserta disimpan")
    report = page.locator("#disagreement-report")
    expect(report.locator("table.disagreement-patterns")).to_have_count(1)
    expect(report).to_contain_text(made["miskeyed"])
    assembler.check_accessible_names()
    assembler.shot("61-perakit-laporan-hasil")

    page.goto(assembler.url(f"/forms/{form}"))
    page.locator("#tab-analysis").click()
    page.wait_for_url(re.compile(rf"/forms/{form}/analysis$"))
    expect(page.locator("#figure-n")).to_have_text(str(N))
    histogram = page.locator("#score-histogram")
    expect(histogram).to_be_visible()
    expect(histogram.locator(".chart-bar").first).to_be_attached()
    table = page.locator("#analysis-items")
    expect(table.locator("tbody tr")).to_have_count(8)
    p_head = table.locator("thead th").nth(5)
    p_head.get_by_role("button").click()
    expect(p_head).to_have_attribute("aria-sort", "ascending")
    values = table.locator("tbody td.figure-p").evaluate_all(
        "cells => cells.map((cell) => parseFloat(cell.dataset.value))"
    )
    assert values == sorted(values)
    p_head.get_by_role("button").click()
    expect(p_head).to_have_attribute("aria-sort", "descending")
    values = table.locator("tbody td.figure-p").evaluate_all(
        "cells => cells.map((cell) => parseFloat(cell.dataset.value))"
    )
    assert values == sorted(values, reverse=True)
    expect(table.locator(f'tr[data-item="{made["miskeyed"]}"] .flag-badge').first).to_be_visible()
    assembler.check_accessible_names()
    assembler.shot("62-perakit-analisis")

    reviewer = login(made["reviewer"])
    page = reviewer.page
    panel = page.locator("#panel-statistics_flags")
    expect(panel).to_contain_text(made["miskeyed"])
    page.get_by_role("navigation", name="Menu utama").get_by_role(
        "link", name="Telaah statistik"
    ).click()
    page.wait_for_url(re.compile(rf"/banks/{bank}/review-flags$"))
    reviewer.check_accessible_names()
    page.get_by_role("link", name=f"Buka tanda {made['miskeyed']}").click()
    page.wait_for_url(re.compile(rf"/banks/{bank}/review-flags/\d+$"))
    expect(page.locator("#flag-findings")).to_contain_text("kunci salah")
    reviewer.check_accessible_names()
    page.get_by_label(re.compile(r"^Revisi")).check()
    page.get_by_label(re.compile(r"^Alasan")).fill(
        "Peserta berkemampuan tinggi memilih C; kunci dan pilihan C perlu diperiksa."
    )
    page.locator("#flag-decide").click()
    page.wait_for_url(re.compile(rf"/banks/{bank}/review-flags$"))
    expect(page.locator(".flash-success")).to_contain_text(made["miskeyed"])
    expect(page.locator("#flags-table, #flags-none").first).not_to_contain_text(made["miskeyed"])
    reviewer.shot("63-penelaah-antrean")

    page.goto(reviewer.url(f"/items/{made['miskeyed']}"))
    page.locator("#tab-statistics").click()
    page.wait_for_url(re.compile(rf"/items/{made['miskeyed']}/statistics$"))
    chart = page.locator("#option-trace")
    expect(chart).to_be_visible()
    expect(chart.locator(".chart-series")).to_have_count(4)
    expect(chart.locator(".trace-key")).to_have_count(1)
    expect(page.locator("#where-used")).to_contain_text(f"{bank}-A001")
    reviewer.check_accessible_names()
    reviewer.shot("64-penelaah-statistik-butir")
