"""Every XSS payload of the corpus, in every text field, through the real routes.

Each payload is posted through the iframe's form and through the JSON API as the body, the
name, the website and the e-mail. A refusal must be a clean 4xx whose echoed form stays inert;
an accepted comment is published (as a moderator would) and then every page showing it is
parsed with html5lib and judged by the corpus oracle (``tests/data/xss_vectors.txt``):
allowlisted markup only in the body, the name shown as text, the website one safe link, and the
rest of the page unchanged.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pytest
from defusedxml import ElementTree as DefusedET
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from commentsvc.comments import validation as v
from commentsvc.comments.status import set_status
from commentsvc.database import write_transaction
from commentsvc.extensions import db
from commentsvc.models import Comment, Status
from tests.conftest import BACKEND
from tests.factories import make_site
from tests.htmlcheck import comment_violations, element_violations, parse_page, url_scheme
from tests.security.corpus import Payload, xss_payloads
from tests.security.pages import (
    chrome_signature,
    own_item_signatures,
    page_problems,
)
from tests.security.world import BASE, api_post, form_post, form_token

pytestmark = pytest.mark.slow

ORIGIN = "https://xss.example.org"
SITE = "xss"
CHUNK = 20  # comments per thread: one page of the iframe shows them all
FIELDS = {"body": "body", "name": "author", "website": "website", "email": "email"}
# The PostgreSQL pass runs a sample: rendering does not depend on the database, storage does.
PAYLOADS = xss_payloads() if BACKEND == "sqlite" else xss_payloads()[::9]
# The author's own view (edit form echoing the source) is checked for a sample: it costs a page.
OWN_VIEW_SAMPLE = 3
_COMMENT_ID = re.compile(r"#c(\d+)$")


@dataclass
class Run:
    surface: str
    field: str
    accepted: dict[str, list[int]] = field(default_factory=dict)  # thread url -> ids
    failures: list[str] = field(default_factory=list)


@pytest.fixture
def site(app: Flask):
    return make_site(SITE, origins=[ORIGIN], mode="post", min_seconds=0, max_links=100)


def _acceptable(field_name: str) -> int:
    """How many payloads are valid text for this field (length, no control characters)."""
    limit = {"body": v.MAX_BODY, "name": v.MAX_NAME}.get(field_name)
    if limit is None:
        return 0  # website and e-mail: refusing every payload is right
    return sum(
        1
        for p in PAYLOADS
        if len(p.text.strip()) <= limit
        and not v.has_forbidden_characters(p.text)
        and not (field_name == "name" and v.has_line_break(p.text))
        and not v.is_blank(p.text)
    )


def _fields(field_name: str, payload: Payload, url: str) -> dict[str, str]:
    values = {"url": url, "body": f"Corpus {field_name} {payload.id}"}
    values[FIELDS[field_name]] = payload.text
    return values


def _benign_refusal(client: FlaskClient, field_name: str, token: str, url: str) -> Counter:
    """The refusal page of a harmless invalid value: what an echoed payload must not change."""
    invalid = {"body": "", "name": "N" * 500, "website": "not a url", "email": "plainaddress"}
    values = {"url": url, "body": "Corpus baseline", FIELDS[field_name]: invalid[field_name]}
    response = form_post(client, SITE, values, token=token)
    assert 400 <= response.status_code < 500, response.status_code
    return chrome_signature(parse_page(response.get_data(as_text=True)))


def post_through_form(client: FlaskClient, run: Run) -> None:
    for start in range(0, len(PAYLOADS), CHUNK):
        url = f"{ORIGIN}/xss/form/{run.field}/{start}"
        token = form_token(client, SITE, url)
        refusal_baseline = _benign_refusal(client, run.field, token, url)
        for payload in PAYLOADS[start : start + CHUNK]:
            response = form_post(client, SITE, _fields(run.field, payload, url), token=token)
            status = response.status_code
            if status == 303:
                match = _COMMENT_ID.search(response.headers["Location"])
                run.accepted.setdefault(url, []).append(int(match.group(1)))
                if run.field == "body" and payload.line % OWN_VIEW_SAMPLE == 0:
                    _check_own_view(client, response.headers["Location"], payload, run)
            elif 400 <= status < 500:
                # A re-rendered form (or a plain error page) gains nothing from the echo.
                page = parse_page(response.get_data(as_text=True))
                gained = chrome_signature(page) - refusal_baseline
                if gained:
                    run.failures.append(f"{payload.id}: refusal page gained {dict(gained)}")
            else:
                run.failures.append(f"{payload.id}: answered {status}")


_own_baseline: dict[str, list[Counter]] = {}


def _check_own_view(client: FlaskClient, location: str, payload: Payload, run: Run) -> None:
    """The author's own view echoes the source into an edit form: it must stay text."""
    page = parse_page(client.get(location).get_data(as_text=True))
    signatures = own_item_signatures(page)
    baseline = _own_baseline.setdefault("own", signatures)
    if signatures != baseline:
        run.failures.append(f"{payload.id}: own view gained active content {signatures}")


