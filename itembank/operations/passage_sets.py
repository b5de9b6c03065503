"""Item sets: an item version pins one version of a passage of its bank.

A draft pins (or unpins) a passage version (:func:`set_item_passage`), which is part of
the item version's content hash (:func:`itembank.operations.content.content_hash`); a
retired passage is pinned by no new draft. The next version of the item keeps the pin
(:mod:`itembank.operations.items`); an item cannot be submitted until the passage
version it pins is approved (:func:`pinned_passage_problems`), so an approved item
always shows a frozen, approved text.
"""

from __future__ import annotations

import sqlalchemy as sa

from itembank.audit import record
from itembank.errors import Conflict, InvalidInput, StaleEdit
from itembank.extensions import db
from itembank.models import Bank, ItemVersion, Passage, PassageVersion, User
from itembank.operations.content import content_hash
from itembank.operations.duties import require_writer
from itembank.operations.passages import PINNABLE, field_problem
from itembank.operations.versioning import save_edit
from itembank.workflow import Status


def pinnable_version(bank: Bank, passage_id: str, number: int | None) -> PassageVersion:
    """The passage version ``passage_id`` (its newest pinnable version when ``number``
    is ``None``) of ``bank``, for an item to pin; :class:`InvalidInput` naming the
    field ``passage`` otherwise. A retired passage is found too (a draft keeps the pin
    it has); :func:`set_item_passage` refuses pinning it anew."""

    def refuse(message: str, message_en: str) -> InvalidInput:
        return InvalidInput(message_en, [field_problem("passage", message, message_en)])

    passage = db.session.scalars(
        sa.select(Passage).where(Passage.external_id == passage_id, Passage.bank_id == bank.id)
    ).first()
    if passage is None:
        raise refuse(
            f"Bacaan {passage_id} tidak ada di bank {bank.code}.",
            f"There is no passage {passage_id} in bank {bank.code}.",
        )
    candidates = [v for v in passage.versions if v.status in PINNABLE]
    if number is not None:
        candidates = [v for v in candidates if v.number == number]
    if not candidates:
        which = f"versi {number}" if number is not None else "versi"
        which_en = f"version {number}" if number is not None else "version"
        raise refuse(
            f"Bacaan {passage_id} tidak memiliki {which} yang dapat dipakai (draf, dalam "
            "telaah atau disetujui).",
            f"Passage {passage_id} has no {which_en} that can be used (draft, in review or "
            "approved).",
        )
    return candidates[-1]


def set_item_passage(
    version: ItemVersion,
    *,
    actor: User,
    passage: PassageVersion | None,
    base_revision: int | None = None,
) -> ItemVersion:
    """Pin ``passage`` (a version of a passage of the item's bank) on the item's draft,
    or unpin with ``None`` (authors). Bumps the draft's revision; audited as
    ``version.passage``."""
    item = version.item
    require_writer(actor, item.bank, doing="edit items")
    from itembank.operations.items import lock_version

    version = lock_version(version)
    if version.status != Status.DRAFT.value:
        raise Conflict(
            f"version {version.number} of {item.external_id} is {version.status} and can no "
            "longer be edited; start a new draft instead"
        )
    if base_revision is not None and version.revision != base_revision:
        raise StaleEdit(
            base_revision=base_revision,
            current_revision=version.revision,
            changed_by=version.updated_by.username,
            changed_at=version.updated_at,
        )
    if passage is not None:
        if passage.passage.bank_id != item.bank_id:
            raise InvalidInput(
                "the passage belongs to another bank",
                [
                    field_problem(
                        "passage",
                        "Bacaan itu milik bank lain.",
                        "That passage belongs to another bank.",
                    )
                ],
            )
        if passage.status not in PINNABLE:
            raise InvalidInput(
                f"version {passage.number} of {passage.passage.external_id} is "
                f"{passage.status} and cannot be used",
                [
                    field_problem(
                        "passage",
                        "Versi bacaan itu tidak dapat dipakai.",
                        "That passage version cannot be used.",
                    )
                ],
            )
    new_id = passage.id if passage is not None else None
    if version.passage_version_id == new_id:
        return version
    if passage is not None and passage.passage.is_retired:
        raise InvalidInput(
            f"passage {passage.passage.external_id} is retired and cannot be used by new items",
            [
                field_problem(
                    "passage",
                    "Bacaan itu sudah dipensiunkan dan tidak dapat dipakai soal baru.",
                    "That passage is retired and cannot be used by new items.",
                )
            ],
        )
    old = version.passage_version
    with db.session.no_autoflush:  # one flush, one new revision (save_edit's)
        version.passage_version_id = new_id
        version.passage_version = passage
        version.content_hash = content_hash(
            item.item_type,
            version.stem,
            version.content,
            version.meta,
            passage.content_hash if passage is not None else None,
        )
    save_edit(version, actor=actor)
    record(
        "version.passage",
        actor=actor,
        version=version,
        from_status=Status.DRAFT.value,
        to_status=Status.DRAFT.value,
        passage_from=_label(old),
        passage_to=_label(passage),
        revision=version.revision,
    )
    return version


def _label(version: PassageVersion | None) -> str | None:
    return None if version is None else f"{version.passage.external_id} v{version.number}"


def pinned_passage_problems(version: ItemVersion) -> list[dict[str, str]]:
    """Why an item draft cannot be submitted because of its passage: the passage
    version it pins must be approved first (so reviewers approve the item against a
    frozen, approved text)."""
    pinned = version.passage_version
    if pinned is None or pinned.status == Status.APPROVED.value:
        return []
    label = _label(pinned)
    return [
        field_problem(
            "passage",
            f"Bacaan {label} belum disetujui; ajukan dan setujui bacaannya dulu.",
            f"Passage {label} is not approved yet; have it reviewed and approved first.",
        )
    ]
