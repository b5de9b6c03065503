"""An item's *Statistik* tab: its figures in every current analysis, how its options
were chosen across the score groups, its IRT curves and where it was used.

- One row per analysis of a version (per administration, and pooled over them): N, p,
  item-rest r, omitted share, flags, with a link to the form's *Analisis*.
- Option trace lines: for one of those analyses (the pooled one first), the share of
  candidates choosing each option in each fifth of the total-score distribution, the
  key drawn heavier: a good key rises, good distractors fall.
- ICC and information: from each version's newest IRT parameters (2PL, 3PL, GPCM or
  GRM), the category probabilities and the Fisher information over θ, computed here
  (:mod:`itembank.psychometrics.irt.curves`) and drawn as SVG (:mod:`itembank.ui.charts`).
- Where used: the forms pinning each version, the administrations that delivered them,
  candidates and last use.

Every member with a role reads it (item writers learn from it), like
:func:`itembank.operations.statistics.item_statistics`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from flask import request
from flask.typing import ResponseReturnValue

from itembank.models import Item, ItemVersion
from itembank.operations import reads
from itembank.operations import result_reads as stats_reads
from itembank.operations.exposure import where_used
from itembank.operations.statistics import STATISTICS_ROLES, item_statistics
from itembank.psychometrics.irt.curves import item_curves
from itembank.ui import charts
from itembank.ui.blueprint import actor, bp, login_required, page
from itembank.ui.i18n import gettext as _
from itembank.ui.viewmodels import may, type_label

#: θ from -4 to 4 in steps of 0.1.
THETAS = np.round(np.linspace(-4.0, 4.0, 81), 2)
THETA_TICKS = [(float(t), f"{t:g}") for t in range(-4, 5)]


def _row_key(row: dict[str, Any]) -> str:
    return f"{row['analysis']}-{row['version_id']}"


def _traced(row: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in row.get("options") or [] if o.get("by_group")]


def trace_chart(row: dict[str, Any]) -> dict[str, Any] | None:
    """The option trace lines of one analysis row (None without option figures)."""
    options = _traced(row)
    if not options:
        return None
    groups = max(len(o["by_group"]) for o in options)
    series = []
    for option in options:
        label = option["letter"]
        if option.get("key"):
            label = _("%(letter)s (key)", letter=option["letter"])
        elif option.get("weight") is not None:
            weight = f"{option['weight']:g}"
            label = _("%(letter)s (weight %(weight)s)", letter=option["letter"], weight=weight)
        series.append(
            {
                "label": label,
                "values": option["by_group"],
                "class": "trace-key" if option.get("key") else "trace-option",
                "width": 4 if option.get("key") else 2,
                "dash": "" if option.get("key") or option.get("weight") is not None else "6 3",
            }
        )
    ticks = [(float(g), str(g)) for g in range(1, groups + 1)]
    return charts.line_chart(
        list(range(1, groups + 1)),
        series,
        y_max=1.0,
        x_ticks=ticks,
        x_range=(0.7, groups + 0.3),
        markers=True,
    )


def irt_view(version: ItemVersion) -> dict[str, Any] | None:
    """The ICC and information charts of ``version``'s newest IRT parameters."""
    found = stats_reads.irt_parameters(version)
    if found is None:
        return None
    curves = item_curves(found.core, THETAS)
    thetas = [float(t) for t in THETAS]
    if found.core.model in ("2PL", "3PL"):
        icc_series = [
            {"label": _("P(right)"), "values": curves.categories[1].tolist(), "class": "icc-curve"}
        ]
    else:
        levels = (found.row.params or {}).get("levels") or list(range(curves.categories.shape[0]))
        icc_series = [
            {
                "label": _("Score %(level)s", level=levels[k] if k < len(levels) else k),
                "values": curves.categories[k].tolist(),
                "class": "icc-curve",
            }
            for k in range(curves.categories.shape[0])
        ]
    info = curves.information.tolist()
    return {
        "version": version,
        "row": found.row,
        "core": found.core,
        "icc": charts.line_chart(thetas, icc_series, y_max=1.0, x_ticks=THETA_TICKS),
        "information": charts.line_chart(
            thetas,
            [{"label": _("Information"), "values": info, "class": "info-curve"}],
            x_ticks=THETA_TICKS,
        ),
        "peak": thetas[int(np.argmax(curves.information))],
    }


@bp.get("/items/<external_id>/statistics")
@login_required
def item_statistics_page(external_id: str) -> ResponseReturnValue:
    user = actor()
    item: Item
    item, latest = reads.readable_item(external_id, actor=user)
    rows = item_statistics(item, actor=user)
    numbers = {v.id: v.number for v in item.versions}
    for row in rows:
        row["key"] = _row_key(row)
        row["version_number"] = numbers.get(row["version_id"], row.get("version"))
    with_options = [row for row in rows if _traced(row)]
    wanted = request.args.get("row", "")
    chosen = next((row for row in with_options if row["key"] == wanted), None)
    if chosen is None and with_options:
        pooled = [row for row in with_options if row["administration"] is None]
        chosen = (pooled or with_options)[0]
    versions = reads.readable_versions(item, actor=user)
    irt = [view for view in (irt_view(v) for v in reversed(versions)) if view is not None]
    return page(
        "item_statistics.html",
        item=item,
        latest=latest,
        bank=item.bank,
        type_label=type_label(item.item_type),
        rows=rows,
        chosen=chosen,
        trace=trace_chart(chosen) if chosen is not None else None,
        irt=irt,
        used=where_used(item, actor=user),
        reads_analyses=may(user, item.bank, *STATISTICS_ROLES),
    )
