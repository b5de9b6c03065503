"""administrations (pelaksanaan), their forms, results imports and candidate results

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 01:46:32.389893

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    op.create_table('administration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('site', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('sessions', JSON, nullable=False),
    sa.Column('simulated', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_administration_ends_after_start')),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_administration_bank_id_bank')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_administration_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_administration')),
    sa.UniqueConstraint('bank_id', 'number', name=op.f('uq_administration_bank_id_number')),
    sa.UniqueConstraint('external_id', name=op.f('uq_administration_external_id'))
    )
    with op.batch_alter_table('administration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_administration_bank_id'), ['bank_id'], unique=False)

    op.create_table('result_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('administration_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('candidates', sa.Integer(), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('disagreements', sa.Integer(), nullable=False),
    sa.Column('problems', JSON, nullable=False),
    sa.Column('problems_total', sa.Integer(), nullable=False),
    sa.Column('disagreement_report', JSON, nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("format IN ('qti', 'csv', 'xlsx')", name=op.f('ck_result_import_format_known')),
    sa.CheckConstraint("status IN ('completed', 'rolled_back', 'failed')", name=op.f('ck_result_import_status_known')),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_result_import_actor_id_user')),
    sa.ForeignKeyConstraint(['administration_id'], ['administration.id'], name=op.f('fk_result_import_administration_id_administration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_result_import_job_id_job'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_import'))
    )
    with op.batch_alter_table('result_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_import_administration_id'), ['administration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_result_import_created_at'), ['created_at'], unique=False)

    op.create_table('administration_form',
    sa.Column('administration_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['user.id'], name=op.f('fk_administration_form_added_by_id_user')),
    sa.ForeignKeyConstraint(['administration_id'], ['administration.id'], name=op.f('fk_administration_form_administration_id_administration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['form_id'], ['form.id'], name=op.f('fk_administration_form_form_id_form')),
    sa.PrimaryKeyConstraint('administration_id', 'form_id', name=op.f('pk_administration_form'))
    )
    with op.batch_alter_table('administration_form', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_administration_form_form_id'), ['form_id'], unique=False)

    op.create_table('candidate_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('administration_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('candidate_key', sa.String(length=64), nullable=False),
    sa.Column('session', sa.String(length=64), nullable=False),
    sa.Column('tested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration', sa.Float(), nullable=True),
    sa.Column('groups', JSON, nullable=False),
    sa.Column('responses', JSON, nullable=False),
    sa.Column('scores', JSON, nullable=False),
    sa.Column('delivered_scores', JSON, nullable=True),
    sa.Column('choice_orders', JSON, nullable=True),
    sa.Column('durations', JSON, nullable=True),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('delivered_total', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['administration_id'], ['administration.id'], name=op.f('fk_candidate_result_administration_id_administration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['form_id'], ['form.id'], name=op.f('fk_candidate_result_form_id_form')),
    sa.ForeignKeyConstraint(['import_id'], ['result_import.id'], name=op.f('fk_candidate_result_import_id_result_import'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate_result')),
    sa.UniqueConstraint('administration_id', 'form_id', 'candidate_key', name=op.f('uq_candidate_result_administration_id_form_id_candidate_key'))
    )
    with op.batch_alter_table('candidate_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_result_administration_id'), ['administration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_result_form_id'), ['form_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_result_import_id'), ['import_id'], unique=False)



def downgrade():
    with op.batch_alter_table('candidate_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_result_import_id'))
        batch_op.drop_index(batch_op.f('ix_candidate_result_form_id'))
        batch_op.drop_index(batch_op.f('ix_candidate_result_administration_id'))

    op.drop_table('candidate_result')
    with op.batch_alter_table('administration_form', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_administration_form_form_id'))

    op.drop_table('administration_form')
    with op.batch_alter_table('result_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_import_created_at'))
        batch_op.drop_index(batch_op.f('ix_result_import_administration_id'))

    op.drop_table('result_import')
    with op.batch_alter_table('administration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_administration_bank_id'))

    op.drop_table('administration')
