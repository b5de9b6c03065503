"""core schema: banks, users, items, versions, reviews, taxonomies, media, audit

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 06:27:38.973107

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bank',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('settings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('item_counter', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank')),
    sa.UniqueConstraint('code', name=op.f('uq_bank_code'))
    )
    op.create_table('media_blob',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('mime', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_media_blob'))
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('username', name=op.f('uq_user_username'))
    )
    op.create_table('item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('item_type', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retired_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_version_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_item_bank_id_bank')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_item_created_by_id_user')),
    sa.ForeignKeyConstraint(['retired_by_id'], ['user.id'], name=op.f('fk_item_retired_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item')),
    sa.UniqueConstraint('bank_id', 'number', name=op.f('uq_item_bank_id_number')),
    sa.UniqueConstraint('external_id', name=op.f('uq_item_external_id'))
    )
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_item_type'), ['item_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_updated_at'), ['updated_at'], unique=False)

    op.create_table('media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_media_bank_id_bank')),
    sa.ForeignKeyConstraint(['sha256'], ['media_blob.sha256'], name=op.f('fk_media_sha256_media_blob')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_media_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media')),
    sa.UniqueConstraint('bank_id', 'sha256', name=op.f('uq_media_bank_id_sha256'))
    )
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_bank_id'), ['bank_id'], unique=False)

    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_membership_bank_id_bank'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_membership_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
    sa.UniqueConstraint('bank_id', 'user_id', 'role', name=op.f('uq_membership_bank_id_user_id_role'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_user_id'), ['user_id'], unique=False)

    op.create_table('taxonomy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_taxonomy_bank_id_bank')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy')),
    sa.UniqueConstraint('bank_id', 'code', name=op.f('uq_taxonomy_bank_id_code'))
    )
    with op.batch_alter_table('taxonomy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_taxonomy_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index('uq_taxonomy_global_code', ['code'], unique=True, sqlite_where=sa.text('bank_id IS NULL'), postgresql_where=sa.text('bank_id IS NULL'))

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('bank_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=False),
    sa.Column('object_id', sa.String(length=128), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('version_number', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_audit_event_actor_id_user')),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_audit_event_bank_id_bank')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_audit_event_item_id_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_item_id'), ['item_id'], unique=False)

    op.create_table('item_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('stem', sa.Text(), nullable=False),
    sa.Column('content', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('metadata', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('based_on_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['based_on_id'], ['item_version.id'], name=op.f('fk_item_version_based_on_id_item_version')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_item_version_created_by_id_user')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_item_version_item_id_item')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_item_version_submitted_by_id_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_item_version_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_version')),
    sa.UniqueConstraint('item_id', 'number', name=op.f('uq_item_version_item_id_number'))
    )
    with op.batch_alter_table('item_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_version_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_version_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_version_status'), ['status'], unique=False)
        batch_op.create_index('uq_item_version_one_open', ['item_id'], unique=True, sqlite_where=sa.text("status IN ('draft', 'in_review')"), postgresql_where=sa.text("status IN ('draft', 'in_review')"))

    # item.approved_version_id -> item_version: the tables reference each other, so this
    # key is added once both exist.
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.create_foreign_key(
            'fk_item_approved_version', 'item_version', ['approved_version_id'], ['id']
        )

    op.create_table('taxonomy_node',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('taxonomy_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=1024), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('description', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('levels', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['taxonomy_node.id'], name=op.f('fk_taxonomy_node_parent_id_taxonomy_node')),
    sa.ForeignKeyConstraint(['taxonomy_id'], ['taxonomy.id'], name=op.f('fk_taxonomy_node_taxonomy_id_taxonomy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_node')),
    sa.UniqueConstraint('taxonomy_id', 'code', name=op.f('uq_taxonomy_node_taxonomy_id_code'))
    )
    with op.batch_alter_table('taxonomy_node', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_taxonomy_node_path'), ['path'], unique=False)
        batch_op.create_index(batch_op.f('ix_taxonomy_node_taxonomy_id'), ['taxonomy_id'], unique=False)

    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=200), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_comment_author_id_user')),
    sa.ForeignKeyConstraint(['version_id'], ['item_version.id'], name=op.f('fk_comment_version_id_item_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_version_id'), ['version_id'], unique=False)

    op.create_table('item_classification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['node_id'], ['taxonomy_node.id'], name=op.f('fk_item_classification_node_id_taxonomy_node')),
    sa.ForeignKeyConstraint(['version_id'], ['item_version.id'], name=op.f('fk_item_classification_version_id_item_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_classification')),
    sa.UniqueConstraint('version_id', 'node_id', 'level', name=op.f('uq_item_classification_version_id_node_id_level'))
    )
    with op.batch_alter_table('item_classification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_classification_node_id'), ['node_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_classification_version_id'), ['version_id'], unique=False)

    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=32), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_review_reviewer_id_user')),
    sa.ForeignKeyConstraint(['version_id'], ['item_version.id'], name=op.f('fk_review_version_id_item_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review')),
    sa.UniqueConstraint('version_id', 'reviewer_id', name=op.f('uq_review_version_id_reviewer_id'))
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_version_id'), ['version_id'], unique=False)

    op.create_table('version_contributor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_version_contributor_user_id_user')),
    sa.ForeignKeyConstraint(['version_id'], ['item_version.id'], name=op.f('fk_version_contributor_version_id_item_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_version_contributor')),
    sa.UniqueConstraint('version_id', 'user_id', name=op.f('uq_version_contributor_version_id_user_id'))
    )
    with op.batch_alter_table('version_contributor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_version_contributor_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_version_contributor_version_id'), ['version_id'], unique=False)


    if op.get_bind().dialect.name == 'postgresql':
        # The audit trail is append-only in the database too, not only in the ORM.
        op.execute(
            """
            CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit events are append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            """
            CREATE TRIGGER audit_event_append_only
            BEFORE UPDATE OR DELETE ON audit_event
            FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
            """
        )

