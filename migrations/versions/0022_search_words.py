"""Word indexes of the versions' search text, for the listing's relevance order

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 19:45:00.000000

The listing's text query finds versions through the trigram indexes (0010, 0015): an
exact substring. Ordering its results by relevance needs the words: versions where the
query is whole words come first, ranked by the database's own full-text score.

PostgreSQL: a narrow side table, ``item_version_search_words`` (``version_id``, the
primary key and a foreign key to ``item_version`` deleted with it, and
``search_vector``, a ``tsvector`` of the search text with the ``simple`` configuration:
lower-cased words, no stemming, as the Indonesian texts need) with a GIN index, kept in
step by a trigger on ``item_version`` (after an insert, or an update of
``search_text``), so every write (the operations, the imports' Core bulk inserts, the
demo, SQL by hand) keeps it current. Ranking a common word reads the tsvector of every
match: here a row of about 750 bytes (115 MB at 157,166 versions), where a column of
``item_version`` (rows of kilobytes of content: 490 MB) made the same ranking read most
of that wide table's pages. A second, generated column, ``repeated``, holds the words
the version has at least twice, with a GIN index of its own: for a one-word query the
score (``ts_rank_cd``: one tenth per occurrence) of every other match is the lowest,
the same for all, so only these need scoring (``itembank.operations.relevance``). Not in the models (SQLite has no such type): schema comparisons leave it out
(``itembank.models.items.include_in_schema_comparison``, by its name's prefix).

SQLite: a second FTS5 table, ``item_version_search_words``, with the ``unicode61``
word tokenizer (diacritics kept, as PostgreSQL's ``simple`` keeps them), holding no copy
of the text (``content='item_version'``), kept in step by three triggers like 0015's,
ranked with ``bm25()``. Created only where FTS5 exists; elsewhere the relevance order
falls back to the listing's default order. As with 0015, a later migration that makes
SQLite rebuild ``item_version`` drops these triggers with the old table and must create
them again (:func:`create_sqlite_words`).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

TABLE = 'item_version_search_words'
TRIGGERS = (f'{TABLE}_ai', f'{TABLE}_ad', f'{TABLE}_au')
#: PostgreSQL: the side table's tsvector column, its GIN index, and the trigger (and
#: its function) that keeps it in step with ``item_version``.
COLUMN = 'search_vector'
INDEX = f'ix_{TABLE}_vector'
POSTGRES_TRIGGER = f'{TABLE}_sync'
#: PostgreSQL: the words a version has at least twice (a stripped tsvector), computed
#: from the tsvector by this function, and their GIN index.
REPEATED = 'repeated'
REPEATED_FUNCTION = f'{TABLE}_repeated'
REPEATED_INDEX = f'ix_{TABLE}_repeated'
VECTOR = "to_tsvector('simple'::regconfig, coalesce({}, ''))"


def create_sqlite_words(bind) -> bool:
    """Create the FTS5 word table and its triggers and index what is there; False
    where this SQLite has no FTS5."""
    try:
        bind.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5(search_text, content='item_version', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
        )
    except Exception:  # noqa: BLE001 - built without FTS5
        return False
    for name in TRIGGERS:
        bind.exec_driver_sql(f'DROP TRIGGER IF EXISTS {name}')
    bind.exec_driver_sql(
        f'CREATE TRIGGER {TABLE}_ai AFTER INSERT ON item_version BEGIN '
        f'INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END'
    )
    bind.exec_driver_sql(
        f'CREATE TRIGGER {TABLE}_ad AFTER DELETE ON item_version BEGIN '
        f"INSERT INTO {TABLE}({TABLE}, rowid, search_text) VALUES ('delete', old.id, "
        'old.search_text); END'
    )
    bind.exec_driver_sql(
        f'CREATE TRIGGER {TABLE}_au AFTER UPDATE OF search_text ON item_version '
        f"BEGIN INSERT INTO {TABLE}({TABLE}, rowid, search_text) VALUES ('delete', old.id, "
        f'old.search_text); INSERT INTO {TABLE}(rowid, search_text) '
        'VALUES (new.id, new.search_text); END'
    )
    bind.exec_driver_sql(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
    return True


def drop_sqlite_words(bind) -> None:
    for name in TRIGGERS:
        bind.exec_driver_sql(f'DROP TRIGGER IF EXISTS {name}')
    bind.exec_driver_sql(f'DROP TABLE IF EXISTS {TABLE}')


def create_postgres_words(bind) -> None:
    """Create the side table, fill it from the versions there, index it, and keep it in
    step with a trigger."""
    bind.exec_driver_sql(
        f'CREATE FUNCTION {REPEATED_FUNCTION}(words tsvector) RETURNS tsvector '
        'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ '
        "SELECT coalesce(array_to_tsvector(array_agg(lexeme)), ''::tsvector) "
        'FROM unnest(words) WHERE cardinality(positions) > 1 $$'
    )
    bind.exec_driver_sql(
        f'CREATE TABLE {TABLE} ('
        'version_id integer NOT NULL PRIMARY KEY '
        'REFERENCES item_version (id) ON DELETE CASCADE, '
        f'{COLUMN} tsvector NOT NULL, '
        f'{REPEATED} tsvector NOT NULL GENERATED ALWAYS AS ({REPEATED_FUNCTION}({COLUMN})) '
        'STORED)'
    )
    # Kept in the row (compressed, out of line only as a last resort): ranking reads
    # the tsvector of every match, and a TOAST look-up each would double the reads.
    bind.exec_driver_sql(f'ALTER TABLE {TABLE} ALTER COLUMN {COLUMN} SET STORAGE MAIN')
    bind.exec_driver_sql(
        f'INSERT INTO {TABLE} (version_id, {COLUMN}) '
        f"SELECT id, {VECTOR.format('search_text')} FROM item_version ORDER BY id"
    )
    bind.exec_driver_sql(f'CREATE INDEX {INDEX} ON {TABLE} USING gin ({COLUMN})')
    bind.exec_driver_sql(f'CREATE INDEX {REPEATED_INDEX} ON {TABLE} USING gin ({REPEATED})')
    bind.exec_driver_sql(
        f'CREATE FUNCTION {POSTGRES_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ '
        f'BEGIN INSERT INTO {TABLE} (version_id, {COLUMN}) '
        f"VALUES (NEW.id, {VECTOR.format('NEW.search_text')}) "
        f'ON CONFLICT (version_id) DO UPDATE SET {COLUMN} = EXCLUDED.{COLUMN}; '
        'RETURN NULL; END $$'
    )
    bind.exec_driver_sql(
        f'CREATE TRIGGER {POSTGRES_TRIGGER} AFTER INSERT OR UPDATE OF search_text '
        f'ON item_version FOR EACH ROW EXECUTE FUNCTION {POSTGRES_TRIGGER}()'
    )
    bind.exec_driver_sql(f'ANALYZE {TABLE}')


def drop_postgres_words(bind) -> None:
    bind.exec_driver_sql(f'DROP TRIGGER IF EXISTS {POSTGRES_TRIGGER} ON item_version')
    bind.exec_driver_sql(f'DROP FUNCTION IF EXISTS {POSTGRES_TRIGGER}()')
    bind.exec_driver_sql(f'DROP TABLE IF EXISTS {TABLE}')
    bind.exec_driver_sql(f'DROP FUNCTION IF EXISTS {REPEATED_FUNCTION}(tsvector)')


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        create_sqlite_words(bind)
    elif bind.dialect.name == 'postgresql':
        create_postgres_words(bind)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        drop_sqlite_words(bind)
    elif bind.dialect.name == 'postgresql':
        drop_postgres_words(bind)
