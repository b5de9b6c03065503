"""bank.content_stamp: changes with whatever a draft's checks read in the bank, so that
their results can be remembered (itembank.content_stamp)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    # Added in place (a rebuild of a table other tables reference needs foreign keys
    # off on SQLite).
    op.add_column(
        'bank',
        sa.Column('content_stamp', sa.BigInteger(), server_default='0', nullable=False),
    )


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE bank DROP COLUMN content_stamp')
    else:
        op.drop_column('bank', 'content_stamp')
