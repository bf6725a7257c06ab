"""reports: rebuilt flag on coverage snapshots; completions index for the API's cursor

Revision ID: 0005_reports
Revises: 0001
Create Date: 2026-11-28 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005_reports'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # True for a day rebuilt afterwards from completion dates (today's organisation),
    # false for a snapshot taken on the day itself.
    with op.batch_alter_table('coverage_snapshots', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('rebuilt', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # "Completions changed since T", paged by (created_at, id).
    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.create_index('ix_completions_created_id', ['created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.drop_index('ix_completions_created_id')
    with op.batch_alter_table('coverage_snapshots', schema=None) as batch_op:
        batch_op.drop_column('rebuilt')
