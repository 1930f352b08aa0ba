"""Commands that write documents for others: the sponsor's report and the hours."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from coachnotes.cli.app import (
    Context,
    _today,
    cli,
    pass_context,
    period_options,
    today_option,
)
from coachnotes.i18n import _


@cli.command("report")
@click.argument("client_id", metavar="CLIENT")
@click.option("--kind", type=click.Choice(["plan", "progress", "final", "consent"]),
              default="progress", show_default=True,
              help="The plan of approach, the progress report, the final report, or the "
                   "consent form for the coachee to sign.")
@click.option("--format", "fmt", type=click.Choice(["md", "docx", "pdf"]), default="md",
              show_default=True, help="Markdown, Word (editable) or PDF.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Write here (default: Markdown to the screen, Word and "
                                   "PDF into the vault's exports/ folder).")
@today_option
@pass_context
def report_command(obj: Context, client_id: str, kind: str, fmt: str, output: Path | None,
                   today: dt.date | None) -> None:
    """A document for the sponsor: only what the coachee agreed to share."""
    from coachnotes.commands.documents import report

    made = report(obj.vault, client_id, kind, fmt, output, _today(today))
    for found in made.findings:
        click.echo(_("coachnotes: warning: {path}:{line} ({section}): '{word}' reads as health "
                     "data, which an employer may not record; the report is written — leave it "
                     "out if the coachee did not mean it for the sponsor").format(
                     path=found.path, line=found.line, section=found.section, word=found.word),
                   err=True)
    for warning in made.warnings:
        click.echo(_("coachnotes: warning: {warning}").format(warning=warning), err=True)
    if made.missing_glyphs:
        click.echo(_("coachnotes: warning: the PDF's font cannot draw {chars}; they are written "
                     "as ?. The .docx and .md have them as written.").format(
                     chars=" ".join(made.missing_glyphs)), err=True)
    if made.path is None:
        click.echo(made.markdown, nl=False)
        return
    click.echo(str(made.path))


@cli.command("hours")
@period_options("this")
@click.option("--json", "as_json", is_flag=True, help="The rows as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="The rows as CSV, for a spreadsheet.")
@click.option("--xlsx", "xlsx", metavar="[FILE]", is_flag=False, flag_value="", default=None,
              help="A workbook: a sheet per sponsor and a summary; into FILE, or the vault's "
                   "exports/ folder.")
@click.option("--icf", is_flag=True, help="The ICF client coaching log (CSV).")
@click.option("-o", "--output", metavar="FILE", help="With --csv, --xlsx or --icf: write here; "
              "- for the screen (default: the vault's exports/ folder).")
@today_option
@pass_context
def hours_command(obj: Context, start: dt.date | None, end: dt.date | None, sponsor: str | None,
                  client_id: str | None, as_json: bool, as_csv: bool, xlsx: str | None, icf: bool,
                  output: str | None, today: dt.date | None) -> None:
    """Held, billable conversations and hours per sponsor and client, for invoicing."""
    import sys

    from coachnotes.commands.documents import hours

    if sum((as_json, as_csv, xlsx is not None, icf)) > 1:
        raise click.UsageError(_("choose one of --json, --csv, --xlsx and --icf"))
    form = "xlsx" if xlsx is not None else "icf" if icf else "csv" if as_csv else None
    if form == "xlsx" and (xlsx or output) == "-":
        raise click.UsageError(_("a workbook cannot go to the screen: leave out -o, or "
                                 "name a file"))
    counted = hours(obj.vault, _today(today), start, end, sponsor, client_id, form,
                    xlsx or output)
    if as_json:
        import json

        click.echo(json.dumps([r.as_dict() for r in counted.rows], indent=2,
                              ensure_ascii=False))
    elif form is not None and counted.path is None:
        click.echo(counted.data, nl=False)  # bytes: as they are, byte-order mark included
    elif form is not None:
        click.echo(str(counted.path))
    else:
        from coachnotes.output.terminal import hours_table

        click.echo("\n".join(hours_table(counted.rows, counted.start, counted.end)))
    for problem in counted.incomplete:
        click.echo(_("coachnotes: {problem}").format(problem=problem), err=True)
    if counted.incomplete:
        fix = _("`coachnotes check --fix` repairs some of them") if counted.fixable else \
            _("each message says what to change")
        click.echo(_("coachnotes: these hours are incomplete: {n} note(s) above have an error "
                     "and may hold a conversation of this period. Fix them ({how}) and count "
                     "again.").format(n=len(counted.incomplete), how=fix), err=True)
        sys.exit(1)
