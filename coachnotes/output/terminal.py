"""Plain-text output for a terminal: tables that fit 80 columns and the `show` screen."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable

from coachnotes.i18n import _, current, pgettext
from coachnotes.i18n.texts import decimal, due_kind, referred, text
from coachnotes.vault.model import Client, DueItem

if TYPE_CHECKING:  # `due` prints its table without importing what `list` and `show` need
    from coachnotes.answers.views import ClientView, Summary

WIDTH = 80  # when the terminal's width cannot be found


def terminal_width(is_terminal: bool) -> int | None:
    """The width to fit (SPEC §8): `COLUMNS`, else the terminal's size, else 80 — or None
    when the output is not a terminal: then nothing is cut."""
    if not is_terminal:
        return None
    import os
    import shutil

    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    return columns if columns > 0 else shutil.get_terminal_size((WIDTH, 24)).columns


def clip(value: str, width: int | None) -> str:
    """One line: control characters and line breaks become spaces (a name cannot move the
    cursor or forge a line); shortened to `width` with an ellipsis, or not at all for None."""
    if not value.isprintable():
        value = " ".join("".join(c if c.isprintable() else " " for c in value).split())
    if width is None or len(value) <= width:
        return value
    return value[: max(width - 1, 0)] + "…"


def when(days_overdue: int | None, words: tuple[str, str, str] | None = None) -> str:
    """`3d late`, `today`, `in 5d` — with `words` translated once for a whole table."""
    late, today, ahead = words or (_("{days}d late"), _("today"), _("in {days}d"))
    if days_overdue is None:
        return "-"
    if days_overdue > 0:
        return late.format(days=days_overdue)
    if days_overdue == 0:
        return today
    return ahead.format(days=-days_overdue)


def _heads(*words: str) -> list[str]:
    return [w.upper() for w in words]


def due_table(items: list[DueItem], width: int | None = WIDTH) -> list[tuple[str, bool]]:
    """Lines of the `due` table, each with whether it is overdue (to colour it)."""
    longest = max((len(i.name) for i in items), default=6)
    name_width = max(longest, 6) if width is None else min(longest, max(18, width // 5))
    timed = any(item.time for item in items)
    due_width = 16 if timed else 10  # the time of day only where one is given
    due, when_, kind, client, what = _heads(_("due"), _("when"), _("kind"), _("client"),
                                            _("what"))
    words = (_("{days}d late"), _("today"), _("in {days}d"))
    kind_words = {kind: due_kind(kind) for kind in {item.kind for item in items}}
    whens = [when(item.overdue_days, words) for item in items]
    kinds = [kind_words[item.kind] for item in items]
    when_width = max([9, len(when_)] + [len(w) for w in whens])  # as long as its words
    kind_width = max([14, len(kind)] + [len(k) for k in kinds])
    head = f"{due:<{due_width}}  {when_:<{when_width}} {kind:<{kind_width}} " \
           f"{client:<{name_width}}  {what}"
    rest = None if width is None else max(width - len(head) + len(what), 10)
    lines = [(head, False)]
    for item, when_text, kind_text in zip(items, whens, kinds):
        due = (item.due.isoformat() if item.due else "-") + (f" {item.time}" if item.time
                                                              else "")
        lines.append((f"{due:<{due_width}}  {when_text:<{when_width}} "
                      f"{kind_text:<{kind_width}} {clip(item.name, name_width):<{name_width}}  "
                      f"{clip(item.text, rest)}".rstrip(), (item.overdue_days or 0) > 0))
    return lines


def list_table(rows: list[Summary], width: int | None = WIDTH) -> list[str]:
    """One line per client: name, id (what every CLIENT argument takes), status, sessions
    held of planned, start, end, next conversation, problems."""
    longest = max((len(r.name) for r in rows), default=6)
    id_width = max((len(r.id) for r in rows), default=2)
    fixed = 2 + id_width + 2 + 12 + 2 + 5 + 2 + 10 + 2 + 10 + 2 + 10 + 2 + 3
    name_width = max(longest, 6) if width is None else \
        max(min(longest, width - fixed), 6)
    client, ident, status, held, start, end, nxt = _heads(
        _("client"), _("id"), _("status"), _("held"), _("start"), _("end"), _("next"))
    id_width = max(id_width, len(ident))
    held_width = max(5, len(held))  # GEHOUDEN is longer than its numbers
    head = (f"{client:<{name_width}}  {ident:<{id_width}}  {status:<12}  {held:<{held_width}}  "
            f"{start:<10}  {end:<10}  {nxt:<10}  !")
    lines = [head]
    for r in rows:
        count = f"{r.sessions:>2}/{r.planned_sessions:<2}"
        lines.append(f"{clip(r.name, name_width):<{name_width}}  {r.id:<{id_width}}  "
                     f"{status_word(r.status):<12}  {count:<{held_width}}  "
                     f"{_d(r.start_date):<10}  {_d(r.end):<10}  {_d(r.next):<10}  "
                     f"{r.problems or ''}".rstrip())
    return lines


def retention_table(rows, width: int | None = WIDTH) -> list[str]:
    longest = max((len(r.name) for r in rows), default=6)
    fixed = 2 + 12 + 2 + 10 + 2 + 10 + 2 + 20
    name_width = max(longest, 6) if width is None else max(min(longest, width - fixed), 6)
    client, status, since, ends = _heads(_("client"), _("status"), _("since"), _("ends"))
    lines = [f"{client:<{name_width}}  {status:<12}  {since:<10}  {ends:<10}"]
    for r in rows:
        state = _("past: `coachnotes forget {id}`").format(id=r.id) if r.past else \
            ("" if r.status in ("closed", "declined") else _("(still running)"))
        lines.append(f"{clip(r.name, name_width):<{name_width}}  {status_word(r.status):<12}  "
                     f"{_d(r.since):<10}  {_d(r.ends):<10}  {state}".rstrip())
    return lines


def status_word(status: str | None) -> str:
    """A status as the coach reads it, in the chosen language (`actief`, `terugkomfase`)."""
    return text(current(), f"status.{status}").lower() if status else "?"


def _d(value: dt.date | None) -> str:
    return value.isoformat() if value else "-"


def show_client(view: ClientView, width: int | None = WIDTH) -> list[str]:
    """The whole trajectory of one client on one screen, from its view."""
    def fit(margin: int) -> int | None:
        return None if width is None else width - margin

    client = view.client
    v = client.values
    language = current()
    status = text(language, f"status.{client.status}") if client.status else \
        _("status unknown")
    out = [f"{clip(client.name, None)} ({client.id}) — {status}"]
    labels = {"organization": _("organization"), "sponsor": _("sponsor"),
              "referred_by": _("referred by")}
    for key, label in labels.items():
        if v.get(key):
            shown = referred(v[key], current(), v.get("programme")) \
                if key == "referred_by" else v[key]
            out.append(f"  {label}: {clip(shown, fit(16))}")
    line = _("sessions: {held} of {planned}").format(held=view.held, planned=view.planned)
    if view.month is not None:
        line += " · " + _("month {month} of {months}").format(month=view.month,
                                                              months=view.months)
    line += " · " + _("intake {intake} · start {start}").format(
        intake=_d(client.intake_date), start=_d(client.start_date))
    out.append("  " + clip(line, fit(2)))
    out.append("  " + _("planned end: {planned} · end: {end}").format(
        planned=_d(client.planned_end), end=_d(client.end_date)))
    out += _profile(client, fit)
    out += ["", _("Timeline")] + _conversations(view, language)
    if view.follow_ups:
        out += ["", _("Follow-ups")]
        for f in view.follow_ups:
            state = {"done": _("done {date}").format(date=_d(f.date)),
                     "cancelled": _("cancelled"),
                     "held": _("held {date}").format(date=_d(f.date))}.get(f.state, _("open"))
            out.append("  " + _("{n}. due {date}  {state}").format(
                n=f.n, date=f.due.isoformat(), state=state))
    out += _result_lines(view, fit)
    if view.due:
        out += ["", _("To do")] + [f"  {_d(i.due) + (' ' + i.time if i.time else ''):<10}  "
                                 f"{when(i.overdue_days):<9} "
                                 f"{clip(i.text, fit(25))}" for i, _key in view.due]
    if view.problems:
        out += ["", _("Problems")] + [f"  {clip(str(p), fit(2))}" for p in view.problems]
    return out


def _result_lines(view: ClientView, fit: Callable[[int], int | None]) -> list[str]:
    """Each goal's scores, 0–10: start, end and every follow-up, and the direction."""
    def score(value: int | None) -> str:
        return "–" if value is None else str(value)

    rated = [g for g in view.results if g.start is not None or g.end is not None]
    if not rated:
        return []
    out = ["", _("Results (0–10)")]
    for goal in rated:
        said = _("start {start} · end {end}").format(start=score(goal.start),
                                                     end=score(goal.end))
        said += "".join(" · " + _("follow-up {n}: {score}").format(n=n, score=score(v))
                        for n, v in enumerate(goal.follow_ups, 1))
        said += f"  {goal.direction(view.lasting_drop)}"
        out.append(f"  {clip(goal.goal, fit(len(said) + 6))}: {said}")
    return out


