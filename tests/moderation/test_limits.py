import pytest
from flask import Flask

from commentsvc.extensions import csrf
from commentsvc.moderation.limits import limit_comment_posts
from tests.factories import make_site


@pytest.fixture
def app_config():
    return {
        "RATELIMIT_ENABLED": True,
        "COMMENT_RATE_LIMIT_PER_IP": "2 per minute; 3 per hour",
        "COMMENT_RATE_LIMIT_PER_THREAD": "4 per minute",
    }


def _add_post_routes(app: Flask) -> None:
    # Two routes, like the form post and the API post: they must share one allowance.
    @limit_comment_posts
    def form_post(site: str) -> str:
        return "ok"

    @limit_comment_posts
    def api_post(site: str) -> str:
        return "ok"

    csrf.exempt(form_post)
    csrf.exempt(api_post)
    app.add_url_rule("/t/<site>/form", "form_post", form_post, methods=["GET", "POST"])
    app.add_url_rule("/t/<site>/api", "api_post", api_post, methods=["POST"])


def post(client, path="/t/s/form", ip="10.0.0.1", url="https://a.fr/1", **kw):
    return client.post(path, data={"url": url}, environ_base={"REMOTE_ADDR": ip}, **kw)


def test_per_ip_limit_is_shared_between_form_and_api_and_speaks_french(app, client) -> None:
    _add_post_routes(app)
    make_site("s", lang="fr")
    assert post(client).status_code == 200
    assert post(client, "/t/s/api").status_code == 200
    refused = post(client)
    assert refused.status_code == 429
    assert "trop vite" in refused.get_data(as_text=True)
    # Another reader is not affected.
    assert post(client, ip="10.0.0.2").status_code == 200


def test_429_in_english_for_an_english_site_and_as_problem_json_for_the_api(app, client) -> None:
    _add_post_routes(app)
    make_site("en-site", lang="en")
    for _ in range(2):
        post(client, "/t/en-site/api")
    refused = post(client, "/t/en-site/api", headers={"Accept": "application/json"})
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert "posting too fast" in refused.get_json()["detail"]


def test_get_is_not_limited(app, client) -> None:
    _add_post_routes(app)
    for _ in range(5):
        assert client.get("/t/s/form").status_code == 200


def test_per_thread_limit_across_many_readers(app, client) -> None:
    _add_post_routes(app)
    codes = [post(client, ip=f"10.0.1.{i}").status_code for i in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    assert post(client, ip="10.0.1.9", url="https://a.fr/other").status_code == 200


def test_per_hour_limit(app, client) -> None:
    _add_post_routes(app)
    app.config["COMMENT_RATE_LIMIT_PER_IP"] = "100 per minute; 3 per hour"
    codes = [post(client, url=f"https://a.fr/{i}").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]


class TestDisabled:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": False, "COMMENT_RATE_LIMIT_PER_IP": "1 per minute"}

    def test_limits_off_when_disabled(self, app, client) -> None:
        _add_post_routes(app)
        assert all(post(client).status_code == 200 for _ in range(3))


def test_rates_come_from_the_environment_and_bad_ones_fail_at_start() -> None:
    from commentsvc.config import ConfigError, from_environment

    values = from_environment({"COMMENTSVC_COMMENT_RATE_LIMIT_PER_IP": "2/minute;10/hour"})
    assert values == {"COMMENT_RATE_LIMIT_PER_IP": "2/minute;10/hour"}
    with pytest.raises(ConfigError, match="COMMENT_RATE_LIMIT_PER_THREAD"):
        from_environment({"COMMENTSVC_COMMENT_RATE_LIMIT_PER_THREAD": "beaucoup"})
