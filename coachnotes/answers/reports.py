"""The sponsor's documents (SPEC §15): the plan of approach, the progress report and the final
report of one trajectory, as data, built only from what the coachee agreed to share; the
renderers (`output.documents`) lay them out as Markdown, Word and PDF.

No body text of a note reaches a document but the text under the sponsor heading, and only
when `sponsor_notes` is shared. Every text is cleaned of what XML (Word) and PDF cannot hold.
Any shared text that reads as health data is found by `health_findings`, with where it
stands, so that the coach can decide before sending.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import NamedTuple

from coachnotes.answers.hours import rate_of
from coachnotes.answers.views import ClientView
from coachnotes.answers.wordforms import fold
from coachnotes.errors import Refused
from coachnotes.i18n import _
from coachnotes.i18n.texts import TEXTS, decimal, referred, text, written_out
from coachnotes.vault.files import read_regular
from coachnotes.vault.frontmatter import MAX_BYTES, section_text
from coachnotes.vault.layout import template_text
from coachnotes.vault.model import Vault
from coachnotes.vault.schema import SHARES

KINDS = ("plan", "progress", "final", "consent")
SPONSOR_HEADINGS = ("voor de opdrachtgever", "for the sponsor")
APPROACH_HEADINGS = ("aanpak", "approach")
# words a re-integration programme is made of, never a health warning in its documents
PROGRAMME_WORDS = ("uwv", "wia", "ziektewet", "reintegratie", "arbo", "poortwachter",
                   "wajong", "werkfit")
LOCALES = {"nl": "nl-NL", "en": "en-GB"}


class Section(NamedTuple):
    title: str
    lines: list[str]  # facts, one a bullet
    sources: list[tuple[str, str]]  # (note, text) of what it quotes, for the health check
    paragraphs: list[str] = []  # running text (the text for the sponsor)


class Chart(NamedTuple):
    """The scores of each goal at the start, the end and each follow-up (0–10)."""
    moments: list[str]  # "Start", "End", "Follow-up 1", ...
    series: list[tuple[str, list[int | None]]]  # (goal, a score per moment)


class Document(NamedTuple):
    kind: str  # plan, progress, final
    language: str  # nl, en
    locale: str  # nl-NL, en-GB: the documents' metadata
    title: str
    subject: str  # the title and the coachee: the documents' metadata
    confidential: str
    letterhead: list[str]  # the practice: name, address, contact, KvK
    coach: str
    today: dt.date
    intro: list[str]  # paragraphs from the template
    header: list[tuple[str, str]]
    sections: list[Section]
    signatures: list[str] = []  # who signs (the plan)
    chart: Chart | None = None  # the final report's scores, when `results` is shared
    coachee: str = ""  # in the footer of every page, beside "Vertrouwelijk"
    programme: str = "coaching"  # `programme` (SPEC §3, v4): its own words are no warning
    logo: bytes | None = None  # `practice.logo`: a PNG or JPEG for the letterhead


def as_known_on(client, day: dt.date):
    """The client as it could be known on `day` (SPEC §15, v4: a document made for a date
    earlier than today): no conversation dated after it (which were planned then cannot be
    known), and an assessment, a consent or a follow-up done after it not known yet."""
    import copy

    known = copy.copy(client)
    known.sessions = [s for s in client.sessions if s.date is None or s.date <= day]
    values = dict(client.values)
    for key in ("assessment", "sponsor_consent"):  # dates in a mapping are kept as ISO text
        when = values.get(key).get("date") if isinstance(values.get(key), dict) else None
        if when is not None and str(when) > day.isoformat():
            del values[key]
    known.values = values
    known.follow_ups = [f if f.done is None or f.done <= day else
                        type(f)(f.n, f.due, None, f.cancelled) for f in client.follow_ups]
    return known


def build_document(vault: Vault, view: ClientView, kind: str, today: dt.date) -> Document:
    """What the sponsor may read about one client in a document of `kind`; Refused without
    the coachee's consent."""
    client, lang = view.client, vault.language
    consent = client.get("sponsor_consent")
    if kind == "consent":
        return consent_form(vault, client, consent, today)
    if not consent:
        raise Refused(_("{path} has no `sponsor_consent`, so nothing may be shared with "
                        "the sponsor. Agree with the coachee what may be shared, then record "
                        "it in client.md, e.g.\n  sponsor_consent:\n    date: {date}\n    "
                        "share: [attendance, goals, progress]").format(
                        path=client.path, date=today.isoformat()))
    share = set(consent.get("share") or [])
    if "goals" not in share:  # results without the goals: "Goal 1", never the goal's text
        view = view._replace(results=[g._replace(goal=text(lang, "doc.goal", n=n))
                                      for n, g in enumerate(view.results, 1)])
    title, intro = _template(vault, kind, client)
    coach = vault.settings.coach or ""
    header = [(person(client, lang), client.name)]
    for key, label in (("organization", "col.organization"), ("sponsor", "sponsor")):
        if client.get(key):
            header.append((text(lang, label), str(client.get(key))))
    header += _order(vault, client, lang)
    header += [(text(lang, "report.coach"), coach),
               (text(lang, "report.date"), written_out(today, lang)),
               (text(lang, "report.consent", person=person(client, lang).lower()),
                written_out(consent["date"], lang))]
    sections = [s for s in (make(vault, view, lang) for name, make in _PARTS[kind]
                            if name in share or name == "*") if s.lines or s.paragraphs]
    chart = _chart(view, lang) if kind == "final" and "results" in share else None
    signatures = _signatures(vault, client, kind, lang, coach)
    return clean(Document(kind, lang, LOCALES.get(lang, "en-GB"), title,
                          f"{title} — {client.name}", text(lang, "confidential"),
                          letterhead(vault), coach, today, intro, header, sections, signatures,
                          chart if chart and chart.series else None, client.name,
                          client.get("programme") or "coaching", logo_of(vault)[0]))


