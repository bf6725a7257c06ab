"""Issue 18 on the learner's side: pre-test, anonymous evaluation, follow-up by e-mail.

Services take the session, only flush, and raise the exceptions below; views commit.

Unlinkability (docs/security.md, "Anonymous course evaluation"): an answer is recorded
as a receipt ("completion 42 has evaluated") plus an `anonymous_pending` row in one
transaction, so it is never lost and never given twice. The anonymous row itself
(`course_evaluations`, `followup_answers`) is written later by `release()`, in a
transaction of its own that holds a whole batch (at least EVALUATION_BATCH answers of
one course, or whatever is left of earlier months), in shuffled order, with random UUID
keys: its transaction id, physical position and key say nothing about who answered.
Nothing here is audited or logged per person.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import dates, mail
from app.learning.services import (
    Tampered,
    attempt_quiz,
    parse_answers,
    score_answers,
    variant_content,
)
from app.models import (
    AnonymousPending,
    Attempt,
    Completion,
    CompletionSource,
    Course,
    CourseEvaluation,
    CourseVersion,
    Employee,
    EvaluationReceipt,
    FollowupAnswer,
    FollowupInvitation,
    FollowupSent,
    Pretest,
    PretestAnswer,
    Recommend,
    UsedIt,
    WorkplaceChanged,
    utcnow,
)
from app.models.evaluation import FREE_TEXT_MAX
from app.org import ancestor_ids

EVALUATION = "evaluation"
FOLLOWUP = "followup"
FOLLOWUP_VALID_DAYS = 60


class AlreadyAnswered(Exception):
    """This completion has given its evaluation, or this link has been used."""


class NotOffered(Exception):
    """No evaluation is offered for this completion (not yours, not a course, replaced)."""


class LinkInvalid(Exception):
    """A follow-up link that does not exist, is used or has expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown", "used", "expired"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


# -- pre-test -------------------------------------------------------------------------


def pretest_spec(version: CourseVersion) -> dict[str, Any] | None:
    """{"enabled", "per_objective"} when the version has a pre-test (older content: none)."""
    spec = version.content.get("pretest")
    if not spec or not version.content.get("objectives"):
        return None
    return spec


def get_pretest(session: Session, *, employee_id: int, version: CourseVersion) -> Pretest | None:
    return session.scalar(
        sa.select(Pretest).where(
            Pretest.employee_id == employee_id, Pretest.course_version_id == version.id
        )
    )


def pretest_pending(session: Session, *, employee_id: int, version: CourseVersion) -> bool:
    """The course has a pre-test that this person has neither answered nor skipped.

    Only before the first module: someone who had read on (an older version's place
    carried over, or the pre-test added later) is not sent back to it.
    """
    if pretest_spec(version) is None:
        return False
    pretest = get_pretest(session, employee_id=employee_id, version=version)
    return pretest is None or pretest.submitted_at is None


def draw_pretest(
    session: Session, *, employee_id: int, version: CourseVersion, variant: str
) -> Pretest:
    """The person's pre-test: `per_objective` quiz questions per objective, drawn once."""
    spec = pretest_spec(version)
    if spec is None:
        raise Tampered("kursen har inget förtest")
    pretest = get_pretest(session, employee_id=employee_id, version=version)
    if pretest is not None:
        if pretest.submitted_at is None and pretest.variant != variant:
            pretest.variant = variant
            session.flush()
        return pretest
    rng = secrets.SystemRandom()
    by_objective: dict[str, list[str]] = defaultdict(list)
    for qid, objective in version.content.get("question_objectives", {}).items():
        by_objective[objective].append(qid)
    questions: list[str] = []
    for objective in version.content["objectives"]:
        pool = sorted(by_objective.get(objective, []))
        questions += rng.sample(pool, min(spec.get("per_objective", 1), len(pool)))
    quiz = variant_content(version.content, "")["quiz"]
    options = {}
    for q in quiz["questions"]:
        if q["id"] in questions:
            ids = [o["id"] for o in q["options"]]
            rng.shuffle(ids)
            options[q["id"]] = ids
    pretest = Pretest(
        employee_id=employee_id,
        course_version_id=version.id,
        variant=variant,
        drawn={"questions": questions, "options": options},
    )
    session.add(pretest)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # drawn at the same moment in another tab
        found = get_pretest(session, employee_id=employee_id, version=version)
        if found is None:
            raise
        pretest = found
    return pretest


