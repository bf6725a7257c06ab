"""The follow-up: an e-mail FOLLOWUP_MONTHS after a completion with a single-use link."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email import policy
from email.parser import BytesParser

import pytest
import sqlalchemy as sa

from app import dates
from app.evaluation import services
from app.extensions import db
from app.models import (
    AnonymousPending,
    FollowupAnswer,
    FollowupInvitation,
    FollowupSent,
    OutgoingMail,
)
from tests.conftest import csrf_from

ON = date(2026, 11, 20)  # four months after 2026-07-20


@pytest.fixture
def followup_on(app):
    old = app.config["FOLLOWUP_ENABLED"], app.config["FOLLOWUP_MONTHS"]
    app.config.update(FOLLOWUP_ENABLED=True, FOLLOWUP_MONTHS=4)
    yield
    app.config["FOLLOWUP_ENABLED"], app.config["FOLLOWUP_MONTHS"] = old


def _links(smtp_server) -> dict[str, str]:
    out = {}
    for m in smtp_server.messages:
        msg = BytesParser(policy=policy.strict).parsebytes(m.content)
        body = msg.get_body(("plain",)).get_content()
        found = re.search(r"https?://\S+/uppfoljning/([A-Za-z0-9_-]+)", body)
        if found:
            out[m.rcpt_tos[0]] = found.group(1)
    return out


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_send_followups_mails_a_link_and_stores_no_person(
    runner, smtp_server, make, course, followup_on
):
    unit = make.unit(parent=make.unit())
    due = make.employee(unit=unit, email="due@k.se")
    too_new = make.employee(unit=unit, email="new@k.se")
    no_mail = make.employee(unit=unit)
    db.session.execute(
        sa.update(type(no_mail)).where(type(no_mail).id == no_mail.id).values(email=None)
    )
    db.session.commit()
    c_due = make.completion(due, course, on=date(2026, 7, 20))
    make.completion(too_new, course, on=date(2026, 9, 1))
    c_none = make.completion(no_mail, course, on=date(2026, 7, 10))

    result = runner.invoke(args=["evaluation", "send-followups", "--on", ON.isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 inbjudan köade" in result.output
    assert "1 person utan e-postadress fick ingen uppföljning." in result.stderr
    links = _links(smtp_server)
    assert set(links) == {"due@k.se"}
    # Both due completions are marked, so neither is considered again.
    assert set(db.session.scalars(sa.select(FollowupSent.completion_id))) == {c_due.id, c_none.id}
    invitation = db.session.scalars(sa.select(FollowupInvitation)).one()
    # The invitation holds the token's digest and the group, never the person or the token.
    assert set(FollowupInvitation.__table__.columns.keys()) == {
        "token_digest",
        "course_id",
        "administration_id",
        "level",
        "month",
        "used",
        "expires_on",
    }
    assert invitation.token_digest == services.token_digest(links["due@k.se"])
    assert links["due@k.se"] not in repr(db.session.execute(sa.select(FollowupInvitation)).all())
    assert invitation.month == "2026-07"
    assert invitation.expires_on == ON + timedelta(days=60)
    # A second run the same day sends nothing new.
    again = runner.invoke(args=["evaluation", "send-followups", "--on", ON.isoformat()])
    assert "0 inbjudningar köade" in again.output
    assert len(_links(smtp_server)) == 1


def test_switched_off_sends_nothing(runner, make, course):
    person = make.employee()
    make.completion(person, course, on=date(2026, 7, 20))
    result = runner.invoke(args=["evaluation", "send-followups", "--on", ON.isoformat()])
    assert result.exit_code == 0
    assert "avstängd" in result.output
    assert _count(FollowupSent) == 0
    assert _count(OutgoingMail) == 0


def _invite(make, course, *, on=ON) -> str:
    person = make.employee(unit=make.unit(parent=make.unit()))
    make.completion(person, course, on=dates.add_months(on, -4))
    captured: list[str] = []

    def message(title, link, municipality, locale):
        captured.append(link.rsplit("/", 1)[1])
        return "Uppföljning", link

    services.send_followups(
        db.session, on=on, months=4, base_url="http://x", municipality="K", message=message
    )
    db.session.commit()
    return captured[0]


def test_the_link_works_once_without_login(client, make, course):
    token = _invite(make, course, on=dates.today())
    page = client.get(f"/uppfoljning/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Har du använt något från kursen i ditt arbete?" in html
    response = client.post(
        f"/uppfoljning/{token}",
        data={"csrf_token": csrf_from(html), "used_it": "delvis", "workplace_changed": "ja"},
    )
    assert response.status_code == 200
    assert "Tack för dina svar" in response.get_data(as_text=True)
    held = db.session.scalars(sa.select(AnonymousPending)).one()
    assert held.payload["used_it"] == "delvis"
    assert "employee_id" not in held.payload
    # Used: the page says so, and a second answer is refused.
    used = client.get(f"/uppfoljning/{token}")
    assert used.status_code == 410
    assert "redan använts" in used.get_data(as_text=True)
    assert _count(AnonymousPending) == 1
    # Released with its batch, the answer carries the group only.
    services.release_now(db.session, batch=1)
    answer = db.session.scalars(sa.select(FollowupAnswer)).one()
    assert (answer.used_it, answer.workplace_changed) == ("delvis", "ja")
    assert set(FollowupAnswer.__table__.columns.keys()) == {
        "id",
        "course_id",
        "administration_id",
        "level",
        "month",
        "used_it",
        "workplace_changed",
    }


def test_expired_unknown_and_invalid(client, make, course):
    token = _invite(make, course, on=dates.today() - timedelta(days=61))
    expired = client.get(f"/uppfoljning/{token}")
    assert expired.status_code == 410
    assert "gäller i 60 dagar" in expired.get_data(as_text=True)
    assert client.get("/uppfoljning/finns-inte").status_code == 404
    fresh = _invite(make, course, on=dates.today())
    html = client.get(f"/uppfoljning/{fresh}").get_data(as_text=True)
    bad = client.post(
        f"/uppfoljning/{fresh}", data={"csrf_token": csrf_from(html), "used_it": "kanske"}
    )
    assert bad.status_code == 422
    assert "Välj ett av svaren, eller lämna frågan tom." in bad.get_data(as_text=True)
    assert _count(AnonymousPending) == 0
    # The link is still unused after a refused answer.
    assert client.get(f"/uppfoljning/{fresh}").status_code == 200


def test_concurrent_answers_on_one_link_give_one(app, make, course):
    import threading

    token = _invite(make, course, on=dates.today())
    n = 5
    barrier = threading.Barrier(n, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def answer() -> None:
        with app.app_context():
            try:
                barrier.wait()
                services.submit_followup(
                    db.session,
                    token=token,
                    answers=services.FollowupAnswers("ja", "nej"),
                    on=dates.today(),
                )
                db.session.commit()
                outcome = "recorded"
            except services.LinkInvalid:
                db.session.rollback()
                outcome = "used"
            except Exception as exc:  # noqa: BLE001 - reported by the assertion
                db.session.rollback()
                outcome = f"error: {exc!r}"
            finally:
                db.session.remove()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=answer, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["recorded"] + ["used"] * (n - 1), outcomes
    assert _count(AnonymousPending) == 1


def test_the_daily_reminders_run_sends_them_too(runner, smtp_server, make, course, followup_on):
    person = make.employee(unit=make.unit(parent=make.unit()), email="daily@k.se")
    make.completion(person, course, on=dates.add_months(dates.today(), -4))
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "Uppföljning: 1 inbjudan" in result.output
    assert "daily@k.se" in _links(smtp_server)
