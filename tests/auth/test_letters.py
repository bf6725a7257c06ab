"""Sign-in letters (app/auth/letters.py): a manager or HR prints a letter with a single-use
code for staff without an e-mail address; the person types or scans the code, chooses a
password, and logs in with their employee number from then on."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime, time, timedelta
from email import policy
from email.parser import BytesParser

import pypdf
import pypdfium2 as pdfium
import pytest
import sqlalchemy as sa
import time_machine
import zxingcpp

from app import dates
from app.auth import letters
from app.extensions import db
from app.models import AuditEvent, Employee, SignInLetter
from tests import pdfcheck
from tests.auth.test_throttling import limited  # noqa: F401 - the rate-limited apps (Redis)
from tests.conftest import PASSWORD, csrf_from

CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
NEW_PASSWORD = "en ny och lång lösenfras"
REFUSED = "Koden gäller inte"


@pytest.fixture
def crew(town, make):
    """Two people in Barn och familj without an e-mail address (kitchen, home care)."""
    people = {}
    for first, last in (("Sara", "Kock"), ("Tor", "Städ")):
        person = make.employee(unit=town["bof"], first_name=first, last_name=last, password=None)
        person.email = None
        people[first.lower()] = person
    db.session.commit()
    return people


def _print(client, ids, *, page: str) -> object:
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(
        "/enheter/inloggningsbrev",
        data={"csrf_token": token, "employee_id": [str(i) for i in ids], "next_url": page},
    )


def _codes(body: bytes) -> list[str]:
    return CODE.findall(pdfcheck.text(body))


def _pages(body: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(body))
    return [" ".join(p.extract_text().split()) for p in reader.pages]


def _qr_texts(body: bytes) -> list[str]:
    """The QR codes on each page, decoded from the rendered page (as a phone's camera would)."""
    found = []
    doc = pdfium.PdfDocument(body)
    for index in range(len(doc)):
        image = doc[index].render(scale=2).to_pil().convert("L")
        found.append([r.text for r in zxingcpp.read_barcodes(image)])
    doc.close()
    return found


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _redeem(client, code: str, password: str = NEW_PASSWORD):
    page = client.get("/logga-in/kod")
    answer = client.post(
        "/logga-in/kod", data={"csrf_token": csrf_from(page.get_data(as_text=True)), "code": code}
    )
    if answer.status_code != 302:
        return answer
    form = client.get(answer.headers["Location"])
    return client.post(
        "/logga-in/kod/losenord",
        data={
            "csrf_token": csrf_from(form.get_data(as_text=True)),
            "new_password": password,
            "confirm": password,
        },
    )


def _letter_for(client, auth, person, *, manager_email="chef@k.se", unit=None) -> str:
    auth.login(manager_email)
    response = _print(client, [person.id], page=f"/enheter/{unit or person.unit_id}")
    assert response.status_code == 200, response.status_code
    auth.logout()
    (code,) = _codes(response.data)
    return code


# --- printing ----------------------------------------------------------------------------------


def test_a_manager_prints_one_page_per_chosen_person(client, auth, town, crew, app):
    auth.login("chef@k.se")
    unit_page = client.get(f"/enheter/{town['bof'].id}").get_data(as_text=True)
    # the people list has a box for each person the manager may print for, never himself
    assert f'id="letter-{crew["sara"].id}"' in unit_page
    assert f'id="letter-{town["anna"].id}"' in unit_page
    assert f'id="letter-{town["chef"].id}"' not in unit_page
    response = _print(client, [crew["sara"].id, crew["tor"].id], page=f"/enheter/{town['bof'].id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.data

    pages = _pages(body)
    assert len(pages) == 2
    last_day = (dates.today() + timedelta(days=30)).isoformat()
    base = app.config["BASE_URL"].rstrip("/")
    codes = []
    for text, person in zip(pages, (crew["sara"], crew["tor"]), strict=True):
        assert person.full_name in text
        assert "Barn och familj" in text
        assert f"{base}/logga-in/kod" in text
        assert person.employee_number in text
        assert last_day in text
        assert "chef eller HR" in text
        (code,) = CODE.findall(text)
        codes.append(code)
    assert codes[0] != codes[1]

    # a phone's camera reads the QR code: the sign-in page with the code filled in
    qr = _qr_texts(body)
    assert qr == [[f"{base}/logga-in/kod?kod={c}"] for c in codes]

    # a tagged PDF: the QR code is a figure with its alternative text; Swedish; readable
    structure = pdfcheck.structure(body)
    assert structure["tagged"]
    assert structure["marked"]
    assert structure["lang"] == "sv"
    assert structure["title"] == "Inloggningsbrev till Värna"
    assert "/Figure" in structure["types"]
    assert all(embedded for _, embedded in structure["fonts"])
    low = [(w, round(c, 2)) for w, c in pdfcheck.word_contrasts(body) if c < 4.5]
    assert low == []
    pdfcheck.save_first_page(body, "sign-in-letter")

    # only digests are stored: the codes themselves are nowhere in the database
    rows = list(db.session.scalars(sa.select(SignInLetter).order_by(SignInLetter.employee_id)))
    assert [r.employee_id for r in rows] == [crew["sara"].id, crew["tor"].id]
    for row, code in zip(rows, codes, strict=True):
        assert row.code_digest == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
        assert row.created_by_id == town["chef"].id
        assert row.last_day.isoformat() == last_day
    (event,) = _events("letters.print")
    assert event.actor_id == town["chef"].id
    assert event.details["employees"] == [crew["sara"].id, crew["tor"].id]
    assert not any(
        c in str(event.details) or c.replace("-", "") in str(event.details) for c in codes
    )

    # the unit page shows who has a valid, unused letter, until when, and a way to revoke it
    unit_page = client.get(f"/enheter/{town['bof'].id}").get_data(as_text=True)
    letters_part = unit_page[unit_page.index('id="letters-h"') :]
    assert "Sara Kock" in letters_part
    assert "Tor Städ" in letters_part
    assert last_day in letters_part
    assert "Återkalla" in letters_part


def test_printing_again_revokes_the_earlier_letter(client, auth, town, crew):
    first = _letter_for(client, auth, crew["sara"])
    second = _letter_for(client, auth, crew["sara"])
    assert first != second
    (event,) = [e for e in _events("letters.print") if e.details["replaced"] == 1]
    assert event.details["employees"] == [crew["sara"].id]
    assert REFUSED in _redeem(client, first).get_data(as_text=True)
    assert _redeem(client, second).status_code == 302


def test_nobody_chosen_is_a_clear_message_not_an_empty_pdf(client, auth, town):
    auth.login("chef@k.se")
    response = _print(client, [], page=f"/enheter/{town['bof'].id}")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Välj minst en person" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInLetter)) == 0


# --- who may print for whom --------------------------------------------------------------------


def _nothing_printed():
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInLetter)) == 0
    assert _events("letters.print") == []


