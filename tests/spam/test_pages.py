"""Same-page detection: a link to the page the comment is posted under, whatever its spelling."""

from __future__ import annotations

import pytest

from commentsvc.spam.pages import page_key, same_page

VIDEO = "https://www.youtube.com/watch?v=9bZkp7q19f0"
ARTICLE = "https://news.example.fr/articles/ia-generative"


@pytest.mark.parametrize(
    "link",
    [
        "http://youtu.be/9bZkp7q19f0",
        "https://youtu.be/9bZkp7q19f0?t=42",
        "youtu.be/9bZkp7q19f0",
        "http://www.youtube.com/watch?v=9bZkp7q19f0&t=2m19s",
        "https://m.youtube.com/watch?feature=share&v=9bZkp7q19f0",
        "youtube.com/watch?v=9bZkp7q19f0",
        "https://www.youtube.com/embed/9bZkp7q19f0",
        "https://www.youtube.com/shorts/9bZkp7q19f0",
        "/watch?v=9bZkp7q19f0",
        "HTTPS://WWW.YOUTUBE.COM/watch?v=9bZkp7q19f0#comments",
    ],
)
def test_youtube_share_forms_are_the_same_video(link):
    assert same_page(link, VIDEO)
    assert same_page(VIDEO, link)


@pytest.mark.parametrize(
    "link",
    [
        "https://news.example.fr/articles/ia-generative",
        "http://news.example.fr/articles/ia-generative/",
        "https://www.news.example.fr/articles/ia-generative#c12",
        "news.example.fr/articles/ia-generative",
        "https://NEWS.example.fr:443/articles/ia-generative?utm_source=tw&fbclid=x",
    ],
)
def test_article_spellings_are_the_same_page(link):
    assert same_page(link, ARTICLE)


@pytest.mark.parametrize(
    ("link", "page"),
    [
        ("https://youtu.be/vtaRGgvGtWQ", VIDEO),  # another video
        ("https://www.youtube.com/watch?v=9bZkp7q19f1", VIDEO),
        ("https://www.youtube.com/channel/UCrDkAvwZum-UTjHmzDI2iIw", VIDEO),
        ("https://www.youtube.com/", VIDEO),
        ("https://news.example.fr/articles/autre", ARTICLE),
        ("https://news.example.fr/articles/ia-generative?page=2", ARTICLE),
        ("https://spam.example.com/articles/ia-generative", ARTICLE),
        ("https://news.example.fr:8080/articles/ia-generative", ARTICLE),
        (ARTICLE, ""),  # no page known: nothing is "the page"
        ("", ARTICLE),
        ("mailto:a@b.fr", ARTICLE),
    ],
)
def test_other_pages_are_not_the_page(link, page):
    assert not same_page(link, page)


def test_page_key_is_empty_for_what_is_no_page_url():
    assert page_key("") == ""
    assert page_key("ftp://example.fr/x") == ""
    assert page_key("http://[not-a-host/") == ""
    assert page_key("x" * 3000) == ""
