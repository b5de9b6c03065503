"""item statistics: analyses of forms per administration, calibration runs, review flags

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 01:55:44.641135

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    op.create_table('calibration_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('scale', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('settings', JSON, nullable=False),
    sa.Column('candidates', sa.Integer(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('summary', JSON, nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('running', 'completed', 'failed')", name=op.f('ck_calibration_run_status_known')),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_calibration_run_bank_id_bank')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_calibration_run_created_by_id_user')),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_calibration_run_job_id_job'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_run')),
    sa.UniqueConstraint('bank_id', 'number', name=op.f('uq_calibration_run_bank_id_number'))
    )
    with op.batch_alter_table('calibration_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_run_bank_id'), ['bank_id'], unique=False)

    op.create_table('analysis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('administration_id', sa.Integer(), nullable=True),
    sa.Column('candidates', sa.Integer(), nullable=False),
    sa.Column('results_mark', sa.String(length=64), nullable=False),
    sa.Column('settings', JSON, nullable=False),
    sa.Column('form_stats', JSON, nullable=False),
    sa.Column('items', JSON, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['administration_id'], ['administration.id'], name=op.f('fk_analysis_administration_id_administration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_analysis_bank_id_bank')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_analysis_created_by_id_user')),
    sa.ForeignKeyConstraint(['form_id'], ['form.id'], name=op.f('fk_analysis_form_id_form')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis'))
    )
    with op.batch_alter_table('analysis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analysis_administration_id'), ['administration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_analysis_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index('ix_analysis_current', ['form_id', 'administration_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_analysis_form_id'), ['form_id'], unique=False)

    op.create_table('review_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('analysis_id', sa.Integer(), nullable=True),
    sa.Column('calibration_id', sa.Integer(), nullable=True),
    sa.Column('flags', JSON, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status = 'open' OR (decided_at IS NOT NULL AND decided_by_id IS NOT NULL)", name=op.f('ck_review_flag_decided_has_who_and_when')),
    sa.CheckConstraint("status IN ('open', 'revise', 'keep', 'retire')", name=op.f('ck_review_flag_status_known')),
    sa.ForeignKeyConstraint(['analysis_id'], ['analysis.id'], name=op.f('fk_review_flag_analysis_id_analysis'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_review_flag_bank_id_bank')),
    sa.ForeignKeyConstraint(['calibration_id'], ['calibration_run.id'], name=op.f('fk_review_flag_calibration_id_calibration_run'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_review_flag_decided_by_id_user')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_review_flag_item_id_item')),
    sa.ForeignKeyConstraint(['version_id'], ['item_version.id'], name=op.f('fk_review_flag_version_id_item_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_flag'))
    )
    with op.batch_alter_table('review_flag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_flag_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_flag_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_flag_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_flag_version_id'), ['version_id'], unique=False)



def downgrade():
    with op.batch_alter_table('review_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_flag_version_id'))
        batch_op.drop_index(batch_op.f('ix_review_flag_status'))
        batch_op.drop_index(batch_op.f('ix_review_flag_item_id'))
        batch_op.drop_index(batch_op.f('ix_review_flag_bank_id'))

    op.drop_table('review_flag')
    with op.batch_alter_table('analysis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analysis_form_id'))
        batch_op.drop_index('ix_analysis_current')
        batch_op.drop_index(batch_op.f('ix_analysis_bank_id'))
        batch_op.drop_index(batch_op.f('ix_analysis_administration_id'))

    op.drop_table('analysis')
    with op.batch_alter_table('calibration_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_run_bank_id'))

    op.drop_table('calibration_run')
