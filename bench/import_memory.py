"""Peak memory of a WordPress import against the size of the export: it must stay flat.

    python -m bench.import_memory                 # 64 MB and 1024 MB exports
    python -m bench.import_memory --sizes 16 128  # quicker

Each size is generated into a temporary directory (French text, nested replies, a few
pingbacks), then imported by a fresh child process into a fresh SQLite database; the child's
peak resident memory (``ru_maxrss``) is reported, with the ratio to the smallest size.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><link>https://bench.example</link>
"""
# About the length of a real comment; one in ten carries a link.
TEXT = (
    "Très intéressant &amp; bien écrit : l’été dernier, j’ai testé la même approche avec "
    "<em>des données réelles</em>, et les résultats étaient moins nets que prévu. "
    "Il faudrait préciser la taille de l’échantillon et la période étudiée."
)
LINK = ' Voir <a href="https://example.org/etude">cette étude</a>.'
COMMENTS_PER_POST = 40


def _comment(cid: int, parent: int, day: int) -> str:
    kind = "pingback" if cid % 97 == 0 else "comment"
    return (
        f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
        f"<wp:comment_author><![CDATA[Lectrice {cid % 5000}]]></wp:comment_author>"
        f"<wp:comment_author_email>l{cid % 5000}@example.fr</wp:comment_author_email>"
        f"<wp:comment_author_IP>192.0.2.{cid % 250}</wp:comment_author_IP>"
        f"<wp:comment_date_gmt>2023-01-{1 + day % 28:02d} 10:{cid % 60:02d}:00"
        "</wp:comment_date_gmt>"
        f"<wp:comment_content><![CDATA[{TEXT}{LINK if cid % 10 == 0 else ''} n°{cid}]]>"
        "</wp:comment_content>"
        f"<wp:comment_approved>{'1' if cid % 10 else '0'}</wp:comment_approved>"
        f"<wp:comment_type>{kind}</wp:comment_type>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
    )


def generate(path: Path, size_mb: int) -> int:
    """Write a WXR file of about ``size_mb`` megabytes; returns the number of comments."""
    target = size_mb * 1024 * 1024
    cid = 0
    post = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        while out.tell() < target:
            post += 1
            out.write(
                f"<item><title>Article {post} : été</title>"
                f"<link>https://bench.example/articles/{post}</link>"
                f"<wp:post_id>{post}</wp:post_id><wp:comment_status>open</wp:comment_status>\n"
            )
            first = cid + 1
            for n in range(COMMENTS_PER_POST):
                cid += 1
                # Every third comment answers the previous one: nesting several levels deep.
                parent = cid - 1 if n % 3 and cid > first else 0
                out.write(_comment(cid, parent, post))
            out.write("</item>\n")
        out.write("</channel></rss>\n")
    return cid


def child(path: Path, database: Path) -> None:
    """Import ``path`` and print: comments imported, seconds, peak RSS in MB."""
    os.environ["COMMENTSVC_DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("COMMENTSVC_SECRET_KEY", "bench-secret-key-0123456789")
    from flask_migrate import upgrade

    from commentsvc import create_app
    from commentsvc.importers.service import run_import
    from commentsvc.sites import create_site

    app = create_app()
    with app.app_context():
        upgrade()
        site = create_site("bench", origins=["https://bench.example"])
        started = time.perf_counter()
        report = run_import("wordpress", path, site)
        elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{report.comments_created} {elapsed:.1f} {peak_mb:.1f}")


def run(size_mb: int, workdir: Path) -> tuple[int, float, float, float]:
    path = workdir / f"export-{size_mb}.xml"
    generate(path, size_mb)
    actual_mb = path.stat().st_size / 1024 / 1024
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.import_memory",
            "--child",
            str(path),
            str(workdir / f"db-{size_mb}.sqlite3"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    comments, seconds, peak = result.stdout.split()[-3:]
    path.unlink()
    return int(comments), float(seconds), float(peak), actual_mb


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 1024], metavar="MB")
    parser.add_argument("--child", nargs=2, metavar=("FILE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return
    print(
        f"{'export MB':>10} {'comments':>10} {'seconds':>8} {'peak RSS MB':>12} {'× smallest':>11}"
    )
    baseline = None
    with tempfile.TemporaryDirectory(prefix="commentsvc-bench-") as tmp:
        for size in sorted(args.sizes):
            comments, seconds, peak, actual = run(size, Path(tmp))
            baseline = baseline or peak
            ratio = f"{peak / baseline:.2f}×"
            print(
                f"{actual:>12.0f} {comments:>12} {seconds:>12.1f} {peak:>12.1f} {ratio:>12}",
                flush=True,
            )


if __name__ == "__main__":
    main()
