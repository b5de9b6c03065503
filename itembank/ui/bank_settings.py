"""The bank's settings page (``/banks/<code>/settings``, bank admins): required
approvals, writing rules, review checklist, whether answer keys may be read from
draft forms, and the statistics flag thresholds.

The page shows every setting and saves them together through the same operation as
``PATCH /api/v1/banks/<code>`` (:func:`itembank.operations.accounts.update_bank_settings`),
so the same role check, validation and audit event (``bank.settings``) apply. What the
form holds is read here into that operation's arguments; a value that cannot be read
(text where a number belongs, a criterion line without its parts) is shown beside its
field and nothing is saved.
"""

from __future__ import annotations

import math
import re
from typing import Any

from flask import flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal

from itembank.access import require_role
from itembank.errors import InvalidInput
from itembank.extensions import db
from itembank.itemtypes import ItemType
from itembank.models import Bank, Role
from itembank.operations import accounts
from itembank.operations.flag_thresholds import BOUNDS, DIF_CATEGORIES, bank_thresholds
from itembank.operations.quality import writing_rules
from itembank.operations.review_checklist import ASPECTS, STANDARD, bank_checklist
from itembank.plugins import plugins
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.i18n import error_text, pick, problem_text
from itembank.ui.i18n import gettext as _
from itembank.ui.nav import format_number

DOING = "change bank settings"
#: The review checklist choices of the form.
CHECKLIST_CHOICES = ("off", "standard", "own")


class FormProblems(Exception):
    """What the form holds cannot be read; ``errors`` maps a field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def option_types() -> list[dict[str, Any]]:
    """The installed item types that have options (a rule on their number applies),
    with whether their options carry weights (a rule on distinct weights applies)."""
    found = []
    for item_type in plugins().item_types.values():
        example = _example(item_type)
        options = example.get("options")
        if not isinstance(options, list) or not options:
            continue
        weighted = all(isinstance(o, dict) and "weight" in o for o in options)
        found.append({"id": item_type.id, "label": pick(item_type.label), "weighted": weighted})
    return sorted(found, key=lambda t: t["label"])


def _example(item_type: ItemType) -> dict[str, Any]:
    try:
        example = item_type.example_content()
    except (NotImplementedError, AttributeError):
        return {}
    return example if isinstance(example, dict) else {}


def _aspect_names() -> dict[str, str]:
    """Aspect names a criterion line may use (Indonesian or English, any case)."""
    names = {}
    for code, label in ASPECTS.items():
        names[code] = code
        names[label["id"].lower()] = code
        names[label["en"].lower()] = code
    return names


def checklist_lines(criteria: list[dict[str, Any]]) -> str:
    """The bank's own criteria as the text area shows them, one per line."""
    return "\n".join(
        " | ".join(
            (
                c["code"],
                ASPECTS.get(c["aspect"], {}).get("id", c["aspect"]),
                c["text"]["id"],
                c["text"]["en"],
            )
        )
        for c in criteria
    )


def parse_criteria(text: str) -> list[dict[str, Any]]:
    """Criteria from lines ``code | aspect | Indonesian text | English text`` (the
    English text may be left out: the Indonesian one is used)."""
    criteria, aspects = [], _aspect_names()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (3, 4) or not all(parts[:3]):
            raise FormProblems(
                {
                    "criteria": _(
                        "Line %(line)d: write code | aspect | text (Indonesian) | "
                        "text (English, optional).",
                        line=number,
                    )
                }
            )
        aspect = aspects.get(parts[1].lower())
        if aspect is None:
            raise FormProblems(
                {
                    "criteria": _(
                        "Line %(line)d: the aspect must be Materi, Konstruksi or Bahasa.",
                        line=number,
                    )
                }
            )
        english = parts[3] if len(parts) == 4 and parts[3] else parts[2]
        criteria.append(
            {"code": parts[0], "aspect": aspect, "text": {"id": parts[2], "en": english}}
        )
    if not criteria:
        raise FormProblems({"criteria": _("Write at least one criterion, or choose no checklist.")})
    return criteria


