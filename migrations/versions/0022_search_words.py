"""Word indexes of the versions' search text, for the listing's relevance order

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 19:45:00.000000

The listing's text query finds versions through the trigram indexes (0010, 0015): an
exact substring. Ordering its results by relevance needs the words: versions where the
query is whole words come first, ranked by the database's own full-text score.

PostgreSQL: ``item_version.search_vector``, a ``tsvector`` of the search text with the
``simple`` configuration (lower-cased words, no stemming: the texts are Indonesian),
``GENERATED ALWAYS ... STORED``, so every write (the operations, the imports' Core bulk
inserts, the demo, SQL by hand) keeps it in step, with a GIN index. It is not in the
models (SQLite has no such type): schema comparisons leave it out
(``itembank.models.items.include_in_schema_comparison``).

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
COLUMN = 'search_vector'
INDEX = 'ix_item_version_search_vector'


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


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        create_sqlite_words(bind)
    elif bind.dialect.name == 'postgresql':
        # Kept in the row (STORAGE MAIN: compressed, out of line only as a last resort):
        # ranking a common word reads tens of thousands of these, and fetching each
        # from the TOAST table as well cost more than half the time.
        bind.exec_driver_sql(
            f'ALTER TABLE item_version ADD COLUMN {COLUMN} tsvector GENERATED ALWAYS AS '
            f"(to_tsvector('simple'::regconfig, search_text)) STORED, "
            f'ALTER COLUMN {COLUMN} SET STORAGE MAIN'
        )
        bind.exec_driver_sql(f'CREATE INDEX {INDEX} ON item_version USING gin ({COLUMN})')


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        drop_sqlite_words(bind)
    elif bind.dialect.name == 'postgresql':
        bind.exec_driver_sql(f'DROP INDEX IF EXISTS {INDEX}')
        bind.exec_driver_sql(f'ALTER TABLE item_version DROP COLUMN IF EXISTS {COLUMN}')
