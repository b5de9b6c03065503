"""marshmallow schemas for administrations, results imports, analyses, item statistics,
the review queue and calibrations.

Request schemas check shape; the operations check meaning (exported forms, dates in
order, group variables the results have, administrations with results). Statistics
that cannot be computed (too few candidates, no variance) are ``null``.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from itembank.api.schemas import _username
from itembank.models.results import RESULT_FORMATS, RESULT_IMPORT_STATUSES
from itembank.models.statistics import CALIBRATION_STATUSES, FLAG_STATUSES
from itembank.operations.calibration import DICHOTOMOUS_MODELS
from itembank.operations.review_flags import DECISIONS
from itembank.operations.statistics_reads import FLAG_FILTERS

GROUP_NAME = validate.Regexp(
    r"^[A-Za-z][A-Za-z0-9_]{0,31}$", error="letters, digits or _, starting with a letter"
)
ID = validate.Length(min=1, max=64)


def _number(**metadata: Any) -> fields.Float:
    """A statistic: a number, or null when it cannot be computed."""
    return fields.Float(allow_none=True, metadata=metadata)


class PageQuery(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


# -- administrations -----------------------------------------------------------------------


class AdministrationCreateIn(ma.Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    starts_on = fields.Date(required=True, metadata={"description": "first day, YYYY-MM-DD"})
    ends_on = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "last day (default: starts_on)"},
    )
    site = fields.String(load_default="", validate=validate.Length(max=200))
    sessions = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        load_default=list,
        validate=validate.Length(max=100),
        metadata={"description": 'session labels, e.g. ["Sesi 1", "Sesi 2"]'},
    )
    forms = fields.List(
        fields.String(validate=ID),
        load_default=list,
        validate=validate.Length(max=200),
        metadata={"description": "ids of the exported forms delivered"},
    )
    notes = fields.String(load_default="", validate=validate.Length(max=5000))
    simulated = fields.Boolean(
        load_default=False, metadata={"description": "results made up by a simulator"}
    )


class AdministrationFormsIn(ma.Schema):
    forms = fields.List(
        fields.String(validate=ID),
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "ids of more exported forms delivered"},
    )


class ResultImportSummaryOut(ma.Schema):
    id = fields.Integer()
    url = fields.String()
    administration = fields.Function(lambda b: b.administration.external_id)
    filename = fields.String()
    format = fields.String(metadata={"enum": list(RESULT_FORMATS)})
    status = fields.String(
        metadata={
            "enum": list(RESULT_IMPORT_STATUSES),
            "description": "completed: every candidate was stored; rolled_back: the file "
            "had problems and nothing was stored; failed: the file could not be read",
        }
    )
    candidates = fields.Integer(metadata={"description": "candidate results read"})
    responses = fields.Integer()
    disagreements = fields.Integer(
        metadata={"description": "responses the delivery scored differently from the bank"}
    )
    problems_total = fields.Integer()
    actor = _username("actor")
    created_at = fields.DateTime()
    finished_at = fields.DateTime()


class ResultProblemOut(ma.Schema):
    file = fields.String()
    row = fields.Integer(allow_none=True)
    item = fields.String()
    code = fields.String()
    message = fields.String(metadata={"description": "in Indonesian"})
    message_en = fields.String()


class DisagreementPatternOut(ma.Schema):
    response = fields.String(metadata={"description": "as the report shows it: B, A;C, A:1;B:2"})
    delivered = fields.Float(metadata={"description": "the delivery system's score"})
    bank = fields.Float(metadata={"description": "the bank's own score of the response"})
    count = fields.Integer(metadata={"description": "candidates who gave it"})


class DisagreementItemOut(ma.Schema):
    form = fields.String()
    position = fields.Integer()
    item = fields.String()
    version = fields.Integer()
    identifier = fields.String()
    count = fields.Integer()
    patterns = fields.List(fields.Nested(DisagreementPatternOut))


class ResultImportOut(ResultImportSummaryOut):
    size = fields.Integer()
    sha256 = fields.String()
    job = fields.Integer(attribute="job_id", allow_none=True)
    problems = fields.List(
        fields.Nested(ResultProblemOut),
        metadata={"description": "where and why (the first ones; problems_total counts all)"},
    )
    disagreement_report = fields.List(fields.Nested(DisagreementItemOut))
    disagreements_csv_url = fields.String()
    disagreements_xlsx_url = fields.String()


class DeliveredFormOut(ma.Schema):
    form = fields.String()
    title = fields.String()
    status = fields.String()
    candidates = fields.Integer(metadata={"description": "candidate results stored"})
    added_at = fields.DateTime(allow_none=True)


class AdministrationOut(ma.Schema):
    id = fields.String(attribute="external_id", metadata={"description": "e.g. CACT-DEMO-A001"})
    url = fields.String()
    bank = fields.Function(lambda a: a.bank.code)
    title = fields.String()
    site = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    sessions = fields.List(fields.String())
    simulated = fields.Boolean()
    notes = fields.String()
    created_by = _username("created_by")
    created_at = fields.DateTime()
    forms = fields.Function(
        lambda a: [form.external_id for form in a.forms],
        metadata={"description": "the delivered forms' ids"},
    )


class AdministrationDetailOut(AdministrationOut):
    results_url = fields.String(metadata={"description": "POST results here, GET the imports"})
    template_url = fields.String(metadata={"description": "a CSV template for the results"})
    delivered = fields.List(fields.Nested(DeliveredFormOut))
    imports = fields.List(fields.Nested(ResultImportSummaryOut))


class AdministrationFormsOut(ma.Schema):
    added = fields.List(fields.String(), metadata={"description": "forms not named before"})
    administration = fields.Nested(AdministrationDetailOut)


class TemplateQuery(ma.Schema):
    group = fields.List(
        fields.String(validate=GROUP_NAME),
        load_default=list,
        validate=validate.Length(max=10),
        metadata={"description": "group variables for DIF, one column group:<name> each"},
    )


# -- analyses ------------------------------------------------------------------------------


class ScopeStatsOut(ma.Schema):
    n = fields.Integer()
    n_complete = fields.Integer(metadata={"description": "candidates given every item"})
    mean = _number()
    sd = _number()
    max_score = _number()
    alpha = _number(description="KR-20 / Cronbach's alpha")
    sem = _number(description="standard error of measurement")
    histogram_edges = fields.List(fields.Float(allow_none=True))
    histogram_counts = fields.List(fields.Integer())


class FormStatsOut(ScopeStatsOut):
    sections = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(ScopeStatsOut),
        metadata={"description": "by title"},
    )


class StatisticFlagOut(ma.Schema):
    code = fields.String(
        metadata={"description": "p_low, low_discrimination, possible_miskey, ..."}
    )
    message = fields.String(metadata={"description": "in Indonesian"})
    message_en = fields.String()
    value = _number()


class OptionStatsOut(ma.Schema):
    id = fields.String()
    letter = fields.String()
    key = fields.Boolean()
    weight = _number()
    share = _number(description="share of the candidates given the item who chose it")
    by_group = fields.List(
        fields.Float(allow_none=True),
        metadata={"description": "share within each fifth by total score, lowest first"},
    )
    mean_total = _number(description="mean total score of its choosers")
    point_biserial = _number(description="with the rest score")


class WeightsOut(ma.Schema):
    values = fields.List(fields.Float())
    share = fields.List(fields.Float(allow_none=True))
    mean_weight = _number()


class DifOut(ma.Schema):
    method = fields.String()
    delta = _number(description="MH delta (dichotomous)")
    alpha_mh = _number()
    smd = _number(description="standardised mean difference (polytomous)")
    chi_square = _number()
    p_value = _number()
    category = fields.String(allow_none=True, metadata={"description": "ETS A, B or C"})
    favours = fields.String(allow_none=True, metadata={"description": "reference, focal or empty"})
    n_reference = fields.Integer()
    n_focal = fields.Integer()


class AnalysisItemOut(ma.Schema):
    position = fields.Integer(metadata={"description": "number in the form, from 1"})
    section = fields.String()
    item = fields.String()
    version = fields.Integer()
    item_type = fields.String()
    identifier = fields.String(metadata={"description": "the item's identifier in the package"})
    max_score = fields.Float()
    n_exposed = fields.Integer()
    n_attempted = fields.Integer()
    n_omitted = fields.Integer()
    mean = _number()
    p = _number(description="mean score / maximum score")
    sd = _number()
    item_rest = _number()
    item_total = _number()
    latent = _number(description="biserial (0/1 items) or polyserial")
    alpha_if_deleted = _number()
    dichotomous = fields.Boolean()
    median_seconds = _number()
    options = fields.List(fields.Nested(OptionStatsOut))
    omitted_share = _number()
    group_sizes = fields.List(fields.Integer())
    possible_miskey = fields.Boolean()
    weights = fields.Nested(WeightsOut)
    dif = fields.Nested(DifOut)
    flags = fields.List(fields.Nested(StatisticFlagOut))
    too_few_candidates = fields.Boolean(metadata={"description": "too few to raise flags"})


class AnalysisOut(ma.Schema):
    id = fields.Integer()
    url = fields.String()
    xlsx_url = fields.String()
    form = fields.Function(lambda a: a.form.external_id)
    form_title = fields.Function(lambda a: a.form.title)
    administration = fields.Function(
        lambda a: a.administration.external_id if a.administration else None,
        metadata={"description": "null: pooled over every administration of the form"},
    )
    candidates = fields.Integer()
    computed_at = fields.DateTime(attribute="created_at")
    settings = fields.Dict(metadata={"description": "thresholds, min_candidates, dif"})
    form_stats = fields.Nested(FormStatsOut)
    items = fields.List(fields.Nested(AnalysisItemOut))


class AnalysisQuery(ma.Schema):
    administration = fields.String(
        validate=ID, metadata={"description": "an administration's id (default: pooled)"}
    )


class DifIn(ma.Schema):
    group = fields.String(required=True, validate=GROUP_NAME)
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200))
    focal = fields.String(required=True, validate=validate.Length(min=1, max=200))


class AnalyseIn(ma.Schema):
    administration = fields.String(
        load_default=None, allow_none=True, validate=ID, metadata={"description": "default: pooled"}
    )
    dif = fields.Nested(
        DifIn,
        load_default=None,
        allow_none=True,
        metadata={"description": "DIF for a group variable: reference against focal"},
    )


class ItemStatisticsOut(AnalysisItemOut):
    analysis = fields.Integer()
    form = fields.String()
    administration = fields.String(allow_none=True, metadata={"description": "null: pooled"})
    candidates = fields.Integer()
    computed_at = fields.DateTime()


class UseAdministrationOut(ma.Schema):
    administration = fields.String()
    title = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    simulated = fields.Boolean()
    candidates = fields.Integer()
    last_tested_at = fields.DateTime(allow_none=True)


class UseFormOut(ma.Schema):
    form = fields.String()
    title = fields.String()
    status = fields.String()
    administrations = fields.List(fields.Nested(UseAdministrationOut))


class WhereUsedOut(ma.Schema):
    version = fields.Integer(allow_none=True)
    forms = fields.List(fields.Nested(UseFormOut))
    candidates = fields.Integer(metadata={"description": "exposure: candidates given it"})
    last_used = fields.Date(allow_none=True)


# -- the review queue ----------------------------------------------------------------------


class ReviewFlagOut(ma.Schema):
    id = fields.Integer()
    url = fields.String()
    decision_url = fields.String()
    item = fields.Function(lambda f: f.item.external_id)
    version = fields.Function(lambda f: f.version.number)
    source = fields.String(metadata={"enum": ["analysis", "calibration"]})
    analysis = fields.Integer(attribute="analysis_id", allow_none=True)
    form = fields.Function(
        lambda f: f.analysis.form.external_id if f.analysis else None,
        metadata={"description": "the analysed form (analysis flags)"},
    )
    calibration = fields.Function(
        lambda f: f.calibration.external_id if f.calibration else None,
        metadata={"description": "the calibration run (calibration flags)"},
    )
    flags = fields.List(fields.Nested(StatisticFlagOut))
    status = fields.String(metadata={"enum": list(FLAG_STATUSES)})
    reason = fields.String()
    decided_by = _username("decided_by")
    decided_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class FlagListQuery(PageQuery):
    status = fields.String(load_default="open", validate=validate.OneOf(FLAG_FILTERS))


class DecisionIn(ma.Schema):
    decision = fields.String(
        required=True,
        validate=validate.OneOf(DECISIONS),
        metadata={"description": "keep, revise, or retire (bank admins: retires the item)"},
    )
    reason = fields.String(required=True, validate=validate.Length(max=2000))


# -- calibrations --------------------------------------------------------------------------


class CalibrationIn(ma.Schema):
    administrations = fields.List(
        fields.String(validate=ID), required=True, validate=validate.Length(min=1, max=100)
    )
    dichotomous_model = fields.String(
        load_default="2PL", validate=validate.OneOf(DICHOTOMOUS_MODELS)
    )
    anchor_scale = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={"description": "hold the versions with parameters on this scale fixed"},
    )
    scale = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={"description": "the new estimates' scale (default: the run's id)"},
    )
    min_responses = fields.Integer(load_default=200, validate=validate.Range(min=20, max=100_000))


class CalibrationOut(ma.Schema):
    id = fields.String(attribute="external_id", metadata={"description": "e.g. CACT-DEMO-C001"})
    url = fields.String()
    number = fields.Integer()
    bank = fields.Function(lambda r: r.bank.code)
    scale = fields.String()
    status = fields.String(metadata={"enum": list(CALIBRATION_STATUSES)})
    settings = fields.Dict()
    candidates = fields.Integer()
    items = fields.Integer(metadata={"description": "versions calibrated"})
    converged = fields.Function(lambda r: (r.summary or {}).get("converged"))
    job = fields.Integer(attribute="job_id", allow_none=True)
    created_by = _username("created_by")
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


class EstimateOut(ma.Schema):
    item = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)
    model = fields.String()
    params = fields.Dict(metadata={"description": "a, b (steps for GPCM/GRM), c; D = 1"})
    standard_errors = fields.Dict(allow_none=True)
    fixed = fields.Boolean(metadata={"description": "an anchor held at its bank values"})
    n = fields.Integer(allow_none=True)
    fit_p = _number()
    flags = fields.List(fields.String())
    scale = fields.String()


class LeftOutOut(ma.Schema):
    item = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)
    reason = fields.String(metadata={"description": "scored_by_person, too_few_responses, ..."})
    n = fields.Integer(allow_none=True)


class CalibrationDetailOut(CalibrationOut):
    summary = fields.Dict(
        metadata={"description": "convergence, iterations, log-likelihood, population, seconds"}
    )
    estimates = fields.List(fields.Nested(EstimateOut))
    left_out = fields.List(fields.Nested(LeftOutOut))
