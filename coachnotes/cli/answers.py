"""Commands that answer from the vault: due, list, show, results, search."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from coachnotes.cli.app import (
    DATE,
    Context,
    _color,
    _today,
    cli,
    pass_context,
    today_option,
)
from coachnotes.commands import SESSION_KINDS, STATUSES
from coachnotes.i18n import _


@cli.command("due")
@click.option("--within", type=click.IntRange(min=0), metavar="DAYS",
              help="Items due within DAYS days (default: the setting `due_within_days`).")
@click.option("--overdue", is_flag=True, help="Only items past their date.")
@click.option("--all", "show_all", is_flag=True, help="Every open item, whatever its date.")
@click.option("--client", "client_id", metavar="ID", help="Only this client.")
@click.option("--json", "as_json", is_flag=True, help="Print the items as JSON.")
@click.option("--ics", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Also write the items as an iCalendar file.")
@today_option
@pass_context
def due_command(obj: Context, within: int | None, overdue: bool, show_all: bool,
                client_id: str | None, as_json: bool, ics: str | None,
                today: dt.date | None) -> None:
    """List what is due: follow-ups, agreed conversations and actions."""
    from coachnotes.commands.due import due

    if sum(bool(x) for x in (within is not None, overdue, show_all)) > 1:
        raise click.UsageError(_("choose one of --within, --overdue and --all"))
    found = due(obj.vault, _today(today), within, overdue, show_all, client_id,
                Path(ics) if ics else None)
    if as_json:
        import json

        click.echo(json.dumps([i.as_dict() for i in found.items], indent=2, ensure_ascii=False))
        return
    from coachnotes.output.terminal import due_table, terminal_width

    if not found.items:
        click.echo(_("Nothing due.") if found.window.until is None else
                   _("Nothing due until {date}.").format(date=found.window.until.isoformat()))
    else:
        color = _color()
        width = terminal_width(sys.stdout.isatty())
        # color=True: we added escape codes only where wanted, so click need not strip any
        click.echo("\n".join(click.style(line, fg="red") if late and color else line
                              for line, late in due_table(found.items, width)), color=True)
    if found.undated:
        click.echo(_("{undated} action(s) without a date and without a next conversation "
                     "are not shown: `coachnotes due --all` shows them.").format(
                         undated=found.undated))
    if ics:
        click.echo(_("{n} event(s) written to {ics}").format(n=found.events, ics=ics), err=True)


@cli.command(name="list")
@click.option("--status", type=click.Choice(STATUSES), help="Only clients with this status.")
@click.option("--json", "as_json", is_flag=True, help="Print the clients as JSON.")
@today_option
@pass_context
def list_clients_command(obj: Context, status: str | None, as_json: bool,
                         today: dt.date | None) -> None:
    """List the clients at a glance."""
    from coachnotes.commands.answers import list_clients

    rows = list_clients(obj.vault, _today(today), status)
    if as_json:
        import json

        click.echo(json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False))
        return
    from coachnotes.output.terminal import list_table, terminal_width

    if not rows:
        click.echo((_("No clients with status {status}.") if status else _("No clients."))
                   .format(status=status) + " " + _("Add one with: coachnotes new client NAME"))
        return
    click.echo("\n".join(list_table(rows, terminal_width(sys.stdout.isatty()))))


@cli.command("show")
@click.argument("client_id", metavar="CLIENT")
@today_option
@pass_context
def show_command(obj: Context, client_id: str, today: dt.date | None) -> None:
    """Show one client's whole trajectory."""
    from coachnotes.commands.answers import show
    from coachnotes.output.terminal import show_client, terminal_width

    view = show(obj.vault, client_id, _today(today))
    for line in show_client(view, terminal_width(sys.stdout.isatty())):
        click.echo(line)




@cli.command("results")
@click.option("--by", type=click.Choice(["year", "organization", "sponsor"]), default="year",
              show_default=True, help="Group by the year the trajectory ended, or by employer.")
