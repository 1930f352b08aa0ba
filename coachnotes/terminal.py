"""Plain-text output for a terminal: tables that fit 80 columns and the `show` screen."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable

from coachnotes.model import Client, DueItem

if TYPE_CHECKING:  # `due` prints its table without importing what `list` and `show` need
    from coachnotes.views import ClientView, Summary

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


def when(days_overdue: int | None) -> str:
    if days_overdue is None:
        return "-"
    if days_overdue > 0:
        return f"{days_overdue}d late"
    if days_overdue == 0:
        return "today"
    return f"in {-days_overdue}d"


def due_table(items: list[DueItem], width: int | None = WIDTH) -> list[tuple[str, bool]]:
    """Lines of the `due` table, each with whether it is overdue (to colour it)."""
    longest = max((len(i.name) for i in items), default=6)
    name_width = max(longest, 6) if width is None else min(longest, max(18, width // 5))
    timed = any(item.time for item in items)
    due_width = 16 if timed else 10  # the time of day only where one is given
    head = f"{'DUE':<{due_width}}  {'WHEN':<9} {'KIND':<14} {'CLIENT':<{name_width}}  WHAT"
    rest = None if width is None else max(width - len(head) + 4, 10)
    lines = [(head, False)]
    for item in items:
        due = (item.due.isoformat() if item.due else "-") + (f" {item.time}" if item.time
                                                              else "")
        lines.append((f"{due:<{due_width}}  {when(item.overdue_days):<9} "
                      f"{item.kind:<14} {clip(item.name, name_width):<{name_width}}  "
                      f"{clip(item.text, rest)}".rstrip(), (item.overdue_days or 0) > 0))
    return lines


def list_table(rows: list[Summary], width: int | None = WIDTH) -> list[str]:
    longest = max((len(r.name) for r in rows), default=6)
    fixed = 2 + 9 + 2 + 5 + 2 + 10 + 2 + 10 + 2 + 10 + 2 + 3
    name_width = max(longest, 6) if width is None else \
        max(min(longest, width - fixed), 6)
    head = (f"{'CLIENT':<{name_width}}  {'STATUS':<9}  {'HELD':>5}  {'START':<10}  "
            f"{'END':<10}  {'NEXT':<10}  !")
    lines = [head]
    for r in rows:
        lines.append(f"{clip(r.name, name_width):<{name_width}}  {r.status or '?':<9}  "
                     f"{r.sessions:>2}/{r.planned_sessions:<2}  {_d(r.start_date):<10}  "
                     f"{_d(r.end):<10}  {_d(r.next):<10}  {r.problems or ''}".rstrip())
    return lines


def retention_table(rows, width: int | None = WIDTH) -> list[str]:
    longest = max((len(r.name) for r in rows), default=6)
    fixed = 2 + 9 + 2 + 10 + 2 + 10 + 2 + 20
    name_width = max(longest, 6) if width is None else max(min(longest, width - fixed), 6)
    lines = [f"{'CLIENT':<{name_width}}  {'STATUS':<9}  {'SINCE':<10}  {'ENDS':<10}"]
    for r in rows:
        state = "past: `coachnotes forget " + r.id + "`" if r.past else \
            ("" if r.status in ("closed", "declined") else "(still running)")
        lines.append(f"{clip(r.name, name_width):<{name_width}}  {r.status or '?':<9}  "
                     f"{_d(r.since):<10}  {_d(r.ends):<10}  {state}".rstrip())
    return lines


def _d(value: dt.date | None) -> str:
    return value.isoformat() if value else "-"


def show_client(view: ClientView, width: int | None = WIDTH) -> list[str]:
    """The whole trajectory of one client on one screen, from its view."""
    def fit(margin: int) -> int | None:
        return None if width is None else width - margin

    client = view.client
    v = client.values
    out = [f"{clip(client.name, None)} ({client.id}) — {client.status or 'status unknown'}"]
    for key in ("organization", "sponsor", "referred_by"):
        if v.get(key):
            out.append(f"  {key.replace('_', ' ')}: {clip(v[key], fit(16))}")
    line = f"sessions: {view.held} of {view.planned}"
    if view.month is not None:
        line += f" · month {view.month} of {view.months}"
    line += f" · intake {_d(client.intake_date)} · start {_d(client.start_date)}"
    out.append("  " + clip(line, fit(2)))
    out.append(f"  planned end: {_d(client.planned_end)} · end: {_d(client.end_date)}")
    out += _profile(client, fit)
    out += ["", "Timeline"]
    for s in client.sessions:
        number = f" {s.number}" if s.kind == "coaching" and s.number else ""
        nxt = f"  → next {s.next.isoformat()}" + (f" {s.next_time}" if s.next_time else "") \
            if s.next else ""
        mark = "  (cancelled)" if s.cancelled else "  (planned)" if s.planned(view.today) \
            else ""
        when_held = _d(s.date) + (f" {s.time}" if s.time else "")
        out.append(f"  {when_held}  {(s.kind or '?') + number:<14}{nxt}{mark}".rstrip())
    if not client.sessions:
        out.append("  (no conversations yet)")
    if view.follow_ups:
        out += ["", "Follow-ups"]
        for f in view.follow_ups:
            state = {"done": f"done {_d(f.date)}", "cancelled": "cancelled",
                     "held": f"held {_d(f.date)}"}.get(f.state, "open")
            out.append(f"  {f.n}. due {f.due.isoformat()}  {state}")
    if view.due:
        out += ["", "Due"] + [f"  {_d(i.due) + (' ' + i.time if i.time else ''):<10}  "
                              f"{when(i.overdue_days):<9} "
                              f"{clip(i.text, fit(25))}" for i, _ in view.due]
    if view.problems:
        out += ["", "Problems"] + [f"  {clip(str(p), fit(2))}" for p in view.problems]
    return out


def _profile(client: Client, fit: Callable[[int], int | None]) -> list[str]:
    v = client.values
    out: list[str] = []
    if v.get("reason"):
        out += ["", "Reason", f"  {clip(v['reason'], fit(2))}"]
    for key, label in (("goals", "Goals"), ("development_points", "Development points")):
        if v.get(key):
            out += ["", label] + [f"  - {clip(g, fit(4))}" for g in v[key]]
    assessment = v.get("assessment") or {}
    if assessment:
        parts = [f"{k.replace('_', ' ')}: {assessment[k]}" for k in
                 ("decision", "date", "reason_confirmed", "goals_realistic") if k in assessment]
        out += ["", "Assessment", f"  {clip(' · '.join(parts), fit(2))}"]
    extension = client.extension
    if extension:
        parts = [extension.get("reason") or ""]
        if extension.get("sessions"):
            parts.append(f"{extension['sessions']} extra sessions")
        if extension.get("until"):
            parts.append(f"until {extension['until']}")
        out += ["", "Extension", f"  {clip(' · '.join(parts), fit(2))}"]
    if v.get("alternative"):
        out += ["", "Alternative", f"  {clip(v['alternative'], fit(2))}"]
    return out


def hours_table(rows, start: dt.date, end: dt.date) -> list[str]:
    """Hours per sponsor, then client, with the conversations and totals (and amounts)."""
    from decimal import Decimal

    out = [f"Hours {start.isoformat()} – {end.isoformat()}"]
    if not rows:
        return out + ["No held, billable conversations in this period."]
    sponsors: dict[str, list] = {}
    for row in rows:
        sponsors.setdefault(row.sponsor, []).append(row)
    for sponsor, own in sponsors.items():
        minutes = sum(r.minutes for r in own)
        amounts = [r.amount for r in own if r.amount is not None]
        money = f"  € {sum(amounts, Decimal(0)):.2f}" if amounts else ""
        out += ["", f"{clip(sponsor or '(no sponsor)', None)}: {minutes / 60:.2f} h{money}"]
        clients: dict[str, list] = {}
        for row in own:
            clients.setdefault(row.client, []).append(row)
        for held in clients.values():
            total = sum(r.minutes for r in held)
            out.append(f"  {clip(held[0].name, None)}: {total / 60:.2f} h")
            for r in held:
                amount = f"  € {r.amount:.2f}" if r.amount is not None else ""
                out.append(f"    {r.date.isoformat()}  {r.kind:<11} {r.minutes:>4} min{amount}")
    return out
