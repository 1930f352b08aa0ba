"""`coachnotes invoice`: invoices and credit notes, PDF and e-invoice, from the register."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

import click

from coachnotes.cli.app import Context, _today, cli, pass_context, period_options, today_option
from coachnotes.i18n import _
from coachnotes.i18n.texts import decimal


@cli.command()
@period_options("last")
@click.option("--dry-run", is_flag=True, help="Show what would be invoiced; change nothing.")
@click.option("--offline", is_flag=True, help="Without the remote: number in this device's "
                                              "own series.")
@click.option("--credit", "credit_number", metavar="NUMBER",
              help="A credit note for the whole of this invoice.")
@click.option("--again", "again_number", metavar="NUMBER",
              help="Make this invoice's PDF and XML again, as they were.")
@today_option
@pass_context
def invoice(obj: Context, start: dt.date | None, end: dt.date | None, sponsor: str | None,
            client_id: str | None, dry_run: bool, offline: bool, credit_number: str | None,
            again_number: str | None, today: dt.date | None) -> None:
    """Invoice the sponsors: the held, billable conversations and costs of a period."""
    from coachnotes.commands import invoices

    if credit_number and again_number:
        raise click.UsageError(_("choose one of --credit and --again"))
    try:
        if again_number:
            done = invoices.again(obj.vault, again_number)
        elif credit_number:
            done = invoices.credit(obj.vault, _today(today), credit_number, offline)
        else:
            done = invoices.invoice(obj.vault, _today(today), start, end, sponsor, client_id,
                                    dry_run, offline)
    except invoices.InvoiceRefused as refused:
        for reason in refused.reasons:
            click.echo(f"coachnotes: {reason}", err=True)
        click.echo(_("coachnotes: nothing was invoiced: add what is missing above, then run "
                     "`coachnotes invoice` again"), err=True)
        sys.exit(1)
    _report(done, dry_run)


def _lines(entry: dict, lang: str) -> None:
    for line in entry["lines"]:
        minutes = f"{line['minutes']} min" if line.get("minutes") else ""
        click.echo(f"  {line.get('date') or '':10}  {line['text']} — {line['name']}"
                   f"  {minutes}  € {decimal(Decimal(line['amount']), lang, grouping=True)}")


def _report(done, dry_run: bool) -> None:
    from coachnotes.i18n import current

    lang = current()
    for number in done.finished:
        click.echo(_("{number}: finished (an earlier run was stopped)").format(number=number))
    shown = done.drafts if dry_run else done.made
    for entry in shown:
        title = _("credit note") if entry.get("type") == "credit" else _("invoice")
        click.echo(_("{title} {number}: {sponsor}, {n} line(s), € {total}").format(
            title=title, number=entry["number"], sponsor=entry["sponsor"],
            n=len(entry["lines"]), total=decimal(Decimal(entry["total"]), lang, grouping=True)))
        if dry_run:  # what would be on it, to check before it is numbered
            _lines(entry, lang)
    if dry_run:
        if not shown:
            click.echo(_("nothing to invoice from {start} to {end}").format(
                start=done.start.isoformat(), end=done.end.isoformat()))
        else:
            click.echo(_("(dry run: nothing was numbered or written)"))
    elif not shown and not done.documents:
        click.echo(_("nothing to invoice from {start} to {end}").format(
            start=done.start.isoformat(), end=done.end.isoformat()))
    for path in done.documents:
        click.echo(str(path))
    for name in done.unsponsored:
        click.echo(_("coachnotes: {name} has billable conversations but no `sponsor`: not "
                     "invoiced").format(name=name), err=True)
    for message in done.messages:
        click.echo(f"coachnotes: {message}", err=True)