def pretest_questions(pretest: Pretest, version: CourseVersion) -> list[dict[str, Any]]:
    """The drawn questions in the pre-test's variant, options in the drawn order."""
    quiz = variant_content(version.content, pretest.variant)["quiz"]
    by_id = {q["id"]: q for q in quiz["questions"]}
    out = []
    for qid in pretest.drawn.get("questions", []):
        q = by_id.get(qid)
        if q is None:
            continue
        options = {o["id"]: o for o in q["options"]}
        order = pretest.drawn.get("options", {}).get(qid) or list(options)
        out.append({**q, "options": [options[i] for i in order if i in options]})
    return out


def _drawn_quiz(pretest: Pretest, version: CourseVersion) -> dict[str, Any]:
    quiz = variant_content(version.content, "")["quiz"]
    drawn = set(pretest.drawn.get("questions", []))
    return {"questions": [q for q in quiz["questions"] if q["id"] in drawn]}


def submit_pretest(
    session: Session,
    *,
    pretest: Pretest,
    version: CourseVersion,
    form: Mapping[str, Sequence[str]],
    skip: bool = False,
) -> bool:
    """Record the answers (a question left blank counts as not known) or the skip, once.

    Returns False when the pre-test had already been handed in (double click, other tab).
    """
    answers: dict[str, list[str]] = {}
    quiz = _drawn_quiz(pretest, version)
    if not skip:
        answers = parse_answers(quiz, form).answers
    updated = session.execute(
        sa.update(Pretest)
        .where(Pretest.id == pretest.id, Pretest.submitted_at.is_(None))
        .values(submitted_at=utcnow(), skipped=skip)
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:
        return False
    session.expire(pretest)
    if not skip:
        right = score_answers(quiz, answers, 0).right
        objectives = version.content.get("question_objectives", {})
        for qid, correct in right.items():
            session.add(
                PretestAnswer(
                    pretest_id=pretest.id,
                    question_id=qid,
                    objective=objectives.get(qid, ""),
                    correct=correct,
                )
            )
    session.flush()
    return True


# -- knowledge before and after, per objective ------------------------------------------


@dataclass(frozen=True)
class KnowledgeRow:
    """One person's answer to one question of one objective, before or after the course."""

    employee_id: int
    course_id: int
    phase: str  # "before" (pre-test) or "after" (the first submitted final-quiz attempt)
    objective: str
    correct: bool


def knowledge_rows(session: Session, course_ids: Iterable[int]) -> list[KnowledgeRow]:
    """Before: every answered (not skipped) pre-test. After: each person's FIRST submitted
    attempt on each version with objectives, scored per question against that version's
    quiz (the first, so that retakes do not inflate the gain)."""
    ids = list(course_ids)
    rows: list[KnowledgeRow] = []
    before = session.execute(
        sa.select(
            Pretest.employee_id,
            CourseVersion.course_id,
            PretestAnswer.objective,
            PretestAnswer.correct,
        )
        .join(PretestAnswer, PretestAnswer.pretest_id == Pretest.id)
        .join(CourseVersion, CourseVersion.id == Pretest.course_version_id)
        .where(CourseVersion.course_id.in_(ids), Pretest.skipped.is_(False))
    )
    rows += [KnowledgeRow(e, c, "before", o, bool(r)) for e, c, o, r in before]
    first = (
        sa.select(
            Attempt.id,
            sa.func.row_number()
            .over(
                partition_by=(Attempt.employee_id, Attempt.course_version_id),
                order_by=(Attempt.submitted_at, Attempt.id),
            )
            .label("n"),
        )
        .join(CourseVersion, CourseVersion.id == Attempt.course_version_id)
        .where(CourseVersion.course_id.in_(ids), Attempt.submitted_at.is_not(None))
        .subquery()
    )
    attempts = session.scalars(
        sa.select(Attempt).join(first, first.c.id == Attempt.id).where(first.c.n == 1)
    )
    versions: dict[int, CourseVersion] = {}
    for attempt in attempts:
        version = versions.get(attempt.course_version_id) or attempt.course_version
        versions[version.id] = version
        objectives = version.content.get("question_objectives") or {}
        if not objectives:
            continue
        quiz = attempt_quiz(variant_content(version.content, "")["quiz"], attempt)
        right = score_answers(quiz, attempt.answers or {}, 0).right
        rows += [
            KnowledgeRow(attempt.employee_id, version.course_id, "after", objectives[q], ok)
            for q, ok in right.items()
            if q in objectives
        ]
    return rows


@dataclass
class Share:
    answers: int = 0
    right: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.right / self.answers) if self.answers else None