def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event')
        op.execute('DROP FUNCTION IF EXISTS audit_event_append_only()')
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_constraint('fk_item_approved_version', type_='foreignkey')
    with op.batch_alter_table('version_contributor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_version_contributor_version_id'))
        batch_op.drop_index(batch_op.f('ix_version_contributor_user_id'))

    op.drop_table('version_contributor')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_version_id'))
        batch_op.drop_index(batch_op.f('ix_review_reviewer_id'))

    op.drop_table('review')
    with op.batch_alter_table('item_classification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_classification_version_id'))
        batch_op.drop_index(batch_op.f('ix_item_classification_node_id'))

    op.drop_table('item_classification')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_version_id'))

    op.drop_table('comment')
    with op.batch_alter_table('taxonomy_node', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_taxonomy_node_taxonomy_id'))
        batch_op.drop_index(batch_op.f('ix_taxonomy_node_path'))

    op.drop_table('taxonomy_node')
    with op.batch_alter_table('item_version', schema=None) as batch_op:
        batch_op.drop_index('uq_item_version_one_open', sqlite_where=sa.text("status IN ('draft', 'in_review')"), postgresql_where=sa.text("status IN ('draft', 'in_review')"))
        batch_op.drop_index(batch_op.f('ix_item_version_status'))
        batch_op.drop_index(batch_op.f('ix_item_version_item_id'))
        batch_op.drop_index(batch_op.f('ix_item_version_content_hash'))

    op.drop_table('item_version')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_item_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_bank_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    with op.batch_alter_table('taxonomy', schema=None) as batch_op:
        batch_op.drop_index('uq_taxonomy_global_code', sqlite_where=sa.text('bank_id IS NULL'), postgresql_where=sa.text('bank_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_taxonomy_bank_id'))

    op.drop_table('taxonomy')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_user_id'))
        batch_op.drop_index(batch_op.f('ix_membership_bank_id'))

    op.drop_table('membership')
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_bank_id'))

    op.drop_table('media')
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_updated_at'))
        batch_op.drop_index(batch_op.f('ix_item_item_type'))
        batch_op.drop_index(batch_op.f('ix_item_bank_id'))

    op.drop_table('item')
    op.drop_table('user')
    op.drop_table('media_blob')
    op.drop_table('bank')
