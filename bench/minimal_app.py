"""The floor of a Python WSGI request here: Flask answering a 2 KB JSON body, nothing else.

    python -m bench.minimal_app --port 8101 --workers 4

Served by the same gunicorn settings as ``commentsvc serve`` (``commentsvc.server``).
"""

from __future__ import annotations

import argparse

from flask import Flask, jsonify

app = Flask(__name__)
# About 2 KB once serialised, like a short thread.
BODY = {
    "comments": [
        {"id": n, "author": "Camille", "body_html": "<p>Merci pour cet article très clair.</p>"}
        for n in range(24)
    ]
}


@app.get("/")
def index():
    return jsonify(BODY)


def main() -> None:
    from commentsvc.server import gunicorn_options, run_with_gunicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    options = gunicorn_options("127.0.0.1", args.port, args.workers)
    # No app hooks here: no database to reconnect, no metrics to fold.
    for hook in ("post_fork", "child_exit"):
        options.pop(hook)
    run_with_gunicorn(app, options)


if __name__ == "__main__":
    main()
