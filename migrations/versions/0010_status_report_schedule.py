"""status report by e-mail: one row per month and recipient sent to

HR names the recipients and the day of the month (the settings row
`status_report_schedule`); `flask reports send-status` writes a row here before
each message, so the unique (month, recipient) keeps a rerun from sending twice.

Revision ID: 0010_status_report_schedule
Revises: 0009_mail_delivery
Create Date: 2026-12-01 03:40:00

"""
from alembic import op
import sqlalchemy as sa

import app.models.types


revision = '0010_status_report_schedule'
down_revision = '0009_mail_delivery'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'status_report_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('report_on', sa.Date(), nullable=False),
        sa.Column('sent_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_status_report_deliveries')),
        sa.UniqueConstraint(
            'month', 'recipient', name='uq_status_report_deliveries_month'
        ),
    )


def downgrade():
    op.drop_table('status_report_deliveries')
