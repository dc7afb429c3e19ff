"""Atom feeds: published comments only, sanitised HTML, per thread and per site."""

from lxml import etree

from commentsvc.models import Status
from tests.factories import make_comment, make_site, make_thread

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    root = etree.fromstring(response.data)
    return root, root.findall(f"{ATOM}entry")


def test_thread_feed_lists_only_published_comments(client, db) -> None:
    site = make_site("s", origins=["https://s.example"])
    thread = make_thread(site, "https://s.example/a", title="Été")
    make_comment(thread, "Visible <script>alert(1)</script> **gras**")
    make_comment(thread, "En attente", status=Status.PENDING)
    make_comment(thread, "Spam", status=Status.SPAM)
    make_comment(make_thread(site, "https://s.example/b"), "Ailleurs")
    response = client.get(
        "/sites/s/feed.atom", query_string={"url": "https://s.example/a?utm_source=x#c1"}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root, found = entries(response)
    assert root.findtext(f"{ATOM}title") == "Été"
    assert len(found) == 1
    content = found[0].findtext(f"{ATOM}content")
    assert "<strong>gras</strong>" in content and "<script" not in content
    assert "camille@example.fr" not in response.get_data(as_text=True)


def test_site_feed_lists_every_thread(client, db) -> None:
    site = make_site("s", origins=["https://s.example"])
    make_comment(make_thread(site, "https://s.example/a"), "un")
    make_comment(make_thread(site, "https://s.example/b"), "deux")
    _root, found = entries(client.get("/sites/s/feed.atom"))
    assert len(found) == 2


def test_unknown_site_or_page_is_404(client, db) -> None:
    make_site("s", origins=["https://s.example"])
    assert client.get("/sites/nope/feed.atom").status_code == 404
    missing = client.get("/sites/s/feed.atom", query_string={"url": "https://s.example/zz"})
    assert missing.status_code == 404