def test_a_manager_cannot_print_outside_their_subtree_by_tampering(client, auth, town, crew):
    auth.login("chef@k.se")
    page = f"/enheter/{town['bof'].id}"
    # Vera is in Vuxen, beside the chef's unit: the whole print is refused, nothing made
    assert _print(client, [crew["sara"].id, town["vera"].id], page=page).status_code == 403
    assert _print(client, [town["olle"].id], page=page).status_code == 403
    # nor for the head above him, nor for himself
    assert _print(client, [town["head"].id], page=page).status_code == 403
    assert _print(client, [town["chef"].id], page=page).status_code == 403
    assert _print(client, ["abc"], page=page).status_code == 400
    assert _print(client, [999999], page=page).status_code == 404
    _nothing_printed()


def test_a_manager_cannot_print_for_someone_with_more_rights(client, auth, town, make):
    """A letter lets its holder choose the account's password: a manager must not get an HR
    account, a reporter's, or a chef's of a unit outside their subtree that way."""
    bof = town["bof"]
    hr_here = make.employee(unit=bof, email="hr2@k.se", is_hr=True)
    reporter = make.employee(unit=bof, email="rep@k.se", is_reporter=True)
    leads_elsewhere = make.employee(unit=bof, email="x@k.se", manages=(town["fsk"],))
    leads_below = make.employee(unit=bof, email="y@k.se", manages=(bof,))
    auth.login("chef@k.se")
    page = f"/enheter/{bof.id}"
    unit_page = client.get(page).get_data(as_text=True)
    for person in (hr_here, reporter, leads_elsewhere):
        assert f'id="letter-{person.id}"' not in unit_page
        assert _print(client, [person.id], page=page).status_code == 403
    _nothing_printed()
    # someone who leads only within the manager's own subtree gives him nothing new
    assert _print(client, [leads_below.id], page=page).status_code == 200
    # HR may print for anyone active
    auth.logout()
    auth.login("hr@k.se")
    assert _print(client, [hr_here.id, reporter.id], page=page).status_code == 200


