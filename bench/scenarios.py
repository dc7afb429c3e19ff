"""What is measured against each server: paths, scripts, and how to prepare them."""

from __future__ import annotations

import http.cookiejar
import re
import statistics
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from bench.isso_ref import count_uris
from bench.seed import MODERATOR, MODERATOR_PASSWORD, ORIGIN, SITE, TARGETS


@dataclass(frozen=True)
class Scenario:
    key: str  # the row of the table, e.g. "GET iframe t100"
    path: str
    script: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    # The Isso row it is compared with, if any.
    isso_key: str | None = None


def _q(**params: str | list[str]) -> str:
    return urllib.parse.urlencode(params, doseq=True)


def ours(post_token: str) -> list[Scenario]:
    """commentsvc: thread pages and JSON, the form post, counts for 50 pages."""
    rows = []
    for size in TARGETS:
        page = f"{ORIGIN}/t{size}"
        rows.append(
            Scenario(
                f"GET iframe t{size}", f"/embed/{SITE}?{_q(url=page)}", None, {}, f"GET t{size}"
            )
        )
        rows.append(
            Scenario(
                f"GET JSON t{size}",
                f"/api/v1/sites/{SITE}/comments?{_q(url=page)}",
                None,
                {},
                f"GET t{size}",
            )
        )
    env = {"BENCH_TOKEN": post_token, "BENCH_PAGE_URL": f"{ORIGIN}/post"}
    rows.append(Scenario("POST comment", f"/embed/{SITE}/comments", "post_form", env, "POST"))
    urls = [f"{ORIGIN}{uri}" for uri in count_uris()]
    rows.append(
        Scenario(
            "GET counts 50", f"/api/v1/sites/{SITE}/counts?{_q(url=urls)}", None, {}, "counts 50"
        )
    )
    return rows


def isso() -> list[Scenario]:
    rows = [Scenario(f"GET t{size}", f"/?{_q(uri=f'/t{size}')}") for size in TARGETS]
    rows.append(Scenario("POST", f"/new?{_q(uri='/post')}", "post_isso"))
    import json

    body = json.dumps(count_uris())
    rows.append(Scenario("counts 50", "/count", "post_isso_count", {"BENCH_BODY": body}))
    return rows


def minimal() -> list[Scenario]:
    return [Scenario("GET 2 KB JSON", "/")]


def form_token(base_url: str) -> str:
    """A form token for the write benchmark's page, served by the iframe page like a reader's."""
    page = (
        urllib.request.urlopen(f"{base_url}/embed/{SITE}?{_q(url=f'{ORIGIN}/post')}", timeout=30)
        .read()
        .decode()
    )
    found = re.search(r'<input[^>]*name="token"[^>]*value="([^"]+)"', page) or re.search(
        r'<input[^>]*value="([^"]+)"[^>]*name="token"', page
    )
    if found is None:
        raise RuntimeError("no form token in the iframe page")
    # The pipeline holds forms filled faster than the site's minimum (3 s): wait like a reader.
    time.sleep(3.5)
    return found.group(1)


def queue_timing(base_url: str, requests: int = 20) -> dict[str, float]:
    """A moderator's first page of the review queue: sequential requests, in ms."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    login = opener.open(f"{base_url}/admin/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login)
    form = {"csrf_token": token.group(1), "email": MODERATOR, "password": MODERATOR_PASSWORD}
    opener.open(f"{base_url}/admin/login", data=_q(**form).encode(), timeout=30).read()
    timings = []
    for _ in range(requests + 2):
        started = time.perf_counter()
        with opener.open(f"{base_url}/admin/queue", timeout=60) as response:
            body = response.read()
            status = response.status
        timings.append((time.perf_counter() - started) * 1000)
    if status != 200 or b"login" in response.url.encode():
        raise RuntimeError(f"queue page answered {status} at {response.url}")
    measured = sorted(timings[2:])  # the first two warm the worker's caches
    return {
        "p50_ms": round(statistics.median(measured), 1),
        "max_ms": round(measured[-1], 1),
        "bytes": len(body),
    }
