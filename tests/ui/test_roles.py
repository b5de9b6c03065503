"""The web UI refuses exactly what the API refuses, and does what the API does.

Each row of :data:`PAIRS` pairs a page (or a page action) with the API call that does the
same thing. For every role both run against fresh state (the row's setup, made once for
each), and:

- where the API refuses, the page refuses with the same status (403 for a role that may
  not, 404 for what the user may not know exists), as a page without a traceback, and
  neither of them changes anything (no audit event in the bank, none of the row's rows);
- where the API succeeds, the page succeeds (200 for a page or a download, 303 after a
  change, 201 for an image the editor uploads), and what the page changes is what the
  API changes: the same rows created or changed (the row's ``state``) and the same audit
  events recorded (its ``audit`` actions among them). Every page action that saves names
  both; the preview, which saves nothing, is checked to change nothing.

Anonymous users are sent to the sign-in page. :func:`test_every_page_is_paired_or_exempt`
keeps the table complete: every page of the web UI is paired here or named in
:data:`NO_API_COUNTERPART` with the test that covers it instead.
"""

from __future__ import annotations

import io
import itertools
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from PIL import Image

from itembank.extensions import db
from itembank.models import (
    AssemblyRun,
    AuditEvent,
    Blueprint,
    Comment,
    EnemyPair,
    Form,
    FormEntry,
    Item,
    ItemVersion,
    Job,
    Media,
    Review,
)
from itembank.operations.accounts import create_user
from tests.api.conftest import ApiClient, login
from tests.api.test_matrix import (
    _imported,
    _passage_approved,
    _passage_draft,
    _passage_in_review,
    _queued_job,
)
from tests.assembly_helpers import state_run
from tests.factories import PASSWORD, SINGLE_CHOICE, World, make_item, unique
from tests.forms_helpers import (
    approve_new_version,
    get_item_by_id,
    state_blueprint,
    state_code,
    state_enemies,
    state_filled_form,
    state_form,
    state_locked_form,
)
from tests.forms_helpers import (
    state_approved as _approved,
)
from tests.forms_helpers import (
    state_draft as _draft,
)
from tests.forms_helpers import (
    state_in_review as _in_review,
)
from tests.forms_helpers import (
    state_nothing as _nothing,
)
from tests.import_helpers import SC_ROW, csv_bytes
from tests.ui.conftest import UiClient

ROLES = ("author", "reviewer", "assembler", "bank_admin", "admin", "outsider")

Setup = Callable[[World, Any], dict[str, str]]
#: What a row's action creates or changes, read from the database: values that do not
#: depend on which fresh copy of the state it ran on (counts, statuses, titles).
Probe = Callable[[World, dict[str, str]], dict[str, Any]]


# -- states beyond tests/forms_helpers.py ----------------------------------------------------


def state_two_entries(world: World, plugins: Any) -> dict[str, str]:
    """A draft form with two entries; ``entry`` is the second (it can move up)."""
    from itembank.operations.forms import add_entry, get_form
    from tests.forms_helpers import approved

    names = state_filled_form(world, plugins)
    form = get_form(names["form"], actor=world.bank_admin)
    entry = add_entry(form, approved(world, plugins).approved_version, actor=world.bank_admin)
    return {**names, "entry": str(entry.id)}


def state_repinnable(world: World, plugins: Any) -> dict[str, str]:
    """A draft form whose entry pins version 1 of an item approved since in version 2."""
    names = state_filled_form(world, plugins)
    approve_new_version(world, get_item_by_id(names["item"]), plugins)
    return names


def state_assemblable(world: World, plugins: Any) -> dict[str, str]:
    """A one-item blueprint and an approved item that fills it."""
    from tests.forms_helpers import approved

    names = state_blueprint(world, plugins)
    approved(world, plugins)
    return names


def state_image(world: World, plugins: Any) -> dict[str, str]:
    """An image of the bank."""
    from itembank.operations.media import upload_media

    media = upload_media(world.bank, _png(), actor=world.author, max_bytes=200_000)
    return {"sha": media.sha256}


_colours = itertools.count(1)


def _png() -> bytes:
    """A small PNG whose bytes no other call returns (the bank stores an image once)."""
    n = next(_colours)
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), (n % 256, n // 256 % 256, 7)).save(buffer, "PNG")
    return buffer.getvalue()


def state_user(world: World, plugins: Any) -> dict[str, str]:
    """A user outside the bank with a live API token (for the administrators' pages)."""
    from datetime import timedelta

    from itembank.models import ApiToken
    from itembank.models._types import utcnow

    user = create_user(unique("target-"), PASSWORD, actor=None)
    db.session.add(
        ApiToken(
            user_id=user.id,
            token_hash=unique("hash-").ljust(64, "0")[:64],
            prefix="ibk_test",
            expires_at=utcnow() + timedelta(days=1),
        )
    )
    db.session.flush()
    return {"user": user.username}


def state_disabled_user(world: World, plugins: Any) -> dict[str, str]:
    from itembank.operations.accounts import disable_user, get_user

    names = state_user(world, plugins)
    disable_user(get_user(names["user"]), actor=None)
    return names


def state_bank_defaults(world: World, plugins: Any) -> dict[str, str]:
    """The bank with no settings of its own (each run starts from the same ones)."""
    world.bank.settings = {}
    db.session.flush()
    return {}


# -- probes ---------------------------------------------------------------------------------


def _count(model: Any, *where: Any) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)))


