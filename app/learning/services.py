"""The learner's side as plain functions: progress, check questions, quiz attempts, completions.

Services take the session and explicit ids, only flush, and raise the
exceptions below; views commit once. One attempt gives one result and at most
one completion because the database says so: a conditional UPDATE (`WHERE
submitted_at IS NULL`) picks the one winner, and `completions.attempt_id` is
unique as a backstop.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from app import dates
from app.courses.loader import MAIN
from app.dates import expiry_for
from app.models import (
    Attempt,
    Completion,
    CompletionSource,
    Course,
    CourseVersion,
    Employee,
    Progress,
    Status,
    utcnow,
)
from app.records import audit
from app.reports.coverage import employee_statuses

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 16  # 80 random bits


class Tampered(Exception):
    """A form that the page never offered: ids of another question, module or attempt."""


class AlreadySubmitted(Exception):
    """The attempt was submitted before (double click, back button, another tab)."""


class QuizNotReady(Exception):
    """The quiz comes after the modules."""


# -- courses and variants -------------------------------------------------------------


def current_version(session: Session, slug: str) -> CourseVersion | None:
    """The version an active course serves now (None: no such course, or nothing loaded)."""
    return session.scalar(
        sa.select(CourseVersion)
        .join(Course)
        .where(Course.slug == slug, Course.active.is_(True), CourseVersion.is_current.is_(True))
    )


def variants(content: Mapping[str, Any]) -> list[str]:
    """The variants a version offers, main first: "" (Swedish), "en", "lattlast"."""
    return ["" if key == MAIN else key for key in content.get("variants", {})]


def variant_content(content: Mapping[str, Any], variant: str) -> dict[str, Any]:
    all_variants = content["variants"]
    return all_variants.get(variant or MAIN) or all_variants[MAIN]


def module_count(version: CourseVersion) -> int:
    return len(variant_content(version.content, "")["modules"])


# -- progress -----------------------------------------------------------------------------


def get_progress(session: Session, *, employee_id: int, version: CourseVersion) -> Progress | None:
    return session.scalar(
        sa.select(Progress).where(
            Progress.employee_id == employee_id, Progress.course_version_id == version.id
        )
    )


def start_course(
    session: Session, *, employee_id: int, version: CourseVersion, variant: str
) -> Progress:
    """Accept the content warning and choose a variant; carries over an older version's place."""
    if variant not in variants(version.content):
        raise Tampered(f"okänd variant {variant!r}")
    progress = get_progress(session, employee_id=employee_id, version=version)
    if progress is None:
        progress = Progress(employee_id=employee_id, course_version_id=version.id)
        earlier = session.scalar(
            sa.select(Progress)
            .join(CourseVersion)
            .where(
                Progress.employee_id == employee_id,
                CourseVersion.course_id == version.course_id,
                Progress.course_version_id != version.id,
            )
            .order_by(Progress.updated_at.desc())
            .limit(1)
        )
        if earlier is not None:
            # A new version of the text should not send anyone back to the start.
            count = module_count(version)
            progress.module_index = min(earlier.module_index, count)
            progress.modules_done = [i for i in earlier.modules_done if i < count]
        session.add(progress)
    progress.variant = variant
    progress.warning_accepted = True
    session.flush()
    return progress


def complete_module(session: Session, *, progress: Progress, index: int, count: int) -> Progress:
    """The learner has read module `index`: remember it and move on."""
    if not 0 <= index < count or index > progress.module_index:
        raise Tampered(f"modul {index} finns inte eller är inte nådd")
    progress.modules_done = sorted({*progress.modules_done, index})
    progress.module_index = max(progress.module_index, index + 1)
    progress.updated_at = utcnow()
    session.flush()
    return progress


@dataclass(frozen=True)
class CheckResult:
    check_index: int
    chosen: tuple[int, ...]
    correct: bool
    feedback: tuple[str, ...]  # one line per chosen option, then the right answer when wrong


