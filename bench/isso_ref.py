"""Isso 0.14, the reference comment server, seeded through its own API with the same threads."""

from __future__ import annotations

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from bench.seed import BODIES, TARGETS

COUNT_PAGES = 50


def _post(base_url: str, uri: str, body: dict) -> int:
    request = urllib.request.Request(
        f"{base_url}/new?uri={uri}",
        data=json.dumps({**body, "title": "Bench"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["id"]


def _thread(base_url: str, uri: str, size: int) -> None:
    """``size`` comments, a third top-level, the others replies, like ``bench.seed``."""
    roots: list[int] = []
    for n in range(size):
        body = {"text": BODIES[n % len(BODIES)], "author": f"Lecteur {n % 8}"}
        if roots and n % 3:
            body["parent"] = roots[-1 - n % min(len(roots), 20)]
        comment_id = _post(base_url, uri, body)
        if "parent" not in body:
            roots.append(comment_id)


def seed_isso(base_url: str) -> None:
    """The three target threads, and one comment on each other page of the counts request."""
    jobs = [(f"/t{size}", size) for size in TARGETS]
    jobs += [(f"/filler/{n}", 1) for n in range(COUNT_PAGES - len(TARGETS))]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda job: _thread(base_url, *job), jobs))


def count_uris() -> list[str]:
    return [f"/t{size}" for size in TARGETS] + [
        f"/filler/{n}" for n in range(COUNT_PAGES - len(TARGETS))
    ]
