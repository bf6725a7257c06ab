"""`demo seed` with courses loaded: sensible rules and every status, the same every time."""

from __future__ import annotations

import sqlalchemy as sa

from app import dates
from app.demo import services as demo
from app.extensions import db
from app.models import Completion, Requirement
from app.reports.coverage import total_counts

SLUGS = (
    "grundkurs",
    "chefens-ansvar",
    "strategiskt-arbete",
    "fortroendevaldas-roll",
    "upptacka-fraga-agera",
)


def _courses(make):
    for slug in SLUGS:
        make.course(slug, title=slug, valid_months=36)


def test_demo_seed_creates_rules_and_a_spread_of_statuses(app_ctx, make):
    _courses(make)
    result = demo.seed(db.session, employees=600, seed_value=7)
    db.session.commit()
    assert result.requirements == 5
    rules = {r.course.slug: r for r in db.session.scalars(sa.select(Requirement))}
    assert sorted(lv.level for lv in rules["chefens-ansvar"].levels) == ["chef", "ledning"]
    assert [lv.level for lv in rules["fortroendevaldas-roll"].levels] == ["fortroendevald"]
    assert rules["upptacka-fraga-agera"].tags
    assert rules["grundkurs"].legal_basis
    counts = total_counts(db.session, on=dates.today())
    for status in ("completed", "expiring", "expired", "overdue", "pending"):
        assert counts.as_dict()[status] > 0, status
    assert 0.4 < counts.coverage < 0.8


def test_demo_training_is_deterministic(app_ctx, make):
    _courses(make)
    demo.seed(db.session, employees=300, seed_value=11)
    db.session.commit()
    first = sorted(
        db.session.execute(
            sa.select(Completion.employee_id, Completion.course_id, Completion.completed_at)
        ).all()
    )
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in ("courses", "course_versions"):
            db.session.execute(table.delete())
    db.session.commit()
    demo.seed(db.session, employees=300, seed_value=11)
    db.session.commit()
    second = db.session.execute(
        sa.select(Completion.employee_id, Completion.course_id, Completion.completed_at)
    ).all()
    # Ids differ between runs; the pattern of days and courses does not.
    assert sorted((c, d) for _, c, d in first) == sorted((c, d) for _, c, d in second)


def test_demo_seed_without_courses_makes_no_rules(app_ctx):
    result = demo.seed(db.session, employees=100, seed_value=1)
    assert result.requirements == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Requirement)) == 0
