"""The public XSS corpus and the benign Markdown cases against the sanitiser itself.

Every payload of ``tests/data/xss_vectors.txt`` must lose all its power; every case of
``tests/data/markdown_cases.tsv`` must render faithfully. The oracle is checked too: renderers
with known defects must fail it, so a green run means something.
"""

from __future__ import annotations

import html

import pytest
from markdown_it import MarkdownIt

from commentsvc.markup import render_markdown
from tests.htmlcheck import comment_violations
from tests.security.corpus import MarkdownCase, Payload, markdown_cases, xss_payloads
from tests.security.mdchecks import container, failed_check

PAYLOADS = xss_payloads()
CASES = markdown_cases()


def test_corpora_are_complete() -> None:
    assert len(PAYLOADS) == 297
    assert len(CASES) == 46
    assert len({p.category for p in PAYLOADS}) >= 9


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: p.id)
def test_xss_payload_loses_its_power(payload: Payload) -> None:
    rendered = render_markdown(payload.text)
    assert comment_violations(rendered) == [], rendered


def case_failures(case: MarkdownCase, rendered: str) -> list[str]:
    scope = container(rendered)
    failures = [f"{check}: {why}" for check in case.checks if (why := failed_check(scope, check))]
    failures += [f"G2/G3: {v}" for v in comment_violations(rendered)]
    return failures


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_benign_markdown_renders_faithfully(case: MarkdownCase) -> None:
    rendered = render_markdown(case.input)
    assert case_failures(case, rendered) == [], rendered


def _typographer(source: str) -> str:
    md = MarkdownIt("commonmark", {"typographer": True}).enable(["replacements", "smartquotes"])
    return md.render(source)


def _double_escaped(source: str) -> str:
    return html.escape(render_markdown(source), quote=False)


def _nbsp_collapsed(source: str) -> str:
    return render_markdown(source).replace("\u00a0", " ").replace("\u202f", " ")


def _no_rel(source: str) -> str:
    return render_markdown(source).replace(' rel="nofollow ugc noopener"', "")


@pytest.mark.parametrize(
    "defective", [_typographer, _double_escaped, _nbsp_collapsed, _no_rel], ids=lambda f: f.__name__
)
def test_oracle_catches_known_renderer_defects(defective) -> None:
    assert any(case_failures(case, defective(case.input)) for case in CASES)


def test_oracle_catches_an_unsanitised_renderer() -> None:
    raw = MarkdownIt("commonmark", {"html": True})
    failing = [p for p in PAYLOADS if comment_violations(raw.render(p.text))]
    assert len(failing) > len(PAYLOADS) // 2
