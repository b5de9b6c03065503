"""The kinds of background job and the function that does each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from itembank.jobs.runner import JobContext


@dataclass(frozen=True)
class JobResult:
    """What a finished job produced: a record (``result_type``, ``result_id``) that the
    UI and the API link to, and a small summary (counts) shown in lists."""

    result_type: str = ""
    result_id: int | None = None
    summary: dict[str, Any] = field(default_factory=dict)


#: ``handler(context) -> JobResult``. It works in ``db.session`` without committing: the
#: runner commits its work together with the job's end, or rolls it all back.
Handler = Callable[["JobContext"], JobResult]


@dataclass(frozen=True)
class JobKind:
    id: str
    #: What the job does, in Indonesian and English ("Impor soal", "Item import").
    title: str
    title_en: str
    handler: Handler


_KINDS: dict[str, JobKind] = {}

#: Modules that register the built-in kinds when imported.
BUILTIN_KIND_MODULES: tuple[str, ...] = (
    "itembank.operations.import_jobs",
    "itembank.operations.assembly_jobs",
    "itembank.operations.statistics_jobs",
)


def register_kind(kind: JobKind) -> JobKind:
    existing = _KINDS.get(kind.id)
    if existing is not None and existing.handler is not kind.handler:
        raise ValueError(f"job kind {kind.id!r} is registered twice")
    _KINDS[kind.id] = kind
    return kind


def job_kinds() -> dict[str, JobKind]:
    """Every registered kind (the built-in ones are loaded on first call)."""
    import importlib

    for module in BUILTIN_KIND_MODULES:
        importlib.import_module(module)
    return dict(_KINDS)


def job_kind(kind_id: str) -> JobKind | None:
    return job_kinds().get(kind_id)
