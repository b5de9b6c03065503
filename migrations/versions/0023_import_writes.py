"""Cheaper bulk writes of new items: the word index of inserted versions a statement at a time (PostgreSQL), and an item's newest-version key deferrable

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 23:00:00.000000

PostgreSQL: 0022 keeps the word side table (``item_version_search_words``) in step
with a trigger run for each row inserted into ``item_version``: for an import of 2,000
items, 2,000 executions of its ``INSERT ... ON CONFLICT`` (about two thirds of the
server's work on the versions). Inserted versions are now indexed by one trigger per
statement, which reads the statement's new rows (a transition table) and writes their
tsvectors with one ``INSERT ... SELECT``: the same rows, the same values, and for
every way a version is inserted (the operations, the imports' ``COPY``, SQL by hand).
An update of ``search_text`` keeps 0022's row trigger (an update names its column, which
a trigger with a transition table cannot).

Both databases: ``item.newest_version_id``'s foreign key (``fk_item_newest_version``)
becomes ``DEFERRABLE INITIALLY IMMEDIATE``. It is checked as before, at each statement,
unless a transaction says ``SET CONSTRAINTS fk_item_newest_version DEFERRED``: the bulk
import on PostgreSQL does, to write each new item with its version's id (reserved from
the sequence) before the version, then sets it ``IMMEDIATE`` again, which checks every
row written meanwhile there and then (``itembank.operations.import_writes``). SQLite
rebuilds ``item`` for it (no trigger lives on that table).
"""
import importlib.util
from pathlib import Path

from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

TABLE = 'item_version_search_words'
COLUMN = 'search_vector'
#: 0022's row trigger (and its function): kept for updates of ``search_text`` only.
ROW_TRIGGER = f'{TABLE}_sync'
#: The statement trigger (and its function) that indexes inserted versions.
INSERT_TRIGGER = f'{TABLE}_insert'
NEWEST_FK = 'fk_item_newest_version'


def _postgres_upgrade(bind) -> None:
    bind.exec_driver_sql(
        f'CREATE FUNCTION {INSERT_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ '
        f'BEGIN INSERT INTO {TABLE} (version_id, {COLUMN}) '
        "SELECT id, to_tsvector('simple'::regconfig, coalesce(search_text, '')) "
        'FROM inserted_versions '
        f'ON CONFLICT (version_id) DO UPDATE SET {COLUMN} = EXCLUDED.{COLUMN}; '
        'RETURN NULL; END $$'
    )
    bind.exec_driver_sql(f'DROP TRIGGER {ROW_TRIGGER} ON item_version')
    bind.exec_driver_sql(
        f'CREATE TRIGGER {INSERT_TRIGGER} AFTER INSERT ON item_version '
        'REFERENCING NEW TABLE AS inserted_versions '
        f'FOR EACH STATEMENT EXECUTE FUNCTION {INSERT_TRIGGER}()'
    )
    bind.exec_driver_sql(
        f'CREATE TRIGGER {ROW_TRIGGER} AFTER UPDATE OF search_text '
        f'ON item_version FOR EACH ROW EXECUTE FUNCTION {ROW_TRIGGER}()'
    )
    bind.exec_driver_sql(f'ALTER TABLE item ALTER CONSTRAINT {NEWEST_FK} DEFERRABLE INITIALLY IMMEDIATE')


def _postgres_downgrade(bind) -> None:
    bind.exec_driver_sql(f'ALTER TABLE item ALTER CONSTRAINT {NEWEST_FK} NOT DEFERRABLE')
    bind.exec_driver_sql(f'DROP TRIGGER {ROW_TRIGGER} ON item_version')
    bind.exec_driver_sql(f'DROP TRIGGER {INSERT_TRIGGER} ON item_version')
    bind.exec_driver_sql(f'DROP FUNCTION {INSERT_TRIGGER}()')
    bind.exec_driver_sql(
        f'CREATE TRIGGER {ROW_TRIGGER} AFTER INSERT OR UPDATE OF search_text '
        f'ON item_version FOR EACH ROW EXECUTE FUNCTION {ROW_TRIGGER}()'
    )


def _sqlite_newest_fk(bind, **options) -> None:
    """Rebuild ``item`` with the key's new options, SQLite's foreign keys off meanwhile
    (other tables' rows point at the items) and checked after (0018's helper)."""
    path = Path(__file__).with_name('0018_passages.py')
    spec = importlib.util.spec_from_file_location('itembank_migration_0018', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with module._foreign_keys_off(bind):
        with op.batch_alter_table('item', recreate='always') as batch_op:
            batch_op.drop_constraint(NEWEST_FK, type_='foreignkey')
            batch_op.create_foreign_key(
                NEWEST_FK, 'item_version', ['newest_version_id'], ['id'], **options
            )


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        _postgres_upgrade(bind)
    elif bind.dialect.name == 'sqlite':
        _sqlite_newest_fk(bind, deferrable=True, initially='IMMEDIATE')


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        _postgres_downgrade(bind)
    elif bind.dialect.name == 'sqlite':
        _sqlite_newest_fk(bind)