def _version(names: dict[str, str], number: int = 1) -> ItemVersion:
    item = get_item_by_id(names["item"])
    return db.session.scalars(
        sa.select(ItemVersion).where(ItemVersion.item_id == item.id, ItemVersion.number == number)
    ).one()


def bank_items(world: World, names: dict[str, str]) -> dict[str, Any]:
    return {"items": _count(Item, Item.bank_id == world.bank.id)}


def draft(world: World, names: dict[str, str]) -> dict[str, Any]:
    version = _version(names)
    return {"stem": version.stem, "revision": version.revision}


def version_status(world: World, names: dict[str, str]) -> dict[str, Any]:
    version = _version(names)
    return {
        "status": version.status,
        "approvals": _count(Review, Review.version_id == version.id, Review.decision == "approve"),
    }


def versions(world: World, names: dict[str, str]) -> dict[str, Any]:
    item = get_item_by_id(names["item"])
    return {
        "versions": _count(ItemVersion, ItemVersion.item_id == item.id),
        "latest": item.latest_version.status,
    }


def comments(world: World, names: dict[str, str]) -> dict[str, Any]:
    version = _version(names)
    bodies = db.session.scalars(sa.select(Comment.body).where(Comment.version_id == version.id))
    return {"comments": sorted(bodies)}


def bank_blueprints(world: World, names: dict[str, str]) -> dict[str, Any]:
    return {"blueprints": _count(Blueprint, Blueprint.bank_id == world.bank.id)}


def blueprint(world: World, names: dict[str, str]) -> dict[str, Any]:
    found = db.session.scalars(
        sa.select(Blueprint).where(
            Blueprint.bank_id == world.bank.id, Blueprint.code == names["blueprint"]
        )
    ).one_or_none()
    return {"exists": found is not None, "title": found.title if found else None}


def bank_forms(world: World, names: dict[str, str]) -> dict[str, Any]:
    return {"forms": _count(Form, Form.bank_id == world.bank.id)}


def form(world: World, names: dict[str, str]) -> dict[str, Any]:
    found = db.session.scalars(
        sa.select(Form).where(Form.external_id == names["form"])
    ).one_or_none()
    if found is None:
        return {"exists": False, **dict.fromkeys(("title", "status", "entries", "exported"))}
    return {
        "exists": True,
        "title": found.title,
        "status": found.status,
        "entries": _count(FormEntry, FormEntry.form_id == found.id),
        "exported": found.package_sha256 is not None,
    }


def entry(world: World, names: dict[str, str]) -> dict[str, Any]:
    found = db.session.get(FormEntry, int(names["entry"]))
    return {"position": found.position, "version": found.version.number}


def bank_enemies(world: World, names: dict[str, str]) -> dict[str, Any]:
    return {"pairs": _count(EnemyPair, EnemyPair.bank_id == world.bank.id)}


def job(world: World, names: dict[str, str]) -> dict[str, Any]:
    found = db.session.get(Job, int(names["job"]))
    return {"status": found.status, "cancel_requested": found.cancel_requested}


def bank_runs(world: World, names: dict[str, str]) -> dict[str, Any]:
    return {
        "assembly jobs": _count(Job, Job.bank_id == world.bank.id, Job.kind == "assembly"),
        "proposed runs": _count(
            AssemblyRun, AssemblyRun.bank_id == world.bank.id, AssemblyRun.status == "proposed"
        ),
    }


def bank_images(world: World, names: dict[str, str]) -> dict[str, Any]:
    return {"images": _count(Media, Media.bank_id == world.bank.id)}


def run(world: World, names: dict[str, str]) -> dict[str, Any]:
    found = db.session.get(AssemblyRun, int(names["run"]))
    return {
        "status": found.status,
        "forms": _count(Form, Form.bank_id == world.bank.id),
    }


def bank_settings(world: World, names: dict[str, str]) -> dict[str, Any]:
    db.session.refresh(world.bank)
    return {"settings": dict(world.bank.settings or {})}


def account(world: World, names: dict[str, str]) -> dict[str, Any]:
    from itembank.models import ApiToken
    from itembank.operations.accounts import get_user

    user = get_user(names["user"])
    return {
        "active": user.is_active,
        "old password": user.check_password(PASSWORD),
        "live tokens": _count(ApiToken, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)),
    }


# -- the table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """A page and its API counterpart (paths and bodies may hold ``{name}`` placeholders
    filled from the setup's names; a body may be a function of the names)."""

    page: str
    form: Any
    api: str
    body: Any
    setup: Setup
    #: Audit actions the action records in the bank (the page and the API must record the
    #: same events, these among them).
    audit: tuple[str, ...] = ()
    #: Audit actions the page records besides the API's (its submit button saves first).
    page_also: tuple[str, ...] = ()
    #: The rows the action creates or changes.
    state: Probe | None = None
    #: The page saves nothing (the preview): it must change nothing, even when it succeeds.
    saves: bool = True
    #: How the page is sent: "form", "multipart" or "json" (the editor's scripts).
    kind: str = "form"
    #: What the page answers a refusal with (the editor's scripts read JSON).
    refusal: str = "text/html"
    #: The page's status on success: 200 for a page, 303 after a change.
    done: int | None = None

    @property
    def page_method(self) -> str:
        return self.page.split(" ", 1)[0]

    @property
    def id(self) -> str:
        return f"{self.page} ({self.setup.__name__.strip('_')})"


