"""Isso's side of ``python -m bench.post_cost --isso``: CPU per ``POST /new`` in one process.

Run by Isso's own interpreter (``bench/.isso-venv/bin/python bench/isso_post_cost.py --config
FILE``), so it imports nothing of commentsvc: ``bench.post_cost`` writes the settings with
``servers.write_isso_config`` (a fresh SQLite file, moderation and its guard off, as the
benchmark's server). Isso 0.14's WSGI app through werkzeug's test client (no HTTP), the same
text shape as ``bench/lua/post_isso.lua``. Prints one JSON line: the CPU ms per POST of each
round.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument("--config", required=True, help="Isso's settings file")
    args = parser.parse_args()
    os.environ["ISSO_SETTINGS"] = args.config
    from isso.run import application  # reads ISSO_SETTINGS on import
    from werkzeug.test import Client

    logging.disable(logging.INFO)  # as the benchmark's server, whose log goes to a file
    client = Client(application)
    count = 0

    def post() -> None:
        nonlocal count
        count += 1
        body = json.dumps(
            {
                "text": f"Avis numéro {count} du lecteur 1 ({count * 7919}) : clair, merci.",
                "author": "Lecteur 1",
                "email": "lecteur1@example.fr",
                "title": "Bench",
            }
        )
        response = client.post(
            "/new?uri=%2Fpost",
            data=body,
            content_type="application/json",
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        if response.status_code not in (201, 202):
            sys.exit(f"Isso answered {response.status_code}")

    for _ in range(20):  # warm-up, as bench.post_cost
        post()
    rounds = []
    for _ in range(args.rounds):
        started = time.thread_time()
        for _ in range(args.posts):
            post()
        rounds.append((time.thread_time() - started) * 1000 / args.posts)
    print(json.dumps({"cpu_ms": rounds}))


if __name__ == "__main__":
    main()
