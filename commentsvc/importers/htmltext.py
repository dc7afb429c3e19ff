"""Imported comments are HTML (WordPress, Disqus); ours are Markdown rendered by one sanitiser.

This turns the little HTML comment systems allow into the Markdown it means, so that every
imported comment is rendered by ``commentsvc.markup.render_markdown`` like any other.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_INLINE = {"em": "*", "i": "*", "strong": "**", "b": "**", "del": "~~", "s": "~~", "code": "`"}
_BLOCK = {"p", "div", "ul", "ol", "pre", "blockquote"}
# Markdown's own characters in text must stay text.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#~])")


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[str] = []
        self.quote = 0
        self.pre = 0
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.skip += 1
        elif tag in _INLINE and not self.pre:
            self.out.append(_INLINE[tag])
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")
            self.out.append("[")
        elif tag == "br":
            self.out.append("\n" + "> " * self.quote)
        elif tag == "li":
            self.out.append("\n" + "> " * self.quote + "- ")
        elif tag in _BLOCK:
            self._paragraph()
            if tag == "blockquote":
                self.quote += 1
                self.out.append("> ")
            if tag == "pre":
                self.pre += 1
                self.out.append("```\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self.skip = max(0, self.skip - 1)
        elif tag in _INLINE and not self.pre:
            self.out.append(_INLINE[tag])
        elif tag == "a" and self.links:
            href = self.links.pop()
            self.out.append(f"]({href})" if href.startswith(("http://", "https://")) else "]")
        elif tag in _BLOCK:
            if tag == "pre" and self.pre:
                self.pre -= 1
                self.out.append("\n```")
            if tag == "blockquote" and self.quote:
                self.quote -= 1
            self._paragraph()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            self.out.append(data)
            return
        text = _MD_SPECIAL.sub(r"\\\1", data)
        if self.quote:
            text = text.replace("\n", "\n" + "> " * self.quote)
        self.out.append(text)

    def _paragraph(self) -> None:
        self.out.append("\n\n" + "> " * self.quote)


def html_to_markdown(html: str) -> str:
    """The Markdown meaning of a comment's HTML: emphasis, links, quotes, lists, breaks."""
    converter = _Converter()
    converter.feed(html.replace("\r\n", "\n"))
    converter.close()
    text = "".join(converter.out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n(?:> ?)*\n(?:(?:> ?)*\n)+", lambda m: "\n\n", text)
    return text.strip()
