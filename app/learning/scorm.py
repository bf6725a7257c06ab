"""Playing a bought-in SCORM package: the learner's run, the committed run-time data, completion.

The runtime (scorm-again) runs in the learner's browser on Värna's course page; the
package itself runs on the content origin (app/scorm_content.py) and reaches the runtime
by postMessage (app/static/scorm-shim.js, app/static/scorm-player.js). What the runtime
commits arrives here: it is checked, stored per learner, version and item
(ScormRuntime), and when every item of the version is done the completion is recorded
once, by the same conditional update as a passed quiz (services.submit_attempt).

Services take the session, only flush, and raise Refused with a Swedish message naming
the field; the view commits once.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.dates import expiry_for
from app.learning.services import new_verification_code
from app.models import (
    Attempt,
    Completion,
    CompletionSource,
    CourseVersion,
    Progress,
    ScormRuntime,
    utcnow,
)

# SCORM 1.2 RTE 3.4: lesson_location CMIString255, suspend_data CMIString4096.
# SCORM 2004 4th ed. RTE 4.2: location 1000 characters, suspend_data 64000 (its SPM).
LIMITS = {
    "1.2": {"location": 255, "suspend_data": 4096},
    "2004": {"location": 1000, "suspend_data": 64000},
}
MAX_OBJECTIVES = 100  # SCORM 2004: the smallest permitted maximum of cmi.objectives
MAX_INTERACTIONS = 250  # SCORM 2004: the same for cmi.interactions
MAX_TIME_LENGTH = 40  # "0000:00:00.00" (1.2) or an ISO 8601 duration (2004)

LESSON_STATUSES = {"passed", "completed", "failed", "incomplete", "browsed", "not attempted"}
COMPLETION_STATUSES = {"completed", "incomplete", "not attempted", "unknown"}
SUCCESS_STATUSES = {"passed", "failed", "unknown"}
EXITS_12 = {"", "time-out", "suspend", "logout"}
EXITS_2004 = {"", "time-out", "suspend", "logout", "normal"}


class Refused(Exception):
    """What the runtime sent cannot be stored; the message names the field (Swedish)."""


class NotPlayable(Exception):
    """The item is not one of the version's, or the learner has not started the course."""


# -- the package -----------------------------------------------------------------------


def is_scorm(version: CourseVersion) -> bool:
    return isinstance(version.content, Mapping) and version.content.get("format") == "scorm"


def family(version: CourseVersion) -> str:
    """ "1.2" or "2004" (3rd and 4th edition share the run-time data model here)."""
    return "1.2" if version.content.get("scorm_version") == "1.2" else "2004"


def items(version: CourseVersion) -> list[dict[str, Any]]:
    return list(version.content.get("items") or [])


def item_by_identifier(version: CourseVersion, identifier: str) -> dict[str, Any]:
    for item in items(version):
        if item["identifier"] == identifier:
            return item
    raise NotPlayable(identifier)


def settings(version: CourseVersion) -> dict[str, Any]:
    return dict(version.content.get("settings") or {})


# -- the learner's run -------------------------------------------------------------------


def get_run(session: Session, *, employee_id: int, version: CourseVersion) -> Attempt | None:
    """The learner's run of this version: the first Attempt row made for it."""
    return session.scalar(
        sa.select(Attempt)
        .where(Attempt.employee_id == employee_id, Attempt.course_version_id == version.id)
        .order_by(Attempt.id)
        .limit(1)
    )


def start(session: Session, *, employee_id: int, version: CourseVersion) -> Attempt:
    """The content warning is accepted: the Progress row says so, the run is the Attempt.

    Progress is unique per (employee, version), so a second tab that starts at the same
    moment fails on the constraint instead of making a second run; the view retries.
    """
    progress = session.scalar(
        sa.select(Progress).where(
            Progress.employee_id == employee_id, Progress.course_version_id == version.id
        )
    )
    if progress is None:
        progress = Progress(employee_id=employee_id, course_version_id=version.id, variant="")
        session.add(progress)
    progress.warning_accepted = True
    session.flush()
    run = get_run(session, employee_id=employee_id, version=version)
    if run is None:
        run = Attempt(
            token=secrets.token_urlsafe(24),
            employee_id=employee_id,
            course_version_id=version.id,
            variant="",
            option_order={},
        )
        session.add(run)
        session.flush()
    return run


