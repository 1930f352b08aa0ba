"""Pictures in the pages (SPEC §19): Mermaid diagrams as text, which GitHub, GitLab, Gitea and
Obsidian draw where the page is read. No image files, nothing to install.

* `trajectory` — a client's `gantt`: the intake, the planned period (and the actual one, an
  extension), each conversation as a milestone by kind, planned conversations, follow-ups.
* `coming` — FOLLOW-UPS.md's `gantt` of the dated items in the coming days, a section per kind.
* `goal_chart` and `results_chart` — `xychart-beta` lines of a goal's scores, and the share of
  goals that held at the follow-up per year (RESULTS.md). They need only the scores.

No diagram writes today's date: Mermaid's own today marker draws it in the reader's browser,
so a page does not change every day. Everything a coach typed is made safe (`label`), every
diagram stays under the 5,000 characters GitLab and Gitea accept, and a diagram with nothing
to draw is not written at all.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from coachnotes.i18n.texts import due_kind, text

LIMIT = 4500  # characters; GitLab and Gitea refuse a diagram over 5,000 by default
_UNSAFE = re.compile(r"[^\w .,'()/&+\-–?!€%×]", re.UNICODE)
# xychart-beta draws its lines pale lavender on white by default (PITFALLS v4): two colours
# with at least 4.4:1 contrast on a light and on a dark page
SCORE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")  # ≥ 3:1
PALETTE = ('%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "'
           + ", ".join(SCORE_COLOURS[:2]) + '"}}}}%%')



@functools.lru_cache(maxsize=1 << 16)  # the same names and texts, on every save (watch)
def label(value: object, width: int = 40) -> str:
    """A text a coach typed, as Mermaid reads it in any diagram: letters, digits and a few
    harmless signs (`€`, `%`, `×` kept; `:`, `#`, `;`, quotes, square brackets, `<b>` become
    spaces, `%%` one `%`), one line, at most `width` characters."""
    plain = " ".join(_UNSAFE.sub(" ", str(value)).split()).strip(" -")
    plain = re.sub(r"%{2,}", "%", plain)  # `%%` opens a Mermaid comment
    if len(plain) > width:
        plain = plain[:width - 1].rstrip() + "…"
    return plain or "–"


def block(source: str) -> list[str]:
    return ["```mermaid", source.rstrip("\n"), "```", ""]


def _gantt(title: str, sections: list[tuple[str, list[str]]]) -> str | None:
    sections = [(name, tasks) for name, tasks in sections if tasks]
    if not sections:
        return None
    out = ["gantt", f"  title {label(title, 60)}", "  dateFormat YYYY-MM-DD",
           "  axisFormat %d-%m-%y"]
    for name, tasks in sections:
        out.append(f"  section {label(name, 30)}")
        out += [f"  {task}" for task in tasks]
    return "\n".join(out) + "\n"


# a task's name may not begin with a word the gantt syntax reads as a statement
_KEYWORDS = {"section", "title", "dateformat", "axisformat", "tickinterval", "excludes",
             "includes", "todaymarker", "inclusiveenddates", "topaxis", "weekday", "click",
             "gantt", "accdescr", "acctitle", "displaymode"}


def _task(name: str) -> str:
    named = label(name)
    return "· " + named if named.split()[0].casefold() in _KEYWORDS else named


def _milestone(name: str, day: dt.date, state: str = "") -> str:
    return f"{_task(name)} :{state + ', ' if state else ''}milestone, {day.isoformat()}, 0d"


def _period(name: str, start: dt.date, end: dt.date, state: str = "") -> str:
    if end <= start:  # a bar is at least a day long (and the calendar ends at 9999-12-31)
        end = start + dt.timedelta(days=1) if start < dt.date.max else start
    return f"{_task(name)} :{state + ', ' if state else ''}{start.isoformat()}, {end.isoformat()}"


def trajectory(view, lang: str) -> str | None:
    """A client's trajectory as a `gantt`; None for a client without a single date."""
    client = view.client
    plan: list[str] = []
    if client.intake_date and not any(s.kind == "intake" and s.date for s in client.sessions):
        plan.append(_milestone(text(lang, "kind.intake"), client.intake_date, "done"))
    start, planned_end = client.start_date, client.planned_end
    if start and planned_end:
        plan.append(_period(text(lang, "chart.planned"), start, planned_end))
    if start and client.end_date:
        plan.append(_period(text(lang, "chart.actual"), start, client.end_date, "done"))
    extension = client.extension or {}
    until = extension.get("until") if isinstance(extension, dict) else None
    if isinstance(until, dt.date) and planned_end and until > planned_end:
        plan.append(_period(text(lang, "extension"), planned_end, until, "active"))
    talks = _conversations(view, lang)
    follow = [_milestone(text(lang, "doc.follow_up", n=f.n), f.date or f.due,
                         _follow_up_state(f, view.today))
              for f in view.follow_ups]
    source = _gantt(client.name, [(text(lang, "progress"), plan),
                                  (text(lang, "timeline"), talks),
                                  (text(lang, "follow_ups"), follow)])
    if source and len(source) > LIMIT:  # a long trajectory: its conversations as one bar
        held = [s.date for s in client.sessions if s.date]
        summary = [_period(f"{text(lang, 'timeline')} ({len(held)})", min(held), max(held),
                           "done")] if held else []
        source = _gantt(client.name, [(text(lang, "progress"), plan),
                                      (text(lang, "timeline"), summary),
                                      (text(lang, "follow_ups"), follow)])
    return source


