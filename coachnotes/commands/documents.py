"""Commands that write documents for others: the sponsor's report and the hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from coachnotes.answers.hours import HourRow, icf_rows, month_of
from coachnotes.answers.hours import hours as count_hours
from coachnotes.answers.reports import Document, build_document, health_findings, logo_of
from coachnotes.commands import in_exports, open_vault
from coachnotes.commands.answers import view_of
from coachnotes.i18n import _
from coachnotes.output import documents
from coachnotes.output.sheets import hours_csv, hours_xlsx, plain_csv
from coachnotes.rules.check import check
from coachnotes.rules.fix import fix_vault
from coachnotes.vault import register
from coachnotes.vault.files import write_atomic
from coachnotes.vault.layout import document_name
from coachnotes.vault.model import Problem


@dataclass
class ReportMade:
    """A document for the sponsor: what it holds, the health words found in what it shares,
    the characters the PDF's font cannot draw, and where it was written (None: the Markdown
    is for the screen, in `markdown`)."""
    document: Document
    findings: list
    missing_glyphs: list[str]
    path: Path | None
    markdown: str = ""
    warnings: list[str] = field(default_factory=list)  # e.g. a logo that cannot be used


def report(vault_option: str | None, client_id: str, kind: str, fmt: str,
           output: Path | None, today: dt.date) -> ReportMade:
    vault = open_vault(vault_option)
    # made for a day before today: the document that could have been made on that day
    view = view_of(vault, client_id, today, today if today < dt.date.today() else None)
    made = build_document(vault, view, kind, today)
    answer = ReportMade(made, health_findings(vault, made),
                        documents.missing_glyphs(made) if fmt == "pdf" else [], None)
    if fmt != "md":
        answer.warnings += [why for why in logo_of(vault)[1:] if why]
    if fmt == "md" and output is None:
        answer.markdown = documents.to_markdown(made)
        return answer
    data = {"md": lambda: documents.to_markdown(made).encode("utf-8"),
            "docx": lambda: documents.to_docx(made), "pdf": lambda: documents.to_pdf(made)}[fmt]()
    answer.path = output or in_exports(vault.root, document_name(
        kind, vault.language, view.client.id, today.isoformat(), suffix=f".{fmt}"))
    write_atomic(answer.path, data)
    return answer


@dataclass
class HoursAnswer:
    """The hours of a period: its rows, the notes with an error that may hold one of its
    conversations (then the answer is incomplete), and a file's bytes and where they went."""
    start: dt.date
    end: dt.date
    rows: list[HourRow]
    incomplete: list[Problem] = field(default_factory=list)
    data: bytes | None = None  # a CSV or workbook, when one was asked for
    path: Path | None = None  # where it was written (None: for the screen)
    fixable: bool = False  # `check --fix` repairs at least one of the incomplete notes


def hours(vault_option: str | None, today: dt.date, start: dt.date | None = None,
          end: dt.date | None = None, sponsor: str | None = None,
          client_id: str | None = None, form: str | None = None,
          output: str | None = None) -> HoursAnswer:
    """`form`: None (rows), `csv`, `xlsx` or `icf`; `output` a path, `-` for the screen, or
    None for the vault's exports/ folder."""
    first, last = month_of(today)
    start, end = start or first, end or last
    vault = open_vault(vault_option)
    counted = count_hours(vault, start, end, today, check(vault, today), sponsor, client_id,
                          billable_only=form != "icf")
    answer = HoursAnswer(start, end, _with_invoices(vault.root, counted.rows),
                         counted.incomplete)
    if counted.incomplete:  # suggest `--fix` only where it repairs something (SPEC §7.1 v4)
        answer.fixable = bool(fix_vault(vault, counted.incomplete, write=False)[0])
    if form is None:
        return answer
    answer.data = _sheet(vault, counted.rows, start, end, form)
    if output != "-":
        answer.path = Path(output) if output else in_exports(vault.root, document_name(
            "icf" if form == "icf" else "hours", vault.language, start.isoformat(),
            end.isoformat(), suffix=".xlsx" if form == "xlsx" else ".csv"))
        write_atomic(answer.path, answer.data)
    return answer


def _with_invoices(root: Path, rows: list[HourRow]) -> list[HourRow]:
    """Each row with the invoice that holds it ("" when none does), once the coach invoices
    with coachnotes (SPEC §20); as they are without a register."""
    if not (root / register.REGISTER).exists():
        return rows
    try:
        held = register.Invoiced(register.read_kept(root))
    except register.RegisterError:
        return rows  # E027 says why; hours still count
    return [row._replace(invoice=held.number(row.path, row.date, row.kind, row.name) or "")
            for row in rows]


def _sheet(vault, rows: list[HourRow], start: dt.date, end: dt.date, form: str) -> bytes:
    if form == "xlsx":
        title = _("Hours {start} – {end}").format(start=start.isoformat(), end=end.isoformat())
        return hours_xlsx(rows, vault.language, title)
    return plain_csv(icf_rows(vault, rows)) if form == "icf" else hours_csv(rows,
                                                                            vault.language)
