"""``commentsvc import|export|gdpr|purge|webhook``: thin wrappers over the data services."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from commentsvc.cli import fail


def _site(name: str):
    from commentsvc.sites import get_site

    site = get_site(name)
    if site is None:
        fail(f"no site named {name!r} (create it with: commentsvc site add {name} --origin URL)")
    return site


import_group = click.Group(
    "import", help="Import threads and comments from another system (idempotent)."
)


def _import_command(kind: str, help_text: str) -> click.Command:
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--site", "site_name", required=True, help="The commentsvc site to import into.")
    @click.option(
        "--dry-run", is_flag=True, help="Check everything, print the counts, store nothing."
    )
    @click.option(
        "--map-url",
        "url_maps",
        multiple=True,
        metavar="OLD=NEW",
        help="Rewrite page URLs starting with OLD to start with NEW; repeat.",
    )
    @click.option("--progress/--no-progress", default=None, help="Default: on a terminal.")
    @with_appcontext
    def command(
        file: Path, site_name: str, dry_run: bool, url_maps: tuple[str, ...], progress: bool | None
    ) -> None:
        from commentsvc.importers.records import ImportFileError
        from commentsvc.importers.service import run_import

        site = _site(site_name)
        show = sys.stderr.isatty() if progress is None else progress
        with (
            click.progressbar(
                length=file.stat().st_size, label=f"{kind} {file.name}", file=sys.stderr
            )
            if show
            else _NoBar() as bar
        ):
            try:
                report = run_import(
                    kind, file, site, dry_run=dry_run, url_maps=url_maps, progress=bar.update
                )
            except ImportFileError as exc:
                fail(f"{file}: {exc} — nothing was imported")
        for line in report.lines():
            click.echo(line)

    command.__doc__ = help_text
    return click.command(kind, help=help_text)(command)


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


for _kind, _help in (
    ("wordpress", "Import a WordPress WXR export (Tools → Export) into a site."),
    ("disqus", "Import a Disqus XML export into a site."),
    ("isso", "Import an Isso SQLite database (comments.db) into a site."),
    ("json", "Import a commentsvc JSON export (from `commentsvc export`) into a site."),
):
    import_group.add_command(_import_command(_kind, _help))


@click.command("export")
@click.option("--site", "site_name", required=True, help="The site to export.")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output.",
)
@with_appcontext
def export(site_name: str, fmt: str, output: Path | None) -> None:
    """Export a whole site (threads, comments with their statuses, audit log) as JSON.

    The file holds personal data (e-mails, IP hashes): keep it safe. `commentsvc import json`
    reads it back.
    """
    from commentsvc.exports import write_export

    site = _site(site_name)
    if output is None:
        counts = write_export(site, sys.stdout)
    else:
        with output.open("w", encoding="utf-8") as stream:
            counts = write_export(site, stream)
    summary = ", ".join(f"{n} {name}" for name, n in counts.items())
    click.echo(f"exported {site.name}: {summary}", err=True)


def register(app: Flask) -> None:
    """Add the data commands to the ``commentsvc`` group."""
    for command in (import_group, export):
        app.cli.add_command(command)
