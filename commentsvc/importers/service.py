"""Run one import: open the file, pick the parser, write the records."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from commentsvc.importers import disqus, isso, wordpress
from commentsvc.importers.records import ImportFileError, ImportReport
from commentsvc.importers.writer import import_records
from commentsvc.models import Site

KINDS = ("wordpress", "disqus", "isso", "json")
Progress = Callable[[int], None]


def parse_url_maps(pairs: Sequence[str]) -> Callable[[str], str]:
    """``OLD=NEW`` prefixes, first match wins: ``http://old.fr=https://www.new.fr``."""
    maps = []
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old or not new:
            raise ImportFileError(f"--map-url {pair!r}: expected OLD=NEW")
        maps.append((old, new))

    def rewrite(url: str) -> str:
        for old, new in maps:
            if url.startswith(old):
                return new + url[len(old) :]
        return url

    return rewrite


def run_import(
    kind: str,
    path: Path,
    site: Site,
    *,
    dry_run: bool = False,
    url_maps: Sequence[str] = (),
    progress: Progress = lambda n: None,
) -> ImportReport:
    """Import ``path`` into ``site``: all or nothing; raises ImportFileError on a bad file."""
    from commentsvc.comments.urls import canonical_url

    rewrite = parse_url_maps(url_maps)

    def map_url(url: str) -> str:
        mapped = rewrite(url)
        return canonical_url(mapped) or mapped

    if kind == "json":
        from commentsvc.exports import import_json

        return import_json(path, site, dry_run=dry_run, map_url=map_url)
    if kind == "isso":
        records: Iterable = isso.parse(path, base_url=site.origins[0])
        progress(path.stat().st_size)
        return import_records(site, records, source="isso", dry_run=dry_run, map_url=map_url)
    parser = wordpress.parse if kind == "wordpress" else disqus.parse
    with path.open("rb") as stream:
        records = parser(stream, on_read=progress)
        return import_records(site, records, source=kind, dry_run=dry_run, map_url=map_url)
