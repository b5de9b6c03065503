"""Reading items as a given user: who sees which versions, and the item listing.

Any member of a bank sees its items and every version, except users whose only role
there is ``assembler``: they see only approved versions, and only items that have one
(for them an item's latest version is its approved one). Non-members are told nothing
exists. Reading a version's content is recorded as an ``item.read`` audit event, and
reading its comments (which quote and discuss it) as ``comment.read``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import re
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Bundle, aliased, joinedload

from itembank import driver_statement
from itembank.access import doing_in_indonesian, ensure_visible, roles_in
from itembank.audit import record, record_read_now
from itembank.errors import InvalidInput, NotFound, PermissionDenied
from itembank.extensions import db
from itembank.models import (
    Bank,
    Comment,
    Item,
    ItemClassification,
    ItemVersion,
    Review,
    Role,
    TaxonomyNode,
    TaxonomyRecord,
    User,
)
from itembank.operations import relevance
from itembank.operations.content import search_needle, visible_taxonomies
from itembank.operations.items import get_item, get_version
from itembank.operations.relevance import RELEVANCE
from itembank.workflow import Status


def sees_only_approved(actor: User, bank: Bank) -> bool:
    """True for users whose only role in ``bank`` is assembler (raises NotFound for
    non-members)."""
    ensure_visible(actor, bank)
    if actor.is_admin:
        return False
    return roles_in(actor, bank) == {Role.ASSEMBLER}


def readable_item(
    external_id: str, *, actor: User, shown: bool = False
) -> tuple[Item, ItemVersion]:
    """The item and the version ``actor`` sees as its latest (NotFound if none).
    The item, its bank and its newest version come in one query; ``shown`` (the whole
    item is shown, as the API's item read does) adds its approved version and the
    newest version's people to that query and its reviews with their reviewers in one
    more, instead of a query for each as they are read."""
    item = get_item(
        external_id,
        actor=actor,
        options=_SHOWN if shown else _WITH_BANK_AND_NEWEST,
        stamp=shown,  # for the draft's checks (itembank.operations.draft_checks)
    )
    if sees_only_approved(actor, item.bank):
        version = item.approved_version
        if version is None or version.status != Status.APPROVED.value:
            raise NotFound(f"no item {external_id!r}")
        return item, version
    # The newest version is the latest (the highest number), without loading them all.
    return item, item.newest_version or item.latest_version


_WITH_BANK_AND_NEWEST = (joinedload(Item.bank), joinedload(Item.newest_version))
_SHOWN = (
    joinedload(Item.bank),
    joinedload(Item.approved_version),
    joinedload(Item.newest_version).joinedload(ItemVersion.created_by),
    joinedload(Item.newest_version).joinedload(ItemVersion.updated_by),
    joinedload(Item.newest_version).joinedload(ItemVersion.submitted_by),
    # The reviews too (a version has a handful): one query for everything, not two.
    joinedload(Item.newest_version).joinedload(ItemVersion.reviews).joinedload(Review.reviewer),
)


def readable_versions(item: Item, *, actor: User) -> list[ItemVersion]:
    if sees_only_approved(actor, item.bank):
        return [v for v in item.versions if v.status == Status.APPROVED.value]
    return list(item.versions)


def readable_version(item: Item, number: int, *, actor: User) -> ItemVersion:
    version = get_version(item, number)
    if sees_only_approved(actor, item.bank) and version.status != Status.APPROVED.value:
        raise NotFound(f"item {item.external_id} has no version {number}")
    return version


def require_full_view(item: Item, *, actor: User, doing: str) -> None:
    """Refuse assemblers things only the writing and reviewing side sees (drafts)."""
    if sees_only_approved(actor, item.bank):
        raise PermissionDenied(
            f"assemblers see only approved versions, so may not {doing}",
            message_id=(
                "Perakit paket hanya melihat versi yang disetujui, sehingga tidak boleh "
                f"{doing_in_indonesian(doing)}."
            ),
        )


#: The audit actions that record reads rather than changes (an item's history leaves
#: them out).
READ_ACTIONS = ("item.read", "comment.read")


def record_read(actor: User, version: ItemVersion, via: str) -> None:
    item = version.item
    record_read_now(
        "item.read",
        actor=actor,
        bank_id=item.bank_id,
        item_id=item.id,
        external_id=item.external_id,
        number=version.number,
        via=via,
    )


def read_comments(version: ItemVersion, *, actor: User, via: str) -> list[Comment]:
    """The version's comments, oldest first, for ``actor`` (who may read the version).
    Reading them is recorded as ``comment.read`` with how many were shown; a version
    without comments shows nothing and records nothing."""
    comments = list(version.comments)
    if comments:
        record("comment.read", actor=actor, version=version, via=via, comments=len(comments))
    return comments


# -- listing -------------------------------------------------------------------------------


@dataclass
class ItemFilters:
    status: str | None = None
    type: str | None = None
    node: str | None = None
    taxonomy: str | None = None
    level: int | None = None
    author: str | None = None
    updated_since: datetime | None = None
    q: str | None = None
    #: Items delivered to at least this many candidates (any version).
    min_exposure: int | None = None
    #: Items not delivered on or after this day (never delivered ones included).
    not_used_since: date | None = None
    page: int = 1
    per_page: int = 20
    #: A column (``-`` first: descending), or ``relevance`` with a text query
    #: (:mod:`itembank.operations.relevance`).
    sort: str = "-updated_at"
    #: List every item's approved version (items without one are left out), as
    #: assemblers always see them: what a form can pin.
    approved_versions: bool = False


#: Most matching items a listing counts exactly (see ``total_exact``): past it the total
#: is this limit and ``total_exact`` is false ("more than 1,000", as search engines
#: say), so a listing costs about the same in a bank of any size.
COUNT_LIMIT = 1_000
#: A ``q`` of this shape looks an item up by its identifier instead of searching text.
EXTERNAL_ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]{1,23}-[0-9]{6,}")

#: The listing's order when none is asked for, and the relevance order's for ties.
DEFAULT_SORT = "-updated_at"
SORT_COLUMNS = {
    "updated_at": Item.updated_at,
    "created_at": Item.created_at,
    # A bank's codes are its code and the item's number, zero-padded: in the number's
    # order, which the (bank, number) index holds (the code's own index spans banks).
    "external_id": Item.number,
}


#: The listing's aliases, made once: SQLAlchemy works out an alias's columns on first
#: use, which a new alias per request would pay for every time.
_LISTED = aliased(ItemVersion, name="listed_version")
_APPROVED = aliased(ItemVersion, name="approved_version")
_CREATOR = aliased(User, name="creator")
#: What a summary shows of the item and of the listed version, as plain columns.
_SUMMARY_ITEM = Bundle(
    "item",
    Item.external_id,
    Item.item_type,
    Item.created_at,
    Item.updated_at,
    Item.retired_at,
)
_SUMMARY_VERSION = Bundle(
    "version", _LISTED.number, _LISTED.status, _LISTED.created_at, _LISTED.updated_at
)


@dataclass
class _Narrowed:
    """A filter on the listed version: its ``condition``, and, when the filter's own
    index found few matching versions (at most :data:`PREFETCH_LIMIT`), the ``items``
    they belong to, which the listing then starts from. With many matches the
    condition is checked row by row as the listing walks the bank in its order, and
    stops at a page or at the count's limit: either way no query reads every match."""

    condition: sa.ColumnElement[bool]
    items: set[int] | None = None
    #: The condition reads the listed version's row (not only its id).
    reads_version: bool = False


def _id_in(column: Any, ids: set[int] | list[int]) -> sa.ColumnElement[bool]:
    """``column IN ids`` as one parameter (a JSON array on SQLite, an array on
    PostgreSQL) rather than one per id: the lists here run to thousands."""
    values = sorted(ids)
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, values, type_=postgresql.ARRAY(sa.Integer)))
    each = sa.func.json_each(sa.bindparam(None, json.dumps(values))).table_valued("value")
    return column.in_(sa.select(each.c.value))


