"""Factories that tests call to build what they need: make.unit(), make.employee(), ..."""

from __future__ import annotations

import itertools
import secrets
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from app import org
from app.dates import expiry_for
from app.models import (
    Completion,
    Course,
    CourseVersion,
    Employee,
    EmployeeTag,
    Exemption,
    OrgUnit,
    Requirement,
    RequirementLevel,
    RequirementTag,
    UnitManager,
)

_counter = itertools.count(1)
REPO_COURSES = Path(__file__).resolve().parent.parent / "courses"
# A tiny course for the tests; kept out of courses/ so it never reaches a real catalogue.
EXAMPLE_COURSE = Path(__file__).resolve().parent / "data" / "courses" / "example-intro"
# Hashing is slow on purpose; tests share one hash of the common test password.
_HASHES: dict[str, str] = {}


def _hash(password: str) -> str:
    if password not in _HASHES:
        _HASHES[password] = generate_password_hash(password)
    return _HASHES[password]


class Factories:
    def __init__(self, session: Session) -> None:
        self.session = session

    def unit(
        self,
        name: str | None = None,
        *,
        parent: OrgUnit | None = None,
        kind: str | None = None,
        code: str | None = None,
    ) -> OrgUnit:
        n = next(_counter)
        unit = OrgUnit(
            code=code or f"U{n}",
            name=name or f"Enhet {n}",
            kind=kind or ("kommun" if parent is None else "enhet"),
            parent_id=parent.id if parent else None,
        )
        self.session.add(unit)
        self.session.flush()
        org.place(unit, parent)
        self.session.commit()
        return unit

    def employee(
        self,
        *,
        unit: OrgUnit | None = None,
        level: str = "medarbetare",
        email: str | None = None,
        password: str | None = "ett-langt-testlosenord",
        first_name: str = "Test",
        last_name: str | None = None,
        is_hr: bool = False,
        is_reporter: bool = False,
        active: bool = True,
        tags: tuple[str, ...] = (),
        manages: tuple[OrgUnit, ...] = (),
        start_date: date | None = None,
    ) -> Employee:
        n = next(_counter)
        if unit is None:
            unit = self.unit()
        emp = Employee(
            employee_number=f"E{n:06d}",
            first_name=first_name,
            last_name=last_name or f"Person{n}",
            email=email or f"person{n}@test.example",
            unit_id=unit.id,
            level=level,
            title="handläggare",
            is_hr=is_hr,
            is_reporter=is_reporter,
            active=active,
            start_date=start_date or date(2020, 1, 1),
            placed_on=start_date or date(2020, 1, 1),
            password_hash=_hash(password) if password else None,
        )
        emp.tags = [EmployeeTag(tag=t) for t in tags]
        self.session.add(emp)
        self.session.flush()
        for managed in manages:
            self.session.add(UnitManager(unit_id=managed.id, employee_id=emp.id, role="chef"))
        self.session.commit()
        return emp

    def course(
        self,
        slug: str | None = None,
        *,
        title: str | None = None,
        prevention_levels: tuple[str, ...] = ("universal",),
        valid_months: int | None = 36,
        pass_mark: int = 80,
        version: str = "1.0",
    ) -> Course:
        n = next(_counter)
        course = Course(
            slug=slug or f"kurs-{n}",
            title=title or f"Kurs {n}",
            prevention_levels=list(prevention_levels),
            audience={},
            minutes=20,
            pass_mark=pass_mark,
            valid_months=valid_months,
        )
        self.session.add(course)
        self.session.flush()
        self.session.add(
            CourseVersion(
                course_id=course.id,
                version=version,
                major=int(version.split(".")[0]),
                content_hash=secrets.token_hex(16),
                content={"modules": [], "quiz": {"questions": []}},
                pass_mark=pass_mark,
                valid_months=valid_months,
            )
        )
        self.session.commit()
        return course

    def requirement(
        self,
        course: Course,
        *,
        levels: tuple[str, ...] = (),
        unit: OrgUnit | None = None,
        tags: tuple[str, ...] = (),
        due_days: int = 90,
        valid_months: int | None = None,
        starts_on: date = date(2024, 1, 1),
        ends_on: date | None = None,
        legal_basis: str = "",
    ) -> Requirement:
        req = Requirement(
            course_id=course.id,
            unit_id=unit.id if unit else None,
            due_days=due_days,
            valid_months=valid_months,
            starts_on=starts_on,
            ends_on=ends_on,
            legal_basis=legal_basis,
        )
        req.levels = [RequirementLevel(level=lvl) for lvl in levels]
        req.tags = [RequirementTag(tag=t) for t in tags]
        self.session.add(req)
        self.session.commit()
        return req

    def completion(
        self,
        employee: Employee,
        course: Course,
        *,
        on: date = date(2025, 1, 15),
        source: str = "online",
        valid_months: int | None = -1,
        score: int | None = 100,
    ) -> Completion:
        """A completion on day `on`; expiry from the course unless valid_months is given."""
        completed_at = datetime.combine(on, time(10, 0), UTC)
        months = course.valid_months if valid_months == -1 else valid_months
        completion = Completion(
            employee_id=employee.id,
            course_id=course.id,
            completed_at=completed_at,
            expires_at=expiry_for(completed_at, months),
            score=score,
            source=source,
            verification_code=secrets.token_hex(8),
        )
        self.session.add(completion)
        self.session.commit()
        return completion

    def exemption(
        self, employee: Employee, requirement: Requirement, reason: str = "Tjänstledig"
    ) -> Exemption:
        exemption = Exemption(
            employee_id=employee.id,
            requirement_id=requirement.id,
            reason=reason,
            created_at=datetime(2024, 1, 1, tzinfo=UTC),
        )
        self.session.add(exemption)
        self.session.commit()
        return exemption

    def synced_course(self, folder: Path | str = EXAMPLE_COURSE) -> Course:
        """A course loaded from its folder as `courses sync` does (default: tests/data/courses/example-intro)."""
        import sqlalchemy as sa

        from app.courses.loader import load_course
        from app.courses.services import apply_course

        loaded = load_course(Path(folder))
        apply_course(self.session, loaded)
        self.session.commit()
        return self.session.scalars(sa.select(Course).where(Course.slug == loaded.slug)).one()
