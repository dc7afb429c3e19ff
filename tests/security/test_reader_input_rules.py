"""What the reader services keep and refuse, for the inputs the corpora single out.

The route-level runs (``test_routes_*``) cover the same rows end to end; these call the
service directly so that a regression points at the rule, not at a view.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from commentsvc.comments.services import CommentError, NewComment, Reader, post_comment
from commentsvc.extensions import db
from commentsvc.models import Comment
from tests.factories import make_site
from tests.security.corpus import markdown_cases

ORIGIN = "https://site-a.test"
CASES = markdown_cases()


@pytest.fixture
def site(app):
    return make_site("site-a", origins=[ORIGIN])


def _post(app, site, **fields):
    values = {
        "url": f"{ORIGIN}/articles/1",
        "body": "A perfectly ordinary comment.",
        "author": "Alice Test",
        "email": "alice@example.org",
        "website": "https://example.org/alice",
    }
    values.update(fields)
    return post_comment(
        site,
        NewComment(**values),
        reader=Reader(ip="192.0.2.1"),
        spam_model=app.extensions["spam_model"],
    ).comment


def _stored() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Comment.id)))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_benign_text_is_stored_exactly_as_typed(app, site, case) -> None:
    author = case.input if "name" in case.fields else "Alice Test"
    comment = _post(app, site, body=case.input, author=author)
    # markdown_cases.tsv G4: code-point exact (no Unicode normalisation, indentation kept).
    assert comment.body_source == case.input
    assert comment.author_name == author


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("author", "Alice\r\nX-Injected: 1"),  # BI-018
        ("author", "Alice\nBob"),
        ("email", "alice@example.org\r\nBcc: victim@example.com"),  # BI-022
        ("email", "alice@example.org\nBcc: victim@example.com"),  # BI-023
        ("website", "https://example.org/\r\nSet-Cookie: x=1"),  # BI-032
        ("website", "https://example.org/\nx"),
        ("title", "Title\r\nX-Injected: 1"),
    ],
)
def test_line_breaks_in_one_line_fields_are_refused(app, site, field, value) -> None:
    with pytest.raises(CommentError) as refused:
        _post(app, site, **{field: value})
    assert 400 <= refused.value.status < 500
    assert refused.value.field == field
    assert _stored() == 0


@pytest.mark.parametrize(
    "body",
    [
        "\u200b\u200b\u200b\u2060\ufeff",  # BI-012
        "   \n\t  \r\n ",  # BI-011
        "\u00a0\u202f\u3000",
        "\u200e\u200f",
    ],
)
def test_invisible_only_body_is_refused_as_empty(app, site, body) -> None:
    with pytest.raises(CommentError) as refused:
        _post(app, site, body=body)
    assert refused.value.status == 422 and refused.value.field == "body"
    assert _stored() == 0


def test_outer_blank_lines_and_trailing_space_still_go(app, site) -> None:
    comment = _post(app, site, body="\n\n    code line\n    more\n\n  \n")
    assert comment.body_source == "    code line\n    more"
    assert comment.body_html.startswith("<pre><code>")
