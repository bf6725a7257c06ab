"""M4 (security review 2026-11): a manager certified their own mandatory training, and
backdated their staff's, through a self-registered in-person session. Nobody registers their
own attendance; a manager registers a session at most 30 days back (older training is HR's);
HR sees a session completion registered by a manager as such."""

from __future__ import annotations

import html
import io
from datetime import timedelta

import sqlalchemy as sa

from app import dates
from app.extensions import db
from app.models import Completion, TrainingSession
from tests.conftest import AuthActions, csrf_from


def _form(client, unit_id: int, **data):
    url = f"/enheter/{unit_id}/tillfallen/nytt"
    token = csrf_from(client.get(url).get_data(as_text=True))
    base = {
        "csrf_token": token,
        "course_id": "0",
        "held_on": dates.today().isoformat(),
        "place": "mitt kontor",
        "trainer": "jag själv",
    }
    return client.post(url, data={**base, **data}, content_type="multipart/form-data")


def _completions_of(person) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Completion.employee_id == person.id, Completion.source == "session"
        )
    )


def test_a_head_cannot_register_their_own_attendance(client, auth, town):
    """The review's reproduction: the head of administration ticks themself."""
    head = town["head"]
    auth.login("head@k.se")
    response = _form(
        client,
        town["soc"].id,
        course_id=str(town["course"].id),
        held_on=(dates.today() - timedelta(days=1)).isoformat(),
        attendee=[str(head.id)],
    )
    assert response.status_code == 400
    assert "Du kan inte registrera din egen närvaro." in response.get_data(as_text=True)
    assert _completions_of(head) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingSession)) == 0


def test_nor_through_a_csv_of_employee_numbers(client, auth, town):
    auth.login("chef@k.se")
    csv = f"{town['bo'].employee_number}\n{town['chef'].employee_number}\n"
    response = _form(
        client,
        town["bof"].id,
        course_id=str(town["course"].id),
        attendees_csv=(io.BytesIO(csv.encode()), "deltagare.csv"),
    )
    assert response.status_code == 400
    assert "Du kan inte registrera din egen närvaro." in response.get_data(as_text=True)
    assert (_completions_of(town["chef"]), _completions_of(town["bo"])) == (0, 0)


def test_a_manager_cannot_backdate_beyond_30_days(client, auth, town):
    auth.login("chef@k.se")
    today = dates.today()
    old = _form(
        client,
        town["bof"].id,
        course_id=str(town["course"].id),
        held_on=(today - timedelta(days=31)).isoformat(),
        attendee=[str(town["bo"].id)],
    )
    assert old.status_code == 400
    earliest = today - timedelta(days=30)
    assert (
        f"Datum: ett tillfälle kan registreras högst 30 dagar i efterhand, tidigast {earliest}."
        in old.get_data(as_text=True)
    )
    assert _completions_of(town["bo"]) == 0
    recent = _form(
        client,
        town["bof"].id,
        course_id=str(town["course"].id),
        held_on=earliest.isoformat(),
        attendee=[str(town["bo"].id)],
    )
    assert recent.status_code == 302
    assert _completions_of(town["bo"]) == 1


def test_hr_sees_a_session_completion_registered_by_a_manager_as_such(app, client, town):
    today = dates.today()
    chef = app.test_client()
    AuthActions(chef).login("chef@k.se")
    response = _form(
        chef,
        town["bof"].id,
        course_id=str(town["course"].id),
        title="",
        held_on=(today - timedelta(days=12)).isoformat(),
        attendee=[str(town["bo"].id)],
    )
    assert response.status_code == 302

    AuthActions(client).login("hr@k.se")
    page = html.unescape(client.get(f"/enheter/personer/{town['bo'].id}").get_data(as_text=True))
    assert (
        f"registrerad av chef Cesar {town['chef'].last_name} vid tillfället ”Grundkurs” den {today}"
        in page
    )

    # HR's own registration is not a manager's
    hr_session = _form(
        client,
        town["vux"].id,
        course_id=str(town["course"].id),
        attendee=[str(town["vera"].id)],
    )
    assert hr_session.status_code == 302
    page = html.unescape(client.get(f"/enheter/personer/{town['vera'].id}").get_data(as_text=True))
    assert f"registrerad av Hanna {town['hr'].last_name}" in page
    assert "registrerad av chef" not in page