def post_through_api(client: FlaskClient, run: Run) -> None:
    for start in range(0, len(PAYLOADS), CHUNK):
        url = f"{ORIGIN}/xss/api/{run.field}/{start}"
        for payload in PAYLOADS[start : start + CHUNK]:
            document = {**BASE, **_fields(run.field, payload, url), "title": "Corpus"}
            response = api_post(client, SITE, document, Origin=ORIGIN)
            status = response.status_code
            if status >= 500 or status < 200 or 300 <= status < 400:
                run.failures.append(f"{payload.id}: answered {status}")
                continue
            # Rule f: JSON, never HTML, never sniffed.
            if response.mimetype not in {"application/json", "application/problem+json"}:
                run.failures.append(f"{payload.id}: answered as {response.mimetype}")
            if response.headers.get("X-Content-Type-Options") != "nosniff":
                run.failures.append(f"{payload.id}: no nosniff")
            if status in (201, 202):
                answer = response.get_json()["comment"]
                run.accepted.setdefault(url, []).append(answer["id"])
                for problem in comment_violations(answer["body_html"]):
                    run.failures.append(f"{payload.id}: posted body_html {problem}")


def publish_everything(run: Run) -> None:
    """What a moderator approving the queue does: held comments become visible."""
    ids = [i for ids in run.accepted.values() for i in ids]
    with write_transaction():
        for comment in db.session.scalars(select(Comment).where(Comment.id.in_(ids))):
            if comment.status != Status.PUBLISHED:
                set_status(comment, Status.PUBLISHED)


def _expected(ids: list[int]) -> dict[int, tuple[str, str | None]]:
    db.session.rollback()
    rows = db.session.scalars(select(Comment).where(Comment.id.in_(ids)))
    return {c.id: (c.author_name or "", c.author_website) for c in rows}


def _reader_baseline(app: Flask) -> Counter:
    """The iframe page of a thread holding ordinary comments, seen by a reader."""
    client = app.test_client()
    url = f"{ORIGIN}/xss/baseline"
    token = form_token(client, SITE, url)
    form_post(client, SITE, {"url": url, "body": "Ordinary *comment*"}, token=token)
    form_post(client, SITE, {"url": url, "body": "Another", "website": ""}, token=token)
    page = client.get(f"/embed/{SITE}", query_string={"url": url})
    return chrome_signature(parse_page(page.get_data(as_text=True)))


def check_reader_pages(app: Flask, run: Run) -> None:
    baseline = _reader_baseline(app)
    reader = app.test_client()  # a reader who posted nothing: no cookies, no keys
    for url, ids in run.accepted.items():
        expected = _expected(ids)
        page = reader.get(f"/embed/{SITE}", query_string={"url": url})
        assert page.status_code == 200
        for problem in page_problems(page.get_data(as_text=True), expected, baseline):
            run.failures.append(f"iframe {url}: {problem}")
        run.failures += [f"json {url}: {p}" for p in _json_problems(reader, url, expected)]
        run.failures += [f"feed {url}: {p}" for p in _feed_problems(reader, url, expected)]


def _json_problems(reader: FlaskClient, url: str, expected: dict) -> list[str]:
    answer = reader.get(f"/api/v1/sites/{SITE}/comments", query_string={"url": url})
    problems = []
    if answer.mimetype != "application/json":
        problems.append(f"served as {answer.mimetype}")
    if answer.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    shown = {c["id"]: c for c in answer.get_json()["comments"]}
    for comment_id, (name, website) in expected.items():
        comment = shown.get(comment_id)
        if comment is None:
            problems.append(f"c{comment_id} missing")
            continue
        problems += [f"c{comment_id}: {p}" for p in comment_violations(comment["body_html"])]
        if comment["author"] != name or comment["website"] != website:
            problems.append(f"c{comment_id}: author or website changed")
        if comment["website"] and url_scheme(comment["website"]) not in {"http", "https"}:
            problems.append(f"c{comment_id}: website {comment['website'][:40]!r}")
    return problems


ATOM = "{http://www.w3.org/2005/Atom}"


