"""Invariant I5 for the refusals outside ``test_bad_inputs.py``: failed and throttled logins,
CSRF failures, rate limits, oversized bodies, unknown paths; and the neutralising itself.

The corpus rows of the form, API and iframe are judged in ``test_bad_inputs.py``.
"""

from __future__ import annotations

import json
import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from commentsvc.logs import JsonFormatter
from commentsvc.security_log import neutralise
from tests.factories import PASSWORD, make_moderator, make_site, make_thread
from tests.security.eventlog import (
    HOSTILE_AGENT,
    RAW_UNSAFE,
    captured_events,
    i5_problems,
)
from tests.security.test_accounts import csrf_token, login
from tests.security.world import BASE, ORIGIN_A, World, api_post, build_world

SOURCE = "198.51.100.99"
MOD_EMAIL = "guard@site-a.example.org"


def hostile_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=SOURCE, HTTP_USER_AGENT=HOSTILE_AGENT)
    return client


@pytest.fixture
def moderator_site(app: Flask):
    site = make_site("guarded", origins=["https://guarded.example.org"], mode="pre")
    make_thread(site)
    return make_moderator(MOD_EMAIL, sites=[site])


def test_a_failed_login_is_logged_without_the_account_or_the_password(
    web: Flask, moderator_site
) -> None:
    client = hostile_client(web)
    token = csrf_token(client)
    with captured_events() as log:
        answer = client.post(
            "/admin/login",
            data={"email": MOD_EMAIL, "password": "Tr0ub4dor&3-guess", "csrf_token": token},
        )
    assert answer.status_code == 401
    secrets = [MOD_EMAIL, "Tr0ub4dor&3-guess", PASSWORD, token]
    assert i5_problems(log, status=401, ip=SOURCE, secrets=secrets) == []
    (event,) = log.events()
    assert event["reason"] == "login_wrong" and event["level"] == "warning"
    assert event["route"] == "/admin/login"


def test_a_throttled_login_is_logged_as_such(web: Flask, moderator_site) -> None:
    client = hostile_client(web)
    for _ in range(5):
        login(client, MOD_EMAIL, "wrong-password")
    with captured_events() as log:
        answer = login(client, MOD_EMAIL, "wrong-password")
    assert answer.status_code == 429
    assert i5_problems(log, status=429, ip=SOURCE, secrets=[MOD_EMAIL, "wrong-password"]) == []
    assert log.events()[0]["reason"] == "login_throttled"


@pytest.mark.parametrize("token", [None, "forged-token-value-123"], ids=["missing", "forged"])
def test_a_csrf_failure_is_logged(web: Flask, moderator_site, token: str | None) -> None:
    client = hostile_client(web)
    login(client, MOD_EMAIL)
    data = {"action": "approve"} | ({"csrf_token": token} if token else {})
    with captured_events() as log:
        answer = client.post("/admin/bulk", data=data)
    assert answer.status_code in (400, 403)
    assert i5_problems(log, status=answer.status_code, ip=SOURCE, secrets=[token or ""]) == []
    assert log.events()[0]["reason"] == "csrf"


def test_a_forged_login_form_is_logged(web: Flask, moderator_site) -> None:
    client = hostile_client(web)
    with captured_events() as log:
        answer = client.post("/admin/login", data={"email": MOD_EMAIL, "password": PASSWORD})
    assert answer.status_code in (400, 403)
    assert i5_problems(log, status=answer.status_code, ip=SOURCE, secrets=[MOD_EMAIL]) == []
    assert log.events()[0]["reason"] in ("csrf", "form_invalid")


class TestRateLimit:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"RATELIMIT_ENABLED": True}

    def test_a_rate_limited_post_is_logged(self, client: FlaskClient, app: Flask) -> None:
        world: World = build_world()
        client.environ_base.update(REMOTE_ADDR=SOURCE, HTTP_USER_AGENT=HOSTILE_AGENT)
        statuses = []
        with captured_events() as log:
            for n in range(8):
                document = {**BASE, "url": world.thread_a1.url, "body": f"Message {n} du déluge"}
                statuses.append(api_post(client, "site-a", document, Origin=ORIGIN_A).status_code)
                if statuses[-1] == 429:
                    break
                log.clear()
        assert statuses[-1] == 429, statuses
        assert i5_problems(log, status=429, ip=SOURCE, secrets=[BASE["email"]]) == []
        assert log.events()[0]["reason"] == "rate_limited"