def test_staff_and_people_who_left_get_no_letters(client, auth, town, crew, make):
    auth.login("anna@k.se")
    response = client.post("/enheter/inloggningsbrev", data={"employee_id": [crew["sara"].id]})
    assert response.status_code in (400, 403)  # no CSRF token, and no right either
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post(
        "/enheter/inloggningsbrev",
        data={"csrf_token": token, "employee_id": [str(crew["sara"].id)]},
    )
    assert response.status_code == 403
    auth.logout()
    left = make.employee(unit=town["bof"], email="gone@k.se", active=False)
    auth.login("hr@k.se")
    assert _print(client, [left.id], page=f"/enheter/{town['bof'].id}").status_code == 403
    _nothing_printed()


def test_hr_prints_and_revokes_from_the_person_page(client, auth, town, crew):
    auth.login("hr@k.se")
    page = f"/admin/personal/{crew['tor'].id}"
    html = client.get(page).get_data(as_text=True)
    assert "Skriv ut inloggningsbrev" in html
    assert "Inget giltigt inloggningsbrev." in html
    response = _print(client, [crew["tor"].id], page=page)
    assert response.status_code == 200
    (code,) = _codes(response.data)
    html = client.get(page).get_data(as_text=True)
    last_day = (dates.today() + timedelta(days=30)).isoformat()
    assert f"Har ett giltigt, oanvänt inloggningsbrev till och med {last_day}." in html
    letter = db.session.scalar(sa.select(SignInLetter))
    revoked = client.post(
        f"/enheter/inloggningsbrev/{letter.id}/aterkalla",
        data={"csrf_token": csrf_from(html), "next_url": page},
    )
    assert revoked.headers["Location"] == page
    assert "Inget giltigt inloggningsbrev." in client.get(page).get_data(as_text=True)
    (event,) = _events("letters.revoke")
    assert (event.actor_id, event.target_id) == (town["hr"].id, str(crew["tor"].id))
    auth.logout()
    assert REFUSED in _redeem(client, code).get_data(as_text=True)


def test_a_manager_revokes_from_the_unit_page_and_not_outside_it(client, auth, town, crew, make):
    code = _letter_for(client, auth, crew["sara"])
    vera_code = _letter_for(client, auth, town["vera"], manager_email="hr@k.se")
    letter = db.session.scalar(
        sa.select(SignInLetter).where(SignInLetter.employee_id == crew["sara"].id)
    )
    veras = db.session.scalar(
        sa.select(SignInLetter).where(SignInLetter.employee_id == town["vera"].id)
    )
    auth.login("chef@k.se")
    page = f"/enheter/{town['bof'].id}"
    token = csrf_from(client.get(page).get_data(as_text=True))
    assert (
        client.post(
            f"/enheter/inloggningsbrev/{veras.id}/aterkalla", data={"csrf_token": token}
        ).status_code
        == 403
    )
    answer = client.post(
        f"/enheter/inloggningsbrev/{letter.id}/aterkalla",
        data={"csrf_token": token, "next_url": page},
    )
    assert answer.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Inloggningsbrevet till Sara Kock är återkallat." in html
    assert "Ingen i enheten har ett giltigt, oanvänt inloggningsbrev." in html
    auth.logout()
    assert REFUSED in _redeem(client, code).get_data(as_text=True)
    assert _redeem(client, vera_code).status_code == 302  # untouched


# --- the person's side -------------------------------------------------------------------------


