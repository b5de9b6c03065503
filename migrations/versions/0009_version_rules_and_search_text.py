"""versions remember the approvals required when they were submitted

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')

bank = sa.table('bank', sa.column('id', sa.Integer), sa.column('settings', JSON))
item = sa.table('item', sa.column('id', sa.Integer), sa.column('bank_id', sa.Integer))
item_version = sa.table(
    'item_version',
    sa.column('id', sa.Integer),
    sa.column('item_id', sa.Integer),
    sa.column('submitted_at', sa.DateTime),
    sa.column('required_approvals', sa.Integer),
)


def upgrade():
    with op.batch_alter_table('item_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('required_approvals', sa.Integer(), nullable=True))
    # Versions submitted before this migration keep the count their bank asks for now
    # (what they would have been approved against).
    bind = op.get_bind()
    for bank_id, settings in bind.execute(sa.select(bank.c.id, bank.c.settings)).all():
        count = int((settings or {}).get('required_approvals', 1))
        bind.execute(
            item_version.update()
            .where(
                item_version.c.submitted_at.is_not(None),
                item_version.c.item_id.in_(sa.select(item.c.id).where(item.c.bank_id == bank_id)),
            )
            .values(required_approvals=count)
        )


def downgrade():
    with op.batch_alter_table('item_version', schema=None) as batch_op:
        batch_op.drop_column('required_approvals')
