"""The reader API through the test client: the same rules as the form, answered as JSON."""

import json

import pytest
from sqlalchemy import func, select

from commentsvc.models import Comment, Like, Report, Status
from tests.factories import make_comment, make_site, make_thread

ORIGIN = "https://www.lebigdata.fr"
PAGE = f"{ORIGIN}/article-1"


@pytest.fixture
def site(db):
    return make_site("lebigdata", origins=[ORIGIN], mode="post")


def post(client, payload=None, **kwargs):
    if payload is not None:
        kwargs["json"] = payload
    return client.post("/api/v1/sites/lebigdata/comments", **kwargs)


NEW = {
    "url": PAGE,
    "title": "Un article",
    "author": "Camille",
    "email": "camille@example.fr",
    "website": "",
    "body": "Très *bon* article, merci !",
}


def comment_count(db) -> int:
    return db.session.scalar(select(func.count(Comment.id)))


def test_post_published_is_201_with_an_edit_key_and_no_private_field(client, site, db) -> None:
    response = post(client, {**NEW, "unknown_field": "ignored"})
    assert response.status_code == 201, response.json
    data = response.json
    assert data["status"] == "published"
    assert data["edit_key"]
    assert data["comment"]["body_html"] == "<p>Très <em>bon</em> article, merci !</p>"
    text = json.dumps(data)
    assert "camille@example.fr" not in text
    for private in ("email", "ip", "ip_hash", "spam_score", "score"):
        assert private not in data["comment"]


def test_a_post_reads_the_sites_recent_copy(client, site, db) -> None:
    from tests.comments.helpers import count_queries

    assert post(client, NEW).status_code == 201  # keeps the site's copy
    with count_queries() as queries:
        second = post(client, {**NEW, "body": "Un second avis."})
    assert second.status_code == 201, second.json
    # Once per SITE_SECONDS per process, as reads (see commentsvc.caching.recent_site).
    assert not [q for q in queries if "FROM sites" in q]


def test_post_held_is_202(client, db, spam_model) -> None:
    make_site("lebigdata", origins=[ORIGIN], mode="pre")
    response = post(client, NEW)
    assert response.status_code == 202
    assert response.json["status"] == "pending"


def test_spam_is_announced_as_pending(client, db, spam_model) -> None:
    make_site("lebigdata", origins=[ORIGIN], mode="auto")
    spam_model.probability = 0.99
    response = post(client, NEW)
    assert response.status_code == 202
    assert response.json["status"] == "pending"
    assert db.session.scalar(select(Comment.status)) == Status.SPAM


def test_thread_page_shows_published_comments_nested(client, site, db) -> None:
    thread = make_thread(site, PAGE)
    root = make_comment(thread, "Premier")
    make_comment(thread, "Réponse", parent=root)
    make_comment(thread, "En attente", status=Status.PENDING)
    response = client.get("/api/v1/sites/lebigdata/comments", query_string={"url": PAGE})
    assert response.status_code == 200
    data = response.json
    assert data["count"] == 2
    assert [c["body_html"] for c in data["comments"]] == ["<p>Premier</p>"]
    assert data["comments"][0]["replies"][0]["body_html"] == "<p>Réponse</p>"
    assert "camille@example.fr" not in response.get_data(as_text=True)


def test_thread_pages_follow_the_cursor(client, site, db) -> None:
    thread = make_thread(site, PAGE)
    for n in range(25):
        make_comment(thread, f"c{n}")
    first = client.get("/api/v1/sites/lebigdata/comments", query_string={"url": PAGE}).json
    assert len(first["comments"]) == 20 and first["next_cursor"]
    second = client.get(
        "/api/v1/sites/lebigdata/comments",
        query_string={"url": PAGE, "cursor": first["next_cursor"]},
    ).json
    assert [c["body_html"] for c in second["comments"]] == [f"<p>c{n}</p>" for n in range(20, 25)]
    assert second["next_cursor"] is None


def test_edit_and_delete_own_comment_with_the_edit_key(client, site, db) -> None:
    posted = post(client, NEW).json
    cid, key = posted["comment"]["id"], posted["edit_key"]
    wrong = client.patch(
        f"/api/v1/comments/{cid}", json={"body": "x"}, headers={"X-Edit-Key": "no"}
    )
    assert wrong.status_code == 403
    assert wrong.mimetype == "application/problem+json"
    edited = client.patch(
        f"/api/v1/comments/{cid}", json={"body": "Corrigé"}, headers={"X-Edit-Key": key}
    )
    assert edited.status_code == 200
    assert edited.json["comment"]["body_html"] == "<p>Corrigé</p>"
    deleted = client.delete(f"/api/v1/comments/{cid}", headers={"X-Edit-Key": key})
    assert deleted.status_code == 204
    assert db.session.get(Comment, cid).status == Status.DELETED
    again = client.delete(f"/api/v1/comments/{cid}", headers={"X-Edit-Key": key})
    assert again.status_code == 410


