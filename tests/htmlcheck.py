"""Parse rendered HTML like a browser (html5lib) and list whatever could run or restyle."""

from __future__ import annotations

import html5lib

ACTIVE_ELEMENTS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "form",
    "svg",
    "math",
    "img",
    "link",
    "meta",
    "base",
    "frame",
    "frameset",
    "applet",
    "video",
    "audio",
    "input",
    "button",
    "textarea",
    "select",
    "template",
}
SAFE_SCHEMES = ("http:", "https:", "mailto:")


def active_content(fragment: str) -> list[str]:
    """Everything in ``fragment`` that a sanitiser should have removed; empty when safe."""
    tree = html5lib.parseFragment(fragment, namespaceHTMLElements=False)
    found: list[str] = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.split("}")[-1].lower()
        if tag in ACTIVE_ELEMENTS:
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            name = name.split("}")[-1].lower()
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                found.append(f"{tag}@{name}")
            if name in {"href", "src", "action", "xlink:href"}:
                target = "".join(value.split()).lower()
                if ":" in target.split("/")[0] and not target.startswith(SAFE_SCHEMES):
                    found.append(f"{tag}@{name}={value[:40]}")
    return found
