"""imports and their reports

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('importer', sa.String(length=64), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('items_total', sa.Integer(), nullable=False),
    sa.Column('items_created', sa.Integer(), nullable=False),
    sa.Column('items_updated', sa.Integer(), nullable=False),
    sa.Column('items_unchanged', sa.Integer(), nullable=False),
    sa.Column('items_rejected', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_import_batch_actor_id_user')),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_import_batch_bank_id_bank')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batch_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_batch_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_batch_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_batch_status'), ['status'], unique=False)

    op.create_table('import_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('file', sa.String(length=255), nullable=False),
    sa.Column('item_ref', sa.String(length=255), nullable=False),
    sa.Column('column_name', sa.String(length=255), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('message_en', sa.Text(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('version_number', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_import_entry_batch_id_import_batch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_import_entry_item_id_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_entry'))
    )
    with op.batch_alter_table('import_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_entry_batch_id'), ['batch_id'], unique=False)


def downgrade():
    with op.batch_alter_table('import_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_entry_batch_id'))

    op.drop_table('import_entry')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batch_status'))
        batch_op.drop_index(batch_op.f('ix_import_batch_created_at'))
        batch_op.drop_index(batch_op.f('ix_import_batch_bank_id'))
        batch_op.drop_index(batch_op.f('ix_import_batch_actor_id'))

    op.drop_table('import_batch')
