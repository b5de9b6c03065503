"""item parameters (append-only, per version and model) and automated assembly runs

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 00:00:00.000000

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


def upgrade():
    op.create_table(
        'item_parameters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('model', sa.String(length=16), nullable=False),
        sa.Column('params', JSON, nullable=False),
        sa.Column('standard_errors', JSON, nullable=False),
        sa.Column('scale', sa.String(length=64), nullable=False),
        sa.Column('sample_size', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=True),
        sa.Column('flags', JSON, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("model IN ('3PL', '2PL', 'GPCM', 'GRM', 'classical')", name=op.f('ck_item_parameters_model_known')),
        sa.CheckConstraint("source IN ('simulated', 'calibration')", name=op.f('ck_item_parameters_source_known')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_item_parameters_created_by_id_user')),
        sa.ForeignKeyConstraint(['version_id'], ['item_version.id'], name=op.f('fk_item_parameters_version_id_item_version'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_item_parameters')),
    )
    with op.batch_alter_table('item_parameters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_parameters_version_id'), ['version_id'], unique=False)
        batch_op.create_index('ix_item_parameters_current', ['version_id', 'model', 'id'], unique=False)

    op.create_table(
        'assembly_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('bank_id', sa.Integer(), nullable=False),
        sa.Column('blueprint_id', sa.Integer(), nullable=False),
        sa.Column('blueprint_revision', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('settings', JSON, nullable=False),
        sa.Column('pool', JSON, nullable=False),
        sa.Column('solver', JSON, nullable=False),
        sa.Column('seed', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('stopped', sa.String(length=32), nullable=False),
        sa.Column('times', JSON, nullable=False),
        sa.Column('objective', sa.Float(), nullable=True),
        sa.Column('lp_bound', sa.Float(), nullable=True),
        sa.Column('gap', sa.Float(), nullable=True),
        sa.Column('forms', JSON, nullable=False),
        sa.Column('comparison', JSON, nullable=False),
        sa.Column('messages', JSON, nullable=False),
        sa.Column('notes', JSON, nullable=False),
        sa.Column('form_ids', JSON, nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('proposed', 'accepted', 'discarded', 'infeasible')", name=op.f('ck_assembly_run_status_known')),
        sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_assembly_run_bank_id_bank')),
        sa.ForeignKeyConstraint(['blueprint_id'], ['blueprint.id'], name=op.f('fk_assembly_run_blueprint_id_blueprint')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_assembly_run_created_by_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_assembly_run_decided_by_id_user')),
        sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_assembly_run_job_id_job'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_run')),
    )
    with op.batch_alter_table('assembly_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assembly_run_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assembly_run_blueprint_id'), ['blueprint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assembly_run_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_assembly_run_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('assembly_run', schema=None) as batch_op:
        for name in ('created_at', 'status', 'blueprint_id', 'bank_id'):
            batch_op.drop_index(batch_op.f(f'ix_assembly_run_{name}'))
    op.drop_table('assembly_run')
    with op.batch_alter_table('item_parameters', schema=None) as batch_op:
        batch_op.drop_index('ix_item_parameters_current')
        batch_op.drop_index(batch_op.f('ix_item_parameters_version_id'))
    op.drop_table('item_parameters')