def check_blocks(module: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [b for b in module["blocks"] if b["type"] == "check"]


def check_option_order(
    *, employee_id: int, course_id: int, module_index: int, check_index: int, count: int
) -> list[int]:
    """A check question's options in this person's order: shuffled, but the same on every
    load of the module (seeded by person, course, module and question), so a reload or the
    feedback page does not reshuffle them. The form still sends the options' own indexes."""
    order = list(range(count))
    seed = f"check:{employee_id}:{course_id}:{module_index}:{check_index}"
    random.Random(seed).shuffle(order)  # noqa: S311 - an order to read in, not a secret
    return order


def answer_check(module: Mapping[str, Any], check_index: int, chosen: Sequence[str]) -> CheckResult:
    """Feedback on an in-module check question; it does not count towards the score."""
    checks = check_blocks(module)
    if not 0 <= check_index < len(checks):
        raise Tampered("kontrollfrågan finns inte")
    options = checks[check_index]["options"]
    try:
        picked = tuple(sorted({int(c) for c in chosen}))
    except ValueError:
        raise Tampered("ogiltigt svar") from None
    if any(not 0 <= i < len(options) for i in picked):
        raise Tampered("svaret hör inte till frågan")
    if checks[check_index]["kind"] == "single" and len(picked) > 1:
        raise Tampered("flera svar på en fråga med ett svar")
    right = {i for i, o in enumerate(options) if o["correct"]}
    feedback = [options[i]["feedback"] for i in picked]
    correct = bool(picked) and set(picked) == right
    return CheckResult(check_index, picked, correct, tuple(feedback))


# -- the quiz ---------------------------------------------------------------------------


def start_attempt(
    session: Session, *, employee_id: int, version: CourseVersion, progress: Progress | None
) -> Attempt:
    """An open attempt with its own option order; an unfinished one is reused."""
    if progress is None or not progress.warning_accepted:
        raise QuizNotReady("kursen är inte påbörjad")
    if progress.module_index < module_count(version):
        raise QuizNotReady("modulerna är inte lästa")
    attempt = session.scalar(
        sa.select(Attempt)
        .where(
            Attempt.employee_id == employee_id,
            Attempt.course_version_id == version.id,
            Attempt.submitted_at.is_(None),
        )
        .order_by(Attempt.id.desc())
        .limit(1)
    )
    if attempt is not None:
        attempt.variant = progress.variant
        session.flush()
        return attempt
    rng = secrets.SystemRandom()
    order = {}
    for question in draw_questions(variant_content(version.content, "")["quiz"], rng):
        ids = [o["id"] for o in question["options"]]
        rng.shuffle(ids)
        order[question["id"]] = ids
    attempt = Attempt(
        token=secrets.token_urlsafe(24),
        employee_id=employee_id,
        course_version_id=version.id,
        variant=progress.variant,
        option_order=order,
    )
    session.add(attempt)
    session.flush()
    return attempt


def draw_questions(quiz: Mapping[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """The questions of a new attempt, in the quiz's order: every question, or with
    `draw_per_objective` that many drawn at random from each objective's questions."""
    questions = quiz["questions"]
    per = quiz.get("draw_per_objective")
    if not per:
        return list(questions)
    pools: dict[str, list[str]] = {}
    for q in questions:
        pools.setdefault(q["objective"], []).append(q["id"])
    drawn = {qid for pool in pools.values() for qid in rng.sample(pool, min(per, len(pool)))}
    return [q for q in questions if q["id"] in drawn]


def quiz_length(quiz: Mapping[str, Any]) -> int:
    """How many questions an attempt has: what draw_questions gives, counted without drawing."""
    per = quiz.get("draw_per_objective")
    if not per:
        return len(quiz["questions"])
    pools: dict[str, int] = {}
    for q in quiz["questions"]:
        pools[q["objective"]] = pools.get(q["objective"], 0) + 1
    return sum(min(per, n) for n in pools.values())


def attempt_quiz(quiz: Mapping[str, Any], attempt: Attempt) -> dict[str, Any]:
    """The quiz as this attempt was given: only the questions drawn for it (the keys of its
    option order). An attempt without an order (erased answers, older data) has them all."""
    drawn = attempt.option_order or {}
    if not drawn:
        return dict(quiz)
    return {**quiz, "questions": [q for q in quiz["questions"] if q["id"] in drawn]}


@dataclass(frozen=True)
class ParsedAnswers:
    answers: dict[str, list[str]]
    unanswered: list[str] = field(default_factory=list)


def parse_answers(quiz: Mapping[str, Any], form: Mapping[str, Sequence[str]]) -> ParsedAnswers:
    """The form's `q-<id>` fields as {question id: [option ids]}; unknown ids are tampering."""
    questions = {q["id"]: q for q in quiz["questions"]}
    for key in form:
        if key.startswith("q-") and key[2:] not in questions:
            raise Tampered(f"okänd fråga {key!r}")
    answers: dict[str, list[str]] = {}
    unanswered: list[str] = []
    for qid, question in questions.items():
        chosen = sorted(set(form.get(f"q-{qid}", ())))
        valid = {o["id"] for o in question["options"]}
        if any(c not in valid for c in chosen):
            raise Tampered(f"svar som inte hör till fråga {qid!r}")
        if question["kind"] != "multiple" and len(chosen) > 1:
            raise Tampered(f"flera svar på fråga {qid!r}")
        if not chosen:
            unanswered.append(qid)
        answers[qid] = chosen
    return ParsedAnswers(answers, unanswered)


@dataclass(frozen=True)
class Score:
    score: int  # percent, rounded down
    passed: bool
    right: dict[str, bool]


def score_answers(
    quiz: Mapping[str, Any], answers: Mapping[str, Sequence[str]], pass_mark: int
) -> Score:
    """A question counts when exactly its correct options are chosen."""
    right = {}
    for q in quiz["questions"]:
        correct = sorted(o["id"] for o in q["options"] if o["correct"])
        right[q["id"]] = sorted(answers.get(q["id"], ())) == correct
    total = len(right) or 1
    n = sum(right.values())
    return Score(score=n * 100 // total, passed=n * 100 >= pass_mark * total, right=right)


def submit_attempt(
    session: Session,
    *,
    attempt: Attempt,
    answers: dict[str, list[str]],
    now: datetime | None = None,
) -> Completion | None:
    """Record the result once; a pass records the completion in the same transaction.

    Raises AlreadySubmitted when another request got there first.
    """
    now = now or utcnow()
    version = attempt.course_version
    quiz = attempt_quiz(variant_content(version.content, "")["quiz"], attempt)
    if set(answers) - {q["id"] for q in quiz["questions"]}:
        raise Tampered("svar på en fråga som inte drogs till försöket")
    result = score_answers(quiz, answers, version.pass_mark)
    updated = session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(answers=answers, score=result.score, passed=result.passed, submitted_at=now)
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:
        raise AlreadySubmitted()
    session.expire(attempt)
    if not result.passed:
        session.flush()
        return None
    completion = Completion(
        employee_id=attempt.employee_id,
        course_id=version.course_id,
        course_version_id=version.id,
        completed_at=now,
        expires_at=expiry_for(now, version.valid_months),
        score=result.score,
        source=CompletionSource.ONLINE.value,
        attempt_id=attempt.id,
        recorded_by_id=attempt.employee_id,
        verification_code=new_verification_code(),
    )
    session.add(completion)
    session.flush()
    return completion


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """ABCD-EFGH-JKMN-PQRS: easier to read aloud and type."""
    if len(code) == CODE_LENGTH and code.isalnum():
        return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))
    return code


def completion_for_attempt(session: Session, attempt_id: int) -> Completion | None:
    return session.scalar(sa.select(Completion).where(Completion.attempt_id == attempt_id))


def attempts_for(session: Session, *, employee_id: int, course_id: int) -> list[Attempt]:
    return list(
        session.scalars(
            sa.select(Attempt)
            .join(CourseVersion)
            .where(
                Attempt.employee_id == employee_id,
                CourseVersion.course_id == course_id,
                Attempt.submitted_at.is_not(None),
            )
            .order_by(Attempt.submitted_at.desc())
        )
    )


# -- verification -----------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    name: str
    course: str
    completed_on: date
    expires_on: date | None
    valid: bool
    superseded: bool


def verify_code(session: Session, code: str, *, on: date) -> Verified | None:
    """What the public page may say about a code: name, course, date, validity. Nothing else."""
    raw = "".join(ch for ch in code.strip() if ch.isalnum())
    if not raw or len(raw) > 32:
        return None
    candidates = {raw, raw.upper(), raw.lower()}
    completion = session.scalar(
        sa.select(Completion)
        .options(selectinload(Completion.employee), selectinload(Completion.course))
        .where(Completion.verification_code.in_(candidates))
    )
    if completion is None:
        return None
    expires_on = dates.local_day(completion.expires_at) if completion.expires_at else None
    superseded = completion.superseded_by_id is not None
    return Verified(
        name=completion.employee.full_name,
        course=completion.course.title if completion.course else completion.title,
        completed_on=dates.local_day(completion.completed_at),
        expires_on=expires_on,
        valid=not superseded and (expires_on is None or expires_on > on),
        superseded=superseded,
    )


# -- my training ------------------------------------------------------------------------


@dataclass(frozen=True)
class RequiredRow:
    course: Course
    status: Status
    due_on: date | None
    completed_on: date | None
    expires_on: date | None
    legal_basis: str
    startable: bool
    in_progress: bool


@dataclass(frozen=True)
class MyTraining:
    required: list[RequiredRow]
    catalogue: list[Course]
    in_progress: set[int]  # course ids with saved progress on the current version
    history: list[Completion]


def my_training(session: Session, *, employee_id: int, on: date) -> MyTraining:
    """Everything on the start page, in a constant number of queries."""
    statuses = employee_statuses(session, employee_id, on)
    courses = {
        c.id: c
        for c in session.scalars(
            sa.select(Course).where(
                Course.active.is_(True) | Course.id.in_([s.course_id for s in statuses])
            )
        )
    }
    current = set(
        session.scalars(
            sa.select(CourseVersion.course_id).where(CourseVersion.is_current.is_(True))
        )
    )
    in_progress = set(
        session.scalars(
            sa.select(CourseVersion.course_id)
            .join(Progress, Progress.course_version_id == CourseVersion.id)
            .where(Progress.employee_id == employee_id, CourseVersion.is_current.is_(True))
        )
    )
    required = [
        RequiredRow(
            course=courses[s.course_id],
            status=s.status,
            due_on=s.due_on,
            completed_on=s.completed_on,
            expires_on=s.expires_on,
            legal_basis=s.legal_basis,
            startable=s.course_id in current and courses[s.course_id].active,
            in_progress=s.course_id in in_progress,
        )
        for s in statuses
        if s.course_id in courses
    ]
    required_ids = {r.course.id for r in required}
    catalogue = sorted(
        (c for c in courses.values() if c.active and c.id in current and c.id not in required_ids),
        key=lambda c: c.title,
    )
    history = list(
        session.scalars(
            sa.select(Completion)
            .options(selectinload(Completion.course), selectinload(Completion.course_version))
            .where(Completion.employee_id == employee_id)
            .order_by(Completion.completed_at.desc())
        )
    )
    return MyTraining(required, catalogue, in_progress, history)


# -- support ---------------------------------------------------------------------------

KVINNOFRIDSLINJEN = {
    "name": "Kvinnofridslinjen",
    "phone": "020-50 50 50",
    "text": _l("Dygnet runt, gratis och anonymt."),
}


def support_contacts(
    configured: str,
    course_support: Sequence[Mapping[str, str]],
    *,
    course_lang: str,
    ui_lang: str,
) -> list[dict]:
    """Kvinnofridslinjen always, then the municipality's contacts (config), then the course's.

    SUPPORT_CONTACTS is `name|phone|text;...`, written in Swedish. A phone number appears
    once, in the interface's language when one of its entries is: a course written in the
    interface's language wins over the built-in line, which is translated, and both win
    over the Swedish config. Each contact carries the `lang` its text is in.
    """
    contacts = [{**KVINNOFRIDSLINJEN, "lang": ui_lang}]
    for entry in (configured or "").split(";"):
        parts = [p.strip() for p in entry.split("|")]
        if parts and parts[0]:
            parts += [""] * (3 - len(parts))
            contacts.append({"name": parts[0], "phone": parts[1], "text": parts[2], "lang": "sv"})
    own = [{**c, "lang": course_lang} for c in course_support]
    contacts.extend(own)

    def rank(c: dict) -> int:
        if c["lang"] != ui_lang:
            return 2
        return 0 if any(c is o for o in own) else 1

    chosen: dict[str, dict] = {}
    for c in contacts:
        key = "".join(ch for ch in c.get("phone", "") if ch.isdigit()) or c["name"]
        if key not in chosen or rank(c) < rank(chosen[key]):
            chosen[key] = c  # keeps the first one's place: dicts keep insertion order
    return list(chosen.values())


def tel_href(phone: str) -> str:
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def record_certificate_download(
    session: Session, *, viewer: Employee, completion: Completion
) -> None:
    """A certificate names its holder: a download by anyone but the holder is an audit event."""
    if viewer.id != completion.employee_id:
        details = {"employee_id": completion.employee_id}
        audit(session, viewer, "certificate.download", "completion", completion.id, details)