EDIT = {
    "stem": "<p>Diubah lewat halaman.</p>",
    "content": json.dumps(SINGLE_CHOICE),
    "metadata": json.dumps({"classifications": [{"taxonomy": "skd-cpns", "node": "TIU.NUM"}]}),
    "base_revision": "1",
}
NEW_TRUE_FALSE = {
    "stem": "<p>Pancasila disahkan 18 Agustus 1945.</p>",
    "content": json.dumps({"key": True}),
    "metadata": "{}",
}
NEW_TRUE_FALSE_API = {
    "type": "true_false",
    "stem": NEW_TRUE_FALSE["stem"],
    "content": {"key": True},
}
ONE_ROW_FORM = {
    "code": "{code}",
    "title": "Satu butir (diubah)",
    "sections.0.title": "TIU",
    "sections.0.rows.0.node": "skd-cpns:TIU.NUM",
    "sections.0.rows.0.count": "1",
    "action": "save",
}
ONE_ROW_SPEC = {
    "code": "{code}",
    "title": "Satu butir (diubah)",
    "total_length": 1,
    "sections": [
        {"title": "TIU", "rows": [{"taxonomy": "skd-cpns", "node": "TIU.NUM", "count": 1}]}
    ],
}
ONE_ROW_BODY = {k: v for k, v in ONE_ROW_SPEC.items() if k != "code"}
ASSEMBLE = {"forms": 1, "time_limit": 5}


def _passage_version(names: dict[str, str]) -> Any:
    from itembank.models import Passage, PassageVersion

    return db.session.scalars(
        sa.select(PassageVersion)
        .join(Passage, Passage.id == PassageVersion.passage_id)
        .where(Passage.external_id == names["passage"])
        .order_by(PassageVersion.number.desc())
    ).first()


def bank_passages(world: World, names: dict[str, str]) -> dict[str, Any]:
    from itembank.models import Passage

    return {"passages": _count(Passage, Passage.bank_id == world.bank.id)}


def passage_state(world: World, names: dict[str, str]) -> dict[str, Any]:
    version = _passage_version(names)
    return {
        "number": version.number,
        "status": version.status,
        "title": version.title,
        "revision": version.revision,
        "reviews": len(version.reviews),
    }


def passage_comments(world: World, names: dict[str, str]) -> dict[str, Any]:
    return {"comments": [c.body for c in _passage_version(names).comments]}


def passage_retired(world: World, names: dict[str, str]) -> dict[str, Any]:
    passage = _passage_version(names).passage
    return {"retired": passage.retired_at is not None, "by": passage.retired_by_id}


def _image_upload(names: dict[str, str]) -> dict[str, Any]:
    return {"file": (io.BytesIO(_png()), "gambar.png")}


def _csv_upload(names: dict[str, str]) -> dict[str, Any]:
    return {"file": (io.BytesIO(csv_bytes([SC_ROW])), "soal.csv")}


