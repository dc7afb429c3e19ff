"""Caching, ETag / 304 and query counts of the real reader views (iframe page, fragment, counts)."""

import re

import pytest

from commentsvc.comments.status import set_status
from commentsvc.extensions import db
from commentsvc.models import Status
from tests.comments.helpers import count_queries
from tests.factories import make_comment, make_site, make_thread

ORIGIN = "https://news.example.fr"


@pytest.fixture
def site(app):
    return make_site("views", origins=[ORIGIN], mode="post")


def _thread_with(site, n_roots: int, replies_each: int = 2, url: str | None = None):
    thread = make_thread(site, url)
    for i in range(n_roots):
        root = make_comment(thread, f"Racine {i}")
        for j in range(replies_each):
            make_comment(thread, f"Réponse {i}.{j}", parent=root)
    return thread


def _page(client, thread, path: str = "", **headers):
    return client.get(f"/embed/views{path}", query_string={"url": thread.url}, headers=headers)


@pytest.mark.parametrize("path", ["", "/thread"], ids=["iframe page", "fragment"])
def test_304_until_the_thread_changes(client, site, path) -> None:
    thread = _thread_with(site, 2)
    first = _page(client, thread, path)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"')
    assert "no-cache" in first.headers["Cache-Control"]
    assert "no-store" not in first.headers["Cache-Control"]
    again = _page(client, thread, path, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert "frame-ancestors" in again.headers["Content-Security-Policy"]
    make_comment(thread, "Un nouvel avis")
    changed = _page(client, thread, path, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert "Un nouvel avis" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != etag


def test_a_moderator_decision_is_shown_at_once(client, site) -> None:
    thread = make_thread(site)
    comment = make_comment(thread, "Avis douteux")
    assert "Avis douteux" in _page(client, thread).get_data(as_text=True)
    set_status(comment, Status.SPAM)
    db.session.commit()
    assert "Avis douteux" not in _page(client, thread).get_data(as_text=True)


def test_the_page_served_from_cache_is_the_page(client, site) -> None:
    thread = _thread_with(site, 3)
    cold = _page(client, thread).get_data(as_text=True)
    warm = _page(client, thread).get_data(as_text=True)

    def without_tokens(html: str) -> str:
        html = re.sub(r'<input[^>]*name="token"[^>]*>', "", html)
        return re.sub(r'nonce="[^"]*"', "", html)

    assert without_tokens(cold) == without_tokens(warm)
    assert "Réponse 2.1" in warm


def test_a_reader_with_own_comments_always_gets_a_fresh_page(client, site) -> None:
    from commentsvc.comments.embed import sign_mine
    from commentsvc.comments.services import NewComment, Reader, post_comment
    from tests.fakes import FixedSpamModel

    thread = _thread_with(site, 1)
    site.moderation_mode = "pre"
    db.session.commit()
    posted = post_comment(
        site,
        NewComment(url=thread.url, body="Mon avis à moi", author="Moi", email="moi@example.fr"),
        reader=Reader(ip="203.0.113.5"),
        spam_model=FixedSpamModel(),
    )
    assert posted.comment.status == Status.PENDING
    mine = sign_mine(posted.comment.id, posted.edit_key)
    response = client.get("/embed/views", query_string={"url": thread.url, "mine": mine})
    # Their pending comment is shown to them alone, so the page carries no validator.
    assert "Mon avis à moi" in response.get_data(as_text=True)
    assert "ETag" not in response.headers
    assert "Mon avis à moi" not in _page(client, thread).get_data(as_text=True)


def test_counts_answer_304_until_a_count_changes(client, site) -> None:
    thread = _thread_with(site, 1, replies_each=0)
    query = {"url": [thread.url, f"{ORIGIN}/nobody-yet"]}
    first = client.get("/embed/views/counts", query_string=query)
    assert first.json["counts"][thread.url]["count"] == 1
    etag = first.headers["ETag"]
    again = client.get("/embed/views/counts", query_string=query, headers={"If-None-Match": etag})
    assert again.status_code == 304
    make_comment(thread, "Encore un")
    changed = client.get("/embed/views/counts", query_string=query, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json["counts"][thread.url]["count"] == 2


@pytest.mark.parametrize("path", ["", "/thread"], ids=["iframe page", "fragment"])
def test_queries_do_not_grow_with_the_thread(client, site, path) -> None:
    small = _thread_with(site, 2, replies_each=1, url=f"{ORIGIN}/small")
    large = _thread_with(site, 20, replies_each=4, url=f"{ORIGIN}/large")
    db.session.expire_all()
    with count_queries() as cold_small:
        assert _page(client, small, path).status_code == 200
    with count_queries() as cold_large:
        assert _page(client, large, path).status_code == 200
    with count_queries() as warm_large:
        assert _page(client, large, path).status_code == 200
    # The site itself may come from the process's short-lived copy: count the rest.
    cold_small, cold_large = (
        [q for q in queries if "FROM sites" not in q] for queries in (cold_small, cold_large)
    )
    assert len(cold_large) == len(cold_small), cold_large
    assert len(cold_large) <= 5
    # A cached rendering reads no comment at all: site, thread, nothing more.
    assert len(warm_large) < len(cold_large)
    assert not any("FROM comments" in q for q in warm_large), warm_large


def test_site_settings_changed_here_apply_at_once_to_the_next_read(client, site) -> None:
    thread = _thread_with(site, 1)
    assert "Racine 0" in _page(client, thread).get_data(as_text=True)
    site.origins = ["https://autre.example.fr"]
    db.session.commit()
    # The page's address no longer belongs to the site: the read refuses it at once.
    assert _page(client, thread).status_code in {400, 403, 404}


def test_counts_for_many_pages_are_one_query(client, site) -> None:
    threads = [_thread_with(site, 1, replies_each=0, url=f"{ORIGIN}/p{i}") for i in range(5)]
    urls = [t.url for t in threads] + [f"{ORIGIN}/p{i}" for i in range(5, 50)]
    with count_queries() as queries:
        response = client.get("/embed/views/counts", query_string={"url": urls})
    assert len(response.json["counts"]) == 50
    assert len([q for q in queries if "FROM threads" in q]) == 1


def _api(client, thread, **headers):
    return client.get(
        "/api/v1/sites/views/comments", query_string={"url": thread.url}, headers=headers
    )


def test_thread_json_is_cached_and_answers_304_until_a_change(client, site) -> None:
    thread = _thread_with(site, 2)
    first = _api(client, thread)
    assert first.status_code == 200 and first.json["count"] == 6
    etag = first.headers["ETag"]
    assert _api(client, thread, **{"If-None-Match": etag}).status_code == 304
    comment = make_comment(thread, "Troisième racine")
    changed = _api(client, thread, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json["count"] == 7
    set_status(comment, Status.REJECTED)
    db.session.commit()
    assert _api(client, thread).json["count"] == 6
    assert "Troisième racine" not in _api(client, thread).get_data(as_text=True)


def test_thread_json_queries_do_not_grow_with_the_thread(client, site) -> None:
    small = _thread_with(site, 2, replies_each=1, url=f"{ORIGIN}/small")
    large = _thread_with(site, 20, replies_each=4, url=f"{ORIGIN}/large")
    db.session.expire_all()
    with count_queries() as cold_small:
        assert _api(client, small).status_code == 200
    with count_queries() as cold_large:
        assert len(_api(client, large).json["comments"]) == 20
    with count_queries() as warm_large:
        assert len(_api(client, large).json["comments"]) == 20
    cold_small, cold_large = (
        [q for q in queries if "FROM sites" not in q] for queries in (cold_small, cold_large)
    )
    assert len(cold_large) == len(cold_small)
    assert not any("FROM comments" in q for q in warm_large), warm_large


def test_api_counts_answer_304_until_a_count_changes(client, site) -> None:
    thread = _thread_with(site, 1, replies_each=0)
    path = "/api/v1/sites/views/counts"
    first = client.get(path, query_string={"url": thread.url})
    etag = first.headers["ETag"]
    again = client.get(path, query_string={"url": thread.url}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    make_comment(thread, "Encore")
    assert client.get(path, query_string={"url": thread.url}).json["counts"][thread.url] == 2


def test_the_shared_page_gets_a_fresh_token_and_nonce_each_time(client, site) -> None:
    thread = _thread_with(site, 2)
    pages = [_page(client, thread) for _ in range(2)]
    tokens, nonces = [], []
    for response in pages:
        html = response.get_data(as_text=True)
        assert 'value="slot' not in html and 'nonce="slot' not in html
        tokens.append(re.findall(r'<input[^>]*name="token"[^>]*value="([^"]+)"', html))
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        assert f'nonce="{nonce}"' in html
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    assert all(len(set(page_tokens)) == 1 for page_tokens in tokens)
    # The token filled into the cached page is a real one: the form posts with it.
    from commentsvc.comments.formtoken import check_form_token

    with client.application.test_request_context():
        checked = check_form_token(tokens[1][0], site="views", url=thread.url)
    assert checked.url == thread.url