def consent_form(vault: Vault, client, consent: dict | None, today: dt.date) -> Document:
    """The consent form (toestemmingsverklaring, SPEC §15 v4) to sign before anything is
    shared: what the sponsor may see, in words, and from when; that the coachee may withdraw
    it, and how; what is never shared. Without a recorded consent every share is a box to
    tick."""
    lang = vault.language
    coach = vault.settings.coach or ""
    sponsor = client.get("sponsor") or text(lang, "consent.the_sponsor")
    title = text(lang, "consent.title")
    header = [(person(client, lang), client.name)]
    if client.get("organization"):
        header.append((text(lang, "col.organization"), str(client.get("organization"))))
    header += [(text(lang, "sponsor"), sponsor), *_order(vault, client, lang),
               (text(lang, "report.coach"), coach),
               (text(lang, "report.date"), written_out(today, lang))]
    intro = [text(lang, "consent.intro", name=client.name, coach=coach or
                  text(lang, "doc.signature.coach").lower(), sponsor=sponsor)]
    if consent:
        shared = [s for s in SHARES if s in (consent.get("share") or [])]
        lines = [f"▣ {text(lang, f'consent.share.{s}')}" for s in shared]
        lines.append(text(lang, "consent.since", date=written_out(consent["date"], lang)))
    else:
        lines = [f"□ {text(lang, f'consent.share.{s}')}" for s in SHARES]
        lines.append(text(lang, "consent.since", date="____________________"))
    sections = [Section(text(lang, "consent.what"), lines, []),
                Section(text(lang, "consent.never"), [text(lang, "consent.never.health"),
                                                     text(lang, "consent.never.notes")], []),
                Section(text(lang, "consent.withdraw"), [],
                        [], [text(lang, "consent.withdraw.how", coach=coach or
                                  text(lang, "doc.signature.coach").lower())])]
    signatures = [f"{person(client, lang)}: {client.name}",
                  f"{text(lang, 'doc.signature.coach')}: {coach}" if coach else
                  text(lang, "doc.signature.coach")]
    return clean(Document("consent", lang, LOCALES.get(lang, "en-GB"), title,
                          f"{title} — {client.name}", text(lang, "confidential"),
                          letterhead(vault), coach, today, intro, header, sections, signatures,
                          None, client.name, client.get("programme") or "coaching",
                          logo_of(vault)[0]))


def _signatures(vault: Vault, client, kind: str, lang: str, coach: str) -> list[str]:
    """Who signs, by name: the plan by the coachee, the sponsor's contact and the coach; the
    final report by the coach."""
    sponsor = client.get("sponsor") or ""
    contact = (vault.settings.sponsors or {}).get(sponsor, {}).get("contact") or sponsor
    people = {"coachee": client.name, "sponsor": contact, "coach": coach}
    who = ("coachee", "sponsor", "coach") if kind == "plan" else \
        ("coach",) if kind == "final" else ()
    roles = {"coachee": person(client, lang)}
    return [f"{roles.get(role) or text(lang, f'doc.signature.{role}')}: {people[role]}"
            if people[role] else text(lang, f"doc.signature.{role}") for role in who]


