"""Capture the security events of a test and judge them by invariant I5 of bad_inputs.tsv.

I5: a refusal is logged as a validation/security event with time, source address and reason,
without the submitted secrets (passwords, tokens, full e-mail addresses) and with control
characters neutralised. Events are judged as the operator reads them: each record formatted by
the service's own JSON formatter, one line per record.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from commentsvc.logs import JsonFormatter

# What must never reach a log line raw: C0/C1 controls, DEL, line and paragraph separators,
# bidi overrides and isolates (they end, colour or reorder lines in terminals and viewers).
RAW_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
FULL_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+")
# A User-Agent that tries everything a log reader could be fooled by, spelt as a real server
# hands it to the app (header bytes decoded as latin-1): ESC colours, NEL, U+2028, a CR/LF pair
# is impossible in a header, so a forged JSON entry follows the separators instead.
HOSTILE_AGENT = (
    "Mozilla/5.0 \x1b[31mRED\x1b[0m\x85"
    + b'{"level":"error","msg":"forged"}'.decode("latin-1")
    + "\u2028".encode().decode("latin-1")
    + " victim@example.com"
)


class Capture(logging.Handler):
    """Every record of ``commentsvc.security``, formatted as the service formats it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        return [self.format(record) for record in self.records]

    def events(self) -> list[dict]:
        return [json.loads(line) for line in self.lines()]

    def clear(self) -> None:
        self.records.clear()


@contextmanager
def captured_events() -> Iterator[Capture]:
    logger = logging.getLogger("commentsvc.security")
    handler = Capture()
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def i5_problems(capture: Capture, *, status: int, ip: str, secrets: list[str]) -> list[str]:
    """What is wrong with the events logged for one refused request (``status``) from ``ip``."""
    problems = []
    refusals = [e for e in capture.events() if e.get("event") == "refusal"]
    if len(refusals) != 1:
        return [f"{len(refusals)} refusal events for one refused request: {refusals}"]
    event = refusals[0]
    if event.get("status") != status:
        problems.append(f"event status {event.get('status')} for a {status} answer")
    if not event.get("ts") or not re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", event["ts"]):
        problems.append("no time")
    if event.get("ip") != ip:
        problems.append(f"source address {event.get('ip')!r}, not {ip!r}")
    if not event.get("reason"):
        problems.append("no reason")
    for line, record in zip(capture.lines(), capture.records, strict=True):
        for text, where in ((line, "line"), (record.getMessage(), "message")):
            if "\n" in text or "\r" in text:
                problems.append(f"the {where} spans several lines: {text!r}")
            if RAW_UNSAFE.search(text):
                problems.append(f"raw control character in the {where}: {text!r}")
        # Decoded values too: "\u001b" in JSON is harmless, but a field's value must be clean
        # for any other formatter an operator plugs in.
        values = " ".join(str(v) for v in json.loads(line).values())
        if RAW_UNSAFE.search(values):
            problems.append(f"a field holds a raw control character: {values!r}")
        for secret in secrets:
            if secret and (secret in line or secret in values):
                problems.append(f"secret {secret[:40]!r} logged")
        if FULL_EMAIL.search(values):
            problems.append(f"a full e-mail address is logged: {FULL_EMAIL.search(values)[0]}")
    return problems
