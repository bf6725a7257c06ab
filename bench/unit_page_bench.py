"""Benchmark of "Min enhet" for a head of administration (docs/benchmarks.md, "My unit").

Builds a municipality of N staff (default 100,000) in 10 administrations of
equal size (so 10,000 people below each head), 5 rules (everyone; chefs and
ledning; ledning; förtroendevalda; occupation tags), about 60 % of the
required courses completed, then logs in as one administration's head and
times the unit page through the Flask test client: the first page, the
"overdue only" filter, a late page of the person table, one course, and the
"this unit only" view. Each figure is the median of 7 requests after one warm-up;
the query count is that of one request.

    .venv/bin/python bench/unit_page_bench.py [--staff 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ADMINISTRATIONS = 10
DEPARTMENTS = 8
UNITS_PER_DEPARTMENT = 6
PASSWORD = "bench-password-12345"  # noqa: S105 (a throwaway benchmark account)
TAGS = ["socialsekreterare", "lärare", "undersköterska", "", "", ""]


def build(db, *, staff: int, seed: int = 2026) -> str:
    """The municipality; returns the e-mail of the first administration's head."""
    from werkzeug.security import generate_password_hash

    from app.models import (
        Completion,
        Course,
        Employee,
        EmployeeTag,
        OrgUnit,
        Requirement,
        RequirementLevel,
        RequirementTag,
        UnitManager,
    )

    rng = random.Random(seed)
    s = db.session
    today = date.today()

    def unit(code: str, name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
        u = OrgUnit(code=code, name=name, kind=kind, parent_id=parent.id if parent else None)
        s.add(u)
        s.flush()
        u.path = f"{parent.path if parent else '/'}{u.id}/"
        u.depth = parent.depth + 1 if parent else 0
        return u

    root = unit("K", "Kommunen", "kommun", None)
    admins, leaves = [], []
    for a in range(ADMINISTRATIONS):
        adm = unit(f"A{a}", f"Förvaltning {a}", "förvaltning", root)
        admins.append(adm)
        for d in range(DEPARTMENTS):
            dep = unit(f"A{a}-{d}", f"Avdelning {a}.{d}", "avdelning", adm)
            for e in range(UNITS_PER_DEPARTMENT):
                leaves.append((adm, unit(f"A{a}-{d}-{e}", f"Enhet {a}.{d}.{e}", "enhet", dep)))
    per_admin = staff // ADMINISTRATIONS
    rows, tags = [], []
    n = 0
    for adm in admins:
        mine = [u for ad, u in leaves if ad is adm]
        for i in range(per_admin):
            n += 1
            level = "ledning" if i == 0 else ("chef" if i % 20 == 0 else "medarbetare")
            home = adm if i == 0 else mine[i % len(mine)]
            start = today - timedelta(days=rng.randint(30, 9000))
            rows.append(
                {
                    "employee_number": f"B{n:07d}",
                    "first_name": rng.choice(["Anna", "Erik", "Sara", "Ali", "Åsa"]),
                    "last_name": f"Person{n:07d}",
                    "email": f"p{n}@bench.example",
                    "unit_id": home.id,
                    "title": "handläggare",
                    "level": level,
                    "active": True,
                    "start_date": start,
                    "placed_on": start,
                    "password_hash": None,
                }
            )
            tag = rng.choice(TAGS)
            if tag:
                tags.append((f"B{n:07d}", tag))
    for i in range(0, len(rows), 5000):
        s.execute(sa.insert(Employee), rows[i : i + 5000])
    ids = dict(s.execute(sa.select(Employee.employee_number, Employee.id)).all())
    s.execute(sa.insert(EmployeeTag), [{"employee_id": ids[k], "tag": t} for k, t in tags])
    head_number = rows[0]["employee_number"]
    head = s.get(Employee, ids[head_number])
    head.password_hash = generate_password_hash(PASSWORD)
    s.add(UnitManager(unit_id=admins[0].id, employee_id=head.id, role="chef"))

    courses = []
    for slug in (
        "grundkurs",
        "chefens-ansvar",
        "strategiskt-arbete",
        "fortroendevaldas-roll",
        "upptacka",
    ):
        c = Course(
            slug=slug, title=slug, prevention_levels=["universal"], audience={}, valid_months=36
        )
        s.add(c)
        courses.append(c)
    s.flush()
    audiences = [
        ((), ()),
        (("chef", "ledning"), ()),
        (("ledning",), ()),
        (("fortroendevald",), ()),
        ((), ("socialsekreterare", "lärare")),
    ]
    for c, (levels, tag_list) in zip(courses, audiences, strict=True):
        r = Requirement(course_id=c.id, due_days=90, starts_on=today - timedelta(days=400))
        r.levels = [RequirementLevel(level=x) for x in levels]
        r.tags = [RequirementTag(tag=x) for x in tag_list]
        s.add(r)
    s.flush()
    done = []
    for row in rows:
        for c in courses[:2] if row["level"] != "medarbetare" else courses[:1]:
            if rng.random() < 0.6:
                day = today - timedelta(days=rng.randint(1, 1200))
                at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
                done.append(
                    {
                        "employee_id": ids[row["employee_number"]],
                        "course_id": c.id,
                        "completed_at": at,
                        "expires_at": at + timedelta(days=3 * 365),
                        "source": "online",
                        "title": "",
                        "verification_code": secrets.token_hex(8),
                    }
                )
    for i in range(0, len(done), 5000):
        s.execute(sa.insert(Completion), done[i : i + 5000])
    s.commit()
    if s.get_bind().dialect.name == "postgresql":
        s.execute(sa.text("ANALYZE"))  # what autovacuum does on a live server
        s.commit()
    return head.email, admins[0].id, courses[0].id, len(done)


def measure(app, email: str, url: str, runs: int = 7) -> tuple[float, int, int]:
    from sqlalchemy import event

    from app.extensions import db

    client = app.test_client()
    page = client.get("/logga-in").get_data(as_text=True)
    marker = 'name="csrf_token" type="hidden" value="'
    if marker not in page:
        marker = 'name="csrf_token" value="'
    start = page.index(marker) + len(marker)
    token = page[start : page.index('"', start)]
    client.post("/logga-in", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert client.get(url).status_code == 200  # warm-up
    with app.app_context():
        engine = db.engine
    count = []
    event.listen(engine, "before_cursor_execute", lambda *a: count.append(1))
    times = []
    for _ in range(runs):
        count.clear()
        t = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t)
        assert response.status_code == 200, response.status_code
    queries = len(count)
    return statistics.median(times) * 1000, queries, len(response.data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    os.environ.setdefault("VARNA_ENV", "testing")
    from app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        if args.database_url:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
            from tests.conftest import _postgres_url

            urls = _postgres_url(args.database_url)
            url = next(urls)
        else:
            urls, url = None, f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
        from flask_migrate import upgrade

        from app.extensions import db

        with app.app_context():
            upgrade(revision="heads")
            t = time.perf_counter()
            email, unit_id, course_id, completions = build(db, staff=args.staff)
            built = time.perf_counter() - t
            db.session.remove()
        print(
            f"built {args.staff} staff, {completions} completions in {built:.1f} s on {url.split(':')[0]}"
        )
        cases = [
            ("first page", f"/enheter/{unit_id}"),
            ("overdue only", f"/enheter/{unit_id}?status=overdue"),
            ("page 150 of the table", f"/enheter/{unit_id}?page=150"),
            ("one course", f"/enheter/{unit_id}?kurs={course_id}"),
            ("this unit only", f"/enheter/{unit_id}?hela=0"),
        ]
        print("| view | median | queries |")
        print("|---|---:|---:|")
        for label, path in cases:
            ms, queries, _size = measure(app, email, path)
            print(f"| {label} | {ms:.0f} ms | {queries} |", flush=True)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if urls is not None:
            for _ in urls:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