def _follow_up_state(follow_up, today: dt.date) -> str:
    """Held: done; open and overdue: crit (red); open and still to come: active (another
    colour, so overdue and planned are told apart)."""
    if follow_up.state in ("done", "held"):
        return "done"
    if follow_up.state != "open":
        return ""
    return "crit" if (follow_up.date or follow_up.due) < today else "active"


def _conversations(view, lang: str) -> list[str]:
    out = []
    shown_apart = bool(view.follow_ups)  # a held follow-up is in its own section
    for s in view.client.sessions:
        if s.date is None or shown_apart and s.kind == "follow-up" and not s.cancelled:
            continue
        name = text(lang, f"kind.{s.kind}") if s.kind else "?"
        if s.kind == "coaching" and s.number:
            name += f" {s.number}"
        state = "" if s.cancelled else "active" if s.planned(view.today) else "done"
        if s.cancelled:
            name += f" ({text(lang, 'cancelled.one')})"
        out.append(_milestone(name, s.date, state))
    return out


def coming(entries: list[tuple[str, str, str]], lang: str, title: str,
           today: dt.date | None = None) -> str | None:
    """FOLLOW-UPS.md's `gantt`: (kind, date, label) of the items in the coming days, a
    section per kind; several items of a kind on one day as one milestone when the diagram
    would grow too long; an overdue one red (`crit`), the others in the default colour."""
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for kind, day, what in entries:
        by_kind.setdefault(kind, []).append((day, what))

    def build(grouped: bool) -> str | None:
        sections = []
        for kind in sorted(by_kind):
            tasks = []
            days: dict[str, list[str]] = {}
            for day, what in by_kind[kind]:
                days.setdefault(day, []).append(what)
            for day, whats in sorted(days.items()):
                names = [f"{len(whats)} × {due_kind(kind, lang)}"] if grouped and \
                    len(whats) > 1 else whats
                when = dt.date.fromisoformat(day)
                late = "crit" if today is not None and when < today else ""
                tasks += [_milestone(n, when, late) for n in names]
            sections.append((due_kind(kind, lang), tasks))
        return _gantt(title, sections)

    # a milestone line is 30 characters at the least: past LIMIT / 30 items the diagram
    # cannot fit ungrouped, and building it is most of a save's work at 70,000 notes
    source = build(False) if len(entries) <= LIMIT // 30 else None
    if source is None or len(source) > LIMIT:
        source = build(True)
    if source and len(source) > LIMIT:  # still too long: the first days that fit
        lines = source.splitlines()
        kept = []
        for line in lines:
            if sum(len(x) + 1 for x in kept) + len(line) > LIMIT:
                break
            kept.append(line)
        source = "\n".join(kept) + "\n"
    return source


def goal_chart(goal, lang: str) -> str | None:
    """One goal's scores (0–10) at the start, the end and each follow-up, as a line; None
    when fewer than two are known."""
    points = [(text(lang, "start"), goal.start), (text(lang, "end"), goal.end)]
    points += [(text(lang, "col.follow_up", n=n), v) for n, v in enumerate(goal.follow_ups, 1)]
    points = [(name, v) for name, v in points if v is not None]
    if len(points) < 2:
        return None
    names = ", ".join(f'"{label(name, 20)}"' for name, _v in points)
    return (f"{PALETTE}\nxychart-beta\n"
            f'  title "{label(goal.goal, 60)}"\n'
            f"  x-axis [{names}]\n"
            f'  y-axis "0–10" 0 --> 10\n'
            f"  line [{', '.join(str(v) for _name, v in points)}]\n")


def results_chart(groups, lang: str) -> str | None:
    """RESULTS.md: per year, the share of followed-up goals that held (%), as bars; None
    while no year has a follow-up score."""
    shown = [(g.group, round(100 * g.held / (g.held + g.fallen)))
             for g in groups if g.held + g.fallen]
    if not shown:
        return None
    return (f"{PALETTE}\nxychart-beta\n"
            f'  title "{label(text(lang, "results.chart"), 60)}"\n'
            f"  x-axis [{', '.join(chr(34) + label(year, 12) + chr(34) for year, _p in shown)}]\n"
            f'  y-axis "%" 0 --> 100\n'
            f"  bar [{', '.join(str(p) for _year, p in shown)}]\n")
