"""``commentsvc …`` commands: thin wrappers over services."""

from __future__ import annotations

import os
import secrets
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from commentsvc.config import ConfigError
from commentsvc.server import THREADS


def _create_app_for_cli() -> Flask:
    from commentsvc import create_app

    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"commentsvc: configuration error: {exc}", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app_for_cli, add_version_option=False)
def main() -> None:
    """commentsvc: self-hosted comments and moderation for publishers."""


def fail(message: str) -> None:
    """Stop a command with one readable line and exit status 1."""
    raise click.ClickException(message)


def read_password(prompt: str = "Password") -> str:
    """From the terminal without echo, or the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


site_group = click.Group("site", help="Manage sites.")
moderator_group = click.Group("moderator", help="Manage moderator accounts.")


@site_group.command("add")
@click.argument("name")
@click.option("--origin", "origins", multiple=True, required=True, help="Allowed origin; repeat.")
@click.option(
    "--mode", type=click.Choice(["pre", "post", "auto"]), default="auto", show_default=True
)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@with_appcontext
def site_add(name: str, origins: tuple[str, ...], mode: str, lang: str) -> None:
    """Register a site that may embed the comments."""
    from commentsvc.sites import SiteError, create_site

    try:
        site = create_site(name, origins=list(origins), mode=mode, lang=lang)
    except SiteError as exc:
        fail(str(exc))
    click.echo(f"site {site.name}: origins {', '.join(site.origins)}, mode {mode}, lang {lang}")


@moderator_group.command("add")
@click.argument("email")
@click.option("--admin", "is_admin", is_flag=True, help="May do everything, on every site.")
@click.option("--site", "site_names", multiple=True, help="Site this moderator works on; repeat.")
@with_appcontext
def moderator_add(email: str, is_admin: bool, site_names: tuple[str, ...]) -> None:
    """Create a moderator; the password is read from standard input."""
    from commentsvc.admin.accounts import AccountError, create_moderator
    from commentsvc.sites import get_site

    sites = []
    for name in site_names:
        site = get_site(name)
        if site is None:
            fail(f"no site named {name!r}")
        sites.append(site)
    password = read_password()
    try:
        moderator = create_moderator(email, password, is_admin=is_admin, sites=sites)
    except AccountError as exc:
        fail(str(exc))
    role = "admin" if moderator.is_admin else "moderator"
    click.echo(f"{role} {moderator.email} created")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Idempotent: migrate, create site `demo` and moderator admin@example.com."""
    from flask_migrate import upgrade

    from commentsvc.admin.accounts import create_moderator, get_moderator
    from commentsvc.sites import create_site, get_site

    upgrade()
    site = get_site("demo")
    if site is None:
        site = create_site(
            "demo", origins=["http://127.0.0.1:8000", "http://localhost:8000"], lang="fr"
        )
        click.echo("site demo created (origins http://127.0.0.1:8000, http://localhost:8000)")
    if get_moderator("admin@example.com") is None:
        password = os.environ.get("COMMENTSVC_DEMO_PASSWORD") or secrets.token_urlsafe(12)
        create_moderator("admin@example.com", password, is_admin=True, sites=[site])
        shown = (
            "from COMMENTSVC_DEMO_PASSWORD"
            if "COMMENTSVC_DEMO_PASSWORD" in os.environ
            else password
        )
        click.echo(f"moderator admin@example.com created, password: {shown}")
    click.echo("demo ready: http://127.0.0.1:8000/demo/  (admin: http://127.0.0.1:8000/admin/)")


@main.command("serve", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=None, type=int, help="Default: 2 × cores + 1.")
@click.option(
    "--threads",
    default=THREADS,
    show_default=True,
    type=int,
    help="Per worker; keeps connections open.",
)
def serve(host: str, port: int, workers: int | None, threads: int) -> None:
    """Production-style server: gunicorn, the app and its model loaded once (--preload).

    Writes an access log of JSON lines (with the request id) on standard output.
    """
    # Registered on the group itself, not on the app: the app must be built after the
    # metrics directory is chosen, which run_gunicorn does first.
    from commentsvc.server import run_gunicorn

    if workers is not None and workers < 1:
        fail("--workers must be at least 1")
    if threads < 1:
        fail("--threads must be at least 1")
    try:
        run_gunicorn(host=host, port=port, workers=workers, threads=threads)
    except ConfigError as exc:
        click.echo(f"commentsvc: configuration error: {exc}", err=True)
        sys.exit(2)


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
@with_appcontext
def worker(once: bool, interval: float) -> None:
    """Deliver queued e-mails and webhooks, retrying failures with backoff."""
    from flask import current_app

    from commentsvc import outbox

    def show(report: outbox.DeliveryReport) -> None:
        click.echo(
            f"delivered {report.delivered}, retrying {report.retrying}, failed {report.failed}"
        )

    if once:
        show(outbox.deliver_due())
        return
    click.echo(f"delivering every {interval:g} s (channels: {', '.join(outbox.channels())})")
    outbox.run_worker(current_app._get_current_object(), interval=interval, on_batch=show)


def register(app: Flask) -> None:
    from commentsvc.spam.cli import model_group

    for command in (site_group, moderator_group, demo, worker, model_group):
        app.cli.add_command(command)