def threshold_fields() -> list[dict[str, Any]]:
    """The statistics thresholds the form shows, in the order of the flags."""
    labels = {
        "p_low": _("Too hard: flag items answered correctly by a share (p) below"),
        "p_high": _("Too easy: flag items answered correctly by a share (p) above"),
        "item_rest_min": _("Low discrimination: flag an item-rest correlation below"),
        "option_share_min": _("Options that do not work: flag an option chosen by a share below"),
        "misfit_p": _("IRT misfit: flag a fit p-value below"),
        "a_min": _("Low IRT slope: flag a below"),
        "min_candidates": _("Flag only items answered by at least this many candidates"),
    }
    return [
        {"name": name, "label": label, "whole": BOUNDS[name][2]} for name, label in labels.items()
    ]


def _figure(form: Any, name: str, *, whole: bool) -> float | int:
    """A number as typed in either language (``0,2`` or ``0.2``; ``1.000`` or
    ``1,000`` is a thousand when a whole number is wanted)."""
    raw = (form.get(name) or "").strip().replace(" ", "")
    if whole and re.fullmatch(r"\d{1,3}([.,]\d{3})+", raw):
        raw = raw.replace(".", "").replace(",", "")
    try:
        if whole:
            return int(raw)
        value = float(raw.replace(",", "."))
    except ValueError:
        raise FormProblems(
            {name: _("Enter a whole number.") if whole else _("Enter a number, e.g. 0.25.")}
        ) from None
    if not math.isfinite(value):
        raise FormProblems({name: _("Enter a number, e.g. 0.25.")})
    return value


def _whole(form: Any, name: str, *, required: bool) -> int | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        if required:
            raise FormProblems({name: _("Enter a whole number.")})
        return None
    try:
        return int(raw)
    except ValueError:
        raise FormProblems({name: _("Enter a whole number.")}) from None


def read_form(bank: Bank, form: Any) -> dict[str, Any]:
    """The operation's arguments from the posted form. Rules for item types that are
    not installed (so not on the page) are kept as they are."""
    errors: dict[str, str] = {}
    arguments: dict[str, Any] = {}
    try:
        arguments["required_approvals"] = _whole(form, "required_approvals", required=True)
    except FormProblems as exc:
        errors.update(exc.errors)
    stored = writing_rules(bank)["types"]
    types: dict[str, Any] = {k: v for k, v in stored.items() if k not in plugins().item_types}
    for item_type in option_types():
        type_id = item_type["id"]
        try:
            options = _whole(form, f"options.{type_id}", required=False)
        except FormProblems as exc:
            errors.update(exc.errors)
            continue
        rule: dict[str, Any] = {}
        if options is not None:
            rule["options"] = options
        if item_type["weighted"] and form.get(f"distinct_weights.{type_id}"):
            rule["distinct_weights"] = True
        if rule:
            types[type_id] = rule
    arguments["writing_rules"] = {
        "require_classification": bool(form.get("require_classification")),
        "types": types,
    }
    choice = form.get("checklist")
    if choice not in CHECKLIST_CHOICES:
        errors["checklist"] = _("Choose one.")
    elif choice == "own":
        try:
            arguments["review_checklist"] = parse_criteria(form.get("criteria") or "")
        except FormProblems as exc:
            errors.update(exc.errors)
    else:
        arguments["review_checklist"] = choice == "standard"
    arguments["answer_key_from_drafts"] = bool(form.get("answer_key_from_drafts"))
    thresholds: dict[str, Any] = {}
    for field in threshold_fields():
        name = f"thresholds.{field['name']}"
        try:
            thresholds[field["name"]] = _figure(form, name, whole=field["whole"])
        except FormProblems as exc:
            errors.update(exc.errors)
    thresholds["dif_categories"] = [
        c for c in DIF_CATEGORIES if form.get(f"thresholds.dif_categories.{c}")
    ]
    arguments["statistics_thresholds"] = thresholds
    if errors:
        raise FormProblems(errors)
    return arguments