def _order(vault: Vault, client, lang: str) -> list[tuple[str, str]]:
    """The sponsor's order number (the client's `order`, else its sponsor's), on every
    document that has one (SPEC §15, v4)."""
    order = client.get("order") or \
        (vault.settings.sponsors or {}).get(client.get("sponsor") or "", {}).get("order")
    return [(text(lang, "invoice.order"), str(order))] if order else []


def person(client, lang: str) -> str:
    """The word for the person coached, by `programme` (SPEC §15, v4): coachee, kandidaat
    (UWV), deelnemer (gemeente), werknemer (second track)."""
    return text(lang, f"person.{client.get('programme') or 'coaching'}")


def _template(vault: Vault, kind: str, client) -> tuple[str, list[str]]:
    """The document's title and opening paragraphs: `templates/report-<kind>.md` of the
    vault, else the package's; `${name}`, `${organization}`, `${sponsor}`, `${coach}`."""
    import string


    raw = template_text(vault.root, vault.language, f"report-{kind}")
    filled = string.Template(raw).safe_substitute(
        name=client.name, organization=client.get("organization") or "",
        sponsor=client.get("sponsor") or "", coach=vault.settings.coach or "")
    title = text(vault.language, "report.title" if kind == "progress" else f"{kind}.title")
    paragraphs = []
    for block in re.split(r"\n\s*\n", filled.replace("\r\n", "\n")):
        heading = re.match(r"^#\s+(.+)$", block.strip())
        if heading:
            title = heading.group(1).strip()
        elif block.strip():
            paragraphs.append(" ".join(block.split()))
    return title, paragraphs


LOGO_LIMIT = 2 * 1024 * 1024
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def logo_of(vault: Vault) -> tuple[bytes | None, str | None]:
    """The practice's logo (`practice.logo`, SPEC §5 v4) for the letterhead: a PNG or JPEG of
    at most 2 MB inside the vault. (None, why) when it is set but cannot be used; (None, None)
    when there is none."""
    name = (vault.settings.practice or {}).get("logo")
    if not name:
        return None, None
    root = vault.root.resolve()
    path = (root / name).resolve()
    try:
        path.relative_to(root)
        data = read_regular(path, LOGO_LIMIT)
    except (ValueError, OSError):
        data = None
    if data is None or not data.startswith(_IMAGE_MAGIC):
        return None, _("the logo {name} in coachnotes.yml (`practice.logo`) is not a PNG or "
                       "JPEG of at most 2 MB inside the vault: the documents have no logo"
                       ).format(name=name)
    return data, None


def letterhead(vault: Vault) -> list[str]:
    """The practice's lines: name, address, postcode and city, contact, KvK and VAT."""
    practice = vault.settings.practice or {}
    lang = vault.language
    contact = " · ".join(str(practice[k]) for k in ("email", "phone", "website")
                         if practice.get(k))
    lines = [practice.get("name"), practice.get("address"), practice.get("postcode_city"),
             contact,
             " · ".join(x for x in (
                 text(lang, "doc.kvk", number=practice["kvk"]) if practice.get("kvk") else "",
                 text(lang, "doc.vat", number=practice["vat_id"]) if practice.get("vat_id")
                 else "") if x)]
    return [str(line) for line in lines if line]


def _kind(lang: str, kind: str | None) -> str:
    return text(lang, f"kind.{kind}") if kind else "?"


def _day(day: dt.date | None, lang: str) -> str:
    return written_out(day, lang) if day else text(lang, "no_date")


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
        lines.append(f"{_day(s.date, lang)} — {_kind(lang, s.kind)} ({state})")
    return Section(text(lang, "attendance"), lines, [])


def _planned(vault: Vault, view: ClientView, lang: str) -> Section:
    lines = [f"{_day(s.date, lang)}{' ' + s.time if s.time else ''} — {_kind(lang, s.kind)}"
             for s in view.planned_notes]
    return Section(text(lang, "doc.planned"), lines, [])


def _list_of(key: str):
    def make(vault: Vault, view: ClientView, lang: str) -> Section:
        items = [str(item) for item in view.client.get(key) or []]
        return Section(text(lang, key), items, [(view.client.path, item) for item in items])
    return make


