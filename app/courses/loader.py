"""Read one course folder into a JSON-able dict and a content hash, or a list of problems.

Every problem names the file, the line where it can (PyYAML's marks, the
Markdown parser's line map) and what is wrong, in Swedish, for course authors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from markdown_it import MarkdownIt
from pydantic import BaseModel, ValidationError

from app.courses.markdown import caption_problems
from app.courses.schema import (
    SLUG,
    VARIANT_LANGUAGE,
    VARIANTS,
    CheckQuestion,
    Manifest,
    ModuleFront,
    Quiz,
    VariantManifest,
)

M = TypeVar("M", bound=BaseModel)
MAIN = "sv"  # the key of the main (Swedish) variant in CourseVersion.content["variants"]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class LoadedCourse:
    slug: str
    manifest: Manifest
    content: dict[str, Any]
    content_hash: str


class CourseInvalid(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def is_course_folder(path: Path) -> bool:
    return path.is_dir() and (path / "course.yaml").exists()


def course_folders(root: Path) -> list[Path]:
    """The course folders under root (hidden and `_`-prefixed folders are skipped)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def validate_course(folder: Path) -> list[Problem]:
    try:
        load_course(folder)
    except CourseInvalid as exc:
        return exc.problems
    return []


def load_course(folder: Path) -> LoadedCourse:
    """Parse a course folder; raise CourseInvalid with every problem found."""
    reader = _Reader(folder)
    content = reader.course()
    if reader.problems or content is None:
        raise CourseInvalid(reader.problems)
    return LoadedCourse(
        slug=folder.name,
        manifest=reader.manifest,  # type: ignore[arg-type]
        content=content,
        content_hash=content_hash(folder),
    )