def _conversations(view: ClientView, language: str) -> list[str]:
    """One line per conversation: date, kind, the agreed next one, cancelled or planned."""
    out = []
    for s in view.client.sessions:
        number = f" {s.number}" if s.kind == "coaching" and s.number else ""
        nxt = "  → " + _("next {date}").format(date=s.next.isoformat()) + \
            (f" {s.next_time}" if s.next_time else "") if s.next else ""
        mark = "  " + _("(cancelled)") if s.cancelled else "  " + _("(planned)") \
            if s.planned(view.today) else ""
        when_held = _d(s.date) + (f" {s.time}" if s.time else "")
        kind = text(language, f"kind.{s.kind}") if s.kind else "?"
        out.append(f"  {when_held}  {kind + number:<16}{nxt}{mark}".rstrip())
    if not view.client.sessions:
        out.append("  " + _("(no conversations yet)"))
    return out


def _profile(client: Client, fit: Callable[[int], int | None]) -> list[str]:
    v = client.values
    out: list[str] = []
    if v.get("reason"):
        out += ["", _("Reason"), f"  {clip(v['reason'], fit(2))}"]
    for key, label in (("goals", _("Goals")), ("development_points", _("Development points"))):
        if v.get(key):
            out += ["", label] + [f"  - {clip(g, fit(4))}" for g in v[key]]
    assessment = v.get("assessment") or {}
    if assessment:
        lang = current()
        parts = [f"{text(lang, 'report.date' if k == 'date' else k).lower()}: "
                 f"{text(lang, str(assessment[k])) if k != 'date' else assessment[k]}"
                 for k in ("decision", "date", "reason_confirmed", "goals_realistic")
                 if k in assessment]
        out += ["", _("Assessment"), f"  {clip(' · '.join(parts), fit(2))}"]
    extension = client.extension
    if extension:
        parts = [extension.get("reason") or ""]
        if extension.get("sessions"):
            parts.append(_("{n} extra sessions").format(n=extension["sessions"]))
        if extension.get("until"):
            parts.append(_("until {date}").format(date=extension["until"]))
        out += ["", _("Extension"), f"  {clip(' · '.join(parts), fit(2))}"]
    if v.get("alternative"):
        out += ["", _("Alternative"), f"  {clip(v['alternative'], fit(2))}"]
    return out


