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
@click.option("--format", "fmt", type=click.Choice(["md", "docx", "pdf"]), default="md",
              show_default=True, help="Markdown, Word (editable) or PDF.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Write here (default: Markdown to the screen, Word and "
                                   "PDF into the vault's exports/ folder).")
@today_option
@pass_context
def report(obj: Context, client_id: str, fmt: str, output: Path | None,
           today: dt.date | None) -> None:
    """The progress report for the sponsor: only what the coachee agreed to share."""
    from coachnotes.answers.views import client_view
    from coachnotes.output.report import build_report, health_words, to_docx, to_markdown, to_pdf
    from coachnotes.rules.check import client_problems
    from coachnotes.vault.files import write_atomic
    from coachnotes.vault.layout import document_name
    from coachnotes.vault.load import get_client

    today = _today(today)
    vault = obj.load()
    client = get_client(vault, client_id)
    view = client_view(vault, client, today, client_problems(vault, client.id, today))
    made = build_report(vault, view, today)
    for path, section, word in health_words(made, vault.language):
        click.echo(_("coachnotes: warning: {path} ({section}): '{word}' reads as health "
                     "data, which an employer may not record; the report is written — leave it "
                     "out if the coachee did not mean it for the sponsor").format(
                     path=path, section=section, word=word), err=True)
    if fmt == "md" and output is None:
        click.echo(to_markdown(made), nl=False)
        return
    data = {"md": lambda: to_markdown(made).encode("utf-8"), "docx": lambda: to_docx(made),
            "pdf": lambda: to_pdf(made)}[fmt]()
    output = output or _in_exports(vault.root, document_name(
        "progress", vault.language, client.id, today.isoformat(), suffix=f".{fmt}"))
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
@click.option("--icf", is_flag=True, help="The ICF client coaching log (CSV).")
@click.option("-o", "--output", metavar="FILE", help="With --csv or --icf: write here; - for "
              "the screen (default: the vault's exports/ folder).")
@today_option
@pass_context
def hours(obj: Context, start: dt.date | None, end: dt.date | None, sponsor: str | None,
          client_id: str | None, as_json: bool, as_csv: bool, icf: bool, output: str | None,
          today: dt.date | None) -> None:
    """Held, billable conversations and hours per sponsor and client, for invoicing."""
    import csv

    from coachnotes.output.report import hour_rows, icf_rows, month_of

    if sum((as_json, as_csv, icf)) > 1:
        raise click.UsageError(_("choose one of --json, --csv and --icf"))
    today = _today(today)
    first, last = month_of(today)
    start, end = start or first, end or last
    vault = obj.load()
    rows = hour_rows(vault, start, end, today, sponsor, client_id, billable_only=not icf)
    if as_json:
        import json

        click.echo(json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False))
        return
    if as_csv or icf:
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        if icf:
            writer.writerows(icf_rows(vault, rows))
        else:
            writer.writerow(["date", "client", "name", "sponsor", "kind", "minutes", "amount"])
            writer.writerows([[v if v is not None else "" for v in r.as_dict().values()]
                              for r in rows])
        if output == "-":
            click.echo(out.getvalue(), nl=False)
            return
        from coachnotes.vault.files import write_atomic
        from coachnotes.vault.layout import document_name

        target = Path(output) if output else _in_exports(vault.root, document_name(
            "icf" if icf else "hours", vault.language, start.isoformat(), end.isoformat(),
            suffix=".csv"))
        write_atomic(target, out.getvalue().encode("utf-8"))
        click.echo(str(target))
        return
    from coachnotes.output.terminal import hours_table

    click.echo("\n".join(hours_table(rows, start, end)))


