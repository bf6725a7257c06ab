"""Reminders: one e-mail per person with what to do, and a weekly digest for managers.

A person is reminded of a course when it is due within 14 days, overdue, expired,
or expiring within 30 days (coverage's own statuses). Whatever the schedule, a
person gets at most one reminder per course per week, and a manager one digest
per week: ReminderLog is both the record and the limit. A run repeated on the
same day therefore finds nothing new to send.

Sending goes through the outbox (app.mail): the e-mails and their ReminderLog rows
are recorded together and committed before anything is sent, then delivered one
recipient at a time. A refused address is kept (HR sees it on the person's record
and the administration page) and that address gets nothing more until HR's data
changes it; a server that is down leaves the rest queued for the next run.

A manager's weekly digest names only the people in the units they lead
themselves; for units further down it gives a count per unit and a link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import mail
from app.auth.access import holds_unit
from app.labels import STATUS, format_day, swedish
from app.models import (
    Course,
    Employee,
    OrgUnit,
    OutgoingMail,
    ReminderLog,
    Status,
    UnitManager,
)
from app.org import ancestor_ids, in_subtrees
from app.records import audit
from app.reports.coverage import Scope, as_date, pairs_stmt

WEEK = timedelta(days=7)
DUE_SOON_DAYS = 14
DIGEST_LINES = 100  # a digest lists this many people; the link shows the rest


@dataclass(frozen=True)
class Item:
    course_id: int
    kind: str  # due, overdue, expired, expiring
    due_on: date | None
    expires_on: date | None


@dataclass
class PersonReminder:
    employee_id: int
    email: str
    first_name: str
    items: list[Item] = field(default_factory=list)
    last_name: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class Digest:
    manager_id: int
    email: str
    first_name: str
    unit_ids: list[int]  # the units this manager leads themselves
    lines: list[tuple[str, str, str, date | None]] = field(
        default_factory=list
    )  # name, unit, course, due: people in the units they lead
    below: dict[int, tuple[str, set[int]]] = field(
        default_factory=dict
    )  # unit id → (name, people overdue there): units further down, counts only
    named: set[int] = field(default_factory=set)  # the people in `lines`

    @property
    def named_people(self) -> int:
        return len(self.named)


@dataclass
class Plan:
    on: date
    people: list[PersonReminder]
    digests: list[Digest]
    courses: dict[int, Course]

    @property
    def items(self) -> int:
        return sum(len(p.items) for p in self.people)


def _kind(status: str) -> str:
    return "due" if status == Status.PENDING else status


def _actionable(on: date, scope: Scope) -> sa.Select:
    """Pairs that call for a reminder, without one for the same course in the last week."""
    p = pairs_stmt(on, scope).subquery("p")
    recent = sa.exists().where(
        ReminderLog.employee_id == p.c.employee_id,
        ReminderLog.course_id == p.c.course_id,
        ReminderLog.sent_on > on - WEEK,
    )
    return (
        sa.select(
            p.c.employee_id,
            p.c.course_id,
            p.c.status,
            p.c.due_on,
            p.c.expires_on,
            Employee.email,
            Employee.first_name,
            Employee.last_name,
        )
        .join(Employee, Employee.id == p.c.employee_id)
        .where(
            sa.or_(
                p.c.status.in_([Status.OVERDUE.value, Status.EXPIRED.value, Status.EXPIRING.value]),
                sa.and_(
                    p.c.status == Status.PENDING.value,
                    p.c.due_on <= sa.literal(on + timedelta(days=DUE_SOON_DAYS), sa.Date),
                ),
            ),
            Employee.email.is_not(None),
            ~mail.address_refused(Employee.email),
            ~recent,
        )
        .order_by(p.c.employee_id, p.c.course_id)
    )


def person_plan(session: Session, *, on: date, scope: Scope | None = None) -> list[PersonReminder]:
    people: dict[int, PersonReminder] = {}
    for r in session.execute(_actionable(on, scope or Scope())):
        person = people.setdefault(
            r.employee_id,
            PersonReminder(r.employee_id, r.email, r.first_name, last_name=r.last_name),
        )
        person.items.append(
            Item(r.course_id, _kind(r.status), as_date(r.due_on), as_date(r.expires_on))
        )
    return list(people.values())


def digest_plan(session: Session, *, on: date) -> list[Digest]:
    """Each current manager (or deputy) with overdue people below them, once a week."""
    had_digest = sa.exists().where(
        ReminderLog.employee_id == UnitManager.employee_id,
        ReminderLog.kind == "digest",
        ReminderLog.sent_on > on - WEEK,
    )
    managers = session.execute(
        sa.select(UnitManager.employee_id, OrgUnit.id, Employee.email, Employee.first_name)
        .join(OrgUnit, OrgUnit.id == UnitManager.unit_id)
        .join(Employee, Employee.id == UnitManager.employee_id)
        .where(
            OrgUnit.active.is_(True),
            Employee.active.is_(True),
            Employee.email.is_not(None),
            ~mail.address_refused(Employee.email),
            holds_unit(on),  # a deputy's digest ends with the grantor's right (M1)
            ~had_digest,
        )
    ).all()
    if not managers:
        return []
    by_unit: dict[int, list[int]] = {}
    digests: dict[int, Digest] = {}
    for manager_id, unit_id, email, first in managers:
        digests.setdefault(manager_id, Digest(manager_id, email, first, []))
        digests[manager_id].unit_ids.append(unit_id)
        by_unit.setdefault(unit_id, []).append(manager_id)
    p = pairs_stmt(on).subquery("p")
    overdue = session.execute(
        sa.select(
            Employee.id,
            Employee.first_name,
            Employee.last_name,
            OrgUnit.id,
            OrgUnit.name,
            OrgUnit.path,
            Course.title,
            p.c.due_on,
        )
        .select_from(p)
        .join(Employee, Employee.id == p.c.employee_id)
        .join(OrgUnit, OrgUnit.id == Employee.unit_id)
        .join(Course, Course.id == p.c.course_id)
        .where(p.c.status.in_([Status.OVERDUE.value, Status.EXPIRED.value]))
        .order_by(OrgUnit.name, Employee.last_name, Employee.first_name, Course.title)
    ).all()
    for person_id, first, last, unit_id, unit_name, path, title, due in overdue:
        receivers = {m for a in ancestor_ids(path) for m in by_unit.get(a, ())}
        receivers.discard(person_id)  # their own courses come in their own reminder
        for manager_id in receivers:
            digest = digests[manager_id]
            if unit_id in digest.unit_ids:
                digest.lines.append((f"{first} {last}", unit_name, title, as_date(due)))
                digest.named.add(person_id)
            else:
                digest.below.setdefault(unit_id, (unit_name, set()))[1].add(person_id)
    return [d for d in digests.values() if d.lines or d.below]


def plan(session: Session, *, on: date) -> Plan:
    people = person_plan(session, on=on)
    digests = digest_plan(session, on=on)
    ids = {i.course_id for p in people for i in p.items}
    courses = {c.id: c for c in session.scalars(sa.select(Course).where(Course.id.in_(ids)))}
    return Plan(on=on, people=people, digests=digests, courses=courses)


# --- the e-mails ------------------------------------------------------------------------


def _line(item: Item, course: Course | None, base_url: str, statuses: dict[str, str]) -> str:
    """One course in a reminder: its status by the name every page uses, then what to do."""
    title = course.title if course else "?"
    due, expires = format_day(item.due_on), format_day(item.expires_on)
    if item.kind == Status.OVERDUE:
        text = f"{statuses[Status.OVERDUE]} – sista dag var {due}."
    elif item.kind == "due":
        text = f"{statuses[Status.PENDING]} – ska vara genomförd senast {due}."
    elif item.kind == Status.EXPIRING:
        text = (
            f"{statuses[Status.EXPIRING]} – giltigheten går ut {expires}, gör om kursen före dess."
        )
    else:
        text = f"{statuses[Status.EXPIRED]} – giltigheten gick ut {expires}, gör om kursen."
    link = f"\n  {base_url}/kurser/{course.slug}" if course else ""
    return f"- {title}: {text}{link}"


def person_email(
    person: PersonReminder, courses: dict[int, Course], *, base_url: str, municipality: str
) -> mail.Email:
    statuses = swedish(STATUS)  # e-mail is Swedish, whoever pressed "Påminn"
    lines = "\n".join(_line(i, courses.get(i.course_id), base_url, statuses) for i in person.items)
    body = (
        f"Hej {person.first_name}!\n\n"
        f"Det här behöver du göra i Värna:\n\n{lines}\n\n"
        f"Allt som krävs av dig finns under Min utbildning: {base_url}/\n\n"
        f"Hälsningar\nVärna – {municipality}\n"
    )
    return mail.Email(to=person.email, subject="Påminnelse: utbildning att göra i Värna", body=body)


def _people(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} personer"


def digest_email(digest: Digest, *, base_url: str, municipality: str) -> mail.Email:
    parts = [f"Hej {digest.first_name}!"]
    if digest.lines:
        shown = digest.lines[:DIGEST_LINES]
        lines = "\n".join(f"- {n} ({u}): {c}, sista dag {format_day(d)}" for n, u, c, d in shown)
        more = len(digest.lines) - len(shown)
        tail = f"\n… och {more} till." if more > 0 else ""
        parts.append(
            "De här personerna i enheter du leder har försenade eller utgångna utbildningar "
            f"({_people(digest.named_people)}):"
        )
        parts.append(lines + tail)
        links = "\n".join(f"  {base_url}/enheter/{u}?status=overdue" for u in digest.unit_ids)
        parts.append(f"Se och påminn dem under Min enhet:\n{links}")
    if digest.below:
        below = sorted(digest.below.items(), key=lambda item: item[1][0])
        parts.append("I enheterna längre ned i organisationen har så här många försenade:")
        parts.append(
            "\n".join(
                f"- {name}: {_people(len(people))}\n  {base_url}/enheter/{unit_id}?status=overdue"
                for unit_id, (name, people) in below
            )
        )
    parts.append(f"Hälsningar\nVärna – {municipality}")
    return mail.Email(
        to=digest.email,
        subject="Veckosammanfattning: försenade utbildningar",
        body="\n\n".join(parts) + "\n",
    )


# --- sending --------------------------------------------------------------------------


@dataclass(frozen=True)
class Queued:
    """What a run recorded: these e-mails wait in the outbox (mail_ids) to be delivered."""

    people: int
    items: int
    digests: int
    mail_ids: list[int]


def queue(
    session: Session,
    the_plan: Plan,
    *,
    base_url: str,
    municipality: str,
    kind: str | None = None,
    actor: Employee | None = None,
) -> Queued:
    """Record every e-mail of the plan in the outbox, with its ReminderLog rows; flush only.

    The caller commits, then delivers (app.mail.deliver_queued): what is recorded is
    sent exactly once, by this run or the next, and never planned again this week.
    """
    on = the_plan.on
    rows: list[OutgoingMail] = []
    logs: list[dict] = []
    for person in the_plan.people:
        email = person_email(person, the_plan.courses, base_url=base_url, municipality=municipality)
        rows.append(
            mail.enqueue(session, email, kind=kind or "reminder", employee_id=person.employee_id)
        )
        logs.extend(
            {
                "employee_id": person.employee_id,
                "course_id": i.course_id,
                "kind": kind or i.kind,
                "sent_on": on,
                "sent_by_id": actor.id if actor else None,
            }
            for i in person.items
        )
    for digest in the_plan.digests:
        email = digest_email(digest, base_url=base_url, municipality=municipality)
        rows.append(mail.enqueue(session, email, kind="digest", employee_id=digest.manager_id))
        logs.append(
            {"employee_id": digest.manager_id, "course_id": None, "kind": "digest", "sent_on": on}
        )
    if logs:
        session.execute(sa.insert(ReminderLog), logs)
    session.flush()
    return Queued(len(the_plan.people), the_plan.items, len(the_plan.digests), [r.id for r in rows])


def overdue_in_unit(session: Session, *, unit: OrgUnit, on: date) -> list[PersonReminder]:
    """Who "Påminn alla försenade" would e-mail now (the weekly limit and refusals applied)."""
    overdue = pairs_stmt(on, Scope(unit_paths=[unit.path])).subquery("o")
    employee_ids = list(
        session.scalars(
            sa.select(overdue.c.employee_id)
            .where(overdue.c.status.in_([Status.OVERDUE.value, Status.EXPIRED.value]))
            .distinct()
        )
    )
    if not employee_ids:
        return []
    return person_plan(session, on=on, scope=Scope(employee_ids=employee_ids))


def remind_from_unit(
    session: Session,
    *,
    unit: OrgUnit,
    employee_ids: Sequence[int] | None,
    actor: Employee,
    on: date,
    base_url: str,
    municipality: str,
) -> Queued:
    """A manager reminds one person (employee_ids=[id]) or everyone overdue in the unit.

    The weekly limit holds as for the scheduled run. The caller has checked access,
    commits, and then delivers `mail_ids`.
    """
    if employee_ids is None:
        people = overdue_in_unit(session, unit=unit, on=on)
        asked_for = len(people)
    else:
        people = person_plan(session, on=on, scope=Scope(employee_ids=list(employee_ids)))
        asked_for = len(employee_ids)
    ids = {i.course_id for p in people for i in p.items}
    courses = {c.id: c for c in session.scalars(sa.select(Course).where(Course.id.in_(ids)))}
    queued = queue(
        session,
        Plan(on=on, people=people, digests=[], courses=courses),
        base_url=base_url,
        municipality=municipality,
        kind="manual",
        actor=actor,
    )
    audit(
        session,
        actor,
        "reminder.manual",
        "unit",
        unit.id,
        {
            "employees": [p.employee_id for p in people],
            "items": queued.items,
            "asked_for": asked_for,
        },
    )
    session.flush()
    return queued


def employees_within(session: Session, ids: Sequence[int], paths: Sequence[str] | None) -> set[int]:
    """Which of these ids are active people inside the given subtrees (None: anywhere)."""
    stmt = sa.select(Employee.id).where(Employee.id.in_(list(ids)), Employee.active.is_(True))
    if paths is not None:
        stmt = stmt.join(OrgUnit, OrgUnit.id == Employee.unit_id).where(
            in_subtrees(OrgUnit.path, paths)
        )
    return set(session.scalars(stmt))
