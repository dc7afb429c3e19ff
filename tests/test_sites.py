import pytest

from commentsvc.sites import (
    SiteError,
    create_site,
    normalise_origin,
    origin_of,
    url_belongs_to_site,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://Example.fr/", "https://example.fr"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://example.fr:443", "https://example.fr"),
    ],
)
def test_origins_are_normalised(given: str, expected: str) -> None:
    assert normalise_origin(given) == expected


@pytest.mark.parametrize(
    "bad", ["example.fr", "ftp://example.fr", "https://example.fr/blog", "https://u:p@example.fr"]
)
def test_bad_origins_are_refused(bad: str) -> None:
    with pytest.raises(SiteError):
        normalise_origin(bad)


def test_create_site_refuses_duplicates_and_bad_settings(app) -> None:
    create_site("lebigdata", origins=["https://www.lebigdata.fr"])
    with pytest.raises(SiteError, match="already exists"):
        create_site("lebigdata", origins=["https://www.lebigdata.fr"])
    with pytest.raises(SiteError, match="mode"):
        create_site("other", origins=["https://o.fr"], mode="sometimes")
    with pytest.raises(SiteError, match="site name"):
        create_site("Not A Name", origins=["https://o.fr"])


def test_page_urls_must_belong_to_an_origin(app) -> None:
    site = create_site("s", origins=["https://www.lebigdata.fr"])
    assert url_belongs_to_site("https://www.lebigdata.fr/article-1", site)
    assert not url_belongs_to_site("https://www.lebigdata.fr.evil.com/x", site)
    assert not url_belongs_to_site("https://evil.com/?https://www.lebigdata.fr", site)
    assert not url_belongs_to_site("javascript:alert(1)", site)
    assert origin_of("https://user@www.lebigdata.fr/x") == "https://www.lebigdata.fr"
