"""Demo requirements and a realistic, deterministic spread of training records.

Runs inside `demo seed` when courses have been loaded (`make run` syncs them
first). The spread is fixed by the seed: the same seed gives the same records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.dates import add_months, expiry_for
from app.models import (
    Completion,
    Course,
    CourseVersion,
    Requirement,
    RequirementLevel,
    RequirementTag,
)
from app.records import new_verification_code

# Occupations meeting people at risk: the course on spotting, asking and acting.
FRONTLINE_TAGS = (
    "socialsekreterare",
    "lärare",
    "förskollärare",
    "kurator",
    "skolsköterska",
    "undersköterska",
    "vårdbiträde",
    "biståndshandläggare",
    "sjuksköterska",
    "fritidsledare",
    "receptionist",
)
COUNCIL = "Kommunfullmäktiges beslut om utbildning i våldsförebyggande arbete"


@dataclass(frozen=True)
class Rule:
    slug: str
    name: str
    levels: tuple[str, ...]
    tags: tuple[str, ...]
    started_days_ago: int
    due_days: int
    legal_basis: str
    share_done: float  # of those required, how many have completed


RULES = (
    Rule(
        "grundkurs",
        "Grundkurs för alla",
        (),
        (),
        420,
        90,
        f"Diskrimineringslagen 3 kap. 6 §; {COUNCIL}",
        0.68,
    ),
    Rule(
        "chefens-ansvar",
        "Chefer och ledning",
        ("chef", "ledning"),
        (),
        200,
        120,
        f"Diskrimineringslagen 3 kap. 6 §; arbetsmiljölagen 3 kap. 2 a §; {COUNCIL}",
        0.55,
    ),
    Rule("strategiskt-arbete", "Ledningen", ("ledning",), (), 60, 90, COUNCIL, 0.3),
    Rule(
        "fortroendevaldas-roll", "Förtroendevalda", ("fortroendevald",), (), 150, 90, COUNCIL, 0.4
    ),
    Rule(
        "upptacka-fraga-agera",
        "Yrken som möter utsatta",
        (),
        FRONTLINE_TAGS,
        30,
        180,
        COUNCIL,
        0.15,
    ),
)


@dataclass(frozen=True)
class Person:
    id: int
    level: str
    tag: str
    placed_on: date


def seed_training(
    session: Session, people: list[Person], *, today: date, seed_value: int
) -> tuple[int, int]:
    """Requirements for the courses that exist, and completions for some of the people.

    Returns (requirements, completions). Nothing happens without courses.
    """
    courses = {c.slug: c for c in session.scalars(sa.select(Course))}
    versions = dict(
        session.execute(
            sa.select(CourseVersion.course_id, sa.func.max(CourseVersion.id))
            .where(CourseVersion.is_current.is_(True))
            .group_by(CourseVersion.course_id)
        ).all()
    )
    rng = random.Random(seed_value * 7919 + 1)
    requirements = 0
    rows: list[dict] = []
    for rule in RULES:
        course = courses.get(rule.slug)
        if course is None:
            continue
        starts_on = today - timedelta(days=rule.started_days_ago)
        req = Requirement(
            course_id=course.id,
            name=rule.name,
            due_days=rule.due_days,
            legal_basis=rule.legal_basis,
            starts_on=starts_on,
        )
        req.levels = [RequirementLevel(level=lv) for lv in rule.levels]
        req.tags = [RequirementTag(tag=t) for t in rule.tags]
        session.add(req)
        requirements += 1
        for person in people:
            if rule.levels and person.level not in rule.levels:
                continue
            if rule.tags and person.tag not in rule.tags:
                continue
            day = _completion_day(rng, rule, course, person, today, starts_on)
            if day is None:
                continue
            at = datetime.combine(day, time(rng.randint(7, 16), rng.randint(0, 59)), UTC)
            old = day < starts_on
            rows.append(
                {
                    "employee_id": person.id,
                    "course_id": course.id,
                    "course_version_id": None if old else versions.get(course.id),
                    "title": "",
                    "completed_at": at,
                    "expires_at": expiry_for(at, course.valid_months),
                    "score": None if old else rng.choice((80, 85, 90, 95, 100)),
                    "source": "import" if old else "online",
                    "recorded_by_id": None if old else person.id,
                    "verification_code": new_verification_code(),
                }
            )
    session.flush()
    for start in range(0, len(rows), 5000):
        session.execute(sa.insert(Completion), rows[start : start + 5000])
    return requirements, len(rows)


def _completion_day(
    rng: random.Random, rule: Rule, course: Course, person: Person, today: date, starts_on: date
) -> date | None:
    """None (not done), or the day it was done: recently, or long ago so it is expiring/expired."""
    roll = rng.random()
    months = course.valid_months
    if months and rule.slug == "grundkurs" and roll < 0.13:
        # Done in an earlier system years ago: some expire this month, some already have.
        back = add_months(today, -months)
        day = (
            back + timedelta(days=rng.randint(1, 28))
            if roll < 0.08
            else back - timedelta(days=rng.randint(5, 240))
        )
        return day if day >= person.placed_on else None
    if roll >= rule.share_done:
        return None
    first = max(person.placed_on, starts_on - timedelta(days=30))
    if first >= today:
        return None
    return first + timedelta(days=rng.randint(0, (today - first).days))
