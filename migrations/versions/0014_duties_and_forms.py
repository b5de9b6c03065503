"""forms: deleting a draft that was cloned keeps its clones (a locked clone may lose its
link to a deleted draft; nothing else of a locked form changes)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 04:40:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# 0004's frozen columns of a form that is not a draft, less cloned_from_id: a clone keeps
# pointing at its source unless the source (a draft) is deleted, which sets it to NULL.
_FROZEN = (
    'bank_id', 'number', 'external_id', 'blueprint_id', 'title',
    'created_by_id', 'created_at', 'locked_by_id', 'locked_at',
)
_FROZEN_0004 = _FROZEN + ('cloned_from_id',)


def _changed(dialect, columns, *, unlink_allowed):
    distinct = 'IS DISTINCT FROM' if dialect == 'postgresql' else 'IS NOT'
    parts = [f'NEW.{c} {distinct} OLD.{c}' for c in columns]
    if unlink_allowed:
        parts.append(f'(NEW.cloned_from_id {distinct} OLD.cloned_from_id AND NEW.cloned_from_id IS NOT NULL)')
    return ' OR '.join(parts)


def _replace_update_guard(columns, *, unlink_allowed):
    dialect = op.get_bind().dialect.name
    changed = _changed(dialect, columns, unlink_allowed=unlink_allowed)
    if dialect == 'postgresql':
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION form_locked_guard() RETURNS trigger AS $$
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
    elif dialect == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS form_locked_no_update')
        op.execute(
            f"""
            CREATE TRIGGER form_locked_no_update BEFORE UPDATE ON form
            WHEN OLD.status <> 'draft' AND (NEW.status = 'draft' OR {changed})
            BEGIN SELECT RAISE(ABORT, 'a form that is not a draft never changes'); END
            """
        )


def upgrade():
    _replace_update_guard(_FROZEN, unlink_allowed=True)


def downgrade():
    _replace_update_guard(_FROZEN_0004, unlink_allowed=False)
