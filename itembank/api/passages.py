"""Shared passages (stimuli): list, create, read, edit the draft, the review workflow,
comments, the differences between versions, retiring, and the items of a passage's set.

Writing needs the author role, reviewing a reviewer membership under the items' duties;
assemblers see approved versions only. Reading a passage's text is recorded as
``passage.read``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from flask.views import MethodView

from itembank.api.auth import current_user
from itembank.api.banks import visible_bank
from itembank.api.common import INT_ID, base_revision, draft_etag, make_blueprint
from itembank.api.passage_schemas import (
    PassageCommentIn,
    PassageCreateIn,
    PassageDiffOut,
    PassageDiffQuery,
    PassageItemOut,
    PassageListQuery,
    PassageNewDraftIn,
    PassageOut,
    PassagePageOut,
    PassagePatchIn,
    PassageRetireIn,
    PassageReviewIn,
    PassageVersionOut,
    PassageVersionSummaryOut,
)
from itembank.api.schemas import CommentOut, SubmitIn, WithdrawIn
from itembank.api.transitions import ETAG_DOC, IF_MATCH
from itembank.operations import passage_reviews as reviews
from itembank.operations import passages as ops

blp = make_blueprint("passages", "Shared passages (stimuli) and their item sets.")


def _passage(passage_id: str) -> tuple[Any, Any]:
    actor = current_user()
    return actor, ops.get_passage(passage_id, actor=actor)


@blp.route("/banks/<bank_code>/passages")
class BankPassages(MethodView):
    @blp.arguments(PassageListQuery, location="query")
    @blp.response(200, PassagePageOut)
    def get(self, query: dict[str, Any], bank_code: str) -> Any:
        """List the bank's passages, newest first (assemblers: approved ones)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        return ops.list_passages(bank, actor=actor, **query)

    @blp.arguments(PassageCreateIn)
    @blp.response(201, PassageOut)
    def post(self, data: dict[str, Any], bank_code: str) -> Any:
        """Create a passage with its first version, a draft (authors)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        passage = ops.create_passage(bank, actor=actor, title=data["title"], body=data["body"])
        draft = passage.latest_version
        headers = {
            "Location": url_for("passages.PassageById", passage_id=passage.external_id),
            "ETag": draft_etag(draft),
        }
        return {"passage": passage, "version": draft}, headers


@blp.route("/passages/<passage_id>")
class PassageById(MethodView):
    @blp.response(200, PassageOut)
    def get(self, passage_id: str) -> Any:
        """A passage with its latest version (assemblers: its approved one)"""
        actor, passage = _passage(passage_id)
        version = ops.shown_version(passage, actor=actor)
        ops.record_passage_read(actor, version, via="api")
        return {"passage": passage, "version": version}


@blp.route("/passages/<passage_id>/versions")
class PassageVersions(MethodView):
    @blp.response(200, PassageVersionSummaryOut(many=True))
    def get(self, passage_id: str) -> Any:
        """The passage's versions, oldest first, without their text"""
        actor, passage = _passage(passage_id)
        return ops.readable_passage_versions(passage, actor=actor)


@blp.route(f"/passages/<passage_id>/versions/<{INT_ID}:number>")
class PassageVersionByNumber(MethodView):
    @blp.response(200, PassageVersionOut)
    def get(self, passage_id: str, number: int) -> Any:
        """One version with its text and reviews"""
        actor, passage = _passage(passage_id)
        version = ops.get_passage_version(passage, number, actor=actor)
        ops.record_passage_read(actor, version, via="api")
        return version


@blp.route("/passages/<passage_id>/items")
class PassageItems(MethodView):
    @blp.response(200, PassageItemOut(many=True))
    def get(self, passage_id: str) -> Any:
        """The item set: the items whose latest version pins a version of the passage
        (assemblers: whose approved version does)"""
        actor, passage = _passage(passage_id)
        return ops.passage_items(passage, actor=actor)


@blp.route("/passages/<passage_id>/draft")
class PassageDraft(MethodView):
    @blp.response(200, PassageVersionOut, headers=ETAG_DOC)
    @blp.alt_response(304, description="If-None-Match matched: unchanged")
    def get(self, passage_id: str) -> Any:
        """The passage's current draft, with its ETag"""
        actor, passage = _passage(passage_id)
        ops.require_full_view(passage, actor=actor, doing="see drafts")
        draft = ops.current_passage_draft(passage)
        etag = draft_etag(draft)
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=304, headers={"ETag": etag})
        ops.record_passage_read(actor, draft, via="draft")
        return draft, {"ETag": etag}

    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(PassagePatchIn)
    @blp.response(200, PassageVersionOut, headers=ETAG_DOC)
    @blp.alt_response(412, description="the draft changed since the If-Match revision")
    @blp.alt_response(428, description="If-Match is missing")
    def patch(self, data: dict[str, Any], passage_id: str) -> Any:
        """Edit the draft (authors); only the fields sent change

        Send ``If-Match`` with the ETag you read: an edit based on an older revision is
        refused, naming who changed the draft since.
        """
        actor, passage = _passage(passage_id)
        ops.require_full_view(passage, actor=actor, doing="edit drafts")
        draft = ops.current_passage_draft(passage)
        revision = base_revision(draft)
        draft = ops.update_passage_draft(draft, actor=actor, base_revision=revision, **data)
        return draft, {"ETag": draft_etag(draft)}

    @blp.arguments(PassageNewDraftIn)
    @blp.response(201, PassageVersionOut, headers=ETAG_DOC)
    def post(self, data: dict[str, Any], passage_id: str) -> Any:
        """Start a new draft from an approved, changes-requested or withdrawn version
        (authors); items keep the version they pin"""
        actor, passage = _passage(passage_id)
        draft = ops.start_new_passage_draft(passage, actor=actor, from_number=data["from_version"])
        return draft, {"ETag": draft_etag(draft)}