def _reason(vault: Vault, view: ClientView, lang: str) -> Section:
    client = view.client
    reason = str(client.get("reason") or "")
    lines = [reason] if reason else []
    if client.get("referred_by"):
        whence = referred(client.get("referred_by"), lang, client.get("programme"))
        lines.append(f"{text(lang, 'referred_by')}: {whence}")
    return Section(text(lang, "reason"), lines, [(client.path, reason)] if reason else [])


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
            lines.append(f"{text(lang, label)}: {written_out(day, lang)}")
    sources = []
    for key in ("extension", "alternative"):
        value = client.get(key)
        why = (value.get("reason") or "") if isinstance(value, dict) else str(value or "")
        if value:
            lines.append(f"{text(lang, key)}: {why}")
            sources.append((client.path, why))
    return Section(text(lang, "progress"), lines, sources)


def _course(vault: Vault, view: ClientView, lang: str) -> Section:
    """How the trajectory will run: conversations and period, start and planned end."""
    client = view.client
    lines = [text(lang, "doc.course.sessions", n=view.planned,
                  months=view.months or vault.settings.trajectory_months)]
    for label, day in (("start", client.start_date), ("col.planned_end", client.planned_end)):
        if day:
            lines.append(f"{text(lang, label)}: {written_out(day, lang)}")
    if client.get("programme") == "second-track":  # Wet verbetering poortwachter
        lines.append(text(lang, "doc.course.evaluations"))
    return Section(text(lang, "doc.course"), lines, [])


def _follow_ups(vault: Vault, view: ClientView, lang: str) -> Section:
    """The follow-up conversations: held, planned or cancelled; else the ones foreseen."""
    lines = []
    for state in view.follow_ups:
        when = _day(state.date or state.due, lang)
        word = {"open": text(lang, "planned.one"), "cancelled": text(lang, "cancelled.one")
                }.get(state.state, text(lang, "held"))
        lines.append(f"{text(lang, 'doc.follow_up', n=state.n)}: {when} ({word})")
    if not lines:
        lines = [f"{text(lang, 'doc.follow_up', n=n)}: "
                 f"{text(lang, 'doc.follow_ups.foreseen', months=months)}"
                 for n, months in enumerate(vault.settings.follow_up_months or [], 1)]
    return Section(text(lang, "doc.follow_ups"), lines, [])


