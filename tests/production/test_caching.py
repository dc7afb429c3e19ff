"""The rendered-thread cache and ETags, on a small view built like the real ones."""

import uuid

import pytest
from flask import Flask, Response, request
from flask_babel import get_locale

from commentsvc import caching, create_app
from commentsvc.comments.reading import get_thread_page
from commentsvc.comments.services import Reader, like_comment
from commentsvc.comments.status import set_status
from commentsvc.extensions import db as _db
from commentsvc.i18n import use_site_language
from commentsvc.models import Status
from commentsvc.sites import get_site
from tests.conftest import REDIS_URL, base_config
from tests.factories import make_comment, make_site, make_thread

URL = "https://news.example.fr/articles/cache"


def _install_view(app: Flask) -> list[str]:
    """A thread view like the reader's: find the thread, then render from the cache."""
    renders: list[str] = []

    @app.get("/_test/thread/<site_name>")
    def thread_view(site_name: str) -> Response:
        site = get_site(site_name)
        use_site_language(site.default_lang)
        page = get_thread_page(site, request.args["url"], sort=request.args.get("sort", "oldest"))
        view = caching.ThreadView(
            "thread_html", site, page.thread, lang=str(get_locale()), sort=page.sort
        )

        def render() -> str:
            renders.append(view.cache_key)
            return "|".join(c.body_html + f"♥{c.likes_count}" for c in page.comments)

        return caching.conditional(view.etag, lambda: Response(caching.cached(view, render)))

    return renders


@pytest.fixture
def site(app):
    return make_site("cachesite", origins=["https://news.example.fr"])


@pytest.fixture
def thread(site):
    return make_thread(site, URL)


@pytest.fixture
def renders(app):
    return _install_view(app)


def _get(client, **params):
    return client.get("/_test/thread/cachesite", query_string={"url": URL, **params})


def test_a_second_read_comes_from_the_cache(client, thread, renders) -> None:
    make_comment(thread, "Premier")
    first, second = _get(client), _get(client)
    assert first.get_data(as_text=True) == second.get_data(as_text=True)
    assert "Premier" in first.get_data(as_text=True)
    assert len(renders) == 1


@pytest.mark.parametrize("change", ["new comment", "decision", "like", "edit", "site setting"])
def test_any_change_to_the_thread_shows_at_once(client, thread, renders, change) -> None:
    comment = make_comment(thread, "Premier")
    _get(client)
    if change == "new comment":
        make_comment(thread, "Second")
    elif change == "decision":
        set_status(comment, Status.REJECTED)
        _db.session.commit()
    elif change == "like":
        like_comment(comment.id, reader=Reader(ip="203.0.113.9", browser_key="k" * 32))
    elif change == "edit":
        from commentsvc.comments.status import bump_thread

        comment.body_html = "<p>Corrigé</p>"
        bump_thread(comment.thread_id)
        _db.session.commit()
    else:
        thread.site.max_depth = 1
        _db.session.commit()
    after = _get(client).get_data(as_text=True)
    assert len(renders) == 2
    expected = {
        "new comment": "Second",
        "decision": "",
        "like": "♥1",
        "edit": "Corrigé",
        "site setting": "Premier",
    }[change]
    assert expected in after
    if change == "decision":
        assert "Premier" not in after


def test_language_and_sort_are_cached_apart(client, thread, renders) -> None:
    make_comment(thread, "Premier")
    _get(client, lang="fr")
    _get(client, lang="en")
    _get(client, lang="en", sort="newest")
    _get(client, lang="en", sort="newest")
    assert len(renders) == 3


def test_etag_gives_304_until_the_thread_changes(client, thread, renders) -> None:
    make_comment(thread, "Premier")
    first = _get(client)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get(
        "/_test/thread/cachesite", query_string={"url": URL}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    make_comment(thread, "Second")
    changed = client.get(
        "/_test/thread/cachesite", query_string={"url": URL}, headers={"If-None-Match": etag}
    )
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "Second" in changed.get_data(as_text=True)


def test_the_hit_rate_is_in_the_metrics(client, thread, renders) -> None:
    make_comment(thread, "Premier")

    def lookups(result: str) -> float:
        text = client.get("/metrics").get_data(as_text=True)
        prefix = f'commentsvc_cache_lookups_total{{kind="thread_html",result="{result}"}} '
        line = next((ln for ln in text.splitlines() if ln.startswith(prefix)), prefix + "0")
        return float(line.split()[-1])

    hits, misses = lookups("hit"), lookups("miss")
    for _ in range(3):
        _get(client)
    assert lookups("miss") == misses + 1
    assert lookups("hit") == hits + 2


def _redis_app(database_url: str, redis_url: str, prefix: str) -> Flask:
    config = base_config(database_url, REDIS_URL=redis_url, CACHE_KEY_PREFIX=prefix)
    del config["CACHE_TYPE"]
    return create_app(config)


def test_a_cache_that_does_not_answer_costs_a_rendering_not_the_request(database_url) -> None:
    app = _redis_app(database_url, "redis://127.0.0.1:1/0", "down:")
    renders = _install_view(app)
    with app.app_context():
        from tests.conftest import _truncate_all

        if _db.engine.dialect.name == "postgresql":
            _truncate_all(app)
        site = make_site("cachesite", origins=["https://news.example.fr"])
        make_comment(make_thread(site, URL), "Premier")
        client = app.test_client()
        assert _get(client).status_code == 200
        assert "Premier" in _get(client).get_data(as_text=True)
        assert len(renders) == 2
        _db.session.remove()
        _db.engine.dispose()


@pytest.mark.redis
def test_processes_sharing_redis_share_renderings_and_invalidation(app, database_url) -> None:
    prefix = f"test-{uuid.uuid4().hex}:"
    first, second = (_redis_app(database_url, REDIS_URL, prefix) for _ in range(2))
    renders_first, renders_second = _install_view(first), _install_view(second)
    with first.app_context():
        site = make_site("cachesite", origins=["https://news.example.fr"])
        make_comment(make_thread(site, URL), "Premier")
        assert "Premier" in _get(first.test_client()).get_data(as_text=True)
    with second.app_context():
        assert "Premier" in _get(second.test_client()).get_data(as_text=True)
        assert renders_second == []  # rendered by the other process
        thread = get_thread_page(get_site("cachesite"), URL).thread
        make_comment(thread, "Second")  # a change made through the second process
    with first.app_context():
        assert "Second" in _get(first.test_client()).get_data(as_text=True)
        assert len(renders_first) == 2
