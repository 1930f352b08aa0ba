"""Commands that write documents for others: the sponsor's report and the hours."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from coachnotes.cli.app import (
    DATE,
    Context,
    _in_exports,
    _today,
    cli,
    pass_context,
    today_option,
)
from coachnotes.i18n import _


@cli.command()
@click.argument("client_id", metavar="CLIENT")
@click.option("--kind", type=click.Choice(["plan", "progress", "final"]), default="progress",
              show_default=True, help="The plan of approach, the progress report or the final "
                                      "report.")
@click.option("--format", "fmt", type=click.Choice(["md", "docx", "pdf"]), default="md",
              show_default=True, help="Markdown, Word (editable) or PDF.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Write here (default: Markdown to the screen, Word and "
                                   "PDF into the vault's exports/ folder).")
@today_option
@pass_context
def report(obj: Context, client_id: str, kind: str, fmt: str, output: Path | None,
           today: dt.date | None) -> None:
    """A document for the sponsor: only what the coachee agreed to share."""
    from coachnotes.answers.documents import build_document, health_findings
    from coachnotes.answers.views import client_view
    from coachnotes.output import documents
    from coachnotes.rules.check import client_problems
    from coachnotes.vault.files import write_atomic
    from coachnotes.vault.layout import document_name
    from coachnotes.vault.load import get_client

    today = _today(today)
    vault = obj.load()
    client = get_client(vault, client_id)
    view = client_view(vault, client, today, client_problems(vault, client.id, today))
    made = build_document(vault, view, kind, today)
    for found in health_findings(vault, made):
        click.echo(_("coachnotes: warning: {path}:{line} ({section}): '{word}' reads as health "
                     "data, which an employer may not record; the report is written — leave it "
                     "out if the coachee did not mean it for the sponsor").format(
                     path=found.path, line=found.line, section=found.section, word=found.word),
                   err=True)
    if fmt == "pdf" and (missing := documents.missing_glyphs(made)):
        click.echo(_("coachnotes: warning: the PDF's font cannot draw {chars}; they are written "
                     "as ?. The .docx and .md have them as written.").format(
                     chars=" ".join(missing)), err=True)
    if fmt == "md" and output is None:
        click.echo(documents.to_markdown(made), nl=False)
        return
    data = {"md": lambda: documents.to_markdown(made).encode("utf-8"),
            "docx": lambda: documents.to_docx(made), "pdf": lambda: documents.to_pdf(made)}[fmt]()
    output = output or _in_exports(vault.root, document_name(
        kind, vault.language, client.id, today.isoformat(), suffix=f".{fmt}"))
    write_atomic(output, data)
    click.echo(str(output))


@cli.command()
@click.option("--from", "start", type=DATE, metavar="DATE",
              help="First day (default: the first of this month).")
@click.option("--to", "end", type=DATE, metavar="DATE",
              help="Last day (default: the last of this month).")
@click.option("--sponsor", metavar="TEXT", help="Only this sponsor (its exact `sponsor`).")
@click.option("--client", "client_id", metavar="ID", help="Only this client.")
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
def hours(obj: Context, start: dt.date | None, end: dt.date | None, sponsor: str | None,
          client_id: str | None, as_json: bool, as_csv: bool, xlsx: str | None, icf: bool,
          output: str | None, today: dt.date | None) -> None:
    """Held, billable conversations and hours per sponsor and client, for invoicing."""
    import sys

    from coachnotes.answers.hours import hours as count_hours
    from coachnotes.answers.hours import month_of
    from coachnotes.rules.check import check

    if sum((as_json, as_csv, xlsx is not None, icf)) > 1:
        raise click.UsageError(_("choose one of --json, --csv, --xlsx and --icf"))
    today = _today(today)
    first, last = month_of(today)
    start, end = start or first, end or last
    vault = obj.load()
    counted = count_hours(vault, start, end, today, check(vault, today), sponsor, client_id,
                          billable_only=not icf)
    if as_json:
        import json

        click.echo(json.dumps([r.as_dict() for r in counted.rows], indent=2,
                              ensure_ascii=False))
    elif as_csv or xlsx is not None or icf:
        _write_hours(vault, counted.rows, start, end, "xlsx" if xlsx is not None else "icf"
                     if icf else "csv", xlsx or output)
    else:
        from coachnotes.output.terminal import hours_table

        click.echo("\n".join(hours_table(counted.rows, start, end)))
    for problem in counted.incomplete:
        click.echo(_("coachnotes: {problem}").format(problem=problem), err=True)
    if counted.incomplete:
        click.echo(_("coachnotes: these hours are incomplete: {n} note(s) above have an error "
                     "and may hold a conversation of this period. Fix them (`coachnotes check "
                     "--fix`) and count again.").format(n=len(counted.incomplete)), err=True)
        sys.exit(1)


def _write_hours(vault, rows, start: dt.date, end: dt.date, form: str,
                 output: str | None) -> None:
    from coachnotes.answers.hours import icf_rows
    from coachnotes.output.sheets import hours_csv, hours_xlsx, plain_csv
    from coachnotes.vault.files import write_atomic
    from coachnotes.vault.layout import document_name

    language = vault.language
    if form == "xlsx":
        title = _("Hours {start} – {end}").format(start=start.isoformat(), end=end.isoformat())
        data = hours_xlsx(rows, language, title)
    else:
        data = plain_csv(icf_rows(vault, rows)) if form == "icf" else hours_csv(rows, language)
    if output == "-":
        if form == "xlsx":
            raise click.UsageError(_("a workbook cannot go to the screen: leave out -o, or "
                                     "name a file"))
        click.echo(data, nl=False)  # bytes: as they are, byte-order mark included
        return
    target = Path(output) if output else _in_exports(vault.root, document_name(
        "icf" if form == "icf" else "hours", language, start.isoformat(), end.isoformat(),
        suffix=".xlsx" if form == "xlsx" else ".csv"))
    write_atomic(target, data)
    click.echo(str(target))