@pytest.mark.parametrize(
    ("path", "content_type", "size", "status", "reason"),
    [
        ("/api/v1/sites/site-a/comments", "application/json", 10 * 2**20, 413, "payload_too_large"),
        ("/embed/site-a/comments", "application/x-www-form-urlencoded", 2**20, 413, None),
        ("/api/v1/sites/site-a/comments", "text/plain", 100, 415, "unsupported_media_type"),
        ("/embed/site-a/comments", "application/json", 100, 415, "unsupported_media_type"),
    ],
)
def test_size_and_type_refusals_are_logged(
    client: FlaskClient, app: Flask, path, content_type, size, status, reason
) -> None:
    build_world()
    client.environ_base.update(REMOTE_ADDR=SOURCE, HTTP_USER_AGENT=HOSTILE_AGENT)
    with captured_events() as log:
        answer = client.post(path, data=b"a" * size, content_type=content_type)
    assert answer.status_code == status
    assert i5_problems(log, status=status, ip=SOURCE, secrets=["a" * 64]) == []
    assert log.events()[0]["reason"] == (reason or "payload_too_large")


def test_an_unknown_path_is_logged_neutralised(client: FlaskClient) -> None:
    client.environ_base.update(REMOTE_ADDR=SOURCE)
    hostile = '/wp-admin/%1b[2J%0a{"level":"error"}%e2%80%a8%c2%85%e2%80%ae/alice@example.org'
    with captured_events() as log:
        answer = client.get(hostile, headers={"Accept": "text/html"})
    assert answer.status_code == 404
    assert i5_problems(log, status=404, ip=SOURCE, secrets=["alice@example.org"]) == []
    path = log.events()[0]["path"]
    assert path.startswith("/wp-admin/\\u001b[2J\\u000a") and "…@example.org" in path


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text", "plain text"),
        ("a\nb\rc", "a\\u000ab\\u000dc"),
        ("\x1b[31mred", "\\u001b[31mred"),
        ("nel\x85 ls\u2028 ps\u2029", "nel\\u0085 ls\\u2028 ps\\u2029"),
        ("\u202egnp.exe", "\\u202egnp.exe"),
        ("mail bob.smith+x@example.co.uk now", "mail …@example.co.uk now"),
        ("x" * 500, "x" * 200 + "…"),
        (None, ""),
    ],
)
def test_neutralise(raw: str | None, shown: str) -> None:
    assert neutralise(raw) == shown


def test_every_json_log_line_escapes_what_could_end_or_reorder_it() -> None:
    # The access log keeps the raw path: the formatter itself must not let separators through.
    record = logging.makeLogRecord(
        {"name": "commentsvc.access", "msg": "request", "path": "/a\x85b\u2028c\u2029d\u202ee\x7f"}
    )
    line = JsonFormatter().format(record)
    assert not RAW_UNSAFE.search(line) and len(line.splitlines()) == 1
    assert json.loads(line)["path"] == "/a\x85b\u2028c\u2029d\u202ee\x7f"


@pytest.mark.parametrize("path", ["/admin/queue", "/admin/api-tokens"])
def test_an_admin_page_without_a_session_is_logged(web: Flask, moderator_site, path) -> None:
    """BI-089/BI-090: no session, or a dead one, is sent to the login page, and logged."""
    client = hostile_client(web)
    with captured_events() as log:
        answer = client.get(path)
    assert answer.status_code == 302 and "/admin/login" in answer.headers["Location"]
    assert i5_problems(log, status=302, ip=SOURCE, secrets=[]) == []
    assert log.events()[0]["reason"] == "login_required"


def test_a_successful_request_is_no_event(web: Flask, moderator_site) -> None:
    client = hostile_client(web)
    with captured_events() as log:
        assert client.get("/admin/login").status_code == 200
        assert login(client, MOD_EMAIL).status_code in (302, 303)
        assert client.get("/admin/queue").status_code == 200
    assert log.events() == []
