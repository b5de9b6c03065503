"""background jobs and the files they work on

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('bank_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=False),
        sa.Column('params', JSON, nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('progress_done', sa.Integer(), nullable=False),
        sa.Column('progress_total', sa.Integer(), nullable=False),
        sa.Column('message', sa.String(length=255), nullable=False),
        sa.Column('message_en', sa.String(length=255), nullable=False),
        sa.Column('result_type', sa.String(length=32), nullable=False),
        sa.Column('result_id', sa.Integer(), nullable=True),
        sa.Column('result_summary', JSON, nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('error_en', sa.Text(), nullable=False),
        sa.Column('cancel_requested', sa.Boolean(), nullable=False),
        sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
        sa.Column('worker', sa.String(length=255), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_job_actor_id_user')),
        sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_job_bank_id_bank')),
        sa.ForeignKeyConstraint(['cancelled_by_id'], ['user.id'], name=op.f('fk_job_cancelled_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_lease_expires_at'), ['lease_expires_at'], unique=False)

    op.create_table(
        'job_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_job_file_job_id_job'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_file')),
    )
    with op.batch_alter_table('job_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_file_job_id'), ['job_id'], unique=False)


def downgrade():
    with op.batch_alter_table('job_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_file_job_id'))
    op.drop_table('job_file')
    with op.batch_alter_table('job', schema=None) as batch_op:
        for name in ('lease_expires_at', 'created_at', 'status', 'actor_id', 'bank_id', 'kind'):
            batch_op.drop_index(batch_op.f(f'ix_job_{name}'))
    op.drop_table('job')
