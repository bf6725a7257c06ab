"""org: names and titles up to 255 characters, as HR systems hold them

A first or last name over 100 characters (or a unit name or title over 200)
made the HR import refuse the whole export. Downgrading shortens the columns
again and fails if a longer name has been stored since.

Revision ID: 0011_longer_names
Revises: 0006_drop_renewal_window
Create Date: 2026-12-01 04:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_longer_names'
down_revision = '0006_drop_renewal_window'
branch_labels = None
depends_on = None

COLUMNS = [
    ('employees', 'first_name', 100),
    ('employees', 'last_name', 100),
    ('employees', 'title', 200),
    ('org_units', 'name', 200),
]


def upgrade():
    for table, column, old in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.String(old), type_=sa.String(255), existing_nullable=False
            )


def downgrade():
    for table, column, old in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.String(255), type_=sa.String(old), existing_nullable=False
            )