def knowledge_by_objective(rows: Iterable[KnowledgeRow]) -> dict[str, dict[str, Share]]:
    """{objective: {"before": Share, "after": Share}}: the share answered right."""
    out: dict[str, dict[str, Share]] = defaultdict(lambda: {"before": Share(), "after": Share()})
    for row in rows:
        share = out[row.objective][row.phase]
        share.answers += 1
        share.right += row.correct
    return dict(out)


# -- the group an anonymous answer belongs to ----------------------------------------------


@dataclass(frozen=True)
class Group:
    course_id: int
    administration_id: int | None
    level: str
    month: str  # of the completion


def administration_id(employee: Employee) -> int | None:
    """The person's administration (förvaltning): the unit directly under the root."""
    ids = ancestor_ids(employee.unit.path) if employee.unit is not None else []
    return ids[1] if len(ids) > 1 else None


def group_of(completion: Completion) -> Group:
    if completion.course_id is None:
        raise NotOffered()
    return Group(
        course_id=completion.course_id,
        administration_id=administration_id(completion.employee),
        level=completion.employee.level or "",
        month=month_of(dates.local_day(completion.completed_at)),
    )


# -- anonymous evaluation ----------------------------------------------------------------

SCALES = ("relevance", "clarity", "confidence")


@dataclass(frozen=True)
class EvaluationAnswers:
    relevance: int | None
    clarity: int | None
    confidence: int | None
    recommend: str | None
    free_text: str | None


class EvaluationInvalid(Exception):
    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems  # field -> Swedish message (the page says it in its language)


def parse_evaluation(form: Mapping[str, str]) -> EvaluationAnswers:
    """Every answer may be left empty; a value the form never offered is refused."""
    problems: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in SCALES:
        raw = (form.get(name) or "").strip()
        if not raw:
            values[name] = None
        elif raw in {"1", "2", "3", "4", "5"}:
            values[name] = int(raw)
        else:
            problems[name] = "scale"
    raw = (form.get("recommend") or "").strip()
    if raw and raw not in {r.value for r in Recommend}:
        problems["recommend"] = "choice"
    values["recommend"] = raw or None
    text = (form.get("free_text") or "").replace("\r\n", "\n").strip()
    if len(text) > FREE_TEXT_MAX:
        problems["free_text"] = "too_long"
    values["free_text"] = text or None
    if problems:
        raise EvaluationInvalid(problems)
    return EvaluationAnswers(**values)


def _open_completions(session: Session, employee_id: int) -> sa.Select:
    receipt = sa.select(EvaluationReceipt.completion_id).where(
        EvaluationReceipt.completion_id == Completion.id
    )
    return sa.select(Completion).where(
        Completion.employee_id == employee_id,
        Completion.course_id.is_not(None),
        Completion.source == CompletionSource.ONLINE.value,
        Completion.superseded_by_id.is_(None),
        ~receipt.exists(),
    )


def evaluations_offered(session: Session, employee_id: int) -> list[Completion]:
    """The person's own online completions that have not given their evaluation yet."""
    stmt = _open_completions(session, employee_id).join(Course, Course.id == Completion.course_id)
    return list(session.scalars(stmt.order_by(Completion.completed_at.desc())))


def offered_completion(session: Session, *, employee_id: int, completion_id: int) -> Completion:
    completion = session.get(Completion, completion_id)
    if completion is None or completion.employee_id != employee_id:
        raise NotOffered()
    if completion.course_id is None or completion.source != CompletionSource.ONLINE.value:
        raise NotOffered()
    if completion.superseded_by_id is not None:
        raise NotOffered()
    if session.get(EvaluationReceipt, completion_id) is not None:
        raise AlreadyAnswered()
    return completion


