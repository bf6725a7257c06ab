"""Load the course folders into the database: one CourseVersion per content hash."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.courses.loader import (
    CourseInvalid,
    LoadedCourse,
    Problem,
    course_folders,
    is_course_folder,
    load_course,
)
from app.models import Course, CourseKind, CourseVersion
from app.records import audit

__all__ = ["CourseInvalid", "SyncReport", "apply_course", "sync_courses", "validate_path"]

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)  # "slug 1.1"
    unchanged: list[str] = field(default_factory=list)
    refused: dict[str, list[Problem]] = field(default_factory=dict)
    deactivated: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused


def validate_path(path: Path) -> dict[str, list[Problem]]:
    """Problems per course folder; PATH is one course folder or a folder of courses."""
    if not path.is_dir():
        return {str(path): [Problem(str(path), None, "mappen finns inte")]}
    folders = [path] if is_course_folder(path) else course_folders(path)
    results: dict[str, list[Problem]] = {}
    for folder in folders:
        try:
            load_course(folder)
            results[folder.name] = []
        except CourseInvalid as exc:
            results[folder.name] = exc.problems
    return results


def sync_courses(session: Session, root: Path, *, actor_id: int | None = None) -> SyncReport:
    """Load every valid course under root; a broken one is refused and keeps its old version.

    A folder that is gone makes its course inactive (its records stay); SCORM packages
    (Course.kind "scorm", uploaded by HR) are not folders and are left alone. Only flushes.
    """
    report = SyncReport()
    present: set[str] = set()
    for folder in course_folders(root):
        present.add(folder.name)
        try:
            loaded = load_course(folder)
        except CourseInvalid as exc:
            report.refused[folder.name] = exc.problems
            log.warning("course %s refused: %d problems", folder.name, len(exc.problems))
            continue
        created = apply_course(session, loaded, actor_id=actor_id)
        label = f"{loaded.slug} {loaded.manifest.version}"
        (report.created if created else report.unchanged).append(label)
    if root.is_dir():
        gone = session.scalars(
            sa.select(Course).where(
                Course.active.is_(True),
                Course.kind == CourseKind.VARNA.value,  # a SCORM package has no folder
                Course.slug.not_in(present),
            )
        ).all()
        for course in gone:
            course.active = False
            report.deactivated.append(course.slug)
            audit(
                session,
                None,
                "course.deactivate",
                "course",
                course.id,
                {"slug": course.slug, "reason": "mappen finns inte längre"},
                actor_id=actor_id,
            )
    session.flush()
    return report


def apply_course(session: Session, loaded: LoadedCourse, *, actor_id: int | None = None) -> bool:
    """Make `loaded` the current version of its course; True when a version was added."""
    m = loaded.manifest
    course = session.scalar(sa.select(Course).where(Course.slug == loaded.slug))
    if course is None:
        course = Course(slug=loaded.slug, title=m.title)
        session.add(course)
        session.flush()
    was_active = course.active
    course.title = m.title
    course.summary = m.summary
    course.language = m.language
    course.prevention_levels = [str(p) for p in m.prevention_levels]
    course.audience = m.audience.model_dump(mode="json")
    course.minutes = m.minutes
    course.pass_mark = m.pass_mark
    course.valid_months = m.valid_months
    course.active = True

    versions = session.scalars(
        sa.select(CourseVersion).where(CourseVersion.course_id == course.id)
    ).all()
    current = next((v for v in versions if v.is_current), None)
    if current is not None and current.content_hash == loaded.content_hash:
        if not was_active:
            _audit(session, course, current, "course.reactivate", actor_id)
        return False
    # The same content seen before (a reverted change) becomes current again.
    target = next((v for v in versions if v.content_hash == loaded.content_hash), None)
    for v in versions:
        v.is_current = False
    session.flush()  # never two current versions, even for a moment
    added = target is None
    if target is None:
        target = CourseVersion(
            course_id=course.id,
            version=m.version,
            major=m.major,
            content_hash=loaded.content_hash,
            content=loaded.content,
            pass_mark=m.pass_mark,
            valid_months=m.valid_months,
        )
        session.add(target)
    target.is_current = True
    session.flush()
    _audit(session, course, target, "course.version" if added else "course.revert", actor_id)
    return True


def _audit(
    session: Session, course: Course, version: CourseVersion, action: str, actor_id: int | None
) -> None:
    audit(
        session,
        None,
        action,
        "course",
        course.id,
        {
            "slug": course.slug,
            "version": version.version,
            "course_version_id": version.id,
            "content_hash": version.content_hash,
        },
        actor_id=actor_id,
    )
