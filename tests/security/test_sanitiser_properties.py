"""Properties of ``render_markdown`` for any input (hypothesis).

1. Whatever a reader types, the HTML has no active content: allowlisted elements only, no on*
   or style attribute, only http/https/mailto link targets, every link rel=nofollow ugc noopener.
2. Plain text round-trips: what the reader typed is what others read, escaped.
"""

from __future__ import annotations

import re

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from commentsvc.markup import render_markdown
from tests.htmlcheck import comment_violations, parse_fragment
from tests.security.corpus import xss_payloads

# Pieces attackers combine: tags, attributes, schemes, entities, Markdown link syntax, quotes.
HOSTILE_PIECES = [
    "<",
    ">",
    "</",
    "/>",
    '"',
    "'",
    "`",
    "=",
    " ",
    "\n",
    "\t",
    "\x00",
    "\x0b",
    "&#",
    "&lt;",
    "&#x3C;",
    "&colon;",
    "script",
    "img",
    "svg",
    "iframe",
    "style",
    "math",
    "form",
    "a href=",
    "src=",
    "onerror=",
    "onload=",
    "style=",
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    "data:text/html,",
    "vbscript:",
    "alert(1)",
    "[x](",
    "](",
    ")",
    "<https://",
    "![i](",
    "[r]: ",
    "*",
    "_",
    "~~",
    "\\",
    "<!--",
    "-->",
    "<![CDATA[",
    "http://e.x/",
    "mailto:a@b.c",
]

hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=4)), max_size=40
).map("".join)
corpus_mutations = st.tuples(
    st.sampled_from([p.text for p in xss_payloads()]), st.text(max_size=6), st.integers(0, 200)
).map(lambda t: t[0][: t[2]] + t[1] + t[0][t[2] :])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), hostile_text, corpus_mutations))
@example("[x](javascript&colon;alert(1))")
@example("<a href=javascript:alert(1)>x</a>")
@example("[x](\x01javascript:alert(1))")
def test_any_text_renders_without_active_content(source: str) -> None:
    rendered = render_markdown(source)
    assert comment_violations(rendered) == [], rendered


# Plain text: no Markdown punctuation, no ":" or "@" (autolinks), no ";" (entities).
PLAIN_SYMBOLS = "<>&\"'/?,%$^{}=é€«»—"
plain_text = st.text(
    alphabet=st.one_of(
        st.characters(categories=("L", "N")), st.sampled_from(list(PLAIN_SYMBOLS + " \n"))
    ),
    min_size=1,
    max_size=200,
)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _text_content(fragment: str) -> str:
    return "".join(parse_fragment(fragment).itertext())


@settings(max_examples=300, deadline=None)
@given(plain_text)
@example("<b>bold</b> & <i>x</i> 5 > 4 < 6")
@example("I <3 Markdown")
@example("&copy")
def test_plain_text_round_trips_escaped(source: str) -> None:
    # A line opening with ">" is a Markdown quote, not plain text.
    assume(not any(line.lstrip().startswith(">") for line in source.split("\n")))
    rendered = render_markdown(source)
    assert _collapse(_text_content(rendered)) == _collapse(source)
    # Nothing the reader typed became markup: every tag is one the renderer emits for text.
    assert set(re.findall(r"<(\w+)", rendered)) <= {"p", "br", "pre", "code", "a"}
