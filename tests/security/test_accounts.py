"""Moderator accounts: throttled logins, fresh sessions, real logout, CSRF, no framing, and no
way into another site's data (bad_inputs.tsv rows with ``surface = admin`` included)."""

from __future__ import annotations

import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient

from commentsvc.extensions import db
from commentsvc.models import Comment, Status
from tests.factories import PASSWORD, make_comment, make_moderator, make_site, make_thread

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def client_at(app: Flask, ip: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def csrf_token(client: FlaskClient, path: str = "/admin/login") -> str:
    match = CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login(client: FlaskClient, email: str, password: str = PASSWORD, *, next_: str | None = None):
    token = csrf_token(client)
    query = {"next": next_} if next_ else {}
    return client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": token},
        query_string=query,
    )


@pytest.fixture
def two_sites(app: Flask):
    site_a = make_site("alpha", origins=["https://alpha.example.org"], mode="pre")
    site_b = make_site("beta", origins=["https://beta.example.org"], mode="pre")
    thread_a = make_thread(site_a)
    thread_b = make_thread(site_b)
    return {
        "site_a": site_a,
        "site_b": site_b,
        "mod_a": make_moderator("moda@example.org", sites=[site_a]),
        "pending_a": make_comment(thread_a, "En attente A", status=Status.PENDING),
        "pending_b": make_comment(
            thread_b, "Secret B", status=Status.PENDING, author_email="secret-b@example.org"
        ),
        "published_b": make_comment(thread_b, "Publié B"),
    }


def _status(comment_id: int) -> str:
    db.session.rollback()
    return db.session.get(Comment, comment_id).status


# ---- brute force (BI-083, BI-084, BI-085, BI-086) -------------------------------------------


def test_login_brute_force_is_throttled_with_one_generic_message(web: Flask, two_sites) -> None:
    # An unknown account gets the same answer as a wrong password.
    unknown = login(client_at(web, "203.0.113.51"), "nobody@example.org", "wrong-password")
    wrong = login(client_at(web, "203.0.113.52"), "moda@example.org", "wrong-password")
    assert unknown.status_code == wrong.status_code == 401
    assert _message(unknown) == _message(wrong) != ""

    attacker = client_at(web, "203.0.113.50")
    answers = [login(attacker, "moda@example.org", "wrong-password") for _ in range(20)]
    statuses = [a.status_code for a in answers]
    first_throttled = next((i for i, s in enumerate(statuses) if s in (423, 429)), None)
    assert first_throttled is not None and first_throttled <= 10, statuses
    assert all(s in (401, 423, 429) for s in statuses), statuses
    # The real moderator, from their own address, is not locked out by the attacker.
    assert login(client_at(web, "198.51.100.77"), "moda@example.org").status_code in (302, 303)


def _message(response) -> str:
    text = response.get_data(as_text=True)
    errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<', text)
    return " ".join(errors)


def test_injection_shaped_user_name_gets_the_generic_refusal(web: Flask, two_sites) -> None:
    answer = login(client_at(web, "203.0.113.60"), "admin' OR '1'='1' --", "x")
    assert answer.status_code in (400, 401)


def test_a_megabyte_password_is_refused_quickly(web: Flask, two_sites) -> None:
    started = time.monotonic()
    answer = login(client_at(web, "203.0.113.61"), "moda@example.org", "a" * 1048576)
    assert answer.status_code in (400, 401, 413)
    assert time.monotonic() - started < 2


def test_password_is_not_truncated_at_nul(web: Flask, two_sites) -> None:
    answer = login(client_at(web, "203.0.113.62"), "moda@example.org", PASSWORD + "\x00extra")
    assert answer.status_code in (400, 401)
    assert not _signed_in(client_at(web, "203.0.113.62"))


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/admin/queue").status_code == 200


# ---- sessions (fixation, logout, BI-089, BI-090) --------------------------------------------


def test_login_starts_a_fresh_session(web: Flask, two_sites) -> None:
    client = client_at(web, "198.51.100.1")
    with client.session_transaction() as planted:
        planted["planted_by_attacker"] = "yes"
    before = client.get_cookie("session").value
    assert login(client, "moda@example.org").status_code in (302, 303)
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as session:
        assert "planted_by_attacker" not in session


