"""listing indexes: classifications by node, level and version; items by their newest and
approved version

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 17:00:00.000000

The listing's node and level filters ask "is this version classified under one of these
nodes (at this level)?" for the bank's listed versions. With the classifications indexed
by (node, level, version) the database answers from the index alone: the versions of a
subtree at a level without reading a classification row, and, with the items indexed by
the version they list (newest, or approved for assemblers), a small subtree's items
straight from its classifications, while a large one is still checked item by item as
the bank is walked in its order. The (node, level, version) index begins with the node,
so it replaces the index of the node alone.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_item_classification_node_level_version',
        'item_classification',
        ['node_id', 'level', 'version_id'],
    )
    op.drop_index('ix_item_classification_node_id', table_name='item_classification')
    op.create_index('ix_item_newest_version_id', 'item', ['newest_version_id'])
    op.create_index('ix_item_approved_version_id', 'item', ['approved_version_id'])


def downgrade():
    op.drop_index('ix_item_approved_version_id', table_name='item')
    op.drop_index('ix_item_newest_version_id', table_name='item')
    op.create_index('ix_item_classification_node_id', 'item_classification', ['node_id'])
    op.drop_index('ix_item_classification_node_level_version', table_name='item_classification')