def runtime_rows(session: Session, *, employee_id: int, version: CourseVersion) -> list:
    return list(
        session.scalars(
            sa.select(ScormRuntime).where(
                ScormRuntime.employee_id == employee_id,
                ScormRuntime.course_version_id == version.id,
            )
        )
    )


# -- what the runtime commits ------------------------------------------------------------


@dataclass(frozen=True)
class Committed:
    """The checked fields of one commit, as the columns of ScormRuntime hold them."""

    cmi: dict[str, Any]
    fields: dict[str, Any]


def _text(cmi: Mapping[str, Any], path: str, limit: int) -> str | None:
    node: Any = cmi
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    if node is None:
        return None
    if not isinstance(node, str | int | float) or isinstance(node, bool):
        raise Refused(_("Fältet ”cmi.%(field)s” ska vara en text.", field=path))
    text = str(node)
    if len(text) > limit:
        raise Refused(
            _(
                "Fältet ”cmi.%(field)s” är för långt (%(length)s tecken, högst %(limit)s).",
                field=path,
                length=len(text),
                limit=limit,
            )
        )
    return text


def _choice(cmi: Mapping[str, Any], path: str, allowed: set[str]) -> str | None:
    value = _text(cmi, path, 40)
    if value is None or value == "":
        return None
    if value not in allowed:
        raise Refused(
            _("Fältet ”cmi.%(field)s” har ett okänt värde: %(value)s.", field=path, value=value)
        )
    return value


def _number(cmi: Mapping[str, Any], path: str, low: float, high: float) -> float | None:
    value = _text(cmi, path, 40)
    if value is None or value.strip() == "":
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not low <= number <= high:
        raise Refused(
            _(
                "Fältet ”cmi.%(field)s” ska vara ett tal mellan %(low)s och %(high)s.",
                field=path,
                low=_shown(low),
                high=_shown(high),
            )
        )
    return number


