"""Parse rendered HTML like a browser (html5lib) and list whatever could run or restyle.

The rules are those of ``tests/data/xss_vectors.txt`` (its header, "Oracle" a-e).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from xml.etree.ElementTree import Element

import html5lib

ACTIVE_ELEMENTS = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "option",
    "isindex",
    "base",
    "meta",
    "link",
    "template",
    "noscript",
    "noembed",
    "xmp",
    "listing",
    "plaintext",
    "marquee",
    "details",
    "dialog",
    "video",
    "audio",
    "source",
    "track",
    "image",
    "use",
    "animate",
    "set",
    "img",
}
# Rule a: the limited-Markdown allowlist.
COMMENT_ELEMENTS = {
    "p",
    "br",
    "em",
    "strong",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
}
# Rule b: attributes that never come from a comment.
FORBIDDEN_ATTRIBUTES = {
    "style",
    "srcdoc",
    "formaction",
    "action",
    "xlink:href",
    "href:xlink",
    "background",
    "dynsrc",
    "lowsrc",
    "poster",
    "data",
    "codebase",
    "is",
    "popover",
    "popovertarget",
    "accesskey",
    "contenteditable",
    "autofocus",
    "tabindex",
    "id",
    "name",
    "class",
}
COMMENT_ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start"}, "code": {"class"}}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
SAFE_SCHEMES = {"http", "https", "mailto"}
REQUIRED_REL = {"nofollow", "ugc", "noopener"}
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))


def parse_fragment(fragment: str) -> Element:
    return html5lib.parseFragment(fragment, namespaceHTMLElements=False)


def parse_page(page: str) -> Element:
    return html5lib.parse(page, namespaceHTMLElements=False)


def _local(name: str) -> str:
    return name.split("}")[-1].lower()


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see in ``value`` (WHATWG URL clean-up first), or None."""
    cleaned = value.strip(_C0_AND_SPACE)
    cleaned = cleaned.replace("\t", "").replace("\n", "").replace("\r", "")
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def _elements(root: Element) -> Iterable[Element]:
    for element in root.iter():
        if isinstance(element.tag, str):
            yield element


def _attribute_problems(tag: str, name: str, value: str) -> list[str]:
    problems = []
    if name.startswith("on") or name in FORBIDDEN_ATTRIBUTES:
        problems.append(f"{tag}@{name}")
    if name in URL_ATTRIBUTES:
        scheme = url_scheme(value)
        if scheme is not None and scheme not in SAFE_SCHEMES:
            problems.append(f"{tag}@{name}={value[:40]!r}")
    return problems


def active_content(fragment: str) -> list[str]:
    """Everything in ``fragment`` that could run, load or restyle; empty when safe."""
    return _active_in(parse_fragment(fragment))


def _active_in(root: Element) -> list[str]:
    found: list[str] = []
    for element in _elements(root):
        tag = _local(element.tag)
        if tag in ACTIVE_ELEMENTS:
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            found.extend(_attribute_problems(tag, _local(name), value))
    return found


def comment_violations(fragment: str) -> list[str]:
    """Rules a-d for HTML that came from a comment: allowlisted markup only, safe links."""
    return element_violations(parse_fragment(fragment))


def element_violations(root: Element) -> list[str]:
    """Rules a-d below ``root``, a comment container (the container itself is the page's)."""
    found: list[str] = []
    for element in _elements(root):
        if element is root:
            continue
        tag = _local(element.tag)
        if tag not in COMMENT_ELEMENTS:
            found.append(f"<{tag}>")
        allowed = COMMENT_ATTRIBUTES.get(tag, set())
        for name, value in element.attrib.items():
            name = _local(name)
            if name == "class" and tag == "code" and value.startswith("language-"):
                continue
            if name not in allowed:
                found.append(f"{tag}@{name}")
            found.extend(_attribute_problems(tag, name, value))
        if tag == "a":
            rel = set(element.get("rel", "").lower().split())
            if not rel >= REQUIRED_REL:
                found.append(f"a@rel={element.get('rel')!r}")
    return found


def active_signature(root: Element, *, skip: Iterable[Element] = ()) -> Counter[str]:
    """What could run in ``root`` (elements, handlers, script URLs), outside ``skip`` subtrees.

    Comparing a page's with a baseline page's shows a payload that escaped its container or
    an attribute: the page then gains an element or an attribute it did not have.
    """
    skipped = {id(element) for element in skip}
    signature: Counter[str] = Counter()

    def walk(element: Element) -> None:
        if id(element) in skipped:
            return
        if isinstance(element.tag, str):
            tag = _local(element.tag)
            if tag in ACTIVE_ELEMENTS:
                signature[f"<{tag}>"] += 1
            for name, value in element.attrib.items():
                name = _local(name)
                if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                    signature[f"{tag}@{name}"] += 1
                scheme = url_scheme(value) if name in URL_ATTRIBUTES else None
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    signature[f"{tag}@{name}={scheme}:"] += 1
        for child in element:
            walk(child)

    walk(root)
    return signature