def test_logout_kills_the_session_even_for_a_copied_cookie(web: Flask, two_sites) -> None:
    client = client_at(web, "198.51.100.2")
    login(client, "moda@example.org")
    stolen = client.get_cookie("session").value
    assert _signed_in(client)
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/queue")})
    assert not _signed_in(client)
    # Same address and browser: Flask-Login's "strong" protection cannot tell them apart.
    replay = client_at(web, "198.51.100.2")
    replay.set_cookie("session", stolen)
    answer = replay.get("/admin/queue")
    assert answer.status_code in (302, 401, 403)
    if answer.status_code == 302:
        assert answer.headers["Location"].startswith("/admin/login")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/admin/queue"),
        ("GET", "/admin/comments/{pending_a}"),
        ("POST", "/admin/comments/{pending_a}/decide"),
        ("POST", "/admin/bulk"),
        ("GET", "/api/v1/moderation/queue"),
    ],
)
def test_no_session_no_data(web: Flask, two_sites, method: str, path: str) -> None:
    client = client_at(web, "198.51.100.9")
    path = path.format(pending_a=two_sites["pending_a"].id)
    answer = client.open(path, method=method, data={"action": "approve"})
    assert answer.status_code in (302, 401, 403, 400)
    if answer.status_code == 302:
        assert "/admin/login" in answer.headers["Location"]
    assert _status(two_sites["pending_a"].id) == Status.PENDING


# ---- open redirect after login (BI-087, BI-088) ----------------------------------------------


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/%2f..", "/\\evil.example"]
)
def test_login_never_redirects_off_site(web: Flask, two_sites, target: str) -> None:
    answer = login(client_at(web, "198.51.100.20"), "moda@example.org", next_=target)
    assert answer.status_code in (200, 302, 303)
    location = answer.headers.get("Location", "")
    assert "evil.example" not in location


# ---- CSRF on every state-changing admin form (BI-056, BI-057) --------------------------------

STATE_CHANGING = [
    ("/admin/comments/{pending_a}/decide", {"action": "approve"}),
    ("/admin/comments/{pending_a}/edit", {"body": "Changed by a forged form"}),
    ("/admin/comments/{pending_a}/claim", {}),
    ("/admin/bulk", {"action": "approve", "selected": "{pending_a}"}),
    ("/admin/by-score", {"site": "alpha", "action": "approve", "min_score": "0", "confirm": "1"}),
    ("/admin/sites/alpha/settings", {"origins": "https://evil.example"}),
    (
        "/admin/password",
        {"current": PASSWORD, "new": "n3w-password-long", "confirm": "n3w-password-long"},
    ),
    ("/admin/api-tokens", {"name": "forged"}),
    ("/admin/personal-data", {"email": "secret-b@example.org", "action": "erase"}),
    ("/admin/audit/1/undo", {}),
    ("/admin/logout", {}),
]


@pytest.mark.parametrize(("path", "data"), STATE_CHANGING, ids=lambda v: str(v)[:30])
def test_state_changing_admin_forms_need_the_csrf_token(
    web: Flask, two_sites, path: str, data: dict
) -> None:
    assert web.config.get("WTF_CSRF_ENABLED", True)
    client = client_at(web, "198.51.100.30")
    login(client, "moda@example.org")
    pending = two_sites["pending_a"].id
    data = {k: v.format(pending_a=pending) for k, v in data.items()}
    answer = client.post(path.format(pending_a=pending), data=data)
    assert answer.status_code in (400, 403), answer.status_code
    assert _status(pending) == Status.PENDING
    assert _signed_in(client)  # the forged logout did not log out either


def test_moderation_action_by_get_changes_nothing(web: Flask, two_sites) -> None:
    client = client_at(web, "198.51.100.31")
    login(client, "moda@example.org")
    pending = two_sites["pending_a"].id
    answer = client.get(f"/admin/comments/{pending}/decide", query_string={"action": "approve"})
    assert answer.status_code in (403, 404, 405)
    assert _status(pending) == Status.PENDING


# ---- no framing, cookie flags --------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/login", "/admin/queue", "/admin/stats", "/admin/sites"])
def test_admin_cannot_be_framed(web: Flask, two_sites, path: str) -> None:
    client = client_at(web, "198.51.100.40")
    login(client, "moda@example.org")
    answer = client.get(path)
    csp = answer.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, csp
    assert answer.headers.get("X-Frame-Options") == "DENY"


def test_session_cookie_flags(web: Flask, two_sites) -> None:
    client = client_at(web, "198.51.100.41")
    answer = login(client, "moda@example.org")
    cookie = next(
        value for value in answer.headers.getlist("Set-Cookie") if value.startswith("session=")
    )
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert "httponly" in flags
    assert "samesite=lax" in cookie.lower() or "samesite=strict" in cookie.lower()


# ---- another site's data, by guessing ids ----------------------------------------------------


