"""Results and statistics in the web UI: administrations (create, results upload through
the job to the import report with its problems and disagreements, CSV template), a
form's *Analisis* (figures, histogram, sortable item table, DIF), an item's *Statistik*
tab (option trace lines, ICC and information, where used), the reviewers' statistics
queue with its decisions, and the item list's exposure filters; roles throughout."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import Administration, Form, ItemParameters, ReviewFlag
from itembank.operations.results import import_results
from itembank.plugins import PluginHost
from tests.factories import World
from tests.results_helpers import (
    SECRET,
    administration_of,
    best_response,
    exported_form,
    results_csv,
    scorer_for,
    simulated_rows,
)
from tests.ui.conftest import UiClient, text

N = 240


@pytest.fixture
def form(world: World, plugins: PluginHost) -> Form:
    return exported_form(world, plugins)


def _miskeyed(plugins: PluginHost, form: Form) -> tuple[Any, int, list[tuple[str, list[Any]]]]:
    """The form's scorer, the index of a single-choice entry whose able candidates
    choose a distractor, and the simulated candidates."""
    scorer = scorer_for(form, plugins)
    index = next(i for i, e in enumerate(scorer.entries) if e.item.item_type == "single_choice")
    entry = scorer.entries[index]
    key = best_response(entry, plugins)
    distractor = next(o for o in entry.item_type.summary(entry.content).options if o != key)
    return scorer, index, simulated_rows(scorer, plugins, N, miskey=(index, distractor))


@pytest.fixture
def planted(world: World, plugins: PluginHost, form: Form) -> dict[str, Any]:
    """240 candidates imported into an administration (with a gender group), so the
    form is analysed and the miskeyed item waits in the queue."""
    scorer, index, rows = _miskeyed(plugins, form)
    administration = administration_of(world, form)
    groups = [{"gender": "F" if i % 2 else "M"} for i in range(N)]
    batch = import_results(
        administration,
        actor=world.assembler,
        plugins=plugins,
        filename="hasil.csv",
        data=results_csv(scorer, rows, groups=groups),
        secret=SECRET,
    )
    assert batch.status == "completed", [p["message_en"] for p in batch.problems]
    db.session.flush()
    entry = scorer.entries[index]
    flag = db.session.scalars(
        sa.select(ReviewFlag).where(ReviewFlag.version_id == entry.entry.version.id)
    ).one()
    return {
        "form": form,
        "scorer": scorer,
        "administration": administration,
        "item": entry.item,
        "version": entry.entry.version,
        "options": len(entry.item_type.summary(entry.content).options),
        "flag": flag,
    }


def _upload(client: UiClient, path: str, data: bytes, name: str = "hasil.csv") -> Any:
    return client.post(
        f"{path}/results", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _result_link(client: UiClient, job_page: str) -> str:
    assert re.fullmatch(r"/jobs/\d+", job_page), job_page
    found = re.search(r'data-job-result-link href="([^"]+)"', text(client.get(job_page)))
    assert found, "the finished job links the import report"
    return found.group(1)


# -- administrations -----------------------------------------------------------------------


def test_an_assembler_records_an_administration_and_imports_its_results(
    as_user: Any, world: World, plugins: PluginHost, form: Form
) -> None:
    assembler = as_user("assembler")
    bank = world.bank.code
    listing = text(assembler.get(f"/banks/{bank}/administrations"))
    assert f'value="{form.external_id}"' in listing and 'id="new-administration"' in listing

    refused = assembler.post(
        f"/banks/{bank}/administrations",
        {"title": "", "starts_on": "2026-13-40", "forms": form.external_id},
    )
    assert refused.status_code == 422
    body = text(refused)
    assert 'id="adm-title-error"' in body or 'id="adm-starts_on-error"' in body
    assert f'value="{form.external_id}" checked' in body  # the choice is kept

    created = assembler.post(
        f"/banks/{bank}/administrations",
        {
            "title": "Seleksi CPNS Regional I",
            "starts_on": "2026-11-02",
            "ends_on": "2026-11-05",
            "site": "Yogyakarta",
            "sessions": "Sesi 1\nSesi 2",
            "forms": form.external_id,
        },
    )
    assert created.status_code == 303
    path = created.location
    administration = db.session.scalars(
        sa.select(Administration).where(Administration.bank_id == world.bank.id)
    ).one()
    assert path == f"/banks/{bank}/administrations/{administration.external_id}"
    assert administration.sessions == ["Sesi 1", "Sesi 2"]
    detail = text(assembler.get(path))
    assert 'id="results-form"' in detail and "Seleksi CPNS Regional I" in detail

    template = assembler.get(f"{path}/template.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    header = next(csv.reader(io.StringIO(template.get_data(as_text=True).lstrip("\ufeff"))))
    scorer = scorer_for(form, plugins)
    assert header[0] == "candidate_id"
    assert [e.identifier for e in scorer.entries] == [h for h in header if h.startswith("I")][::2]

    # Results where the delivery system reports a score for one item only, always its
    # maximum: it disagrees with the bank wherever a candidate was wrong.
    rows = simulated_rows(scorer, plugins, 20)
    choice = next(i for i, e in enumerate(scorer.entries) if e.item.item_type == "single_choice")
    delivered: list[list[float | None]] = [
        [float(e.max_score) if j == choice else None for j, e in enumerate(scorer.entries)]
        for _ in rows
    ]
    started = _upload(assembler, path, results_csv(scorer, rows, delivered=delivered))
    assert started.status_code == 303
    report_path = _result_link(assembler, started.location)
    assert report_path.startswith(f"{path}/imports/")
    report = text(assembler.get(report_path))
    assert 'id="disagreement-report"' in report and 'id="no-problems"' not in report
    patterns = re.findall(r'<table class="table disagreement-patterns">', report)
    assert len(patterns) == 1  # one item disagrees
    assert scorer.entries[choice].item.external_id in report
    detail = text(assembler.get(path))
    assert 'id="administration-imports"' in detail and ">20<" in detail

    # The same file again: every candidate was imported before; nothing is stored and
    # the problems name file and row.
    again = _upload(assembler, path, results_csv(scorer, rows, delivered=delivered))
    report = text(assembler.get(_result_link(assembler, again.location)))
    problems = re.findall(
        r'<tr class="severity-error">\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>', report
    )
    assert len(problems) == 20 and problems[0] == ("hasil.csv", "2")

    not_results = _upload(assembler, path, b"just text", name="catatan.txt")
    assert not_results.status_code == 422 and 'id="results-problems"' in text(not_results)
    empty = assembler.post(f"{path}/results", {}, content_type="multipart/form-data")
    assert empty.status_code == 422


def test_administration_pages_are_for_the_delivery_team(
    as_user: Any, world: World, plugins: PluginHost, planted: dict[str, Any]
) -> None:
    bank = world.bank.code
    path = f"/banks/{bank}/administrations/{planted['administration'].external_id}"
    for role in ("assembler", "bank_admin", "admin"):
        assert as_user(role).get(path).status_code == 200, role
        assert as_user(role).get(f"/banks/{bank}/administrations").status_code == 200, role
    for role, status in (("author", 403), ("reviewer", 403), ("outsider", 404)):
        client = as_user(role)
        assert client.get(path).status_code == status, role
        assert client.get(f"/banks/{bank}/administrations").status_code == status, role
        assert client.get(f"{path}/template.csv").status_code == status, role
        data = results_csv(planted["scorer"], [("X1", [None] * len(planted["scorer"].entries))])
        assert _upload(client, path, data).status_code == status, role
    assert as_user("assembler").get(f"{path}/imports/999999").status_code == 404
    assert as_user("assembler").get(f"/banks/{bank}/administrations/NOPE-A009").status_code == 404
    # The menu entry shows for the delivery team only.
    assert "/administrations" in text(as_user("assembler").get("/"))
    assert 'href="/administrations"' not in text(as_user("reviewer").get("/"))


def test_more_forms_can_be_named_only_when_exported(
    as_user: Any, world: World, plugins: PluginHost, planted: dict[str, Any]
) -> None:
    other = exported_form(world, plugins)
    client = as_user("assembler")
    path = f"/banks/{world.bank.code}/administrations/{planted['administration'].external_id}"
    assert f'id="add-form-{other.external_id}"' in text(client.get(path))
    assert client.post(f"{path}/forms", {}).status_code == 422
    assert client.post(f"{path}/forms", {"forms": "XX-F999"}).status_code == 422
    added = client.post(f"{path}/forms", {"forms": other.external_id})
    assert added.status_code == 303
    assert other in planted["administration"].forms


# -- Analisis ------------------------------------------------------------------------------


def test_the_analysis_shows_figures_histogram_and_a_sortable_item_table(
    as_user: Any, world: World, planted: dict[str, Any]
) -> None:
    form = planted["form"]
    client = as_user("assembler")
    assert 'id="tab-analysis"' in text(client.get(f"/forms/{form.external_id}"))
    response = client.get(f"/forms/{form.external_id}/analysis")
    assert response.status_code == 200
    body = text(response)
    assert '<dd id="figure-n">240</dd>' in body
    analysis = (
        db.session.scalars(sa.select(ReviewFlag).where(ReviewFlag.id == planted["flag"].id))
        .one()
        .analysis
    )
    assert analysis is not None and analysis.administration_id is None  # pooled
    assert body.count('class="chart-bar"') == len(analysis.form_stats["histogram_counts"])
    assert 'id="score-histogram"' in body and "data-sortable" in body
    table = body.split('id="analysis-items"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr data-item=") == len(planted["scorer"].entries)
    assert table.count('class="sort-button"') == 9
    flagged = re.search(rf'<tr data-item="{planted["item"].external_id}" class="flagged">', table)
    assert flagged, "the miskeyed item's row is marked"
    assert "kunci salah" in table  # the flag's message, in Indonesian
    assert "style=" not in body.split("<main", 1)[-1]  # CSP: no inline style

    own = text(
        client.get(
            f"/forms/{form.external_id}/analysis?scope={planted['administration'].external_id}"
        )
    )
    assert f'value="{planted["administration"].external_id}" selected' in own
    unknown = client.get(f"/forms/{form.external_id}/analysis?scope=NOPE")
    assert unknown.status_code == 200 and 'value="pooled" selected' in text(unknown)

    # Reviewers read it (without the form's own tab); writers and outsiders do not.
    reviewer = text(as_user("reviewer").get(f"/forms/{form.external_id}/analysis"))
    assert 'id="figure-alpha"' in reviewer and f'href="/forms/{form.external_id}"' not in reviewer
    assert as_user("author").get(f"/forms/{form.external_id}/analysis").status_code == 403
    assert as_user("outsider").get(f"/forms/{form.external_id}/analysis").status_code == 404


def test_dif_is_asked_for_in_a_form_and_shown_in_columns(
    as_user: Any, world: World, planted: dict[str, Any]
) -> None:
    form = planted["form"]
    client = as_user("reviewer")
    path = f"/forms/{form.external_id}/analysis"
    page = text(client.get(path))
    assert 'id="dif-form"' in page and '<option value="gender"' in page
    assert "MH D-DIF" not in page
    missing = client.post(path, {"scope": "pooled", "group": "gender", "reference": "M"})
    assert missing.status_code == 422 and 'id="dif-errors"' in text(missing)
    wrong = client.post(
        path, {"scope": "pooled", "group": "gender", "reference": "M", "focal": "X"}
    )
    assert wrong.status_code == 422 and "X" in text(wrong).split('id="dif-errors"')[1][:300]
    done = client.post(path, {"scope": "pooled", "group": "gender", "reference": "M", "focal": "F"})
    assert done.status_code == 303 and done.location == f"{path}?scope=pooled"
    page = text(client.get(done.location))
    assert "MH D-DIF" in page
    table = page.split('id="analysis-items"', 1)[1].split("</table>", 1)[0]
    assert table.count('class="sort-button"') == 11
    assert len(re.findall(r'<span class="badge dif-[abc]">[ABC]</span>', table)) == len(
        planted["scorer"].entries
    )
    no_csrf = client.post(path, {"group": "gender", "reference": "M", "focal": "F"}, csrf=False)
    assert no_csrf.status_code == 400
    assert (
        as_user("author")
        .post(path, {"group": "gender", "reference": "M", "focal": "F"})
        .status_code
        == 403
    )


def test_a_form_without_results_says_so(as_user: Any, world: World, form: Form) -> None:
    page = as_user("assembler").get(f"/forms/{form.external_id}/analysis")
    assert page.status_code == 200 and 'id="analysis-none"' in text(page)


# -- the item's Statistik tab ----------------------------------------------------------------


def test_the_statistics_tab_shows_rows_option_lines_and_where_used(
    as_user: Any, world: World, planted: dict[str, Any]
) -> None:
    item = planted["item"]
    client = as_user("author")  # writers learn from their items' statistics
    assert 'id="tab-statistics"' in text(client.get(f"/items/{item.external_id}"))
    response = client.get(f"/items/{item.external_id}/statistics")
    assert response.status_code == 200
    body = text(response)
    stats = body.split('id="item-stats"', 1)[1].split("</table>", 1)[0]
    assert stats.count("<tr") == 3  # head, the administration, pooled
    trace = body.split('<svg id="option-trace"', 1)[1].split("</svg>", 1)[0]
    assert trace.count('class="chart-series') == planted["options"]
    assert trace.count("trace-key") == 1
    assert trace.count("<circle") == planted["options"] * 5  # five score groups
    assert 'id="irt-none"' in body  # nothing calibrated yet
    assert "/analysis" not in body  # writers do not read the forms' analyses
    assert f"/forms/{planted['form'].external_id}/analysis?scope=pooled" in text(
        as_user("reviewer").get(f"/items/{item.external_id}/statistics")
    )
    used = body.split('id="where-used"', 1)[1].split("</table>", 1)[0]
    assert planted["form"].external_id in used and planted["administration"].external_id in used
    row = re.search(r'href="([^"]+row=[^"]+)#options-title"', body)
    assert row, "the other analysis' options are one click away"
    other = text(client.get(row.group(1).replace("&amp;", "&")))
    assert planted["administration"].external_id in other.split('id="options-title"')[1][:800]
    assert as_user("outsider").get(f"/items/{item.external_id}/statistics").status_code == 404


def test_icc_and_information_come_from_the_newest_irt_parameters(
    as_user: Any, world: World, planted: dict[str, Any], plugins: PluginHost
) -> None:
    version = planted["version"]
    db.session.add(
        ItemParameters(
            version_id=version.id,
            model="3PL",
            params={"a": 1.2, "b": 0.3, "c": 0.18},
            scale="SIM",
            source="simulated",
        )
    )
    db.session.add(
        ItemParameters(
            version_id=version.id,
            model="2PL",
            params={"a": 0.9, "b": -0.4},
            scale="UJI-C001",
            source="calibration",
            sample_size=240,
        )
    )
    weighted = next(e for e in planted["scorer"].entries if e.item.item_type == "weighted_options")
    db.session.add(
        ItemParameters(
            version_id=weighted.entry.version.id,
            model="GPCM",
            params={"a": 0.8, "b": [-1.0, -0.2, 0.5, 1.1], "levels": [1, 2, 3, 4, 5]},
            scale="UJI-C001",
            source="calibration",
        )
    )
    db.session.flush()
    client = as_user("reviewer")
    body = text(client.get(f"/items/{planted['item'].external_id}/statistics"))
    icc = body.split(f'<svg id="icc-{version.number}"', 1)[1].split("</svg>", 1)[0]
    info = body.split(f'<svg id="info-{version.number}"', 1)[1].split("</svg>", 1)[0]
    assert icc.count('class="chart-series') == 1 and info.count('class="chart-series') == 1
    assert "2PL" in body and "UJI-C001" in body and "a = 0,90" in body  # the newest row
    # The peak of a 2PL's information is at b.
    assert "θ = -0,4" in body  # written the Indonesian way
    body = text(client.get(f"/items/{weighted.item.external_id}/statistics"))
    number = weighted.entry.version.number
    icc = body.split(f'<svg id="icc-{number}"', 1)[1].split("</svg>", 1)[0]
    assert icc.count('class="chart-series') == 5  # one curve per score category


# -- the statistics queue ------------------------------------------------------------------


def test_a_reviewer_decides_a_flag_and_an_author_starts_the_new_version(
    as_user: Any, world: World, planted: dict[str, Any]
) -> None:
    bank = world.bank.code
    flag = planted["flag"]
    item = planted["item"]
    reviewer = as_user("reviewer")
    dashboard = text(reviewer.get("/"))
    panel = dashboard.split('id="panel-statistics_flags"', 1)[1].split("</section>", 1)[0]
    opened = db.session.scalar(
        sa.select(sa.func.count(ReviewFlag.id)).where(
            ReviewFlag.bank_id == world.bank.id, ReviewFlag.status == "open"
        )
    )
    assert f"({min(opened, 10)})" in panel
    assert panel.count("/review-flags/") == min(opened, 10)
    queue = text(reviewer.get(f"/banks/{bank}/review-flags"))
    assert f'data-flag="{flag.id}"' in queue and "Kemungkinan kunci salah" in queue
    assert 'id="analyses-table"' in queue

    path = f"/banks/{bank}/review-flags/{flag.id}"
    page = text(reviewer.get(path))
    assert 'id="flag-decide-form"' in page and 'id="decision-retire"' not in page
    assert 'id="flag-options"' in page and 'id="flag-source"' in page
    no_reason = reviewer.post(f"{path}/decide", {"decision": "revise", "reason": "  "})
    assert no_reason.status_code == 422 and 'id="flag-problems"' in text(no_reason)
    assert reviewer.post(f"{path}/decide", {"decision": "retire", "reason": "x"}).status_code == 403
    assert (
        as_user("assembler").post(f"{path}/decide", {"decision": "keep", "reason": "x"}).status_code
        == 403
    )
    assert 'id="decision-retire"' in text(as_user("bank_admin").get(path))

    author = as_user("author")
    page = text(author.get(path))
    assert 'id="flag-decide-form"' not in page and 'id="flag-waiting"' in page
    assert "/analysis" not in page and 'id="flag-source"' in page  # named, not linked
    decided = reviewer.post(
        f"{path}/decide", {"decision": "revise", "reason": "Kunci perlu diperiksa ulang."}
    )
    assert decided.status_code == 303
    db.session.refresh(flag)
    assert flag.status == "revise" and flag.reason == "Kunci perlu diperiksa ulang."
    again = reviewer.post(f"{path}/decide", {"decision": "keep", "reason": "lagi"})
    assert again.status_code == 409
    assert "revise" in text(reviewer.get(f"/banks/{bank}/review-flags?status=revise"))
    assert f'data-flag="{flag.id}"' not in text(reviewer.get(f"/banks/{bank}/review-flags"))

    # The writer sees it on the dashboard and starts the new version from the flag.
    author_home = text(author.get("/"))
    assert 'id="panel-statistics_revise"' in author_home
    page = text(author.get(path))
    assert 'id="flag-start-draft"' in page and "Kunci perlu diperiksa ulang." in page
    assert 'id="flag-start-draft"' not in text(reviewer.get(path))
    started = author.post(f"{path}/draft")
    assert started.status_code == 303 and started.location.endswith(
        f"/items/{item.external_id}/edit"
    )
    db.session.refresh(item)
    assert item.versions[-1].number == planted["version"].number + 1
    assert item.versions[-1].status == "draft"
    page = text(author.get(path))
    assert 'id="flag-newer"' in page and 'id="flag-start-draft"' not in page
    assert 'id="panel-statistics_revise"' not in text(author.get("/"))


def test_the_queue_refuses_outsiders_and_unknown_flags(
    as_user: Any, world: World, planted: dict[str, Any]
) -> None:
    bank = world.bank.code
    path = f"/banks/{bank}/review-flags/{planted['flag'].id}"
    assert as_user("outsider").get(path).status_code == 404
    assert as_user("outsider").get(f"/banks/{bank}/review-flags").status_code == 404
    assert as_user("reviewer").get(f"/banks/{bank}/review-flags/999999").status_code == 404
    bad = as_user("reviewer").get(f"/banks/{bank}/review-flags?status=nonsense")
    assert bad.status_code == 200 and "flash-warning" in text(bad)
    assert (
        as_user("bank_admin")
        .post(f"{path}/decide", {"decision": "other", "reason": "x"})
        .status_code
        == 422
    )
    # A writer cannot start a draft from a flag not decided as revise.
    assert as_user("author").post(f"{path}/draft").status_code == 303
    db.session.refresh(planted["item"])
    assert planted["item"].versions[-1].number == planted["version"].number


def test_a_bank_admin_retires_from_the_queue(
    as_user: Any, world: World, planted: dict[str, Any]
) -> None:
    path = f"/banks/{world.bank.code}/review-flags/{planted['flag'].id}"
    done = as_user("bank_admin").post(
        f"{path}/decide", {"decision": "retire", "reason": "Bocor di media sosial."}
    )
    assert done.status_code == 303
    db.session.refresh(planted["item"])
    assert planted["item"].is_retired


# -- the item list's exposure filters ---------------------------------------------------------


def test_the_item_list_filters_on_exposure_and_last_use(
    as_user: Any, world: World, planted: dict[str, Any]
) -> None:
    client = as_user("reviewer")
    base = f"/banks/{world.bank.code}/items?per_page=100"
    page = text(client.get(base))
    assert 'id="f-min-exposure"' in page and 'id="f-not-used-since"' in page
    item = planted["item"].external_id
    exposed = text(client.get(f"{base}&min_exposure={N}"))
    assert f"/items/{item}" in exposed and 'value="240"' in exposed
    assert f"/items/{item}" not in text(client.get(f"{base}&min_exposure={N + 1}"))
    # The administration ended on 2026-11-20.
    assert f"/items/{item}" not in text(client.get(f"{base}&not_used_since=2026-11-20"))
    assert f"/items/{item}" in text(client.get(f"{base}&not_used_since=2026-11-21"))
    bad = client.get(f"{base}&min_exposure=lots&not_used_since=kemarin")
    assert bad.status_code == 200
    assert text(bad).count("flash-warning") == 2


def test_the_pages_read_in_english_too(as_user: Any, world: World, planted: dict[str, Any]) -> None:
    client = as_user("bank_admin")
    client.post("/language", {"lang": "en", "next": "/"})
    analysis = text(client.get(f"/forms/{planted['form'].external_id}/analysis"))
    assert "Standard error of measurement" in analysis and "Possible miskey" in analysis
    flag = text(client.get(f"/banks/{world.bank.code}/review-flags/{planted['flag'].id}"))
    assert "What the statistics found" in flag and "possible miskey" in flag
    item = text(client.get(f"/items/{planted['item'].external_id}/statistics"))
    assert "Options by score group" in item
    client.post("/language", {"lang": "id", "next": "/"})


def test_the_analysis_downloads_as_a_workbook_and_the_download_is_audited(
    as_user: Any, world: World, planted: dict[str, Any]
) -> None:
    import io

    import openpyxl

    from itembank.models import AuditEvent

    form = planted["form"]
    client = as_user("reviewer")
    page_body = text(client.get(f"/forms/{form.external_id}/analysis"))
    assert f'href="/forms/{form.external_id}/analysis.xlsx?scope=pooled"' in page_body
    response = client.get(f"/forms/{form.external_id}/analysis.xlsx?scope=pooled")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Paket", "Butir", "Opsi"]
    items = book["Butir"]
    identifiers = {cell.value for row in items.iter_rows() for cell in row}
    assert planted["item"].external_id in identifiers
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "statistics.report", AuditEvent.bank_id == world.bank.id
        )
    ).one()
    assert event.actor_id == world.reviewer.id and event.data["via"] == "ui"
    assert as_user("author").get(f"/forms/{form.external_id}/analysis.xlsx").status_code == 403
