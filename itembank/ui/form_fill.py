"""Filling a draft form from its page: *add the ticked items* and *fill this row*
(eligible items drawn at random). Plain form posts that return to the form page; the
page's script sends them without reloading the page (``data-inplace``)."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from itembank.operations import form_fill, reads
from itembank.operations import forms as form_ops
from itembank.plugins import plugins
from itembank.ui.blueprint import actor, bp, login_required
from itembank.ui.forms import _base, _edit
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import ngettext


@bp.post("/forms/<form_id>/entries/several")
@login_required
def add_form_entries(form_id: str) -> ResponseReturnValue:
    user = actor()
    form = form_ops.get_form(form_id, actor=user)
    codes = list(dict.fromkeys(c for c in request.form.getlist("items") if c.strip()))
    versions = []
    for code in codes[: form_fill.MAX_BATCH + 1]:
        item, approved = reads.readable_item(code, actor=user)
        versions.append(item.approved_version or approved)

    def change() -> None:
        form_fill.add_items(form, versions, actor=user, base_revision=_base(form))

    return _edit(
        form, change, ngettext("%(num)d item added.", "%(num)d items added.", len(versions))
    )


@bp.post("/forms/<form_id>/rows/<ref>/fill")
@login_required
def fill_form_row(form_id: str, ref: str) -> ResponseReturnValue:
    user = actor()
    form = form_ops.get_form(form_id, actor=user)
    done: dict[str, form_fill.RowFill] = {}

    def change() -> None:
        done["fill"] = form_fill.fill_row(
            form, ref, actor=user, plugins=plugins(), base_revision=_base(form)
        )

    def said() -> tuple[str, str]:
        fill = done["fill"]
        if fill.short:
            return (
                _(
                    "Row %(row)s: %(added)d added at random; %(short)d still missing, "
                    "no more eligible items.",
                    row=fill.row,
                    added=len(fill.added),
                    short=fill.short,
                ),
                "warning",
            )
        return (
            _(
                "Row %(row)s: %(added)d added at random from %(eligible)d eligible items.",
                row=fill.row,
                added=len(fill.added),
                eligible=fill.eligible,
            ),
            "success",
        )

    return _edit(form, change, said)
