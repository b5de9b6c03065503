"""The review workflow of passages: submit, review, withdraw, comment, retire.

The items' rules, from the same code (:mod:`itembank.operations.version_workflow`;
:func:`itembank.operations.duties.review_refusal` for who may decide): authors submit
and withdraw; reviewers who did not create, edit or submit a version approve it, as many
as the bank required when it was submitted; ``request_changes`` and ``reject`` act at
once and need a comment. Every step is audited (``passage.submit``, ``passage.review``,
``passage.approved``...) and notified like an item's.

Retiring a passage (bank admins, with a reason) keeps it from being pinned by items from
then on; the items that pin it keep it, their next versions too.
"""

from __future__ import annotations

from itembank.models import Passage, PassageComment, PassageVersion, User
from itembank.operations import version_workflow as workflow
from itembank.operations.passages import passage_problems
from itembank.workflow import Decision


def submit_passage_version(
    version: PassageVersion, *, actor: User, reason: str = ""
) -> PassageVersion:
    """Submit a passage draft for review (authors); it never changes again. A draft
    with problems is refused listing them; the submitter never reviews it."""
    return workflow.submit(
        version,
        actor=actor,
        reason=reason,
        problems=passage_problems,
        doing="submit passages for review",
    )


def review_passage_version(
    version: PassageVersion, *, actor: User, decision: Decision | str, comment: str = ""
) -> PassageVersion:
    """A reviewer's decision on a passage version in review, under the items' rules
    (:func:`itembank.operations.version_workflow.review`)."""
    decided, comment = workflow.checked_decision(
        version, actor=actor, decision=decision, comment=comment
    )
    return workflow.review(version, actor=actor, decision=decided, comment=comment)


def withdraw_passage_version(
    version: PassageVersion, *, actor: User, reason: str = ""
) -> PassageVersion:
    """Take a passage version out of review (authors); its reviews are kept and a new
    draft can start from it."""
    return workflow.withdraw(
        version, actor=actor, reason=reason, doing="withdraw passages from review"
    )


def add_passage_comment(
    version: PassageVersion, *, actor: User, body: str, field: str | None = None
) -> PassageComment:
    """Comment on a passage version (authors and reviewers), in general or on its
    ``title`` or ``body``; audited as ``passage.comment``."""
    comment = workflow.add_comment(
        version, actor=actor, body=body, field=field, doing="comment on passages"
    )
    assert isinstance(comment, PassageComment)
    return comment


def retire_passage(passage: Passage, *, actor: User, reason: str) -> Passage:
    """Retire a passage (bank admins, with a reason): items can no longer pin any of
    its versions; the items that pin one keep it (and their next versions too), and
    it stays readable. Refused while a version is in draft or in review. Audited as
    ``passage.retire``."""
    passage, reason = workflow.start_retiring(
        passage, actor=actor, reason=reason, doing="retire passages"
    )
    workflow.refuse_open_versions(passage)
    workflow.mark_retired(passage, actor=actor)
    shown = passage.approved_version or passage.latest_version
    workflow.audit_version("retire", shown, actor=actor, reason=reason)
    return passage