PAIRS: list[Pair] = [
    # passages (item sets)
    Pair("GET /banks/{bank}/passages", None, "GET banks/{bank}/passages", None, _nothing),
    Pair("GET /passages/{passage}", None, "GET passages/{passage}", None, _passage_draft),
    Pair("GET /passages/{passage}", None, "GET passages/{passage}", None, _passage_approved),
    Pair(
        "GET /passages/{passage}/versions/1",
        None,
        "GET passages/{passage}/versions/1",
        None,
        _passage_draft,
    ),
    Pair("GET /passages/{passage}/set", None, "GET passages/{passage}/items", None, _passage_draft),
    Pair(
        "GET /passages/{passage}/set", None, "GET passages/{passage}/items", None, _passage_approved
    ),
    Pair(
        "GET /banks/{bank}/passages/new",
        None,
        "POST banks/{bank}/passages",
        {"title": "Bacaan", "body": "<p>Teks.</p>"},
        _nothing,
    ),
    Pair(
        "POST /banks/{bank}/passages/new",
        {"title": "Bacaan", "body": "<p>Teks.</p>", "action": "save"},
        "POST banks/{bank}/passages",
        {"title": "Bacaan", "body": "<p>Teks.</p>"},
        _nothing,
        audit=("passage.create",),
        state=bank_passages,
    ),
    Pair(
        "GET /passages/{passage}/edit",
        None,
        "PATCH passages/{passage}/draft",
        {"title": "Diubah"},
        _passage_draft,
    ),
    Pair(
        "POST /passages/{passage}/edit",
        {"title": "Diubah", "body": "<p>Teks.</p>", "base_revision": "1", "action": "save"},
        "PATCH passages/{passage}/draft",
        {"title": "Diubah"},
        _passage_draft,
        audit=("passage.update",),
        state=passage_state,
    ),
    Pair(
        "POST /passages/{passage}/versions/1/submit",
        {},
        "POST passages/{passage}/versions/1/submit",
        {},
        _passage_draft,
        audit=("passage.submit",),
        state=passage_state,
    ),
    Pair(
        "POST /passages/{passage}/versions/1/withdraw",
        {"reason": "Salah kirim."},
        "POST passages/{passage}/versions/1/withdraw",
        {"reason": "Salah kirim."},
        _passage_in_review,
        audit=("passage.withdrawn",),
        state=passage_state,
    ),
    Pair(
        "POST /passages/{passage}/revise",
        {},
        "POST passages/{passage}/draft",
        {},
        _passage_approved,
        audit=("passage.new_draft",),
        state=passage_state,
    ),
    Pair(
        "GET /passages/{passage}/versions/1/review",
        None,
        "GET passages/{passage}/versions/1",
        None,
        _passage_in_review,
    ),
    Pair(
        "POST /passages/{passage}/versions/1/review",
        {"decision": "approve"},
        "POST passages/{passage}/versions/1/reviews",
        {"decision": "approve"},
        _passage_in_review,
        audit=("passage.review", "passage.approved"),
        state=passage_state,
    ),
    Pair(
        "POST /passages/{passage}/versions/1/comments",
        {"body": "Periksa tabelnya."},
        "POST passages/{passage}/versions/1/comments",
        {"body": "Periksa tabelnya."},
        _passage_in_review,
        audit=("passage.comment",),
        state=passage_comments,
    ),
    Pair(
        "POST /passages/{passage}/retire",
        {"reason": "Data usang."},
        "POST passages/{passage}/retire",
        {"reason": "Data usang."},
        _passage_approved,
        audit=("passage.retire",),
        state=passage_retired,
    ),
    # items, versions, reviews
    Pair("GET /banks/{bank}/items", None, "GET banks/{bank}/items", None, _nothing),
    Pair("GET /items/{item}", None, "GET items/{item}", None, _draft),
    Pair("GET /items/{item}", None, "GET items/{item}", None, _approved),
    Pair("GET /items/{item}/versions/1", None, "GET items/{item}/versions/1", None, _draft),
    Pair(
        "GET /items/{item}/compare?from=1&to=1",
        None,
        "GET items/{item}/diff?from=1&to=1",
        None,
        _approved,
    ),
    Pair(
        "GET /items/{item}/versions/1/review", None, "GET items/{item}/versions/1", None, _in_review
    ),
    # the editor's forms refuse whoever saving them would be refused
    Pair(
        "GET /banks/{bank}/items/new?type=true_false",
        None,
        "POST banks/{bank}/items",
        NEW_TRUE_FALSE_API,
        _nothing,
    ),
    Pair("GET /items/{item}/edit", None, "PATCH items/{item}/draft", {"stem": "<p>x</p>"}, _draft),
    Pair(
        "POST /banks/{bank}/items/new?type=true_false",
        {**NEW_TRUE_FALSE, "action": "save"},
        "POST banks/{bank}/items",
        NEW_TRUE_FALSE_API,
        _nothing,
        audit=("item.create",),
        state=bank_items,
    ),
    Pair(
        "POST /banks/{bank}/preview",
        {"type": "true_false", "stem": NEW_TRUE_FALSE["stem"], "content": {"key": True}},
        "POST banks/{bank}/items",
        NEW_TRUE_FALSE_API,
        _nothing,
        state=bank_items,
        saves=False,
        kind="json",
        refusal="application/json",
        done=200,
    ),
    Pair(
        "POST /items/{item}/edit",
        {**EDIT, "action": "save"},
        "PATCH items/{item}/draft",
        {"stem": EDIT["stem"]},
        _draft,
        audit=("version.update",),
        state=draft,
    ),
    Pair(
        "POST /items/{item}/edit",
        {**EDIT, "action": "submit"},
        "POST items/{item}/versions/1/submit",
        {},
        _draft,
        audit=("version.submit",),
        state=version_status,
        page_also=("version.update",),
    ),
    Pair(
        "POST /banks/{bank}/items/bulk",
        {"action": "submit", "items": "{item}"},
        "POST banks/{bank}/items/bulk",
        {"action": "submit", "items": ["{item}"]},
        _draft,
        audit=("items.bulk",),
        state=version_status,
        done=200,
    ),
    Pair(
        "POST /banks/{bank}/items/export",
        {"items": "{item}"},
        "POST banks/{bank}/items/export",
        {"items": ["{item}"]},
        _approved,
        audit=("items.export",),
        state=versions,
        done=200,
    ),
    Pair(
        "POST /items/{item}/revise",
        {},
        "POST items/{item}/draft",
        {},
        _approved,
        audit=("version.new_draft",),
        state=versions,
    ),
    Pair(
        "POST /items/{item}/versions/1/review",
        {"decision": "approve"},
        "POST items/{item}/versions/1/reviews",
        {"decision": "approve"},
        _in_review,
        audit=("version.review", "version.approved"),
        state=version_status,
    ),
    Pair(
        "POST /items/{item}/versions/1/comments",
        {"body": "Periksa kunci."},
        "POST items/{item}/versions/1/comments",
        {"body": "Periksa kunci."},
        _in_review,
        audit=("comment.add",),
        state=comments,
    ),
    Pair(
        "POST /items/{item}/versions/1/withdraw",
        {"reason": "Kunci perlu dicek ulang."},
        "POST items/{item}/versions/1/withdraw",
        {"reason": "Kunci perlu dicek ulang."},
        _in_review,
        audit=("version.withdrawn",),
        state=version_status,
    ),
    # images
    # the bank's images are for whoever sees the bank
    Pair("GET /banks/{bank}/media.json", None, "GET banks/{bank}", None, state_image),
    Pair("GET /media/{sha}", None, "GET banks/{bank}/media/{sha}", None, state_image),
    Pair(
        "POST /banks/{bank}/media",
        _image_upload,
        "POST banks/{bank}/media",
        _image_upload,
        _nothing,
        audit=("media.upload",),
        state=bank_images,
        kind="multipart",
        refusal="application/json",
        done=201,
    ),
    # blueprints
    Pair("GET /banks/{bank}/blueprints", None, "GET banks/{bank}/blueprints", None, _nothing),
    Pair(
        "GET /banks/{bank}/blueprints/{blueprint}",
        None,
        "GET banks/{bank}/blueprints/{blueprint}",
        None,
        state_blueprint,
    ),
    Pair(
        "GET /banks/{bank}/blueprints/new",
        None,
        "POST banks/{bank}/blueprints",
        ONE_ROW_SPEC,
        state_code,
    ),
    Pair(
        "POST /banks/{bank}/blueprints/new",
        ONE_ROW_FORM,
        "POST banks/{bank}/blueprints",
        ONE_ROW_SPEC,
        state_code,
        audit=("blueprint.create",),
        state=bank_blueprints,
    ),
    Pair(
        "GET /banks/{bank}/blueprints/{blueprint}/edit",
        None,
        "PUT banks/{bank}/blueprints/{blueprint}",
        ONE_ROW_BODY,
        state_blueprint,
    ),
    Pair(
        "POST /banks/{bank}/blueprints/{blueprint}/edit",
        {**ONE_ROW_FORM, "code": "{blueprint}"},
        "PUT banks/{bank}/blueprints/{blueprint}",
        ONE_ROW_BODY,
        state_blueprint,
        audit=("blueprint.update",),
        state=blueprint,
    ),
    Pair(
        "POST /banks/{bank}/blueprints/{blueprint}/delete",
        {},
        "DELETE banks/{bank}/blueprints/{blueprint}",
        None,
        state_blueprint,
        audit=("blueprint.delete",),
        state=blueprint,
    ),
    # forms
    Pair("GET /banks/{bank}/forms", None, "GET banks/{bank}/forms", None, _nothing),
    Pair(
        "POST /banks/{bank}/forms",
        {"blueprint": "{blueprint}", "title": "Paket"},
        "POST banks/{bank}/forms",
        {"blueprint": "{blueprint}", "title": "Paket"},
        state_blueprint,
        audit=("form.create",),
        state=bank_forms,
    ),
    Pair("GET /forms/{form}", None, "GET forms/{form}", None, state_form),
    Pair(
        "POST /forms/{form}/entries",
        {"item": "{item}"},
        "POST forms/{form}/entries",
        {"item": "{item}"},
        state_form,
        audit=("form.entry_add",),
        state=form,
    ),
    Pair(
        "POST /forms/{form}/entries/several",
        {"items": "{item}"},
        "POST forms/{form}/entries/several",
        {"items": ["{item}"]},
        state_form,
        audit=("form.entry_add",),
        state=form,
    ),
    Pair(
        "POST /forms/{form}/rows/1.1/fill",
        {},
        "POST forms/{form}/rows/1.1/fill",
        {},
        state_form,
        audit=("form.entry_add", "form.fill_row"),
        state=form,
    ),
    Pair(
        "POST /forms/{form}/entries/{entry}/remove",
        {},
        "DELETE forms/{form}/entries/{entry}",
        None,
        state_filled_form,
        audit=("form.entry_remove",),
        state=form,
    ),
    Pair(
        "POST /forms/{form}/entries/{entry}/move",
        {"direction": "up"},
        "PATCH forms/{form}/entries/{entry}",
        {"position": 1},
        state_two_entries,
        audit=("form.entry_move",),
        state=entry,
    ),
    Pair(
        "POST /forms/{form}/entries/{entry}/repin",
        {},
        "PATCH forms/{form}/entries/{entry}",
        {"latest": True},
        state_repinnable,
        audit=("form.entry_repin",),
        state=entry,
    ),
    Pair(
        "POST /forms/{form}/rename",
        {"title": "Baru"},
        "PATCH forms/{form}",
        {"title": "Baru"},
        state_form,
        audit=("form.update",),
        state=form,
    ),
    Pair(
        "POST /forms/{form}/delete",
        {},
        "DELETE forms/{form}",
        None,
        state_form,
        audit=("form.delete",),
        state=form,
    ),
    Pair(
        "POST /forms/{form}/lock",
        {},
        "POST forms/{form}/lock",
        None,
        state_filled_form,
        audit=("form.lock",),
        state=form,
    ),
    Pair(
        "POST /forms/{form}/clone",
        {"title": "Salinan"},
        "POST forms/{form}/clone",
        {"title": "Salinan"},
        state_locked_form,
        audit=("form.clone",),
        state=bank_forms,
    ),
    Pair(
        "POST /forms/{form}/export",
        {"format": "qti3"},
        "POST forms/{form}/export",
        {"format": "qti3"},
        state_locked_form,
        audit=("form.export",),
        state=form,
        done=200,
    ),
    Pair(
        "GET /forms/{form}/answer-key.csv",
        None,
        "GET forms/{form}/answer-key.csv",
        None,
        state_locked_form,
        audit=("form.answer_key",),
    ),
    Pair(
        "GET /forms/{form}/answer-key.json",
        None,
        "GET forms/{form}/answer-key",
        None,
        state_locked_form,
        audit=("form.answer_key",),
    ),
    # enemy pairs
    Pair(
        "POST /banks/{bank}/enemies",
        {"first": "{item}", "second": "{item2}"},
        "POST banks/{bank}/enemies",
        {"items": ["{item}", "{item2}"]},
        state_enemies,
        audit=("enemy.mark",),
        state=bank_enemies,
    ),
    Pair(
        "POST /banks/{bank}/enemies/{pair}/delete",
        {},
        "DELETE banks/{bank}/enemies/{pair}",
        None,
        state_enemies,
        audit=("enemy.unmark",),
        state=bank_enemies,
    ),
    # imports and jobs
    Pair("GET /banks/{bank}/imports", None, "GET banks/{bank}/imports", None, _nothing),
    Pair(
        "POST /banks/{bank}/imports",
        _csv_upload,
        "POST banks/{bank}/imports",
        _csv_upload,
        _nothing,
        audit=("job.create", "import.run", "item.create"),
        state=bank_items,
        kind="multipart",
    ),
    Pair(
        "GET /banks/{bank}/imports/{import}",
        None,
        "GET banks/{bank}/imports/{import}",
        None,
        _imported,
    ),
    Pair(
        "GET /banks/{bank}/imports/{import}/report.csv",
        None,
        "GET banks/{bank}/imports/{import}/report.csv",
        None,
        _imported,
    ),
    Pair(
        "GET /banks/{bank}/import-templates/likert?format=csv",
        None,
        "GET banks/{bank}/import-templates/likert?format=csv",
        None,
        _nothing,
    ),
    Pair("GET /jobs/{job}", None, "GET jobs/{job}", None, _queued_job),
    Pair(
        "GET /jobs/{job}/state",
        None,
        "GET jobs/{job}",
        None,
        _queued_job,
        refusal="application/json",
    ),
    Pair(
        "POST /jobs/{job}/cancel",
        {},
        "POST jobs/{job}/cancel",
        None,
        _queued_job,
        audit=("job.cancel", "job.end"),
        state=job,
    ),
    # the bank's settings (bank admins): the page sends every setting, like this body
    Pair(
        "POST /banks/{bank}/settings",
        {
            "required_approvals": "2",
            "require_classification": "1",
            "options.single_choice": "5",
            "distinct_weights.weighted_options": "1",
            "checklist": "standard",
            "answer_key_from_drafts": "1",
            "thresholds.p_low": "0,25",
            "thresholds.p_high": "0,95",
            "thresholds.item_rest_min": "0,15",
            "thresholds.option_share_min": "0,02",
            "thresholds.misfit_p": "0,01",
            "thresholds.a_min": "0,3",
            "thresholds.min_candidates": "100",
            "thresholds.dif_categories.C": "1",
        },
        "PATCH banks/{bank}",
        {
            "required_approvals": 2,
            "writing_rules": {
                "require_classification": True,
                "types": {
                    "single_choice": {"options": 5},
                    "weighted_options": {"distinct_weights": True},
                },
            },
            "review_checklist": True,
            "answer_key_from_drafts": True,
            "statistics_thresholds": {"p_low": 0.25},
        },
        state_bank_defaults,
        audit=("bank.settings",),
        state=bank_settings,
    ),
    # accounts (administrators)
    Pair("GET /admin/users", None, "GET users", None, state_user),
    Pair(
        "POST /admin/users/{user}/password",
        {"new_password": "reset-by-admin-1"},
        "POST users/{user}/password",
        {"new_password": "reset-by-admin-1"},
        state_user,
        audit=("user.password_reset",),
        state=account,
    ),
    Pair(
        "POST /admin/users/{user}/disable",
        {"reason": "pindah tugas"},
        "POST users/{user}/disable",
        {"reason": "pindah tugas"},
        state_user,
        audit=("user.disable",),
        state=account,
    ),
    Pair(
        "POST /admin/users/{user}/enable",
        {},
        "POST users/{user}/enable",
        None,
        state_disabled_user,
        audit=("user.enable",),
        state=account,
    ),
    # automated assembly
    Pair(
        "GET /banks/{bank}/blueprints/{blueprint}/assemble",
        None,
        "GET banks/{bank}/assemblies",
        None,
        state_blueprint,
    ),
    Pair(
        "POST /banks/{bank}/blueprints/{blueprint}/assemble",
        {"forms": "1", "time_limit": "5"},
        "POST banks/{bank}/blueprints/{blueprint}/assemblies",
        ASSEMBLE,
        state_assemblable,
        audit=("job.create", "assembly.run", "job.end"),
        state=bank_runs,
    ),
    Pair(
        "GET /banks/{bank}/assemblies/{run}",
        None,
        "GET banks/{bank}/assemblies/{run}",
        None,
        state_run,
    ),
    Pair(
        "POST /banks/{bank}/assemblies/{run}/accept",
        {},
        "POST banks/{bank}/assemblies/{run}/accept",
        None,
        state_run,
        audit=("assembly.accept",),
        state=run,
    ),
    Pair(
        "POST /banks/{bank}/assemblies/{run}/discard",
        {},
        "POST banks/{bank}/assemblies/{run}/discard",
        None,
        state_run,
        audit=("assembly.discard",),
        state=run,
    ),
]

