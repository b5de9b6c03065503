"""Items very similar to an item being written: a warning, never a refusal.

Similarity is the Jaccard index of word 3-shingles (sequences of three words) of the
versions' *search text* (:func:`itembank.operations.content.search_text`: the plain,
lower-cased text of the stem and options), so a copy with a changed number or a
reworded option still scores high, while two items that share a topic do not.
Texts of fewer than three words compare their sets of words.

The cost is bounded, never a scan of every pair in the bank:

1. **Prefilter in the database.** Candidates are the newest versions of the bank's
   other items whose search text contains the two *longest* words of the new text
   (longer words are rarer; an item that shares neither is not a near-copy). On
   PostgreSQL the trigram index on ``item_version.search_text`` answers these
   ``LIKE`` conditions; elsewhere the database scans the bank's rows itself.
2. **At most** :data:`MAX_CANDIDATES` rows come back (their id and text only), and
   only those are compared in Python.

Exact copies (the same type, stem, content and metadata: the same ``content_hash``)
are found through the index on ``content_hash``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import Bank, Item, ItemVersion

#: Pairs at or above this similarity are reported.
THRESHOLD = 0.5
#: The most candidate rows one check reads from the database.
MAX_CANDIDATES = 200
#: The most similar items reported.
MAX_REPORTED = 5
#: Words shorter than this are not used to find candidates.
MIN_KEY_WORD = 4

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SimilarItem:
    external_id: str
    version: int
    status: str
    similarity: float  # 0..1
    exact: bool = False
    item_id: int | None = None

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)

    def as_dict(self) -> dict[str, object]:
        return {
            "item": self.external_id,
            "version": self.version,
            "status": self.status,
            "similarity": round(self.similarity, 3),
            "exact": self.exact,
        }


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shingles(text: str, size: int = 3) -> frozenset[tuple[str, ...]]:
    """The word ``size``-shingles of ``text`` (its words as 1-tuples when shorter)."""
    found = words(text)
    if len(found) < size:
        return frozenset((w,) for w in found)
    # zip of the list and its shifted copies (the shorter ones end it): the same
    # tuples, built in C.
    return frozenset(zip(*(found[i:] for i in range(size)), strict=False))


@lru_cache(maxsize=1024)
def text_shingles(text: str) -> frozenset[tuple[str, ...]]:
    """:func:`shingles` of a stored search text, remembered (at most 1,024 texts, about
    10 MB): a draft is compared with up to :data:`MAX_CANDIDATES` texts every time it
    is read, mostly the same ones (the bank's newest items of its type)."""
    return shingles(text)


def jaccard(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def key_words(text: str, count: int = 2) -> list[str]:
    """The ``count`` longest distinct words of ``text`` (ties: the first ones)."""
    seen: dict[str, int] = {}
    for index, word in enumerate(words(text)):
        if len(word) >= MIN_KEY_WORD and word not in seen:
            seen[word] = index
    ranked = sorted(seen, key=lambda w: (-len(w), seen[w]))
    return ranked[:count]


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def similar_items(
    bank: Bank,
    text: str,
    *,
    item_type: str,
    exclude_item_id: int | None = None,
    threshold: float = THRESHOLD,
) -> list[SimilarItem]:
    """The bank's items of ``item_type`` whose newest version's search text is at least
    ``threshold`` similar to ``text``, most similar first (at most
    :data:`MAX_REPORTED`). ``exclude_item_id``: the item being written."""
    keys = key_words(text)
    if not keys:
        return []
    mine = text_shingles(text)
    query = (
        sa.select(Item.external_id, ItemVersion.number, ItemVersion.status, ItemVersion.search_text)
        .join(ItemVersion, ItemVersion.id == Item.newest_version_id)
        .where(Item.bank_id == bank.id, Item.item_type == item_type)
        .where(*(ItemVersion.search_text.like(_like(word), escape="\\") for word in keys))
        .order_by(Item.id.desc())
        .limit(MAX_CANDIDATES)
    )
    if exclude_item_id is not None:
        query = query.where(Item.id != exclude_item_id)
    found = []
    size = len(mine)
    for external_id, number, status, other in db.session.execute(query):
        theirs = text_shingles(other)
        # Jaccard is at most the smaller set's size over the larger's: a text of very
        # different length cannot reach the threshold, without comparing shingles.
        if min(size, len(theirs)) < threshold * max(size, len(theirs)):
            continue
        score = jaccard(mine, theirs)
        if score >= threshold:
            found.append(
                SimilarItem(external_id, number, status, score, exact=other == text and bool(text))
            )
    found.sort(key=lambda s: (-s.similarity, s.external_id))
    return found[:MAX_REPORTED]


def item_types_in(bank: Bank) -> set[str]:
    """The item types ``bank`` has items of (only they can have near-copies)."""
    query = sa.select(Item.item_type).where(Item.bank_id == bank.id).distinct()
    return set(db.session.scalars(query))


def similar_to_version(version: ItemVersion) -> list[SimilarItem]:
    """:func:`similar_items` for a stored version (its own item left out)."""
    item = version.item
    return similar_items(
        item.bank, version.search_text, item_type=item.item_type, exclude_item_id=item.id
    )


def exact_copies(bank: Bank, hashes: Iterable[str]) -> dict[str, SimilarItem]:
    """Content hash -> an item of ``bank`` one of whose versions has it (the newest
    such item), for the hashes given; looked up 500 at a time through the index."""
    wanted = sorted(set(hashes))
    found: dict[str, SimilarItem] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = db.session.execute(
            sa.select(
                ItemVersion.content_hash,
                Item.external_id,
                ItemVersion.number,
                ItemVersion.status,
                Item.id,
            )
            .join(Item, Item.id == ItemVersion.item_id)
            .where(Item.bank_id == bank.id, ItemVersion.content_hash.in_(chunk))
            .order_by(Item.id, ItemVersion.number)
        )
        for content_hash, external_id, number, status, item_id in rows:
            found[content_hash] = SimilarItem(
                external_id, number, status, 1.0, exact=True, item_id=item_id
            )
    return found
