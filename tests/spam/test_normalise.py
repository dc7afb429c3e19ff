import pytest

from commentsvc.spam.base import CommentText
from commentsvc.spam.features import META_FEATURES, prepare
from commentsvc.spam.normalise import MAX_CHARS, clean, domain_of, find_urls, normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Great song\ufeff", "great song"),
        ("sub\u200bscribe\u200d now", "subscribe now"),
        ("\u202eevil\u202c text", "evil text"),
        ("Sooooo GOOOOD", "soo good"),
        ("Élégant, déjà vu", "élégant, déjà vu"),
        ("call 0612345678 or 3,5 times", "call znumz or znumz times"),
        ("mail me@spam.com", "mail zemailz"),
        ("go to http://www.Spam.com/x?y=1 now", "go to zurlz zdomz_spam_com now"),
        ("visit kidsmediausa  . com", "visit zurlz zdomz_kidsmediausa_com"),
        ("see www . mysite . com now", "see zurlz zdomz_mysite_com now"),
        ("go to mysite dot com", "go to zurlz zdomz_mysite_com"),
        ("mysite(dot)net ok", "zurlz zdomz_mysite_net ok"),
        ("/watch?v=aImbWbfQbzg watch it", "zurlz zdomz_youtube_com watch it"),
        ("it was a dot com bubble", "it was a dot com bubble"),
        ("I&#39;m <b>bold</b>", "i'm bold"),
    ],
)
def test_normalise(raw, expected):
    assert normalise(clean(raw)) == expected


def test_link_inside_html_anchor_is_kept():
    assert find_urls(clean('<a href="http://spam.ru/x">here</a>')) == ["http://spam.ru/x"]


def test_sentence_boundaries_are_not_links():
    assert find_urls(clean("I love it. To me it is great. Me too.")) == []


def test_domain_of():
    assert domain_of("HTTPS://WWW.Example.COM/path") == "example.com"
    assert domain_of("kidsmediausa  . com") == "kidsmediausa.com"
    assert domain_of("") == ""


def test_prepare_measures_the_facts():
    prepared = prepare(
        CommentText(
            "CHECK my channel http://a.com and http://b.com!!",
            author="www.me.com",
            website="https://b.com",
        )
    )
    meta = dict(zip(META_FEATURES, prepared.meta, strict=True))
    assert prepared.domains == ("a.com", "b.com")
    assert meta["links"] == pytest.approx(2 / 3)
    assert meta["website"] == 1.0
    assert meta["website_link"] == 1.0
    assert meta["author_url"] == 1.0
    assert meta["exclamations"] > 0
    assert "channel" in prepared.cues


def test_hostile_input_is_bounded_head_and_tail_kept():
    prepared = prepare(CommentText("word " * 40_000 + "visit http://spam.example.com"))
    assert len(prepared.text) < 2 * MAX_CHARS
    assert prepared.text.startswith("word word")
    assert prepared.domains == ("spam.example.com",)
