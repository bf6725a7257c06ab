"""saml_requests, saml_assertion_ids: SAML sign-in state shared by every worker

saml_requests: the AuthnRequests and LogoutRequests Värna sent and still waits for
(InResponseTo of a genuine answer), with where the person was going; used once,
expire after minutes. saml_assertion_ids: the replay cache; an assertion id is kept
until the assertion could no longer be accepted anyway.

Revision ID: 0013_saml_state
Revises: 0012_sign_in_letters
Create Date: 2026-12-01 08:10:00

"""
from alembic import op
import sqlalchemy as sa

import app.models.types


revision = '0013_saml_state'
down_revision = '0012_sign_in_letters'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('saml_requests',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('return_to', sa.String(length=2000), nullable=True),
    sa.Column('created_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saml_requests'))
    )
    with op.batch_alter_table('saml_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saml_requests_expires_at'), ['expires_at'], unique=False)

    op.create_table('saml_assertion_ids',
    sa.Column('id', sa.String(length=256), nullable=False),
    sa.Column('expires_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saml_assertion_ids'))
    )
    with op.batch_alter_table('saml_assertion_ids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saml_assertion_ids_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('saml_assertion_ids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saml_assertion_ids_expires_at'))
    op.drop_table('saml_assertion_ids')
    with op.batch_alter_table('saml_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saml_requests_expires_at'))
    op.drop_table('saml_requests')