def test_the_person_redeems_the_code_chooses_a_password_and_logs_in(client, auth, town, crew):
    person = crew["sara"]
    code = _letter_for(client, auth, person)
    # the login page leads there, and the QR code's address fills the code in
    login_page = client.get("/logga-in").get_data(as_text=True)
    assert "Har du fått ett inloggningsbrev?" in login_page
    assert "E-postadress eller anställningsnummer" in login_page
    form = client.get(f"/logga-in/kod?kod={code}").get_data(as_text=True)
    assert f'value="{code}"' in form
    # case, dashes and spaces do not matter; O and I read as 0 and 1
    typed = code.lower().replace("-", " ")
    answer = client.post("/logga-in/kod", data={"csrf_token": csrf_from(form), "code": typed})
    assert answer.headers["Location"] == "/logga-in/kod/losenord"
    page = client.get("/logga-in/kod/losenord").get_data(as_text=True)
    assert "Välkommen, Sara!" in page
    assert person.employee_number in page
    # a password that breaks the rules is refused, and the letter still works
    weak = client.post(
        "/logga-in/kod/losenord",
        data={"csrf_token": csrf_from(page), "new_password": "kort", "confirm": "kort"},
    )
    assert "minst 12 tecken" in weak.get_data(as_text=True)
    saved = client.post(
        "/logga-in/kod/losenord",
        data={"csrf_token": csrf_from(page), "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert saved.headers["Location"] == "/"
    start = client.get("/").get_data(as_text=True)
    assert "Ditt lösenord är sparat och du är inloggad." in start
    assert person.employee_number in start
    db.session.expire_all()
    letter = db.session.scalar(sa.select(SignInLetter))
    assert letter.used_at is not None
    (event,) = _events("letters.redeem")
    assert (event.actor_id, event.target_id) == (person.id, str(person.id))
    assert [e.target_id for e in _events("account.password_set")] == [str(person.id)]

    # from now on: the employee number and the new password
    auth.logout()
    assert auth.login(person.employee_number, NEW_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200


def test_a_code_works_once(client, auth, town, crew, app):
    code = _letter_for(client, auth, crew["tor"])
    assert _redeem(client, code).status_code == 302
    auth.logout()
    db.session.expire_all()
    before = db.session.get(Employee, crew["tor"].id).password_hash
    again = _redeem(client, code, password="någon annans lösenfras här")
    assert again.status_code == 400
    assert REFUSED in again.get_data(as_text=True)
    assert "be din chef om ett nytt brev" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Employee, crew["tor"].id).password_hash == before
    (event,) = _events("letters.refused")
    assert event.details == {"reason": "used"}
    assert event.target_id == str(crew["tor"].id)


def test_a_checked_code_stops_working_when_revoked_before_the_password(client, auth, town, crew):
    code = _letter_for(client, auth, crew["tor"])
    form = client.get("/logga-in/kod").get_data(as_text=True)
    client.post("/logga-in/kod", data={"csrf_token": csrf_from(form), "code": code})
    letter = db.session.scalar(sa.select(SignInLetter))
    letters.revoke(db.session, letter=letter, actor=town["hr"])
    db.session.commit()
    page = client.get("/logga-in/kod/losenord")
    assert page.status_code == 400
    assert REFUSED in page.get_data(as_text=True)
    # and no password can be posted to it either
    posted = client.post(
        "/logga-in/kod/losenord",
        data={"csrf_token": csrf_from(form), "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert posted.status_code == 400
    db.session.expire_all()
    assert db.session.get(Employee, crew["tor"].id).password_hash is None


def test_a_letter_works_through_its_last_day_and_not_after(client, auth, town, crew):
    code = _letter_for(client, auth, crew["sara"])
    other = _letter_for(client, auth, crew["tor"])
    last_day = dates.today() + timedelta(days=30)
    late_evening = datetime.combine(last_day, time(23, 50), dates.STOCKHOLM)
    with time_machine.travel(late_evening, tick=False):
        assert _redeem(client, code).status_code == 302
        auth.logout()
    next_morning = datetime.combine(last_day + timedelta(days=1), time(0, 5), dates.STOCKHOLM)
    with time_machine.travel(next_morning, tick=False):
        expired = _redeem(client, other)
        assert expired.status_code == 400
        assert REFUSED in expired.get_data(as_text=True)
        # nor does the unit page list it any longer
        auth.login("chef@k.se")
        html = client.get(f"/enheter/{town['bof'].id}").get_data(as_text=True)
        assert "Ingen i enheten har ett giltigt, oanvänt inloggningsbrev." in html
    (event,) = _events("letters.refused")
    assert event.details == {"reason": "expired"}
    db.session.expire_all()
    assert db.session.get(Employee, crew["tor"].id).password_hash is None


@pytest.mark.parametrize(
    "typed",
    [
        "AAAA-BBBB-CCCC-DDDD",  # the right form, no letter
        "hej",
        "Ä" * 100,
        "' OR 1=1 --",
    ],
)
def test_wrong_codes_get_one_neutral_answer_and_an_audit_event(client, app_ctx, typed):
    form = client.get("/logga-in/kod").get_data(as_text=True)
    answer = client.post("/logga-in/kod", data={"csrf_token": csrf_from(form), "code": typed})
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert REFUSED in text
    assert "be din chef om ett nytt brev" in text
    (event,) = _events("letters.refused")
    assert event.details == {"reason": "unknown"}
    assert event.target_id is None
    assert typed not in str(event.details)


def test_the_password_page_without_a_checked_code_sends_back_to_the_code(client, app_ctx):
    answer = client.get("/logga-in/kod/losenord")
    assert answer.status_code == 400
    assert "Kod från inloggningsbrevet" in answer.get_data(as_text=True)


def test_a_letter_of_someone_who_has_left_does_not_work(client, auth, town, crew):
    code = _letter_for(client, auth, crew["sara"])
    person = db.session.get(Employee, crew["sara"].id)
    person.active = False
    db.session.commit()
    assert REFUSED in _redeem(client, code).get_data(as_text=True)
    (event,) = _events("letters.refused")
    assert event.details == {"reason": "inactive"}


def test_code_normalisation():
    code = "K7QM3XTA9PRW2HDN"
    assert letters.normalise_code("k7qm-3xta-9prw-2hdn") == code
    assert letters.normalise_code(" K7QM 3XTA 9PRW 2HDN ") == code
    assert letters.normalise_code("K7QM–3XTA–9PRW–2HDN") == code  # an en dash from a phone
    assert letters.normalise_code("K7QM-3XTA-9PRW-2HDO") == "K7QM3XTA9PRW2HD0"
    assert letters.normalise_code("K7QM-3XTA-9PRW-2HD") is None
    assert letters.normalise_code("K7QM-3XTA-9PRW-2HDU") is None  # no U in the alphabet
    assert letters.format_code(code) == "K7QM-3XTA-9PRW-2HDN"
    codes = {letters.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(letters.normalise_code(c) == c for c in codes)


# --- login by employee number ------------------------------------------------------------------


def test_login_by_employee_number(client, auth, make):
    person = make.employee(email="kim@k.se")
    assert auth.login(person.employee_number).status_code == 302
    auth.logout()
    wrong = auth.login(person.employee_number, "fel-losenord-helt-klart")
    assert wrong.status_code == 200
    assert "Fel e-postadress, anställningsnummer eller lösenord." in wrong.get_data(as_text=True)
    assert auth.login("kim@k.se", PASSWORD).status_code == 302


def test_e_mail_and_employee_number_share_one_failed_login_count(app, make):
    from app.auth import services

    person = make.employee(email="kim@k.se")
    same = services.throttle_account(db.session, "Kim@K.se")
    assert services.throttle_account(db.session, person.employee_number) == same
    assert services.throttle_account(db.session, "nobody@k.se") != same
    assert "kim" not in same


# --- guessing is rate limited ------------------------------------------------------------------


def test_guessing_codes_is_rate_limited_per_address(limited, make):  # noqa: F811
    (limited_app,) = limited(1, RATELIMIT_SIGN_IN_CODE="3 per 15 minutes")
    client = limited_app.test_client()
    person = make.employee(email=None, password=None)
    hr = make.employee(email="hr@k.se", is_hr=True)
    with limited_app.app_context():
        printed = letters.issue(
            db.session,
            employees=[db.session.get(Employee, person.id)],
            actor=db.session.get(Employee, hr.id),
        )
        db.session.commit()
    code = printed[0].shown_code
    token = csrf_from(client.get("/logga-in/kod").get_data(as_text=True))

    def attempt(typed: str):
        return client.post("/logga-in/kod", data={"csrf_token": token, "code": typed})

    assert attempt("AAAA-BBBB-CCCC-DDDD").status_code == 400
    assert attempt("AAAA-BBBB-CCCC-DDDE").status_code == 400
    # a right code does not count against the address
    assert attempt(code).status_code == 302
    assert attempt("AAAA-BBBB-CCCC-DDDF").status_code == 400
    refused = attempt(code)
    assert refused.status_code == 429
    assert "För många felaktiga koder härifrån" in refused.get_data(as_text=True)
    assert len(_events("letters.refused")) == 3
    # from another address the code still works (the count is per client address)
    other = limited_app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert _redeem(other, code).status_code == 302


def test_a_person_with_an_address_is_told_their_letter_was_used(
    client, auth, town, crew, smtp_server
):
    """Someone else holding the letter would otherwise go unnoticed."""
    anna_code = _letter_for(client, auth, town["anna"])
    sara_code = _letter_for(client, auth, crew["sara"])  # no address: nobody to tell
    assert smtp_server.messages == []  # printing tells nobody
    assert _redeem(client, anna_code).status_code == 302
    auth.logout()
    assert _redeem(client, sara_code).status_code == 302
    (message,) = smtp_server.messages
    parsed = BytesParser(policy=policy.default).parsebytes(message.content)
    assert parsed["To"] == "anna@k.se"
    assert parsed["Subject"].startswith("Ditt lösenord i Värna är bytt")
    body = parsed.get_body(("plain",)).get_content()
    assert "inloggningsbrev" in body
    assert "Kontakta din chef eller HR" in body
    assert anna_code not in body
