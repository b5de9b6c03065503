"""The item listing's relevance order for a text query (``sort=relevance``).

What a text query finds does not change with the order: the versions whose search text
contains the query as typed, an exact substring (``reads._text_or_code``, through the
trigram indexes), and for a query with a digit the items whose code contains it. The
relevance order sorts those in two tiers:

1. the versions where every word of the query is a whole word of the text (and the
   query is in it as a substring, as for every result), by the database's own
   full-text score, best first;
2. the rest, where the query is only inside words (``koordinasi`` in
   ``berkoordinasi``), and the items found by their code alone;

ties, and the whole of the second tier, in the listing's default order (most recently
changed first, then the newest item), so pages are stable.

The words come from the databases' word indexes of the search text (migration 0022):
on PostgreSQL the narrow side table ``item_version_search_words`` (a version's
``tsvector``, configuration ``simple``: lower-cased words, no stemming, as Indonesian
needs; kept in step by a trigger) with its GIN index, scored by ``ts_rank_cd`` (cover
density: more occurrences, and the words closer together, score higher); on SQLite
the FTS5 table ``item_version_search_words`` (``unicode61``, diacritics kept), scored
by ``bm25()`` (occurrences, weighed by the text's length). Both read only what the
index matches: no text is parsed per row. For one word PostgreSQL scores only the
versions that repeat it (:attr:`WordQuery.by_repeats`): a common word's other matches
all score the lowest, alike.
Where the word index is missing (an SQLite without FTS5), every result is in the
second tier: the default order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from itembank.extensions import db

#: The ``sort`` value of the relevance order (valid only with a text query).
RELEVANCE = "relevance"
#: The word table (migration 0022), where it exists: SQLite's FTS5 table, PostgreSQL's
#: side table of (``version_id``, tsvector).
WORD_TABLE = "item_version_search_words"
#: PostgreSQL's tsvector column of the word table, and its GIN index.
POSTGRES_WORD_COLUMN = "search_vector"
POSTGRES_WORD_INDEX = f"ix_{WORD_TABLE}_vector"
#: The word table's stripped tsvector of the words a version has twice or more.
POSTGRES_REPEATED_COLUMN = "repeated"
#: A word of a query: letters and digits (what both word tokenizers keep together).
WORD_RE = re.compile(r"[^\W_]+")
#: PostgreSQL's word table (not in the models: SQLite has no tsvector).
_WORDED = sa.table(
    WORD_TABLE,
    sa.column("version_id", sa.Integer),
    sa.column(POSTGRES_WORD_COLUMN),
    sa.column(POSTGRES_REPEATED_COLUMN),
)
#: The query's words as a PostgreSQL text-search query: all of them (``simple``).
_TSQUERY = "plainto_tsquery('simple', :relevance_words)"
#: The same words, any of them (the lexemes ``plainto_tsquery`` made, joined by OR).
_ANY_TSQUERY = f"replace(CAST({_TSQUERY} AS text), ' & ', ' | ')::tsquery"
#: ``ts_rank_cd``'s score of one cover of the words with no other word inside it (its
#: most; every word of a ``to_tsvector`` has the lowest weight, D, worth 0.1): what a
#: version scores at best when none of the words is in it twice
#: (:attr:`WordQuery.by_single_cover`).
SINGLE_COVER_BEST = 0.1


@dataclass(frozen=True)
class WordQuery:
    """The words of a text query, as one of the database's word indexes reads them."""

    words: tuple[str, ...]
    sqlite: bool
    #: PostgreSQL: the words make a query of one lexeme (``numnode`` 1).
    one_lexeme: bool = False
    #: PostgreSQL: the words' query is lexemes joined by AND, nothing else (no phrase).
    and_only: bool = False

    @property
    def by_repeats(self) -> bool:
        """One word on PostgreSQL: ``ts_rank_cd`` scores it one tenth per occurrence, so
        every match that has the word once scores the lowest, all the same, and only the
        versions that repeat it (the word table's ``repeated`` column, with a GIN index
        of its own) need scoring (``reads._one_word_first_tier_page``)."""
        return not self.sqlite and self.one_lexeme

    @property
    def by_single_cover(self) -> bool:
        """Several words on PostgreSQL (lexemes joined by AND): ``ts_rank_cd`` adds, for
        each cover (a shortest stretch of the text holding every word), 0.1 divided by
        one more than the other words inside it. A version where each word is once has
        one cover, so it scores at most :data:`SINGLE_COVER_BEST`, exactly that when
        the words stand together (as a query found as one substring mostly has them).
        Only the versions that repeat one of the words (the ``repeated`` column's GIN
        index) can score more: those are scored, and the rest are read in the listing's
        default order, scored row by row until the page is full
        (``reads._several_words_first_tier_page``)."""
        return not self.sqlite and not self.one_lexeme and self.and_only

    def _scored_sql(self, *, repeated: bool = False) -> str:
        if self.sqlite:
            # bm25() is lower for better matches: negated, so higher is better on both.
            return (
                f"SELECT rowid AS version_id, -bm25({WORD_TABLE}) AS score "
                f"FROM {WORD_TABLE} WHERE {WORD_TABLE} MATCH :relevance_words"
            )
        scored = (
            f"SELECT version_id, ts_rank_cd({POSTGRES_WORD_COLUMN}, {_TSQUERY}) AS score "
            f"FROM {WORD_TABLE} "
        )
        if not repeated:
            return scored + f"WHERE {POSTGRES_WORD_COLUMN} @@ {_TSQUERY}"
        if self.one_lexeme:
            return scored + f"WHERE {POSTGRES_REPEATED_COLUMN} @@ {_TSQUERY}"
        # Several words: every word, one of them at least twice.
        return scored + (
            f"WHERE {POSTGRES_REPEATED_COLUMN} @@ {_ANY_TSQUERY} "
            f"AND {POSTGRES_WORD_COLUMN} @@ {_TSQUERY}"
        )

    def _parameter(self) -> str:
        if self.sqlite:
            # Each word a quoted FTS5 string (the words hold no quotes): all of them.
            return " ".join(f'"{word}"' for word in self.words)
        return " ".join(self.words)

    def scored(self, *, repeated: bool = False) -> Any:
        """The versions (of any bank) whose text has every word, with their score
        (higher is better): a CTE computed once, from the word index alone.
        ``repeated``: only the versions that have the word (one of the words, for
        several) twice or more (:attr:`by_repeats`, :attr:`by_single_cover`)."""
        return (
            sa.text(self._scored_sql(repeated=repeated))
            .bindparams(relevance_words=self._parameter())
            .columns(version_id=sa.Integer, score=sa.Float)
            .cte("word_matches")
            .prefix_with("MATERIALIZED")
        )

    def matched(self, *, once: bool = False) -> Any:
        """PostgreSQL: the versions (of any bank) whose text has every word, unscored:
        a subquery the planner may stop reading early (a count up to a limit).
        ``once``: only those that have the word exactly once (:attr:`by_repeats`)."""
        words = _WORDED.alias("once_words" if once else "all_words")
        query = self._tsquery()
        found = sa.select(words.c.version_id).where(words.c[POSTGRES_WORD_COLUMN].op("@@")(query))
        if once:
            found = found.where(~words.c[POSTGRES_REPEATED_COLUMN].op("@@")(query))
        return found.subquery("word_once" if once else "word_matched")

    def _tsquery(self) -> Any:
        return sa.func.plainto_tsquery(sa.literal_column("'simple'"), self._parameter())

    def single_cover_scored(self, *, best: bool) -> tuple[Any, Any]:
        """PostgreSQL (:attr:`by_single_cover`): the word table's rows (of any bank)
        that have every word, as a subquery of ``version_id`` and ``score``, with the
        condition on the score: ``best``, it is :data:`SINGLE_COVER_BEST` (the most a
        version that has each word once scores); else below it. Scored row by row: for
        the rows the caller reads."""
        words = _WORDED.alias("cover_words")
        query = self._tsquery()
        score = sa.func.ts_rank_cd(words.c[POSTGRES_WORD_COLUMN], query, type_=sa.REAL)
        found = sa.select(words.c.version_id, score.label("score")).where(
            words.c[POSTGRES_WORD_COLUMN].op("@@")(query)
        )
        scored = found.subquery("cover_scored")
        best_score = sa.cast(SINGLE_COVER_BEST, sa.REAL)
        condition = scored.c.score == best_score if best else scored.c.score < best_score
        return scored, condition

    def sqlite_matched(self) -> Any:
        """SQLite: the versions (of any bank) whose text has every word, unscored (no
        ``bm25()``, which costs most of a common word's statement): a subquery of
        ``version_id``."""
        return (
            sa.text(f"SELECT rowid AS version_id FROM {WORD_TABLE} WHERE {WORD_TABLE} MATCH :w")
            .bindparams(w=self._parameter())
            .columns(version_id=sa.Integer)
            .subquery("word_matched")
        )

    def scored_among(self, candidates: Any) -> Any:
        """:meth:`scored` for the matches among ``candidates`` (a select of version ids)
        alone: a CTE computed once, each score the one :meth:`scored` gives. SQLite:
        ``bm25()`` is computed only for them, with the statistics of the whole index;
        the ids are gathered once and checked as FTS5 reads its matches ("+ 0": never
        looked up in the index one by one, which would make FTS5 start its statistics
        again for each). PostgreSQL: ``ts_rank_cd`` reads nothing but the version's own
        words, so each candidate's row of the word table is read by its key and
        checked and scored there, and the word index's matches of other versions are
        never read (a common word has tens of thousands)."""
        if not self.sqlite:
            words = _WORDED.alias("among_words")
            # "OFFSET 0": the candidates' rows read apart, and the match checked on
            # them; never the GIN index's matches of every bank joined to the
            # candidates (the planner takes a phrase's words as independent, expects
            # a sixteenth of the 20,000 matches of three common words, and would start
            # from them).
            own = (
                sa.select(words.c.version_id, words.c[POSTGRES_WORD_COLUMN].label("vector"))
                .where(words.c.version_id.in_(candidates))
                .offset(0)
                .subquery("own_words")
            )
            query = self._tsquery()
            return (
                sa.select(
                    own.c.version_id,
                    sa.func.ts_rank_cd(own.c.vector, query, type_=sa.REAL).label("score"),
                )
                .where(own.c.vector.op("@@")(query))
                .cte("word_matches")
                .prefix_with("MATERIALIZED")
            )
        return (
            sa.select(
                sa.literal_column("rowid").label("version_id"),
                sa.literal_column(f"-bm25({WORD_TABLE})", sa.Float).label("score"),
            )
            .select_from(sa.table(WORD_TABLE))
            .where(
                sa.literal_column(WORD_TABLE).op("MATCH")(
                    sa.bindparam("relevance_words", self._parameter())
                ),
                (sa.literal_column("rowid", sa.Integer) + 0).in_(candidates),
            )
            .cte("word_matches")
            .prefix_with("MATERIALIZED")
        )

    def lacking(self, listed_id: Any) -> sa.ColumnElement[bool]:
        """The version ``listed_id`` lacks one of the words at least (checked per row:
        on SQLite against the word index's matches, gathered once; on PostgreSQL in the
        version's row of the word table)."""
        if self.sqlite:
            matched = sa.text(
                f"SELECT rowid FROM {WORD_TABLE} WHERE {WORD_TABLE} MATCH :relevance_words"
            ).bindparams(relevance_words=self._parameter())
            return listed_id.not_in(matched.columns(rowid=sa.Integer))
        words = _WORDED.alias("worded")
        return ~sa.exists().where(
            words.c.version_id == listed_id,
            words.c[POSTGRES_WORD_COLUMN].op("@@")(self._tsquery()),
        )


