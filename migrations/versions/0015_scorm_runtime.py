"""scorm_runtime: a SCORM package's run-time data per learner, course version and item

What the package committed (cmi.*) is kept so the next launch resumes where the
learner stopped, on any device; the fields reports and support read are columns.
attempt_id ties the rows to the learner's run of the version (one Attempt), whose
completion is recorded once.

Revision ID: 0015_scorm_runtime
Revises: 0014_scorm_packages
Create Date: 2026-12-01 08:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_scorm_runtime'
down_revision = '0014_scorm_packages'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'scorm_runtime',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=False),
        sa.Column('course_version_id', sa.Integer(), nullable=False),
        sa.Column('item_identifier', sa.String(length=200), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('scorm_version', sa.String(length=10), nullable=False),
        sa.Column('cmi', sa.JSON(), nullable=False),
        sa.Column('lesson_status', sa.String(length=20), nullable=True),
        sa.Column('lesson_location', sa.String(length=255), nullable=True),
        sa.Column('score_raw', sa.Float(), nullable=True),
        sa.Column('completion_status', sa.String(length=20), nullable=True),
        sa.Column('success_status', sa.String(length=20), nullable=True),
        sa.Column('location', sa.String(length=1000), nullable=True),
        sa.Column('score_scaled', sa.Float(), nullable=True),
        sa.Column('objectives', sa.JSON(), nullable=False),
        sa.Column('interactions', sa.JSON(), nullable=False),
        sa.Column('suspend_data', sa.Text(), nullable=True),
        sa.Column('exit', sa.String(length=20), nullable=True),
        sa.Column('session_time', sa.String(length=40), nullable=True),
        sa.Column('total_time', sa.String(length=40), nullable=True),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('done', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_scorm_runtime_attempt_id_attempts')),
        sa.ForeignKeyConstraint(['course_version_id'], ['course_versions.id'], name=op.f('fk_scorm_runtime_course_version_id_course_versions')),
        sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_scorm_runtime_employee_id_employees')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scorm_runtime')),
        sa.UniqueConstraint('employee_id', 'course_version_id', 'item_identifier', name='uq_scorm_runtime_item'),
    )
    op.create_index(op.f('ix_scorm_runtime_employee_id'), 'scorm_runtime', ['employee_id'])
    op.create_index(op.f('ix_scorm_runtime_attempt_id'), 'scorm_runtime', ['attempt_id'])


def downgrade():
    op.drop_index(op.f('ix_scorm_runtime_attempt_id'), table_name='scorm_runtime')
    op.drop_index(op.f('ix_scorm_runtime_employee_id'), table_name='scorm_runtime')
    op.drop_table('scorm_runtime')
