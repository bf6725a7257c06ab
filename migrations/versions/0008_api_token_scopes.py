"""api_tokens: an expiry day, scopes (endpoints) and an optional unit subtree

Security review M2: a token had neither, and read everything for ever. A token made
before this migration keeps what it could read (every endpoint, the whole municipality)
and expires a year after it was made (at once if that day has passed), so an
integration using it gets its year and then needs a new, scoped token.

Revision ID: 0008_api_token_scopes
Revises: 0007_audit_reason_text
Create Date: 2026-12-01 04:00:00

"""
from datetime import datetime, timedelta

from alembic import op
import sqlalchemy as sa


revision = '0008_api_token_scopes'
down_revision = '0007_audit_reason_text'
branch_labels = None
depends_on = None

ALL_SCOPES = ['completions', 'units', 'courses', 'coverage']


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('scopes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_api_tokens_unit_id_org_units'), 'org_units', ['unit_id'], ['id']
        )
    conn = op.get_bind()
    tokens = sa.table(
        'api_tokens',
        sa.column('id', sa.Integer()),
        sa.column('created_at', sa.DateTime()),
        sa.column('expires_on', sa.Date()),
        sa.column('scopes', sa.JSON()),
    )
    for token_id, created_at in conn.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        if isinstance(created_at, str):  # SQLite hands back text
            created_at = datetime.fromisoformat(created_at)
        conn.execute(
            tokens.update()
            .where(tokens.c.id == token_id)
            .values(expires_on=created_at.date() + timedelta(days=365), scopes=ALL_SCOPES)
        )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_on', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('scopes', existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_unit_id_org_units'), type_='foreignkey')
        batch_op.drop_column('unit_id')
        batch_op.drop_column('scopes')
        batch_op.drop_column('expires_on')
