"""Where used and exposure: from the forms that pin a version and the stored results of
the administrations that delivered them; the listing filters on both."""

from __future__ import annotations

from datetime import date

import pytest

from itembank.errors import NotFound, PermissionDenied
from itembank.operations.administrations import create_administration
from itembank.operations.exposure import version_exposure, where_used
from itembank.operations.reads import ItemFilters, list_items
from itembank.operations.results import import_results
from itembank.plugins import PluginHost
from tests.factories import World, make_item
from tests.results_helpers import (
    SECRET,
    exported_form,
    keyed_responses,
    results_csv,
    scorer_for,
)


def test_exposure_counts_the_candidates_of_every_delivery(
    world: World, plugins: PluginHost
) -> None:
    form = exported_form(world, plugins)
    scorer = scorer_for(form, plugins)
    full = keyed_responses(scorer, plugins)
    deliveries = [("2026-03-02", "2026-03-06", 3), ("2026-09-14", "2026-09-18", 2)]
    for starts, ends, count in deliveries:
        administration = create_administration(
            world.bank,
            actor=world.assembler,
            title=f"Seleksi {starts}",
            starts_on=starts,
            ends_on=ends,
            forms=[form.external_id],
        )
        rows = [(f"{starts}-{n}", full) for n in range(count)]
        batch = import_results(
            administration,
            actor=world.assembler,
            plugins=plugins,
            filename="h.csv",
            data=results_csv(scorer, rows),
            secret=SECRET,
        )
        assert batch.status == "completed"
    entry = scorer.entries[0]
    [usage] = where_used(entry.item, actor=world.author)
    assert usage["version"] == entry.entry.version.number
    assert usage["candidates"] == 5 and usage["last_used"] == date(2026, 9, 18)
    [pinned] = usage["forms"]
    assert pinned["form"] == form.external_id
    assert [d["candidates"] for d in pinned["administrations"]] == [3, 2]
    exposure = version_exposure(world.bank)
    assert exposure[entry.entry.version.id].candidates == 5
    assert exposure[entry.entry.version.id].administrations == 2
    # The listing: exposure at least, not used since.
    unused = make_item(world, plugins)

    def listed(**filters: object) -> set[str]:
        page = list_items(world.bank, ItemFilters(per_page=100, **filters), actor=world.bank_admin)
        return {row["external_id"] for row in page["items"]}

    delivered = {e.item.external_id for e in scorer.entries}
    assert listed(min_exposure=5) == delivered
    assert listed(min_exposure=6) == set()
    assert listed(not_used_since=date(2026, 9, 19)) >= delivered | {unused.external_id}
    assert listed(not_used_since=date(2026, 9, 18)) & delivered == set()
    assert unused.external_id in listed(not_used_since=date(2026, 1, 1))


def test_only_bank_members_see_where_an_item_is_used(world: World, plugins: PluginHost) -> None:
    item = make_item(world, plugins)
    assert where_used(item, actor=world.author) == []
    with pytest.raises((NotFound, PermissionDenied)):
        where_used(item, actor=world.outsider)


def test_assembly_reads_the_same_exposure_and_the_open_flags(
    world: World, plugins: PluginHost
) -> None:
    from itembank.extensions import db
    from itembank.models import ReviewFlag
    from itembank.operations.assembly import build_pool
    from itembank.operations.assembly_request import load_request
    from tests.forms_helpers import approved

    form = exported_form(world, plugins)
    scorer = scorer_for(form, plugins)
    administration = create_administration(
        world.bank,
        actor=world.assembler,
        title="Seleksi",
        starts_on="2026-11-02",
        ends_on="2026-11-06",
        forms=[form.external_id],
    )
    rows = [(f"N{n}", keyed_responses(scorer, plugins)) for n in range(4)]
    import_results(
        administration,
        actor=world.assembler,
        plugins=plugins,
        filename="h.csv",
        data=results_csv(scorer, rows),
        secret=SECRET,
    )
    fresh = approved(world, plugins)
    delivered = next(e for e in scorer.entries if e.item.item_type == "single_choice")
    db.session.add(
        ReviewFlag(
            bank_id=world.bank.id,
            item_id=delivered.item.id,
            version_id=delivered.entry.version.id,
            source="analysis",
            flags=[{"code": "p_high", "message": "", "message_en": "", "value": 1.0}],
        )
    )
    db.session.flush()
    pool = build_pool(
        world.bank, load_request({"target": "content", "exposure_max_share": 0.5}), plugins
    )
    shares = dict(zip(pool.external_ids, pool.pool.exposure.tolist(), strict=True))
    assert shares[delivered.item.external_id] == 1.0 and shares[fresh.external_id] == 0.0
    flagged = dict(zip(pool.external_ids, pool.pool.flagged.tolist(), strict=True))
    assert flagged[delivered.item.external_id] and not flagged[fresh.external_id]
    assert not any("could not be applied" in note.message_en for note in pool.notes)
