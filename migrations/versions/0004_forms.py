"""forms: blueprints, test forms, enemy pairs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 07:09:17.332494

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('blueprint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('total_length', sa.Integer(), nullable=False),
    sa.Column('time_limit_minutes', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.CheckConstraint('time_limit_minutes IS NULL OR time_limit_minutes >= 1', name=op.f('ck_blueprint_time_limit_positive')),
    sa.CheckConstraint('total_length >= 1', name=op.f('ck_blueprint_total_length_positive')),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_blueprint_bank_id_bank')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_blueprint_created_by_id_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_blueprint_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blueprint')),
    sa.UniqueConstraint('bank_id', 'code', name=op.f('uq_blueprint_bank_id_code'))
    )
    with op.batch_alter_table('blueprint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blueprint_bank_id'), ['bank_id'], unique=False)

    op.create_table('blueprint_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('blueprint_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['blueprint_id'], ['blueprint.id'], name=op.f('fk_blueprint_section_blueprint_id_blueprint'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blueprint_section')),
    sa.UniqueConstraint('blueprint_id', 'position', name=op.f('uq_blueprint_section_blueprint_id_position'))
    )
    with op.batch_alter_table('blueprint_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blueprint_section_blueprint_id'), ['blueprint_id'], unique=False)

    op.create_table('enemy_pair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('item_low_id', sa.Integer(), nullable=False),
    sa.Column('item_high_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('item_low_id < item_high_id', name=op.f('ck_enemy_pair_ordered_pair')),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_enemy_pair_bank_id_bank')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_enemy_pair_created_by_id_user')),
    sa.ForeignKeyConstraint(['item_high_id'], ['item.id'], name=op.f('fk_enemy_pair_item_high_id_item')),
    sa.ForeignKeyConstraint(['item_low_id'], ['item.id'], name=op.f('fk_enemy_pair_item_low_id_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enemy_pair')),
    sa.UniqueConstraint('item_low_id', 'item_high_id', name=op.f('uq_enemy_pair_item_low_id_item_high_id'))
    )
    with op.batch_alter_table('enemy_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enemy_pair_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enemy_pair_item_high_id'), ['item_high_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enemy_pair_item_low_id'), ['item_low_id'], unique=False)

    op.create_table('form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('blueprint_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('cloned_from_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_by_id', sa.Integer(), nullable=True),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('exported_by_id', sa.Integer(), nullable=True),
    sa.Column('exported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('package_sha256', sa.String(length=64), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.CheckConstraint("status = 'draft' OR (locked_at IS NOT NULL AND locked_by_id IS NOT NULL)", name=op.f('ck_form_locked_has_who_and_when')),
    sa.CheckConstraint("status IN ('draft', 'locked', 'exported')", name=op.f('ck_form_status_known')),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_form_bank_id_bank')),
    sa.ForeignKeyConstraint(['blueprint_id'], ['blueprint.id'], name=op.f('fk_form_blueprint_id_blueprint')),
    sa.ForeignKeyConstraint(['cloned_from_id'], ['form.id'], name=op.f('fk_form_cloned_from_id_form')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_form_created_by_id_user')),
    sa.ForeignKeyConstraint(['exported_by_id'], ['user.id'], name=op.f('fk_form_exported_by_id_user')),
    sa.ForeignKeyConstraint(['locked_by_id'], ['user.id'], name=op.f('fk_form_locked_by_id_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_form_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form')),
    sa.UniqueConstraint('bank_id', 'number', name=op.f('uq_form_bank_id_number')),
    sa.UniqueConstraint('external_id', name=op.f('uq_form_external_id'))
    )
    with op.batch_alter_table('form', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_blueprint_id'), ['blueprint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_status'), ['status'], unique=False)

    op.create_table('blueprint_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('item_types', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('points', sa.Float(), nullable=True),
    sa.CheckConstraint('count >= 1', name=op.f('ck_blueprint_row_count_positive')),
    sa.CheckConstraint('points IS NULL OR points > 0', name=op.f('ck_blueprint_row_points_positive')),
    sa.ForeignKeyConstraint(['node_id'], ['taxonomy_node.id'], name=op.f('fk_blueprint_row_node_id_taxonomy_node')),
    sa.ForeignKeyConstraint(['section_id'], ['blueprint_section.id'], name=op.f('fk_blueprint_row_section_id_blueprint_section'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blueprint_row')),
    sa.UniqueConstraint('section_id', 'position', name=op.f('uq_blueprint_row_section_id_position'))
    )
    with op.batch_alter_table('blueprint_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blueprint_row_node_id'), ['node_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_blueprint_row_section_id'), ['section_id'], unique=False)

    op.create_table('form_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('blueprint_section_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['blueprint_section_id'], ['blueprint_section.id'], name=op.f('fk_form_section_blueprint_section_id_blueprint_section')),
    sa.ForeignKeyConstraint(['form_id'], ['form.id'], name=op.f('fk_form_section_form_id_form'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_section')),
    sa.UniqueConstraint('form_id', 'position', name=op.f('uq_form_section_form_id_position'))
    )
    with op.batch_alter_table('form_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_section_form_id'), ['form_id'], unique=False)

    op.create_table('form_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('item_version_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['user.id'], name=op.f('fk_form_entry_added_by_id_user')),
    sa.ForeignKeyConstraint(['form_id'], ['form.id'], name=op.f('fk_form_entry_form_id_form'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_form_entry_item_id_item')),
    sa.ForeignKeyConstraint(['item_version_id'], ['item_version.id'], name=op.f('fk_form_entry_item_version_id_item_version')),
    sa.ForeignKeyConstraint(['section_id'], ['form_section.id'], name=op.f('fk_form_entry_section_id_form_section'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_entry')),
    sa.UniqueConstraint('section_id', 'position', name=op.f('uq_form_entry_section_id_position'))
    )
    with op.batch_alter_table('form_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_entry_form_id'), ['form_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_entry_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_entry_item_version_id'), ['item_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_entry_section_id'), ['section_id'], unique=False)

    _create_lock_triggers()


# A form that is no longer a draft never changes: its entries and sections cannot be
# added, changed or removed, its identity and lock facts are fixed, it cannot go back to
# draft and cannot be deleted. The operations refuse all this first, with a clear message;
# these triggers make the database refuse it too, whoever writes to it.
_FROZEN_FORM_COLUMNS = (
    'bank_id', 'number', 'external_id', 'blueprint_id', 'title', 'cloned_from_id',
    'created_by_id', 'created_at', 'locked_by_id', 'locked_at',
)
_CHILD_TABLES = ('form_entry', 'form_section')


def _create_lock_triggers():
    dialect = op.get_bind().dialect.name
    changed = ' OR '.join(
        f'NEW.{c} IS DISTINCT FROM OLD.{c}' if dialect == 'postgresql' else f'NEW.{c} IS NOT OLD.{c}'
        for c in _FROZEN_FORM_COLUMNS
    )
    if dialect == 'postgresql':
        op.execute(
            f"""
            CREATE FUNCTION form_locked_guard() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    IF OLD.status <> 'draft' THEN
                        RAISE EXCEPTION 'form % is %: it cannot be deleted', OLD.external_id, OLD.status;
                    END IF;
                    RETURN OLD;
                END IF;
                IF OLD.status <> 'draft' AND (NEW.status = 'draft' OR {changed}) THEN
                    RAISE EXCEPTION 'form % is %: it never changes', OLD.external_id, OLD.status;
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            """
            CREATE TRIGGER form_locked_guard BEFORE UPDATE OR DELETE ON form
            FOR EACH ROW EXECUTE FUNCTION form_locked_guard()
            """
        )
        op.execute(
            """
            CREATE FUNCTION form_child_locked_guard() RETURNS trigger AS $$
            DECLARE
                state text;
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    SELECT status INTO state FROM form WHERE id = OLD.form_id;
                    IF state IS NOT NULL AND state <> 'draft' THEN
                        RAISE EXCEPTION 'the form is %: its % rows never change', state, TG_TABLE_NAME;
                    END IF;
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    SELECT status INTO state FROM form WHERE id = NEW.form_id;
                    IF state IS NOT NULL AND state <> 'draft' THEN
                        RAISE EXCEPTION 'the form is %: its % rows never change', state, TG_TABLE_NAME;
                    END IF;
                    RETURN NEW;
                END IF;
                RETURN OLD;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for table in _CHILD_TABLES:
            op.execute(
                f"""
                CREATE TRIGGER {table}_locked_guard BEFORE INSERT OR UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION form_child_locked_guard()
                """
            )
    elif dialect == 'sqlite':
        op.execute(
            """
            CREATE TRIGGER form_locked_no_delete BEFORE DELETE ON form
            WHEN OLD.status <> 'draft'
            BEGIN SELECT RAISE(ABORT, 'a form that is not a draft cannot be deleted'); END
            """
        )
        op.execute(
            f"""
            CREATE TRIGGER form_locked_no_update BEFORE UPDATE ON form
            WHEN OLD.status <> 'draft' AND (NEW.status = 'draft' OR {changed})
            BEGIN SELECT RAISE(ABORT, 'a form that is not a draft never changes'); END
            """
        )
        for table in _CHILD_TABLES:
            for event, row in (('INSERT', 'NEW'), ('UPDATE', 'OLD'), ('UPDATE', 'NEW'), ('DELETE', 'OLD')):
                suffix = f'{event.lower()}_{row.lower()}'
                op.execute(
                    f"""
                    CREATE TRIGGER {table}_locked_{suffix} BEFORE {event} ON {table}
                    WHEN (SELECT status FROM form WHERE id = {row}.form_id) <> 'draft'
                    BEGIN SELECT RAISE(ABORT, 'the rows of a form that is not a draft never change'); END
                    """
                )


def _drop_lock_triggers():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        for table in _CHILD_TABLES:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_locked_guard ON {table}')
        op.execute('DROP TRIGGER IF EXISTS form_locked_guard ON form')
        op.execute('DROP FUNCTION IF EXISTS form_child_locked_guard()')
        op.execute('DROP FUNCTION IF EXISTS form_locked_guard()')
    elif dialect == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS form_locked_no_delete')
        op.execute('DROP TRIGGER IF EXISTS form_locked_no_update')
        for table in _CHILD_TABLES:
            for suffix in ('insert_new', 'update_old', 'update_new', 'delete_old'):
                op.execute(f'DROP TRIGGER IF EXISTS {table}_locked_{suffix}')



def downgrade():
    _drop_lock_triggers()
    with op.batch_alter_table('form_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_entry_section_id'))
        batch_op.drop_index(batch_op.f('ix_form_entry_item_version_id'))
        batch_op.drop_index(batch_op.f('ix_form_entry_item_id'))
        batch_op.drop_index(batch_op.f('ix_form_entry_form_id'))

    op.drop_table('form_entry')
    with op.batch_alter_table('form_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_section_form_id'))

    op.drop_table('form_section')
    with op.batch_alter_table('blueprint_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blueprint_row_section_id'))
        batch_op.drop_index(batch_op.f('ix_blueprint_row_node_id'))

    op.drop_table('blueprint_row')
    with op.batch_alter_table('form', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_status'))
        batch_op.drop_index(batch_op.f('ix_form_blueprint_id'))
        batch_op.drop_index(batch_op.f('ix_form_bank_id'))

    op.drop_table('form')
    with op.batch_alter_table('enemy_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enemy_pair_item_low_id'))
        batch_op.drop_index(batch_op.f('ix_enemy_pair_item_high_id'))
        batch_op.drop_index(batch_op.f('ix_enemy_pair_bank_id'))

    op.drop_table('enemy_pair')
    with op.batch_alter_table('blueprint_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blueprint_section_blueprint_id'))

    op.drop_table('blueprint_section')
    with op.batch_alter_table('blueprint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blueprint_bank_id'))

    op.drop_table('blueprint')