def _hours(minutes: int) -> str:
    return _("{hours} h").format(hours=decimal(minutes / 60, current()))


def _euro(amount) -> str:
    return f"€ {decimal(amount, current(), grouping=True)}"


def hours_table(rows, start: dt.date, end: dt.date) -> list[str]:
    """Hours per sponsor, then client, with the conversations and totals (and amounts)."""
    from decimal import Decimal

    out = [_("Hours {start} – {end}").format(start=start.isoformat(), end=end.isoformat())]
    if not rows:
        return out + [_("No held, billable conversations in this period.")]
    sponsors: dict[str, list] = {}
    for row in rows:
        sponsors.setdefault(row.sponsor, []).append(row)
    for sponsor, own in sponsors.items():
        minutes = sum(r.minutes for r in own)
        amounts = [r.amount for r in own if r.amount is not None]
        money = f"  {_euro(sum(amounts, Decimal(0)))}" if amounts else ""
        out += ["", f"{clip(sponsor or _('(no sponsor)'), None)}: {_hours(minutes)}{money}"]
        clients: dict[str, list] = {}
        for row in own:
            clients.setdefault(row.client, []).append(row)
        for held in clients.values():
            total = sum(r.minutes for r in held)
            out.append(f"  {clip(held[0].name, None)}: {_hours(total)}")
            for r in held:
                amount = f"  {_euro(r.amount)}" if r.amount is not None else ""
                kind = text(current(), f"kind.{r.kind}") if r.kind else "?"
                billed = "" if r.invoice is None else \
                    f"  {r.invoice or _('not invoiced')}"  # with a register (SPEC §20)
                out.append(f"    {r.date.isoformat()}  {kind:<16} {r.minutes:>4} min{amount}"
                           f"{billed}")
    return out


