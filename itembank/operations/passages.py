"""Shared passages (stimuli): write, version, read.

A passage is a text (paragraphs, tables, images, formulas: the bank's sanitized rich
text) that several items ask about. Like an item it has append-only versions that go
through the same workflow (:mod:`itembank.workflow`) under the same duties
(:mod:`itembank.operations.duties`): authors write and submit, reviewers who did not
write a version approve it, as many as the bank required when it was submitted.

The review workflow is :mod:`itembank.operations.passage_reviews`; item sets (an item
version pinning a passage version) are :mod:`itembank.operations.passage_sets`.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from itembank.access import doing_in_indonesian, ensure_visible
from itembank.audit import record
from itembank.content_stamp import in_bank
from itembank.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from itembank.extensions import db
from itembank.itemtypes import Problem
from itembank.models import (
    Bank,
    Item,
    ItemVersion,
    Media,
    Passage,
    PassageComment,
    PassageVersion,
    User,
)
from itembank.models._types import utcnow
from itembank.operations.duties import require_writer
from itembank.operations.reads import sees_only_approved
from itembank.operations.version_workflow import audit_version, lock
from itembank.operations.versioning import (
    all_versions,
    draft_source,
    editable_draft,
    new_version,
    save_edit,
)
from itembank.sanitize import MarkupTooComplex, sanitize_and_scan
from itembank.workflow import Status

MAX_TITLE_CHARS = 200
MAX_BODY_CHARS = 100_000
MAX_COMMENT_CHARS = 10_000
#: Most passages one listing page shows.
MAX_PAGE = 200
#: Passage versions an item may pin: not those that can never be approved.
PINNABLE = frozenset({Status.DRAFT.value, Status.IN_REVIEW.value, Status.APPROVED.value})

_KEEP = object()


@dataclass(frozen=True)
class PreparedPassage:
    title: str
    body: str
    content_hash: str
    #: What keeps it from being submitted (a blank title or text).
    problems: list[Problem]


def field_problem(field: str, message: str, message_en: str) -> dict[str, str]:
    """A problem of one field, as :class:`InvalidInput` lists them."""
    return {"field": field, "message": message, "message_en": message_en}


def prepare_passage(bank: Bank, title: Any, body: Any) -> PreparedPassage:
    """Check and clean a passage's title (plain text) and body (rich text); raise
    :class:`InvalidInput` naming each field that cannot be stored. A blank title or
    body can be stored in a draft (listed in ``problems``) but not submitted."""
    problems: list[dict[str, str]] = []
    incomplete: list[Problem] = []
    clean_title = ""
    if not isinstance(title, str):
        problems.append(
            field_problem("title", "Judul harus berupa teks.", "The title must be text.")
        )
    else:
        clean_title = " ".join(unicodedata.normalize("NFC", title).split())
        if len(clean_title) > MAX_TITLE_CHARS:
            problems.append(
                field_problem(
                    "title",
                    f"Judul terlalu panjang (maks. {MAX_TITLE_CHARS} karakter).",
                    f"The title is too long (at most {MAX_TITLE_CHARS} characters).",
                )
            )
        elif any(unicodedata.category(c) == "Cc" for c in clean_title):
            problems.append(
                field_problem(
                    "title",
                    "Judul memuat karakter kendali.",
                    "The title contains control characters.",
                )
            )
        elif not clean_title:
            incomplete.append(Problem("title", "Judul wajib diisi.", "The title is required."))
    clean_body = ""
    images: frozenset[str] = frozenset()
    if not isinstance(body, str):
        problems.append(
            field_problem(
                "body", "Teks bacaan harus berupa teks.", "The passage text must be text."
            )
        )
    elif len(body) > MAX_BODY_CHARS:
        problems.append(
            field_problem(
                "body",
                f"Teks bacaan terlalu panjang (maks. {MAX_BODY_CHARS} karakter).",
                f"The passage text is too long (at most {MAX_BODY_CHARS} characters).",
            )
        )
    else:
        try:
            clean_body, text, images = sanitize_and_scan(body)
        except MarkupTooComplex as exc:
            from itembank.operations.content import markup_problem

            problems.append(markup_problem("body", exc).as_dict())
        else:
            if not text.strip() and not images:
                incomplete.append(
                    Problem("body", "Teks bacaan wajib diisi.", "The passage text is required.")
                )
    if images and not problems:
        have = set(
            db.session.scalars(
                sa.select(Media.sha256).where(Media.bank_id == bank.id, Media.sha256.in_(images))
            )
        )
        problems.extend(
            field_problem(
                "body",
                f"Gambar {sha[:12]}… belum diunggah ke bank {bank.code}.",
                f"Image {sha[:12]}… has not been uploaded to bank {bank.code}.",
            )
            for sha in sorted(images - have)
        )
    if problems:
        raise InvalidInput(
            "the passage has problems: "
            + "; ".join(f"{p['field']}: {p['message_en']}" for p in problems),
            problems,
        )
    digest = hashlib.sha256(
        json.dumps({"title": clean_title, "body": clean_body}, sort_keys=True).encode()
    ).hexdigest()
    return PreparedPassage(clean_title, clean_body, digest, incomplete)


# -- reading -----------------------------------------------------------------------------


def get_passage(external_id: str, *, actor: User) -> Passage:
    """The passage ``external_id`` if ``actor`` may see it (else :class:`NotFound`):
    members of its bank; assemblers only once a version is approved."""
    passage = db.session.scalars(
        sa.select(Passage).where(Passage.external_id == external_id)
    ).first()
    if passage is None:
        raise NotFound(f"no passage {external_id!r}")
    try:
        ensure_visible(actor, passage.bank)
    except NotFound:
        raise NotFound(f"no passage {external_id!r}") from None
    if sees_only_approved(actor, passage.bank) and passage.approved_version_id is None:
        raise NotFound(f"no passage {external_id!r}")
    return passage


def require_full_view(passage: Passage, *, actor: User, doing: str) -> None:
    """Refuse assemblers what only the writing and reviewing side sees (drafts)."""
    if sees_only_approved(actor, passage.bank):
        raise PermissionDenied(
            f"assemblers see only approved versions, so may not {doing}",
            message_id=(
                "Perakit paket hanya melihat versi yang disetujui, sehingga tidak boleh "
                f"{doing_in_indonesian(doing)}."
            ),
        )


def readable_passage_versions(passage: Passage, *, actor: User) -> list[PassageVersion]:
    """The versions ``actor`` may read, oldest first (assemblers: approved ones)."""
    if sees_only_approved(actor, passage.bank):
        return [v for v in passage.versions if v.status == Status.APPROVED.value]
    return list(passage.versions)


def get_passage_version(passage: Passage, number: int, *, actor: User) -> PassageVersion:
    for version in readable_passage_versions(passage, actor=actor):
        if version.number == number:
            return version
    raise NotFound(f"passage {passage.external_id} has no version {number}")


def shown_version(passage: Passage, *, actor: User) -> PassageVersion:
    """The version ``actor`` sees as the passage's latest."""
    versions = readable_passage_versions(passage, actor=actor)
    if not versions:
        raise NotFound(f"no passage {passage.external_id!r}")
    return versions[-1]