@click.option("--json", "as_json", is_flag=True, help="Print the groups as JSON.")
@today_option
@pass_context
def results_command(obj: Context, by: str, as_json: bool, today: dt.date | None) -> None:
    """Whether results last: scores at start, end and follow-up, across the practice."""
    from coachnotes.commands.answers import results
    from coachnotes.output.terminal import results_table, terminal_width

    found = results(obj.vault, _today(today), by)
    if as_json:
        import json

        click.echo(json.dumps([g.as_dict() for g in found], indent=2, ensure_ascii=False))
        return
    click.echo("\n".join(results_table(found, terminal_width(sys.stdout.isatty()))))


class _WordsCommand(click.Command):
    """`search`: the options it knows go to click, every other token is a word of the query —
    `-hek` leaves *hek* out; it is not `-h` and `ek` (PITFALLS v4), nor `-t` … of an option."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        flags = set(ctx.help_option_names)
        valued = set()
        for param in self.params:
            if isinstance(param, click.Option):
                (flags if param.is_flag else valued).update(param.opts + param.secondary_opts)
        options, words, at = [], [], 0
        while at < len(args):
            arg, name = args[at], args[at].split("=", 1)[0]
            if arg == "--":
                words += args[at + 1:]
                break
            if arg in flags:
                options.append(arg)
            elif name in valued:
                options.append(arg)
                if "=" not in arg and at + 1 < len(args):
                    at += 1
                    options.append(args[at])
            else:
                words.append(arg)
            at += 1
        return super().parse_args(ctx, [*options, "--", *words])


@cli.command("search", cls=_WordsCommand)
@click.argument("words", nargs=-1, metavar="[QUERY]...")
@click.option("--client", "client_id", metavar="CLIENT", help="Only this client's notes.")
@click.option("--kind", type=click.Choice(["client", *SESSION_KINDS]),
              help="Only notes of this kind (`client`: the client notes).")
@click.option("--status", type=click.Choice(STATUSES), help="Only clients with this status.")
@click.option("--organization", metavar="TEXT", help="Only clients whose organization holds "
              "TEXT.")
@click.option("--sponsor", metavar="TEXT", help="Only clients whose sponsor holds TEXT.")
@click.option("--tag", metavar="TAG", help="Only clients with this tag.")
@click.option("--from", "start", type=DATE, metavar="DATE", help="Only notes of this date or "
              "later.")
@click.option("--to", "end", type=DATE, metavar="DATE", help="Only notes of this date or "
              "earlier.")
@click.option("--limit", type=click.IntRange(min=1, max=10 ** 9, clamp=True), default=20,
              show_default=True,
              help="At most this many results.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--files", "as_files", is_flag=True, help="Print only the paths, one per line.")
@pass_context
def search_command(obj: Context, words: tuple[str, ...], client_id: str | None, kind: str | None,
                   status: str | None, organization: str | None, sponsor: str | None,
                   tag: str | None, start: dt.date | None, end: dt.date | None, limit: int,
                   as_json: bool, as_files: bool) -> None:
    """Find notes: every word, "a phrase", begin*, -leave-out, A OR B; case and accents
    ignored, other forms of a word found too."""
    from coachnotes.commands.answers import search

    if as_json and as_files:
        raise click.UsageError(_("choose one of --json and --files"))
    filters = {"client": client_id, "kind": kind, "status": status,
               "organization": organization, "sponsor": sponsor, "tag": tag,
               "start": start.isoformat() if start else None,
               "end": end.isoformat() if end else None}
    found = search(obj.vault, list(words), filters, limit if not as_files else 10 ** 9)
    if as_json:
        import json

        click.echo(json.dumps([h.as_dict() for h in found.hits], indent=2, ensure_ascii=False))
    elif as_files:
        for hit in found.hits:
            click.echo(hit.path)
    else:
        from coachnotes.output.terminal import search_lines

        bold = (lambda words: click.style(words, bold=True)) if sys.stdout.isatty() else None
        for line in search_lines(found, bold):
            click.echo(line)
    for problem in found.unread:  # the answer is complete or says it is not
        click.echo(_("coachnotes: {problem}").format(problem=problem), err=True)
    if found.unread:
        click.echo(_("coachnotes: {n} file(s) above could not be read and were not searched")
                   .format(n=len(found.unread)), err=True)
    if not found.hits:  # as grep and rg: a script can tell "nothing" from "found"
        sys.exit(1)
