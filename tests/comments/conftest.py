"""Helpers for driving the iframe through the test client."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from tests.factories import make_site

PAGE = "https://news.example.fr/articles/ia-embarquee"
_bodies = itertools.count(1)


class Embed:
    """The iframe of one page, as a browser without JavaScript uses it."""

    def __init__(self, client, site, url: str = PAGE) -> None:
        self.client = client
        self.site = site
        self.url = url

    def get(self, **params: Any):
        return self.client.get(f"/embed/{self.site.name}", query_string={"url": self.url, **params})

    def token(self) -> str:
        html = self.get().get_data(as_text=True)
        return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)

    def post(self, path: str = "comments", json: bool = False, **fields: Any):
        data = {"url": self.url, **fields}
        if "token" not in data:
            data["token"] = self.token()
        headers = {"Accept": "application/json"} if json else {}
        return self.client.post(f"/embed/{self.site.name}/{path}", data=data, headers=headers)

    def comment(self, json: bool = False, **fields: Any):
        fields.setdefault("author", "Camille")
        fields.setdefault("email", "camille@example.fr")
        # Distinct texts: the pipeline refuses the same comment twice.
        fields.setdefault("body", f"Très bon article, merci ! ({next(_bodies)})")
        return self.post("comments", json=json, **fields)


@pytest.fixture
def site(app):
    # Tests post as soon as the form is served; the bot-trap timing is tested on its own.
    return make_site(
        "lebigdata", origins=["https://news.example.fr", "https://www.example.fr"], min_seconds=0
    )


@pytest.fixture
def embed(client, site) -> Embed:
    return Embed(client, site)
