"""items remember their identifier in the system they were imported from

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_ref', sa.String(length=255), nullable=True))
        batch_op.create_index('ix_item_bank_source_ref', ['bank_id', 'source_ref'], unique=False)


def downgrade():
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_index('ix_item_bank_source_ref')
        batch_op.drop_column('source_ref')
