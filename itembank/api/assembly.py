"""Automated test assembly: start a run of a blueprint (a job), read runs with their
comparison, accept one (its draft forms are made) or discard it."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import url_for
from flask.views import MethodView
from marshmallow import fields, validate

from itembank.api.auth import current_user
from itembank.api.banks import visible_bank
from itembank.api.common import INT_ID, Extended, make_blueprint
from itembank.api.jobs import JobOut, job_view
from itembank.models import RunStatus
from itembank.operations import assembly as ops
from itembank.operations.assembly_jobs import start_assembly
from itembank.operations.assembly_request import AssemblyRequestSchema
from itembank.operations.blueprints import get_blueprint
from itembank.operations.form_report import build_report
from itembank.plugins import plugins

blp = make_blueprint(
    "assembly",
    "Automated test assembly: parallel forms of a blueprint by mixed-integer programming.",
)


class MessageOut(ma.Schema):
    code = fields.String()
    message = fields.String(metadata={"description": "in Indonesian"})
    message_en = fields.String()
    row = fields.String(allow_none=True, metadata={"description": 'blueprint row, "2.1"'})
    rule = fields.String(allow_none=True)
    numbers = fields.Dict(keys=fields.String(), values=fields.Float())


class NoteOut(ma.Schema):
    message = fields.String()
    message_en = fields.String()


class CreatedFormOut(ma.Schema):
    id = fields.String(attribute="external_id")
    url = fields.String()
    title = fields.String()
    status = fields.String()
    errors = fields.Integer(metadata={"description": "errors in its validation report"})
    warnings = fields.Integer()


class RunOut(ma.Schema):
    id = fields.Integer()
    url = fields.String()
    bank = fields.Function(lambda r: r.bank.code)
    blueprint = fields.Function(lambda r: r.blueprint.code)
    status = fields.String(metadata={"enum": [s.value for s in RunStatus]})
    created_by = fields.Function(lambda r: r.created_by.username)
    created_at = fields.DateTime()
    decided_by = fields.Function(lambda r: r.decided_by.username if r.decided_by else None)
    decided_at = fields.DateTime(allow_none=True)
    settings = fields.Dict()
    seed = fields.Integer()
    method = fields.String()
    stopped = fields.String()
    solver = fields.Dict()
    times = fields.Dict()
    objective = fields.Float(allow_none=True)
    lp_bound = fields.Float(allow_none=True)
    gap = fields.Float(
        allow_none=True,
        metadata={
            "description": "certified: |lp_bound - objective| / max(|lp_bound|, |objective|)"
        },
    )
    notes = fields.List(fields.Nested(NoteOut))
    messages = fields.List(
        fields.Nested(MessageOut), metadata={"description": "why it is infeasible, if it is"}
    )
    forms = fields.List(fields.String(), attribute="created_forms")


class RunDetailOut(RunOut):
    comparison = fields.Dict(
        metadata={
            "description": "per form: row counts, TIF and TCC over grid, expected score, mean "
            "p, keys per section; the pairwise overlap matrix; item usage"
        }
    )
    proposed = fields.List(
        fields.Dict(),
        attribute="proposed",
        metadata={"description": "per form, per section: item, version and blueprint row"},
    )
    pool_size = fields.Integer()


class AcceptOut(ma.Schema):
    run = fields.Nested(RunOut)
    forms = fields.List(fields.Nested(CreatedFormOut))


class RunListQuery(ma.Schema):
    blueprint = fields.String(load_default=None, validate=validate.Length(max=64))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


def run_view(run: Any, *, detail: bool = False) -> Extended:
    extra: dict[str, Any] = {
        "url": url_for("assembly.RunById", bank_code=run.bank.code, run_id=run.id),
        "created_forms": [form.external_id for form in ops.run_forms(run)],
    }
    if detail:
        extra["proposed"] = [
            {
                "index": index,
                "sections": [
                    [
                        {"item": e["external_id"], "version_id": e["version"], "row": e["row"]}
                        for e in section
                    ]
                    for section in form["sections"]
                ],
            }
            for index, form in enumerate(run.forms, start=1)
        ]
        extra["pool_size"] = len(run.pool.get("items", []))
    return Extended(run, **extra)


@blp.route("/banks/<bank_code>/blueprints/<blueprint_code>/assemblies")
class BlueprintAssemblies(MethodView):
    @blp.arguments(AssemblyRequestSchema)
    @blp.response(202, JobOut)
    @blp.alt_response(503, description="the job queue cannot be reached; nothing was started")
    def post(self, data: dict[str, Any], bank_code: str, blueprint_code: str) -> Any:
        """Assemble parallel forms of a blueprint (assemblers and bank admins)

        Answers 202 with the assembly's job (``Location``: ``/api/v1/jobs/{id}``); when it
        succeeds its ``result.url`` is the run: the proposed forms and their comparison,
        or why the blueprint cannot be assembled, in its rows' words. Nothing is created
        until the run is accepted.
        """
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        blueprint = get_blueprint(bank, blueprint_code, actor=actor)
        job = start_assembly(bank, blueprint, data, actor=actor)
        view = job_view(job)
        return view, {"Location": view.url}


@blp.route("/banks/<bank_code>/assemblies")
class Assemblies(MethodView):
    @blp.arguments(RunListQuery, location="query")
    @blp.response(200, RunOut(many=True))
    def get(self, query: dict[str, Any], bank_code: str) -> Any:
        """The bank's assembly runs, newest first (assemblers and bank admins)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        blueprint = None
        if query["blueprint"]:
            blueprint = get_blueprint(bank, query["blueprint"], actor=actor)
        per_page = query["per_page"]
        runs = ops.list_runs(
            bank,
            actor=actor,
            blueprint=blueprint,
            limit=per_page,
            offset=(query["page"] - 1) * per_page,
        )
        return [run_view(run) for run in runs]


@blp.route(f"/banks/<bank_code>/assemblies/<{INT_ID}:run_id>")
class RunById(MethodView):
    @blp.response(200, RunDetailOut)
    def get(self, bank_code: str, run_id: int) -> Any:
        """One assembly run with its comparison"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        return run_view(ops.get_run(bank, run_id, actor=actor), detail=True)


@blp.route(f"/banks/<bank_code>/assemblies/<{INT_ID}:run_id>/accept")
class RunAccept(MethodView):
    @blp.response(201, AcceptOut)
    def post(self, bank_code: str, run_id: int) -> Any:
        """Accept a proposed run: its draft forms are made, each with its validation
        report (409 ``run_decided`` once accepted or discarded)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        run = ops.get_run(bank, run_id, actor=actor)
        forms = ops.accept_run(run, actor=actor)
        host = plugins()
        created = []
        for form in forms:
            report = build_report(form, host)
            created.append(
                Extended(
                    form,
                    url=url_for("forms.FormById", form_id=form.external_id),
                    errors=len(report.errors),
                    warnings=len(report.warnings),
                )
            )
        return {"run": run_view(run), "forms": created}, {"Location": run_view(run).url}


@blp.route(f"/banks/<bank_code>/assemblies/<{INT_ID}:run_id>/discard")
class RunDiscard(MethodView):
    @blp.response(200, RunOut)
    def post(self, bank_code: str, run_id: int) -> Any:
        """Discard a proposed run (the record stays; 409 ``run_decided`` once decided)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        run = ops.discard_run(ops.get_run(bank, run_id, actor=actor), actor=actor)
        return run_view(run)
