"""The course format (docs/course-format.md) as pydantic models.

Unknown keys are refused so that a misspelt key (`pass_mrk`) is reported
instead of silently ignored. Messages are Swedish: they reach course authors.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.models import Level, PreventionLevel

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID = r"^[a-z0-9-]+$"
VARIANTS = ("en", "lattlast")
VARIANT_LANGUAGE = {"en": "en", "lattlast": "sv"}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Ident = Annotated[str, StringConstraints(pattern=ID)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Audience(Strict):
    levels: list[Level] = Field(default_factory=list)
    occupations: list[Text] = Field(default_factory=list)


class Source(Strict):
    title: Text
    url: str | None = None


class SupportContact(Strict):
    name: Text
    phone: str = ""
    text: str = ""


class Objective(Strict):
    """A learning objective: quiz questions name it, the pre-test draws per objective."""

    id: Ident
    title: Text
    # The module (a file in `modules`) to re-read when a question of this objective is
    # answered wrong: the result page of a failed attempt names it.
    module: Text | None = None


class PretestSpec(Strict):
    """The knowledge check before the first module (not graded, skippable)."""

    enabled: bool = True
    per_objective: Annotated[int, Field(ge=1, le=5)] = 1


def _unique_objectives(objectives: list[Objective] | None) -> None:
    ids = [o.id for o in objectives or []]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"mål (objectives) med samma id: {', '.join(dupes)}")


class Manifest(Strict):
    id: Annotated[str, StringConstraints(pattern=SLUG.pattern)]
    title: Text
    summary: Text
    language: Literal["sv"] = "sv"
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+$")]
    audience: Audience = Field(default_factory=Audience)
    prevention_levels: Annotated[list[PreventionLevel], Field(min_length=1)]
    minutes: Annotated[int, Field(gt=0)]
    pass_mark: Annotated[int, Field(ge=0, le=100)]
    valid_months: Annotated[int, Field(gt=0)] | None = None
    expire_on_major: bool = False
    content_warning: Text
    support: list[SupportContact] = Field(default_factory=list)
    sources: Annotated[list[Source], Field(min_length=1)]
    # Claims the course makes that a lawyer must still confirm (never shown to learners).
    review_needed: list[Text] = Field(default_factory=list)
    modules: Annotated[list[Text], Field(min_length=1)]
    objectives: list[Objective] = Field(default_factory=list)
    pretest: PretestSpec | None = None

    @model_validator(mode="after")
    def _objectives(self) -> Manifest:
        _unique_objectives(self.objectives)
        unknown = sorted({o.module for o in self.objectives if o.module} - set(self.modules))
        if unknown:
            raise ValueError(
                f"objectives: modulen {', '.join(unknown)} finns inte bland kursens modules"
            )
        if self.pretest is not None and self.pretest.enabled and not self.objectives:
            raise ValueError(
                "pretest kräver objectives: förtestet väljer frågor per mål, "
                "så kursen måste ange sina mål (objectives: [{id, title}])"
            )
        return self

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])


class VariantManifest(Strict):
    """en/ or lattlast/: only the keys a translation may change."""

    title: Text | None = None
    summary: Text | None = None
    language: Literal["sv", "en"] | None = None
    content_warning: Text | None = None
    support: list[SupportContact] | None = None
    modules: Annotated[list[Text], Field(min_length=1)] | None = None
    # The objectives' titles in this variant's language (the same ids as the main course).
    objectives: list[Objective] | None = None

    @model_validator(mode="after")
    def _objectives(self) -> VariantManifest:
        _unique_objectives(self.objectives)
        return self


class ModuleFront(Strict):
    title: Text | None = None
    minutes: Annotated[int, Field(gt=0)] | None = None


class CheckOption(Strict):
    text: Text
    correct: bool
    feedback: Text


class CheckQuestion(Strict):
    question: Text
    kind: Literal["single", "multiple"] = "single"
    options: Annotated[list[CheckOption], Field(min_length=2)]

    @model_validator(mode="after")
    def _correct_count(self) -> CheckQuestion:
        _check_correct(self.kind, [o.correct for o in self.options])
        return self


class QuizOption(Strict):
    id: Ident
    text: Text
    correct: bool
    feedback: Text


class QuizQuestion(Strict):
    id: Ident
    kind: Literal["single", "multiple", "scenario"]
    text: Text
    scenario: Text | None = None
    options: Annotated[list[QuizOption], Field(min_length=2)]
    objective: Ident | None = None  # the course objective (manifest `objectives`) it tests

    @model_validator(mode="after")
    def _rules(self) -> QuizQuestion:
        if self.kind == "scenario" and not self.scenario:
            raise ValueError("en fråga av typen scenario måste ha 'scenario' (situationen)")
        ids = [o.id for o in self.options]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"svarsalternativ med samma id: {', '.join(dupes)}")
        _check_correct(self.kind, [o.correct for o in self.options])
        return self


class Quiz(Strict):
    questions: Annotated[list[QuizQuestion], Field(min_length=1)]
    # Each attempt draws this many questions per objective (interchangeable items); the
    # pass mark applies to the drawn ones. None: every question, every attempt.
    draw_per_objective: Annotated[int, Field(ge=1, le=3)] | None = None

    @model_validator(mode="after")
    def _unique_ids(self) -> Quiz:
        ids = [q.id for q in self.questions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"frågor med samma id: {', '.join(dupes)}")
        if self.draw_per_objective is not None:
            missing = [q.id for q in self.questions if q.objective is None]
            if missing:
                raise ValueError(
                    "med draw_per_objective ska varje fråga ha objective "
                    f"(saknas i: {', '.join(missing)})"
                )
        return self


def _check_correct(kind: str, flags: list[bool]) -> None:
    right = sum(flags)
    if kind in ("single", "scenario") and right != 1:
        raise ValueError(
            f"en fråga av typen {kind} ska ha exakt ett rätt svarsalternativ (har {right})"
        )
    if kind == "multiple" and right < 1:
        raise ValueError("en fråga av typen multiple ska ha minst ett rätt svarsalternativ")
