import pytest

from commentsvc.markup import render_markdown
from tests.htmlcheck import active_content


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("*emphase* et **gras**", "<p><em>emphase</em> et <strong>gras</strong></p>"),
        ("> citation", "<blockquote>\n<p>citation</p>\n</blockquote>"),
        ("- un\n- deux", "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>"),
        ("`code` inline", "<p><code>code</code> inline</p>"),
        ("```\nbloc <b>\n```", "<pre><code>bloc &lt;b&gt;\n</code></pre>"),
        ("L'été « chaud » !", "<p>L'été « chaud » !</p>"),
        ("a < b && c > d", "<p>a &lt; b &amp;&amp; c &gt; d</p>"),
    ],
)
def test_limited_markdown_renders(source: str, expected: str) -> None:
    assert render_markdown(source) == expected


def test_links_get_nofollow_ugc_noopener() -> None:
    html = render_markdown("[site](https://example.fr) et https://autre.example.org")
    assert html.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://example.fr"' in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(1)>",
        '<img src=x onerror="alert(1)">',
        '<a href="#" onclick="alert(1)">x</a>',
        "<b>broken <i>tags",
        "![img](https://evil.example/x.png)",
        '<div style="color:red">x</div>',
        "[x](vbscript:msgbox(1))",
        '[x](https://ok.fr "title" onmouseover=alert(1))',
    ],
)
def test_hostile_input_loses_its_power(source: str) -> None:
    assert active_content(render_markdown(source)) == []


def test_images_and_headings_are_not_rendered() -> None:
    assert "<img" not in render_markdown("![img](https://evil.example/x.png)")
    assert "<h1" not in render_markdown("# Titre")


def test_raw_html_is_shown_as_text() -> None:
    assert render_markdown("<b>gras</b>") == "<p>&lt;b&gt;gras&lt;/b&gt;</p>"
