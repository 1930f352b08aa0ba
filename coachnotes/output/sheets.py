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
from coachnotes.i18n.texts import text

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
    groups: dict[str, list[list]] = {}
    for r in rows:
        groups.setdefault(r.sponsor or gettext("(no sponsor)", language), []).append(
            [r.date, inert(r.client), inert(r.name), inert(r.sponsor),
             text(language, f"kind.{r.kind}") if r.kind != "?" else "?",
             r.minutes, float(r.amount) if r.amount is not None else None])
    return _workbook(title, [gettext(h, language) for h in HEADS],
                     [gettext(h, language) for h in (N_("sponsor"), N_("hours"), N_("amount"))],
                     gettext("total", language), gettext("Summary", language), groups)


def _workbook(title: str, heads: list[str], summary_heads: list[str], total: str,
              summary_name: str, groups: dict[str, list[list]]) -> bytes:
    """The workbook of `hours_xlsx` from its cells: one sheet per group (named after it),
    its rows and a total, and the summary over the groups. Its creator is coachnotes, so a
    forget and a sync know it for a coachnotes document (SPEC §12, v4)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    euro = '"€" #,##0.00'
    bold = Font(bold=True)
    book = Workbook()
    book.properties.creator = "coachnotes"
    summary = book.active
    summary.title = _sheet_name(summary_name, set())
    summary.append([title])
    summary["A1"].font = bold
    summary.append(summary_heads)
    for cell in summary[2]:
        cell.font = bold
    used = {summary.title}
    for group, own in groups.items():
        sheet = book.create_sheet(_sheet_name(group, used))
        used.add(sheet.title)
        sheet.append(heads)
        for cell in sheet[1]:
            cell.font = bold
        for cells in own:
            sheet.append(cells)
            sheet.cell(sheet.max_row, 1).number_format = "yyyy-mm-dd"
            sheet.cell(sheet.max_row, 7).number_format = euro
        last = sheet.max_row
        sheet.append([total, None, None, None, None, f"=SUM(F2:F{last})", f"=SUM(G2:G{last})"])
        end = sheet.max_row
        sheet.cell(end, 1).font = bold
        sheet.cell(end, 7).number_format = euro
        quoted = "'" + sheet.title.replace("'", "''") + "'"
        summary.append([own[0][3], f"={quoted}!F{end}/60", f"={quoted}!G{end}"])
        summary.cell(summary.max_row, 2).number_format = "0.00"
        summary.cell(summary.max_row, 3).number_format = euro
        for column, width in zip("ABCDEFG", (12, 20, 24, 28, 18, 10, 12)):
            sheet.column_dimensions[column].width = width
    end = summary.max_row
    summary.append([total, f"=SUM(B3:B{end})", f"=SUM(C3:C{end})"])
    summary.cell(summary.max_row, 1).font = bold
    summary.cell(summary.max_row, 2).number_format = "0.00"
    summary.cell(summary.max_row, 3).number_format = euro
    summary.column_dimensions["A"].width = 32
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _heads_of(first: list) -> str | None:
    """The language whose hours headers a row holds (None: not an hours file of ours)."""
    for language in ("nl", "en"):
        if [str(c).strip() for c in first] == [gettext(h, language) for h in HEADS]:
            return language
    return None


def hours_without(data: bytes, drop) -> bytes | None:
    """An hours file coachnotes wrote (CSV or workbook), made again without the rows for
    which `drop(text)` holds — every other row, the totals and the summary as they would be
    written for the rows left (SPEC §13, v4: never deleted whole); None when the file is not
    one of them."""
    if data.startswith(b"PK\x03\x04"):
        return _workbook_without(data, drop)
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.splitlines(keepends=True)
    if not lines or _heads_of(lines[0].strip().split(";" if ";" in lines[0] else ",")) is None:
        return None
    kept = [lines[0]] + [line for line in lines[1:] if not drop(line)]
    return data[:len(data) - len(body)] + "".join(kept).encode("utf-8")


def _workbook_without(data: bytes, drop) -> bytes | None:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        return None
    sheets = book.worksheets
    if len(sheets) < 1 or not all(
            _heads_of([c.value for c in sheet[1]]) for sheet in sheets[1:]):
        return None
    summary = sheets[0]
    groups: dict[str, list[list]] = {}
    heads = [c.value for c in sheets[1][1]] if len(sheets) > 1 else list(HEADS)
    for sheet in sheets[1:]:
        rows = [list(r) for r in sheet.iter_rows(min_row=2, max_row=sheet.max_row - 1,
                                                   values_only=True)]
        kept = [r for r in rows if not any(isinstance(v, str) and drop(v) for v in r)]
        if kept:
            groups[sheet.title] = kept
    return _workbook(str(summary["A1"].value or ""), heads,
                     [c.value for c in summary[2]], str(summary.cell(summary.max_row, 1).value),
                     summary.title, groups)


def _sheet_name(wanted: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    name = "".join(" " if c in "[]:*?/\\" else c for c in wanted).strip(" '")[:31] or "-"
    base, n = name, 2
    while name.casefold() in {u.casefold() for u in used}:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    return name
