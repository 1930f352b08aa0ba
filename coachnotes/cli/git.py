"""Git: sync and the pre-commit hook."""

from __future__ import annotations

import datetime as dt
import sys

import click

from coachnotes.cli.app import (
    Context,
    cli,
    pass_context,
    today_option,
)
from coachnotes.i18n import _


@cli.command("sync")
@click.option("--no-push", is_flag=True, help="Commit and merge, but do not push.")
@today_option
@pass_context
def sync_command(obj: Context, no_push: bool, today: dt.date | None) -> None:
    """Commit, pull, resolve conflicts without losing anything, regenerate pages, push."""
    from coachnotes.commands.git import sync

    report = sync(obj.vault, not no_push, today)
    for message in report.messages:
        click.echo(message, err=True)
    for copy in report.conflicts:
        click.echo(_("{copy}: W108 conflict copy: changed on both devices — compare it "
                     "with the one beside it and delete it").format(copy=copy), err=True)
    for kept in report.kept_edits:
        click.echo(_("{kept}: deleted on one device, edited on the other: the edit is kept").format(
                     kept=kept),
                   err=True)
    for document in report.documents:
        click.echo(_("{path}: a document coachnotes wrote (for a sponsor, a coachee or the "
                     "books): left out of git, which must never hold it. Move it out of the "
                     "vault, or into exports/").format(path=document), err=True)
    parts = [_("{n} note(s) committed").format(n=report.committed)]
    if report.merged:
        parts.append(_("merged the remote"))
    parts.append(_("pushed") if report.pushed else _("not pushed"))
    click.echo("sync: " + ", ".join(parts))
    if report.errors:  # synced like every note; what is due from them is unknown until fixed
        click.echo("\n".join(map(str, report.errors)))
        click.echo(_("sync: {n} error(s) in the notes above: fix them (`coachnotes "
                     "check`); until then `due` lists them as notes to fix").format(
                     n=len(report.errors)),
                   err=True)
        sys.exit(1)
    if report.documents:
        sys.exit(1)


@cli.group()
def hooks() -> None:
    """Git hooks for the vault."""


@hooks.command(name="install")
@click.option("--force", is_flag=True, help="Keep an existing pre-commit hook and run it first.")
@pass_context
def hooks_install_command(obj: Context, force: bool) -> None:
    """Install a pre-commit hook that blocks commits of notes with errors."""
    from coachnotes.commands.git import hooks_install

    click.echo(_("installed {install_hook}").format(install_hook=hooks_install(obj.vault, force)))