def _shown(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def _listed(cmi: Mapping[str, Any], name: str, limit: int) -> list[Any]:
    """cmi.objectives / cmi.interactions: {"0": {...}, "1": {...}} (or a list) in order."""
    value = cmi.get(name)
    if value in (None, "", {}):
        return []
    if isinstance(value, Mapping):
        try:
            entries = [value[k] for k in sorted(value, key=int)]
        except ValueError:
            raise Refused(
                _("Fältet ”cmi.%(field)s” har en ogiltig numrering.", field=name)
            ) from None
    elif isinstance(value, list):
        entries = list(value)
    else:
        raise Refused(_("Fältet ”cmi.%(field)s” ska vara en lista.", field=name))
    if len(entries) > limit:
        raise Refused(
            _(
                "Fältet ”cmi.%(field)s” har för många poster (högst %(limit)s).",
                field=name,
                limit=limit,
            )
        )
    if any(not isinstance(e, Mapping) for e in entries):
        raise Refused(_("Fältet ”cmi.%(field)s” ska vara en lista.", field=name))
    return entries


def parse_commit(version: CourseVersion, cmi: Any) -> Committed:
    """Check what the runtime committed (scorm-again's JSON: {"core": {...}, ...})."""
    if not isinstance(cmi, Mapping):
        raise Refused(_("Fältet ”cmi” saknas eller är inte ett objekt."))
    kind = family(version)
    limits = LIMITS[kind]
    if kind == "1.2":
        raw = _number(cmi, "core.score.raw", -1e9, 1e9)
        low = _number(cmi, "core.score.min", -1e9, 1e9)
        high = _number(cmi, "core.score.max", -1e9, 1e9)
        fields = {
            "lesson_status": _choice(cmi, "core.lesson_status", LESSON_STATUSES),
            "lesson_location": _text(cmi, "core.lesson_location", limits["location"]),
            "score_raw": raw,
            "suspend_data": _text(cmi, "suspend_data", limits["suspend_data"]),
            "exit": _choice(cmi, "core.exit", EXITS_12 - {""}),
            "session_time": _text(cmi, "core.session_time", MAX_TIME_LENGTH),
            "total_time": _text(cmi, "core.total_time", MAX_TIME_LENGTH),
            "objectives": _listed(cmi, "objectives", MAX_OBJECTIVES),
            "interactions": _listed(cmi, "interactions", MAX_INTERACTIONS),
            "score": _percent_12(raw, low, high),
        }
    else:
        scaled = _number(cmi, "score.scaled", -1, 1)
        raw = _number(cmi, "score.raw", -1e9, 1e9)
        low = _number(cmi, "score.min", -1e9, 1e9)
        high = _number(cmi, "score.max", -1e9, 1e9)
        fields = {
            "completion_status": _choice(cmi, "completion_status", COMPLETION_STATUSES),
            "success_status": _choice(cmi, "success_status", SUCCESS_STATUSES),
            "location": _text(cmi, "location", limits["location"]),
            "score_scaled": scaled,
            "score_raw": raw,
            "suspend_data": _text(cmi, "suspend_data", limits["suspend_data"]),
            "exit": _choice(cmi, "exit", EXITS_2004 - {""}),
            "session_time": _text(cmi, "session_time", MAX_TIME_LENGTH),
            "total_time": _text(cmi, "total_time", MAX_TIME_LENGTH),
            "objectives": _listed(cmi, "objectives", MAX_OBJECTIVES),
            "interactions": _listed(cmi, "interactions", MAX_INTERACTIONS),
            "score": _percent_2004(scaled, raw, low, high),
        }
    return Committed(cmi=dict(cmi), fields=fields)


def _clamp_percent(value: float) -> int:
    return max(0, min(100, math.floor(value + 1e-9)))


def _percent_12(raw: float | None, low: float | None, high: float | None) -> int | None:
    """cmi.core.score.raw as 0–100: relative to min/max when the package gives them."""
    if raw is None:
        return None
    if high is not None and high != (low or 0.0):
        return _clamp_percent((raw - (low or 0.0)) * 100 / (high - (low or 0.0)))
    return _clamp_percent(raw)


def _percent_2004(
    scaled: float | None, raw: float | None, low: float | None, high: float | None
) -> int | None:
    if scaled is not None:
        return _clamp_percent(scaled * 100)
    return _percent_12(raw, low, high)


def item_done(version: CourseVersion, item: Mapping[str, Any], fields: Mapping[str, Any]) -> bool:
    """scorm-model.md: 1.2 "passed" or "completed" ("passed" only with a mastery score);
    2004 completion_status "completed" and success_status not "failed"."""
    if family(version) == "1.2":
        status = fields.get("lesson_status")
        if item.get("mastery_score") is not None:
            return status == "passed"
        return status in ("passed", "completed")
    return (
        fields.get("completion_status") == "completed" and fields.get("success_status") != "failed"
    )


@dataclass(frozen=True)
class CommitResult:
    runtime: ScormRuntime
    completion: Completion | None  # recorded by this commit
    course_done: bool


def commit(
    session: Session,
    *,
    employee_id: int,
    version: CourseVersion,
    item_identifier: str,
    cmi: Any,
    now: datetime | None = None,
) -> CommitResult:
    """Store one item's committed run-time data; the last item done records the completion.

    The run's Attempt row is written first: on PostgreSQL that locks it, on SQLite it
    takes the write lock, so two commits of the same learner are serialised and the
    second sees what the first stored (two items finished at once still complete the
    course). The completion itself is the conditional update of record_scorm_completion.
    """
    item = item_by_identifier(version, item_identifier)
    checked = parse_commit(version, cmi)
    run = get_run(session, employee_id=employee_id, version=version)
    if run is None:
        raise NotPlayable("the course has not been started")
    session.execute(
        sa.update(Attempt)
        .where(Attempt.id == run.id)
        .values(variant=Attempt.variant)
        .execution_options(synchronize_session=False)
    )
    row = session.scalar(
        sa.select(ScormRuntime).where(
            ScormRuntime.employee_id == employee_id,
            ScormRuntime.course_version_id == version.id,
            ScormRuntime.item_identifier == item_identifier,
        )
    )
    if row is None:
        row = ScormRuntime(
            employee_id=employee_id,
            course_version_id=version.id,
            item_identifier=item_identifier,
            attempt_id=run.id,
            scorm_version=version.content.get("scorm_version", ""),
        )
        session.add(row)
    row.cmi = checked.cmi
    for name, value in checked.fields.items():
        setattr(row, name, value)
    # Once done, an item stays done: a later launch in review mode reports "browsed".
    row.done = bool(row.done) or item_done(version, item, checked.fields)
    row.updated_at = now or utcnow()
    session.flush()
    rows = runtime_rows(session, employee_id=employee_id, version=version)
    done = {r.item_identifier for r in rows if r.done}
    course_done = all(i["identifier"] in done for i in items(version))
    completion = None
    if course_done:
        completion = record_scorm_completion(session, run, course_score(rows), now=now)
    return CommitResult(row, completion, course_done)


def course_score(rows: list[ScormRuntime]) -> int | None:
    """The mean of the items' scores (0–100, rounded down); None when no item gave one."""
    scores = [r.score for r in rows if r.score is not None]
    return sum(scores) // len(scores) if scores else None


def record_scorm_completion(
    session: Session, attempt: Attempt, score: int | None, *, now: datetime | None = None
) -> Completion | None:
    """The completion of a SCORM run, recorded once whatever the concurrency.

    As services.submit_attempt does for a passed quiz: the conditional update
    (`WHERE submitted_at IS NULL`) picks the one winner; completions.attempt_id is unique
    as a backstop. Returns None when the run was recorded before.
    """
    now = now or utcnow()
    version = session.get(CourseVersion, attempt.course_version_id)
    updated = session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(score=score, passed=True, submitted_at=now)
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:
        return None
    session.expire(attempt)
    completion = Completion(
        employee_id=attempt.employee_id,
        course_id=version.course_id,
        course_version_id=version.id,
        completed_at=now,
        expires_at=expiry_for(now, version.valid_months),
        score=score,
        source=CompletionSource.ONLINE.value,
        attempt_id=attempt.id,
        recorded_by_id=attempt.employee_id,
        verification_code=new_verification_code(),
    )
    session.add(completion)
    session.flush()
    return completion


# -- the next launch ------------------------------------------------------------------------

# What a launch sets afresh, never from the stored data (SCORM RTE: read-only, or per session).
_FRESH_12 = {"entry", "exit", "session_time", "student_id", "student_name", "credit", "lesson_mode"}
_FRESH_2004 = {
    "entry",
    "exit",
    "session_time",
    "learner_id",
    "learner_name",
    "credit",
    "mode",
    "completion_threshold",
    "scaled_passing_score",
}


def launch_data(
    version: CourseVersion, item: Mapping[str, Any], row: ScormRuntime | None, *, learner
) -> dict[str, Any]:
    """The JSON the runtime loads before the package starts: the stored data, resumed."""
    name = f"{learner.last_name}, {learner.first_name}"
    stored = dict(row.cmi) if row is not None else {}
    resumed = row is not None and (row.exit or "") not in ("normal", "logout")
    if family(version) == "1.2":
        core = {k: v for k, v in dict(stored.get("core") or {}).items() if k not in _FRESH_12}
        core.update(
            student_id=str(learner.id),
            student_name=name,
            entry="resume" if resumed else ("" if row is not None else "ab-initio"),
            credit="credit",
            lesson_mode="normal",
        )
        cmi = {k: v for k, v in stored.items() if k != "core"}
        cmi["core"] = core
        if item.get("mastery_score") is not None:
            student_data = dict(cmi.get("student_data") or {})
            student_data["mastery_score"] = str(item["mastery_score"])
            cmi["student_data"] = student_data
        return cmi
    cmi = {k: v for k, v in stored.items() if k not in _FRESH_2004}
    cmi.update(
        learner_id=str(learner.id),
        learner_name=name,
        entry="resume" if resumed else ("" if row is not None else "ab-initio"),
        credit="credit",
        mode="normal",
    )
    if item.get("completion_threshold") is not None:
        cmi["completion_threshold"] = str(item["completion_threshold"])
    if item.get("scaled_passing_score") is not None:
        cmi["scaled_passing_score"] = str(item["scaled_passing_score"])
    return cmi
