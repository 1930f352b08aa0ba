"""The invoice as PDF (SPEC §20): A4, the letterhead, every field a Dutch invoice must carry
(Wet OB art. 35a: number and date, the period of the service, both parties with the
practice's KvK number and VAT id, what was delivered and for how much, the VAT per rate or
the exemption's legal ground, the total), the payment term, IBAN and the reference to quote,
the sponsor's order number; "page N of M" on every page.

Made from one register entry alone, with reportlab's invariant mode and the invoice date as
the PDF's date: the same entry gives the same bytes, years later (`--again`).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from coachnotes.i18n.texts import decimal, text, written_out
from coachnotes.output.documents import (
    BOLD,
    REGULAR,
    SafeText,
    base_styles,
    numbered_canvas,
    register_fonts,
)


def _euro(value: str, lang: str) -> str:
    return "€ " + decimal(Decimal(value), lang, grouping=True)


def _facts(entry: dict, lang: str) -> list[tuple[str, str]]:
    facts = [(text(lang, "invoice.number"), entry["number"]),
             (text(lang, "invoice.date"), written_out(entry["date"], lang))]
    if entry.get("type") == "credit":
        facts.append((text(lang, "invoice.credits"), entry["credits"]))
    else:
        facts.append((text(lang, "invoice.due"), written_out(entry["due"], lang)))
    facts.append((text(lang, "invoice.period"), f"{written_out(entry['period']['from'], lang)}"
                                                 f" – {written_out(entry['period']['to'], lang)}"))
    if entry.get("order"):
        facts.append((text(lang, "invoice.order"), entry["order"]))
    if entry.get("reference"):
        facts.append((text(lang, "invoice.reference"), entry["reference"]))
    return facts


def _address(party: dict) -> list[str]:
    place = " ".join(p for p in (party.get("postcode"), party.get("city")) if p)
    lines = [party["name"], party.get("contact") or "", party.get("address") or "", place]
    if (party.get("country") or "NL") != "NL":
        lines.append(party["country"])
    return [line for line in lines if line]


def _line_rows(entry: dict, lang: str, safe: SafeText, styles: dict) -> list[list]:
    rows = []
    for line in entry["lines"]:
        what = f"{line['text']} — {line['name']}"
        if line.get("minutes"):
            quantity = text(lang, "invoice.minutes", n=line["minutes"])
            rate = text(lang, "invoice.per_hour", rate=decimal(Decimal(line["rate"]), lang,
                                                               grouping=True))
        else:
            quantity, rate = line["quantity"], _euro(line["rate"], lang)
        day = dt.date.fromisoformat(line["date"]) if line.get("date") else None
        rows.append([f"{day:%d-%m-%Y}" if day else "",
                     safe.para(what, styles["cell"]), quantity, rate,
                     _euro(line["amount"], lang)])
    return rows


def _totals(entry: dict, lang: str) -> list[list[str]]:
    vat = entry["vat"]
    rows = [["", "", "", text(lang, "invoice.net"), _euro(entry["net"], lang)]]
    if vat["kind"] == "21":
        rows.append(["", "", "", text(lang, "invoice.vat", rate=vat["rate"]),
                     _euro(entry["vat_amount"], lang)])
    rows.append(["", "", "", text(lang, "invoice.total"), _euro(entry["total"], lang)])
    return rows


ROWS_PER_TABLE = 40
WIDTHS = (2.3, 6.7, 1.8, 2.8, 2.4)  # cm: date, description, quantity, rate, amount


def _table(rows: list[list], header: bool):
    from reportlab.lib.units import cm
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=[w * cm for w in WIDTHS], repeatRows=1 if header else 0,
                  hAlign="LEFT")
    style = [("FONT", (0, 0), (-1, -1), REGULAR, 9), ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
             ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if header:
        style += [("FONT", (0, 0), (-1, 0), BOLD, 9),
                  ("LINEBELOW", (0, 0), (-1, 0), 0.5, "black")]
    else:  # the totals: the last row is the total, above it a line
        style += [("FONT", (3, -1), (-1, -1), BOLD, 9),
                  ("LINEABOVE", (3, -1), (-1, -1), 0.5, "black")]
    table.setStyle(TableStyle(style))
    return table


def to_pdf(entry: dict) -> bytes:
    from reportlab.lib.units import cm
    from reportlab.platypus import Spacer, Table, TableStyle

    lang = entry.get("language", "nl")
    safe = SafeText(register_fonts())
    styles = base_styles()
    styles["cell"] = styles["body"].clone("cell", fontSize=9, leading=11, spaceAfter=0)
    seller, buyer = entry["seller"], entry["buyer"]
    credit = entry.get("type") == "credit"
    title = text(lang, "invoice.credit_title" if credit else "invoice.title")
    story = [safe.para(line, styles["letterhead"]) for line in _address(seller)
             + [x for x in (seller.get("email"), seller.get("phone"), seller.get("website")) if x]]
    story += [Spacer(1, 18)] + [safe.para(line, styles["body"]) for line in _address(buyer)]
    story += [Spacer(1, 14), safe.para(title, styles["title"])]
    facts = Table([[label, value] for label, value in _facts(entry, lang)],
                  colWidths=[4.5 * cm, 11.5 * cm], hAlign="LEFT")
    facts.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), REGULAR, 9),
                               ("FONT", (0, 0), (0, -1), BOLD, 9)]))
    story += [facts, Spacer(1, 12)]
    head = [text(lang, f"invoice.col.{key}") for key in ("date", "what", "quantity", "rate",
                                                         "amount")]
    lines = _line_rows(entry, lang, safe, styles)
    # a table of a page's rows at a time: one long table is split again for every page,
    # which grows with the square of its rows (a year of a large practice: 4,000 lines)
    for start in range(0, max(len(lines), 1), ROWS_PER_TABLE):
        story.append(_table([head] + lines[start:start + ROWS_PER_TABLE], header=True))
    totals = _totals(entry, lang)
    story += [_table(totals, header=False), Spacer(1, 14)]
    if entry["vat"]["kind"] != "21" and entry["vat"].get("text"):
        story.append(safe.para(entry["vat"]["text"], styles["body"]))
    if credit:
        story.append(safe.para(text(lang, "invoice.cancels", original=entry["credits"]),
                               styles["body"]))
    else:
        story.append(safe.para(text(lang, "invoice.pay", total=decimal(
            Decimal(entry["total"]), lang, grouping=True), days=entry.get("payment_days", 30),
            iban=seller.get("iban") or "", name=seller["name"], number=entry["number"]),
            styles["body"]))
    return _build(story, entry, title, seller, lang, safe)


def _build(story: list, entry: dict, title: str, seller: dict, lang: str,
           safe: SafeText) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    footer = " · ".join(x for x in (
        seller["name"], f"{text(lang, 'invoice.kvk')} {seller.get('kvk') or ''}",
        f"{text(lang, 'invoice.vat_id')} {seller.get('vat_id') or ''}",
        f"IBAN {seller.get('iban') or ''}") if x)

    def draw_footer(canvas, n: int, m: int) -> None:  # noqa: ANN001 - reportlab's canvas
        canvas.setFont(REGULAR, 7)
        canvas.drawString(2.5 * cm, 1.5 * cm, safe.plain(footer))
        canvas.drawRightString(A4[0] - 2.5 * cm, 1.1 * cm, safe.plain(
            f"{entry['number']} · " + text(lang, "doc.page", n=n, m=m)))

    out = io.BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=A4, title=f"{title} {entry['number']}",
                            author=seller["name"], subject=entry["sponsor"],
                            creator="coachnotes", lang="nl-NL" if lang == "nl" else "en-GB",
                            invariant=1, leftMargin=2.5 * cm, rightMargin=2.5 * cm,
                            topMargin=2.5 * cm, bottomMargin=2.5 * cm)
    pdf.build(story, canvasmaker=numbered_canvas(draw_footer,
                                                 dt.date.fromisoformat(entry["date"])))
    return out.getvalue()
