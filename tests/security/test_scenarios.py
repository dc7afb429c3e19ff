"""The multi-step rows of bad_inputs.tsv: double posts, floods, forged X-Forwarded-For."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.security.world import BASE, ORIGIN_A, World, api_post, build_world, stored_state


@pytest.fixture
def world(app) -> World:
    return build_world()


def _post(client: FlaskClient, world: World, body: str, **headers: str):
    document = {**BASE, "url": world.thread_a1.url, "body": body}
    return api_post(client, world.site_a.name, document, Origin=ORIGIN_A, **headers)


def test_bi066_the_same_comment_twice_is_stored_once(client: FlaskClient, world: World) -> None:
    first = _post(client, world, "Exactement le même texte, envoyé deux fois.")
    second = _post(client, world, "Exactement le même texte, envoyé deux fois.")
    assert first.status_code == 201
    assert second.status_code in (409, 429) or (
        second.status_code == 201
        and second.get_json()["comment"]["id"] == first.get_json()["comment"]["id"]
    )
    assert stored_state()[1] == 7  # the six of the world, and one


class TestFlood:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"RATELIMIT_ENABLED": True}

    @pytest.mark.parametrize("forwarded", [False, True], ids=["BI-067", "BI-068"])
    def test_thirty_posts_in_a_minute_hit_the_limit(
        self, client: FlaskClient, world: World, forwarded: bool
    ) -> None:
        answers = []
        for n in range(30):
            # BI-068: a new X-Forwarded-For on every post changes nothing without a trusted proxy.
            headers = {"X-Forwarded-For": f"203.0.113.{n + 1}"} if forwarded else {}
            answers.append(_post(client, world, f"Message numéro {n} du déluge", **headers))
        statuses = [a.status_code for a in answers]
        assert 429 in statuses, statuses
        limited = [a for a in answers if a.status_code == 429]
        assert all(int(a.headers["Retry-After"]) > 0 for a in limited)
        assert all(a.mimetype == "application/problem+json" for a in limited)
        accepted = sum(1 for s in statuses if s == 201)
        assert stored_state()[1] == 6 + accepted  # over-limit comments are not stored
        assert accepted <= 10
