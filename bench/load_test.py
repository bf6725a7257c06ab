"""Load test: gunicorn with 2 workers on loopback, driven by locust (headless) from a
second process, logging in as many employees and managers of the demo municipality.

    .venv/bin/python bench/load_test.py [--employees 20000] [--users 40] [--seconds 30]

Prints requests per second, p50, p95 and errors per request type. Traffic goes
to 127.0.0.1 only; the run is bounded in time and stops by itself.
"""

from __future__ import annotations

import argparse
import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
PASSWORD = "last-test-losenord-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(database: Path, employees: int) -> tuple[list[str], list[str]]:
    """A demo municipality with courses and requirements; a password for many people."""
    sys.path.insert(0, str(ROOT))
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app
    from app.auth.services import hash_password
    from app.courses.services import sync_courses
    from app.demo import services as demo
    from app.extensions import db
    from app.models import Employee, UnitManager

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "TESTING": False})
    with app.app_context():
        upgrade(revision="heads")
        sync_courses(db.session, Path(app.config["COURSES_DIR"]))
        db.session.commit()
        demo.seed(db.session, employees=employees)
        db.session.commit()
        hashed = hash_password(PASSWORD)  # one hash for everyone: logins stay real
        db.session.execute(sa.update(Employee).values(password_hash=hashed))
        db.session.commit()
        managers = db.session.scalars(
            sa.select(Employee.email)
            .join(UnitManager, UnitManager.employee_id == Employee.id)
            .where(Employee.is_hr.is_(False))
            .limit(200)
        ).all()
        staff = db.session.scalars(
            sa.select(Employee.email).where(Employee.level == "medarbetare").limit(2000)
        ).all()
    return list(staff), list(managers)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=40, help="simultaneous simulated users")
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="varna-load-"))
    database = tmp / "load.sqlite3"
    print(f"preparing {args.employees} people …", file=sys.stderr)
    staff, managers = prepare(database, args.employees)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "VARNA_ENV": "development",  # plain http on loopback: no Secure cookie
        "SECRET_KEY": "load-test-only",
        "RATELIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/logga-in", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        load_env = {
            **env,
            "LOAD_PASSWORD": PASSWORD,
            "LOAD_EMPLOYEES": ",".join(staff),
            "LOAD_MANAGERS": ",".join(managers),
        }
        prefix = tmp / "stats"
        subprocess.run(  # noqa: S603
            [
                str(BIN / "locust"),
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.users),
                "-t",
                f"{args.seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=load_env,
            check=False,
            timeout=args.seconds + 120,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\n{'request':<28} {'count':>7} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}")
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            print(
                f"{row['Name']:<28} {row['Request Count']:>7} {row['Failure Count']:>6} "
                f"{float(row['Requests/s']):>7.1f} {row['50%']:>7} {row['95%']:>7}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
