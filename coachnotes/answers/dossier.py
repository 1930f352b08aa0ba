"""The coachee's dossier (SPEC §13, right of access; §15 v4): the whole trajectory as one
`Document` — the client's facts and consent, the goals, the scores, the conversations, and
every note's full text with its fields as labelled lines (never raw YAML) — which `output`
renders as a page to print (`dossier.html`) and as a PDF (`dossier.pdf`). It is the coachee's
own data: nothing of it is held back, but no comment of a template is quoted (SPEC §4)."""

from __future__ import annotations

import datetime as dt
import re

from coachnotes.answers.reports import (
    LOCALES,
    Document,
    Section,
    clean,
    letterhead,
    person,
    score_lines,
)
from coachnotes.answers.views import ClientView
from coachnotes.i18n.texts import text, written_out
from coachnotes.vault.files import read_regular
from coachnotes.vault.frontmatter import MAX_BYTES, split_front_matter, without_comments
from coachnotes.vault.model import Vault


def dossier_document(vault: Vault, view: ClientView, today: dt.date,
                     documents: list[dict[str, str]] | None = None) -> Document:
    lang = vault.language
    client = view.client
    title = text(lang, "dossier.title", name=client.name)
    header = [(person(client, lang), client.name),
              (text(lang, "status"), text(lang, f"status.{client.status}")
               if client.status else "?")]
    for key, label in (("organization", "col.organization"), ("sponsor", "sponsor"),
                       ("reason", "reason")):
        if client.get(key):
            header.append((text(lang, label), str(client.get(key))))
    consent = client.get("sponsor_consent")
    if isinstance(consent, dict):
        shares = ", ".join(text(lang, f"share.{s}") for s in consent.get("share") or [])
        header.append((text(lang, "report.consent", person=person(client, lang).lower()),
                       f"{written_out(consent.get('date'), lang)}: {shares or '—'}"))
    header.append((text(lang, "report.date"), written_out(today, lang)))
    sections = [Section(text(lang, key), [str(item) for item in client.get(key)], [])
                for key in ("goals", "development_points") if client.get(key)]
    sections += [Section(text(lang, "results"), score_lines(view, lang), []),
                 _timeline(client, lang)]
    sections += [_note(vault, client.path, text(lang, "dossier.client_note"), [], lang)]
    for session in client.sessions:
        sections.append(_note(vault, session.path, _heading(session, lang),
                              _fields(session, client, lang), lang))
    if view.due:
        sections.append(Section(text(lang, "actions"), [
            f"{written_out(item.due, lang) if item.due else text(lang, 'no_date')} — "
            f"{item.text}" for item, _ref in view.due], []))
    if documents:
        sections.append(Section(text(lang, "documents"),
                                [f"{d['date']} — {d['name']}" for d in documents], []))
    return clean(Document("dossier", lang, LOCALES.get(lang, "en-GB"), title, title,
                          text(lang, "confidential"), letterhead(vault),
                          vault.settings.coach or "", today, [], header,
                          [s for s in sections if s.lines or s.paragraphs], [], None,
                          client.name, client.get("programme") or "coaching"))


def _heading(session, lang: str) -> str:
    kind = text(lang, f"kind.{session.kind}") if session.kind else "?"
    if session.kind == "coaching" and session.number:
        kind += f" {session.number}"
    day = written_out(session.date, lang) if session.date else text(lang, "no_date")
    return f"{day}{' ' + session.time if session.time else ''} — {kind}"


def _fields(session, client, lang: str) -> list[str]:
    """A conversation's fields as a person reads them: label and value, in the language."""
    lines = []
    if session.duration:
        lines.append(f"{text(lang, 'field.duration')}: "
                     f"{text(lang, 'invoice.minutes', n=session.duration)}")
    if session.cancelled:
        lines.append(f"{text(lang, 'cancelled.one')}: {session.cancelled}")
    agreed = session.record.values.get("next")
    if agreed:
        lines.append(f"{text(lang, 'field.next')}: {written_out(str(agreed)[:10], lang)}"
                     f"{' ' + str(agreed)[11:16] if len(str(agreed)) > 10 else ''}")
    goals = client.get("goals") or []
    for n, score in enumerate(session.record.values.get("scores") or [], 1):
        if score is not None:
            goal = goals[n - 1] if n <= len(goals) else text(lang, "doc.goal", n=n)
            lines.append(f"{text(lang, 'field.score', goal=goal)}: {score}")
    for action in session.actions:
        state = text(lang, "field.done") if action.done else \
            written_out(action.due, lang) if action.due else ""
        lines.append(f"{text(lang, 'field.action')}: {action.text}"
                     + (f" ({state})" if state else ""))
    return lines


def _note(vault: Vault, path: str, title: str, lines: list[str], lang: str) -> Section:
    """A note's own text: its body without the front matter and without comments, a
    paragraph per block; a heading of the note stays as a line of its own."""
    try:
        raw = read_regular(vault.root / path, MAX_BYTES).decode("utf-8-sig", "replace")
    except (OSError, ValueError):
        return Section(title, lines + [text(lang, "dossier.unreadable")], [])
    raw = raw.replace("\r\n", "\n")
    split = split_front_matter(raw)
    body = "\n".join(raw.splitlines()[split[1]:]) if split else raw
    paragraphs = []
    for block in re.split(r"\n\s*\n", without_comments(body)):
        words = " ".join(line.strip().lstrip("#").strip() for line in block.splitlines()
                         if line.strip())
        if words:
            paragraphs.append(words)
    return Section(title, lines, [], paragraphs)


def _timeline(client, lang: str) -> Section:
    return Section(text(lang, "timeline"), [_heading(s, lang) for s in client.sessions], [])
