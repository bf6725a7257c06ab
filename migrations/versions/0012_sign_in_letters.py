"""sign_in_letters: printed single-use sign-in codes for staff without an e-mail address

A manager or HR prints a letter with a code; only the code's sha256 digest is stored.
Valid 30 days (SIGN_IN_LETTER_DAYS), used once, revocable.

Revision ID: 0012_sign_in_letters
Revises: 0011_names_and_staff
Create Date: 2026-12-01 08:15:00

"""
from alembic import op
import sqlalchemy as sa

import app.models.types


revision = '0012_sign_in_letters'
down_revision = '0011_names_and_staff'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('code_digest', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_sign_in_letters_employee_id_employees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['employees.id'], name=op.f('fk_sign_in_letters_created_by_id_employees')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['employees.id'], name=op.f('fk_sign_in_letters_revoked_by_id_employees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_letters')),
    sa.UniqueConstraint('code_digest', name=op.f('uq_sign_in_letters_code_digest'))
    )
    with op.batch_alter_table('sign_in_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_letters_employee_id'), ['employee_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_in_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_letters_employee_id'))
    op.drop_table('sign_in_letters')
