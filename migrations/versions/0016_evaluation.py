"""issue 18: pre-test, anonymous course evaluation and follow-up

pretests/pretest_answers are per person (like attempts). course_evaluations and
followup_answers have no employee id, no time finer than the month and random UUID
keys; they are filled in shuffled batches from anonymous_pending. evaluation_receipts
and followup_sent say which completion has answered/been sent, nothing more.
followup_invitations hold a token digest and the group, never the person.

Revision ID: 0016_evaluation
Revises: 0015_scorm_runtime
Create Date: 2026-12-01 08:08:38.386832

"""
from alembic import op
import sqlalchemy as sa

import app.models.types


revision = '0016_evaluation'
down_revision = '0015_scorm_runtime'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('anonymous_pending',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('held_month', sa.String(length=7), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_anonymous_pending_course_id_courses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_anonymous_pending'))
    )
    with op.batch_alter_table('anonymous_pending', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_anonymous_pending_course_id'), ['course_id'], unique=False)

    op.create_table('course_evaluations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('administration_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('variant', sa.String(length=20), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('relevance', sa.Integer(), nullable=True),
    sa.Column('clarity', sa.Integer(), nullable=True),
    sa.Column('confidence', sa.Integer(), nullable=True),
    sa.Column('recommend', sa.String(length=10), nullable=True),
    sa.Column('free_text', sa.Text(), nullable=True),
    sa.CheckConstraint('clarity BETWEEN 1 AND 5', name=op.f('ck_course_evaluations_clarity_range')),
    sa.CheckConstraint('confidence BETWEEN 1 AND 5', name=op.f('ck_course_evaluations_confidence_range')),
    sa.CheckConstraint('relevance BETWEEN 1 AND 5', name=op.f('ck_course_evaluations_relevance_range')),
    sa.ForeignKeyConstraint(['administration_id'], ['org_units.id'], name=op.f('fk_course_evaluations_administration_id_org_units')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_evaluations_course_id_courses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_evaluations'))
    )
    with op.batch_alter_table('course_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_evaluations_course_id'), ['course_id'], unique=False)
        batch_op.create_index('ix_course_evaluations_group', ['course_id', 'administration_id', 'level'], unique=False)

    op.create_table('followup_answers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('administration_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('used_it', sa.String(length=10), nullable=True),
    sa.Column('workplace_changed', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['administration_id'], ['org_units.id'], name=op.f('fk_followup_answers_administration_id_org_units')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_followup_answers_course_id_courses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_answers'))
    )
    with op.batch_alter_table('followup_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_answers_course_id'), ['course_id'], unique=False)

    op.create_table('followup_invitations',
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('administration_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['administration_id'], ['org_units.id'], name=op.f('fk_followup_invitations_administration_id_org_units')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_followup_invitations_course_id_courses')),
    sa.PrimaryKeyConstraint('token_digest', name=op.f('pk_followup_invitations'))
    )
    with op.batch_alter_table('followup_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_invitations_course_id'), ['course_id'], unique=False)

    op.create_table('pretests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=20), nullable=False),
    sa.Column('drawn', sa.JSON(), nullable=False),
    sa.Column('started_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('skipped', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_versions.id'], name=op.f('fk_pretests_course_version_id_course_versions')),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_pretests_employee_id_employees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pretests')),
    sa.UniqueConstraint('employee_id', 'course_version_id', name='uq_pretests_emp_version')
    )
    with op.batch_alter_table('pretests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pretests_employee_id'), ['employee_id'], unique=False)

    op.create_table('pretest_answers',
    sa.Column('pretest_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('objective', sa.String(length=100), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['pretest_id'], ['pretests.id'], name=op.f('fk_pretest_answers_pretest_id_pretests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pretest_id', 'question_id', name=op.f('pk_pretest_answers'))
    )
    op.create_table('evaluation_receipts',
    sa.Column('completion_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['completion_id'], ['completions.id'], name=op.f('fk_evaluation_receipts_completion_id_completions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('completion_id', name=op.f('pk_evaluation_receipts'))
    )
    op.create_table('followup_sent',
    sa.Column('completion_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['completion_id'], ['completions.id'], name=op.f('fk_followup_sent_completion_id_completions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('completion_id', name=op.f('pk_followup_sent'))
    )


def downgrade():
    op.drop_table('followup_sent')
    op.drop_table('evaluation_receipts')
    op.drop_table('pretest_answers')
    with op.batch_alter_table('pretests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pretests_employee_id'))

    op.drop_table('pretests')
    with op.batch_alter_table('followup_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_invitations_course_id'))

    op.drop_table('followup_invitations')
    with op.batch_alter_table('followup_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_answers_course_id'))

    op.drop_table('followup_answers')
    with op.batch_alter_table('course_evaluations', schema=None) as batch_op:
        batch_op.drop_index('ix_course_evaluations_group')
        batch_op.drop_index(batch_op.f('ix_course_evaluations_course_id'))

    op.drop_table('course_evaluations')
    with op.batch_alter_table('anonymous_pending', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_anonymous_pending_course_id'))

    op.drop_table('anonymous_pending')