def results_table(groups, width: int | None = None) -> list[str]:
    """`coachnotes results`: one line per group; a group's name whole, cut only to fit a
    terminal of `width` columns (None: not a terminal, nothing is cut)."""
    def mean(value: float | None) -> str:
        return "-" if value is None else decimal(value, current(), sign=True)

    heads = _heads(_("group"), _("trajectories"), _("not measured"), _("goals"),
                   _("improved"), pgettext("result", "held"), _("fallen"), _("start→end"),
                   _("end→follow-up"))
    widths = [max(len(h), 5) for h in heads[1:]]
    first = max([12, len(heads[0]), *(len(g.group) for g in groups)])
    if width is not None:  # the other columns first; the names take what is left
        first = max(12, min(first, width - sum(w + 2 for w in widths)))
    widths = [first, *widths]
    lines = ["  ".join(f"{h:<{w}}" for h, w in zip(heads, widths)).rstrip()]
    for g in groups:
        cells = [clip(g.group, widths[0]), g.trajectories, g.not_measured, g.goals, g.improved,
                 g.held, g.fallen, mean(g.mean_change), mean(g.mean_change_since_end)]
        lines.append("  ".join(f"{c!s:<{w}}" for c, w in zip(cells, widths)).rstrip())
    if not groups:
        lines.append(_("No trajectory has ended yet."))
    return lines


def search_lines(found, bold: Callable[[str], str] | None = None) -> list[str]:
    """`coachnotes search`: per result `path:line: name · date · kind` (and its error), then
    the snippet, its marked words `**…**` or, with `bold`, drawn bold; the count of the rest.
    A name or text cannot move the cursor or forge a line (`clip`)."""
    import re

    if not found.hits:
        return [_("Nothing found.")]
    language = current()
    out = []
    for hit in found.hits:
        kind = text(language, f"kind.{hit.kind}") if hit.kind and hit.kind != "client" else \
            _("client note")
        head = f"{hit.path}:{hit.line}: {hit.name or '?'} · {hit.date or '–'} · {kind}"
        if hit.error:
            head += " · " + _("has an error ({code})").format(code=hit.error)
        out.append(clip(head, None))
        snippet = clip(hit.snippet, None)
        if bold is not None:
            snippet = re.sub(r"\*\*(.+?)\*\*", lambda m: bold(m.group(1)), snippet)
        if snippet:
            out.append(f"    {snippet}")
    if found.total > len(found.hits):
        out.append(_("{n} more; show them with --limit {total}").format(
            n=found.total - len(found.hits), total=found.total))
    return out
