"""audit_events: remove the text of exemption reasons and HR's notes from old details

An exemption's reason and the note on a manual record may be health data or reveal
that a person has been a victim (security review 2026-11, M5). The audit log now
records that a reason was given (`reason_given: true`), not its text; this removes
the text from the events written before, in the same way. The text stays on the
exemption or record itself, HR's to read. Downgrading changes nothing: the removed
text is not brought back.

Revision ID: 0007_audit_reason_text
Revises: 0006_drop_renewal_window
Create Date: 2026-12-01 04:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_audit_reason_text'
down_revision = '0006_drop_renewal_window'
branch_labels = None
depends_on = None

ACTIONS = ('exemption.create', 'completion.external')

audit_events = sa.table(
    'audit_events',
    sa.column('id', sa.Integer),
    sa.column('action', sa.String),
    sa.column('details', sa.JSON),
)


def scrub(connection) -> int:
    """Replace `reason` in the details of these events by `reason_given`; the number changed."""
    rows = connection.execute(
        sa.select(audit_events.c.id, audit_events.c.details).where(
            audit_events.c.action.in_(ACTIONS)
        )
    ).all()
    changed = 0
    for event_id, details in rows:
        if not isinstance(details, dict) or 'reason' not in details:
            continue
        kept = {k: v for k, v in details.items() if k != 'reason'}
        kept['reason_given'] = bool(details['reason'])
        connection.execute(
            audit_events.update().where(audit_events.c.id == event_id).values(details=kept)
        )
        changed += 1
    return changed


def upgrade():
    scrub(op.get_bind())


def downgrade():
    pass