def sqlite_has_table(name: str) -> bool:
    """Whether this SQLite database has the table (or virtual table) ``name``."""
    return (
        db.session.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
            {"name": name},
        ).first()
        is not None
    )


#: The words make a query of one lexeme; their query is lexemes joined by AND (SQL).
_ONE_LEXEME = f"numnode({_TSQUERY}) = 1"
_AND_ONLY = f"querytree({_TSQUERY}) ~ '^''[^'']+''( & ''[^'']+'')*$'"
#: PostgreSQL's check of a query's words, as three columns of a SELECT (parameters:
#: :func:`postgres_word_check_parameters`): the word index exists, the words make one
#: lexeme, and their query is lexemes joined by AND. A caller with statements of its own
#: to send first (``reads``) folds these into one of them: one round trip, not two.
POSTGRES_WORD_CHECK = f"to_regclass(:relevance_word_index) IS NOT NULL, {_ONE_LEXEME}, {_AND_ONLY}"
#: PostgreSQL: the words are read as :attr:`WordQuery.by_single_cover` reads them (several
#: lexemes joined by AND), as a condition in SQL (the parameters of
#: :data:`POSTGRES_WORD_CHECK`).
POSTGRES_SINGLE_COVER = f"NOT {_ONE_LEXEME} AND {_AND_ONLY}"


