"""requirements: drop renewal_window_days, which nothing ever read

A rule's "days before expiry when the course can be taken again" was stored and
edited but never used: a person may take a course again at any time, and
"expiring" is one fixed window for every rule (coverage.EXPIRING_DAYS, DESIGN.md).
Downgrading brings the column back with the old default.

Revision ID: 0006_drop_renewal_window
Revises: 0005_reports
Create Date: 2026-11-30 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_drop_renewal_window'
down_revision = '0005_reports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('requirements', schema=None) as batch_op:
        batch_op.drop_column('renewal_window_days')


def downgrade():
    with op.batch_alter_table('requirements', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('renewal_window_days', sa.Integer(), nullable=False, server_default='60')
        )
