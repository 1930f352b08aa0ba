"""The calendar on the phone: `coachnotes calendar sync`."""

from __future__ import annotations

import datetime as dt

import click

from coachnotes.cli.app import Context, _today, cli, pass_context, today_option
from coachnotes.i18n import _


@cli.group()
def calendar() -> None:
    """Your own calendar (CalDAV: Nextcloud, Fastmail, iCloud, Radicale)."""


@calendar.command(name="sync")
@today_option
@pass_context
def calendar_sync(obj: Context, today: dt.date | None) -> None:
    """Put what is due in your calendar: conversations as events, actions as tasks."""
    from coachnotes.commands.calendar import sync

    done = sync(obj.vault, _today(today))
    for message in done.messages:
        click.echo(f"coachnotes: {message}", err=True)
    click.echo(_("calendar: {created} new, {updated} changed, {deleted} removed, {unchanged} "
                 "unchanged").format(created=done.created, updated=done.updated,
                                      deleted=done.deleted, unchanged=done.unchanged))