def postgres_word_check_parameters(words: tuple[str, ...]) -> dict[str, str]:
    """The parameters of :data:`POSTGRES_WORD_CHECK` for ``words``."""
    return {
        "relevance_word_index": POSTGRES_WORD_INDEX,
        "relevance_words": WordQuery(words, sqlite=False)._parameter(),
    }


def postgres_word_query(
    words: tuple[str, ...], found: bool, one_lexeme: bool, and_only: bool
) -> WordQuery | None:
    """The :class:`WordQuery` of ``words`` on PostgreSQL from :data:`POSTGRES_WORD_CHECK`'s
    columns (None without the word index)."""
    if not found:
        return None
    return WordQuery(words, sqlite=False, one_lexeme=one_lexeme, and_only=and_only)


def query_words(needle: str) -> tuple[str, ...]:
    """The distinct words of ``needle`` (a query normalised as the search text is), in
    their order."""
    return tuple(dict.fromkeys(WORD_RE.findall(needle)))


def word_query(needle: str) -> WordQuery | None:
    """The words of ``needle`` (a query normalised as the search text is), or None when
    it has none or the database has no word index."""
    words = query_words(needle)
    if not words:
        return None
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        return WordQuery(words, sqlite=True) if sqlite_has_table(WORD_TABLE) else None
    if dialect == "postgresql":
        row = db.session.execute(
            sa.text(f"SELECT {POSTGRES_WORD_CHECK}"), postgres_word_check_parameters(words)
        ).one()
        return postgres_word_query(words, *row)
    return None
