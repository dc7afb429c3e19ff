"""Loaders for the attack corpora in ``tests/data`` (formats described in each file's header)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Payload:
    category: str
    line: int
    text: str

    @property
    def id(self) -> str:
        return f"L{self.line}"


@dataclass(frozen=True)
class MarkdownCase:
    id: str
    input: str
    fields: tuple[str, ...]
    checks: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class BadInput:
    id: str
    surface: str
    field: str
    input: str
    expect_status: str
    expect: str
    klass: str

    def allows(self, status: int) -> bool:
        """True when ``status`` is one of the answers this row allows (conditional ones too)."""
        for allowed in self.expect_status.split("|"):
            allowed = allowed.rstrip("*")
            if allowed == "2xx" and 200 <= status < 300:
                return True
            if allowed.isdigit() and int(allowed) == status:
                return True
        return False


def _data_lines(name: str) -> list[tuple[int, str]]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [
        (number, line)
        for number, line in enumerate(text.split("\n"), start=1)
        if line and not line.startswith("#")
    ]


@cache
def xss_payloads() -> tuple[Payload, ...]:
    """Every payload of ``xss_vectors.txt`` with its category."""
    category = ""
    payloads = []
    text = (DATA / "xss_vectors.txt").read_text(encoding="utf-8")
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("## "):
            category = line[3:].strip()
        if not line or line.startswith("#"):
            continue
        value = json.loads(line[5:]) if line.startswith("json:") else line
        payloads.append(Payload(category, number, value))
    return tuple(payloads)


def _tsv(name: str) -> list[list[str]]:
    rows = [line.split("\t") for _number, line in _data_lines(name)]
    return rows[1:]  # the first non-comment line is the column header


@cache
def markdown_cases() -> tuple[MarkdownCase, ...]:
    """The benign Markdown bodies and their checks."""
    return tuple(
        MarkdownCase(
            id=row[0],
            input=json.loads(row[1]),
            fields=tuple(row[2].split(",")),
            checks=tuple(check.strip() for check in row[3].split(" ;; ")),
            why=row[4],
        )
        for row in _tsv("markdown_cases.tsv")
    )


@cache
def bad_inputs() -> tuple[BadInput, ...]:
    """The hostile requests and the answers each may get."""
    return tuple(
        BadInput(
            id=row[0],
            surface=row[1],
            field=row[2],
            input=row[3],
            expect_status=row[4],
            expect=row[5],
            klass=row[6],
        )
        for row in _tsv("bad_inputs.tsv")
    )


_TERM_REPEAT = re.compile(r"^repeat\((.*), (\d+)\)$")


def decode_value(notation: str) -> bytes:
    """Bytes for a ``bad_inputs.tsv`` value written as JSON strings, hex:, repeat() and ``+``."""
    return b"".join(_decode_term(term) for term in _split_terms(notation))


def _split_terms(notation: str) -> list[str]:
    # " + " separates terms, but may also occur inside a JSON string literal or repeat().
    terms: list[str] = []
    start = depth = 0
    in_string = escaped = False
    for index, char in enumerate(notation):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif depth == 0 and notation.startswith(" + ", index):
            terms.append(notation[start:index])
            start = index + 3
    terms.append(notation[start:])
    return [term for term in terms if term]


def _decode_term(term: str) -> bytes:
    match = _TERM_REPEAT.match(term)
    if match:
        return _decode_term(match.group(1)) * int(match.group(2))
    if term.startswith("hex:"):
        return bytes.fromhex(term[4:])
    return json.loads(term).encode("utf-8", "surrogatepass")