def _feed_problems(reader: FlaskClient, url: str, expected: dict) -> list[str]:
    answer = reader.get(f"/sites/{SITE}/feed.atom", query_string={"url": url})
    if answer.status_code != 200 or answer.mimetype != "application/atom+xml":
        return [f"answered {answer.status_code} {answer.mimetype}"]
    feed = DefusedET.fromstring(answer.data)
    problems = []
    entries = {e.findtext(f"{ATOM}id").rsplit("-", 1)[1]: e for e in feed.iter(f"{ATOM}entry")}
    for comment_id, (name, _website) in expected.items():
        entry = entries.get(str(comment_id))
        if entry is None:
            problems.append(f"c{comment_id} missing")
            continue
        content = entry.find(f"{ATOM}content")
        if content.get("type") != "html":
            problems.append(f"c{comment_id}: content type {content.get('type')}")
        problems += [f"c{comment_id}: {p}" for p in comment_violations(content.text or "")]
        if entry.findtext(f"{ATOM}author/{ATOM}name") != (name or "?"):
            problems.append(f"c{comment_id}: author changed")
    return problems


@pytest.mark.parametrize("surface", ["form", "api"])
@pytest.mark.parametrize("field_name", list(FIELDS))
def test_xss_corpus_in_every_field(app: Flask, site, field_name: str, surface: str) -> None:
    run = Run(surface, field_name)
    poster = post_through_form if surface == "form" else post_through_api
    poster(app.test_client(), run)
    publish_everything(run)
    check_reader_pages(app, run)
    assert run.failures == []
    # Payloads are legitimate text in the body and the name: refusing them is no defence.
    assert sum(len(ids) for ids in run.accepted.values()) >= _acceptable(field_name)


def test_base_request_is_accepted(client: FlaskClient, site) -> None:
    url = f"{ORIGIN}/xss/base"
    response = form_post(client, SITE, {**BASE, "url": url})
    assert response.status_code == 303


def _admin_cards(page) -> dict[int, object]:
    return {
        int(card.get("data-id")): card
        for card in page.iter("article")
        if "card" in (card.get("class") or "").split() and (card.get("data-id") or "").isdigit()
    }


def _card_problems(card, comment: Comment) -> list[str]:
    problems = []
    body = next((e for e in card.iter("div") if "body" in (e.get("class") or "").split()), None)
    if body is None:
        return ["no body container"]
    problems += element_violations(body)
    author = next(iter(card.iter("strong")), None)
    if author is None or list(author) or (author.text or "") != comment.author_name:
        problems.append("author name not shown as plain text")
    return problems


def test_xss_corpus_in_the_moderators_queue_before_approval(app: Flask, web: Flask) -> None:
    """Stored XSS against the moderator is the worst case: the pending queue is checked."""
    from tests.factories import PASSWORD, make_moderator
    from tests.security.test_accounts import client_at, login

    site = make_site("held", origins=[ORIGIN], mode="pre", min_seconds=0, max_links=100)
    make_moderator("queue@example.org", sites=[site])
    poster = app.test_client()
    threads: dict[str, list[int]] = {}
    for start in range(0, len(PAYLOADS), CHUNK):
        url = f"{ORIGIN}/held/{start}"
        for payload in PAYLOADS[start : start + CHUNK]:
            name = payload.text if len(payload.text) <= v.MAX_NAME else "Corpus"
            document = {**BASE, "url": url, "body": payload.text, "author": name}
            answer = api_post(poster, "held", document, Origin=ORIGIN)
            if answer.status_code in (400, 422):
                answer = api_post(poster, "held", {**document, "author": "Corpus"}, Origin=ORIGIN)
            assert answer.status_code in (202, 400, 422), answer.status_code
            if answer.status_code == 202:
                threads.setdefault(url, []).append(answer.get_json()["comment"]["id"])
    # ``web``: fresh contexts per request, see tests/security/test_accounts.py.
    moderator = client_at(web, "198.51.100.99")
    assert login(moderator, "queue@example.org", PASSWORD).status_code == 302
    failures = []
    for ids in threads.values():
        db.session.rollback()
        comments = {c.id: c for c in db.session.scalars(select(Comment).where(Comment.id.in_(ids)))}
        thread_id = next(iter(comments.values())).thread_id
        page = moderator.get("/admin/queue", query_string={"thread": thread_id, "site": "held"})
        assert page.status_code == 200
        cards = _admin_cards(parse_page(page.get_data(as_text=True)))
        for comment_id, comment in comments.items():
            if comment_id not in cards:
                failures.append(f"c{comment_id}: not in the queue")
                continue
            failures += [f"c{comment_id}: {p}" for p in _card_problems(cards[comment_id], comment)]
    sample = [i for ids in threads.values() for i in ids][::10]
    for comment_id in sample:
        detail = moderator.get(f"/admin/comments/{comment_id}")
        cards = _admin_cards(parse_page(detail.get_data(as_text=True)))
        db.session.rollback()
        comment = db.session.get(Comment, comment_id)
        failures += [
            f"detail c{comment_id}: {p}" for p in _card_problems(cards[comment_id], comment)
        ]
    assert failures == []
    assert sum(len(ids) for ids in threads.values()) >= _acceptable("body") * 0.95
