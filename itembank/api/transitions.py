"""The current draft (read, edit with If-Match, start a new one) and the workflow's
transitions: submit, withdraw, review, retire; and comments on versions."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView

from itembank.api.auth import current_user
from itembank.api.common import INT_ID, base_revision, draft_etag, make_blueprint
from itembank.api.schemas import (
    CommentIn,
    CommentOut,
    DraftPatchIn,
    NewDraftIn,
    RetireIn,
    ReviewIn,
    SubmitIn,
    SubmittedOut,
    VersionOut,
    VersionSummaryOut,
    WithdrawIn,
)
from itembank.operations import reads
from itembank.operations.items import current_draft, start_new_draft, update_draft
from itembank.operations.passage_sets import pinnable_version, set_item_passage
from itembank.operations.reviews import (
    add_comment,
    retire_item,
    review_version,
    submit_version,
    withdraw_version,
)
from itembank.plugins import plugins

blp = make_blueprint("workflow", "The draft, the review workflow and comments.")

ETAG_DOC = {
    "ETag": {"description": "the draft's revision, for If-Match", "schema": {"type": "string"}}
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": "the ETag of the draft the edit is based on",
}


def _draft(item_id: str) -> Any:
    actor = current_user()
    item, _ = reads.readable_item(item_id, actor=actor)
    reads.require_full_view(item, actor=actor, doing="see drafts")
    return actor, current_draft(item)


@blp.route("/items/<item_id>/draft")
class Draft(MethodView):
    @blp.response(200, VersionOut, headers=ETAG_DOC)
    @blp.alt_response(304, description="If-None-Match matched: unchanged")
    def get(self, item_id: str) -> Any:
        """The item's current draft, with its ETag"""
        actor, draft = _draft(item_id)
        etag = draft_etag(draft)
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=304, headers={"ETag": etag})
        reads.record_read(actor, draft, via="draft")
        return draft, {"ETag": etag}

    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(DraftPatchIn)
    @blp.response(200, VersionOut, headers=ETAG_DOC)
    @blp.alt_response(412, description="the draft changed since the If-Match revision")
    @blp.alt_response(428, description="If-Match is missing")
    def patch(self, data: dict[str, Any], item_id: str) -> Any:
        """Edit the draft (authors); only the fields sent change

        ``passage`` pins a passage version of the bank on the draft (``null`` unpins).

        Send ``If-Match`` with the ETag you read: an edit based on an older revision is
        refused with 412, naming who changed the draft since.
        """
        actor, draft = _draft(item_id)
        revision = base_revision(draft)
        has_passage = "passage" in data
        passage = data.pop("passage", None)
        if data or not has_passage:
            draft = update_draft(
                draft, actor=actor, plugins=plugins(), base_revision=revision, **data
            )
            revision = draft.revision
        if has_passage:
            pinned = (
                None
                if passage is None
                else pinnable_version(draft.item.bank, passage["id"], passage["version"])
            )
            draft = set_item_passage(draft, actor=actor, passage=pinned, base_revision=revision)
        return draft, {"ETag": draft_etag(draft)}

    @blp.arguments(NewDraftIn)
    @blp.response(201, VersionOut, headers=ETAG_DOC)
    def post(self, data: dict[str, Any], item_id: str) -> Any:
        """Start a new draft from an approved or changes-requested version (authors)"""
        actor = current_user()
        item, _ = reads.readable_item(item_id, actor=actor)
        draft = start_new_draft(item, actor=actor, from_number=data["from_version"])
        return draft, {"ETag": draft_etag(draft)}


def _version(item_id: str, number: int) -> Any:
    actor = current_user()
    item, _ = reads.readable_item(item_id, actor=actor)
    return actor, reads.readable_version(item, number, actor=actor)


@blp.route(f"/items/<item_id>/versions/<{INT_ID}:number>/submit")
class Submit(MethodView):
    @blp.arguments(SubmitIn)
    @blp.response(200, SubmittedOut)
    def post(self, data: dict[str, Any], item_id: str, number: int) -> Any:
        """Submit a draft for review (authors); it never changes again

        A draft with problems (its ``problems``) is refused with 422 listing them. The
        answer names the bank's items most similar to it (``similar_items``): a warning.
        """
        actor, version = _version(item_id, number)
        return submit_version(version, actor=actor, reason=data["reason"])


@blp.route(f"/items/<item_id>/versions/<{INT_ID}:number>/withdraw")
class Withdraw(MethodView):
    @blp.arguments(WithdrawIn)
    @blp.response(200, VersionSummaryOut)
    def post(self, data: dict[str, Any], item_id: str, number: int) -> Any:
        """Withdraw a version from review (authors); a new draft can start from it"""
        actor, version = _version(item_id, number)
        return withdraw_version(version, actor=actor, reason=data["reason"])


@blp.route(f"/items/<item_id>/versions/<{INT_ID}:number>/reviews")
class Reviews(MethodView):
    @blp.arguments(ReviewIn)
    @blp.response(201, VersionSummaryOut)
    def post(self, data: dict[str, Any], item_id: str, number: int) -> Any:
        """Review a version in review: approve, request_changes or reject (reviewers)

        ``request_changes`` and ``reject`` need a comment. Nobody who created or edited
        the version may review it (403). In a bank with a review checklist, ``checklist``
        answers every criterion (422 names those missing).
        """
        actor, version = _version(item_id, number)
        return review_version(
            version,
            actor=actor,
            decision=data["decision"],
            comment=data["comment"],
            checklist=data["checklist"],
        )


@blp.route("/items/<item_id>/retire")
class Retire(MethodView):
    @blp.arguments(RetireIn)
    @blp.response(200, VersionSummaryOut)
    def post(self, data: dict[str, Any], item_id: str) -> Any:
        """Retire the item's approved version (bank admins)"""
        actor = current_user()
        item, _ = reads.readable_item(item_id, actor=actor)
        return retire_item(item, actor=actor, reason=data["reason"]).approved_version


@blp.route(f"/items/<item_id>/versions/<{INT_ID}:number>/comments")
class Comments(MethodView):
    @blp.response(200, CommentOut(many=True))
    def get(self, item_id: str, number: int) -> Any:
        """Comments on a version, oldest first (the read is audited as ``comment.read``)"""
        actor, version = _version(item_id, number)
        return reads.read_comments(version, actor=actor, via="api")

    @blp.arguments(CommentIn)
    @blp.response(201, CommentOut)
    def post(self, data: dict[str, Any], item_id: str, number: int) -> Any:
        """Comment on a version, in general or on one field (authors and reviewers)"""
        actor, version = _version(item_id, number)
        return add_comment(version, actor=actor, body=data["body"], field=data["field"])
