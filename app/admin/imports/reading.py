"""Reading an HR export: bytes → text (encoding) → rows (delimiter), with line numbers.

Swedish Excel and HR systems write semicolon-separated UTF-8 with a byte order
mark and CRLF line ends; some write Windows-1252, comma or tab. The header is
line 1, and every problem names the line it was found on.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

MAX_FIELD_CHARS = 1000  # far above any real name; protects the page and the database


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an import, in Swedish. line None: the whole file."""

    file: str
    line: int | None
    field: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", rad {self.line}"
        if self.field:
            where += f", {self.field}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportFile:
    """An uploaded or named file: its name (for messages) and its bytes."""

    name: str
    data: bytes


@dataclass
class Table:
    """A file read into rows: the header, then (line number, values) per data row."""

    file: str
    encoding: str
    delimiter: str
    header: list[str]
    rows: list[tuple[int, list[str]]]


class FileRejected(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class ImportRejected(Exception):
    """The files were refused as a whole; nothing changed."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None) -> None:
        super().__init__(f"{len(problems)} problem")
        self.problems = problems
        self.warnings = warnings or []


ENCODING_ALIASES = {
    "windows-1252": "cp1252",
    "win1252": "cp1252",
    "ansi": "cp1252",
    "latin1": "latin-1",
    "utf8": "utf-8",
}


def normalise_encoding(name: str) -> str:
    """The codec for a name the administrator gave; ValueError if there is none."""
    wanted = ENCODING_ALIASES.get(name.strip().lower(), name.strip().lower())
    try:
        return codecs.lookup(wanted).name
    except LookupError:
        raise ValueError(
            f"Okänd teckenkodning {name!r}; använd t.ex. utf-8 eller windows-1252."
        ) from None


def decode(file: ImportFile, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding used: BOM, then UTF-8, then Windows-1252."""
    data = file.data
    if not data.strip():
        raise FileRejected(Problem(file.name, None, None, "Filen är tom."))
    if encoding:
        codec = normalise_encoding(encoding)
        if codec == "utf-8":
            codec = "utf-8-sig"
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise FileRejected(
                Problem(
                    file.name,
                    line,
                    None,
                    f"Filen går inte att läsa som {encoding}: byte {exc.start + 1} är ogiltig. "
                    "Välj en annan teckenkodning, eller låt Värna känna igen den.",
                )
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        return _strict(file, data, "utf-8-sig"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(file, data, "utf-16"), "utf-16"
    if b"\x00" in data[:8192]:
        raise FileRejected(_not_text(file))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _strict(file, data, "cp1252"), "cp1252"


def _strict(file: ImportFile, data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise FileRejected(_not_text(file)) from None


def _not_text(file: ImportFile) -> Problem:
    return Problem(
        file.name,
        None,
        None,
        "Filen är ingen textfil (CSV). Spara exporten från HR-systemet som CSV och försök igen.",
    )


def sniff_delimiter(first_line: str) -> str:
    """The separator the header uses most: semicolon, comma, tab or pipe."""
    counts = {d: first_line.count(d) for d in (";", "\t", ",", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def read_table(file: ImportFile, *, encoding: str | None, delimiter: str | None) -> Table:
    """Decode and split the file into rows; FileRejected when it cannot be read at all."""
    text, used = decode(file, encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise FileRejected(
            Problem(file.name, 1, None, "Rubrikraden är tom: filens första rad ska ha rubrikerna.")
        )
    sep = delimiter or sniff_delimiter(first_line)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    for line, values in _records(file, text, sep):
        if header is None:
            header = [v.strip().lstrip("\ufeff") for v in values]
            continue
        rows.append((line, values))
    return Table(file=file.name, encoding=used, delimiter=sep, header=header or [], rows=rows)


def _records(file: ImportFile, text: str, sep: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)
    line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise FileRejected(
                Problem(
                    file.name,
                    line,
                    None,
                    "Raden går inte att läsa: den är orimligt lång eller har ett citattecken "
                    "som aldrig avslutas. Inget har ändrats.",
                )
            ) from None
        start, line = line, reader.line_num + 1
        if not values or (len(values) == 1 and not values[0].strip()):
            continue  # blank line
        yield start, values
