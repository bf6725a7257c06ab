"""A certificate per completion as a tagged PDF (app/pdf.py), in the language of the course
variant the person took: English for the English variant, Swedish otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from sqlalchemy.orm import Session

from app import dates, labels, pdf
from app.learning import services
from app.models import Attempt, Completion


@dataclass(frozen=True)
class CertificateData:
    name: str
    course: str
    version: str | None
    completed_on: date
    expires_on: date | None
    code: str
    verify_url: str
    municipality: str
    source: str  # the completion's source code (online, session, import, …)
    lang: str = "sv"  # "sv" or "en"


def certificate_for(
    session: Session, completion: Completion, *, verify_url: str, municipality: str
) -> CertificateData:
    """What the certificate says. Its language is the variant's: a completion made through the
    quiz names its attempt, and the attempt the variant ("en" is English)."""
    attempt = session.get(Attempt, completion.attempt_id) if completion.attempt_id else None
    course = completion.course.title if completion.course else completion.title
    lang = "sv"
    version = completion.course_version
    # A bought-in (SCORM) package has no variants: its certificate is in Swedish.
    if attempt is not None and version is not None and "variants" in (version.content or {}):
        content = services.variant_content(version.content, attempt.variant)
        if content.get("language") == "en":
            lang, course = "en", content.get("title") or course
    return CertificateData(
        name=completion.employee.full_name,
        course=course,
        version=completion.course_version.version if completion.course_version else None,
        completed_on=dates.local_day(completion.completed_at),
        expires_on=dates.local_day(completion.expires_at) if completion.expires_at else None,
        code=services.format_code(completion.verification_code),
        verify_url=verify_url,
        municipality=municipality,
        source=completion.source,
        lang=lang,
    )


def certificate_pdf(data: CertificateData) -> bytes:
    # The texts are the catalogue's (learning/certificate_pdf.html), in the certificate's language.
    with force_locale(data.lang):
        return pdf.render(
            "learning/certificate_pdf.html",
            lang=data.lang,
            c=data,
            source_label=labels.name(labels.SOURCE, data.source),
            author=data.municipality,
        )