def evaluation_variant(session: Session, completion: Completion) -> str:
    """The variant the course was read in ("" Swedish, "en", "lattlast")."""
    if completion.attempt_id is None:
        return ""
    return (
        session.scalar(sa.select(Attempt.variant).where(Attempt.id == completion.attempt_id)) or ""
    )


def submit_evaluation(
    session: Session, *, completion: Completion, answers: EvaluationAnswers, variant: str
) -> None:
    """The receipt and the held answer, in one transaction; AlreadyAnswered the second time.

    The answer reaches course_evaluations only through release(), with others.
    """
    group = group_of(completion)
    try:
        with session.begin_nested():
            session.add(EvaluationReceipt(completion_id=completion.id))
            session.add(
                AnonymousPending(
                    kind=EVALUATION,
                    course_id=group.course_id,
                    held_month=month_of(dates.today()),
                    payload={
                        "administration_id": group.administration_id,
                        "level": group.level,
                        "variant": variant,
                        "month": group.month,
                        "relevance": answers.relevance,
                        "clarity": answers.clarity,
                        "confidence": answers.confidence,
                        "recommend": answers.recommend,
                        "free_text": answers.free_text,
                    },
                )
            )
            session.flush()
    except IntegrityError as exc:
        raise AlreadyAnswered() from exc


# -- release in shuffled batches ------------------------------------------------------------


def _anonymous_row(pending: AnonymousPending) -> CourseEvaluation | FollowupAnswer:
    p = pending.payload
    common = {
        "course_id": pending.course_id,
        "administration_id": p.get("administration_id"),
        "level": p.get("level") or "",
        "month": p["month"],
    }
    if pending.kind == FOLLOWUP:
        return FollowupAnswer(
            **common, used_it=p.get("used_it"), workplace_changed=p.get("workplace_changed")
        )
    return CourseEvaluation(
        **common,
        variant=p.get("variant") or "",
        relevance=p.get("relevance"),
        clarity=p.get("clarity"),
        confidence=p.get("confidence"),
        recommend=p.get("recommend"),
        free_text=p.get("free_text"),
    )


def release(session: Session, *, batch: int, everything_before: str | None = None) -> int:
    """Move held answers into their anonymous tables, shuffled; the caller commits.

    A (kind, course) with at least `batch` held answers goes whole. With
    `everything_before` ("YYYY-MM"), answers held in earlier months go too, however few
    (run at the start of a month by the daily job: an answer waits at most a month).
    Returns the number of rows written. Two releases at once: the one that deletes the
    held rows writes them; the other finds fewer than it read and writes nothing.
    """
    counts = session.execute(
        sa.select(AnonymousPending.kind, AnonymousPending.course_id, sa.func.count()).group_by(
            AnonymousPending.kind, AnonymousPending.course_id
        )
    ).all()
    conditions = [
        sa.and_(AnonymousPending.kind == kind, AnonymousPending.course_id == course_id)
        for kind, course_id, n in counts
        if n >= batch
    ]
    if everything_before is not None:
        conditions.append(AnonymousPending.held_month < everything_before)
    if not conditions:
        return 0
    held = list(session.scalars(sa.select(AnonymousPending).where(sa.or_(*conditions))))
    if not held:
        return 0
    deleted = session.execute(
        sa.delete(AnonymousPending)
        .where(AnonymousPending.id.in_([p.id for p in held]))
        .execution_options(synchronize_session=False)
    )
    if deleted.rowcount != len(held):
        raise AlreadyAnswered("released by another run")
    rows = [_anonymous_row(p) for p in held]
    secrets.SystemRandom().shuffle(rows)
    for p in held:
        session.expunge(p)
    # One INSERT per row in the shuffled order (so the physical order is the shuffle's),
    # all in this one transaction.
    for row in rows:
        session.add(row)
        session.flush()
    return len(rows)


def release_now(session: Session, *, batch: int, everything_before: str | None = None) -> int:
    """release() in its own transaction, committed; a concurrent release wins quietly."""
    try:
        n = release(session, batch=batch, everything_before=everything_before)
        session.commit()
        return n
    except (AlreadyAnswered, IntegrityError):
        session.rollback()
        return 0


# -- follow-up by e-mail ------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class FollowupRun:
    sent: int
    no_email: int  # completions whose person has no e-mail address: skipped, never sent


