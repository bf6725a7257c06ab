"""Benchmark of coverage reports, the status report, pages and exports (docs/benchmarks.md).

Generates a municipality (default 100,000 staff, 3,000 units, 8 requirements,
1,000,000 completions) with bulk inserts into a fresh database, then times:

- the whole-org coverage report (administration × level, every status) through
  app/reports/coverage.py, and the best hand-written SQL for the same numbers
  (the two must agree; app ÷ SQL is printed),
- the report overview page and the status report (page and PDF),
- an employee's start page (p50/p95 over 100 requests) and the unit page of a
  head of an administration, through the Flask test client,
- the CSV and XLSX record exports (rows/s; peak RSS of a separate process).

    .venv/bin/python bench/reports_bench.py [--staff 100000] [--units 3000]
        [--completions 1000000] [--database-url URL] [--write-docs]

Without --database-url it runs on a temporary SQLite file; with a PostgreSQL URL
it creates and drops a database of its own on that server.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = date.today()
LEVELS = ["medarbetare"] * 90 + ["chef"] * 6 + ["ledning"] * 1 + ["fortroendevald"] * 3
ADMINISTRATIONS = 15


# --- database ----------------------------------------------------------------------------------


from bench.import_bench import fresh_database  # noqa: E402  (one helper for every benchmark)


def make_app(url: str):
    from app import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None, "WTF_CSRF_ENABLED": False}
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return app


def bulk(conn, table: sa.Table, rows: list[dict]) -> None:
    """COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        cols = list(rows[0])
        raw = conn.connection.driver_connection
        sql = f"COPY {table.name} ({', '.join(cols)}) FROM STDIN"
        with raw.cursor() as cur, cur.copy(sql) as copy:
            for r in rows:
                copy.write_row(
                    [json.dumps(r[c]) if isinstance(r[c], dict | list) else r[c] for c in cols]
                )
    else:
        conn.execute(table.insert(), rows)


# --- the municipality ---------------------------------------------------------------------------


