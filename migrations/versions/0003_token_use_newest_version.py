"""tokens remember their last use; items point at their newest version

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 07:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('newest_version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_item_newest_version', 'item_version', ['newest_version_id'], ['id']
        )
    op.execute(
        "UPDATE item SET newest_version_id = ("
        " SELECT v.id FROM item_version v WHERE v.item_id = item.id"
        " ORDER BY v.number DESC LIMIT 1)"
    )
    _create_search_indexes()


def _create_search_indexes():
    """On PostgreSQL, trigram indexes for the listing's text query (``q``), if the
    pg_trgm extension is there or may be installed (it is a trusted extension: the
    database owner can). Without it, the query still works, by scanning."""
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    available = bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
    ).first()
    if available is None:
        return
    savepoint = bind.begin_nested()
    try:
        # In "public" unless it is installed already, wherever that is; the operator
        # class is named with its schema, so the app's search_path does not matter.
        bind.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public')
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return
    savepoint.commit()
    schema = bind.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_trgm'"
    ).scalar_one()
    ops = f'"{schema}".gin_trgm_ops'
    op.execute(
        f'CREATE INDEX ix_item_version_stem_trgm ON item_version USING gin (lower(stem) {ops})'
    )
    op.execute(
        'CREATE INDEX ix_item_version_content_trgm ON item_version '
        f'USING gin (lower(content::text) {ops})'
    )


def downgrade():
    op.execute('DROP INDEX IF EXISTS ix_item_version_content_trgm')
    op.execute('DROP INDEX IF EXISTS ix_item_version_stem_trgm')
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_constraint('fk_item_newest_version', type_='foreignkey')
        batch_op.drop_column('newest_version_id')

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')
