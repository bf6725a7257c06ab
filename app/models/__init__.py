"""Typed SQLAlchemy models, one module per aggregate."""

from app.models.audit import AuditEvent
from app.models.courses import Course, CourseVersion, PreventionLevel
from app.models.evaluation import (
    AnonymousPending,
    CourseEvaluation,
    EvaluationReceipt,
    FollowupAnswer,
    FollowupInvitation,
    FollowupSent,
    Pretest,
    PretestAnswer,
    Recommend,
    UsedIt,
    WorkplaceChanged,
)
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
from app.models.sessions import SessionAttendance, TrainingSession
from app.models.types import UTCDateTime, utcnow

__all__ = [
    "AnonymousPending",
    "ApiToken",
    "Attempt",
    "AuditEvent",
    "Completion",
    "CompletionSource",
    "Course",
    "CourseEvaluation",
    "CourseVersion",
    "CoverageSnapshot",
    "Employee",
    "EmployeeTag",
    "EvaluationReceipt",
    "Exemption",
    "FollowupAnswer",
    "FollowupInvitation",
    "FollowupSent",
    "JobLock",
    "Level",
    "MailStatus",
    "ManagerRole",
    "OrgUnit",
    "OutgoingMail",
    "PasswordReset",
    "Pretest",
    "PretestAnswer",
    "PreventionLevel",
    "Progress",
    "Recommend",
    "ReminderLog",
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
    "UsedIt",
    "WorkplaceChanged",
    "utcnow",
]
