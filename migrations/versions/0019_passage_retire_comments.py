"""passages: retiring a passage, comments on passage versions; an item version's content
hash includes the text of the passage version it pins

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 14:00:00.000000

"""
import hashlib
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    # passage.retired_at / retired_by_id: added in place (a rebuild of a table other
    # tables reference needs foreign keys off on SQLite).
    fk_name = op.f('fk_passage_retired_by_id_user')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE passage ADD COLUMN retired_at DATETIME')
        op.execute(
            'ALTER TABLE passage ADD COLUMN retired_by_id INTEGER '
            f'CONSTRAINT {fk_name} REFERENCES user (id)'
        )
    else:
        op.add_column('passage', sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
        op.add_column('passage', sa.Column('retired_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(fk_name, 'passage', 'user', ['retired_by_id'], ['id'])

    op.create_table('passage_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=200), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_passage_comment_author_id_user')),
    sa.ForeignKeyConstraint(['version_id'], ['passage_version.id'], name=op.f('fk_passage_comment_version_id_passage_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passage_comment'))
    )
    with op.batch_alter_table('passage_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passage_comment_version_id'), ['version_id'], unique=False)

    _rehash(with_passage=True)


def downgrade():
    _rehash(with_passage=False)
    with op.batch_alter_table('passage_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passage_comment_version_id'))
    op.drop_table('passage_comment')

    if op.get_bind().dialect.name == 'sqlite':
        # In place (SQLite 3.35+), never by rebuilding the table: dropping the old
        # passage table would break the foreign keys of the rows that reference it.
        op.execute('ALTER TABLE passage DROP COLUMN retired_by_id')
        op.execute('ALTER TABLE passage DROP COLUMN retired_at')
    else:
        op.drop_constraint(op.f('fk_passage_retired_by_id_user'), 'passage', type_='foreignkey')
        op.drop_column('passage', 'retired_by_id')
        op.drop_column('passage', 'retired_at')


def _hash(type_id, stem, content, metadata, passage_hash):
    """The item version's content hash as :func:`itembank.operations.content.content_hash`
    computes it (this copy is frozen with the migration)."""
    document = {"type": type_id, "stem": stem, "content": content, "metadata": metadata}
    if passage_hash is not None:
        document["passage"] = passage_hash
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _rehash(*, with_passage):
    """Recompute the content hash of the item versions that pin a passage version:
    with the passage version's hash (upgrade) or without it (downgrade)."""
    bind = op.get_bind()
    meta = sa.MetaData()
    item = sa.Table('item', meta, sa.Column('id', sa.Integer), sa.Column('item_type', sa.String))
    version = sa.Table(
        'item_version', meta,
        sa.Column('id', sa.Integer), sa.Column('item_id', sa.Integer),
        sa.Column('stem', sa.Text), sa.Column('content', sa.JSON),
        sa.Column('metadata', sa.JSON), sa.Column('content_hash', sa.String),
        sa.Column('passage_version_id', sa.Integer),
    )
    passage_version = sa.Table(
        'passage_version', meta, sa.Column('id', sa.Integer), sa.Column('content_hash', sa.String)
    )
    rows = bind.execute(
        sa.select(
            version.c.id, item.c.item_type, version.c.stem, version.c.content,
            version.c.metadata, passage_version.c.content_hash,
        )
        .join(item, item.c.id == version.c.item_id)
        .join(passage_version, passage_version.c.id == version.c.passage_version_id)
    ).all()
    for row in rows:
        digest = _hash(
            row.item_type, row.stem, row.content or {}, row.metadata or {},
            row.content_hash if with_passage else None,
        )
        bind.execute(
            sa.update(version).where(version.c.id == row.id).values(content_hash=digest)
        )
