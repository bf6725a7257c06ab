"""courses.kind: 'varna' for a course folder, 'scorm' for an uploaded SCORM package

A SCORM package is a Course like any other (requirements, coverage, reports and
certificates read it unchanged); `kind` tells `courses sync` to leave it alone (it
has no folder under courses/) and the course page to play it. Every existing row
is a course folder.

Revision ID: 0014_scorm_packages
Revises: 0013_saml_state
Create Date: 2026-12-01 08:10:00

"""

from alembic import op
import sqlalchemy as sa


revision = '0014_scorm_packages'
down_revision = '0013_saml_state'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=20), nullable=False, server_default='varna')
        )


def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('kind')
