"""Small simulated cases and a checker that proves every rule in every form."""

from __future__ import annotations

import numpy as np

from itembank.assembly import Blueprint, KeyBalance, Pool, Result, Rules, irt
from itembank.assembly.order import runs_ok


def check_forms(result: Result, pool: Pool, blueprint: Blueprint, rules: Rules) -> None:
    """Assert quotas, enemies, overlap/usage, anchors, key shares and runs, exclusions."""
    index = pool.index_of()
    fits = pool.fit_matrix(blueprint)
    labels = blueprint.row_labels
    excluded = set(rules.exclude)
    if rules.exposure is not None and rules.exposure.max_share is not None:
        assert pool.exposure is not None
        excluded |= {
            int(i)
            for i, e in zip(pool.item_ids, pool.exposure, strict=True)
            if e > rules.exposure.max_share
        }
    enemies = {frozenset(p) for p in pool.enemies}
    forms = [set(form.items) for form in result.forms]
    for form in result.forms:
        items = form.items
        assert len(items) == len(set(items)) == blueprint.length
        # Quotas: every item fills a row it fits, in its own section, rows exactly full.
        counts = dict.fromkeys(labels, 0)
        for s, section_items in enumerate(form.sections):
            for item in section_items:
                label = form.rows[item]
                r = labels.index(label)
                assert fits[index[item], r]
                assert label.split(".")[0] == str(s + 1)
                counts[label] += 1
        assert counts == {
            label: row.count for label, row in zip(labels, blueprint.rows, strict=True)
        }
        assert counts == form.stats.row_counts
        for i in items:
            for j in items:
                if i < j:
                    assert frozenset((i, j)) not in enemies or not rules.enemies
        assert not excluded & set(items)
        assert set(rules.anchors) <= set(items)
        kb: KeyBalance | None = rules.key_balance
        if kb is not None and pool.keys is not None:
            for section_items in form.sections:
                keys = [pool.keys[index[i]] for i in section_items]
                codes = [-1 if k is None else kb.letters.index(k) for k in keys]
                assert runs_ok(codes, kb.max_run)
                keyed = [k for k in keys if k is not None]
                for letter in kb.letters:
                    share = keyed.count(letter)
                    assert share >= np.ceil(kb.min_share * len(keyed) - 1e-9)
                    assert share <= np.floor(kb.max_share * len(keyed) + 1e-9)
    anchors = set(rules.anchors)
    usage: dict[int, int] = {}
    for f, form in enumerate(forms):
        for item in form - anchors:
            usage[item] = usage.get(item, 0) + 1
        for g in range(f + 1, len(forms)):
            shared = len((form & forms[g]) - anchors)
            assert shared == result.overlap[f, g] - len(anchors)
            if rules.max_forms_per_item == 1:
                assert shared == 0
            elif rules.max_shared is not None:
                assert shared <= rules.max_shared
    assert max(usage.values()) <= rules.max_forms_per_item
    for item in rules.include:
        assert item in usage or item in anchors


def weakest_tif(result: Result, pool: Pool, thetas: tuple[float, ...]) -> list[float]:
    """Each form's smallest TIF at ``thetas``, from its items alone."""
    index = pool.index_of()
    assert pool.a is not None and pool.b is not None and pool.c is not None
    out = []
    for form in result.forms:
        pos = np.array([index[i] for i in form.items])
        tif = irt.information(pool.a[pos], pool.b[pos], pool.c[pos], thetas).sum(axis=0)
        out.append(float(tif.min()))
    return out