#: Pages with no API counterpart, each with the test that covers who may use it.
NO_API_COUNTERPART: dict[tuple[str, str], str] = {
    ("GET", "ui.dashboard"): "the signed-in home page: tests/ui/test_pages.py (panels per role)",
    ("GET", "ui.banks"): "every signed-in user's banks (one goes straight to it): "
    "tests/ui/test_pages.py",
    ("GET", "ui.blueprints_home"): "leads to a bank: test_the_cross_bank_pages_lead_only_where",
    ("GET", "ui.forms_home"): "leads to a bank: test_the_cross_bank_pages_lead_only_where",
    ("GET", "ui.imports_home"): "leads to a bank: test_the_cross_bank_pages_lead_only_where",
    ("GET", "ui.login"): "signing in: tests/ui/test_security.py",
    ("POST", "ui.login"): "signing in: tests/ui/test_security.py",
    ("POST", "ui.logout"): "signing out: tests/ui/test_security.py",
    ("POST", "ui.language"): "the session's language: tests/ui/test_i18n.py",
    ("GET", "ui.bank_settings"): "the settings form, bank admins only (GET /api/v1/banks/<code>, "
    "which gives the settings to every member): tests/ui/test_bank_settings.py",
    ("GET", "ui.change_password"): "everyone's own password (POST /api/v1/me/password, which "
    "refuses nobody): tests/ui/test_sessions.py, tests/api/test_accounts_api.py",
    ("POST", "ui.change_password"): "everyone's own password (POST /api/v1/me/password, which "
    "refuses nobody): tests/ui/test_sessions.py, tests/api/test_accounts_api.py",
    (
        "GET",
        "ui.administrations_home",
    ): "leads to a bank: test_the_cross_bank_pages_lead_only_where",
    ("GET", "ui.review_flags_home"): "leads to a bank: test_the_cross_bank_pages_lead_only_where",
    ("GET", "ui.passages_home"): "leads to a bank: test_the_cross_bank_pages_lead_only_where",
    # Everyone's own notifications (GET /api/v1/me/notifications, POST .../read, PATCH
    # /api/v1/me/notification-preferences), which refuse nobody signed in.
    ("GET", "ui.form_booklet_page"): "the form's printable text (the API gives the form's "
    "entries, versions and answer key): tests/ui/test_booklet.py",
    ("GET", "ui.notifications_page"): "your own notifications: tests/ui/test_notifications.py",
    ("GET", "ui.open_notification"): "your own notifications: tests/ui/test_notifications.py",
    ("POST", "ui.read_notifications"): "your own notifications: tests/ui/test_notifications.py",
    ("POST", "ui.notification_preferences"): "your own e-mail preference: "
    "tests/ui/test_notifications.py",
}
#: The results and statistics pages came with their own tests of who may use them
#: (tests/ui/test_statistics_pages.py, the API's in tests/api/test_statistics_api.py);
#: pairing them here is still to do.
NO_API_COUNTERPART.update(
    {
        (method, f"ui.{endpoint}"): "results and statistics: tests/ui/test_statistics_pages.py"
        for method, endpoint in (
            ("GET", "administrations"),
            ("POST", "create_administration_page"),
            ("GET", "administration"),
            ("POST", "add_administration_forms"),
            ("GET", "result_import"),
            ("POST", "upload_results"),
            ("GET", "results_template"),
            ("GET", "review_flags"),
            ("GET", "review_flag"),
            ("POST", "decide_review_flag"),
            ("POST", "start_flag_draft"),
            ("GET", "form_analysis"),
            ("GET", "form_analysis_xlsx"),
            ("POST", "reanalyse_form"),
            ("GET", "item_statistics_page"),
        )
    }
)


