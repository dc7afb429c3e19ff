"""Issue 7 point 1 for the other fields (hypothesis): any name and any website, through the real
API and the real iframe page, is either refused with a 4xx or shown inert.

``test_sanitiser_properties.py`` proves it for the body's renderer; names and websites are not
Markdown but template output, so they are judged where readers see them: the name is exactly
the text that was stored (escaped, isolated with ``<bdi>``), and the only element the author line
may hold is one link to the website, http(s), with ``rel="nofollow ugc noopener"`` and no other
attribute.
"""

from __future__ import annotations

import itertools

from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models import Comment, Site
from tests.factories import make_site
from tests.htmlcheck import parse_page
from tests.security.pages import author_problems, comments_in, text_of
from tests.security.test_sanitiser_properties import hostile_text
from tests.security.world import api_post

ORIGIN = "https://fields.example.org"
_pages = itertools.count()
urls = st.one_of(
    st.just(""),
    st.builds(
        lambda scheme, rest: scheme + rest, st.sampled_from(["http://", "https://"]), st.text()
    ),
    st.builds(lambda rest: "https://example.org/" + rest, hostile_text),
    hostile_text,
)


@settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=st.one_of(st.text(max_size=60), hostile_text), website=urls)
@example(name='"><script>alert(1)</script>', website='https://e.x/" onmouseover="alert(1)')
@example(name="\u202egnp.exe Alice", website="https://e.x/'><svg onload=alert(1)>")
@example(name="<a href=javascript:alert(1)>x</a>", website="javascript:alert(1)")
@example(name="<img src=x onerror=alert(1)>", website="")
@example(name="Zoé <b>&amp;</b> Léa", website="https://example.org/zoé")
def test_any_name_and_website_are_refused_or_inert(
    client: FlaskClient, name: str, website: str
) -> None:
    # Hypothesis runs every example in the same test (one database): the site is made once.
    if db.session.scalar(select(Site).where(Site.name == "fields")) is None:
        make_site("fields", origins=[ORIGIN], mode="post", min_seconds=0)
    number = next(_pages)
    url = f"{ORIGIN}/page/{number}"
    document = {
        "url": url,
        "author": name,
        "email": "lectrice@example.org",
        "website": website,
        "body": f"Texte ordinaire numéro {number}.",  # the same text twice is a double post
    }
    answer = api_post(client, "fields", document, Origin=ORIGIN)
    assert answer.status_code < 500, answer.get_data(as_text=True)[:300]
    if answer.status_code >= 400:
        return
    stored = db.session.get(Comment, answer.get_json()["comment"]["id"])
    db.session.refresh(stored)
    page = client.get("/embed/fields", query_string={"url": url})
    (shown,) = comments_in(parse_page(page.get_data(as_text=True)))
    # No name: the page says "Anonymous" in its language; the markup is judged all the same.
    expected_name = stored.author_name or text_of(shown.author)
    assert author_problems(shown.author, expected_name, stored.author_website) == []
