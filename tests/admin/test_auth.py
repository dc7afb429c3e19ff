import pytest

from commentsvc.admin.login import ACCOUNT_FREE_FAILURES, lock_delay
from tests.admin.conftest import csrf, login, post
from tests.factories import PASSWORD


def test_admin_pages_require_sign_in(client) -> None:
    response = client.get("/admin/queue?tab=spam")
    assert response.status_code == 302
    assert "/admin/login?next=/admin/queue?tab%3Dspam" in response.headers["Location"]


def test_sign_in_and_out(client, moderator) -> None:
    response = login(client, moderator)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/queue")
    assert client.get("/admin/queue").status_code == 200
    assert post(client, "/admin/logout").status_code == 302
    assert client.get("/admin/queue").status_code == 302


def test_wrong_password_is_401_with_a_message(client, moderator) -> None:
    response = login(client, moderator, "wrong password!")
    assert response.status_code == 401
    # French by default: the first publisher is French.
    assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)
    assert client.get("/admin/queue").status_code == 302


def test_login_in_english(client, moderator) -> None:
    token = csrf(client)
    response = client.post(
        "/admin/login",
        data={"email": moderator.email, "password": "nope nope nope", "csrf_token": token},
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    assert "Wrong e-mail address or password" in response.get_data(as_text=True)


def test_language_switch_is_kept_in_the_session(client, moderator) -> None:
    client.get("/admin/language/en?next=/admin/login")
    assert "Sign in" in client.get("/admin/login").get_data(as_text=True)
    client.get("/admin/language/fr")
    assert "Se connecter" in client.get("/admin/login").get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, moderator) -> None:
    response = client.post("/admin/login", data={"email": moderator.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/queue").status_code == 302


def test_next_cannot_leave_the_admin(client, moderator) -> None:
    token = csrf(client)
    response = client.post(
        "/admin/login?next=https://evil.example.com/admin/",
        data={"email": moderator.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"].endswith("/admin/queue")


def test_account_is_throttled_after_repeated_failures(client, moderator) -> None:
    for _ in range(ACCOUNT_FREE_FAILURES):
        assert login(client, moderator, "bad password 123").status_code == 401
    # Locked: even the right password waits, and the page says how long.
    response = login(client, moderator)
    assert response.status_code == 429
    assert "Patientez" in response.get_data(as_text=True)


def test_unknown_account_is_throttled_the_same_way(client) -> None:
    class Ghost:
        email = "ghost@example.org"

    for _ in range(ACCOUNT_FREE_FAILURES):
        assert login(client, Ghost, "whatever 1234").status_code == 401
    assert login(client, Ghost, "whatever 1234").status_code == 429


def test_ip_is_throttled_across_accounts(client, moderator) -> None:
    class Someone:
        def __init__(self, n):
            self.email = f"user{n}@example.org"

    for n in range(20):
        login(client, Someone(n), "guess guess")
    assert login(client, moderator).status_code == 429


@pytest.mark.parametrize(("count", "delay"), [(4, 0), (5, 30), (6, 60), (7, 120), (30, 3600)])
def test_lock_delay_doubles(count, delay) -> None:
    assert lock_delay(count, 5) == delay


def test_session_cookie_flags(client, moderator) -> None:
    response = login(client, moderator)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_secure_under_https(client, moderator) -> None:
    token = csrf(client)
    response = client.post(
        "/admin/login",
        data={"email": moderator.email, "password": PASSWORD, "csrf_token": token},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/admin/login"},
    )
    assert response.status_code == 302
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if "session=" in c)
    assert "Secure" in session_cookie


def test_sign_in_starts_a_new_session(client, moderator) -> None:
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, moderator)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")


def test_admin_is_never_frameable(client, moderator) -> None:
    for path in ("/admin/login",):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
    login(client, moderator)
    response = client.get("/admin/queue")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_password_change_ends_other_sessions(app, moderator) -> None:
    first, second = app.test_client(), app.test_client()
    login(first, moderator)
    login(second, moderator)
    response = post(
        first,
        "/admin/password",
        {"current": PASSWORD, "new": "a brand new password", "confirm": "a brand new password"},
    )
    assert response.status_code == 302
    assert first.get("/admin/queue").status_code == 200
    assert second.get("/admin/queue").status_code == 302
    assert login(app.test_client(), moderator, "a brand new password").status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "confirm", "status"),
    [
        ("wrong one!!", "a brand new password", "a brand new password", 403),
        (PASSWORD, "short", "short", 400),
        (PASSWORD, "a brand new password", "another password!", 400),
        (PASSWORD, PASSWORD, PASSWORD, 422),
    ],
)
def test_bad_password_changes_are_refused(signed_in, current, new, confirm, status) -> None:
    response = post(
        signed_in, "/admin/password", {"current": current, "new": new, "confirm": confirm}
    )
    assert response.status_code == status
    assert 'class="error"' in response.get_data(as_text=True)


def test_menu_links_the_other_admin_pages(client, admin) -> None:
    login(client, admin)
    page = client.get("/admin/queue").get_data(as_text=True)
    assert 'href="/admin/api-tokens"' in page and 'href="/admin/personal-data"' in page
