"""listing indexes: a bank's items by update and creation time

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 08:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.create_index('ix_item_bank_updated', ['bank_id', 'updated_at', 'id'], unique=False)
        batch_op.create_index('ix_item_bank_created', ['bank_id', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_index('ix_item_bank_created')
        batch_op.drop_index('ix_item_bank_updated')
