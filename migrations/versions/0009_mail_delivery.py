"""mail: an outbox of one row per message and recipient; password-reset links

Every reminder, digest and password-reset mail is recorded before it is sent and
marked after, so a rerun continues where a run stopped and a refused address is
kept for HR. Password-reset links get their own table: an hour, used once, the
latest only.

Revision ID: 0009_mail_delivery
Revises: 0008_api_token_scopes
Create Date: 2026-12-01 03:22:15.254662

"""
from alembic import op
import sqlalchemy as sa

import app.models.types


revision = '0009_mail_delivery'
down_revision = '0008_api_token_scopes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outgoing_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=True),
    sa.Column('to_addr', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=True),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_outgoing_mail_employee_id_employees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outgoing_mail_message_id'))
    )
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_mail_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index('ix_outgoing_mail_status', ['status'], unique=False)
        batch_op.create_index('ix_outgoing_mail_to_addr_status', ['to_addr', 'status'], unique=False)

    op.create_table('password_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_password_resets_employee_id_employees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_resets_token_hash'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_employee_id'), ['employee_id'], unique=False)



def downgrade():
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_resets_employee_id'))

    op.drop_table('password_resets')
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_index('ix_outgoing_mail_to_addr_status')
        batch_op.drop_index('ix_outgoing_mail_status')
        batch_op.drop_index(batch_op.f('ix_outgoing_mail_employee_id'))

    op.drop_table('outgoing_mail')
