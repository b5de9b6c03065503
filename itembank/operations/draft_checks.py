"""A draft's checks as the API shows them (what keeps it from being submitted, the
bank's items most like it), remembered by the bank's content stamp.

Both read the draft and what its bank holds (:mod:`itembank.content_stamp`); an author
reads a draft far more often than anything they read changes. So a read that knows the
bank's stamp (read with the item, in the same statement) remembers the results under
the version's id, revision and content hash and the stamp: a later read with the same
stamp gets them without the checks' queries and Python, and any change the checks
could see raises the stamp first. A transaction that has written what the stamp covers
checks afresh and remembers nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from itembank.content_stamp import fresh_stamp
from itembank.extensions import db
from itembank.models import Item, ItemVersion
from itembank.plugins import PluginHost
from itembank.workflow import Status

#: The most results remembered (in each process); past it the oldest half is dropped.
MAX_REMEMBERED = 4096
_REMEMBERED: dict[tuple[Any, ...], DraftChecks] = {}


@dataclass(frozen=True)
class DraftChecks:
    problems: tuple[dict[str, str], ...]
    similar: tuple[dict[str, object], ...]


_NONE = DraftChecks((), ())


def draft_checks(version: Any, *, plugins: PluginHost) -> DraftChecks:
    """``version``'s problems (:func:`itembank.operations.items.draft_problems`) and
    similar items (:func:`itembank.operations.similarity.similar_to_version`, as
    dictionaries); nothing for a version past draft. ``version``: an
    :class:`ItemVersion`, or the plain object of :mod:`itembank.operations.shown_item`."""
    if version.status != Status.DRAFT.value:
        return _NONE
    item = version.item
    stamp = fresh_stamp(db.session, item.bank_id)
    key = None
    if stamp is not None:
        key = (item.bank_id, stamp, version.id, version.revision, version.content_hash)
        found = _REMEMBERED.get(key)
        if found is not None:
            return found
    from itembank.operations.items import draft_problems
    from itembank.operations.similarity import similar_to_version

    if not isinstance(version, ItemVersion):  # the API's plain read of it (shown_item)
        version = db.session.scalars(
            sa.select(ItemVersion)
            .where(ItemVersion.id == version.id)
            .options(
                joinedload(ItemVersion.item).joinedload(Item.bank),
                joinedload(ItemVersion.passage_version),
            )
        ).one()
    checks = DraftChecks(
        tuple(draft_problems(version, plugins=plugins)),
        tuple(s.as_dict() for s in similar_to_version(version)),
    )
    if key is not None:
        if len(_REMEMBERED) >= MAX_REMEMBERED:
            for old in list(_REMEMBERED)[: MAX_REMEMBERED // 2]:
                _REMEMBERED.pop(old, None)  # another thread may have dropped it
        _REMEMBERED[key] = checks
    return checks
