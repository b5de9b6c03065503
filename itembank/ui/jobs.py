"""Background jobs in the web UI: one job's page (what it is, who started it and when,
its progress, cancelling it, then its result or its error), a small JSON state that the
page's script polls, and the user's recent jobs on the dashboard.

The progress component is one Jinja partial (``templates/ui/_jobs.html``: ``job_panel``
for one job, ``job_list`` for a compact list) over a :class:`JobView`, so any page can
show a job. ``static/js/job.js`` follows every unfinished job on a page through its
state URL (about every 0.75 s), updates the bar, the message and the status, and, on the
job's own page, opens the result when the job succeeds while the page watches it.
Without the script the job page refreshes itself every two seconds while the job is
unfinished (a ``<meta http-equiv="refresh">`` inside ``<noscript>``).

Who sees a job is :func:`itembank.jobs.operations.get_job`'s rule (its starter, the
bank's admins, global administrators); others get the "not found" page. A feature links
its kind of job and its kind of result here: :func:`add_kind_page` (where such jobs are
started, and what one is about) and :func:`add_result_page` (where a result is read).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import flash, jsonify, url_for
from flask.typing import ResponseReturnValue

from itembank.api.common import INT_ID
from itembank.errors import Conflict, DomainError
from itembank.extensions import db
from itembank.jobs.operations import cancel_job, get_job, job_titles, my_jobs
from itembank.models import Job, JobStatus, Role, User
from itembank.ui import dashboard
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.errors import domain_status, explain
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import pick

#: How often the page refreshes itself without its script (seconds).
REFRESH_SECONDS = 2

STATUS_TEXTS: dict[str, Callable[[], str]] = {
    JobStatus.QUEUED: lambda: _("Waiting for a worker"),
    JobStatus.RUNNING: lambda: _("Running"),
    JobStatus.SUCCEEDED: lambda: _("Finished"),
    JobStatus.FAILED: lambda: _("Failed"),
    JobStatus.CANCELLED: lambda: _("Cancelled"),
}


@dataclass(frozen=True)
class KindPage:
    """Where jobs of one kind are started, and what one job is about (a file name)."""

    url: Callable[[Job], str]
    label: Callable[[], str]
    subject: Callable[[Job], str]


@dataclass(frozen=True)
class ResultPage:
    """Where a job's result is read, by ``result_type``, and a one-line summary."""

    url: Callable[[Job], str]
    label: Callable[[], str]
    summary: Callable[[Job], str]


KIND_PAGES: dict[str, KindPage] = {}
RESULT_PAGES: dict[str, ResultPage] = {}


def add_kind_page(
    kind: str,
    url: Callable[[Job], str],
    label: Callable[[], str],
    subject: Callable[[Job], str] = lambda job: "",
) -> None:
    """Link jobs of ``kind`` to the page where they are started (``label`` is called
    per request, so it is translated)."""
    KIND_PAGES[kind] = KindPage(url, label, subject)


def add_result_page(
    result_type: str,
    url: Callable[[Job], str],
    label: Callable[[], str],
    summary: Callable[[Job], str] = lambda job: "",
) -> None:
    """Link results of ``result_type`` (``import_batch``) to the page that shows them."""
    RESULT_PAGES[result_type] = ResultPage(url, label, summary)


@dataclass(frozen=True)
class JobView:
    """A job as the UI shows it, every text in the user's language."""

    id: int
    kind: str
    title: str
    subject: str
    bank_code: str
    bank_name: str
    started_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancelled_by: str
    status: str
    status_text: str
    finished: bool
    cancellable: bool
    done: int
    total: int
    progress_text: str
    #: ``max`` and ``value`` of the ``<progress>`` bar (no value: not yet known).
    bar_max: int
    bar_value: int | None
    message: str
    error: str
    url: str
    state_url: str
    cancel_url: str
    result_url: str
    result_label: str
    result_summary: str
    home_url: str
    home_label: str

    def state(self) -> dict[str, Any]:
        """What ``job.js`` needs to redraw the job (the JSON state)."""
        return {
            "id": self.id,
            "status": self.status,
            "status_text": self.status_text,
            "finished": self.finished,
            "cancellable": self.cancellable,
            "done": self.done,
            "total": self.total,
            "progress_text": self.progress_text,
            "bar": {"max": self.bar_max, "value": self.bar_value},
            "message": self.message,
            "error": self.error,
            "result": (
                {
                    "url": self.result_url,
                    "label": self.result_label,
                    "summary": self.result_summary,
                }
                if self.result_url
                else None
            ),
        }


