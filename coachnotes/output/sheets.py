"""Hours as a spreadsheet opens them (SPEC §16, v3): CSV in the dialect of the vault's
language (Dutch Excel: `;`, a decimal comma and a byte-order mark), and a real workbook.

No cell that a person wrote may start a formula: a text beginning with `=`, `+`, `-` or `@`
(or a tab or carriage return, which some programs skip) gets a leading `'`.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from coachnotes.answers.hours import HourRow
from coachnotes.i18n import N_, gettext

HEADS = (N_("date"), N_("client"), N_("name"), N_("sponsor"), N_("kind"), N_("minutes"),
         N_("amount"))
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def inert(value: str) -> str:
    """A person's text as a cell that never runs: `'=HYPERLINK(…)`."""
    return "'" + value if value.startswith(_FORMULA) else value


def _number(value: Decimal | None, language: str) -> str:
    if value is None:
        return ""
    written = f"{value:.2f}"
    return written.replace(".", ",") if language == "nl" else written


def hours_csv(rows: list[HourRow], language: str) -> bytes:
    """The rows with headers in the language; `nl`: `;`, decimal comma, UTF-8 with BOM."""
    from coachnotes.i18n.texts import text

    dutch = language == "nl"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if dutch else ",", lineterminator="\r\n")
    writer.writerow([gettext(h, language) for h in HEADS])
    for r in rows:
        writer.writerow([r.date.isoformat(), inert(r.client), inert(r.name), inert(r.sponsor),
                         text(language, f"kind.{r.kind}") if r.kind != "?" else "?",
                         str(r.minutes), _number(r.amount, language)])
    data = out.getvalue().encode("utf-8")
    return b"\xef\xbb\xbf" + data if dutch else data


def plain_csv(table: list[list[str]]) -> bytes:
    """A table (the ICF log) as plain CSV, every cell inert."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([[inert(c) for c in row] for row in table])
    return out.getvalue().encode("utf-8")


def hours_xlsx(rows: list[HourRow], language: str, title: str) -> bytes:
    """A workbook: a summary sheet (per sponsor: hours and amount, as formulas over the
    sponsor's sheet), then one sheet per sponsor with its conversations and totals."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from coachnotes.i18n.texts import text

    euro = '"€" #,##0.00'
    bold = Font(bold=True)
    book = Workbook()
    summary = book.active
    summary.title = _sheet_name(gettext("Summary", language), set())
    summary.append([title])
    summary["A1"].font = bold
    summary.append([gettext(h, language) for h in (N_("sponsor"), N_("hours"), N_("amount"))])
    for cell in summary[2]:
        cell.font = bold
    by_sponsor: dict[str, list[HourRow]] = {}
    for row in rows:
        by_sponsor.setdefault(row.sponsor, []).append(row)
    used = {summary.title}
    for sponsor, own in by_sponsor.items():
        sheet = book.create_sheet(_sheet_name(sponsor or gettext("(no sponsor)", language),
                                              used))
        used.add(sheet.title)
        sheet.append([gettext(h, language) for h in HEADS])
        for cell in sheet[1]:
            cell.font = bold
        for r in own:
            sheet.append([r.date, inert(r.client), inert(r.name), inert(r.sponsor),
                          text(language, f"kind.{r.kind}") if r.kind != "?" else "?",
                          r.minutes, float(r.amount) if r.amount is not None else None])
            sheet.cell(sheet.max_row, 1).number_format = "yyyy-mm-dd"
            sheet.cell(sheet.max_row, 7).number_format = euro
        last = sheet.max_row
        sheet.append([gettext("total", language), None, None, None, None,
                      f"=SUM(F2:F{last})", f"=SUM(G2:G{last})"])
        total = sheet.max_row
        sheet.cell(total, 1).font = bold
        sheet.cell(total, 7).number_format = euro
        quoted = "'" + sheet.title.replace("'", "''") + "'"
        summary.append([inert(sponsor), f"={quoted}!F{total}/60", f"={quoted}!G{total}"])
        summary.cell(summary.max_row, 2).number_format = "0.00"
        summary.cell(summary.max_row, 3).number_format = euro
        for column, width in zip("ABCDEFG", (12, 20, 24, 28, 18, 10, 12)):
            sheet.column_dimensions[column].width = width
    end = summary.max_row
    summary.append([gettext("total", language), f"=SUM(B3:B{end})", f"=SUM(C3:C{end})"])
    summary.cell(summary.max_row, 1).font = bold
    summary.cell(summary.max_row, 2).number_format = "0.00"
    summary.cell(summary.max_row, 3).number_format = euro
    summary.column_dimensions["A"].width = 32
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(wanted: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    name = "".join(" " if c in "[]:*?/\\" else c for c in wanted).strip(" '")[:31] or "-"
    base, n = name, 2
    while name.casefold() in {u.casefold() for u in used}:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    return name
