"""Admin test helpers: sign in through the real form, CSRF tokens read from the pages."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD, make_moderator, make_site, make_thread

TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf(client, path: str = "/admin/login") -> str:
    html = client.get(path).get_data(as_text=True)
    found = TOKEN.search(html) or META.search(html)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def login(client, moderator, password: str = PASSWORD):
    token = csrf(client)
    return client.post(
        "/admin/login",
        data={"email": moderator.email, "password": password, "csrf_token": token},
    )


def post(client, path: str, data: dict | None = None, **kw):
    """A form post with a valid CSRF token of this client's session."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf(client, "/admin/queue"))
    return client.post(path, data=data, **kw)


@pytest.fixture
def site(app):
    return make_site("lebigdata", mode="pre", lang="fr")


@pytest.fixture
def other_site(app):
    return make_site("autre", origins=["https://autre.example.org"], mode="pre")


@pytest.fixture
def thread(site):
    return make_thread(site, title="Un article")


@pytest.fixture
def moderator(site):
    return make_moderator("modo@example.org", sites=[site])


@pytest.fixture
def admin(site):
    return make_moderator("chef@example.org", is_admin=True)


@pytest.fixture
def signed_in(client, moderator):
    assert login(client, moderator).status_code == 302
    return client


@pytest.fixture
def admin_client(client, admin):
    assert login(client, admin).status_code == 302
    return client
