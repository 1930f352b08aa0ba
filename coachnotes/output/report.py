"""The sponsor side (SPEC §15, §16): the progress report built only from what the coachee
agreed to share, rendered as Markdown, .docx and PDF; and the hours for invoicing.

`build_report` works out what may be said, from the client's view and its
`sponsor_consent`; the renderers only lay it out. No body text of a note reaches a report but
the text under the sponsor heading, and only when `sponsor_notes` is shared.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from coachnotes.answers.views import ClientView
from coachnotes.errors import Refused
from coachnotes.i18n import _
from coachnotes.i18n.texts import text
from coachnotes.vault.load import get_client
from coachnotes.vault.model import Client, Vault

SPONSOR_HEADINGS = ("voor de opdrachtgever", "for the sponsor")

# Words that read as health data, which an employer may not record (SPEC §15)
HEALTH_WORDS = {
    "nl": ("ziek", "ziekte", "burn-out", "burnout", "overspannen", "overspanning", "depressie",
           "depressief", "diagnose", "medicatie", "medicijnen", "therapie", "psycholoog",
           "psychiater", "huisarts", "bedrijfsarts", "arbo-arts", "angststoornis", "adhd"),
    "en": ("sick", "sickness", "illness", "ill", "burnout", "burn-out", "depression",
           "depressed", "diagnosis", "diagnosed", "medication", "therapy", "therapist",
           "psychologist", "psychiatrist", "doctor", "anxiety", "adhd"),
}


class Section(NamedTuple):
    title: str
    lines: list[str]
    sources: list[tuple[str, str]]  # (note, text) of what it quotes, for the health check


class Report(NamedTuple):
    title: str
    confidential: str
    header: list[tuple[str, str]]
    sections: list[Section]


def build_report(vault: Vault, view: ClientView, today: dt.date) -> Report:
    """What the sponsor may read about one client; Refused without consent."""
    client = view.client
    lang = vault.language
    consent = client.get("sponsor_consent")
    if not consent:
        raise Refused(_("{path} has no `sponsor_consent`, so nothing may be shared with "
                        "the sponsor. Agree with the coachee what may be shared, then record "
                        "it in client.md, e.g.\n  sponsor_consent:\n    date: {date}\n    "
                        "share: [attendance, goals, progress]").format(
                        path=client.path, date=today.isoformat()))
    share = set(consent.get("share") or [])
    header = [(text(lang, "report.coachee"), client.name)]
    for key, label in (("organization", "col.organization"), ("sponsor", "sponsor")):
        if client.get(key):
            header.append((text(lang, label), client.get(key)))
    header += [(text(lang, "report.coach"), vault.settings.coach or ""),
               (text(lang, "report.date"), today.isoformat()),
               (text(lang, "report.consent"), consent["date"])]
    sections = []
    for name, make in (("attendance", _attendance), ("goals", _list_of("goals")),
                       ("development_points", _list_of("development_points")),
                       ("assessment", _assessment), ("progress", _progress),
                       ("sponsor_notes", _sponsor_notes)):
        if name in share:
            section = make(vault, view, lang)
            if section.lines:
                sections.append(section)
    return Report(text(lang, "report.title"), text(lang, "confidential"), header, sections)


def _kind(lang: str, kind: str | None) -> str:
    return text(lang, f"kind.{kind}") if kind else "?"


def _attendance(vault: Vault, view: ClientView, lang: str) -> Section:
    client, today = view.client, view.today
    lines = [text(lang, "attendance.line", held=view.held, planned=view.planned)]
    for s in client.sessions:
        if s.cancelled:
            state = text(lang, "cancelled.one")
        elif s.planned(today):
            state = text(lang, "planned.one")
        else:
            state = text(lang, "held")
        lines.append(f"{s.date.isoformat() if s.date else '?'} — {_kind(lang, s.kind)} "
                     f"({state})")
    return Section(text(lang, "attendance"), lines, [])


def _list_of(key: str):
    def make(vault: Vault, view: ClientView, lang: str) -> Section:
        items = list(view.client.get(key) or [])
        return Section(text(lang, key), items, [(view.client.path, item) for item in items])
    return make


def _assessment(vault: Vault, view: ClientView, lang: str) -> Section:
    assessment = view.client.get("assessment") or {}
    lines = [f"{text(lang, k)}: {text(lang, assessment[k])}" for k in
             ("decision", "reason_confirmed", "goals_realistic") if k in assessment]
    return Section(text(lang, "assessment"), lines, [])


def _progress(vault: Vault, view: ClientView, lang: str) -> Section:
    client = view.client
    lines = [f"{text(lang, 'status')}: {text(lang, f'status.{client.status}')}"]
    for label, day in (("start", client.start_date), ("col.planned_end", client.planned_end),
                       ("end", client.end_date)):
        if day:
            lines.append(f"{text(lang, label)}: {day.isoformat()}")
    sources = []
    extension = client.extension
    if extension:
        lines.append(f"{text(lang, 'extension')}: {extension.get('reason') or ''}")
        sources.append((client.path, extension.get("reason") or ""))
    if client.get("alternative"):
        lines.append(f"{text(lang, 'alternative')}: {client.get('alternative')}")
        sources.append((client.path, client.get("alternative")))
    return Section(text(lang, "progress"), lines, sources)


def _sponsor_notes(vault: Vault, view: ClientView, lang: str) -> Section:
    from coachnotes.vault.files import read_regular
    from coachnotes.vault.frontmatter import MAX_BYTES, section_text

    lines, sources = [], []
    # no dates beside the texts: when a conversation took place is attendance, shared or not
    notes = [view.client.path] + [s.path for s in view.client.sessions if s.held(view.today)]
    for path in notes:
        try:
            body = read_regular(vault.root / path, MAX_BYTES).decode("utf-8-sig")
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        found = section_text(body.replace("\r\n", "\n"), SPONSOR_HEADINGS)
        if found:
            lines.append(" ".join(found.split()))
            sources.append((path, found))
    return Section(text(lang, "sponsor_notes"), lines, sources)


def health_words(report: Report, lang: str) -> list[tuple[str, str, str]]:
    """(note, section, word) for each shared text that reads as health data."""
    words = HEALTH_WORDS.get(lang, ()) + HEALTH_WORDS["en" if lang == "nl" else "nl"]
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.I)
    found = []
    for section in report.sections:
        for path, quoted in section.sources:
            for match in pattern.finditer(quoted):
                found.append((path, section.title, match.group(1)))
    return found


# -- renderers ------------------------------------------------------------------------

def to_markdown(report: Report) -> str:
    out = [f"# {report.title}", "", f"**{report.confidential}**", ""]
    out += [f"- {label}: {_md(value)}" for label, value in report.header]
    for section in report.sections:
        out += ["", f"## {section.title}", ""] + [f"- {_md(line)}" for line in section.lines]
    return "\n".join(out) + "\n"


def _md(value: str) -> str:
    from coachnotes.output.pages import cell

    return cell(value)


def to_docx(report: Report) -> bytes:
    """An editable Word document: a plain letterhead, the title and sections as Word
    headings, the facts as a list."""
    import io

    import docx

    document = docx.Document()
    letterhead = document.sections[0].header.paragraphs[0]
    coach = dict(report.header).get("Coach", "")
    letterhead.text = f"{coach} — {report.confidential}" if coach else report.confidential
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.confidential).runs[0].bold = True
    for label, value in report.header:
        document.add_paragraph(f"{label}: {value}", style="List Bullet")
    for section in report.sections:
        document.add_heading(section.title, level=1)
        for line in section.lines:
            document.add_paragraph(line, style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_pdf(report: Report) -> bytes:
    """A PDF with a plain letterhead; the standard fonts' WinAnsi encoding covers ë, é, —,
    ‘ ’ and €, so no font file is needed."""
    import io
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import ListFlowable, Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    coach = dict(report.header).get("Coach", "")
    letterhead = f"{coach} — {report.confidential}" if coach else report.confidential

    def on_page(canvas, _doc) -> None:  # noqa: ANN001 - reportlab's callback
        canvas.setFont("Helvetica", 8)
        canvas.drawString(56, A4[1] - 36, letterhead)

    def bullets(lines: list[str]) -> ListFlowable:
        return ListFlowable([Paragraph(escape(line), styles["Normal"]) for line in lines],
                            bulletType="bullet")

    story = [Paragraph(escape(report.title), styles["Title"]),
             Paragraph(f"<b>{escape(report.confidential)}</b>", styles["Normal"]),
             Spacer(1, 8), bullets([f"{label}: {value}" for label, value in report.header])]
    for section in report.sections:
        story += [Paragraph(escape(section.title), styles["Heading2"]), bullets(section.lines)]
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, title=report.title, author=coach,
                                 invariant=1)
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()


# -- hours ----------------------------------------------------------------------------

class HourRow(NamedTuple):
    date: dt.date
    client: str
    name: str
    sponsor: str
    kind: str
    minutes: int
    amount: Decimal | None
    billable: bool

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "client": self.client, "name": self.name,
                "sponsor": self.sponsor, "kind": self.kind, "minutes": self.minutes,
                "amount": None if self.amount is None else str(self.amount)}


def month_of(today: dt.date) -> tuple[dt.date, dt.date]:
    first = today.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def hour_rows(vault: Vault, start: dt.date, end: dt.date, today: dt.date,
              sponsor: str | None = None, client_id: str | None = None,
              billable_only: bool = True) -> list[HourRow]:
    """Held conversations between `start` and `end` (billable ones, unless asked), by
    sponsor, client and date; minutes from `duration`, else 60; amounts to the cent."""
    clients = [get_client(vault, client_id)] if client_id else list(vault.clients.values())
    rows = []
    for client in clients:
        paid_by = client.get("sponsor") or ""
        if sponsor is not None and paid_by != sponsor:
            continue
        rate = _rate(vault, paid_by)
        for s in client.sessions:
            if not (s.held(today) and start <= s.date <= end):
                continue
            if billable_only and not s.billable:
                continue
            minutes = s.duration or 60
            amount = None if rate is None else \
                (Decimal(minutes) * Decimal(str(rate)) / 60).quantize(Decimal("0.01"),
                                                                       ROUND_HALF_UP)
            rows.append(HourRow(s.date, client.id, client.name, paid_by, s.kind or "?",
                                minutes, amount if s.billable else None, s.billable))
    rows.sort(key=lambda r: (r.sponsor.casefold(), r.name.casefold(), r.client, r.date))
    return rows


def _rate(vault: Vault, sponsor: str) -> float | None:
    own = (vault.settings.sponsors or {}).get(sponsor)
    return own if own is not None else vault.settings.hourly_rate


def icf_rows(vault: Vault, rows: list[HourRow]) -> list[list[str]]:
    """The ICF client coaching log: a client without `sponsor_consent` is listed by a
    pseudonym (its id where ids are codes), never by name nor by an id made of the name; the
    sponsor is the contact; paid and pro bono hours apart."""
    from coachnotes.vault import erasures

    head = ["Client Name", "Contact Information", "Individual/Group", "Number in Group",
            "Start Date", "End Date", "Paid Hours", "Pro-bono Hours"]
    by_client: dict[str, list[HourRow]] = {}
    for row in rows:
        by_client.setdefault(row.client, []).append(row)
    out = [head]
    for client_id, held in by_client.items():
        client: Client = vault.clients[client_id]
        named = client.name if client.get("sponsor_consent") else client_id \
            if vault.settings.client_ids == "code" else \
            erasures.pseudonym(vault.root, client_id, vault.language)
        paid = sum(r.minutes for r in held if r.billable) / 60
        free = sum(r.minutes for r in held if not r.billable) / 60
        out.append([named, held[0].sponsor, "Individual", "1", held[0].date.isoformat(),
                    held[-1].date.isoformat(), f"{paid:.2f}", f"{free:.2f}"])
    return out
