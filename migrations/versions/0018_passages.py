"""passages: shared stimuli with their own versions and review; item versions pin one

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 10:26:12.700607

"""
import contextlib
import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def _migration_0015() -> ModuleType:
    """Migration 0015 (the SQLite search table and its triggers), loaded from its file."""
    path = Path(__file__).with_name('0015_sqlite_text_search.py')
    spec = importlib.util.spec_from_file_location('itembank_migration_0015', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    op.create_table('passage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_version_id', sa.Integer(), nullable=True),
    sa.Column('newest_version_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_passage_bank_id_bank')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_passage_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passage')),
    sa.UniqueConstraint('bank_id', 'number', name=op.f('uq_passage_bank_id_number')),
    sa.UniqueConstraint('external_id', name=op.f('uq_passage_external_id'))
    )
    with op.batch_alter_table('passage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passage_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index('ix_passage_bank_updated', ['bank_id', 'updated_at', 'id'], unique=False)

    op.create_table('passage_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('passage_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('based_on_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('required_approvals', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['based_on_id'], ['passage_version.id'], name=op.f('fk_passage_version_based_on_id_passage_version')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_passage_version_created_by_id_user')),
    sa.ForeignKeyConstraint(['passage_id'], ['passage.id'], name=op.f('fk_passage_version_passage_id_passage')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_passage_version_submitted_by_id_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_passage_version_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passage_version')),
    sa.UniqueConstraint('passage_id', 'number', name=op.f('uq_passage_version_passage_id_number'))
    )
    with op.batch_alter_table('passage_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passage_version_passage_id'), ['passage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_passage_version_status'), ['status'], unique=False)
        batch_op.create_index('uq_passage_version_one_open', ['passage_id'], unique=True, sqlite_where=sa.text("status IN ('draft', 'in_review')"), postgresql_where=sa.text("status IN ('draft', 'in_review')"))

    # passage -> passage_version: the tables reference each other, so these keys are
    # added once both exist.
    with op.batch_alter_table('passage', schema=None) as batch_op:
        batch_op.create_foreign_key(
            'fk_passage_approved_version', 'passage_version', ['approved_version_id'], ['id']
        )
        batch_op.create_foreign_key(
            'fk_passage_newest_version', 'passage_version', ['newest_version_id'], ['id']
        )

    op.create_table('passage_contributor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_passage_contributor_user_id_user')),
    sa.ForeignKeyConstraint(['version_id'], ['passage_version.id'], name=op.f('fk_passage_contributor_version_id_passage_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passage_contributor')),
    sa.UniqueConstraint('version_id', 'user_id', name=op.f('uq_passage_contributor_version_id_user_id'))
    )
    with op.batch_alter_table('passage_contributor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passage_contributor_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_passage_contributor_version_id'), ['version_id'], unique=False)

    op.create_table('passage_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=32), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_passage_review_reviewer_id_user')),
    sa.ForeignKeyConstraint(['version_id'], ['passage_version.id'], name=op.f('fk_passage_review_version_id_passage_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passage_review')),
    sa.UniqueConstraint('version_id', 'reviewer_id', name=op.f('uq_passage_review_version_id_reviewer_id'))
    )
    with op.batch_alter_table('passage_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passage_review_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_passage_review_version_id'), ['version_id'], unique=False)

    # item_version.passage_version_id: added in place, never by rebuilding the table,
    # which on SQLite would drop the search triggers of 0015 with the old table.
    fk_name = op.f('fk_item_version_passage_version_id_passage_version')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            'ALTER TABLE item_version ADD COLUMN passage_version_id INTEGER '
            f'CONSTRAINT {fk_name} REFERENCES passage_version (id)'
        )
    else:
        op.add_column('item_version', sa.Column('passage_version_id', sa.Integer(), nullable=True))
        op.create_foreign_key(fk_name, 'item_version', 'passage_version', ['passage_version_id'], ['id'])
    op.create_index(op.f('ix_item_version_passage_version_id'), 'item_version', ['passage_version_id'], unique=False)



@contextlib.contextmanager
def _foreign_keys_off(bind):
    """SQLite's foreign keys off for the block, checked after it. The PRAGMA is a no-op
    inside a transaction, and the app begins every one (``BEGIN IMMEDIATE``), so the open
    transaction is committed around each switch (SQLite's DDL here is not transactional
    anyway) and a new one begun."""
    raw = bind.connection.dbapi_connection

    def switch(state):
        raw.commit()
        raw.execute(f'PRAGMA foreign_keys = {state}')
        raw.execute('BEGIN IMMEDIATE')

    switch('OFF')
    try:
        yield
        broken = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
        if broken:
            raise RuntimeError(f'the downgrade broke foreign keys: {broken[:5]}')
    finally:
        switch('ON')

def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        with _foreign_keys_off(bind):
            _downgrade()
    else:
        _downgrade()


def _downgrade():
    op.drop_index(op.f('ix_item_version_passage_version_id'), table_name='item_version')
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        # SQLite drops a column with a foreign key only by rebuilding the table, which
        # drops the search triggers: 0015 creates them (and the index) again. Other
        # tables' rows point at item_version (and passages at their versions), so
        # dropping an old table would break their foreign keys: on SQLite they are off
        # for the whole downgrade and checked at its end (see downgrade()).
        with op.batch_alter_table('item_version', schema=None, recreate='always') as batch_op:
            batch_op.drop_column('passage_version_id')
        search = _migration_0015()
        bind.exec_driver_sql(f'DROP TABLE IF EXISTS {search.TABLE}')
        search.create_sqlite_search(bind)
    else:
        op.drop_constraint(
            op.f('fk_item_version_passage_version_id_passage_version'), 'item_version', type_='foreignkey'
        )
        op.drop_column('item_version', 'passage_version_id')

    with op.batch_alter_table('passage_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passage_review_version_id'))
        batch_op.drop_index(batch_op.f('ix_passage_review_reviewer_id'))

    op.drop_table('passage_review')
    with op.batch_alter_table('passage_contributor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passage_contributor_version_id'))
        batch_op.drop_index(batch_op.f('ix_passage_contributor_user_id'))

    op.drop_table('passage_contributor')
    with op.batch_alter_table('passage', schema=None) as batch_op:
        batch_op.drop_constraint('fk_passage_newest_version', type_='foreignkey')
        batch_op.drop_constraint('fk_passage_approved_version', type_='foreignkey')
    with op.batch_alter_table('passage_version', schema=None) as batch_op:
        batch_op.drop_index('uq_passage_version_one_open', sqlite_where=sa.text("status IN ('draft', 'in_review')"), postgresql_where=sa.text("status IN ('draft', 'in_review')"))
        batch_op.drop_index(batch_op.f('ix_passage_version_status'))
        batch_op.drop_index(batch_op.f('ix_passage_version_passage_id'))

    op.drop_table('passage_version')
    with op.batch_alter_table('passage', schema=None) as batch_op:
        batch_op.drop_index('ix_passage_bank_updated')
        batch_op.drop_index(batch_op.f('ix_passage_bank_id'))

    op.drop_table('passage')
