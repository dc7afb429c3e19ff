"""App processes share rate limits and the cache through Redis; alone, they need no Redis."""

import uuid

import pytest
from flask import Flask

from commentsvc import create_app
from commentsvc.extensions import cache, limiter
from tests.conftest import REDIS_URL, base_config


def _app(database_url: str, redis_url: str | None, prefix: str) -> Flask:
    config = base_config(
        database_url,
        REDIS_URL=redis_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_KEY_PREFIX=prefix,
        CACHE_KEY_PREFIX=prefix,
    )
    del config["CACHE_TYPE"]  # let the app choose from REDIS_URL, as in production

    app = create_app(config)

    @app.get("/_test/limited")
    @limiter.limit("2/minute")
    def limited() -> str:
        return "ok"

    return app


def _get_limited(app: Flask) -> int:
    return app.test_client().get("/_test/limited").status_code


@pytest.fixture
def prefix() -> str:
    return f"test-{uuid.uuid4().hex}:"


@pytest.mark.redis
def test_two_processes_share_rate_limits_through_redis(database_url, prefix) -> None:
    first, second = _app(database_url, REDIS_URL, prefix), _app(database_url, REDIS_URL, prefix)
    assert [_get_limited(first), _get_limited(second)] == [200, 200]
    assert _get_limited(first) == 429
    assert _get_limited(second) == 429


@pytest.mark.redis
def test_two_processes_share_the_cache_through_redis(database_url, prefix) -> None:
    first, second = _app(database_url, REDIS_URL, prefix), _app(database_url, REDIS_URL, prefix)
    with first.app_context():
        assert type(first.extensions["cache"][cache]).__name__ == "RedisCache"
        cache.set("thread:1", "<p>rendu</p>")
    with second.app_context():
        assert cache.get("thread:1") == "<p>rendu</p>"
        cache.delete("thread:1")


def test_without_redis_limits_and_cache_stay_in_process(database_url, prefix) -> None:
    first, second = _app(database_url, None, prefix), _app(database_url, None, prefix)
    assert first.config["RATELIMIT_STORAGE_URI"] == "commentsvc-memory://"
    assert [_get_limited(first), _get_limited(first), _get_limited(first)] == [200, 200, 429]
    with first.app_context():
        assert type(first.extensions["cache"][cache]).__name__ == "SimpleCache"
        cache.set("k", "v")
    with second.app_context():
        assert cache.get("k") is None


def test_a_redis_outage_does_not_stop_comments_by_default(database_url, prefix) -> None:
    # Nothing listens on port 1; COMMENTSVC_RATELIMIT_FAIL_OPEN defaults to true.
    app = _app(database_url, "redis://127.0.0.1:1/0", prefix)
    assert _get_limited(app) == 200
