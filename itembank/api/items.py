"""Items and their versions: create, list, read, compare.

Reading content (an item, a version, a diff) is recorded as ``item.read``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for
from flask.views import MethodView

from itembank.api import item_read
from itembank.api.auth import authenticate, current_user
from itembank.api.banks import authenticate_with_bank, visible_bank, visible_bank_ref
from itembank.api.bulk_schemas import BulkIn, BulkOut, ExportItemsIn
from itembank.api.common import (
    AUTHENTICATED_IN_VIEW,
    AUTHENTICATED_WITH,
    INT_ID,
    draft_etag,
    make_blueprint,
)
from itembank.api.schemas import (
    DiffOut,
    DiffQuery,
    ItemCreateIn,
    ItemListQuery,
    ItemOut,
    ItemPageOut,
    VersionOut,
    VersionSummaryOut,
)
from itembank.operations import bulk, reads
from itembank.operations.bulk_export import export_items
from itembank.operations.items import create_item, diff_item_versions, get_item
from itembank.operations.passage_sets import pinnable_version, set_item_passage
from itembank.operations.shown_item import shown_item
from itembank.plugins import plugins

blp = make_blueprint("items", "Items and their versions.")


def item_view(item: Any, version: Any) -> dict[str, Any]:
    return {"item": item, "latest_version": version}


def _iso(moment: Any) -> str | None:
    return None if moment is None else moment.isoformat()  # as fields.DateTime writes it


def page_answer(page: dict[str, Any]) -> dict[str, Any]:
    """A listing page (:func:`itembank.operations.reads.list_items`) as
    :class:`~itembank.api.schemas.ItemPageOut` dumps it, written out here: the schema's
    work field by field was a sixth of the request. ``tests/api/test_listing.py`` checks
    that the two agree; the schema documents the answer."""
    return {
        **{key: page[key] for key in ("total", "total_exact", "page", "per_page", "pages")},
        "items": [
            {
                "external_id": row["external_id"],
                "type": row["type"],
                "created_by": row["created_by"],
                "created_at": _iso(row["created_at"]),
                "updated_at": _iso(row["updated_at"]),
                "retired_at": _iso(row["retired_at"]),
                "approved_version": row["approved_version"],
                "version": {
                    "number": row["version"].number,
                    "status": row["version"].status,
                    "updated_at": _iso(row["version"].updated_at),
                },
            }
            for row in page["items"]
        ],
    }


def _username(user: Any) -> str | None:
    return None if user is None else user.username


def item_answer(item: Any, version: Any) -> dict[str, Any]:
    """An item with the version shown, as :class:`~itembank.api.schemas.ItemOut` dumps
    ``item_view(item, version)``, written out here: the schema's work field by field was
    a tenth of the request (issue 16). ``tests/api/test_items.py`` checks that the two
    agree for every status and role; the schema documents the answer."""
    from itembank.api.schemas import _draft_checks

    checks = _draft_checks(version)
    passage = version.passage_version
    return {
        "external_id": item.external_id,
        "bank": item.bank.code,
        "type": item.item_type,
        "created_by": item.created_by.username,
        "created_at": _iso(item.created_at),
        "updated_at": _iso(item.updated_at),
        "retired_at": _iso(item.retired_at),
        "approved_version": (
            item.approved_version.number if item.approved_version is not None else None
        ),
        "latest_version": {
            "number": version.number,
            "status": version.status,
            "revision": version.revision,
            "content_hash": version.content_hash,
            "based_on": version.based_on.number if version.based_on is not None else None,
            "created_by": _username(version.created_by),
            "created_at": _iso(version.created_at),
            "updated_by": _username(version.updated_by),
            "updated_at": _iso(version.updated_at),
            "submitted_by": _username(version.submitted_by),
            "submitted_at": _iso(version.submitted_at),
            "required_approvals": version.required_approvals,
            "decided_at": _iso(version.decided_at),
            "reviews": [
                {
                    "reviewer": _username(review.reviewer),
                    "decision": review.decision,
                    "comment": review.comment,
                    "checklist": review.checklist,
                    "created_at": _iso(review.created_at),
                }
                for review in version.reviews
            ],
            "passage": (
                None
                if passage is None
                else {"id": passage.passage.external_id, "version": passage.number}
            ),
            "stem": version.stem,
            "content": version.content,
            "metadata": version.meta,
            "problems": [dict(problem) for problem in checks.problems],
            "similar_items": [dict(similar) for similar in checks.similar],
        },
    }


@blp.route("/banks/<bank_code>/items")
class BankItems(MethodView):
    @blp.arguments(ItemListQuery(), location="query")  # an instance: not built per request
    @blp.response(200, ItemPageOut)
    def get(self, query: dict[str, Any], bank_code: str) -> Any:
        """List the bank's items: filtered, sorted and paginated

        Filters apply to each item's latest version (for assemblers: its approved
        one). ``node`` matches the node and its descendants; ``q`` searches the stem
        and the content's text, case-insensitively.
        """
        actor = current_user()
        bank = visible_bank_ref(bank_code, actor)  # its id and code: all the listing reads
        page = reads.list_items(bank, reads.ItemFilters(**query), actor=actor, summary=True)
        return jsonify(page_answer(page))

    @blp.arguments(ItemCreateIn)
    @blp.response(201, ItemOut)
    def post(self, data: dict[str, Any], bank_code: str) -> Any:
        """Create an item with its first version, a draft (authors)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        item = create_item(
            bank,
            actor=actor,
            plugins=plugins(),
            item_type=data["type"],
            stem=data["stem"],
            content=data["content"],
            metadata=data["metadata"],
        )
        draft = item.latest_version
        if data["passage"] is not None:
            pinned = pinnable_version(bank, data["passage"]["id"], data["passage"]["version"])
            draft = set_item_passage(draft, actor=actor, passage=pinned)
        headers = {
            "Location": url_for("items.ItemById", item_id=item.external_id),
            "ETag": draft_etag(draft),
        }
        return item_view(item, draft), headers


