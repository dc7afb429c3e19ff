"""The front cache (``commentsvc/edge.py``): repeated anonymous reads are answered before Flask,
never past a change of their thread, never with another reader's per-request values."""

import logging
import re

import pytest
from flask import request
from prometheus_client import REGISTRY
from werkzeug.test import Client

from commentsvc import create_app, edge
from commentsvc.comments.formtoken import check_form_token
from commentsvc.comments.services import Reader, like_comment
from commentsvc.extensions import db
from tests.conftest import base_config
from tests.factories import make_comment, make_site, make_thread

ORIGIN = "https://devant.example.fr"
URL = f"{ORIGIN}/articles/devant"
JSON = "/api/v1/sites/devant/comments"
PAGE = "/embed/devant"
JSON_ROUTE = "/api/v1/sites/<site>/comments"


@pytest.fixture
def thread(app):
    site = make_site("devant", origins=[ORIGIN], mode="post")
    thread = make_thread(site, URL)
    make_comment(thread, "Premier avis")
    return thread


@pytest.fixture
def flask_calls(app) -> list[str]:
    """Paths of the requests that reached Flask."""
    calls: list[str] = []

    @app.before_request
    def _count() -> None:
        calls.append(request.path)

    return calls


def _get(client, path, **headers):
    return client.get(path, query_string={"url": URL}, headers=headers)


def test_a_repeated_anonymous_read_is_answered_before_flask(client, thread, flask_calls) -> None:
    first, second = _get(client, JSON), _get(client, JSON)
    assert first.status_code == second.status_code == 200
    assert flask_calls == [JSON]
    assert second.data == first.data and b"Premier avis" in second.data
    assert int(second.headers["Content-Length"]) == len(second.data)
    for name in ("Content-Type", "ETag", "Cache-Control", "Vary", "X-Content-Type-Options"):
        assert second.headers.get(name) == first.headers.get(name), name
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]


def test_every_iframe_answer_has_its_own_nonce_and_a_valid_form_token(
    app, client, thread, flask_calls
) -> None:
    pages = [_get(client, PAGE) for _ in range(3)]
    assert flask_calls == [PAGE]
    nonces = set()
    for page in pages:
        csp = page.headers["Content-Security-Policy"]
        assert f"frame-ancestors {ORIGIN}" in csp
        nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
        html = page.get_data(as_text=True)
        # The script carries the nonce its own answer's policy names, not the first one's.
        assert f'nonce="{nonce}"' in html and "Premier avis" in html
        token = re.search(r'name="token" value="([^"]+)"', html).group(1)
        with app.test_request_context():
            assert check_form_token(token, site="devant", url=URL).url == URL
        nonces.add(nonce)
    assert len(nonces) == 3


def test_a_change_made_through_another_process_is_seen_at_once(
    database_url, client, thread, flask_calls
) -> None:
    comment_id = thread.comments[0].id
    assert _get(client, JSON).get_json()["comments"][0]["likes"] == 0
    _get(client, JSON)
    other = create_app(base_config(database_url))
    with other.app_context():
        like_comment(comment_id, reader=Reader(ip="203.0.113.7", browser_key="b" * 32))
    assert _get(client, JSON).get_json()["comments"][0]["likes"] == 1
    assert flask_calls == [JSON, JSON]  # the version check sent the third read to Flask


@pytest.mark.parametrize(
    "headers",
    [
        {"cookie": "x"},
        {"Authorization": "Bearer not-a-token"},
        {"If-None-Match": '"something"'},
    ],
    ids=["cookie", "authorization", "conditional"],
)
def test_personal_or_conditional_reads_go_to_flask(client, thread, flask_calls, headers) -> None:
    _get(client, JSON), _get(client, JSON)
    assert flask_calls == [JSON]
    if "cookie" in headers:  # the test client sends its own jar, not a Cookie header
        client.set_cookie("publisher_pref", headers.pop("cookie"))
    _get(client, JSON, **headers)
    assert flask_calls == [JSON, JSON]


def test_each_language_and_origin_is_kept_apart(client, thread, flask_calls) -> None:
    # The responses vary on both; an answer for one must never be replayed for the other.
    for headers in ({"Accept-Language": "fr"}, {"Accept-Language": "en"}) * 2:
        _get(client, PAGE, **headers)
    for headers in ({"Origin": ORIGIN}, {"Origin": "https://ailleurs.example"}) * 2:
        _get(client, JSON, **headers)
    assert flask_calls == [PAGE, PAGE, JSON, JSON]