def content_hash(folder: Path) -> str:
    """SHA-256 over every file's relative path and bytes: any change gives a new hash."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not _hidden(p, folder)):
        rel = path.relative_to(folder).as_posix().encode()
        data = path.read_bytes()
        digest.update(len(rel).to_bytes(4, "big") + rel + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _hidden(path: Path, folder: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(folder).parts)


_md = MarkdownIt("commonmark")


class _Reader:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[Problem] = []
        self.manifest: Manifest | None = None

    # -- files ---------------------------------------------------------------

    def _name(self, path: Path) -> str:
        return str(path)

    def _problem(self, path: Path, line: int | None, message: str) -> None:
        self.problems.append(Problem(self._name(path), line, message))

    def _read_text(self, path: Path) -> str | None:
        if not path.is_file():
            self._problem(path, None, "filen saknas")
            return None
        try:
            return path.read_text(encoding="utf-8").replace("\r\n", "\n")
        except UnicodeDecodeError as exc:
            self._problem(path, None, f"filen är inte UTF-8 (byte {exc.start})")
            return None

    def _yaml(self, path: Path, text: str, offset: int = 0) -> tuple[Any, dict[tuple, int]] | None:
        """Parse YAML, remembering the line of every key and list item."""
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 + offset if mark else None
            self._problem(path, line, f"ogiltig YAML: {exc.problem or exc.context}")
            return None
        except yaml.YAMLError as exc:
            self._problem(path, None, f"ogiltig YAML: {exc}")
            return None
        lines: dict[tuple, int] = {(): offset + 1}
        if node is not None:
            self._walk(path, node, (), lines, offset)
        return data, lines

    def _walk(self, path: Path, node: yaml.Node, at: tuple, lines: dict, offset: int) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key, value in node.value:
                line = key.start_mark.line + 1 + offset
                if key.value in seen:
                    self._problem(path, line, f"nyckeln '{key.value}' förekommer två gånger")
                seen.add(key.value)
                lines[(*at, key.value)] = line
                self._walk(path, value, (*at, key.value), lines, offset)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[(*at, i)] = item.start_mark.line + 1 + offset
                self._walk(path, item, (*at, i), lines, offset)

    def _model(self, path: Path, model: type[M], parsed: tuple[Any, dict] | None) -> M | None:
        if parsed is None:
            return None
        data, lines = parsed
        if data is None:
            self._problem(path, lines[()], "filen är tom")
            return None
        if not isinstance(data, dict):
            self._problem(path, lines[()], "ska vara en mappning (nyckel: värde)")
            return None
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(p for p in err["loc"] if isinstance(p, str | int))
                self._problem(path, _line_for(loc, lines), _message(loc, err))
            return None

    # -- the course ----------------------------------------------------------

    def course(self) -> dict[str, Any] | None:
        folder = self.folder
        manifest_path = folder / "course.yaml"
        if not SLUG.match(folder.name):
            self._problem(
                folder, None, "mappnamnet får bara innehålla små bokstäver a–z, siffror och '-'"
            )
        text = self._read_text(manifest_path)
        if text is None:
            return None
        parsed = self._yaml(manifest_path, text)
        manifest = self._model(manifest_path, Manifest, parsed)
        if manifest is None:
            self._check_rest(folder, parsed[0] if parsed else None)
            return None
        self.manifest = manifest
        if manifest.id != folder.name:
            self._problem(
                manifest_path, 1, f"id '{manifest.id}' ska vara mappens namn '{folder.name}'"
            )
        main_quiz = self._quiz(folder / "quiz.yaml")
        if main_quiz is not None:
            self._quiz_objectives(folder / "quiz.yaml", manifest, main_quiz)
        variants: dict[str, Any] = {
            MAIN: self._variant(
                folder,
                language=manifest.language,
                title=manifest.title,
                summary=manifest.summary,
                content_warning=manifest.content_warning,
                support=[s.model_dump() for s in manifest.support],
                modules=manifest.modules,
                quiz=main_quiz,
                objectives={o.id: o.title for o in manifest.objectives},
            )
        }
        for name in VARIANTS:
            if (folder / name).is_dir():
                variants[name] = self._load_variant(folder / name, name, manifest, main_quiz)
        if self.problems:
            return None
        return {
            "format": 1,
            "id": manifest.id,
            "version": manifest.version,
            "major": manifest.major,
            "pass_mark": manifest.pass_mark,
            "valid_months": manifest.valid_months,
            "expire_on_major": manifest.expire_on_major,
            "minutes": manifest.minutes,
            "prevention_levels": [str(p) for p in manifest.prevention_levels],
            "audience": manifest.audience.model_dump(mode="json"),
            "sources": [s.model_dump() for s in manifest.sources],
            "objectives": [o.id for o in manifest.objectives],
            # The module to re-read per objective (0-based place in `modules`).
            "objective_modules": {
                o.id: manifest.modules.index(o.module)
                for o in manifest.objectives
                if o.module in manifest.modules
            },
            # Which objective each quiz question tests (the main quiz decides for variants).
            "question_objectives": {
                q.id: q.objective for q in (main_quiz.questions if main_quiz else []) if q.objective
            },
            "pretest": (
                manifest.pretest.model_dump()
                if manifest.pretest is not None and manifest.pretest.enabled
                else None
            ),
            "variants": variants,
        }

    def _check_rest(self, folder: Path, raw: Any) -> None:
        """The manifest is broken: still report the quiz's and the modules' problems."""
        if (folder / "quiz.yaml").exists():
            self._quiz(folder / "quiz.yaml")
        modules = raw.get("modules") if isinstance(raw, dict) else None
        for file in modules if isinstance(modules, list) else []:
            if isinstance(file, str) and file.endswith(".md") and (folder / file).is_file():
                self._module(folder / file)

    def _load_variant(
        self, folder: Path, name: str, main: Manifest, main_quiz: Quiz | None
    ) -> dict[str, Any]:
        vm = VariantManifest()
        manifest_path = folder / "course.yaml"
        if manifest_path.exists():
            text = self._read_text(manifest_path)
            if text is not None:
                vm = self._model(manifest_path, VariantManifest, self._yaml(manifest_path, text))
                vm = vm or VariantManifest()
        quiz = main_quiz
        if (folder / "quiz.yaml").exists():
            quiz = self._quiz(folder / "quiz.yaml")
            if quiz is not None and main_quiz is not None:
                self._same_scoring(folder / "quiz.yaml", main_quiz, quiz)
        titles = {o.id: o.title for o in main.objectives}
        if vm.objectives is not None:
            unknown = sorted({o.id for o in vm.objectives} - set(titles))
            if unknown:
                self._problem(
                    manifest_path,
                    None,
                    f"objectives: okänt mål {', '.join(unknown)} "
                    "(målen ska ha samma id som i huvudkursens course.yaml)",
                )
            titles |= {o.id: o.title for o in vm.objectives if o.id in titles}
        return self._variant(
            folder,
            objectives=titles,
            language=vm.language or VARIANT_LANGUAGE[name],
            title=vm.title or main.title,
            summary=vm.summary or main.summary,
            content_warning=vm.content_warning or main.content_warning,
            support=[s.model_dump() for s in (vm.support or main.support)],
            modules=vm.modules or main.modules,
            quiz=quiz,
        )

    def _variant(
        self,
        folder: Path,
        *,
        language: str,
        title: str,
        summary: str,
        content_warning: str,
        support: list[dict],
        modules: list[str],
        quiz: Quiz | None,
        objectives: dict[str, str],
    ) -> dict[str, Any]:
        manifest_path = folder / "course.yaml"
        seen: set[str] = set()
        loaded = []
        for i, file in enumerate(modules):
            if file in seen:
                self._problem(manifest_path, None, f"modulen '{file}' står två gånger i modules")
            seen.add(file)
            if "/" in file or "\\" in file or not file.endswith(".md"):
                self._problem(
                    manifest_path,
                    None,
                    f"modules[{i + 1}]: '{file}' ska vara ett .md-filnamn i kursmappen",
                )
                continue
            if not (folder / file).is_file():
                self._problem(
                    manifest_path, None, f"modulen '{file}' finns i modules men filen saknas"
                )
                continue
            module = self._module(folder / file)
            if module is not None:
                loaded.append(module)
        return {
            "language": language,
            "title": title,
            "summary": summary,
            "content_warning": content_warning,
            "support": support,
            "modules": loaded,
            "quiz": quiz.model_dump() if quiz else None,
            "objectives": objectives,
        }

    def _quiz(self, path: Path) -> Quiz | None:
        text = self._read_text(path)
        if text is None:
            return None
        return self._model(path, Quiz, self._yaml(path, text))

    def _quiz_objectives(self, path: Path, manifest: Manifest, quiz: Quiz) -> None:
        """Each question names a known objective; a pre-test has questions for each."""
        known = {o.id for o in manifest.objectives}
        for i, q in enumerate(quiz.questions):
            if q.objective is not None and q.objective not in known:
                self._problem(
                    path,
                    None,
                    f"questions[{i + 1}] ('{q.id}'): objective '{q.objective}' finns inte "
                    "bland kursens objectives i course.yaml"
                    + (f" (kända mål: {', '.join(sorted(known))})" if known else ""),
                )
        draw = quiz.draw_per_objective
        if draw is not None:
            for o in manifest.objectives:
                count = sum(1 for q in quiz.questions if q.objective == o.id)
                if count < max(2, draw + 1):
                    self._problem(
                        path,
                        None,
                        f"målet '{o.id}' har {count} frågor i quiz.yaml men draw_per_objective "
                        f"drar {draw} per försök: varje mål behöver minst {max(2, draw + 1)} "
                        "utbytbara frågor",
                    )
        pretest = manifest.pretest
        if pretest is not None and pretest.enabled:
            for o in manifest.objectives:
                count = sum(1 for q in quiz.questions if q.objective == o.id)
                if count < pretest.per_objective:
                    self._problem(
                        path,
                        None,
                        f"målet '{o.id}' har {count} frågor i quiz.yaml men förtestet "
                        f"(pretest.per_objective) drar {pretest.per_objective} per mål",
                    )

    def _same_scoring(self, path: Path, main: Quiz, variant: Quiz) -> None:
        """A translation must score an attempt exactly as the main quiz does."""
        expected = {q.id: {o.id: o.correct for o in q.options} for q in main.questions}
        got = {q.id: {o.id: o.correct for o in q.options} for q in variant.questions}
        if set(expected) != set(got):
            self._problem(
                path,
                None,
                "frågorna ska ha samma id som i huvudkursens quiz.yaml "
                f"(saknas: {', '.join(sorted(set(expected) - set(got))) or '–'}; "
                f"extra: {', '.join(sorted(set(got) - set(expected))) or '–'})",
            )
            return
        if variant.draw_per_objective != main.draw_per_objective:
            self._problem(
                path,
                None,
                "draw_per_objective ska vara samma som i huvudkursens quiz.yaml "
                f"({main.draw_per_objective or '–'})",
            )
        objectives = {q.id: q.objective for q in main.questions}
        for q in variant.questions:
            if q.objective is not None and q.objective != objectives[q.id]:
                self._problem(
                    path,
                    None,
                    f"fråga '{q.id}': objective ska vara samma som i huvudkursens quiz.yaml "
                    f"('{objectives[q.id] or '–'}')",
                )
        for qid, options in expected.items():
            if options != got[qid]:
                self._problem(
                    path,
                    None,
                    f"fråga '{qid}': svarsalternativen ska ha samma id och samma rätta svar "
                    "som i huvudkursens quiz.yaml",
                )

    # -- modules -------------------------------------------------------------

    def _module(self, path: Path) -> dict[str, Any] | None:
        text = self._read_text(path)
        if text is None:
            return None
        front = ModuleFront()
        body, body_offset = text, 0
        if text.startswith("---\n"):
            end = text.find("\n---", 3)
            if end == -1 or text[end + 4 : end + 5] not in ("", "\n"):
                self._problem(path, 1, "front matter saknar en avslutande rad med ---")
                return None
            front_text = text[4 : end + 1]
            parsed = self._yaml(path, front_text, offset=1)
            if parsed is not None and parsed[0] is None:
                parsed = ({}, parsed[1])
            front = self._model(path, ModuleFront, parsed) or ModuleFront()
            body = text[end + 5 :]
            body_offset = text[: end + 5].count("\n")
        blocks, heading = self._blocks(path, body, body_offset)
        for line, message in caption_problems(body):
            self._problem(path, body_offset + line if line else None, message)
        title = front.title or heading
        if not title:
            self._problem(path, 1, "modulen saknar titel (title i front matter eller en # rubrik)")
        return {"file": path.name, "title": title, "minutes": front.minutes, "blocks": blocks}

    def _blocks(self, path: Path, body: str, offset: int) -> tuple[list[dict], str | None]:
        """Text and check blocks in order; a leading `# heading` becomes the title."""
        lines = body.split("\n")
        tokens = _md.parse(body)
        heading = None
        start = 0
        if (
            len(tokens) > 2
            and tokens[0].type == "heading_open"
            and tokens[0].tag == "h1"
            and tokens[0].map
        ):
            heading = tokens[1].content.strip()
            start = tokens[0].map[1]
        blocks: list[dict] = []
        for tok in tokens:
            if tok.type != "fence" or tok.info.strip() != "check" or not tok.map:
                continue
            begin, end = tok.map
            if begin < start:
                continue
            _append_text(blocks, lines[start:begin])
            start = end
            fence_line = offset + begin + 1
            parsed = self._yaml(path, tok.content, offset=fence_line)
            check = self._model(path, CheckQuestion, parsed)
            if check is not None:
                blocks.append({"type": "check", **check.model_dump()})
        _append_text(blocks, lines[start:])
        return blocks, heading


def _append_text(blocks: list[dict], lines: list[str]) -> None:
    text = "\n".join(lines).strip()
    if text:
        blocks.append({"type": "text", "markdown": text})


def _line_for(loc: tuple, lines: dict[tuple, int]) -> int | None:
    """The line of the deepest part of the path that exists in the file."""
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


_MESSAGES = {
    "missing": "nyckeln saknas",
    "extra_forbidden": "okänd nyckel",
    "string_type": "ska vara text",
    "int_type": "ska vara ett heltal",
    "int_parsing": "ska vara ett heltal",
    "int_from_float": "ska vara ett heltal",
    "bool_type": "ska vara true eller false",
    "bool_parsing": "ska vara true eller false",
    "list_type": "ska vara en lista",
    "dict_type": "ska vara en mappning (nyckel: värde)",
    "model_type": "ska vara en mappning (nyckel: värde)",
    "model_attributes_type": "ska vara en mappning (nyckel: värde)",
    "string_too_short": "får inte vara tom",
}


def _message(loc: tuple, err: dict[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    where = _where(loc)
    if kind in _MESSAGES:
        text = _MESSAGES[kind]
    elif kind in ("enum", "literal_error"):
        allowed = str(ctx.get("expected", "")).replace(" or ", " eller ")
        text = f"ogiltigt värde {err.get('input')!r}; tillåtna värden: {allowed}"
    elif kind == "string_pattern_mismatch":
        text = f"ogiltigt format {err.get('input')!r}"
        if loc[-1:] == ("version",):
            text += ' (ska vara "MAJOR.MINOR", t.ex. "1.0", inom citattecken)'
        elif loc[-1:] == ("id",):
            text += " (små bokstäver a–z, siffror och '-')"
    elif kind == "too_short":
        text = f"för få poster (minst {ctx.get('min_length')})"
    elif kind in ("greater_than", "greater_than_equal", "less_than_equal", "less_than"):
        limit = next(iter(ctx.values()), "")
        sign = {"greater_than": ">", "greater_than_equal": "≥"}.get(kind, "≤")
        text = f"ska vara {sign} {limit}" if kind != "less_than" else f"ska vara < {limit}"
    elif kind == "value_error":
        text = str(ctx.get("error", err["msg"]))
    else:
        text = err["msg"]
    return f"{where}: {text}" if where else text