def _version(passage_id: str, number: int) -> tuple[Any, Any]:
    actor, passage = _passage(passage_id)
    return actor, ops.get_passage_version(passage, number, actor=actor)


@blp.route(f"/passages/<passage_id>/versions/<{INT_ID}:number>/submit")
class PassageSubmit(MethodView):
    @blp.arguments(SubmitIn)
    @blp.response(200, PassageVersionSummaryOut)
    def post(self, data: dict[str, Any], passage_id: str, number: int) -> Any:
        """Submit a draft for review (authors); it never changes again

        A draft with a blank title or text is refused with 422 listing them.
        """
        actor, version = _version(passage_id, number)
        return reviews.submit_passage_version(version, actor=actor, reason=data["reason"])


@blp.route(f"/passages/<passage_id>/versions/<{INT_ID}:number>/withdraw")
class PassageWithdraw(MethodView):
    @blp.arguments(WithdrawIn)
    @blp.response(200, PassageVersionSummaryOut)
    def post(self, data: dict[str, Any], passage_id: str, number: int) -> Any:
        """Withdraw a version from review (authors); a new draft can start from it"""
        actor, version = _version(passage_id, number)
        return reviews.withdraw_passage_version(version, actor=actor, reason=data["reason"])


@blp.route(f"/passages/<passage_id>/versions/<{INT_ID}:number>/reviews")
class PassageReviews(MethodView):
    @blp.arguments(PassageReviewIn)
    @blp.response(201, PassageVersionSummaryOut)
    def post(self, data: dict[str, Any], passage_id: str, number: int) -> Any:
        """Review a version in review: approve, request_changes or reject (reviewers)

        The items' rules: ``request_changes`` and ``reject`` need a comment; nobody who
        created, edited or submitted the version may review it (403); it is approved
        once as many reviewers approve as the bank required when it was submitted.
        """
        actor, version = _version(passage_id, number)
        return reviews.review_passage_version(
            version, actor=actor, decision=data["decision"], comment=data["comment"]
        )


@blp.route(f"/passages/<passage_id>/versions/<{INT_ID}:number>/comments")
class PassageComments(MethodView):
    @blp.response(200, CommentOut(many=True))
    def get(self, passage_id: str, number: int) -> Any:
        """Comments on a version, oldest first (the read is audited as
        ``passage.comment_read``)"""
        actor, version = _version(passage_id, number)
        return ops.read_passage_comments(version, actor=actor, via="api")

    @blp.arguments(PassageCommentIn)
    @blp.response(201, CommentOut)
    def post(self, data: dict[str, Any], passage_id: str, number: int) -> Any:
        """Comment on a version, in general or on its ``title`` or ``body`` (authors and
        reviewers)"""
        actor, version = _version(passage_id, number)
        return reviews.add_passage_comment(
            version, actor=actor, body=data["body"], field=data["field"]
        )


@blp.route("/passages/<passage_id>/retire")
class PassageRetire(MethodView):
    @blp.arguments(PassageRetireIn)
    @blp.response(200, PassageOut)
    def post(self, data: dict[str, Any], passage_id: str) -> Any:
        """Retire the passage (bank admins, with a reason): no new item may use it;
        the items that use it keep it

        Refused (409) while a version is in draft or in review, or when it is retired
        already.
        """
        actor, passage = _passage(passage_id)
        passage = reviews.retire_passage(passage, actor=actor, reason=data["reason"])
        return {"passage": passage, "version": ops.shown_version(passage, actor=actor)}


@blp.route("/passages/<passage_id>/diff")
class PassageDiff(MethodView):
    @blp.arguments(PassageDiffQuery, location="query")
    @blp.response(200, PassageDiffOut)
    def get(self, query: dict[str, Any], passage_id: str) -> Any:
        """The differences between two versions: title and text word by word, images"""
        actor, passage = _passage(passage_id)
        return ops.diff_passage_versions(passage, query["from_"], query["to"], actor=actor)