def _cost(vault: Vault, view: ClientView, lang: str) -> Section:
    """Everything planned, excluding VAT: the coaching conversations (× 60 minutes × the
    rate), the intake where it is billed (`bill_intake`), each of the client's `costs`; then
    the total, the VAT of `practice.vat` and the total with it (SPEC §15, v4)."""
    settings = vault.settings
    rate = rate_of(settings, view.client.get("sponsor") or "")
    lines, total = [], Decimal("0.00")
    if rate is not None:
        each = Decimal(str(rate)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        lines.append(text(lang, "doc.cost.line", n=view.planned, rate=_money(each, lang),
                          total=_money(each * view.planned, lang)))
        total += each * view.planned
        if settings.bill_intake:
            lines.append(text(lang, "doc.cost.intake", amount=_money(each, lang)))
            total += each
    for cost in view.client.get("costs") or []:
        lines.append(f"{cost['text']}: € {_money(Decimal(cost['amount']), lang)}")
        total += Decimal(cost["amount"])
    if not lines:
        return Section(text(lang, "doc.cost"), [], [])
    practice = settings.practice or {}
    lines.append(text(lang, "doc.cost.net", amount=_money(total, lang)))
    if (practice.get("vat") or "21") == "21":
        vat = (total * 21 / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        lines += [text(lang, "doc.cost.vat", rate=21, amount=_money(vat, lang)),
                  text(lang, "doc.cost.gross", amount=_money(total + vat, lang))]
    else:
        lines.append(practice.get("vat_exemption_text") or text(lang, "doc.cost.no_vat"))
    return Section(text(lang, "doc.cost"), lines, [(view.client.path, c["text"])
                                                   for c in view.client.get("costs") or []])


def _activities(vault: Vault, view: ClientView, lang: str) -> Section:
    """For a UWV trajectory (`programme: uwv`), the activities with their hours, as UWV's plan
    of approach asks: the intake, the coaching conversations (60 minutes each), each cost."""
    if view.client.get("programme") != "uwv":
        return Section(text(lang, "doc.activities"), [], [])
    hours = [(text(lang, "kind.intake").capitalize(), 1),
             (text(lang, "doc.activity.coaching", n=view.planned), view.planned)]
    lines = [text(lang, "doc.activity.hours", what=what, hours=n) for what, n in hours]
    lines += [str(cost["text"]) for cost in view.client.get("costs") or []]
    lines.append(text(lang, "doc.activity.total", hours=sum(n for _what, n in hours)))
    return Section(text(lang, "doc.activities"), lines, [])


def _money(amount: Decimal, lang: str) -> str:
    return decimal(amount, lang, grouping=True)


def score_lines(view: ClientView, lang: str) -> list[str]:
    """Each goal's scores as a line: "Rust: Start: 3 · Einde: 8 · Terugkomgesprek 1: 7"."""
    lines = []
    for goal in view.results:
        said = [f"{text(lang, 'start')}: {_score(goal.start)}",
                f"{text(lang, 'end')}: {_score(goal.end)}"]
        said += [f"{text(lang, 'doc.follow_up', n=n)}: {_score(v)}"
                 for n, v in enumerate(goal.follow_ups, 1)]
        lines.append(f"{goal.goal}: " + " · ".join(said))
    return lines


def _results(vault: Vault, view: ClientView, lang: str) -> Section:
    lines = score_lines(view, lang)
    if lines:
        lines.insert(0, text(lang, "doc.results.intro",
                             person=person(view.client, lang).lower()))
    return Section(text(lang, "results"), lines, [])


def _score(value: int | None) -> str:
    return "–" if value is None else str(value)


def _chart(view: ClientView, lang: str) -> Chart:
    longest = max((len(g.follow_ups) for g in view.results), default=0)
    moments = [text(lang, "start"), text(lang, "end")] + \
        [text(lang, "col.follow_up", n=n) for n in range(1, longest + 1)]
    series = [(g.goal, [g.start, g.end] + g.follow_ups + [None] * (longest - len(g.follow_ups)))
              for g in view.results if g.start is not None or g.end is not None]
    return Chart(moments, series)


def _approach(vault: Vault, view: ClientView, lang: str) -> Section:
    """The client note's `## Aanpak` (`## Approach`): methods, phases and evaluation moments,
    as agreed at the intake (SPEC §3, v4)."""
    found = _note_section(vault, view.client.path, APPROACH_HEADINGS)
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", found) if p.strip()]
    return Section(text(lang, "doc.approach"), [], [(view.client.path, found)] if found else [],
                   paragraphs)


def _note_section(vault: Vault, path: str, headings: tuple[str, ...]) -> str:
    try:
        body = read_regular(vault.root / path, MAX_BYTES).decode("utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError):
        return ""
    return section_text(body.replace("\r\n", "\n"), headings)


def _result(vault: Vault, view: ClientView, lang: str) -> Section:
    """How the trajectory ended (`result`): the outcome, an early end and why, and whether
    the coachee agrees with this report."""
    result = view.client.get("result") or {}
    lines = []
    outcome = result.get("outcome")
    if outcome:
        key = f"outcome.{outcome}"
        lines.append(f"{text(lang, 'doc.outcome')}: "
                     f"{text(lang, key) if key in TEXTS else outcome}")
    if result.get("early_end"):
        lines.append(f"{text(lang, 'doc.early_end')}: {result['early_end']}")
    if result.get("client_agrees") is not None:
        lines.append(text(lang, "doc.agrees.yes" if result["client_agrees"] else
                          "doc.agrees.no", person=person(view.client, lang).lower()))
    sources = [(view.client.path, str(result.get(k))) for k in ("outcome", "early_end")
               if result.get(k)]
    return Section(text(lang, "doc.result"), lines, sources)


def _sponsor_notes(vault: Vault, view: ClientView, lang: str) -> Section:
    paragraphs, sources = [], []
    # no dates beside the texts: when a conversation took place is attendance, shared or not
    notes = [view.client.path] + [s.path for s in view.client.sessions if s.held(view.today)]
    for path in notes:
        try:
            body = read_regular(vault.root / path, MAX_BYTES).decode("utf-8-sig")
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        found = section_text(body.replace("\r\n", "\n"), SPONSOR_HEADINGS)
        if found:
            paragraphs += [" ".join(p.split()) for p in re.split(r"\n\s*\n", found)
                           if p.strip()]
            sources.append((path, found))
    return Section(text(lang, "sponsor_notes"), [], sources, paragraphs)


# Which parts each kind holds, in order, and the share that allows each ("*": always)
_PARTS = {
    "plan": (("goals", _reason), ("goals", _list_of("goals")), ("goals", _approach),
             ("development_points", _list_of("development_points")),
             ("progress", _course), ("assessment", _assessment), ("attendance", _planned),
             ("progress", _follow_ups), ("*", _activities), ("*", _cost)),
    "progress": (("attendance", _attendance), ("goals", _list_of("goals")),
                 ("development_points", _list_of("development_points")),
                 ("assessment", _assessment), ("progress", _progress),
                 ("sponsor_notes", _sponsor_notes)),
    "final": (("attendance", _attendance), ("goals", _list_of("goals")),
              ("results", _results), ("development_points", _list_of("development_points")),
              ("assessment", _assessment), ("progress", _progress), ("progress", _result),
              ("sponsor_notes", _sponsor_notes), ("attendance", _follow_ups)),
}


# -- what XML and PDF cannot hold ------------------------------------------------------

_UNHOLDABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean(value):
    """Every text of a document without control characters (ESC, backspace, …) and code
    points that XML cannot hold; a tab or line break becomes a space."""
    if isinstance(value, str):
        return _UNHOLDABLE.sub("", re.sub(r"[\t\r\n]", " ", value))
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(clean(v) for v in value))
    if isinstance(value, (list, tuple)):
        return type(value)(clean(v) for v in value)
    return value


# -- health data -----------------------------------------------------------------------

def health_pattern(language: str, extra: list[str] | tuple = ()) -> re.Pattern:
    """The words of `answers/health/<lang>.txt` (both languages: a Dutch note may hold an
    English word) and the settings' `health_words`, over text folded by `search.fold`."""
    import importlib.resources

    words = list(extra)
    for lang in dict.fromkeys((language, "nl", "en")):
        try:
            data = (importlib.resources.files("coachnotes.answers") / "health" /
                    f"{lang}.txt").read_text(encoding="utf-8")
        except (FileNotFoundError, ModuleNotFoundError):
            data = (Path(__file__).parent / "health" / f"{lang}.txt").read_text("utf-8")
        words += [w.strip() for w in data.splitlines() if w.strip() and w[0] != "#"]
    alternatives = []
    for word in dict.fromkeys(words):
        where, plain = (word[0], word[1:]) if word[0] in "~=" else ("", word)
        # a hyphen may be left out (re-integratie, reintegratie); spaces are any space
        body = r"\s+".join(re.escape(part).replace(r"\-", "-?")
                           for part in fold(plain).split())
        if where == "~":
            alternatives.append(body)
        elif where == "=":
            alternatives.append(rf"(?<!\w){body}(?!\w)")
        else:
            alternatives.append(rf"(?<!\w){body}")
    return re.compile("|".join(f"(?:{a})" for a in alternatives) or "(?!)")


class Finding(NamedTuple):
    path: str
    line: int
    section: str
    word: str


def health_findings(vault: Vault, document: Document) -> list[Finding]:
    """Each shared text that reads as health data: the note, the line, the section and the
    word as written."""
    pattern = health_pattern(document.language, vault.settings.health_words or ())
    own = PROGRAMME_WORDS if document.programme in ("uwv", "second-track") else ()
    found: list[Finding] = []
    for section in document.sections:
        for path, quoted in section.sources:
            folded = fold(quoted)
            if len(folded) != len(quoted):  # a letter that folds to two: no positions
                quoted = folded
            for match in pattern.finditer(folded):
                word = _word_at(quoted, match.start(), match.end())
                if fold(word).replace("-", "").startswith(own):
                    continue  # the programme's own words: re-integration is what UWV buys
                found.append(Finding(path, _line_of(vault.root / path, word), section.title,
                                     word))
    return list(dict.fromkeys(found))


def _word_at(value: str, start: int, end: int) -> str:
    """The whole word around a match: `rugklachten`, not `klachten`."""
    while start > 0 and (value[start - 1].isalnum() or value[start - 1] == "-"):
        start -= 1
    while end < len(value) and (value[end].isalnum() or value[end] == "-"):
        end += 1
    return value[start:end]


def _line_of(path: Path, word: str) -> int:
    try:
        lines = read_regular(path, MAX_BYTES).decode("utf-8-sig", "replace").splitlines()
    except (OSError, ValueError):
        return 1
    folded = fold(word)
    return next((n for n, line in enumerate(lines, 1) if folded in fold(line)), 1)
