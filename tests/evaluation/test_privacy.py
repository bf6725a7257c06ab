"""A person's pre-test answers are theirs (art. 15) and go with gallring; evaluations
cannot be found, so only the receipt appears in the person's data."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.evaluation import services
from app.extensions import db
from app.models import Employee, Pretest, PretestAnswer
from tests.conftest import csrf_from
from tests.evaluation.conftest import SLUG, completion_of, pass_course


def test_my_data_holds_my_pretest_and_which_completions_evaluated(make, course, learner, auth):
    person = make.employee(email="eva@k.se")
    auth.login(person.email)
    learner.start(SLUG)
    learner.post(f"/kurser/{SLUG}/fortest", {"q-q2": ["a", "b"]})
    pass_course(learner, skip_pretest=False)
    completion = completion_of(person.id)
    learner.post(f"/utvardering/{completion.id}", {"free_text": "mitt-hemliga-svar"})
    page = learner.client.get("/konto/mina-uppgifter").get_data(as_text=True)
    assert "Frågor före kurser" in page
    assert "Kursutvärderingar och uppföljningar sparas anonymt" in page
    data = learner.client.post(
        "/konto/mina-uppgifter.json", data={"csrf_token": csrf_from(page)}
    ).get_json()
    [pretest] = data["pretests"]
    assert {"question": "q2", "objective": "intyg", "correct": True} in pretest["answers"]
    assert data["evaluation_given_for_completions"] == [completion.id]
    assert "mitt-hemliga-svar" not in repr(data)


def test_gallring_removes_pretests(runner, make, course):
    person = make.employee(active=False)
    version = course.versions[-1]
    pretest = services.draw_pretest(db.session, employee_id=person.id, version=version, variant="")
    services.submit_pretest(db.session, pretest=pretest, version=version, form={})
    db.session.execute(
        sa.update(Employee).where(Employee.id == person.id).values(end_date=date(2018, 1, 1))
    )
    db.session.commit()
    result = runner.invoke(args=["privacy", "gallra", "--years", "2"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Pretest)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PretestAnswer)) == 0
