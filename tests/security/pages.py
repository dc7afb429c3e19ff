"""Where a comment is shown, parsed like a browser, and judged by the corpus oracle."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from tests.htmlcheck import (
    REQUIRED_REL,
    SAFE_SCHEMES,
    active_signature,
    element_violations,
    parse_page,
    url_scheme,
)

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068"


BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068"


def _has_class(element: Element, name: str) -> bool:
    return name in (element.get("class") or "").split()


def find_all(root: Element, tag: str, css_class: str) -> list[Element]:
    return [e for e in root.iter(tag) if _has_class(e, css_class)]


def text_of(element: Element) -> str:
    return "".join(element.itertext())


@dataclass
class RenderedComment:
    id: int
    item: Element

    @property
    def body(self) -> Element | None:
        found = find_all(self.item, "div", "cs-body")
        return found[0] if found else None

    @property
    def author(self) -> Element | None:
        found = [e for e in self.item.iter() if _has_class(e, "cs-author")]
        return found[0] if found else None


def comments_in(root: Element) -> list[RenderedComment]:
    return [
        RenderedComment(int(item.get("data-id")), item)
        for item in find_all(root, "li", "cs-item")
        if (item.get("data-id") or "").isdigit()
    ]


def author_problems(author: Element, expected_name: str, website: str | None) -> list[str]:
    """Rule e for the name and website: text stays text, the link stays one safe link."""
    problems = []
    children = list(author.iter())[1:]
    links = [c for c in children if c.tag == "a"]
    if [c.tag for c in children] != (["a"] if website else []):
        problems.append(f"author markup {[c.tag for c in children]}")
    for link in links:
        if set(link.attrib) != {"href", "rel", "target"}:
            problems.append(f"website link attributes {sorted(link.attrib)}")
        if url_scheme(link.get("href", "")) not in SAFE_SCHEMES:
            problems.append(f"website href {link.get('href', '')[:60]!r}")
        if not set((link.get("rel") or "").split()) >= REQUIRED_REL:
            problems.append("website rel")
    # Bidi control characters must not reorder the text around the name (BI-019).
    isolated = author.tag == "bdi" or author.get("dir") or any(c.tag == "bdi" for c in children)
    if not isolated and any(ch in expected_name for ch in BIDI_CONTROLS):
        problems.append("bidi override in the name is not isolated")
    if text_of(author) != expected_name:
        problems.append(f"name shown as {text_of(author)[:60]!r}")
    return problems


def chrome_signature(root: Element) -> Counter[str]:
    """Active things of a page outside its comments and its "your comments" items."""
    skip = [*find_all(root, "li", "cs-item"), *find_all(root, "div", "cs-own-item")]
    return active_signature(root, skip=skip)


def own_item_signatures(root: Element) -> list[Counter[str]]:
    return [
        active_signature(item, skip=find_all(item, "li", "cs-item"))
        for item in find_all(root, "div", "cs-own-item")
    ]


def page_problems(
    html: str, expected: dict[int, tuple[str, str | None]], baseline: Counter[str]
) -> list[str]:
    """Every comment of ``expected`` (id -> name, website) is safe, and nothing escaped it."""
    root = parse_page(html)
    problems = []
    seen = {c.id: c for c in comments_in(root)}
    for comment_id, (name, website) in expected.items():
        comment = seen.get(comment_id)
        if comment is None:
            problems.append(f"c{comment_id}: not shown")
            continue
        if comment.body is None or comment.author is None:
            problems.append(f"c{comment_id}: no body or author container")
            continue
        problems += [f"c{comment_id} body: {p}" for p in element_violations(comment.body)]
        problems += [
            f"c{comment_id} author: {p}" for p in author_problems(comment.author, name, website)
        ]
    if set(seen) - set(expected):
        problems.append(f"unexpected comments {sorted(set(seen) - set(expected))[:5]}")
    if chrome_signature(root) != baseline:
        problems.append(
            f"page changed outside comments: {chrome_signature(root) - baseline}"
            f" / missing {baseline - chrome_signature(root)}"
        )
    return problems