def test_like_once_per_reader(client, site, db) -> None:
    comment = make_comment(make_thread(site, PAGE))
    url = f"/api/v1/comments/{comment.id}/like"
    first = client.post(url, headers={"X-Reader-Key": "browser-1"})
    assert first.status_code == 200 and first.json == {"likes": 1, "liked": True}
    second = client.post(url, headers={"X-Reader-Key": "browser-1"})
    assert second.status_code == 409
    assert db.session.scalar(select(func.count(Like.id))) == 1


def test_report_with_a_reason(client, site, db) -> None:
    comment = make_comment(make_thread(site, PAGE))
    url = f"/api/v1/comments/{comment.id}/report"
    response = client.post(url, json={"reason": "abuse", "detail": "insulte"})
    assert response.status_code == 201
    bad = client.post(url, json={"reason": "because"}, headers={"X-Reader-Key": "b2"})
    assert bad.status_code == 422
    assert bad.json["errors"][0]["field"] == "body.reason"
    assert db.session.scalar(select(func.count(Report.id))) == 1


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": "{not json", "content_type": "application/json"}, 400),
        ({"data": "url=x", "content_type": "application/x-www-form-urlencoded"}, 415),
        ({"json": {**NEW, "body": 42}}, 422),
        ({"json": {**NEW, "parent_id": "abc"}}, 422),
        ({"json": [NEW]}, 422),
        ({"json": {**NEW, "body": "x" * 70_000}}, 413),
        ({"json": {**NEW, "url": "https://elsewhere.example/a"}}, 403),
        ({"json": {**NEW, "body": ""}}, 422),
    ],
)
def test_bad_input_is_a_problem_and_stores_nothing(client, site, db, kwargs, status) -> None:
    response = post(client, headers={"Accept-Language": "en"}, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == status
    assert response.json["detail"]
    assert comment_count(db) == 0


def test_reply_to_a_comment_of_another_site_is_refused(client, site, db) -> None:
    other = make_site("other", origins=["https://other.example"])
    foreign = make_comment(make_thread(other, "https://other.example/a"))
    response = post(client, {**NEW, "parent_id": foreign.id})
    assert response.status_code == 422
    assert comment_count(db) == 1


def test_unknown_site_is_404(client, db) -> None:
    assert post(client, NEW).status_code == 404


def test_problem_detail_speaks_the_readers_language(client, site, db) -> None:
    french = post(client, {**NEW, "body": 42}, headers={"Accept-Language": "fr"})
    english = post(client, {**NEW, "body": 42}, headers={"Accept-Language": "en"})
    assert english.json["detail"] == "Some fields are not valid."
    assert french.json["detail"] == "Certains champs ne sont pas valides."
    assert french.json["errors"][0]["message"] == "Une chaîne de caractères est attendue."


def test_cors_only_for_the_sites_origins(client, site, db) -> None:
    allowed = client.get(
        "/api/v1/sites/lebigdata/counts", query_string={"url": PAGE}, headers={"Origin": ORIGIN}
    )
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    denied = client.get(
        "/api/v1/sites/lebigdata/counts",
        query_string={"url": PAGE},
        headers={"Origin": "https://evil.example"},
    )
    assert "Access-Control-Allow-Origin" not in denied.headers


def test_cors_preflight_for_a_comment_route(client, site, db) -> None:
    comment = make_comment(make_thread(site, PAGE))
    response = client.options(
        f"/api/v1/comments/{comment.id}",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PATCH"},
    )
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Edit-Key" in response.headers["Access-Control-Allow-Headers"]
    other = client.options(
        f"/api/v1/comments/{comment.id}",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PATCH"},
    )
    assert "Access-Control-Allow-Origin" not in other.headers


@pytest.mark.parametrize(
    "app_config",
    [{"RATELIMIT_ENABLED": True, "COMMENT_RATE_LIMIT_PER_IP": "2 per minute"}],
)
def test_api_posts_share_the_rate_limit_and_get_a_429_problem(client, site, db) -> None:
    statuses = [
        post(client, {**NEW, "body": f"commentaire {n}"}, headers={"Accept-Language": "en"})
        for n in range(3)
    ]
    assert [r.status_code for r in statuses] == [201, 201, 429]
    assert statuses[2].mimetype == "application/problem+json"
    # The limiter speaks the site's language (French here).
    assert "trop vite" in statuses[2].json["detail"]
    assert comment_count(db) == 2


def test_thread_json_has_an_etag_and_answers_304_until_the_thread_changes(client, site, db):
    thread = make_thread(site, PAGE)
    make_comment(thread, "Premier")
    url = "/api/v1/sites/lebigdata/comments"
    first = client.get(url, query_string={"url": PAGE})
    etag = first.headers["ETag"]
    again = client.get(url, query_string={"url": PAGE}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    post(client, {**NEW, "body": "Deuxième"})
    changed = client.get(url, query_string={"url": PAGE}, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert [c["body_html"] for c in changed.json["comments"]] == [
        "<p>Premier</p>",
        "<p>Deuxième</p>",
    ]
