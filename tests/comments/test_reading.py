"""Reading threads: sorting, cursor pages, nesting, placeholders, counts, query budget."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commentsvc.comments.services import (
    CommentError,
    count_published,
    get_thread_page,
)
from commentsvc.extensions import db
from commentsvc.models import Status
from tests.comments.helpers import count_queries
from tests.factories import make_comment, make_site, make_thread

URL = "https://news.example.fr/articles/5g"


def ids(comments) -> list[int]:
    return [c.id for c in comments]


def test_unknown_page_is_an_empty_thread(app) -> None:
    page = get_thread_page(make_site(), URL + "#comments")
    assert page.thread is None and page.comments == [] and page.total == 0
    assert page.url == URL and not page.closed


def test_foreign_url_is_403(app) -> None:
    with pytest.raises(CommentError) as caught:
        get_thread_page(make_site(), "https://ailleurs.example.com/a")
    assert caught.value.status == 403


def test_sorts_and_only_published(app) -> None:
    thread = make_thread(make_site(), URL)
    old = make_comment(thread, age=timedelta(hours=3))
    liked = make_comment(thread, age=timedelta(hours=2), likes_count=5)
    new = make_comment(thread, age=timedelta(hours=1))
    make_comment(thread, status=Status.PENDING)
    make_comment(thread, status=Status.SPAM)
    make_comment(thread, status=Status.REJECTED)
    site = thread.site
    assert ids(get_thread_page(site, URL).comments) == [old.id, liked.id, new.id]
    assert ids(get_thread_page(site, URL, sort="newest").comments) == [new.id, liked.id, old.id]
    assert ids(get_thread_page(site, URL, sort="top").comments)[0] == liked.id
    assert get_thread_page(site, URL).total == 3
    with pytest.raises(CommentError):
        get_thread_page(site, URL, sort="random")


@pytest.mark.parametrize("sort", ["oldest", "newest", "top"])
def test_cursor_pages_cover_every_root_once(app, sort) -> None:
    thread = make_thread(make_site(), URL)
    roots = [
        make_comment(thread, age=timedelta(minutes=60 - i), likes_count=i % 3) for i in range(7)
    ]
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        page = get_thread_page(thread.site, URL, sort=sort, cursor=cursor, limit=3)
        seen += ids(page.comments)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids(roots))
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJ0b3AiLCJ4IiwxXQ"])
def test_bad_cursor_is_400(app, cursor) -> None:
    thread = make_thread(make_site(), URL)
    make_comment(thread)
    with pytest.raises(CommentError) as caught:
        get_thread_page(thread.site, URL, cursor=cursor)
    assert caught.value.status == 400


def test_replies_nest_up_to_max_depth_then_say_in_reply_to(app) -> None:
    thread = make_thread(make_site(max_depth=2), URL)
    root = make_comment(thread, author_name="Alice")
    r1 = make_comment(thread, parent=root, author_name="Bob")
    r2 = make_comment(thread, parent=r1, author_name="Chloé")
    r3 = make_comment(thread, parent=r2, author_name="Driss")
    [top] = get_thread_page(thread.site, URL).comments
    assert top.id == root.id and top.level == 0
    [bob] = top.replies
    assert bob.level == 1 and bob.reply_to is None
    assert ids(bob.replies) == [r2.id, r3.id]
    chloe, driss = bob.replies
    assert chloe.level == 2 and driss.level == 2
    assert driss.reply_to == "Chloé" and driss.reply_to_id == r2.id


def test_deleted_comment_with_replies_leaves_placeholder(app) -> None:
    thread = make_thread(make_site(), URL)
    root = make_comment(thread, status=Status.DELETED, body="secret")
    reply = make_comment(thread, parent=root)
    alone = make_comment(thread, status=Status.DELETED)
    [placeholder] = get_thread_page(thread.site, URL).comments
    assert placeholder.id == root.id and placeholder.deleted
    assert placeholder.body_html == "" and placeholder.author_name == ""
    assert ids(placeholder.replies) == [reply.id]
    assert alone.id not in ids(get_thread_page(thread.site, URL).comments)


def test_deleted_reply_without_replies_disappears(app) -> None:
    thread = make_thread(make_site(), URL)
    root = make_comment(thread)
    make_comment(thread, parent=root, status=Status.DELETED)
    kept = make_comment(thread, parent=root, status=Status.DELETED)
    leaf = make_comment(thread, parent=kept)
    [top] = get_thread_page(thread.site, URL).comments
    assert ids(top.replies) == [kept.id]
    assert ids(top.replies[0].replies) == [leaf.id]


def test_reader_view_has_no_private_fields(app) -> None:
    thread = make_thread(make_site(), URL)
    make_comment(thread, author_email="secret@example.fr", ip_hash="abc", spam_score=0.4)
    [comment] = get_thread_page(thread.site, URL).comments
    assert not {"author_email", "ip_hash", "spam_score", "status"} & set(vars(comment))


def test_query_count_does_not_grow_with_thread_size(app) -> None:
    site = make_site()
    small = make_thread(site, URL)
    make_comment(small)
    big = make_thread(site, URL + "-long")
    for _ in range(40):
        root = make_comment(big)
        reply = make_comment(big, parent=root)
        make_comment(big, parent=reply)
    db.session.expire_all()
    assert site.max_depth  # loads the site, as the view has
    with count_queries() as few:
        get_thread_page(site, URL)
    db.session.expire_all()
    assert site.max_depth
    with count_queries() as many:
        page = get_thread_page(site, URL + "-long", limit=20)
    assert len(page.comments) == 20 and page.next_cursor
    assert len(many) == len(few) == 3


def test_count_published_many_pages_in_one_query(app) -> None:
    site = make_site()
    one = make_thread(site, URL)
    make_comment(one)
    make_comment(one)
    make_comment(one, status=Status.PENDING)
    two = make_thread(site, URL + "-2")
    make_comment(two)
    assert site.id
    with count_queries() as queries:
        counts = count_published(site, [URL + "#comments", URL + "-2", URL + "-3", "pas une url"])
    assert counts == {URL + "#comments": 2, URL + "-2": 1, URL + "-3": 0, "pas une url": 0}
    assert len(queries) == 1
