"""Malformed requests beyond the corpus rows: sizes, encodings, types, ids and URL tricks.

Each gets a clear 4xx (never a 500) and stores nothing.
"""

from __future__ import annotations

import io
import json

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, run_wsgi_app

from commentsvc.extensions import db
from commentsvc.models import Thread
from tests.security.world import (
    BASE,
    ORIGIN_A,
    World,
    api_post,
    build_world,
    form_token,
    stored_state,
)

TEN_MIB = 10 * 1024 * 1024


class CountingStream(io.RawIOBase):
    """A request body of ``size`` bytes that records how much of it the server read."""

    def __init__(self, size: int, chunk: bytes = b"a") -> None:
        self.size = size
        self.read_bytes = 0
        self.chunk = chunk

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.read_bytes)
        buffer[:n] = self.chunk * n
        self.read_bytes += n
        return n


@pytest.fixture
def world(app) -> World:
    return build_world()


@pytest.mark.parametrize("path", ["/api/v1/sites/site-a/comments", "/embed/site-a/comments"])
def test_ten_mib_body_is_refused_before_it_is_read(app, world, path) -> None:
    body = CountingStream(TEN_MIB)
    content_type = "application/json" if "/api/" in path else "application/x-www-form-urlencoded"
    environ = EnvironBuilder(path, method="POST", content_type=content_type).get_environ()
    environ.update({"wsgi.input": body, "CONTENT_LENGTH": str(TEN_MIB)})
    _body, status, _headers = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("413")
    assert body.read_bytes == 0
    assert stored_state()[1] == 6


def test_chunked_body_without_length_is_cut_at_the_limit(client: FlaskClient, world, app) -> None:
    """bad_inputs.tsv BI-005: the size limit holds without Content-Length too."""
    body = CountingStream(TEN_MIB, b" ")
    answer = client.post(
        "/api/v1/sites/site-a/comments",
        content_type="application/json",
        environ_overrides={"wsgi.input": body, "wsgi.input_terminated": True},
        headers={"Transfer-Encoding": "chunked"},
    )
    assert answer.status_code in (400, 413)
    assert body.read_bytes <= app.config["MAX_CONTENT_LENGTH"] + 65536


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data; boundary=x", "application/json", "text/plain", ""]
)
def test_form_post_with_a_wrong_content_type(client: FlaskClient, world, content_type) -> None:
    before = stored_state()
    answer = client.post(
        "/embed/site-a/comments", data=b"body=hello", headers={"Content-Type": content_type}
    )
    assert answer.status_code in (400, 415)
    assert stored_state() == before


@pytest.mark.parametrize(
    "path",
    [
        "/embed/site-a/comments/99999999999999999999999/like",
        "/embed/site-a/comments/0/report",
        "/embed/site-a/comments/2147483648/delete",
        "/api/v1/comments/99999999999999999999999/like",
        "/api/v1/comments/0/report",
    ],
)
def test_impossible_ids_are_not_found(client: FlaskClient, world, path) -> None:
    token = form_token(client, "site-a", world.thread_a1.url)
    answer = client.post(
        path, data={"token": token, "url": world.thread_a1.url, "reason": "spam", "edit_key": "x"}
    )
    assert 400 <= answer.status_code < 500
    assert answer.status_code != 405


@pytest.mark.parametrize(
    "query",
    [
        {"reply": "-1"},
        {"reply": "99999999999999999999999"},
        {"reply": "abc"},
        {"act": "like", "c": "99999999999999999999999"},
        {"act": "report", "c": "-5"},
        {"sort": "'; DROP TABLE comments; --"},
        {"cursor": "not-a-cursor"},
        {"cursor": "A" * 5000},
        {"lang": "../../etc/passwd"},
        {"mine": "forged.signature.value"},
    ],
)
def test_iframe_parameters_out_of_range(client: FlaskClient, world, query) -> None:
    answer = client.get("/embed/site-a", query_string={"url": world.thread_a1.url, **query})
    assert answer.status_code in (200, 400, 404), answer.status_code


@pytest.mark.parametrize(
    "raw", [b"url=https%3A%2F%2Fsite-a.test%2Fx%ff", b"url=https://site-a.test/%00", b"url=%c3%28"]
)
def test_invalid_bytes_in_the_query_string(client: FlaskClient, world, raw) -> None:
    answer = client.get("/embed/site-a?" + raw.decode("ascii"))
    assert answer.status_code == 400


@pytest.mark.parametrize(
    "trick",
    [
        "/posts/../posts/a1",
        "/posts/./a1",
        "/posts//a1",
        "/POSTS/a1/../a1",
    ],
)
def test_dot_segments_do_not_make_another_thread(client: FlaskClient, world, trick) -> None:
    """A page reached through a spelling with dot segments is still one thread."""
    answer = api_post(client, "site-a", {**BASE, "url": ORIGIN_A + trick}, Origin=ORIGIN_A)
    assert answer.status_code in (201, 400, 403, 404, 422)
    db.session.rollback()
    urls = set(db.session.scalars(db.select(Thread.url)))
    assert not any("/./" in url or "/../" in url for url in urls), urls


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            "author": st.text(max_size=120),
            "email": st.one_of(st.text(max_size=40), st.emails()),
            "website": st.one_of(st.text(max_size=40), st.just("javascript:alert(1)")),
            "body": st.text(max_size=300),
            "parent_id": st.one_of(st.text(max_size=12), st.integers().map(str)),
            "title": st.text(max_size=50),
            "homepage": st.text(max_size=5),
        },
    )
)
def test_any_form_post_is_answered_and_refusals_store_nothing(
    client: FlaskClient, world, fields
) -> None:
    """Hypothesis over the form: no 500, a refusal stores nothing, a success stores one."""
    token = form_token(client, "site-a", world.thread_a1.url)
    data = {"url": world.thread_a1.url, "token": token, **fields}
    before = stored_state()
    answer = client.post("/embed/site-a/comments", data=data)
    assert answer.status_code < 500, answer.get_data(as_text=True)[:300]
    after = stored_state()
    if answer.status_code == 303:
        assert after[1] == before[1] + 1
    else:
        assert 400 <= answer.status_code < 500
        assert after[:2] == before[:2]


def test_api_json_of_every_type_is_answered(client: FlaskClient, world) -> None:
    for value in [None, 0, -1, 1.5, True, "", [], {}, "x" * 300, [1, 2], {"a": 1}]:
        for field in ("author", "email", "website", "body", "parent_id", "url", "title"):
            document = {**BASE, "url": world.thread_a1.url, field: value}
            answer = api_post(client, "site-a", json.dumps(document).encode(), Origin=ORIGIN_A)
            assert answer.status_code < 500, (field, value)
