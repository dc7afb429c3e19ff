"""Evaluate the ``checks`` column of ``markdown_cases.tsv`` on a comment's rendered HTML."""

from __future__ import annotations

import json
import re

from bs4 import BeautifulSoup, Tag

_ASCII_WHITESPACE = re.compile(r"[\t\n\f\r ]+")


def container(html: str) -> Tag:
    """The comment's body container, parsed by html5lib as a browser would."""
    soup = BeautifulSoup(f"<div id=commentsvc-check>{html}</div>", "html5lib")
    found = soup.find(id="commentsvc-check")
    assert isinstance(found, Tag)
    return found


def _matches(scope: Tag, selector: str) -> list[Tag]:
    if selector == "*":
        return [element for element in scope.descendants if isinstance(element, Tag)]
    return scope.select(selector)


def _text(scope: Tag) -> str:
    return _ASCII_WHITESPACE.sub(" ", scope.get_text())


def _strip_lf(value: str) -> str:
    return value[:-1] if value.endswith("\n") else value


def failed_check(scope: Tag, check: str) -> str | None:
    """None when ``check`` holds on ``scope``; otherwise what was seen instead."""
    verb, _, rest = check.partition(" ")
    if verb == "has":
        return None if _matches(scope, rest) else f"no element matches {rest}"
    if verb == "none":
        found = _matches(scope, rest)
        return f"{len(found)} element(s) match {rest}: {found[:2]}" if found else None
    if verb == "count":
        selector, _, number = rest.rpartition(" = ")
        found = _matches(scope, selector)
        return None if len(found) == int(number) else f"{len(found)} match {selector}"
    if verb == "text":
        wanted = json.loads(rest)
        return None if wanted in _text(scope) else f"text is {_text(scope)!r}"
    if verb == "textoneof":
        options = json.loads(rest)
        text = _text(scope)
        return None if any(option in text for option in options) else f"text is {text!r}"
    if verb == "eltext":
        selector, literal = _split_selector_and_string(rest)
        found = _matches(scope, selector)
        if not found:
            return f"no element matches {selector}"
        actual = found[0].get_text()
        return None if _strip_lf(actual) == _strip_lf(literal) else f"{selector} text {actual!r}"
    raise ValueError(f"unknown check {check!r}")


def _split_selector_and_string(rest: str) -> tuple[str, str]:
    # The string is the trailing JSON literal; selectors may hold quotes of their own.
    index = rest.index(' "')
    while True:
        try:
            return rest[:index], json.loads(rest[index + 1 :])
        except json.JSONDecodeError:
            index = rest.index(' "', index + 1)
