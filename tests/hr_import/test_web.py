"""HR's import pages (upload → dry run → confirm) and the invitation link."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app import dates
from app.auth import invitations
from app.extensions import db
from app.models import AuditEvent, Employee
from tests.conftest import PASSWORD, csrf_from
from tests.hr_import.helpers import SAMPLE, SAMPLE_WITH_ERRORS, STAFF, employee, files


@pytest.fixture
def hr(make):
    return make.employee(is_hr=True, email="hr@k.se")


def upload(client, folder=SAMPLE, **fields):
    page = client.get("/admin/import")
    data = {
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        "units_file": (io.BytesIO((folder / "enheter.csv").read_bytes()), "enheter.csv"),
        "staff_file": (io.BytesIO((folder / "personal.csv").read_bytes()), "personal.csv"),
        "mapping_choice": "standard",
        "encoding": "",
        "invite": "y",
    }
    data.update(fields)
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def still_employed(folder=SAMPLE) -> int:
    """People in the staff file whose end date has not passed: the import's new people.

    The sample has end dates from 2026-12-01 on, so the number depends on the day.
    """
    with (folder / "personal.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    today = dates.today().isoformat()
    return sum(1 for row in rows if not row["slutdatum"] or row["slutdatum"] >= today)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_only_hr_may_import(client, auth, make):
    assert client.get("/admin/import").status_code == 302  # to the login page
    make.employee(email="staff@k.se")
    auth.login("staff@k.se")
    assert client.get("/admin/import").status_code == 403
    assert client.get("/admin/import/abcdefghijklmnopqrstuvwxyz").status_code == 403
    assert client.post("/admin/import/abcdefghijklmnopqrstuvwxyz").status_code in (400, 403)
    # nothing but the login itself was recorded
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions == ["auth.login"]


def test_upload_dry_run_confirm(client, auth, hr):
    auth.login(hr.email)
    response = upload(client)
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    preview = client.get(preview_url)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Provkörning av importen" in html
    assert "Ny enhet (96)" in html
    new_people = still_employed()
    assert new_people > 1400
    assert f"… och {new_people - 200} till." in html  # 200 new people shown
    assert count(Employee) == 1  # only HR: nothing changed yet

    confirm = client.post(
        preview_url,
        data={
            "csrf_token": csrf_from(html),
            "fingerprint": html.split('name="fingerprint" type="hidden" value="')[1].split('"')[0],
        },
    )
    assert confirm.status_code == 302
    done = client.get(confirm.headers["Location"]).get_data(as_text=True)
    assert "Importen är genomförd" in done
    assert count(Employee) == 1 + new_people
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "hr.import"))
    assert event.actor_id == hr.id
    assert event.details["via"] == "web"
    assert client.get(preview_url).status_code == 404  # the upload is gone


def test_the_error_file_is_shown_with_every_line(client, auth, hr):
    auth.login(hr.email)
    response = upload(client, SAMPLE_WITH_ERRORS)
    preview = client.get(response.headers["Location"])
    html = preview.get_data(as_text=True)
    assert preview.status_code == 422
    assert "7 problem i filerna" in html
    for line in (152, 157, 162, 167, 172, 177, 182):
        assert f'<td class="num">{line}</td>' in html
    assert "Genomför importen" not in html


def test_a_confirmation_of_something_else_changes_nothing(client, auth, hr):
    auth.login(hr.email)
    preview_url = upload(client).headers["Location"]
    html = client.get(preview_url).get_data(as_text=True)
    response = client.post(
        preview_url, data={"csrf_token": csrf_from(html), "fingerprint": "not-what-was-shown"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(preview_url)
    assert count(Employee) == 1
    # Without a CSRF token: refused.
    assert client.post(preview_url, data={"fingerprint": "x"}).status_code == 400


def test_a_mapping_that_is_not_toml_is_shown_on_the_form(client, auth, hr):
    auth.login(hr.email)
    response = upload(client, mapping_choice="egen", mapping_text="[units\n")
    assert response.status_code == 200
    assert "inte giltig TOML" in response.get_data(as_text=True)


def test_names_with_html_are_shown_escaped(client, auth, hr):
    auth.login(hr.email)
    staff = [row[:] for row in STAFF]
    staff[3][1] = "<b>Dan</b>"
    units_file, staff_file = files(staff=staff)
    page = client.get("/admin/import")
    response = client.post(
        "/admin/import",
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "units_file": (io.BytesIO(units_file.data), "enheter.csv"),
            "staff_file": (io.BytesIO(staff_file.data), "personal.csv"),
            "mapping_choice": "standard",
        },
        content_type="multipart/form-data",
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;b&gt;Dan&lt;/b&gt;" in html
    assert "<b>Dan</b>" not in html


def test_an_invitation_sets_the_password_once(client, auth, app_ctx):
    from tests.hr_import.helpers import run

    run(files())
    dan = employee("4")
    token = invitations.make_token(dan.id, dan.session_token, dan.password_hash)
    url = f"/konto/inbjudan/{token}"
    page = client.get(url)
    assert page.status_code == 200
    assert "Välj lösenord" in page.get_data(as_text=True)
    short = client.post(
        url,
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "new_password": "kort",
            "confirm": "kort",
        },
    )
    assert "minst 12 tecken" in short.get_data(as_text=True)
    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "new_password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert auth.login("dan.as@lilleby.se").status_code == 302
    # Used once: the link no longer works.
    assert client.get(url).status_code == 400
    assert client.get("/konto/inbjudan/inte-en-riktig-token").status_code == 400


def test_an_expired_or_departed_invitation_does_not_work(client, app_ctx, monkeypatch):
    from tests.hr_import.helpers import run

    run(files())
    eva = employee("5")
    token = invitations.make_token(eva.id, eva.session_token, eva.password_hash)
    monkeypatch.setattr(invitations, "max_age_days", lambda: -1)
    assert client.get(f"/konto/inbjudan/{token}").status_code == 400
    monkeypatch.undo()
    eva.active = False
    db.session.commit()
    assert client.get(f"/konto/inbjudan/{token}").status_code == 400


def test_an_upload_left_for_a_day_is_gone_and_a_new_one_works(client, auth, hr):
    """Uploaded HR files (personal data) are kept 24 hours at most: the next upload clears them."""
    auth.login(hr.email)
    old_preview = upload(client).headers["Location"]
    assert client.get(old_preview).status_code == 200
    with time_machine.travel(dates.now() + timedelta(hours=25)):
        auth.login(hr.email)  # the session itself ended after 12 hours
        new_preview = upload(client).headers["Location"]
        assert client.get(old_preview).status_code == 404
        assert client.get(new_preview).status_code == 200