def record_passage_read(actor: User, version: PassageVersion, via: str) -> None:
    """A passage version's text was shown to ``actor`` (audited like an item's)."""
    passage = version.passage
    record(
        "passage.read",
        actor=actor,
        bank=passage.bank,
        object_type="passage",
        object_id=passage.external_id,
        version_number=version.number,
        via=via,
    )


def list_passages(
    bank: Bank,
    *,
    actor: User,
    status: str | None = None,
    q: str | None = None,
    retired: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> dict[str, Any]:
    """A page of the bank's passages, newest first, each with the version ``actor``
    sees as its latest; ``status`` filters on that version, ``q`` searches the titles,
    ``retired`` keeps only retired passages (True) or only those in use (False)."""
    ensure_visible(actor, bank)
    per_page = max(1, min(per_page, MAX_PAGE))
    page = max(1, page)
    only_approved = sees_only_approved(actor, bank)
    shown = Passage.approved_version_id if only_approved else Passage.newest_version_id
    query = (
        sa.select(Passage, PassageVersion)
        .join(PassageVersion, PassageVersion.id == shown)
        .where(Passage.bank_id == bank.id)
    )
    if status:
        query = query.where(PassageVersion.status == status)
    if retired is not None:
        query = query.where(
            Passage.retired_at.is_not(None) if retired else Passage.retired_at.is_(None)
        )
    if q:
        needle = q.strip().lower()[:200]
        query = query.where(sa.func.lower(PassageVersion.title).contains(needle, autoescape=True))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(
        query.order_by(Passage.updated_at.desc(), Passage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return {
        "passages": [{"passage": p, "version": v} for p, v in rows],
        "total": total,
        "page": page,
        "per_page": per_page,
    }


def passage_items(passage: Passage, *, actor: User) -> list[tuple[Item, ItemVersion]]:
    """The item set: each item whose latest version (for assemblers: approved version)
    pins a version of ``passage``, with that version, in item order."""
    only_approved = sees_only_approved(actor, passage.bank)
    shown = Item.approved_version_id if only_approved else Item.newest_version_id
    rows = db.session.execute(
        sa.select(Item, ItemVersion)
        .join(ItemVersion, ItemVersion.id == shown)
        .join(PassageVersion, PassageVersion.id == ItemVersion.passage_version_id)
        .where(PassageVersion.passage_id == passage.id, Item.bank_id == passage.bank_id)
        .order_by(Item.number)
    ).all()
    return [(item, version) for item, version in rows]


# -- writing -----------------------------------------------------------------------------


def audit_passage(action: str, version: PassageVersion, *, actor: User, **data: Any) -> None:
    """Record ``action`` (``passage.create``...) on a passage version in the audit trail."""
    prefix = "passage."
    assert action.startswith(prefix)
    audit_version(action[len(prefix) :], version, actor=actor, **data)


def _next_number(bank: Bank) -> int:
    """The bank's next passage number; the bank row is locked so two writers never
    take the same one (and the unique constraint stands behind it)."""
    db.session.execute(sa.select(Bank.id).where(Bank.id == bank.id).with_for_update())
    highest = db.session.scalar(
        sa.select(sa.func.max(Passage.number)).where(Passage.bank_id == bank.id)
    )
    return int(highest or 0) + 1


def create_passage(bank: Bank, *, actor: User, title: Any, body: Any) -> Passage:
    """A new passage with its first version, a draft (authors). Stored even when the
    title or text is still blank (:func:`passage_problems` lists what is missing)."""
    require_writer(actor, bank, doing="write passages")
    prepared = prepare_passage(bank, title, body)
    number = _next_number(bank)
    now = utcnow()
    passage = Passage(
        bank=bank,
        number=number,
        external_id=f"{bank.code}-P{number:05d}",
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(passage)
    version = _new_version(passage, 1, prepared, actor=actor, based_on=None)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("another passage was created at the same moment; try again") from None
    audit_passage("passage.create", version, actor=actor, to_status=Status.DRAFT.value)
    return passage


def _new_version(
    passage: Passage,
    number: int,
    prepared: PreparedPassage,
    *,
    actor: User,
    based_on: PassageVersion | None,
) -> PassageVersion:
    return new_version(
        passage,
        PassageVersion,
        number,
        actor=actor,
        based_on=based_on,
        title=prepared.title,
        body=prepared.body,
        content_hash=prepared.content_hash,
    )


def lock_passage_version(version: PassageVersion) -> PassageVersion:
    """Reload ``version`` with a row lock (PostgreSQL ``FOR UPDATE``)."""
    return lock(version)


def current_passage_draft(passage: Passage) -> PassageVersion:
    for version in passage.versions:
        if version.status == Status.DRAFT.value:
            return version
    raise NotFound(f"passage {passage.external_id} has no draft")


def update_passage_draft(
    version: PassageVersion,
    *,
    actor: User,
    base_revision: int,
    title: Any = _KEEP,
    body: Any = _KEEP,
) -> PassageVersion:
    """Save an edit of a passage draft (authors); an edit based on an older revision
    is refused with :class:`StaleEdit` naming who changed it since."""
    passage = version.passage
    require_writer(actor, passage.bank, doing="write passages")
    version = editable_draft(version, base_revision=base_revision)
    prepared = prepare_passage(
        passage.bank,
        version.title if title is _KEEP else title,
        version.body if body is _KEEP else body,
    )
    if prepared.content_hash == version.content_hash:
        return version
    changed = [
        name
        for name, old, new in (
            ("title", version.title, prepared.title),
            ("body", version.body, prepared.body),
        )
        if old != new
    ]
    version.title = prepared.title
    version.body = prepared.body
    version.content_hash = prepared.content_hash
    save_edit(version, actor=actor)
    rehash_pinning_items(version)
    audit_passage(
        "passage.update",
        version,
        actor=actor,
        from_status=Status.DRAFT.value,
        to_status=Status.DRAFT.value,
        fields=changed,
        revision=version.revision,
    )
    return version


def passage_problems(version: PassageVersion) -> list[dict[str, str]]:
    """What keeps a draft from being submitted (empty for a complete one)."""
    if version.status != Status.DRAFT.value:
        return []
    try:
        prepared = prepare_passage(version.passage.bank, version.title, version.body)
    except InvalidInput as exc:  # an image removed from the bank since
        return exc.problems
    return [p.as_dict() for p in prepared.problems]


def start_new_passage_draft(
    passage: Passage, *, actor: User, from_number: int | None = None
) -> PassageVersion:
    """Start draft v+1 from an approved, changes-requested or withdrawn version (by
    default the newest). Items keep pinning the version they pinned."""
    require_writer(actor, passage.bank, doing="write passages")
    if passage.is_retired:
        raise Conflict(f"passage {passage.external_id} is retired")
    versions = all_versions(PassageVersion, passage, for_update=True)
    source = draft_source(versions, from_number=from_number, label=f"passage {passage.external_id}")
    prepared = PreparedPassage(source.title, source.body, source.content_hash, [])
    version = _new_version(passage, versions[-1].number + 1, prepared, actor=actor, based_on=source)
    passage.updated_at = utcnow()
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            f"someone else started a new version of {passage.external_id} at the same moment"
        ) from None
    audit_passage(
        "passage.new_draft",
        version,
        actor=actor,
        to_status=Status.DRAFT.value,
        based_on=source.number,
    )
    return version


def rehash_pinning_items(version: PassageVersion) -> None:
    """Bring the content hash of the item versions pinning ``version`` (a passage draft
    just edited: only item drafts can pin it, since an item is submitted only with an
    approved passage) up to date with its text, without touching their revisions."""
    from itembank.operations.content import content_hash

    rows = db.session.execute(
        sa.select(
            ItemVersion.id, Item.item_type, ItemVersion.stem, ItemVersion.content, ItemVersion.meta
        )
        .join(Item, Item.id == ItemVersion.item_id)
        .where(ItemVersion.passage_version_id == version.id)
    ).all()
    for version_id, item_type, stem, content, meta in rows:
        db.session.execute(
            sa.update(ItemVersion)
            .where(ItemVersion.id == version_id)
            .values(content_hash=content_hash(item_type, stem, content, meta, version.content_hash))
            .execution_options(synchronize_session="fetch", **in_bank(version.passage.bank_id))
        )


def diff_passage_versions(
    passage: Passage, old_number: int, new_number: int, *, actor: User
) -> dict[str, Any]:
    """The differences between two versions of ``passage`` that ``actor`` may read:
    title and text word by word, images (:func:`itembank.diff_passages.diff_passages`)."""
    from itembank.diff_passages import PassageView, diff_passages

    def view(number: int) -> PassageView:
        version = get_passage_version(passage, number, actor=actor)
        return PassageView(number=version.number, title=version.title, body=version.body)

    return diff_passages(view(old_number), view(new_number))


def read_passage_comments(
    version: PassageVersion, *, actor: User, via: str
) -> list[PassageComment]:
    """The version's comments, oldest first, for ``actor`` (who may read the version);
    recorded as ``passage.comment_read`` with how many were shown (nothing is recorded
    for a version without comments)."""
    comments = list(version.comments)
    if comments:
        audit_version("comment_read", version, actor=actor, via=via, comments=len(comments))
    return comments
