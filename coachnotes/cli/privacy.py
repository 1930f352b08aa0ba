"""The AVG duties: the right of access (export), retention, erasure (forget)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from coachnotes.cli.app import (
    Context,
    _today,
    cli,
    confirm,
    pass_context,
    today_option,
)
from coachnotes.i18n import _


@cli.command("export")
@click.argument("client_id", metavar="CLIENT")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE.zip", help="Where to write it (default: the vault's exports/ "
                                       "folder).")
@today_option
@pass_context
def export_command(obj: Context, client_id: str, output: Path | None,
                   today: dt.date | None) -> None:
    """Everything about one client in one zip, for the coachee's right of access."""
    from coachnotes.commands.privacy import export

    made = export(obj.vault, client_id, output, _today(today))
    click.echo(_("{output}: {n} note(s), data.json and dossier.html").format(
                 output=made.path, n=len(made.notes)))


@cli.command("retention")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@today_option
@pass_context
def retention_command(obj: Context, as_json: bool, today: dt.date | None) -> None:
    """Clients past the retention period (erase them with `forget`), and when the others
    will be."""
    from coachnotes.commands.privacy import retention
    from coachnotes.output.terminal import retention_table, terminal_width

    years, rows, invoices = retention(obj.vault, _today(today))
    if as_json:
        import json

        click.echo(json.dumps({"retention_years": years, "clients": [r.as_dict() for r in rows],
                               "invoices_past": [i.as_dict() for i in invoices]},
                              indent=2, ensure_ascii=False))
        return
    for kept in invoices:
        click.echo(_("invoice {number} ({date}, {sponsor}): kept until {until}, the 7 years "
                     "of the fiscal record have passed").format(
                     number=kept.number, date=kept.date, sponsor=kept.sponsor,
                     until=kept.until.isoformat()), err=True)
    if years is None:
        click.echo(_("coachnotes.yml sets no `retention_years`: decide how many years you "
                     "keep a client's notes after the trajectory ends, and set it (e.g. "
                     "`retention_years: 2`)"), err=True)
        sys.exit(1)
    click.echo("\n".join(retention_table(rows, terminal_width(sys.stdout.isatty()))))
    past = sum(r.past for r in rows)
    click.echo(_("retention: {years} year(s); {past} client(s) past it").format(
        years=years, past=past)
        + (": " + _("erase them with `coachnotes forget CLIENT`") if past else ""), err=True)


@cli.command("forget")
@click.argument("client_id", metavar="CLIENT")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Show what would be erased; change nothing.")
@today_option
@pass_context
def forget_command(obj: Context, client_id: str, yes: bool, dry_run: bool,
                   today: dt.date | None) -> None:
    """Erase a client from the vault, its whole git history and the remote (AVG)."""
    from coachnotes.commands.privacy import forget, forget_preview

    shown = forget_preview(obj.vault, client_id)
    client_id = shown.client
    _show_preview(shown)
    if dry_run:
        click.echo(_("forget --dry-run: nothing was changed."), err=True)
        return
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError(_("forget erases {client_id} for good, from every "
                                     "version; confirm with --yes").format(client_id=client_id))
        if not confirm(_("Erase {client_id} from this vault, its whole history and the "
                         "remote? This cannot be undone").format(client_id=client_id)):
            raise click.Abort()
    report = forget(obj.vault, client_id, _today(today))
    client_id = report.client
    for path in report.mentions:
        click.echo(_("{path}: the mentions of {client_id} now read {word}").format(
                     path=path, client_id=report.client, word=report.word))
    for path in report.removed:
        click.echo(_("{path}: a copy of a note of {client_id}, or a document about them: "
                     "removed").format(path=path, client_id=report.client))
    if report.earlier:
        click.echo(_("{client_id} was also erased under the id(s) it had before: "
                     "{items}").format(client_id=report.client, items=", ".join(report.earlier)))
    for message in report.messages:
        click.echo(message, err=True)
    done = _("forget: {client_id} erased.") if report.pushed else \
        _("forget: {client_id} erased here.")
    click.echo(done.format(client_id=report.client) + " " + _(
        "Every other device with this vault: run `coachnotes sync` there, which erases it "
        "there too."))
    if report.offline:
        sys.exit(3)


def _show_preview(shown) -> None:
    """What forget will do, before it asks: every id and name, the files removed, each
    line elsewhere as it will read, and what stays (on stderr: the answer goes to stdout)."""
    from functools import partial

    from coachnotes.output.terminal import clip

    printable = partial(clip, width=None)
    say = lambda text: click.echo(text, err=True)  # noqa: E731
    if shown.interrupted:
        say(_("A forget that was interrupted is finished first."))
    say(_("forget will erase, from the files here, every version in the history and the "
          "remote: {items}").format(items=", ".join(printable(x) for x in
                                                    [*shown.names, *shown.ids])))
    for name in shown.shared:
        say(_("  kept: mentions of {name} alone (another client has that name)").format(
            name=printable(name)))
    _preview_files(shown, say, printable)


def _preview_files(shown, say, printable) -> None:
    """The files forget removes, makes again or renames, the lines it rewrites, and what it
    keeps or refuses on."""
    if shown.notes or shown.removed:
        say(_("Removed ({n}):").format(n=len(shown.notes) + len(shown.removed)))
        for path in [*shown.notes, *shown.removed]:
            say(f"  {printable(path)}")
    for path in shown.remade:
        say(_("  {path}: made again without this client").format(path=printable(path)))
    for old, new in shown.renamed.items():
        say(f"  {printable(old)} → {printable(new)}")
    if shown.lines:
        say(_("Mentions elsewhere, as they will read (rewrite a line by hand first if its "
              "context still tells who it is):"))
        for path, line, text in shown.lines:
            say(f"  {printable(path)}:{line}: {printable(text.strip())}")
    if shown.invoices:
        say(_("Kept: invoices (invoices.yml and the invoices in exports/), the fiscal record "
              "that must be kept for 7 years (AVG art. 17(3)(b))."))
    for path in shown.refused:
        say(_("  {path}: mentions other clients too and cannot be rewritten: forget will "
              "refuse until you edit or remove it").format(path=printable(path)))
