"""SQLite: a trigram full-text index (FTS5) of the versions' search text, kept in step
by triggers, for the listing's text query

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 05:00:00.000000

PostgreSQL has had its trigram index on the same column since 0010. On SQLite the
index is an FTS5 table with the ``trigram`` tokenizer (SQLite 3.34 or later), holding
no copy of the text (``content='item_version'``): a quoted phrase of three or more
characters matches exactly the versions whose search text contains it, as the
``LIKE '%...%'`` it replaces did, without reading every version. Three triggers keep it
in step with every write to ``item_version`` (the operations, the imports' bulk inserts,
the demo, SQL by hand). A later migration that makes SQLite rebuild ``item_version``
(``batch_alter_table`` beyond adding a column) drops the triggers with the old table and
must create them again (:func:`create_sqlite_search`). Where FTS5 or the trigram
tokenizer is missing, nothing is created and the listing searches as before.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

TABLE = 'item_version_search'
TRIGGERS = ('item_version_search_ai', 'item_version_search_ad', 'item_version_search_au')


def create_sqlite_search(bind) -> bool:
    """Create the FTS5 table and its triggers and index what is there; False where
    this SQLite cannot (no FTS5, or older than 3.34: no trigram tokenizer)."""
    version = tuple(int(p) for p in bind.exec_driver_sql('SELECT sqlite_version()').scalar().split('.'))
    if version < (3, 34, 0):
        return False
    try:
        bind.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5(search_text, content='item_version', "
            "content_rowid='id', tokenize='trigram case_sensitive 1')"
        )
    except Exception:  # noqa: BLE001 - built without FTS5
        return False
    for name in TRIGGERS:
        bind.exec_driver_sql(f'DROP TRIGGER IF EXISTS {name}')
    bind.exec_driver_sql(
        f'CREATE TRIGGER item_version_search_ai AFTER INSERT ON item_version BEGIN '
        f'INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END'
    )
    bind.exec_driver_sql(
        f'CREATE TRIGGER item_version_search_ad AFTER DELETE ON item_version BEGIN '
        f"INSERT INTO {TABLE}({TABLE}, rowid, search_text) VALUES ('delete', old.id, "
        'old.search_text); END'
    )
    bind.exec_driver_sql(
        f'CREATE TRIGGER item_version_search_au AFTER UPDATE OF search_text ON item_version '
        f"BEGIN INSERT INTO {TABLE}({TABLE}, rowid, search_text) VALUES ('delete', old.id, "
        f'old.search_text); INSERT INTO {TABLE}(rowid, search_text) '
        'VALUES (new.id, new.search_text); END'
    )
    bind.exec_driver_sql(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
    return True


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        create_sqlite_search(bind)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for name in TRIGGERS:
            bind.exec_driver_sql(f'DROP TRIGGER IF EXISTS {name}')
        bind.exec_driver_sql(f'DROP TABLE IF EXISTS {TABLE}')
