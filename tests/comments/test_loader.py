"""embed.js, counts for list pages, identicons, and the demo page."""

from __future__ import annotations

import re

import pytest

from commentsvc.comments.avatars import identicon_svg
from tests.factories import make_comment, make_site, make_thread
from tests.htmlcheck import active_content


def test_embed_js_is_served_as_javascript(client) -> None:
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    script = response.get_data(as_text=True)
    # The loader's contract: canonical URL, resize messages checked by origin, click-to-load.
    assert 'link[rel="canonical"]' in script
    assert "commentsvc:resize" in script and "event.origin !== base" in script
    assert 'data-load") === "click"' in script and "data-commentsvc-count" in script


def test_counts_with_words_and_cors_for_site_origins(client) -> None:
    site = make_site("lebigdata", origins=["https://news.example.fr"])
    thread = make_thread(site, "https://news.example.fr/a")
    for _ in range(12):
        make_comment(thread)
    response = client.get(
        "/embed/lebigdata/counts?url=https://news.example.fr/a%23comments&url=https://news.example.fr/b",
        headers={"Origin": "https://news.example.fr"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://news.example.fr"
    counts = response.get_json()["counts"]
    assert counts["https://news.example.fr/a#comments"] == {
        "count": 12,
        "text": "12 commentaires",
        "button": "Cliquez pour commenter (12)",
    }
    assert counts["https://news.example.fr/b"]["text"] == "0 commentaire"
    english = client.get("/embed/lebigdata/counts?url=https://news.example.fr/a&lang=en")
    assert english.get_json()["counts"]["https://news.example.fr/a"]["button"] == (
        "Click to comment (12)"
    )
    foreign = client.get(
        "/embed/lebigdata/counts?url=https://news.example.fr/a",
        headers={"Origin": "https://evil.example.com"},
    )
    assert "Access-Control-Allow-Origin" not in foreign.headers


def test_counts_of_unknown_site_is_404(client) -> None:
    assert client.get("/embed/nope/counts?url=https://x.fr/").status_code == 404


def test_identicon_is_stable_immutable_and_inert(client) -> None:
    response = client.get("/avatar/0123456789abcdef0123456789abcdef.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    svg = response.get_data(as_text=True)
    assert svg == identicon_svg("0123456789abcdef0123456789abcdef")
    assert svg != identicon_svg("fedcba9876543210fedcba9876543210")
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert active_content(svg.replace("<svg", "<div").replace("</svg>", "</div>")) == []


@pytest.mark.parametrize("seed", ["../etc", "ZZZ", "a" * 65])
def test_identicon_refuses_odd_names(client, seed) -> None:
    assert client.get(f"/avatar/{seed}.svg").status_code == 404


def test_demo_page_embeds_the_thread(client) -> None:
    assert client.get("/demo/").status_code == 404
    make_site("demo", origins=["http://localhost"])
    response = client.get("/demo/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert '<div id="commentsvc-thread" data-site="demo"></div>' in html
    assert re.search(r'<script src="/embed.js" async>', html)
    assert '<link rel="canonical" href="http://localhost/demo/">' in html
    assert "data-commentsvc-count" in html