def due_followups(session: Session, *, on: date, months: int) -> list[Completion]:
    """Online completions whose completion day lies in the month up to `months` ago,
    with no followup_sent row (so turning follow-up on does not mail all history)."""
    latest = dates.add_months(on, -months)
    earliest = dates.add_months(on, -months - 1)
    sent = sa.select(FollowupSent.completion_id).where(FollowupSent.completion_id == Completion.id)
    rows = session.scalars(
        sa.select(Completion)
        .join(Employee, Employee.id == Completion.employee_id)
        .where(
            Completion.course_id.is_not(None),
            Completion.source == CompletionSource.ONLINE.value,
            Completion.superseded_by_id.is_(None),
            Completion.completed_at
            >= datetime.combine(earliest, time.min, UTC) - timedelta(days=1),
            Completion.completed_at < datetime.combine(latest, time.min, UTC) + timedelta(days=1),
            Employee.active.is_(True),
            ~sent.exists(),
        )
        .order_by(Completion.id)
    )
    return [c for c in rows if earliest < dates.local_day(c.completed_at) <= latest]


def send_followups(
    session: Session,
    *,
    on: date,
    months: int,
    base_url: str,
    municipality: str,
    message: Any,
) -> FollowupRun:
    """Queue one follow-up mail per due completion, and its followup_sent row.

    `message(course_title, link, municipality, locale)` gives (subject, body). The
    invitation holds the token's digest and the group, never the person; the caller
    commits, then delivers the outbox.
    """
    sent = no_email = 0
    for completion in due_followups(session, on=on, months=months):
        session.add(FollowupSent(completion_id=completion.id))
        person = completion.employee
        if not person.email:
            no_email += 1
            continue
        token = secrets.token_urlsafe(32)
        group = group_of(completion)
        session.add(
            FollowupInvitation(
                token_digest=token_digest(token),
                course_id=group.course_id,
                administration_id=group.administration_id,
                level=group.level,
                month=group.month,
                used=False,
                expires_on=on + timedelta(days=FOLLOWUP_VALID_DAYS),
            )
        )
        link = f"{base_url}/uppfoljning/{token}"
        title = completion.course.title if completion.course else ""
        subject, body = message(title, link, municipality, person.locale or "sv")
        mail.enqueue(
            session,
            mail.Email(to=person.email, subject=subject, body=body),
            kind="followup",
            employee_id=person.id,
        )
        sent += 1
    session.flush()
    return FollowupRun(sent=sent, no_email=no_email)


def invitation_for(session: Session, token: str, *, on: date) -> FollowupInvitation:
    invitation = session.get(FollowupInvitation, token_digest(token))
    if invitation is None:
        raise LinkInvalid("unknown")
    if invitation.used:
        raise LinkInvalid("used")
    if invitation.expires_on < on:
        raise LinkInvalid("expired")
    return invitation


@dataclass(frozen=True)
class FollowupAnswers:
    used_it: str | None
    workplace_changed: str | None


def parse_followup(form: Mapping[str, str]) -> FollowupAnswers:
    problems: dict[str, str] = {}
    used_it = (form.get("used_it") or "").strip() or None
    changed = (form.get("workplace_changed") or "").strip() or None
    if used_it is not None and used_it not in {u.value for u in UsedIt}:
        problems["used_it"] = "choice"
    if changed is not None and changed not in {w.value for w in WorkplaceChanged}:
        problems["workplace_changed"] = "choice"
    if problems:
        raise EvaluationInvalid(problems)
    return FollowupAnswers(used_it, changed)


def submit_followup(session: Session, *, token: str, answers: FollowupAnswers, on: date) -> None:
    """Use the link (once, whatever the concurrency) and hold the answer for release()."""
    invitation = invitation_for(session, token, on=on)
    updated = session.execute(
        sa.update(FollowupInvitation)
        .where(
            FollowupInvitation.token_digest == invitation.token_digest,
            FollowupInvitation.used.is_(False),
        )
        .values(used=True)
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:
        raise LinkInvalid("used")
    session.add(
        AnonymousPending(
            kind=FOLLOWUP,
            course_id=invitation.course_id,
            held_month=month_of(on),
            payload={
                "administration_id": invitation.administration_id,
                "level": invitation.level,
                "month": invitation.month,
                "used_it": answers.used_it,
                "workplace_changed": answers.workplace_changed,
            },
        )
    )
    session.flush()