def _fill(value: Any, names: dict[str, str]) -> Any:
    """``value`` with ``{name}`` placeholders in its strings filled in (or, if it is a
    function, what it returns for the names)."""
    if callable(value):
        return value(names)
    if isinstance(value, str):
        for name, filled in names.items():
            value = value.replace("{" + name + "}", filled)
        return value
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, names) for item in value]
    return value


def _audit(world: World, names: dict[str, str]) -> Counter[str]:
    """The audit events in the bank, and those about the row's user (accounts)."""
    where = AuditEvent.bank_id == world.bank.id
    if "user" in names:
        about_user = sa.and_(
            AuditEvent.object_type == "user", AuditEvent.object_id == names["user"]
        )
        where = sa.or_(where, about_user)
    return Counter(db.session.scalars(sa.select(AuditEvent.action).where(where)))


def _snapshot(pair: Pair, world: World, names: dict[str, str]) -> dict[str, Any]:
    db.session.flush()  # the setup's changes, before anything reads
    snapshot: dict[str, Any] = {"audit": _audit(world, names)}
    if pair.state is not None:
        snapshot.update(pair.state(world, names))
    return snapshot


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _change(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed: the audit events recorded (by action), counts as differences (the
    bank's counts grow by what each call adds), other values as (before, after)."""
    change: dict[str, Any] = {}
    recorded = after["audit"] - before["audit"]
    if recorded:
        change["audit"] = dict(recorded)
    for key in before.keys() - {"audit"}:
        if before[key] != after[key]:
            counts = _is_count(before[key]) and _is_count(after[key])
            change[key] = after[key] - before[key] if counts else (before[key], after[key])
    return change


def _call_api(client: ApiClient, pair: Pair, names: dict[str, str]) -> Any:
    method, path = pair.api.split(" ", 1)
    headers = {"If-Match": "*"} if method == "PATCH" and path.endswith("/draft") else {}
    body = _fill(pair.body, names)
    if pair.kind == "multipart":
        return client.request(
            method,
            _fill(path, names),
            data=body,
            content_type="multipart/form-data",
            headers=headers,
        )
    return client.request(method, _fill(path, names), json=body, headers=headers)


def _call_page(browser: UiClient, pair: Pair, names: dict[str, str]) -> Any:
    method, path = pair.page.split(" ", 1)
    path = _fill(path, names)
    if method == "GET":
        return browser.get(path)
    form = _fill(pair.form, names)
    if pair.kind == "json":
        return browser.post_json(path, form)
    if pair.kind == "multipart":
        return browser.post(path, form, content_type="multipart/form-data")
    return browser.post(path, form)


@pytest.mark.parametrize("pair", PAIRS, ids=[pair.id for pair in PAIRS])
def test_pages_refuse_what_the_api_refuses_and_do_what_it_does(
    app: Flask, api: ApiClient, world: World, plugins: Any, pair: Pair
) -> None:
    world.users["admin"] = create_user(unique("admin-"), PASSWORD, actor=None, is_admin=True)
    writes = pair.page_method != "GET" and pair.saves
    if writes:
        assert pair.audit and pair.state, "a page that saves names what it changes"
    statuses = {}
    for role in ROLES:
        user = world.users[role]

        names = {"bank": world.bank.code, **pair.setup(world, plugins)}
        before = _snapshot(pair, world, names)
        answer = _call_api(api.as_(login(api, user)), pair, names)
        api_change = _change(before, _snapshot(pair, world, names))

        if answer.status_code < 300 or api_change:
            # The API changed the state: the page gets a fresh copy. (A refusal that
            # changed nothing leaves the state as the page would find it fresh.)
            names = {"bank": world.bank.code, **pair.setup(world, plugins)}
            before = _snapshot(pair, world, names)
        browser = UiClient(app.test_client())
        assert browser.login(user).status_code == 303
        page = _call_page(browser, pair, names)
        page_change = _change(before, _snapshot(pair, world, names))

        outcome = (role, answer.status_code, page.status_code, api_change, page_change)
        statuses[role] = answer.status_code
        if answer.status_code >= 300:
            assert page.status_code == answer.status_code, outcome
            assert "Traceback" not in page.get_data(as_text=True), outcome
            assert page.mimetype == pair.refusal, outcome
            assert api_change == {} and page_change == {}, outcome  # refused: nothing changed
            continue
        done = pair.done or (200 if pair.page_method == "GET" else 303)
        assert page.status_code == done, outcome
        if not pair.saves:
            assert page_change == {}, outcome
        elif pair.audit or pair.state:
            # the page made the API's change: the same rows, the same audit events
            assert set(pair.audit) <= set(api_change.get("audit", {})), outcome
            for action in pair.page_also:
                page_change.get("audit", {}).pop(action, None)
            assert page_change == api_change, outcome
    # The matrix is not trivial: someone may and someone may not.
    assert any(s < 300 for s in statuses.values()), statuses
    assert any(s >= 400 for s in statuses.values()), statuses


_PLACEHOLDERS = {
    "bank": "B",
    "item": "B-000001",
    "blueprint": "BP",
    "form": "B-F001",
    "entry": "1",
    "pair": "1",
    "import": "1",
    "job": "1",
    "run": "1",
    "sha": "0" * 64,
    "user": "someone",
    "passage": "B-P00001",
}


def test_every_page_is_paired_or_exempt(app: Flask) -> None:
    """Every page (method and endpoint) of the web UI is in :data:`PAIRS` or named in
    :data:`NO_API_COUNTERPART`, and nothing is both."""
    adapter = app.url_map.bind("localhost")
    paired = set()
    for pair in PAIRS:
        method, path = pair.page.split(" ", 1)
        endpoint, _ = adapter.match(path.split("?")[0].format(**_PLACEHOLDERS), method=method)
        paired.add((method, endpoint))
    pages = {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("ui.")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    exempt = set(NO_API_COUNTERPART)
    assert sorted(pages - paired - exempt) == []
    assert sorted(exempt - pages) == []
    assert sorted(paired & exempt) == []


@pytest.mark.parametrize(
    "path",
    ["/", "/banks", "/banks/{bank}/items", "/items/{item}", "/items/{item}/edit"],
)
def test_anonymous_users_are_sent_to_sign_in(
    ui: UiClient, world: World, plugins: Any, path: str
) -> None:
    names = {"bank": world.bank.code, **_draft(world, plugins)}
    response = ui.get(path.format(**names))
    assert response.status_code == 303
    assert response.location.startswith("/login?next=")


def test_the_editor_page_is_for_authors(as_user: Any, world: World, plugins: Any) -> None:
    """Reading a draft is every member's right (but an assembler's); editing it is an
    author's, so the editor page refuses the others before they type anything."""
    item = make_item(world, plugins).external_id
    expected = {
        "author": 200,
        "reviewer": 403,
        "assembler": 404,
        "bank_admin": 403,
        "admin": 200,
        "outsider": 404,
    }
    actual = {role: as_user(role).get(f"/items/{item}/edit").status_code for role in expected}
    assert actual == expected
    new = {
        role: as_user(role).get(f"/banks/{world.bank.code}/items/new").status_code
        for role in expected
    }
    assert new == {**expected, "assembler": 403}


#: The pages that lead to a bank's page (no API counterpart): who is sent to this bank's.
HOMES = {
    "/blueprints": ("blueprints", {"author", "reviewer", "assembler", "bank_admin"}),
    "/forms": ("forms", {"assembler", "bank_admin"}),
    "/imports": ("imports", {"author", "bank_admin"}),
    "/administrations": ("administrations", {"assembler", "bank_admin"}),
    "/review-flags": ("review-flags", {"author", "reviewer", "assembler", "bank_admin"}),
}


@pytest.mark.parametrize("home", sorted(HOMES))
def test_the_cross_bank_pages_lead_only_where_the_role_may_go(
    as_user: Any, world: World, home: str
) -> None:
    """A user of one bank goes straight to its page, if their role serves it; the others
    get the bank chooser without this bank."""
    section, roles = HOMES[home]
    target = f"/banks/{world.bank.code}/{section}"
    for role in ("author", "reviewer", "assembler", "bank_admin", "outsider"):
        response = as_user(role).get(home)
        if role in roles:
            assert (response.status_code, response.location) == (303, target), role
        else:
            assert response.status_code == 200, role
            assert target not in response.get_data(as_text=True), role