def generate(app, *, staff: int, units: int, completions: int, seed: int = 2026) -> dict:
    from app.extensions import db
    from app.models import (
        Completion,
        Course,
        CourseVersion,
        Employee,
        OrgUnit,
        Requirement,
        RequirementLevel,
        UnitManager,
    )

    rng = random.Random(seed)
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    unit_rows = [
        {
            "id": 1,
            "code": "K",
            "name": "Benchby kommun",
            "kind": "kommun",
            "parent_id": None,
            "path": "/1/",
            "depth": 0,
        }
    ]
    for i in range(2, units + 1):
        if i <= ADMINISTRATIONS + 1:
            parent = unit_rows[0]
        else:
            # Administration 1 is the largest (about a tenth of everyone), the rest share.
            pool = unit_rows[1 : min(len(unit_rows), 400)] if rng.random() < 0.5 else unit_rows[1:]
            parent = rng.choice(pool)
        unit_rows.append(
            {
                "id": i,
                "code": f"E{i:05d}",
                "name": f"Enhet {i}" if i > ADMINISTRATIONS + 1 else f"Förvaltning {i - 1}",
                "kind": "förvaltning" if parent["id"] == 1 else "enhet",
                "parent_id": parent["id"],
                "path": f"{parent['path']}{i}/",
                "depth": parent["depth"] + 1,
            }
        )
    for r in unit_rows:
        r.update(active=True, created_at=now, updated_at=now)
    leaves = [u["id"] for u in unit_rows if u["depth"] >= 2] or [1]
    adm1 = [u["id"] for u in unit_rows if u["path"].startswith("/1/2/")]
    emp_rows = []
    for i in range(1, staff + 1):
        unit_id = rng.choice(adm1) if rng.random() < 0.1 else rng.choice(leaves)
        start = TODAY - timedelta(days=rng.randint(0, 3650))
        emp_rows.append(
            {
                "id": i,
                "employee_number": f"B{i:07d}",
                "first_name": rng.choice(["Anna", "Erik", "Åsa", "Ali", "Fatima", "Örjan"]),
                "last_name": rng.choice(["Andersson", "Öberg", "Yilmaz", "Lindqvist"]),
                "email": f"b{i}@bench.example",
                "unit_id": unit_id,
                "title": "handläggare",
                "level": rng.choice(LEVELS),
                "active": rng.random() > 0.03,
                "start_date": start,
                "placed_on": start,
                "end_date": None,
                "password_hash": None,
                "session_token": secrets.token_hex(16),
                "is_hr": i == 1,
                "is_reporter": False,
                "locale": None,
                "last_login_at": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    course_rows, version_rows, req_rows, level_rows = [], [], [], []
    prevention = [["universal"], ["universal"], ["universal", "selective"], ["selective"]] * 2
    validity = [36, None, 24, 36, 12, None, 36, 24]
    for c in range(1, 9):
        course_rows.append(
            {
                "id": c,
                "slug": f"kurs-{c}",
                "title": f"Kurs {c}",
                "summary": "",
                "language": "sv",
                "prevention_levels": prevention[c - 1],
                "audience": {},
                "minutes": 30,
                "pass_mark": 80,
                "valid_months": validity[c - 1],
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
        )
        version_rows.append(
            {
                "id": c,
                "course_id": c,
                "version": "1.0",
                "major": 1,
                "content_hash": secrets.token_hex(16),
                "content": {},
                "pass_mark": 80,
                "valid_months": validity[c - 1],
                "is_current": True,
                "loaded_at": now,
            }
        )
        req_rows.append(
            {
                "id": c,
                "course_id": c,
                "name": f"Krav {c}",
                "unit_id": 2 if c == 8 else None,  # one rule for one administration only
                "due_days": 90,
                "valid_months": None,
                "legal_basis": "",
                "starts_on": TODAY - timedelta(days=900),
                "ends_on": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    for lvl in ("chef", "ledning"):
        level_rows += [{"requirement_id": 5, "level": lvl}, {"requirement_id": 6, "level": lvl}]
    level_rows.append({"requirement_id": 7, "level": "fortroendevald"})

    from app.dates import expiry_for

    comp_rows = []
    for i in range(1, completions + 1):
        course = rng.randint(1, 8)
        done = now - timedelta(days=rng.randint(0, 1000), minutes=rng.randint(0, 1440))
        comp_rows.append(
            {
                "id": i,
                "employee_id": rng.randint(1, staff),
                "course_id": course,
                "course_version_id": course,
                "title": "",
                "completed_at": done,
                "expires_at": expiry_for(done, validity[course - 1]),
                "score": rng.randint(80, 100),
                "source": "online" if rng.random() < 0.9 else "session",
                "note": "",
                "verification_code": f"{i:016x}",
                "created_at": done,
            }
        )
    manager_rows = [{"id": 1, "unit_id": 2, "employee_id": 2, "role": "chef", "created_at": now}]
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with db.engine.begin() as conn:
        bulk(conn, OrgUnit.__table__, unit_rows)
        bulk(conn, Employee.__table__, emp_rows)
        bulk(conn, Course.__table__, course_rows)
        bulk(conn, CourseVersion.__table__, version_rows)
        bulk(conn, Requirement.__table__, req_rows)
        bulk(conn, RequirementLevel.__table__, level_rows)
        for start in range(0, len(comp_rows), 100_000):
            bulk(conn, Completion.__table__, comp_rows[start : start + 100_000])
        bulk(conn, UnitManager.__table__, manager_rows)
        if conn.dialect.name == "postgresql":
            for table in ("org_units", "employees", "courses", "course_versions", "requirements"):
                conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608  # noqa: S608
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            conn.execute(sa.text("ANALYZE"))
        else:
            conn.execute(sa.text("ANALYZE"))
    load_s = time.perf_counter() - t0
    adm1_people = sum(1 for e in emp_rows if e["unit_id"] in set(adm1) and e["active"])
    return {"generate_s": gen_s, "load_s": load_s, "adm1_people": adm1_people}


# --- the hand-written SQL -----------------------------------------------------------------------


HAND_SQL = """
WITH r AS (
  SELECT r.id, r.course_id, r.due_days, r.starts_on, ru.path AS rpath,
         EXISTS (SELECT 1 FROM requirement_levels l WHERE l.requirement_id = r.id) AS has_levels
  FROM requirements r LEFT JOIN org_units ru ON ru.id = r.unit_id
  WHERE r.starts_on <= :on AND (r.ends_on IS NULL OR r.ends_on >= :on)
),
pairs AS (
  SELECT e.id AS eid, e.level, u.path, r.course_id, MIN(@DUE) AS due_on
  FROM employees e JOIN org_units u ON u.id = e.unit_id
  JOIN r ON (r.rpath IS NULL OR u.path LIKE r.rpath || '%')
  WHERE e.active AND (NOT r.has_levels OR EXISTS (
      SELECT 1 FROM requirement_levels l WHERE l.requirement_id = r.id AND l.level = e.level))
  GROUP BY e.id, e.level, u.path, r.course_id
),
done AS (
  SELECT c.employee_id AS eid, c.course_id,
         MAX(CASE WHEN c.expires_at IS NULL THEN 1 ELSE 0 END) AS never,
         MAX(@EXPIRES) AS expires_on
  FROM completions c
  WHERE c.superseded_by_id IS NULL AND @COMPLETED <= :on
  GROUP BY c.employee_id, c.course_id
)
SELECT a.id, p.level,
  CASE WHEN d.never = 1 OR d.expires_on > :soon THEN 'completed'
       WHEN d.expires_on > :on THEN 'expiring'
       WHEN d.eid IS NOT NULL THEN 'expired'
       WHEN p.due_on < :on THEN 'overdue'
       ELSE 'pending' END AS status,
  COUNT(*)
FROM pairs p
JOIN org_units a ON a.depth = 1 AND p.path LIKE a.path || '%'
LEFT JOIN done d ON d.eid = p.eid AND d.course_id = p.course_id
GROUP BY a.id, p.level, status
"""


def hand_sql(dialect: str) -> str:
    if dialect == "postgresql":
        day = "CAST((%s AT TIME ZONE 'UTC') AS DATE)"
        add = "(CAST(%s AS DATE) + CAST(%s AS INTEGER))"
        greatest = "GREATEST"
    else:
        day = "date(%s)"
        add = "date(%s, '+' || (%s) || ' days')"
        greatest = "max"
    due = add % (
        f"{greatest}(COALESCE(e.placed_on, e.start_date, r.starts_on), r.starts_on)",
        "r.due_days",
    )
    # A fixed text; only the dialect's spellings of date arithmetic go in.
    return (
        HAND_SQL.replace("@DUE", due)
        .replace("@EXPIRES", day % "c.expires_at")
        .replace("@COMPLETED", day % "c.completed_at")
    )


# --- timing -------------------------------------------------------------------------------------


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    """Best of `repeat` wall-clock runs (the first also warms the caches)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def login(client, user_id: str) -> None:
    with client.session_transaction() as s:
        s["_user_id"] = user_id
        s["_fresh"] = True
        s["login_at"] = int(time.time())
        s["seen"] = int(time.time())


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def export_in_subprocess(url: str, fmt: str) -> dict:
    """Run one export in a fresh process so its peak RSS is the export's alone."""
    out = subprocess.run(  # noqa: S603 - this same script, with our own arguments
        [sys.executable, __file__, "--export", fmt, "--database-url", url],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_export(url: str, fmt: str) -> None:
    app = make_app(url)
    from app.extensions import db
    from app.reports import exports

    # ru_maxrss would carry the parent's high-water mark over fork+exec: sample the
    # current RSS instead.
    page = os.sysconf("SC_PAGE_SIZE")
    peak_bytes = [0]
    stop = threading.Event()

    def rss() -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * page

    def sample() -> None:
        while not stop.is_set():
            peak_bytes[0] = max(peak_bytes[0], rss())
            stop.wait(0.05)

    with app.app_context():
        base = rss() / 2**20
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        target = Path(tempfile.mkdtemp()) / f"records.{fmt}"
        t0 = time.perf_counter()
        headers, rows = exports.records_table(db.session, exports.ExportFilters(on=TODAY))
        n = 0

        def counted():
            nonlocal n
            for row in rows:
                n += 1
                yield row

        with open(target, "wb") as fh:
            for chunk in exports.chunks(fmt, (headers, counted())):
                fh.write(chunk)
        seconds = time.perf_counter() - t0
        stop.set()
        sampler.join()
        peak = max(peak_bytes[0], rss()) / 2**20
        size = target.stat().st_size
        target.unlink()
    print(
        json.dumps(
            {
                "rows": n,
                "seconds": seconds,
                "rows_per_s": n / seconds,
                "peak_rss_mb": peak,
                "base_rss_mb": base,
                "bytes": size,
            }
        )
    )


def run(*, staff: int, units: int, completions: int, database_url: str | None) -> dict:
    tmp = Path(tempfile.mkdtemp())
    url, drop = fresh_database(database_url, tmp)
    results: dict = {"database": "PostgreSQL" if database_url else "SQLite"}
    try:
        app = make_app(url)
        from flask_migrate import upgrade

        from app import org
        from app.extensions import db
        from app.models import Employee
        from app.reports import coverage, pdf, services

        with app.app_context():
            upgrade(revision="heads")
            results.update(generate(app, staff=staff, units=units, completions=completions))
            print(f"  generated and loaded: {results['load_s']:.1f} s", file=sys.stderr)
            tops = org.administrations(db.session)

            def app_report():
                rows = coverage.status_counts(
                    db.session, on=TODAY, group_by=("top", "level"), tops=tops
                )
                db.session.rollback()
                return {
                    (r.key[0], r.key[1], s): getattr(r.counts, s)
                    for r in rows
                    for s in ("completed", "expiring", "expired", "overdue", "pending")
                    if getattr(r.counts, s)
                }

            sql = sa.text(hand_sql(db.engine.dialect.name))

            def hand_report():
                params = {"on": TODAY, "soon": TODAY + timedelta(days=coverage.EXPIRING_DAYS)}
                rows = db.session.execute(sql, params).all()
                db.session.rollback()
                return {(a, lvl, s): n for a, lvl, s, n in rows}

            results["coverage_app_s"], app_numbers = timed(app_report)
            results["coverage_sql_s"], sql_numbers = timed(hand_report)
            results["coverage_agree"] = app_numbers == sql_numbers
            results["pairs"] = sum(app_numbers.values())
            print(
                f"  coverage: app {results['coverage_app_s']:.2f} s, SQL {results['coverage_sql_s']:.2f} s",
                file=sys.stderr,
            )

            def status():
                report = services.status_report(db.session, on=TODAY)
                db.session.rollback()
                return report

            results["status_report_s"], report = timed(status, 1)
            t0 = time.perf_counter()
            pdf.status_report_pdf(
                report,
                municipality="Benchby",
                hide_small=False,
                level_labels={
                    "ledning": "Ledning",
                    "chef": "Chefer",
                    "medarbetare": "Medarbetare",
                    "fortroendevald": "Förtroendevalda",
                },
                prevention_labels={
                    "universal": "Främjande",
                    "selective": "Förebyggande",
                    "indicated": "Riktad",
                },
            )
            results["status_pdf_render_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            services.take_snapshot(db.session, on=TODAY)
            db.session.commit()
            results["snapshot_s"] = time.perf_counter() - t0
            hr = db.session.get(Employee, 1).get_id()
            head = db.session.get(Employee, 2).get_id()
            staff_ids = [3 + i * 997 % (staff - 3) for i in range(100)]
            people = [db.session.get(Employee, i) for i in staff_ids]
            people = [p.get_id() for p in people if p.active]
            db.session.rollback()

        client = app.test_client()
        pages = {}

        def page_time(url_: str, who, n: int) -> tuple[float, float, int]:
            samples, status = [], 0
            for i in range(n):
                person = who[i % len(who)] if isinstance(who, list) else who
                login(client, person)
                t0 = time.perf_counter()
                response = client.get(url_)
                samples.append(time.perf_counter() - t0)
                status = response.status_code
                if status != 200:
                    break
            p50, p95 = percentiles(samples) if len(samples) > 1 else (samples[0], samples[0])
            return p50, p95, status

        for name, url_, who, n in [
            ("start page (employee)", "/", people, 100),
            ("unit page (head of administration)", "/enheter/2", head, 10),
            ("reports overview (HR)", "/rapporter/", hr, 1),
            ("status report page (HR)", "/rapporter/lagesrapport", hr, 1),
            ("status report PDF (HR)", "/rapporter/lagesrapport.pdf", hr, 1),
        ]:
            try:
                pages[name] = page_time(url_, who, n)
            except Exception as error:  # noqa: BLE001 - report and go on
                pages[name] = (float("nan"), float("nan"), f"error: {error!r}"[:120])
            print(f"  {name}: {pages[name]}", file=sys.stderr)
        results["pages"] = pages
        for fmt in ("csv", "xlsx"):
            results[f"export_{fmt}"] = export_in_subprocess(url, fmt)
            print(f"  export {fmt}: {results[f'export_{fmt}']}", file=sys.stderr)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
    return results


# --- report -------------------------------------------------------------------------------------


def markdown(all_results: list[dict], args) -> str:
    def ok(flag: bool) -> str:
        return "met" if flag else "**MISSED**"

    lines = [
        "## Coverage reports, status report, pages and exports",
        "",
        f"Measured {TODAY.isoformat()} with `make bench` (`python bench/reports_bench.py "
        f"--staff {args.staff} --units {args.units} --completions {args.completions}`), on "
        f"{os.cpu_count()} CPUs. Times are the best of 3 runs (pages: p50/p95 over the "
        "requests), after the data were loaded with bulk inserts and ANALYZE.",
        "",
        "| measurement | " + " | ".join(r["database"] for r in all_results) + " | target |",
        "|---|" + "---|" * len(all_results) + "---|",
    ]

    def row(label: str, values: list[str], target: str) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + f" | {target} |")

    row("pairs (employee × required course)", [f"{r['pairs']:,}" for r in all_results], "")
    row(
        "whole-org coverage, app (coverage.status_counts)",
        [
            f"{r['coverage_app_s'] * 1000:.0f} ms — {ok(r['coverage_app_s'] <= 1)}"
            for r in all_results
        ],
        "≤ 1 s",
    )
    row(
        "whole-org coverage, hand-written SQL",
        [f"{r['coverage_sql_s'] * 1000:.0f} ms" for r in all_results],
        "",
    )
    row(
        "app ÷ SQL",
        [
            f"{r['coverage_app_s'] / r['coverage_sql_s']:.2f} — "
            f"{ok(r['coverage_app_s'] <= 2 * r['coverage_sql_s'])}"
            for r in all_results
        ],
        "≤ 2",
    )
    row(
        "same numbers (app = SQL)",
        ["yes" if r["coverage_agree"] else "**NO**" for r in all_results],
        "yes",
    )
    row(
        "status report data (services.status_report)",
        [f"{r['status_report_s'] * 1000:.0f} ms" for r in all_results],
        "",
    )
    row(
        "status report PDF rendering",
        [f"{r['status_pdf_render_s'] * 1000:.0f} ms" for r in all_results],
        "",
    )
    row(
        "daily snapshot (reports snapshot)",
        [f"{r['snapshot_s'] * 1000:.0f} ms" for r in all_results],
        "",
    )
    targets = {
        "start page (employee)": 0.05,
        "unit page (head of administration)": 0.3,
    }
    for name in all_results[0]["pages"]:
        values = []
        for r in all_results:
            p50, p95, status = r["pages"][name]
            if status != 200:
                values.append(f"failed ({status})")
                continue
            text = f"p50 {p50 * 1000:.0f} / p95 {p95 * 1000:.0f} ms"
            if name in targets:
                measure = p95 if name.startswith("start") else p50
                text += f" — {ok(measure <= targets[name])}"
            values.append(text)
        target = {
            "start page (employee)": "p95 ≤ 50 ms",
            "unit page (head of administration)": "≤ 300 ms",
        }.get(name, "")
        row(name, values, target)
    for fmt, rate in (("csv", 100_000), ("xlsx", 30_000)):
        row(
            f"{fmt.upper()} record export, rows/s",
            [
                f"{r[f'export_{fmt}']['rows_per_s']:,.0f} ({r[f'export_{fmt}']['rows']:,} rows) — "
                f"{ok(r[f'export_{fmt}']['rows_per_s'] >= rate)}"
                for r in all_results
            ],
            f"≥ {rate:,}",
        )
        row(
            f"{fmt.upper()} export, peak RSS of the export process",
            [
                f"{r[f'export_{fmt}']['peak_rss_mb']:.0f} MB (start {r[f'export_{fmt}']['base_rss_mb']:.0f} MB)"
                + (f" — {ok(r[f'export_{fmt}']['peak_rss_mb'] < 250)}" if fmt == "csv" else "")
                for r in all_results
            ],
            "< 250 MB" if fmt == "csv" else "",
        )
    lines += [
        "",
        f"Data: {args.staff:,} staff (3 % inactive) in {args.units:,} units under "
        f"{ADMINISTRATIONS} administrations (the first holds about a tenth of everyone: "
        f"{all_results[0]['adm1_people']:,} active people); 8 courses, 8 requirements (4 for "
        "everyone, 2 for managers and top management, 1 for elected officials, 1 for one "
        f"administration); {args.completions:,} completions over the last 1,000 days. "
        "Bulk load: "
        + ", ".join(f"{r['database']} {r['load_s']:.0f} s" for r in all_results)
        + ".",
        "",
        "The hand-written SQL is what one would write for this data by hand: one statement "
        "with the audience, the latest completion per pair and the status, grouped by "
        "administration, level and status; it leaves out exemptions and occupation tags "
        "(the data has none), so it is a slightly easier query than the app's. The app's "
        "numbers and the SQL's are compared cell by cell. Page times are through the Flask "
        "test client in one process (no network, no gunicorn); the load test against "
        "gunicorn is bench/load_test.py (its own section below).",
        "",
    ]
    return "\n".join(lines)


BEGIN, END = "<!-- reports-bench:begin -->", "<!-- reports-bench:end -->"


def write_docs(text: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        current = head + block + rest.split(END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(current, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=3_000)
    parser.add_argument("--completions", type=int, default=1_000_000)
    parser.add_argument("--database-url", action="append", default=None)
    parser.add_argument("--sqlite", action="store_true", help="also run on SQLite")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--export", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    logging.disable(logging.INFO)
    if args.export:
        run_export(args.database_url[0], args.export)
        return
    urls: list[str | None] = list(args.database_url or [])
    if args.sqlite or not urls:
        urls.insert(0, None)
    all_results = []
    for url in urls:
        print(f"reports bench on {'SQLite' if url is None else 'PostgreSQL'} …", file=sys.stderr)
        all_results.append(
            run(staff=args.staff, units=args.units, completions=args.completions, database_url=url)
        )
    text = markdown(all_results, args)
    print(text)
    (ROOT / "bench" / "reports-results.json").write_text(
        json.dumps(all_results, indent=1, default=str)
    )
    if args.write_docs:
        write_docs(text)


if __name__ == "__main__":
    main()