def test_a_site_change_made_here_clears_what_was_kept(client, thread, flask_calls) -> None:
    _get(client, JSON), _get(client, JSON)
    thread.site.origins = ["https://autre.example.fr"]
    db.session.commit()
    assert _get(client, JSON).status_code in {400, 403, 404}


def test_a_hit_is_logged_and_timed_like_any_request(client, thread, caplog) -> None:
    labels = {"method": "GET", "route": JSON_ROUTE, "status": "200"}
    count = "commentsvc_request_duration_seconds_count"
    _get(client, JSON)
    before = REGISTRY.get_sample_value(count, labels) or 0
    with caplog.at_level(logging.INFO, logger="commentsvc.access"):
        response = _get(client, JSON)
    (line,) = [r for r in caplog.records if r.name == "commentsvc.access"]
    assert line.front_cache is True and line.route == JSON_ROUTE and line.status == 200
    assert line.request_id == response.headers["X-Request-ID"]
    assert REGISTRY.get_sample_value(count, labels) == before + 1


# -- the middleware alone, in front of a stand-in app ----------------------------------------


def _stand_in(thread, *, vary: str | None = None, size: int = 100):
    calls: list[str] = []

    def wsgi(environ, start_response):
        calls.append(environ["PATH_INFO"])
        environ[edge.OFFER] = edge.Offer(thread.site_id, thread.url, (thread.id, thread.version))
        headers = [("Content-Type", "text/plain")] + ([("Vary", vary)] if vary else [])
        start_response("200 OK", headers)
        return [environ["PATH_INFO"].encode().ljust(size, b".")]

    return wsgi, calls


def _front(app, wsgi, *, max_bytes=10_000, clock=lambda: 0.0) -> edge.FrontCache:
    return edge.FrontCache(
        wsgi, engine=db.engine, secret="s" * 32, max_bytes=max_bytes, clock=clock
    )


@pytest.mark.parametrize(
    ("vary", "kept"), [("Accept-Language, Origin", True), ("Cookie", False), ("*", False)]
)
def test_a_response_is_kept_only_if_its_vary_headers_are_keyed(app, thread, vary, kept) -> None:
    wsgi, calls = _stand_in(thread, vary=vary)
    client = Client(_front(app, wsgi))
    client.get("/a"), client.get("/a")
    assert calls == (["/a"] if kept else ["/a", "/a"])


def test_kept_bytes_stay_within_the_budget_oldest_out_first(app, thread) -> None:
    wsgi, calls = _stand_in(thread, size=300)
    front = _front(app, wsgi, max_bytes=2400)
    client = Client(front)
    paths = [f"/{letter}" for letter in "abcdefghi"]
    for path in paths:
        client.get(path)
    assert front.kept_bytes == 2400 and len(front) == 8
    client.get("/i"), client.get("/a")
    assert calls == [*paths, "/a"]


def test_a_response_bigger_than_an_eighth_of_the_budget_is_not_kept(app, thread) -> None:
    wsgi, calls = _stand_in(thread, size=301)
    client = Client(_front(app, wsgi, max_bytes=2400))
    client.get("/a"), client.get("/a")
    assert calls == ["/a", "/a"]


def test_entries_live_at_most_as_long_as_a_site_copy(app, thread) -> None:
    now = [100.0]
    wsgi, calls = _stand_in(thread)
    client = Client(_front(app, wsgi, clock=lambda: now[0]))
    client.get("/a"), client.get("/a")
    now[0] += edge.ENTRY_SECONDS + 0.1
    client.get("/a")
    assert calls == ["/a", "/a"]


def test_a_database_that_does_not_answer_sends_reads_to_flask(app, thread, monkeypatch) -> None:
    wsgi, calls = _stand_in(thread)
    front = _front(app, wsgi)
    client = Client(front)
    client.get("/a")
    from sqlalchemy.exc import OperationalError

    def down():
        raise OperationalError("connect", {}, Exception("database is down"))

    monkeypatch.setattr(front._engine, "raw_connection", down)
    response = client.get("/a")
    assert response.status_code == 200 and calls == ["/a", "/a"]
