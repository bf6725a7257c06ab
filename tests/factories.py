"""Factories that tests call to build what they need: make.unit(), make.employee(), ..."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from app.models import Employee, EmployeeTag, OrgUnit, UnitManager

_counter = itertools.count(1)
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
        unit.path = f"{parent.path if parent else '/'}{unit.id}/"
        unit.depth = parent.depth + 1 if parent else 0
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