def _status_text(job: Job) -> str:
    if job.status == JobStatus.RUNNING and job.cancel_requested:
        return _("Stopping (cancel requested)")
    text = STATUS_TEXTS.get(job.status)
    return text() if text else job.status


def job_view(job: Job) -> JobView:
    title = job_titles().get(job.kind)
    kind_page = KIND_PAGES.get(job.kind)
    result = RESULT_PAGES.get(job.result_type)
    if job.status != JobStatus.SUCCEEDED or job.result_id is None:
        result = None
    done, total = job.progress_done, job.progress_total
    # Once a job has succeeded its status and its result say it all: no count, no "Done".
    succeeded = job.status == JobStatus.SUCCEEDED
    if total > 0:
        bar_max, bar_value = total, min(done, total)
    elif job.finished:
        bar_max, bar_value = 1, 1 if succeeded else 0
    else:
        bar_max, bar_value = 1, None
    return JobView(
        id=job.id,
        kind=job.kind,
        title=pick({"id": title[0], "en": title[1]}) if title else job.kind,
        subject=kind_page.subject(job) if kind_page else "",
        bank_code=job.bank.code,
        bank_name=job.bank.name,
        started_by=job.actor.name,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        cancelled_by=job.cancelled_by.name if job.cancelled_by else "",
        status=job.status,
        status_text=_status_text(job),
        finished=job.finished,
        cancellable=not job.finished and not job.cancel_requested,
        done=done,
        total=total,
        progress_text=(
            _("%(done)d of %(total)d", done=done, total=total)
            if total > 0 and not succeeded
            else ""
        ),
        bar_max=bar_max,
        bar_value=bar_value,
        message="" if succeeded else pick({"id": job.message, "en": job.message_en}),
        error=pick({"id": job.error, "en": job.error_en}),
        url=url_for("ui.job", job_id=job.id),
        state_url=url_for("ui.job_state", job_id=job.id),
        cancel_url=url_for("ui.cancel_job", job_id=job.id),
        result_url=result.url(job) if result else "",
        result_label=result.label() if result else "",
        result_summary=result.summary(job) if result else "",
        home_url=kind_page.url(job) if kind_page else url_for("ui.dashboard"),
        home_label=kind_page.label() if kind_page else _("Back to the dashboard"),
    )


def render_job(job: Job, *, status: int = 200, problem: str = "") -> ResponseReturnValue:
    view = job_view(job)
    return page(
        "job.html",
        status,
        job=view,
        problem=problem,
        refresh=0 if view.finished else REFRESH_SECONDS,
    )


@bp.get(f"/jobs/<{INT_ID}:job_id>")
@login_required
def job(job_id: int) -> ResponseReturnValue:
    found = get_job(job_id, actor=actor())
    commit()  # reading settles jobs whose worker stopped (expire_stale)
    return render_job(found)


@bp.get(f"/jobs/<{INT_ID}:job_id>/state")
@login_required
def job_state(job_id: int) -> ResponseReturnValue:
    try:
        found = get_job(job_id, actor=actor())
    except DomainError as exc:
        db.session.rollback()
        return jsonify(error=explain(exc)), domain_status(exc)
    commit()
    return jsonify(job_view(found).state())


@bp.post(f"/jobs/<{INT_ID}:job_id>/cancel", endpoint="cancel_job")
@login_required
def cancel(job_id: int) -> ResponseReturnValue:
    user = actor()
    found = get_job(job_id, actor=user)
    try:
        found = cancel_job(found, actor=user)
    except Conflict:
        db.session.rollback()
        return render_job(
            get_job(job_id, actor=user),
            status=409,
            problem=_("This job has already ended: there is nothing left to cancel."),
        )
    commit()
    if found.status == JobStatus.CANCELLED:
        flash(_("The job was cancelled before it started; nothing was done."), "success")
    else:
        flash(
            _("The job will stop at its next step; nothing it has done will be saved."),
            "success",
        )
    return redirect_to(url_for("ui.job", job_id=found.id))


@dashboard.panel(
    "my_jobs",
    lambda: _("My jobs"),
    lambda: _("You have started no background jobs."),
    set(Role),
    order=5,
    template="ui/_job_rows.html",
    hide_empty=True,
    script="js/job.js",
)
def my_recent_jobs(user: User, bank_ids: list[int]) -> list[JobView]:
    """The user's recent jobs (imports now), newest first; shown only when there are."""
    return [job_view(job) for job in my_jobs(user, limit=dashboard.LIMIT)]
