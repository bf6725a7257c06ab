"""Typed SQLAlchemy models, one module per aggregate."""

from app.models.audit import AuditEvent
from app.models.courses import Course, CourseKind, CourseVersion, PreventionLevel
from app.models.learning import (
    Attempt,
    Completion,
    CompletionSource,
    Exemption,
    Progress,
    Requirement,
    RequirementLevel,
    RequirementTag,
    Status,
)
from app.models.mail import MailStatus, OutgoingMail, PasswordReset
from app.models.ops import (
    ApiToken,
    CoverageSnapshot,
    JobLock,
    ReminderLog,
    Setting,
    StatusReportDelivery,
)
from app.models.org import Employee, EmployeeTag, Level, ManagerRole, OrgUnit, UnitManager
from app.models.scorm import ScormRuntime
from app.models.sessions import SessionAttendance, TrainingSession
from app.models.types import UTCDateTime, utcnow

__all__ = [
    "ApiToken",
    "Attempt",
    "AuditEvent",
    "Completion",
    "CompletionSource",
    "Course",
    "CourseKind",
    "CourseVersion",
    "CoverageSnapshot",
    "Employee",
    "EmployeeTag",
    "Exemption",
    "JobLock",
    "Level",
    "MailStatus",
    "ManagerRole",
    "OrgUnit",
    "OutgoingMail",
    "PasswordReset",
    "PreventionLevel",
    "Progress",
    "ReminderLog",
    "ScormRuntime",
    "Requirement",
    "RequirementLevel",
    "RequirementTag",
    "SessionAttendance",
    "Setting",
    "Status",
    "StatusReportDelivery",
    "TrainingSession",
    "UTCDateTime",
    "UnitManager",
    "utcnow",
]
