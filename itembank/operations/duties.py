"""Separation of duties: who may write, submit, withdraw and review items and passages. The rules,
in one place; the operations enforce them and the UI asks them which buttons to show.

- **Writing** (create by hand or by import, edit a draft, start a new draft, submit,
  withdraw) needs the *author* role in the bank. Any author of the bank may edit and
  submit any draft of it, by hand or by import: a draft is shared work, and everyone
  who edits or submits a version is recorded as one of its contributors. Being a bank
  admin does not let anyone write items.
- **Reviewing** needs the *reviewer* role held as a membership of the bank: neither a
  global administrator's nor a bank admin's status stands in for it, and nobody may
  grant themself a role (:func:`itembank.operations.accounts.add_member`). A version's
  contributors (who created, edited or submitted it) never review it, and each
  reviewer decides once.
- **Approvals counted**: distinct reviewers' approvals, against the number the bank
  required when the version was submitted (a later change of the setting applies to
  later submissions only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from itembank.access import require_role, roles_in
from itembank.errors import Conflict, DomainError, PermissionDenied
from itembank.extensions import db
from itembank.models import (
    Bank,
    Item,
    ItemVersion,
    Membership,
    Passage,
    PassageContributor,
    PassageReview,
    PassageVersion,
    Review,
    Role,
    User,
    VersionContributor,
)
from itembank.models.versioned import DocumentVersion
from itembank.workflow import Status

#: The role that writes items, by hand and by import.
WRITER_ROLE = Role.AUTHOR


def require_writer(user: User, bank: Bank, *, doing: str) -> None:
    """Raise unless ``user`` may write items in ``bank`` (the author role; global
    administrators always may, as for every role)."""
    require_role(user, bank, WRITER_ROLE, doing=doing)


def may_write(user: User, bank: Bank) -> bool:
    """Whether ``user`` may write items in ``bank`` (see :func:`require_writer`)."""
    return user.is_active and (user.is_admin or WRITER_ROLE in roles_in(user, bank))


@dataclass(frozen=True)
class Refusal:
    """Why someone may not review a version, in Indonesian and English."""

    message: str
    message_en: str
    error: type[DomainError] = PermissionDenied

    def raise_(self) -> None:
        if issubclass(self.error, PermissionDenied):
            raise PermissionDenied(self.message_en, message_id=self.message)
        raise self.error(self.message_en)


#: How refusals name each kind of document: (Indonesian, English plural).
_NOUNS = {"item": ("soal", "items"), "passage": ("bacaan", "passages")}


def review_refusal(user: User, version: DocumentVersion) -> Refusal | None:
    """Why ``user`` may not review ``version`` (of an item or a passage) now, or
    ``None`` if they may: a reviewer of the bank who did not create, edit or submit it
    and has not decided on it yet."""
    if version.status != Status.IN_REVIEW.value:
        return Refusal(
            "Versi ini tidak sedang ditelaah.", "This version is not in review.", Conflict
        )
    if not user.is_active:
        return Refusal("Akun ini dinonaktifkan.", "This account is disabled.")
    document = version.document
    bank = document.bank
    noun_id, noun_en = _NOUNS[version.object_type]
    if Role.REVIEWER not in roles_in(user, bank):
        return Refusal(
            f"Hanya penelaah bank {bank.code} yang dapat menelaah {noun_id}.",
            f"you need the role reviewer in bank {bank.code} to review {noun_en} (an "
            "administrator's status does not stand in for it)",
        )
    if user.id in version.contributor_ids or user.id == version.submitted_by_id:
        return Refusal(
            "Anda menulis, mengubah atau mengajukan versi ini; penelaah lain yang harus "
            "menelaahnya.",
            f"you wrote, edited or submitted version {version.number} of "
            f"{document.external_id}, so you may not review it",
        )
    review = review_model(version)
    mine = db.session.scalars(
        sa.select(review.decision).where(
            review.version_id == version.id, review.reviewer_id == user.id
        )
    ).first()
    if mine is not None:
        return Refusal(
            "Anda sudah menelaah versi ini.",
            f"you already reviewed version {version.number} of {document.external_id} ({mine})",
            Conflict,
        )
    return None


def review_model(version: DocumentVersion) -> type[Review] | type[PassageReview]:
    """The review model of ``version``'s kind of document."""
    return PassageReview if isinstance(version, PassageVersion) else Review


def can_review(user: User, version: DocumentVersion) -> bool:
    """Whether ``user`` may decide on ``version`` now (the rule :func:`review_refusal`
    states; the review operation enforces the same)."""
    return review_refusal(user, version) is None


def reviewable_by(
    user: User, version_model: type[ItemVersion] | type[PassageVersion] = ItemVersion
) -> list[sa.ColumnElement[bool]]:
    """:func:`can_review` as SQL conditions on ``version_model`` (:class:`ItemVersion`
    joined with its :class:`Item`, or :class:`PassageVersion` joined with its
    :class:`Passage`), for listings of what ``user`` may review (the same rule, for many
    versions in one query)."""
    if not user.is_active:
        return [sa.false()]
    if version_model is PassageVersion:
        bank_id: Any = Passage.bank_id
        contributor: Any = PassageContributor
        review: Any = PassageReview
    else:
        bank_id, contributor, review = Item.bank_id, VersionContributor, Review
    return [
        version_model.status == Status.IN_REVIEW.value,
        sa.exists(
            sa.select(Membership.id).where(
                Membership.bank_id == bank_id,
                Membership.user_id == user.id,
                Membership.role == Role.REVIEWER.value,
            )
        ),
        ~sa.exists(
            sa.select(contributor.id).where(
                contributor.version_id == version_model.id,
                contributor.user_id == user.id,
            )
        ),
        sa.or_(version_model.submitted_by_id.is_(None), version_model.submitted_by_id != user.id),
        ~sa.exists(
            sa.select(review.id).where(
                review.version_id == version_model.id, review.reviewer_id == user.id
            )
        ),
    ]