def list_items(
    bank: Bank, filters: ItemFilters, *, actor: User, summary: bool = False
) -> dict[str, Any]:
    """One page of ``bank``'s items as ``actor`` sees them, filtered and sorted in SQL,
    with the total count. Each row describes the item and the version the filters
    apply to (the latest one, or for assemblers the approved one). ``summary``: the
    caller reads only the version's number, status and times (the API's listing), so
    its content, stem and text are not loaded."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    listing = _PostgresListing() if postgres else None
    state = _POSTGRES_LISTING.set(listing)
    try:
        return _list_items(bank, filters, actor=actor, summary=summary)
    except InvalidInput:
        # Refused after the first statement set the relevance order's cost (an unknown
        # node): set back, as the first tier would have (the transaction goes on).
        if listing is not None and listing.tier_settings is not None:
            _set_back(listing.tier_settings)
        raise
    finally:
        _POSTGRES_LISTING.reset(state)


@dataclass
class _PostgresListing:
    """PostgreSQL, for one listing (:func:`list_items`): the transaction-local settings
    it has made and the indexes it has found, so that each is sent once, in a statement
    the listing sends anyway (they were round trips of their own: up to six of a
    relevance listing's seventeen statements). Never kept past the listing: a migration
    may create or drop an index between two requests, and the settings end with the
    transaction."""

    #: :func:`_plan_for_these_values` has set its settings.
    planned: bool = False
    #: Whether the trigram index exists (:func:`_postgres_search_index`), once asked.
    trigram_index: bool | None = None
    #: The values of the first tier's settings (:data:`_TIER_SETTING_NAMES`) as they
    #: were before the relevance order's first tier set them (:func:`_cached_lookups`,
    #: which sets them back), while they are set.
    tier_settings: tuple[str, ...] | None = None
    #: How many items the listed bank has at most (:func:`_bank_items`), once asked.
    bank_items: int | None = None


_POSTGRES_LISTING: ContextVar[_PostgresListing | None] = ContextVar(
    "postgres_listing", default=None
)


def _list_items(bank: Bank, filters: ItemFilters, *, actor: User, summary: bool) -> dict[str, Any]:
    only_approved = sees_only_approved(actor, bank) or filters.approved_versions
    # A page without filters is the same statement for every bank and page of its size,
    # with these as its parameters: built once (building it took longer than running
    # it). Its size and the count's limit are written in it (:func:`_page_statements`).
    plain = (
        (only_approved, filters.sort, summary, filters.per_page, COUNT_LIMIT)
        if _unfiltered(filters)
        else None
    )
    params = {"bank_id": bank.id, "page_start": _start(filters)} if plain else {}
    built = _PLAIN_PAGES.get(plain) if plain else None
    if filters.sort == RELEVANCE:
        built = _relevance_statements(bank, filters, only_approved, summary)
    elif built is None:
        built = _page_statements(bank, filters, only_approved, summary, parameters=bool(plain))
        if plain:
            _PLAIN_PAGES[plain] = built
    page_rows, counted = built
    if plain and summary and driver_statement.available(db.engine):
        items, total = _summary_page(plain, page_rows, counted, params)
    else:
        rows = db.session.execute(page_rows, params).all()
        total = rows[0][4] if rows else db.session.scalar(counted, params)
        items = [
            {
                "external_id": item.external_id,
                "type": item.item_type,
                "created_by": username,
                "created_at": item.created_at,
                "updated_at": item.updated_at,
                "retired_at": item.retired_at,
                "approved_version": approved_number,
                "version": listed,
            }
            for item, listed, username, approved_number, _ in rows
        ]
    total_exact = total <= COUNT_LIMIT
    total = min(total, COUNT_LIMIT)
    return {
        "items": items,
        "total": total,
        "total_exact": total_exact,
        "page": filters.page,
        "per_page": filters.per_page,
        "pages": math.ceil(total / filters.per_page) if total else 0,
    }


#: The statements of pages without filters, by (approved versions only, sort, summary,
#: page size, count limit).
_PLAIN_PAGES: dict[Any, tuple[sa.Select[Any], sa.Select[Any]]] = {}


class ListedVersion(NamedTuple):
    """What a summary page shows of an item's listed version."""

    number: int
    status: str
    created_at: datetime
    updated_at: datetime


#: Summary pages without filters as sent through psycopg's cursor on PostgreSQL, by the
#: same keys: :func:`_summary_page`.
_SENT_PAGES: dict[Any, driver_statement.DriverStatement] = {}


def _summary_page(
    plain: Any, page_rows: sa.Select[Any], counted: sa.Select[Any], params: dict[str, Any]
) -> tuple[list[dict[str, Any]], int]:
    """A summary page without filters on PostgreSQL: the page's statement with its
    columns as plain named ones, sent through psycopg's cursor
    (:mod:`itembank.driver_statement`: SQLAlchemy's execution, a quarter of the page's
    Python, is left out; when the session has no transaction under way, the statement
    is a transaction of its own, ``BEGIN`` and ``COMMIT`` sent with it, outside the
    session, which then has nothing to commit: PostgreSQL's READ COMMITTED takes a
    snapshot per statement, in a transaction or not); the page's items as
    :func:`_list_items` gives them, and the total (the count alone for an empty page)."""
    sent = _SENT_PAGES.get(plain)
    if sent is None:
        version, approved, creator = _LISTED, _APPROVED, _CREATOR
        named = page_rows.with_only_columns(
            Item.external_id,
            Item.item_type,
            Item.created_at,
            Item.updated_at,
            Item.retired_at,
            version.number.label("version_number"),
            version.status.label("version_status"),
            version.created_at.label("version_created_at"),
            version.updated_at.label("version_updated_at"),
            creator.username.label("created_by"),
            approved.number.label("approved_number"),
            counted.scalar_subquery().label("total"),
            maintain_column_froms=False,
        )
        sent = _SENT_PAGES[plain] = driver_statement.DriverStatement(named)
    rows = sent.committed_rows(db.session(), params)
    total = rows[0].total if rows else db.session.scalar(counted, params)
    items = [
        {
            "external_id": row.external_id,
            "type": row.item_type,
            "created_by": row.created_by,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "retired_at": row.retired_at,
            "approved_version": row.approved_number,
            "version": ListedVersion(
                row.version_number,
                row.version_status,
                row.version_created_at,
                row.version_updated_at,
            ),
        }
        for row in rows
    ]
    return items, total


def _unfiltered(filters: ItemFilters) -> bool:
    return not (
        filters.status
        or filters.type
        or filters.author
        or filters.updated_since
        or filters.node
        or filters.taxonomy
        or filters.level is not None
        or filters.q
        or filters.min_exposure is not None
        or filters.not_used_since is not None
    )


def _start(filters: ItemFilters) -> int:
    return (filters.page - 1) * filters.per_page


@dataclass
class _Filtered:
    """The items a listing's filters match: ``ids``, a select of their ids (joining only
    what the conditions read), and the listing's ``order`` for it."""

    ids: sa.Select[Any]
    order: list[Any]
    listed_id: Any
    #: The listed version (``_LISTED``) is joined in ``ids``.
    joins_version: bool


def _filtered(
    bank: Bank,
    filters: ItemFilters,
    only_approved: bool,
    *,
    parameters: bool = False,
    text: bool = True,
    with_version: bool = False,
    from_elsewhere: bool = False,
) -> _Filtered:
    """The ids of the items that match ``filters``, in the order of ``filters.sort`` (the
    default order for the relevance order, whose tiers it breaks ties in).
    ``parameters``: the bank is the parameter ``bank_id`` rather than a value (pages
    without filters). ``text``: with the text query (else without it, for the
    relevance order's first tier, which finds the text through its words).
    ``with_version``: join the listed version even if no condition reads it.
    ``from_elsewhere``: the caller joins what the listing starts from (the relevance
    order's word matches): never the bank's index."""
    version, creator = _LISTED, _CREATOR
    if filters.q or filters.node or filters.level is not None:
        _plan_for_these_values(bank)
    bank_id: Any = sa.bindparam("bank_id", type_=sa.Integer) if parameters else bank.id

    conditions: list[sa.ColumnElement[bool]] = [Item.bank_id == bank_id]
    if only_approved:
        # An item's approved version stays approved until the item is retired (then
        # it is the retired one), so these item columns say "has an approved version".
        listed_id = Item.approved_version_id
        # "+ 0": checked on each row, never a scan of the approved-version index
        # (migration 0020, there to find a subtree's items from its classifications),
        # which would walk the items outside the listing's order and so find no page
        # early when each row is checked for a word.
        conditions += [(Item.approved_version_id + 0).is_not(None), Item.retired_at.is_(None)]
    else:
        listed_id = Item.newest_version_id

    if filters.status:
        conditions.append(version.status == filters.status)
    if filters.type:
        conditions.append(Item.item_type == filters.type)
    if filters.author:
        conditions.append(creator.username == filters.author.strip().lower())
    if filters.updated_since:
        conditions.append(Item.updated_at >= filters.updated_since)
    narrowed: list[_Narrowed] = []
    if filters.node or filters.level is not None:
        narrowed.append(_classified(bank, listed_id, filters))
    if filters.min_exposure is not None or filters.not_used_since is not None:
        from itembank.operations.exposure import item_exposure_query

        exposure = item_exposure_query(bank.id)
        if filters.min_exposure is not None:
            conditions.append(
                Item.id.in_(
                    sa.select(exposure.c.item_id).where(exposure.c.exposure >= filters.min_exposure)
                )
            )
        if filters.not_used_since is not None:
            conditions.append(
                Item.id.not_in(
                    sa.select(exposure.c.item_id).where(
                        exposure.c.last_used >= filters.not_used_since
                    )
                )
            )
    if filters.q and text:
        if EXTERNAL_ID_RE.fullmatch(filters.q.strip()):
            conditions.append(Item.external_id == filters.q.strip().upper())
        else:
            narrowed.append(_text_or_code(bank, listed_id, version, filters.q))
    conditions += [n.condition for n in narrowed]
    few = [n.items for n in narrowed if n.items is not None]
    if from_elsewhere:
        conditions[0] = _not_by_index(Item.bank_id) == bank.id
    if few:
        # Start from the few items found (intersected), not from the bank's index
        # (SQLite's planner, without statistics, would scan every item of the bank).
        conditions[0] = (Item.bank_id + 0) == bank.id
        conditions.append(_id_in(Item.id, set.intersection(*few)))

    # The items that match, by id, joining only what the conditions read (every item
    # has a listed version and a creator): the count and the page select from it, and
    # the page's rows are read for its items alone, not for every row skipped or sorted.
    matching = sa.select(Item.id).select_from(Item)
    joins_version = bool(with_version or filters.status or any(n.reads_version for n in narrowed))
    if joins_version:
        # Started from elsewhere (the word matches), the version is read after the item
        # ("+ 0": not looked up straight from the matches, whose other banks' and
        # older versions the item's bank and listed version leave out first).
        matching = matching.join(
            version, version.id == (listed_id + 0 if from_elsewhere else listed_id)
        )
    if filters.author:
        matching = matching.join(creator, creator.id == Item.created_by_id)
    matching = matching.where(*conditions)
    sort = DEFAULT_SORT if filters.sort == RELEVANCE else filters.sort
    key = sort.lstrip("-")
    column = SORT_COLUMNS[key]
    descending = sort.startswith("-")
    order = [column.desc() if descending else column.asc()]
    if key != "external_id":
        order.append(Item.id.desc() if descending else Item.id.asc())
    return _Filtered(matching, order, listed_id, joins_version)


def _counted(matching: sa.Select[Any], *, written: bool = False) -> sa.Select[Any]:
    """The count of ``matching``, up to a limit, so the cost does not grow with the
    bank: beyond it the total is the limit and ``total_exact`` is false ("more than
    1,000"). ``written``: the limit is written in the statement, not a parameter (see
    :func:`_page_statements`)."""
    limit: Any = COUNT_LIMIT + 1
    if written:
        limit = sa.literal_column(str(int(limit)), sa.Integer)
    return sa.select(sa.func.count()).select_from(matching.limit(limit).subquery())


def _page_statements(
    bank: Bank, filters: ItemFilters, only_approved: bool, summary: bool, *, parameters: bool
) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The page's statement (its rows, with the count) and the count's alone.
    ``parameters``: the bank and the page's start are the parameters ``bank_id`` and
    ``page_start`` rather than values, and the page's size and the count's limit are
    written in the statement (pages without filters, one statement per page size).

    Written so, the statement is planned once on PostgreSQL, not on every page: the
    driver prepares it, and after five pages PostgreSQL plans it once for any values (a
    generic plan) if that plan is estimated to cost less than the plans made for each
    page's values. A size or limit as a parameter is unknown to a generic plan, which
    takes it for a tenth of the bank (1,200 of 12,000 items: a hash join over every item
    of the bank rather than 20 look-ups by the page's ids, 12 ms instead of 0.4, 38 ms at
    100,000 items), so that plan was never chosen; the start as a parameter is known to
    each page's own plan, which then costs less than the generic plan's guess. So every
    page was planned for its values, which took longer than running it (0.5-0.7 ms
    against 0.35). As a subquery, ``OFFSET (SELECT :page_start)``, the start is unknown
    to both plans and prices them alike, and the size is known to both: the generic plan
    is kept, and it is the plan made for any page's values (the bank's index read in the
    page's order up to the page's end, the page's rows looked up by id)."""
    found = _filtered(bank, filters, only_approved, parameters=parameters)
    counted = _counted(found.ids, written=parameters)
    page_ids = found.ids.order_by(*found.order)
    if parameters:
        page_ids = page_ids.limit(sa.literal_column(str(int(filters.per_page)), sa.Integer)).offset(
            sa.select(sa.bindparam("page_start", type_=sa.Integer)).scalar_subquery()
        )
    else:
        page_ids = page_ids.limit(filters.per_page).offset(_start(filters))
    page_rows = _page_rows(found.listed_id, counted, summary).where(Item.id.in_(page_ids))
    return page_rows.order_by(*found.order), counted


def _page_rows(listed_id: Any, counted: sa.Select[Any], summary: bool) -> sa.Select[Any]:
    """The rows of a page's items (the caller says which, and in what order), each
    with the count: it comes with the page, in the same query (computed once: it does
    not depend on the row); only an empty page asks for it on its own. A summary reads
    plain columns (no objects for the session to build and track)."""
    version, approved, creator = _LISTED, _APPROVED, _CREATOR
    listed_columns: tuple[Any, ...] = (
        (_SUMMARY_ITEM, _SUMMARY_VERSION) if summary else (Item, version)
    )
    return (
        sa.select(*listed_columns, creator.username, approved.number, counted.scalar_subquery())
        .select_from(Item)
        .join(version, version.id == listed_id)
        .join(creator, creator.id == Item.created_by_id)
        .outerjoin(approved, approved.id == Item.approved_version_id)
    )


def _relevance_statements(
    bank: Bank, filters: ItemFilters, only_approved: bool, summary: bool
) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The page's statement and the count's for the relevance order
    (:mod:`itembank.operations.relevance`): the same items and count as the default
    order, the page's ids worked out here, tier by tier. The first tier (every word of
    the query a whole word of the listed version's text) is read from the word index's
    own matches, scored there once; the second (the rest: the query inside words, the
    item codes) is the listing's filter in the default order, without the first tier's
    versions, and is read only when the page reaches past the first tier."""
    if not filters.q:
        raise InvalidInput(
            "sort=relevance needs a text query (q)",
            [
                {
                    "field": "sort",
                    "message": "Urutan relevansi hanya berlaku bersama kata pencarian (q).",
                    "message_en": "The relevance order needs a search text (q).",
                }
            ],
        )
    start, size = _start(filters), filters.per_page
    query = filters.q.strip()
    needle = search_needle(query)
    lookups = _joins_as_lookups(filters)
    words = None if EXTERNAL_ID_RE.fullmatch(query) else _word_query(bank, needle, lookups=lookups)
    if words is None:
        found = _filtered(bank, filters, only_approved)
        counted = _counted(found.ids)
        page_ids = list(
            db.session.scalars(found.ids.order_by(*found.order).limit(size).offset(start))
        )
    else:
        sqlite = db.session.get_bind().dialect.name == "sqlite"
        # The first tier: the word index's matches, scored once, joined to the bank's
        # listed versions that the other filters keep and that hold the query as typed.
        # A query that is one word as typed (PostgreSQL): a version with that word has
        # it in its text (the words are the text's own, lower-cased as the text and the
        # query already are), so the text is not read for the check.
        just_the_word = words.by_repeats and words.words == (needle,)
        base = _filtered(
            bank,
            filters,
            only_approved,
            text=False,
            with_version=not just_the_word,
            from_elsewhere=True,
        )
        contains = (
            sa.true() if just_the_word else _contains(_LISTED.search_text, needle, sqlite=sqlite)
        )
        if _small_bank(bank, words):
            # The settings of the word query's tier (as _word_query sets them).
            with _cached_lookups(lookups=lookups and words.by_single_cover):
                page_ids, in_first = _small_bank_first_tier_page(
                    bank, filters, only_approved, base, words, contains, start, size
                )
        elif words.by_repeats:
            with _cached_lookups():
                page_ids, in_first = _one_word_first_tier_page(base, words, contains, start, size)
        elif words.by_single_cover:
            with _cached_lookups(lookups=lookups):
                page_ids, in_first = _several_words_first_tier_page(
                    base, words, contains, start, size
                )
        else:
            scored = words.scored()
            first = base.ids.join(scored, scored.c.version_id == base.listed_id).where(contains)
            if sqlite:
                matched = words.sqlite_matched()
                unscored = base.ids.join(matched, matched.c.version_id == base.listed_id).where(
                    contains
                )
                page_ids, in_first = _sqlite_first_tier_page(
                    first, unscored, scored, base.order, start, size
                )
            else:
                with _cached_lookups():
                    page_ids, in_first = _first_tier_page(first, scored, base.order, start, size)
        # A first tier past the count's limit is the total's limit ("more than 1,000"):
        # the listing's own count (a common word's, item by item) is not needed, nor
        # its text filter's look-ups, unless the page reaches the second tier.
        if in_first is not None and in_first > COUNT_LIMIT and len(page_ids) == size:
            counted = sa.select(sa.literal(in_first))
            found = base
        else:
            found = _filtered(bank, filters, only_approved)
            counted = _counted(found.ids)
        if len(page_ids) < size:
            # How many the first tier holds (the page reached its end, or is past it).
            if page_ids or not start:
                in_first = start + len(page_ids)
            elif in_first is None:
                in_first = db.session.scalar(
                    sa.select(sa.func.count()).select_from(first.subquery())
                )
            second = found.ids.where(
                sa.or_(
                    words.lacking(found.listed_id),
                    sa.not_(_listed_text_contains(found.listed_id, needle, sqlite=sqlite)),
                )
            )
            if sqlite and not found.joins_version:
                second = second.join(_LISTED, _LISTED.id == found.listed_id)
            page_ids += db.session.scalars(
                second.order_by(*found.order)
                .limit(size - len(page_ids))
                .offset(max(0, start - in_first))
            )
    page_rows = _page_rows(found.listed_id, counted, summary).where(Item.id.in_(page_ids))
    if page_ids:
        # The rows in the page's order, however the database reads them.
        place = sa.case({item_id: n for n, item_id in enumerate(page_ids)}, value=Item.id)
        page_rows = page_rows.order_by(place)
    return page_rows, counted


#: The relevance order's first tier joins to the listing, at first, only the word
#: matches scored at least as well as the best this many times the rows it needs
#: (:func:`_first_tier_page`) ...
CANDIDATES_PER_ROW = 10
#: ... and at least this many.
MIN_CANDIDATES = 200


def _not_by_index(column: Any) -> Any:
    """``column``, which SQLite may not look up in its index ("+ 0": its planner,
    without the statistics PostgreSQL has, would walk a big bank's items from it)."""
    return column + 0 if db.session.get_bind().dialect.name == "sqlite" else column


def _first_tier_page(
    first: sa.Select[Any],
    scored: Any,
    order: list[Any],
    start: int,
    size: int,
) -> tuple[list[int], int | None]:
    """The ids of the first tier's page (rows ``start`` to ``start + size`` of
    ``first``, best ``scored`` first, then in ``order``), and how many rows the first
    tier has, counted up to one past :data:`COUNT_LIMIT` (None when the page is empty).

    A common word has tens of thousands of matches; scoring them all in the word index
    is cheap, joining them all to the listing (and reading each version's text) is
    not. So the matches (of every bank: telling this bank's apart would be a look-up
    each) are cut first at the score of the best few hundred (all those scored as well
    as that kept, ties included), and only those are joined: whatever
    the cut leaves out scores lower than everything it keeps, so when the kept ones
    fill the rows the page needs, they are the page. When they do not (a bank that
    holds few of the best matches, such as a small bank beside a big one, or filters
    that keep few), every match is joined, in a second statement.
    The count is of the uncut tier, in the same statement (the scores are computed
    once per statement)."""
    # Read twice below (the filter, and whether anything was cut), computed once.
    cut_score = _cut_score(scored, start + size)
    in_first = _counted(first).scalar_subquery().label("in_first")
    ordered = first.order_by(scored.c.score.desc(), *order).limit(size).offset(start)
    rows = db.session.execute(
        ordered.add_columns(cut_score.label("cut"), in_first).where(
            scored.c.score >= sa.func.coalesce(cut_score, sa.literal(-1.0))
        )
    ).all()
    # Complete, or nothing was cut (fewer matches than the cut's rank): the page.
    if not (len(rows) == size or (rows and rows[0].cut is None)):
        rows = db.session.execute(ordered.add_columns(in_first)).all()
    return [row[0] for row in rows], (rows[0].in_first if rows else None)


def _sqlite_first_tier_page(
    first: sa.Select[Any],
    unscored: sa.Select[Any],
    scored: Any,
    order: list[Any],
    start: int,
    size: int,
) -> tuple[list[int], int | None]:
    """SQLite: the first tier's page and count as :func:`_first_tier_page` finds them,
    in one statement, so that ``bm25()`` scores the word index's matches once.

    :func:`_first_tier_page` runs a second statement when the matches kept by the cut
    do not fill the rows the page needs (a small bank beside a big one, filters that
    keep few); on SQLite that statement scored every match again (bm25 is computed per
    statement), which doubled the cost of a common word: at 100,000 items, a 100-item
    bank's page took three times the big bank's. Here the statement's own score
    threshold says which case it is: the cut's score when the kept ones (counted up to
    the rows wanted) fill them, or when nothing was cut (none: fewer matches than the
    cut's rank); else no threshold (every match joined). The matches are scored once,
    in the materialized CTE the threshold, the page and the count all read. The rows
    are the same either way as :func:`_first_tier_page`'s: whatever the cut leaves
    out scores lower than everything it keeps (ties included), so when the kept ones
    fill the rows wanted they are those rows. A page past the first tier's end (none
    of its rows) gives the tier's exact count instead, of ``unscored`` (``first``
    without the scores, which a count does not need)."""
    wanted = start + size
    cut_score = _cut_score(scored, wanted)
    kept = first.where(scored.c.score >= cut_score).limit(wanted).subquery("kept")
    filled = sa.select(sa.func.count()).select_from(kept).scalar_subquery() == wanted
    # bm25's negated score is above zero: -1 keeps every match.
    every = sa.literal(-1.0)
    threshold = sa.select(
        sa.case(
            (sa.or_(cut_score.is_(None), filled), sa.func.coalesce(cut_score, every)), else_=every
        )
    ).scalar_subquery()
    in_first = _counted(first).scalar_subquery()
    kept = first.where(scored.c.score >= threshold)
    return _tier_page(kept, scored, order, start, size, in_first, unscored)


def _tier_page(
    first: sa.Select[Any],
    scored: Any,
    order: list[Any],
    start: int,
    size: int,
    in_first: Any,
    unscored: sa.Select[Any],
) -> tuple[list[int], int | None]:
    """Rows ``start`` to ``start + size`` of ``first`` (best ``scored`` first, then in
    ``order``) with ``in_first`` (the tier's count up to one past :data:`COUNT_LIMIT`)
    in the same statement; a page past the tier's end (none of its rows) gives the
    exact count of ``unscored`` instead (None: an empty first page)."""
    rows = db.session.execute(
        first.order_by(scored.c.score.desc(), *order)
        .limit(size)
        .offset(start)
        .add_columns(in_first.label("in_first"))
    ).all()
    if not rows and start:
        return [], db.session.scalar(sa.select(sa.func.count()).select_from(unscored.subquery()))
    return [row[0] for row in rows], (rows[0].in_first if rows else None)


#: A bank of at most this many items has its relevance order's first tier scored among
#: its own listed versions (:func:`_small_bank_first_tier_page`).
SMALL_BANK = 2_000
#: PostgreSQL, several words (:attr:`relevance.WordQuery.by_single_cover`): a bank of at
#: most this many items takes that path too. Several words' path over every bank's
#: matches counts the bank's share of them to the limit (1,001), so in a bank that holds
#: a few per cent of a common phrase's 25,000 matches it reads all of them (130-390 ms
#: for banks of 5,000-10,000 items beside 100,000), while scoring the bank's own versions
#: costs about 4 µs an item (44-107 ms at 10,000, under load): measured with
#: ``bench/search_banks.py``, where at 20,000 items it no longer paid. One word's path
#: and the text filter keep :data:`SMALL_BANK` (there the two paths were even, or the
#: index's matches cheaper, for banks of 5,000-20,000).
SEVERAL_WORDS_BANK = 10_000


def _small_bank(bank: Bank, words: relevance.WordQuery | None = None) -> bool:
    """Whether ``bank`` has at most :data:`SMALL_BANK` items (for the relevance order
    of several words on PostgreSQL: :data:`SEVERAL_WORDS_BANK`)."""
    limit = SMALL_BANK
    if words is not None and words.by_single_cover:
        limit = max(limit, SEVERAL_WORDS_BANK)
    return _bank_items(bank) <= limit


def _bank_items(bank: Bank) -> int:
    """How many items ``bank`` has at most: its item counter (:data:`_BANK_ITEMS_FOUND`;
    the API's listing has the bank's id and code alone); on PostgreSQL asked once per
    listing, with its first statement."""
    state = _POSTGRES_LISTING.get()
    if state is not None and state.bank_items is not None:
        return state.bank_items
    found = _bank_items_value(
        db.session.scalar(sa.text(f"SELECT {_BANK_ITEMS_FOUND}"), _bank_items_parameters(bank))
    )
    if state is not None:
        state.bank_items = found
    return found


#: How many items the bank ``:bank_items_id`` has at most, as a column of a SELECT: its
#: item counter (an item's number is the counter's next value and items are never
#: deleted, so it is never below the count: a primary-key look-up instead of counting
#: the bank's index up to the limits above).
_BANK_ITEMS_FOUND = (
    f"(SELECT bank_items.item_counter FROM {Bank.__table__.name} AS bank_items "
    "WHERE bank_items.id = :bank_items_id)"
)


def _bank_items_parameters(bank: Bank) -> dict[str, int]:
    """The parameters of :data:`_BANK_ITEMS_FOUND` for ``bank``."""
    return {"bank_items_id": bank.id}


def _bank_items_value(found: int | None) -> int:
    """:data:`_BANK_ITEMS_FOUND`'s value as a number of items (no bank: none small)."""
    return sys.maxsize if found is None else found


def _small_bank_first_tier_page(
    bank: Bank,
    filters: ItemFilters,
    only_approved: bool,
    base: _Filtered,
    words: relevance.WordQuery,
    contains: sa.ColumnElement[bool],
    start: int,
    size: int,
) -> tuple[list[int], int | None]:
    """A small bank (:func:`_small_bank`): the first tier's page and count as
    scoring every match gives them (:func:`_sqlite_first_tier_page`,
    :func:`_first_tier_page` and the one- and several-word pages that find the same),
    with the score computed only for the bank's own listed versions.

    A small bank beside a big one holds few of a common word's matches (of 24,000 at
    100,000 items, a 100-item bank has about 20), so the cut at the best scores of
    every bank keeps none of them, and every match was scored and joined to the
    listing: on SQLite a 100-item bank's page cost twice the big bank's; on PostgreSQL
    several words' page, whose parts each read the word index's matches of every bank,
    cost more than the big bank's (47-59 ms at 100,000 items). Here the candidates are
    the bank's listed versions that the other filters keep (read from the bank's own
    index, at most :data:`SEVERAL_WORDS_BANK`): the engine scores the matches among them alone
    (``WordQuery.scored_among``), each score the one every match's scoring gives
    (FTS5's with the statistics of the whole index; ``ts_rank_cd`` needs none), so the
    page (best score first, ties in the default order) and the count (every match of
    the bank, up to one past :data:`COUNT_LIMIT`) are the same."""
    own = _filtered(bank, filters, only_approved, text=False, with_version=True)
    scored = words.scored_among(own.ids.with_only_columns(own.listed_id))
    first = base.ids.join(scored, scored.c.version_id == base.listed_id).where(contains)
    if words.sqlite:
        matched = words.sqlite_matched()
        # "+ 0": each of the bank's versions checked among the matches (gathered once),
        # rather than the matches looked up one by one; no bm25() for the count.
        unscored = own.ids.where((own.listed_id + 0).in_(sa.select(matched.c.version_id)), contains)
    else:
        # The bank's matches scored once, in the CTE the page and the count both read.
        unscored = first
    in_first = _counted(unscored).scalar_subquery()
    return _tier_page(first, scored, base.order, start, size, in_first, unscored)


def _cut_score(scored: Any, wanted: int) -> Any:
    """The score of the best few hundred of ``scored`` (of every bank), enough for
    ``wanted`` rows (:data:`MIN_CANDIDATES`, :data:`CANDIDATES_PER_ROW`): a scalar
    subquery of a CTE computed once, NULL when there are fewer."""
    cut = (
        sa.select(scored.c.score)
        .order_by(scored.c.score.desc())
        .limit(1)
        .offset(max(MIN_CANDIDATES, CANDIDATES_PER_ROW * wanted))
        .cte("word_cut")
        .prefix_with("MATERIALIZED")
    )
    return sa.select(cut.c.score).scalar_subquery()


#: PostgreSQL's settings for the relevance order's first tier (:func:`_cached_lookups`),
#: local to the transaction and set back after it: a random read priced as the cached
#: read it is (the usual figure for data in memory or on SSD, instead of the default 4,
#: which is a disk's).
_FIRST_TIER_SETTINGS = (("random_page_cost", "1.1"),)
#: And for several words' first tier (:func:`_several_words_first_tier_page`) when its
#: page lies within :data:`LOOKUP_ROWS`: no parallel workers, and joins as look-ups only.
#: Its statement counts the tier to the limit (1,001) from the word index's matches;
#: the planner takes words found together (a phrase's) as independent, expects a
#: sixth of their matches (3,680 of 24,000 for ``rapat koordinasi``), and so planned
#: either parallel workers, which overshoot the limit (each reads ahead into its queue:
#: 3,300 look-ups to count 1,001, in three processes, each started for the statement),
#: or, without workers, a hash or a sort of all 24,000 matches. Without workers, hash
#: and merge joins, it looks the matches up one by one and stops at the limit.
_LOOKUP_SETTINGS = (
    ("max_parallel_workers_per_gather", "0"),
    ("enable_hashjoin", "off"),
    ("enable_mergejoin", "off"),
)
#: Several words' first tier is planned with :data:`_LOOKUP_SETTINGS` when the listing
#: filters by the text alone and the tier joins at most this many of the repeating
#: versions to the listing (the cut's rank for the rows the page needs:
#: :func:`_cut_score`), which look-ups join best whatever the bank's size. Deeper pages
#: join more (every repeating version, when the cut's rank is past them all), which in
#: a small bank a hash of its items joins best; and other filters (a type, a status, a
#: node) may keep few of the matches, which the count would then look up one by one
#: (every match of the words, 24,000 look-ups where a hash join reads the bank's
#: items once): both planned as before.
LOOKUP_ROWS = 1_000
#: Every setting the first tier may change, read before and set back after it.
_TIER_SETTING_NAMES = tuple(name for name, _ in _FIRST_TIER_SETTINGS + _LOOKUP_SETTINGS)
#: Their current values, as columns of a SELECT.
_TIER_SETTINGS_NOW = ", ".join(
    f"current_setting('{name}') AS previous_{n}" for n, name in enumerate(_TIER_SETTING_NAMES)
)


def _joins_as_lookups(filters: ItemFilters) -> bool:
    """Whether several words' first tier for this listing is planned with
    :data:`_LOOKUP_SETTINGS` (:data:`LOOKUP_ROWS`)."""
    wanted = _start(filters) + filters.per_page
    return _unfiltered(dataclasses.replace(filters, q=None)) and (
        max(MIN_CANDIDATES, CANDIDATES_PER_ROW * wanted) <= LOOKUP_ROWS
    )


def _set_configs(settings: tuple[tuple[str, str], ...]) -> str:
    """``settings`` set for the rest of the transaction, as one value of a SELECT."""
    return "ROW(" + ", ".join(f"set_config('{n}', '{v}', true)" for n, v in settings) + ")::text"


@contextlib.contextmanager
def _cached_lookups(*, lookups: bool = False) -> Iterator[None]:
    """PostgreSQL, for the statements inside: :data:`_FIRST_TIER_SETTINGS` (and with
    ``lookups`` :data:`_LOOKUP_SETTINGS`). A random read is priced as the cached read
    it is (``random_page_cost`` 1.1), so joining the few thousand versions that repeat
    a word to the listing is planned as look-ups in the items' index (a few ms) rather
    than as a hash of every item (40-60 ms at 100,000 items); the same for the best few
    hundred of several words' matches (:func:`_first_tier_page`). With ``lookups``,
    the first tier's count to the limit walks the word index's matches in one process,
    one look-up each, and stops at the limit."""
    if db.session.get_bind().dialect.name != "postgresql":
        yield
        return
    state = _POSTGRES_LISTING.get()
    if state is not None and state.tier_settings is not None:
        # Set by the listing's first statement (_word_query), which read them before.
        previous, state.tier_settings = state.tier_settings, None
    else:
        previous = tuple(db.session.execute(sa.text(f"SELECT {_TIER_SETTINGS_NOW}")).one())
        settings = _FIRST_TIER_SETTINGS + (_LOOKUP_SETTINGS if lookups else ())
        db.session.execute(sa.text(f"SELECT {_set_configs(settings)}"))
    yield
    # Local to the transaction: after an error it ends with it, as the rollback does.
    _set_back(previous)


def _set_back(previous: tuple[str, ...]) -> None:
    """Set every setting of the first tier back to ``previous`` (one statement)."""
    columns = ", ".join(
        f"set_config('{name}', :previous_{n}, true)" for n, name in enumerate(_TIER_SETTING_NAMES)
    )
    db.session.execute(
        sa.text(f"SELECT {columns}"), {f"previous_{n}": value for n, value in enumerate(previous)}
    )


def _word_query(bank: Bank, needle: str, *, lookups: bool) -> relevance.WordQuery | None:
    """:func:`relevance.word_query`; on PostgreSQL in one statement with what the
    relevance listing would otherwise send on its own before its first tier:
    :func:`_plan_for_these_values`'s settings, the trigram index's check
    (:func:`_postgres_search_index`), and :func:`_cached_lookups`'s settings read and
    (with the word index: the first tier follows) set, :data:`_LOOKUP_SETTINGS` too for
    several words when ``lookups`` (:func:`_joins_as_lookups`), and how many items
    ``bank`` has (:func:`_bank_items`). One round trip instead of six."""
    state = _POSTGRES_LISTING.get()
    if state is None or state.planned or state.tier_settings is not None:
        return relevance.word_query(needle)
    words = relevance.query_words(needle)
    if not words:
        return None
    # The previous values are read in a subquery kept apart ("OFFSET 0"), so they are
    # read before the outer row sets them.
    previous = ", ".join(f"now.previous_{n}" for n in range(len(_TIER_SETTING_NAMES)))
    row = db.session.execute(
        sa.text(
            f"SELECT {relevance.POSTGRES_WORD_CHECK}, {_TRIGRAM_INDEX_FOUND}, "
            f"{_BANK_ITEMS_FOUND}, {_PLAN_FOR_THESE_VALUES}, {previous}, "
            "CASE WHEN to_regclass(:relevance_word_index) IS NOT NULL "
            f"THEN {_set_configs(_FIRST_TIER_SETTINGS)} END, "
            "CASE WHEN to_regclass(:relevance_word_index) IS NOT NULL "
            f"AND :lookups AND {relevance.POSTGRES_SINGLE_COVER} "
            f"THEN {_set_configs(_LOOKUP_SETTINGS)} END "
            f"FROM (SELECT {_TIER_SETTINGS_NOW} OFFSET 0) AS now"
        ),
        {
            **relevance.postgres_word_check_parameters(words),
            "trigram_index": POSTGRES_SEARCH_INDEX,
            **_bank_items_parameters(bank),
            "lookups": lookups,
        },
    ).one()
    found = relevance.postgres_word_query(words, *row[:3])
    state.planned, state.trigram_index = True, row[3]
    state.bank_items = _bank_items_value(row[4])
    if found is not None:
        state.tier_settings = tuple(row[7 : 7 + len(_TIER_SETTING_NAMES)])
    return found


def _one_word_first_tier_page(
    base: _Filtered,
    words: relevance.WordQuery,
    contains: sa.ColumnElement[bool],
    start: int,
    size: int,
) -> tuple[list[int], int]:
    """The first tier's page for one word on PostgreSQL (:attr:`relevance.WordQuery.
    by_repeats`), as :func:`_first_tier_page` finds it, and how many rows the first tier
    has (up to one past :data:`COUNT_LIMIT`; exact below it).

    The word (one lexeme) scores one tenth per occurrence: the versions that have it twice or more
    (a GIN index of their own, a few of a common word's matches) are scored and come
    first; every other match scores the lowest, the same for all, so they follow in the
    listing's default order, read from the word index (no score) only when the page
    reaches past the repeated ones. The tier's count, too, is of the word index's
    matches without a score, stopping at the limit."""
    scored = words.scored(repeated=True)
    repeated = base.ids.join(scored, scored.c.version_id == base.listed_id).where(contains)
    matched = words.matched()
    # The tier's count, up to the limit, from the word index's matches (no score).
    every = base.ids.join(matched, matched.c.version_id == base.listed_id).where(contains)
    in_first = _counted(every).scalar_subquery().label("in_first")
    rows = db.session.execute(
        repeated.order_by(scored.c.score.desc(), *base.order)
        .limit(size)
        .offset(start)
        .add_columns(in_first)
    ).all()
    page_ids = [row[0] for row in rows]
    first_count = rows[0].in_first if rows else db.session.scalar(sa.select(in_first))
    if not page_ids and first_count > COUNT_LIMIT:
        # Past the first tier's end, beyond the limit: the second tier starts after
        # all of it.
        first_count = db.session.scalar(sa.select(sa.func.count()).select_from(every.subquery()))
    if len(page_ids) < size:
        # Past the repeated ones: how many there are (counted only when the page has
        # none of them).
        in_repeated = start + len(page_ids)
        if not page_ids and start:
            in_repeated = db.session.scalar(
                sa.select(sa.func.count()).select_from(repeated.subquery())
            )
        once_matched = words.matched(once=True)
        once = base.ids.join(once_matched, once_matched.c.version_id == base.listed_id).where(
            contains
        )
        page_ids += db.session.scalars(
            once.order_by(*base.order)
            .limit(size - len(page_ids))
            .offset(max(0, start - in_repeated))
        )
    return page_ids, first_count


def _several_words_first_tier_page(
    base: _Filtered,
    words: relevance.WordQuery,
    contains: sa.ColumnElement[bool],
    start: int,
    size: int,
) -> tuple[list[int], int]:
    """The first tier's page for several words on PostgreSQL (:attr:`relevance.
    WordQuery.by_single_cover`), as :func:`_first_tier_page` finds it (every match
    scored), and how many rows the first tier has (up to one past :data:`COUNT_LIMIT`;
    exact below it).

    A version that has each word once scores at most :data:`relevance.
    SINGLE_COVER_BEST` (``best`` below), so the tier falls in three parts, each read
    only as far as the page needs: the versions scored above ``best`` (all of them
    repeat a word: only those are scored, from the word index), best first; those
    scored ``best`` (most of a phrase's matches: the words stand together), in the
    default order, walked in that order and scored row by row; the rest (the words
    apart), scored only when the page reaches past the first two, in this bank."""
    wanted = start + size
    repeated = words.scored(repeated=True)
    best_score = sa.cast(relevance.SINGLE_COVER_BEST, sa.REAL)
    above = (
        base.ids.join(repeated, repeated.c.version_id == base.listed_id)
        .where(repeated.c.score > best_score)
        .where(contains)
    )
    above_order = [repeated.c.score.desc(), *base.order]
    matched = words.matched()
    every = base.ids.join(matched, matched.c.version_id == base.listed_id).where(contains)
    # The tier's count, up to the limit: past it already among the repeating versions
    # (scored in any case: a common phrase's, in a big bank), else every match counted.
    # Checked in that order, so the word index's matches (every bank's, 20,000 for
    # three common words) are read a second time only when the first count falls short.
    repeating = base.ids.join(repeated, repeated.c.version_id == base.listed_id).where(contains)
    in_first = sa.case(
        (_counted(repeating).scalar_subquery() > COUNT_LIMIT, COUNT_LIMIT + 1),
        else_=_counted(every).scalar_subquery(),
    ).label("in_first")
    # Those above, cut first (of every bank) at the score of the best few hundred, as
    # _first_tier_page cuts: when the kept ones fill the rows wanted, they are those
    # rows (one statement, with the tier's count).
    cut_score = _cut_score(repeated, wanted)
    rows = db.session.execute(
        above.order_by(*above_order)
        .limit(wanted)
        .add_columns(cut_score.label("cut"), in_first)
        .where(repeated.c.score >= sa.func.coalesce(cut_score, sa.literal(-1.0)))
    ).all()
    page_ids = [row[0] for row in rows]
    first_count = rows[0].in_first if rows else None
    if len(page_ids) < wanted:
        # The rest of the rows wanted, in one more statement: the others above (when
        # the cut left some out), then those scored ``best``, then the rest. Each part
        # is a CTE whose LIMIT is what the parts before it left of the rows wanted, and
        # a LIMIT of 0 reads nothing of its part (so a part the page does not reach
        # costs nothing); the rows come with their part and their rank in it.
        best, best_condition = words.single_cover_scored(best=True)
        rest, rest_condition = words.single_cover_scored(best=False)
        parts: list[tuple[sa.Select[Any], list[Any]]] = [
            (
                base.ids.join(best, best.c.version_id == base.listed_id).where(
                    best_condition, contains
                ),
                base.order,
            ),
            (
                base.ids.join(rest, rest.c.version_id == base.listed_id).where(
                    rest_condition, contains
                ),
                [rest.c.score.desc(), *base.order],
            ),
        ]
        if not (rows and rows[0].cut is None):  # something was cut (or nothing found)
            parts.insert(0, (above.where(repeated.c.score < cut_score), above_order))
        more, counted = _parts_in_order(parts, wanted - len(page_ids), None if rows else in_first)
        page_ids += more
        if first_count is None:
            first_count = counted
    page_ids = page_ids[start:]
    assert first_count is not None
    if not page_ids and first_count > COUNT_LIMIT:
        # Past the first tier's end, beyond the limit: the second tier starts after
        # all of it.
        first_count = db.session.scalar(sa.select(sa.func.count()).select_from(every.subquery()))
    return page_ids, first_count


def _parts_in_order(
    parts: list[tuple[sa.Select[Any], list[Any]]], wanted: int, count: Any
) -> tuple[list[int], int | None]:
    """The first ``wanted`` ids of ``parts`` (selects of item ids, each with its order)
    put one after the other, in one statement, and the value of ``count`` (a labelled
    scalar subquery, or None) read with them.

    Each part is a CTE limited to what the parts before it left of ``wanted``; a LIMIT
    of 0 reads nothing of its part, so the parts the rows do not reach cost nothing.
    The rows come with their part's number and their rank in it, and are put in order
    here (not left to the order in which the database appends the parts)."""
    left: Any = sa.literal(wanted, sa.Integer)
    read: list[Any] = []
    for number, (part, order) in enumerate(parts):
        ranked = (
            part.add_columns(
                sa.func.row_number().over(order_by=order).label("rank"),
                sa.literal(number, sa.Integer).label("part"),
            )
            .order_by(*order)
            .limit(left)
            .cte(f"tier_part_{number}")
        )
        read.append(sa.select(ranked.c.id, ranked.c.part, ranked.c.rank))
        left = left - sa.select(sa.func.count()).select_from(ranked).scalar_subquery()
    together = sa.union_all(*read).subquery("tier_parts")
    # One row at least (for the count), however many the parts hold.
    one = sa.select(sa.literal(1).label("one")).subquery("one")
    counted = count if count is not None else sa.null().label("in_first")
    rows = db.session.execute(
        sa.select(counted, together.c.id, together.c.part, together.c.rank).select_from(
            one.outerjoin(together, sa.true())
        )
    ).all()
    ranked_ids = sorted((row.part, row.rank, row.id) for row in rows if row.id is not None)
    return [item_id for _, _, item_id in ranked_ids], rows[0][0]


#: SQLite's trigram index of the versions' search text (migration 0015), where it exists.
SQLITE_SEARCH_TABLE = "item_version_search"
#: PostgreSQL's trigram index (pg_trgm) of the same text (migration 0010), where it exists.
POSTGRES_SEARCH_INDEX = "ix_item_version_search_text_trgm"
#: A filter whose index finds at most this many matching versions (of any bank) lists
#: them by id, so the page and the count read only them; with more, each row is
#: checked as the listing walks the bank (see :class:`_Narrowed`).
PREFETCH_LIMIT = 2_000
#: On PostgreSQL, a word the planner estimates in more versions than this is common:
#: checked row by row at once (a looser bound than PREFETCH_LIMIT: the estimate, from a
#: sample, can be several times off for a rare word, which must not be taken for a
#: common one and checked against every item of the bank).
COMMON_ESTIMATE = 10 * PREFETCH_LIMIT
#: A query that could be part of an item code ("47", "000047", "BIG-0000"; upper-cased
#: first): it also finds the items whose code contains it.
CODE_PART_RE = re.compile(r"[A-Z0-9-]*[0-9][A-Z0-9-]*")


def _text_or_code(bank: Bank, listed_id: Any, version: Any, query: str) -> _Narrowed:
    """The listed version's search text contains the query (normalised as the text is:
    :func:`itembank.operations.content.search_needle`), or, for a query with a digit,
    the item's code contains it ("47", "000047", "bank-0000"). The text is the version's
    derived plain text (``operations/content.search_text``), already lower-cased.

    The database's own text index says which versions contain the query: on SQLite the
    FTS5 trigram table of migration 0015 (a quoted phrase), on PostgreSQL the pg_trgm
    index of migration 0010 (``LIKE '%query%'``); both match exactly the substrings a
    plain substring search matches (queries of three characters or more; shorter ones,
    and databases without the index, are checked row by row). Few matches are listed
    by id; many (a common word) are checked row by row, which for a common word finds a
    page, or the count's limit, after a few rows each. On PostgreSQL a bank of at most
    :data:`SMALL_BANK` items is checked row by row whatever the query: reading its
    items' texts (1-2 ms for a hundred) costs less than looking up the index's
    matches in every bank (13-30 ms at 100,000 items)."""
    needle = search_needle(query)
    part = query.strip().upper()
    by_code = (
        Item.external_id.contains(part, autoescape=True) if CODE_PART_RE.fullmatch(part) else None
    )
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    row_match = _listed_text_contains(listed_id, needle, sqlite=sqlite, version=version)
    per_row = row_match if by_code is None else sa.or_(row_match, by_code)
    # PostgreSQL, a small bank: its items' texts checked row by row (at most
    # SMALL_BANK) cost less than the index's matches of every bank.
    found = (
        None if not sqlite and _small_bank(bank) else _indexed_text_matches(needle, sqlite=sqlite)
    )
    if found is None:
        return _Narrowed(per_row, reads_version=sqlite)
    coded: list[int] = []
    if by_code is not None:
        coded = list(
            db.session.scalars(
                sa.select(Item.id).where(Item.bank_id == bank.id, by_code).limit(PREFETCH_LIMIT + 1)
            )
        )
        if len(found) + len(coded) > PREFETCH_LIMIT:
            return _Narrowed(per_row, reads_version=sqlite)
    condition = _id_in(listed_id, {version_id for _, version_id in found})
    if coded:
        condition = sa.or_(condition, _id_in(Item.id, coded))
    return _Narrowed(condition, {item_id for item_id, _ in found} | set(coded))


def _contains(text: Any, needle: str, *, sqlite: bool) -> sa.ColumnElement[bool]:
    """``text`` contains ``needle``, an exact substring: SQLite's ``instr`` (its LIKE
    would also fold ASCII case), PostgreSQL's ``strpos`` (as LIKE '%...%' but about half
    the cost per row)."""
    return (sa.func.instr if sqlite else sa.func.strpos)(text, needle) > 0


def _listed_text_contains(
    listed_id: Any, needle: str, *, sqlite: bool, version: Any = _LISTED
) -> sa.ColumnElement[bool]:
    """The listed version's search text contains ``needle``, checked row by row: on
    SQLite in ``version`` (the listed version, joined by the caller); on PostgreSQL its
    text read per item (a correlated subquery), so that PostgreSQL walks the bank's
    items and stops at the page or the count's limit instead of hashing every item of
    the bank to join a common word's matches."""
    if sqlite:
        return _contains(version.search_text, needle, sqlite=True)
    text = sa.select(ItemVersion.search_text).where(ItemVersion.id == listed_id).scalar_subquery()
    return _contains(text, needle, sqlite=False)


def _indexed_text_matches(needle: str, *, sqlite: bool) -> list[tuple[int, int]] | None:
    """(item id, version id) of the versions (of any bank) whose search text contains
    ``needle``, found through the database's text index; None when there are more than
    :data:`PREFETCH_LIMIT`, where there is no index, or when the needle is too short
    for it (three characters)."""
    if len(needle) < 3:
        return None
    limit = PREFETCH_LIMIT + 1
    if sqlite:
        if not _sqlite_search_table():
            return None
        phrase = '"' + needle.replace('"', '""') + '"'
        # The index first, on its own (joined to the listing, SQLite's planner may
        # probe it once per item); then the versions it names.
        version_ids = list(
            db.session.execute(
                sa.text(
                    f"SELECT rowid FROM {SQLITE_SEARCH_TABLE} "
                    f"WHERE {SQLITE_SEARCH_TABLE} MATCH :phrase LIMIT :limit"
                ),
                {"phrase": phrase, "limit": limit},
            )
            .scalars()
            .all()
        )
        if len(version_ids) >= limit:
            return None
        return [
            (item_id, version_id)
            for item_id, version_id in db.session.execute(
                sa.select(ItemVersion.item_id, ItemVersion.id).where(
                    _id_in(ItemVersion.id, version_ids)
                )
            ).all()
        ]
    if not _postgres_search_index():
        return None
    matches = ItemVersion.search_text.contains(needle, autoescape=True)
    # The planner's estimate (from its statistics, in a millisecond) rules out a common
    # word: looking its matches up would read thousands of rows. It is only an
    # estimate, so a word it does not rule out is looked up, up to the limit.
    if _estimated_matches(needle) > COMMON_ESTIMATE:
        return None
    found = [
        (item_id, version_id)
        for item_id, version_id in db.session.execute(
            sa.select(ItemVersion.item_id, ItemVersion.id).where(matches).limit(PREFETCH_LIMIT + 1)
        ).all()
    ]
    return None if len(found) > PREFETCH_LIMIT else found


def _plan_for_these_values(bank: Bank) -> None:
    """On PostgreSQL, for the rest of this transaction: every statement planned for its
    own values, and no JIT compilation.

    The listing's right plan depends on the values: a node at a level with a few
    hundred versions is answered from its classifications, a large subtree by walking
    the bank. The driver prepares a statement it has run five times, after which
    PostgreSQL may plan it once for any values (a generic plan), which for these
    queries means reading every item of the bank (40 ms at 100,000 items instead of 3).
    And the planner cannot tell how soon a walk stops (how often a word occurs, how
    many items a subtree holds): it prices the walks as scans of the whole bank, past
    JIT's threshold, and would spend far longer compiling them than running them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    state = _POSTGRES_LISTING.get()
    if state is not None and state.planned:
        return
    # With the trigram index's check and the bank's size, which a text query
    # asks next (one round trip).
    row = db.session.execute(
        sa.text(f"SELECT {_PLAN_FOR_THESE_VALUES}, {_TRIGRAM_INDEX_FOUND}, {_BANK_ITEMS_FOUND}"),
        {"trigram_index": POSTGRES_SEARCH_INDEX, **_bank_items_parameters(bank)},
    ).one()
    if state is not None:
        state.planned, state.trigram_index = True, row[-2]
        state.bank_items = _bank_items_value(row[-1])


#: The settings of :func:`_plan_for_these_values`, as columns of a SELECT.
_PLAN_FOR_THESE_VALUES = (
    "set_config('plan_cache_mode', 'force_custom_plan', true), set_config('jit', 'off', true)"
)
#: Whether the trigram index exists, as a column of a SELECT (parameter ``trigram_index``).
_TRIGRAM_INDEX_FOUND = "to_regclass(:trigram_index) IS NOT NULL"


def _estimated_matches(needle: str) -> float:
    """PostgreSQL's estimate (EXPLAIN: planned, not run) of the versions whose search
    text contains ``needle``."""
    pattern = "%" + re.sub(r"([/%_])", r"/\1", needle) + "%"
    plan = db.session.execute(
        sa.text(
            "EXPLAIN (FORMAT JSON) SELECT id FROM item_version "
            "WHERE search_text LIKE :pattern ESCAPE '/'"
        ),
        {"pattern": pattern},
    ).scalar()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def _few(rows: sa.Select[Any]) -> bool:
    """Whether ``rows`` are at most :data:`PREFETCH_LIMIT` (counted in the database,
    which stops one past the limit)."""
    counted = sa.select(sa.func.count()).select_from(rows.limit(PREFETCH_LIMIT + 1).subquery())
    return (db.session.scalar(counted) or 0) <= PREFETCH_LIMIT


def _sqlite_search_table() -> bool:
    """Whether this database is SQLite with the search index of migration 0015."""
    if db.session.get_bind().dialect.name != "sqlite":
        return False
    return relevance.sqlite_has_table(SQLITE_SEARCH_TABLE)


def _postgres_search_index() -> bool:
    """Whether this PostgreSQL database has the trigram index of migration 0010 (in the
    schema the session works in): asked once per listing, with its other checks."""
    state = _POSTGRES_LISTING.get()
    if state is not None and state.trigram_index is not None:
        return state.trigram_index
    found = bool(
        db.session.scalar(
            sa.text(f"SELECT {_TRIGRAM_INDEX_FOUND}"), {"trigram_index": POSTGRES_SEARCH_INDEX}
        )
    )
    if state is not None:
        state.trigram_index = found
    return found


def _classified(bank: Bank, listed_id: Any, filters: ItemFilters) -> _Narrowed:
    """The listed version is classified under the node (or a descendant: its path
    starts with the node's path) and, if given, at the level.

    On PostgreSQL the condition is one ``EXISTS`` and the planner, from its statistics,
    picks how to answer it: a subtree with few classified versions (a node at a level)
    from the (node, level, version) index to the items listing them (the items'
    newest and approved version indexes, migration 0020); a large one by walking the
    bank in the listing's order, each item checked in the (version, node, level)
    index, stopping at the page or the count's limit.

    SQLite's planner does not weigh these well, so there the classifications that
    qualify are counted through the (node, level, version) index first, up to
    :data:`PREFETCH_LIMIT`: when few, those of the bank's listed versions are listed
    by id. Many (a large subtree) are not gathered at all: each listed version is
    checked for one as the listing walks the bank. Either way no query reads every
    version classified under a large subtree."""
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.level is not None:
        conditions.append(ItemClassification.level == filters.level)
    if filters.node:
        targets = _nodes(bank, filters.node, filters.taxonomy)
        if not targets:
            where = f" in taxonomy {filters.taxonomy!r}" if filters.taxonomy else ""
            raise InvalidInput(
                f"no taxonomy node {filters.node!r}{where}",
                [
                    {
                        "field": "node",
                        "message": f"Kode '{filters.node}' tidak dikenal.",
                        "message_en": f"Unknown node code '{filters.node}'.",
                    }
                ],
            )
        # The subtree's nodes (a taxonomy's few dozen at most), by their path's prefix.
        subtree = db.session.scalars(
            sa.select(TaxonomyNode.id).where(
                sa.or_(
                    *(
                        sa.and_(
                            TaxonomyNode.taxonomy_id == node.taxonomy_id,
                            TaxonomyNode.path.startswith(node.path, autoescape=True),
                        )
                        for node in targets
                    )
                )
            )
        ).all()
        conditions.append(ItemClassification.node_id.in_(sorted(subtree)))
    exists = sa.exists().where(ItemClassification.version_id == listed_id, *conditions)
    if db.session.get_bind().dialect.name == "postgresql":
        return _Narrowed(exists)
    # Counted through the node's index alone (every version of every bank): cheap, and
    # an upper bound of what this bank lists.
    if not _few(sa.select(ItemClassification.version_id).where(*conditions)):
        return _Narrowed(exists)
    # Only this bank's listed versions are gathered (not every version of every bank
    # classified there), so the listing's id lists hold only what it can show.
    found = db.session.execute(
        sa.select(ItemVersion.item_id, ItemClassification.version_id)
        .join(ItemVersion, ItemVersion.id == ItemClassification.version_id)
        .join(Item, Item.id == ItemVersion.item_id)
        .where(*conditions, Item.bank_id == bank.id, listed_id == ItemClassification.version_id)
    ).all()
    return _Narrowed(
        _id_in(listed_id, {version_id for _, version_id in found}),
        {item_id for item_id, _ in found},
    )


def _nodes(bank: Bank, code: str, taxonomy: str | None) -> list[TaxonomyNode]:
    taxonomies = visible_taxonomies(bank)
    if taxonomy:
        taxonomies = taxonomies.where(TaxonomyRecord.code == taxonomy)
    ids = taxonomies.with_only_columns(TaxonomyRecord.id).scalar_subquery()
    return list(
        db.session.scalars(
            sa.select(TaxonomyNode).where(
                TaxonomyNode.code == code, TaxonomyNode.taxonomy_id.in_(ids)
            )
        )
    )
