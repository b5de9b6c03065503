"""versions remember the approvals required when they were submitted, and the plain
text the listing's query searches

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 00:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')

bank = sa.table('bank', sa.column('id', sa.Integer), sa.column('settings', JSON))
item = sa.table(
    'item',
    sa.column('id', sa.Integer),
    sa.column('bank_id', sa.Integer),
    sa.column('item_type', sa.String),
)
item_version = sa.table(
    'item_version',
    sa.column('id', sa.Integer),
    sa.column('item_id', sa.Integer),
    sa.column('submitted_at', sa.DateTime),
    sa.column('required_approvals', sa.Integer),
    sa.column('stem', sa.Text),
    sa.column('content', JSON),
    sa.column('search_text', sa.Text),
)
OLD_SEARCH_INDEXES = ('ix_item_version_stem_trgm', 'ix_item_version_content_trgm')
BATCH = 1000


def upgrade():
    with op.batch_alter_table('item_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('required_approvals', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('search_text', sa.Text(), nullable=False, server_default='')
        )
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
    _backfill_search_text(bind)
    for name in OLD_SEARCH_INDEXES:
        op.execute(f'DROP INDEX IF EXISTS {name}')
    _create_search_index(bind)


def _backfill_search_text(bind):
    """Every version's search text, derived as on save (the item types' rich-text
    fields; a type no plugin provides any more contributes its stem only)."""
    from flask import current_app

    from itembank.operations.content import search_text
    from itembank.plugins import host_from_config

    host = current_app.extensions.get('itembank.plugins') or host_from_config(current_app.config)
    rows = bind.execute(
        sa.select(item_version.c.id, item.c.item_type, item_version.c.stem, item_version.c.content)
        .join(item, item.c.id == item_version.c.item_id)
        .order_by(item_version.c.id)
    ).all()
    for start in range(0, len(rows), BATCH):
        values = []
        for version_id, type_id, stem, content in rows[start : start + BATCH]:
            item_type = host.item_types.get(type_id)
            fields = content if item_type is not None else {}
            text = search_text(item_type or _NoFields(), stem or '', fields or {})
            values.append({'vid': version_id, 'text': text})
        bind.execute(
            item_version.update()
            .where(item_version.c.id == sa.bindparam('vid'))
            .values(search_text=sa.bindparam('text')),
            values,
        )


class _NoFields:
    def html_fields(self, content):
        return iter(())


def _create_search_index(bind):
    """On PostgreSQL, the trigram index for the listing's text query (``q``) on the
    search text, if the pg_trgm extension is there or may be installed (as 0003)."""
    if bind.dialect.name != 'postgresql':
        return
    available = bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
    ).first()
    if available is None:
        return
    savepoint = bind.begin_nested()
    try:
        bind.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public')
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return
    savepoint.commit()
    schema = bind.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_trgm'"
    ).scalar_one()
    op.execute(
        'CREATE INDEX ix_item_version_search_text_trgm ON item_version '
        f'USING gin (search_text "{schema}".gin_trgm_ops)'
    )


def downgrade():
    op.execute('DROP INDEX IF EXISTS ix_item_version_search_text_trgm')
    with op.batch_alter_table('item_version', schema=None) as batch_op:
        batch_op.drop_column('search_text')
        batch_op.drop_column('required_approvals')
    # 0003's indexes on the raw stem and content, as they were
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql' and bind.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"
    ).first():
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
