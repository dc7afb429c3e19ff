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


gdpr_group = click.Group("gdpr", help="A person's data: export it or erase it.")


@gdpr_group.command("export")
@click.argument("email")
@with_appcontext
def gdpr_export(email: str) -> None:
    """Print everything stored about EMAIL as JSON (comments on every site, bans)."""
    import json

    from commentsvc.gdpr import export_person

    click.echo(json.dumps(export_person(email), ensure_ascii=False, indent=2))


@gdpr_group.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (asked on a terminal only).")
@with_appcontext
def gdpr_erase(email: str, yes: bool) -> None:
    """Anonymise every comment written with EMAIL (bodies kept or removed per site policy).

    Name, e-mail and IP hash are kept apart for COMMENTSVC_RETENTION_DAYS, then removed by
    `commentsvc purge`. Each site touched gets an "erase" entry in its audit log.
    """
    from commentsvc.gdpr import erase_person

    if not yes and sys.stdin.isatty():
        click.confirm(f"Erase the personal data of {email}?", abort=True)
    result = erase_person(email, actor="cli")
    per_site = ", ".join(f"{name}: {n}" for name, n in result.sites.items()) or "none"
    click.echo(
        f"erased {result.comments} comments ({per_site}); bodies removed: {result.bodies_removed}"
    )


@click.command("purge")
@with_appcontext
def purge() -> None:
    """Remove identification data older than COMMENTSVC_RETENTION_DAYS (run it daily)."""
    from commentsvc.gdpr import purge as run_purge

    result = run_purge()
    click.echo(
        f"retained identities removed: {result.retained_removed}; "
        f"IP hashes cleared on old comments: {result.old_comments_cleared}"
    )


webhook_group = click.Group("webhook", help="Per-site webhooks (signed HTTP callbacks).")


@webhook_group.command("add")
@click.argument("url")
@click.option("--site", "site_name", required=True, help="The site whose events are sent.")
@click.option(
    "--event",
    "events",
    multiple=True,
    help="comment.created, comment.published, comment.rejected or comment.reported; "
    "repeat (default: all).",
)
@with_appcontext
def webhook_add(url: str, site_name: str, events: tuple[str, ...]) -> None:
    """Send the site's comment events to URL; prints the signing secret once."""
    from commentsvc.webhooks import WebhookError, add_webhook

    try:
        hook = add_webhook(_site(site_name), url, list(events))
    except WebhookError as exc:
        fail(str(exc))
    click.echo(f"webhook {hook.id}: {hook.url} ({', '.join(hook.events)})")
    click.echo(f"secret (shown once): {hook.secret}")


@webhook_group.command("list")
@click.option("--site", "site_name", required=True)
@with_appcontext
def webhook_list(site_name: str) -> None:
    """List a site's webhooks."""
    from sqlalchemy import select

    from commentsvc.extensions import db
    from commentsvc.models import Webhook

    site = _site(site_name)
    for hook in db.session.scalars(select(Webhook).where(Webhook.site_id == site.id)):
        state = "active" if hook.active else "off"
        click.echo(f"{hook.id}\t{state}\t{hook.url}\t{','.join(hook.events)}")


@webhook_group.command("remove")
@click.argument("webhook_id", type=int)
@with_appcontext
def webhook_remove(webhook_id: int) -> None:
    """Remove a webhook; messages still queued for it are dropped at delivery."""
    from commentsvc.webhooks import remove_webhook

    if not remove_webhook(webhook_id):
        fail(f"no webhook {webhook_id}")
    click.echo(f"webhook {webhook_id} removed")


def register(app: Flask) -> None:
    """Add the data commands to the ``commentsvc`` group."""
    for command in (import_group, export, gdpr_group, purge, webhook_group):
        app.cli.add_command(command)
