"""Two separate ``commentsvc serve`` on one PostgreSQL and one Redis behave as one service."""

import re
import secrets
import urllib.parse

import pytest

from commentsvc import create_app
from commentsvc.extensions import db
from tests.conftest import PG_URL, REDIS_URL, _truncate_all, base_config
from tests.factories import PASSWORD, make_moderator, make_site
from tests.production.serving import browser, running_server, server_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

ORIGIN = "https://news.example.fr"
PAGE = f"{ORIGIN}/articles/deux-serveurs"
PER_MINUTE = 5  # moderation.limits.DEFAULT_PER_IP


@pytest.fixture
def shared_database(postgres_schema: str) -> str:
    """The PostgreSQL test database, migrated and emptied, with a site and a moderator."""
    app = create_app(base_config(PG_URL))
    _truncate_all(app)
    with app.app_context():
        site = make_site("duo", origins=[ORIGIN], mode="post")
        make_moderator("chef@example.org", is_admin=True, sites=[site])
        db.session.remove()
        db.engine.dispose()
    return PG_URL


@pytest.fixture
def servers(shared_database, tmp_path):
    # A secret of its own: the rate-limit keys (hashed addresses) of earlier runs don't count.
    env = server_env(shared_database, REDIS_URL=REDIS_URL, SECRET_KEY=secrets.token_hex(24))
    with (
        running_server(env, tmp_path) as first,
        running_server(env, tmp_path) as second,
    ):
        yield first, second


def _thread(server) -> dict:
    reply = server.request("/api/v1/sites/duo/comments?" + urllib.parse.urlencode({"url": PAGE}))
    assert reply.status == 200, reply.text
    return reply.json()


def _count(server) -> int:
    query = urllib.parse.urlencode({"url": PAGE})
    return server.request(f"/api/v1/sites/duo/counts?{query}").json()["counts"][PAGE]


def _post(server, body: str):
    return server.post_json(
        "/api/v1/sites/duo/comments",
        {"url": PAGE, "author": "Camille", "email": "camille@example.fr", "body": body},
    )


def _iframe(server) -> str:
    return server.request("/embed/duo?" + urllib.parse.urlencode({"url": PAGE})).text


def _reject_as_moderator(server, comment_id: int) -> None:
    """Sign in to the admin of ``server`` and reject the comment, as a moderator would."""
    client = browser()
    login = server.request("/admin/login", opener=client).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login)
    token = token or re.search(r'name="csrf_token" value="([^"]+)"', login)
    form = {"csrf_token": token.group(1), "email": "chef@example.org", "password": PASSWORD}
    signed_in = server.request(
        "/admin/login", method="POST", data=urllib.parse.urlencode(form).encode(), opener=client
    )
    assert signed_in.status == 200, signed_in.text[:500]
    detail = server.request(f"/admin/comments/{comment_id}", opener=client).text
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', detail).group(1)
    revision = re.search(r'name="revision" value="(\d+)"', detail).group(1)
    decision = {
        "csrf_token": csrf,
        "action": "reject",
        "revision": revision,
        "reason": "hors sujet",
    }
    done = server.request(
        f"/admin/comments/{comment_id}/decide",
        method="POST",
        data=urllib.parse.urlencode(decision).encode(),
        opener=client,
    )
    assert done.status == 200, done.text[:500]


def test_two_servers_are_one_service(servers) -> None:
    first, second = servers
    # Both caches are warm with the empty thread.
    assert _thread(first)["count"] == _thread(second)["count"] == 0
    assert _count(second) == 0

    posted = _post(first, "Un avis posté sur le premier serveur, lu sur le second.")
    assert posted.status == 201, posted.text
    comment_id = posted.json()["comment"]["id"]
    # Visible and counted through the other server at once.
    assert [c["id"] for c in _thread(second)["comments"]] == [comment_id]
    assert _count(second) == 1
    assert "lu sur le second" in _iframe(second)

    # A moderator's decision through the second server empties the first one's cache.
    assert "lu sur le second" in _iframe(first)
    _reject_as_moderator(second, comment_id)
    assert _thread(first)["comments"] == []
    assert _count(first) == 0
    assert "lu sur le second" not in _iframe(first)

    # One allowance per reader, whichever server they reach (one post was made above).
    statuses = [
        _post(server, f"Avis numéro {n}, en alternance.").status
        for n, server in enumerate([second, first] * PER_MINUTE)
    ]
    assert statuses[: PER_MINUTE - 1] == [201] * (PER_MINUTE - 1)
    assert set(statuses[PER_MINUTE - 1 :]) == {429}