#: On PostgreSQL the token is checked in the statement that reads the item.
AUTHENTICATED_IN_VIEW.add(("items.ItemById", "GET"))
#: The listing's bank and the reader's roles are read with the token.
AUTHENTICATED_WITH[("items.BankItems", "GET")] = authenticate_with_bank


@blp.route("/items/<item_id>")
class ItemById(MethodView):
    @blp.response(200, ItemOut)
    def get(self, item_id: str) -> Any:
        """An item with its latest version (for assemblers: its approved version)"""
        if item_read.available():  # one statement, the read recorded in it
            shown = item_read.read_item(item_id)
            if shown is not None:
                return jsonify(item_answer(*shown))
            actor = current_user()  # the token's user, as read_item noted it
        else:
            actor = authenticate()
        shown = shown_item(item_id, actor=actor)
        item, version = shown or reads.readable_item(item_id, actor=actor, shown=True)
        reads.record_read(actor, version, via="item")
        return jsonify(item_answer(item, version))


@blp.route("/items/<item_id>/versions")
class Versions(MethodView):
    @blp.response(200, VersionSummaryOut(many=True))
    def get(self, item_id: str) -> Any:
        """The item's versions, oldest first, without their content"""
        actor = current_user()
        item = get_item(item_id, actor=actor)
        return reads.readable_versions(item, actor=actor)


@blp.route(f"/items/<item_id>/versions/<{INT_ID}:number>")
class VersionByNumber(MethodView):
    @blp.response(200, VersionOut)
    def get(self, item_id: str, number: int) -> Any:
        """One version with its content and reviews"""
        actor = current_user()
        version = reads.readable_version(get_item(item_id, actor=actor), number, actor=actor)
        reads.record_read(actor, version, via="version")
        return version


@blp.route("/items/<item_id>/diff")
class VersionDiff(MethodView):
    @blp.arguments(DiffQuery, location="query")
    @blp.response(200, DiffOut)
    def get(self, query: dict[str, Any], item_id: str) -> Any:
        """What changed between two versions (``?from=1&to=2``)"""
        actor = current_user()
        item = get_item(item_id, actor=actor)
        old = reads.readable_version(item, query["from_"], actor=actor)
        new = reads.readable_version(item, query["to"], actor=actor)
        for version in (old, new):
            reads.record_read(actor, version, via="diff")
        return diff_item_versions(item, old.number, new.number, actor=actor, plugins=plugins())


def _chosen_items(bank: Any, actor: Any, data: dict[str, Any]) -> list[str]:
    """The items a bulk request names: ``items`` (identifiers) or the listing's
    ``filters`` (:func:`itembank.operations.bulk.select_items`)."""
    filters = data.get("filters")
    return bulk.select_items(
        bank,
        actor=actor,
        ids=data.get("items"),
        filters=reads.ItemFilters(**filters) if filters is not None else None,
    )


@blp.route("/banks/<bank_code>/items/bulk")
class BulkItems(MethodView):
    @blp.arguments(BulkIn)
    @blp.response(200, BulkOut)
    def post(self, data: dict[str, Any], bank_code: str) -> Any:
        """Apply one action to many items (at most 1,000), each under its own rules

        ``action`` is ``submit``, ``tag`` (``tags``), ``classify`` (``taxonomy``,
        ``node``, ``level``), ``retire`` (``reason``) or ``add_to_form`` (``form``). The
        items are ``items`` (identifiers) or every item the listing shows with
        ``filters``. Each item goes through the same checks as alone (role, status,
        separation of duties) and is committed on its own: ``results`` says per item
        whether it was ``done``, ``unchanged`` or ``refused`` and why.
        """
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        ids = _chosen_items(bank, actor, data)
        params = {k: v for k, v in data.items() if k not in ("action", "items", "filters")}
        return bulk.run_bulk(
            bank, data["action"], ids, actor=actor, plugins=plugins(), params=params
        )


@blp.route("/banks/<bank_code>/items/export")
class ExportItems(MethodView):
    @blp.arguments(ExportItemsIn)
    @blp.response(
        200,
        description="the package of the items' approved versions; its SHA-256 is in "
        "X-Package-SHA256",
        content_type="application/zip",
    )
    def post(self, data: dict[str, Any], bank_code: str) -> Any:
        """Export chosen items' approved versions as one package (assemblers, bank admins)

        At most 1,000 items, by ``items`` or the listing's ``filters``. An item without
        an approved version, a retired one or one whose type cannot be written makes the
        export fail with 409 ``items_not_exported`` and ``results`` (each item's
        outcome), unless ``skip_refused`` leaves those out. Audited as ``items.export``.
        """
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        ids = _chosen_items(bank, actor, data)
        exported = export_items(
            bank,
            ids,
            actor=actor,
            plugins=plugins(),
            exporter_id=data["format"],
            skip_refused=data["skip_refused"],
        )
        response = Response(exported.data, mimetype=exported.media_type)
        response.headers["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
        response.headers["X-Package-SHA256"] = exported.sha256
        response.headers["Cache-Control"] = "no-store"
        return response