def _field_of(path: str) -> str:
    """The form field a problem of the operation is about."""
    # writing_rules.types.<type>[.value].options -> options.<type> (marshmallow names a
    # dict's values "value")
    parts = [part for part in path.split(".") if part not in ("value", "key")]
    if parts[0] == "writing_rules" and len(parts) >= 4 and parts[1] == "types":
        return f"{parts[3]}.{parts[2]}"
    if parts[0] == "writing_rules":
        return "writing_rules"
    if parts[0] == "review_checklist":
        return "criteria"
    if parts[0] == "statistics_thresholds" and len(parts) > 1:
        return f"thresholds.{parts[1]}"
    return parts[0]


def form_values(bank: Bank) -> dict[str, Any]:
    """What the form shows for the bank's settings as stored."""
    rules = writing_rules(bank)
    criteria = bank_checklist(bank)
    checklist = "off" if not criteria else "standard" if criteria == STANDARD else "own"
    values: dict[str, Any] = {
        "required_approvals": str(bank.required_approvals),
        "require_classification": rules["require_classification"],
        "checklist": checklist,
        "criteria": checklist_lines(criteria) if checklist == "own" else "",
        "answer_key_from_drafts": bool(bank.setting("answer_key_from_drafts")),
    }
    for name, value in bank_thresholds(bank).items():
        if name == "dif_categories":
            for category in value:
                values[f"thresholds.dif_categories.{category}"] = True
        elif isinstance(value, int):
            values[f"thresholds.{name}"] = format_number(value)
        else:  # as many decimals as it has (0,001), in the user's language
            values[f"thresholds.{name}"] = format_decimal(value, format="0.######")
    for type_id, rule in rules["types"].items():
        if rule.get("options") is not None:
            values[f"options.{type_id}"] = str(rule["options"])
        values[f"distinct_weights.{type_id}"] = bool(rule.get("distinct_weights"))
    return values


def _posted_values(form: Any) -> dict[str, Any]:
    """The form as posted, to show it again with its problems."""
    values: dict[str, Any] = {key: form.get(key) for key in form}
    for flag in ("require_classification", "answer_key_from_drafts"):
        values[flag] = bool(form.get(flag))
    for key in list(values):
        if key.startswith(("distinct_weights.", "thresholds.dif_categories.")):
            values[key] = True
    return values


def _show(bank: Bank, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    return page(
        "bank_settings.html",
        status,
        bank=bank,
        values=values,
        errors=errors,
        types=option_types(),
        thresholds=threshold_fields(),
        dif_categories=DIF_CATEGORIES,
        standard=STANDARD,
        aspects=ASPECTS,
    )


@bp.route("/banks/<code>/settings", methods=["GET", "POST"])
@login_required
def bank_settings(code: str) -> ResponseReturnValue:
    user = actor()
    bank = accounts.get_bank(code)
    require_role(user, bank, Role.BANK_ADMIN, doing=DOING)
    if request.method == "GET":
        return _show(bank, form_values(bank), {})
    try:
        arguments = read_form(bank, request.form)
        accounts.update_bank_settings(bank, actor=user, **arguments)
    except FormProblems as exc:
        return _show(bank, _posted_values(request.form), exc.errors, 422)
    except InvalidInput as exc:
        db.session.rollback()
        errors: dict[str, str] = {}
        for problem in exc.problems:
            errors.setdefault(_field_of(problem.get("field") or ""), problem_text(problem))
        if not errors:
            errors["settings"] = error_text(exc)
        return _show(bank, _posted_values(request.form), errors, 422)
    commit()
    flash(_("The settings of bank %(bank)s are saved.", bank=bank.code), "success")
    return redirect_to(url_for("ui.bank_settings", code=bank.code))
