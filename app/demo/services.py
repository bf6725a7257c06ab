"""Build a fictional municipality deterministically (the same seed gives the same people)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import dates, org
from app.auth.services import hash_password
from app.demo.training import Person, seed_training
from app.models import (
    Employee,
    EmployeeTag,
    Level,
    ManagerRole,
    OrgUnit,
    UnitManager,
)
from app.records import audit

DEMO_PASSWORD = "exempelby-demo-2026"
DEMO_DOMAIN = "exempelby.se"

FIRST_NAMES = [
    "Anna",
    "Maria",
    "Eva",
    "Karin",
    "Sara",
    "Lena",
    "Emma",
    "Kristina",
    "Elin",
    "Ida",
    "Fatima",
    "Amina",
    "Sofia",
    "Hanna",
    "Linnéa",
    "Johanna",
    "Malin",
    "Zeynep",
    "Leila",
    "Aisha",
    "Erik",
    "Lars",
    "Karl",
    "Anders",
    "Johan",
    "Per",
    "Mikael",
    "Ali",
    "Mohammed",
    "Ahmed",
    "Omar",
    "Nils",
    "Oskar",
    "Lucas",
    "William",
    "Hugo",
    "Ibrahim",
    "Jonas",
    "Daniel",
    "Mattias",
    "Björn",
]
LAST_NAMES = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Jönsson",
    "Lindberg",
    "Jakobsson",
    "Magnusson",
    "Olofsson",
    "Lindström",
    "Lindqvist",
    "Lindgren",
    "Berg",
    "Axelsson",
    "Bergström",
    "Lundberg",
    "Lind",
    "Lundgren",
    "Mattsson",
    "Hassan",
    "Ali",
    "Mohamed",
    "Yilmaz",
    "Nguyen",
    "Kovačević",
    "Jovanović",
    "Hussein",
    "Ahmadi",
    "Rahimi",
    "Novak",
    "Korhonen",
]

# förvaltning name, code, its avdelningar, and the job titles (with occupation tag) of its staff
ADMINISTRATIONS: tuple[tuple[str, str, tuple[str, ...], tuple[tuple[str, str], ...]], ...] = (
    (
        "Kommunledningskontoret",
        "KLK",
        ("Ekonomi", "HR", "Kommunikation", "Kontaktcenter"),
        (
            ("ekonom", ""),
            ("HR-konsult", "hr"),
            ("kommunikatör", ""),
            ("kundtjänsthandläggare", "receptionist"),
        ),
    ),
    (
        "Socialförvaltningen",
        "SOC",
        ("Barn och familj", "Vuxen", "Försörjningsstöd", "Familjerätt"),
        (
            ("socialsekreterare", "socialsekreterare"),
            ("familjebehandlare", "socialsekreterare"),
            ("handläggare", ""),
            ("administratör", ""),
        ),
    ),
    (
        "Utbildningsförvaltningen",
        "UTB",
        ("Förskola", "Grundskola", "Gymnasium", "Elevhälsa"),
        (
            ("förskollärare", "förskollärare"),
            ("lärare", "lärare"),
            ("barnskötare", "förskollärare"),
            ("skolkurator", "kurator"),
            ("skolsköterska", "skolsköterska"),
        ),
    ),
    (
        "Vård- och omsorgsförvaltningen",
        "VOF",
        ("Hemtjänst", "Särskilt boende", "LSS", "Biståndsenheten"),
        (
            ("undersköterska", "undersköterska"),
            ("vårdbiträde", "vårdbiträde"),
            ("biståndshandläggare", "biståndshandläggare"),
            ("sjuksköterska", "sjuksköterska"),
        ),
    ),
    (
        "Samhällsbyggnadsförvaltningen",
        "SBF",
        ("Bygglov", "Gata och park", "Miljö"),
        (("handläggare", ""), ("ingenjör", ""), ("parkarbetare", "")),
    ),
    (
        "Kultur- och fritidsförvaltningen",
        "KFF",
        ("Bibliotek", "Fritidsgårdar"),
        (("bibliotekarie", ""), ("fritidsledare", "fritidsledare")),
    ),
)


@dataclass
class SeedResult:
    units: int = 0
    employees: int = 0
    requirements: int = 0
    completions: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # role, email, name


def is_empty(session: Session) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(Employee)) == 0


def seed(session: Session, *, employees: int = 1500, seed_value: int = 2026) -> SeedResult:
    """Create the municipality. Refuses to run on a database that already has people."""
    if not is_empty(session):
        raise ValueError("Databasen har redan personal; demodata läggs bara in i en tom databas.")
    rng = random.Random(seed_value)
    result = SeedResult()

    def add_unit(code: str, name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
        unit = OrgUnit(code=code, name=name, kind=kind, parent_id=parent.id if parent else None)
        session.add(unit)
        session.flush()
        org.place(unit, parent)
        result.units += 1
        return unit

    root = add_unit("K0001", "Exempelby kommun", "kommun", None)
    politics = add_unit("POL", "Politisk organisation", "politisk organisation", root)
    leaf_units: list[tuple[OrgUnit, tuple[tuple[str, str], ...]]] = []
    managed: list[tuple[OrgUnit, str]] = []  # unit, level of its manager
    admin_units: list[OrgUnit] = []
    for name, code, departments, titles in ADMINISTRATIONS:
        adm = add_unit(code, name, "förvaltning", root)
        admin_units.append(adm)
        managed.append((adm, Level.LEDNING))
        for d_index, dept in enumerate(departments, start=1):
            dep = add_unit(f"{code}-{d_index:02d}", dept, "avdelning", adm)
            managed.append((dep, Level.CHEF))
            for e_index in range(1, rng.randint(2, 4) + 1):
                unit = add_unit(
                    f"{code}-{d_index:02d}-{e_index:02d}", f"{dept} enhet {e_index}", "enhet", dep
                )
                managed.append((unit, Level.CHEF))
                leaf_units.append((unit, titles))

    counter = 100000
    used_emails: set[str] = set()
    rows: list[dict] = []
    tags: list[tuple[str, str]] = []
    managers: list[tuple[OrgUnit, str]] = []
    today = dates.today()

    def person(unit: OrgUnit, level: str, title: str, tag: str = "") -> str:
        nonlocal counter
        counter += 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        base = f"{first}.{last}".lower()
        for a, b in (("å", "a"), ("ä", "a"), ("ö", "o"), ("é", "e"), ("č", "c"), ("ć", "c")):
            base = base.replace(a, b)
        email = f"{base}@{DEMO_DOMAIN}"
        n = 1
        while email in used_emails:
            n += 1
            email = f"{base}{n}@{DEMO_DOMAIN}"
        used_emails.add(email)
        start = today - timedelta(days=rng.randint(30, 365 * 25))
        number = str(counter)
        rows.append(
            {
                "employee_number": number,
                "first_name": first,
                "last_name": last,
                "email": email,
                "unit_id": unit.id,
                "title": title,
                "level": str(level),
                "active": True,
                "start_date": start,
                "placed_on": start,
            }
        )
        if tag:
            tags.append((number, tag))
        return number

    managers.append((root, person(root, Level.LEDNING, "kommundirektör")))
    for unit, level in managed:
        title = {"förvaltning": "förvaltningschef", "avdelning": "avdelningschef"}.get(
            unit.kind, "enhetschef"
        )
        managers.append((unit, person(unit, level, title)))
    politicians = max(5, employees // 40)
    for _ in range(politicians):
        person(politics, Level.FORTROENDEVALD, "ledamot, kommunfullmäktige")
    remaining = max(0, employees - len(rows))
    for i in range(remaining):
        unit, titles = leaf_units[i % len(leaf_units)]
        title, tag = rng.choice(titles)
        person(unit, Level.MEDARBETARE, title, tag)

    for start in range(0, len(rows), 5000):
        session.execute(sa.insert(Employee), rows[start : start + 5000])
    ids = dict(session.execute(sa.select(Employee.employee_number, Employee.id)).all())
    if tags:
        session.execute(
            sa.insert(EmployeeTag), [{"employee_id": ids[n], "tag": t} for n, t in tags]
        )
    session.execute(
        sa.insert(UnitManager),
        [
            {"unit_id": u.id, "employee_id": ids[n], "role": ManagerRole.CHEF.value}
            for u, n in managers
        ],
    )
    result.employees = len(rows)
    tag_of = dict(tags)
    result.requirements, result.completions = seed_training(
        session,
        [
            Person(ids[n], r["level"], tag_of.get(n, ""), r["placed_on"])
            for r in rows
            for n in [r["employee_number"]]
        ],
        today=today,
        seed_value=seed_value,
    )

    # Demo logins: one person per role, with an easy e-mail.
    def login(role: str, email: str, number: str, **roles: bool) -> None:
        emp = session.get(Employee, ids[number])
        emp.email = email
        emp.password_hash = hash_password(DEMO_PASSWORD)
        for key, value in roles.items():
            setattr(emp, key, value)
        result.logins.append((role, email, emp.full_name))

    # The employee, their unit manager and the head of their administration work in
    # home care (Vård- och omsorgsförvaltningen); HR and the reporter elsewhere, so
    # that no person holds two demo logins.
    care = next(a for a in admin_units if a.code == "VOF")
    home_care = next(u for u, _titles in leaf_units if u.path.startswith(care.path))
    staff = [r for r in rows if r["level"] == Level.MEDARBETARE and r["title"] != "HR-konsult"]
    hr_staff = [r for r in rows if r["title"] == "HR-konsult"]
    # In a very small demo there may be no one in home care, or no HR consultant:
    # then the nearest fit, and never one person with two logins.
    staff_number = min(
        staff,
        key=lambda r: (r["unit_id"] != home_care.id, r["title"] != "undersköterska"),
        default=rows[-1],
    )["employee_number"]
    unit_manager_number = next(n for u, n in managers if u.id == home_care.id)
    head_number = next(n for u, n in managers if u.id == care.id)
    # The report reader is only that: someone at the central office who leads no unit (not the
    # municipal director), so the demo shows the role as it is, small groups masked.
    managing = {n for _u, n in managers}
    readers = [r for r in rows if r["employee_number"] not in managing | {staff_number}]
    reporter_number = min(readers, key=lambda r: r["title"] != "ekonom", default=rows[0])[
        "employee_number"
    ]
    taken = {staff_number, unit_manager_number, head_number, reporter_number}
    hr_number = next(
        r["employee_number"] for r in hr_staff + rows if r["employee_number"] not in taken
    )
    login("medarbetare", f"medarbetare@{DEMO_DOMAIN}", staff_number)
    login("enhetschef", f"chef@{DEMO_DOMAIN}", unit_manager_number)
    login("förvaltningschef", f"forvaltningschef@{DEMO_DOMAIN}", head_number)
    login("HR", f"hr@{DEMO_DOMAIN}", hr_number, is_hr=True)
    login("rapportläsare", f"rapport@{DEMO_DOMAIN}", reporter_number, is_reporter=True)
    audit(
        session,
        None,
        "demo.seed",
        details={"units": result.units, "employees": result.employees, "seed": seed_value},
    )
    session.flush()
    return result


def demo_logins(session: Session) -> list[tuple[str, str, str]]:
    """The demo accounts that exist in this database, in the order of the roles."""
    wanted = ["medarbetare", "chef", "forvaltningschef", "hr", "rapport"]
    labels = ["medarbetare", "enhetschef", "förvaltningschef", "HR", "rapportläsare"]
    emails = [f"{w}@{DEMO_DOMAIN}" for w in wanted]
    found = {
        e.email: e for e in session.scalars(sa.select(Employee).where(Employee.email.in_(emails)))
    }
    return [
        (label, email, found[email].full_name)
        for label, email in zip(labels, emails, strict=True)
        if email in found
    ]
