"""employees, org_units: names up to 255 characters; employees.is_staff

Names and titles hold what HR systems hold: a first or last name over 100
characters (or a unit name or title over 200) made the HR import refuse the
whole export. Downgrading shortens the columns again and fails if a longer
name has been stored since.

is_staff: false for an account made with `users create-admin` that is not in
the HR system's export; such an account is not counted in coverage. Every
existing row is staff.

Revision ID: 0011_names_and_staff
Revises: 0010_status_report_schedule
Create Date: 2026-12-01 04:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_names_and_staff'
down_revision = '0010_status_report_schedule'
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
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_staff', sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade():
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_column('is_staff')
    for table, column, old in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.String(255), type_=sa.String(old), existing_nullable=False
            )