def _guess_everything(client: FlaskClient, ids: dict[str, int]) -> list[tuple[str, int, str]]:
    """Every admin route that takes an id or a site name, aimed at site beta."""
    token = csrf_token(client, "/admin/queue")
    b = ids["pending_b"]
    calls = [
        ("GET", f"/admin/comments/{b}", {}),
        ("POST", f"/admin/comments/{b}/claim", {}),
        ("POST", f"/admin/comments/{b}/decide", {"action": "approve"}),
        ("POST", f"/admin/comments/{b}/edit", {"body": "Changed"}),
        ("POST", "/admin/bulk", {"action": "approve", "selected": str(b)}),
        ("GET", "/admin/sites/beta/settings", {}),
        ("POST", "/admin/sites/beta/settings", {"origins": "https://evil.example"}),
        ("GET", "/admin/queue?site=beta", {}),
        ("GET", "/admin/queue/counts?site=beta", {}),
        ("GET", "/admin/stats?site=beta", {}),
        ("GET", "/admin/by-score?site=beta", {}),
        (
            "POST",
            "/admin/by-score?site=beta",
            {"site": "beta", "action": "approve", "min_score": "0", "confirm": "1"},
        ),
        ("GET", "/admin/audit?site=beta", {}),
    ]
    answers = []
    for method, path, data in calls:
        response = client.open(path, method=method, data={**data, "csrf_token": token})
        answers.append((f"{method} {path}", response.status_code, response.get_data(as_text=True)))
    return answers


def test_a_moderator_cannot_reach_another_sites_data(web: Flask, two_sites) -> None:
    client = client_at(web, "198.51.100.50")
    login(client, "moda@example.org")
    ids = {k: v.id for k, v in two_sites.items() if k.startswith(("pending", "published"))}
    for call, status, body in _guess_everything(client, ids):
        assert status < 500, call
        assert "Secret B" not in body, f"{call} shows site beta's comment"
        assert "secret-b@example.org" not in body, f"{call} shows site beta's author"
    assert _status(ids["pending_b"]) == Status.PENDING
    db.session.rollback()
    assert db.session.get(type(two_sites["site_b"]), two_sites["site_b"].id).origins == [
        "https://beta.example.org"
    ]
    assert db.session.get(Comment, ids["pending_b"]).body_source == "Secret B"


def test_the_other_id_taking_routes_refuse_another_sites_data(web: Flask, two_sites) -> None:
    """Undo of another site's audit entry, another moderator's API token, the admins' erasure,
    the moderation API's comment and decision calls: refused, and nothing changes."""
    from commentsvc.api.tokens import create_token
    from commentsvc.models import ApiToken, AuditEntry
    from commentsvc.moderation import actions
    from commentsvc.moderation.actions import Decision
    from commentsvc.moderation.audit import Action

    mod_b = make_moderator("modb@example.org", sites=[two_sites["site_b"]])
    actions.decide(two_sites["published_b"].id, Decision(Action.REJECT), moderator=mod_b)
    entry_b = db.session.query(AuditEntry).filter_by(moderator_id=mod_b.id).one()
    _token, token_row = create_token(mod_b, "beta's script")
    mod_a_token, _row = create_token(
        db.session.query(type(mod_b)).filter_by(email="moda@example.org").one(), "alpha's script"
    )
    client = client_at(web, "198.51.100.51")
    login(client, "moda@example.org")
    token = csrf_token(client, "/admin/queue")
    answers = [
        client.post(f"/admin/audit/{entry_b.id}/undo", data={"csrf_token": token}),
        client.post(f"/admin/api-tokens/{token_row.id}/revoke", data={"csrf_token": token}),
        client.post(
            "/admin/personal-data",
            data={"email": "secret-b@example.org", "action": "erase", "csrf_token": token},
        ),
    ]
    bearer = {"Authorization": f"Bearer {mod_a_token}"}
    pending_b = two_sites["pending_b"].id
    api = [
        web.test_client().get(f"/api/v1/moderation/comments/{pending_b}", headers=bearer),
        web.test_client().post(
            f"/api/v1/moderation/comments/{pending_b}/decision",
            json={"action": "approve"},
            headers=bearer,
        ),
    ]
    assert all(a.status_code < 500 for a in answers + api)
    assert all("Secret B" not in a.get_data(as_text=True) for a in answers + api)
    assert [a.status_code for a in api] == [403, 403]
    db.session.rollback()
    assert db.session.get(Comment, two_sites["published_b"].id).status == Status.REJECTED
    assert db.session.get(ApiToken, token_row.id).revoked_at is None
    assert db.session.get(Comment, pending_b).author_email == "secret-b@example.org"
    assert _status(pending_b) == Status.PENDING
