"""HR's "Köpta kurser (SCORM)": upload, refusal, settings; only HR; then the course is
an ordinary course for requirements and coverage."""

from __future__ import annotations

import io
import os
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app import dates
from app.extensions import db
from app.models import AuditEvent, Course, CourseVersion, Status
from app.reports.coverage import employee_statuses
from tests.conftest import csrf_from
from tests.scorm import packages
from tests.scorm.conftest import Unchanged


@pytest.fixture
def hr(make, auth):
    person = make.employee(unit=make.unit(), is_hr=True, email="hr@k.se")
    auth.login("hr@k.se")
    return person


def upload(client, path, name=None):
    page = client.get("/admin/scorm")
    data = {
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        "package": (io.BytesIO(path.read_bytes()), name or path.name),
    }
    return client.post("/admin/scorm", data=data, content_type="multipart/form-data")


def test_only_hr(client, auth, make):
    assert client.get("/admin/scorm").status_code == 302  # to the login page
    make.employee(email="staff@k.se")
    auth.login("staff@k.se")
    assert client.get("/admin/scorm").status_code == 403
    assert client.get("/admin/scorm/1").status_code == 403
    page = client.get("/")
    response = client.post(
        "/admin/scorm",
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "package": (io.BytesIO(b"x"), "a.zip"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 0


def test_the_page_is_linked_from_administration(client, hr):
    html = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/scorm">Köpta kurser (SCORM)</a>' in html
    assert "Inga paket inlästa ännu." in client.get("/admin/scorm").get_data(as_text=True)


def test_upload_then_settings(client, hr, tmp_path):
    response = upload(client, packages.scorm12_single(tmp_path))
    assert response.status_code == 302
    course = db.session.scalar(sa.select(Course))
    assert response.headers["Location"] == f"/admin/scorm/{course.id}"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Ny kurs: Bemötande vid våld i nära relationer (scorm-se-exempel-bemotande-12), version 1.0."
        in html
    )
    assert "<h1>Bemötande vid våld i nära relationer</h1>" in html
    assert "se.exempel.bemotande-12" in html
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "course.scorm_import")
    )
    assert event.actor_id == hr.id
    assert event.details["filename"] == "scorm12.zip"

    listing = client.get("/admin/scorm").get_data(as_text=True)
    assert f'<a href="/admin/scorm/{course.id}">Bemötande vid våld i nära relationer</a>' in listing
    assert "1 köpt kurs" in listing

    response = client.post(
        f"/admin/scorm/{course.id}",
        data={
            "csrf_token": csrf_from(html),
            "summary": "Hur du bemöter den som utsatts.",
            "minutes": "30",
            "levels": ["chef", "medarbetare"],
            "prevention_levels": ["universal"],
            "valid_months": "36",
            "content_warning": "Kursen beskriver våld i nära relationer.",
            "support": "Kvinnofridslinjen | 020-50 50 50 | Dygnet runt\nFöretagshälsan | 010-123 45 67",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    course = db.session.get(Course, course.id)
    assert course.summary == "Hur du bemöter den som utsatts."
    assert course.minutes == 30
    assert course.audience["levels"] == ["chef", "medarbetare"]
    assert course.prevention_levels == ["universal"]
    assert course.valid_months == 36
    (version,) = course.versions
    assert version.valid_months == 36
    assert version.content["settings"] == {
        "content_warning": "Kursen beskriver våld i nära relationer.",
        "support": [
            {"name": "Kvinnofridslinjen", "phone": "020-50 50 50", "hours": "Dygnet runt"},
            {"name": "Företagshälsan", "phone": "010-123 45 67", "hours": ""},
        ],
    }
    html = client.get(f"/admin/scorm/{course.id}").get_data(as_text=True)
    assert "Uppgifterna är sparade." in html
    assert "Företagshälsan | 010-123 45 67\n" in html or "Företagshälsan | 010-123 45 67<" in html
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "course.scorm_settings")
    )
    assert event.actor_id == hr.id
    assert event.details["after"]["minutes"] == 30


def test_a_bad_support_line_is_named(client, hr, tmp_path):
    upload(client, packages.scorm12_single(tmp_path))
    course = db.session.scalar(sa.select(Course))
    html = client.get(f"/admin/scorm/{course.id}").get_data(as_text=True)
    response = client.post(
        f"/admin/scorm/{course.id}",
        data={"csrf_token": csrf_from(html), "minutes": "0", "support": "Jour | 112\n | 08-1"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Rad 2 saknar namn." in page
    assert "data-error-summary" in page
    db.session.expire_all()
    assert db.session.get(CourseVersion, course.versions[0].id).content["settings"]["support"] == []


def test_a_refused_upload_changes_nothing_and_says_why(client, hr, app, tmp_path):
    upload(client, packages.scorm12_single(tmp_path / "ok"))
    unchanged = Unchanged(app)
    files = {
        "imsmanifest.xml": packages.manifest_12(
            "se.exempel.x",
            "X",
            '<item identifier="I" identifierref="R"><title>I</title></item>',
            packages.sco_resource("R", "start/index.html"),
        )
    }
    response = upload(client, packages.build_zip(tmp_path / "x.zip", files))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Paketet lästes inte in" in html
    assert "Startfilen ”start/index.html” (resursen ”R”) finns inte i paketet." in html
    unchanged.check()

    response = upload(client, tmp_path / "x.zip", name="kurs.txt")
    assert "Välj en zip-fil" in response.get_data(as_text=True)
    unchanged.check()


def test_the_upload_limit_is_raised_for_packages_only(client, hr, app, tmp_path, monkeypatch):
    path = packages.scorm12_single(tmp_path, extra_files={"film.bin": os.urandom(20_000)})
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 10_000)
    assert path.stat().st_size > 10_000
    assert upload(client, path).status_code == 302  # SCORM_MAX_UPLOAD_MB applies here
    # ... and nowhere else: the HR import's form keeps MAX_CONTENT_LENGTH.
    other = client.post(
        "/admin/import",
        data={"units_file": (io.BytesIO(path.read_bytes()), "enheter.csv")},
        content_type="multipart/form-data",
    )
    assert other.status_code == 413
    monkeypatch.setitem(app.config, "SCORM_MAX_UPLOAD_MB", 0)
    assert upload(client, path).status_code == 413


def test_a_file_course_has_no_settings_page(client, hr, make):
    course = make.course()
    assert client.get(f"/admin/scorm/{course.id}").status_code == 404
    assert client.get("/admin/scorm/99999").status_code == 404


def test_a_scorm_course_is_an_ordinary_course_for_requirements_and_coverage(
    client, hr, make, tmp_path
):
    upload(client, packages.scorm2004(tmp_path))
    course = db.session.scalar(sa.select(Course))
    form = client.get("/admin/krav/ny").get_data(as_text=True)
    assert f'<option value="{course.id}">Hot och våld i arbetet</option>' in form

    learner = make.employee(unit=hr.unit if hr.unit_id else make.unit())
    make.requirement(course)
    today = dates.today()
    (status,) = employee_statuses(db.session, learner.id, today)
    assert status.course_id == course.id
    assert status.status != Status.COMPLETED
    make.completion(learner, course, on=today - timedelta(days=1))
    (status,) = employee_statuses(db.session, learner.id, today)
    assert status.status == Status.COMPLETED
    assert status.completed_on == today - timedelta(days=1)
    assert isinstance(status.completed_on, date)
