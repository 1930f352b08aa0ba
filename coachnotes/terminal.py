"""Plain-text output for a terminal: tables that fit 80 columns and the `show` screen."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from coachnotes.model import DueItem

if TYPE_CHECKING:  # `due` prints its table without importing what `list` and `show` need
    from coachnotes.views import ClientView, Summary

WIDTH = 80


def clip(value: str, width: int) -> str:
    """Shorten to `width` characters with an ellipsis; never wrap."""
    if len(value) <= width and value.isprintable():
        return value
    value = " ".join(value.split())
    return value if len(value) <= width else value[: max(width - 1, 0)] + "…"


def when(days_overdue: int) -> str:
    if days_overdue > 0:
        return f"{days_overdue}d late"
    if days_overdue == 0:
        return "today"
    return f"in {-days_overdue}d"


def due_table(items: list[DueItem]) -> list[tuple[str, bool]]:
    """Lines of the `due` table, each with whether it is overdue (to colour it)."""
    name_width = min(max((len(i.name) for i in items), default=6), 18)
    head = f"{'DUE':<10}  {'WHEN':<9} {'KIND':<14} {'CLIENT':<{name_width}}  WHAT"
    rest = WIDTH - len(head) + 4
    lines = [(head, False)]
    for item in items:
        lines.append((f"{item.due.isoformat():<10}  {when(item.overdue_days):<9} "
                      f"{item.kind:<14} {clip(item.name, name_width):<{name_width}}  "
                      f"{clip(item.text, rest)}", item.overdue_days > 0))
    return lines


def list_table(rows: list[Summary]) -> list[str]:
    name_width = min(max((len(r.name) for r in rows), default=6), 22)
    head = (f"{'CLIENT':<{name_width}}  {'STATUS':<9}  {'HELD':>5}  {'START':<10}  "
            f"{'END':<10}  {'NEXT':<10}  !")
    lines = [head]
    for r in rows:
        lines.append(f"{clip(r.name, name_width):<{name_width}}  {r.status or '?':<9}  "
                     f"{r.sessions:>2}/{r.planned_sessions:<2}  {_d(r.start_date):<10}  "
                     f"{_d(r.planned_end):<10}  {_d(r.next):<10}  {r.problems or ''}")
    return lines


def _d(value: dt.date | None) -> str:
    return value.isoformat() if value else "-"


def show_client(view: ClientView) -> list[str]:
    """The whole trajectory of one client on one screen, from its view."""
    client = view.client
    v = client.values
    out = [f"{client.name} ({client.id}) — {client.status or 'status unknown'}"]
    for key in ("organization", "sponsor", "referred_by"):
        if v.get(key):
            out.append(f"  {key.replace('_', ' ')}: {clip(v[key], WIDTH - 16)}")
    line = f"sessions: {view.held} of {view.planned}"
    if view.month is not None:
        line += f" · month {view.month} of {view.months}"
    line += f" · intake {_d(client.intake_date)} · start {_d(client.start_date)}"
    out.append("  " + clip(line, WIDTH - 2))
    out.append(f"  planned end: {_d(client.planned_end)} · end: {_d(client.end_date)}")
    out += _profile(v)
    out += ["", "Timeline"]
    for s in client.sessions:
        number = f" {s.number}" if s.kind == "coaching" and s.number else ""
        nxt = f"  → next {s.next.isoformat()}" if s.next else ""
        out.append(f"  {_d(s.date)}  {(s.kind or '?') + number:<14}{nxt}".rstrip())
    if not client.sessions:
        out.append("  (no conversations yet)")
    if view.follow_ups:
        out += ["", "Follow-ups"]
        for f in view.follow_ups:
            state = {"done": f"done {_d(f.date)}", "cancelled": "cancelled",
                     "held": f"held {_d(f.date)}"}.get(f.state, "open")
            out.append(f"  {f.n}. due {f.due.isoformat()}  {state}")
    if view.due:
        out += ["", "Due"] + [f"  {i.due.isoformat()}  {when(i.overdue_days):<9} "
                              f"{clip(i.text, WIDTH - 25)}" for i, _ in view.due]
    if view.problems:
        out += ["", "Problems"] + [f"  {clip(str(p), WIDTH - 2)}" for p in view.problems]
    return out


def _profile(v: dict) -> list[str]:
    out: list[str] = []
    if v.get("reason"):
        out += ["", "Reason", f"  {clip(v['reason'], WIDTH - 2)}"]
    for key, label in (("goals", "Goals"), ("development_points", "Development points")):
        if v.get(key):
            out += ["", label] + [f"  - {clip(g, WIDTH - 4)}" for g in v[key]]
    assessment = v.get("assessment") or {}
    if assessment:
        parts = [f"{k.replace('_', ' ')}: {assessment[k]}" for k in
                 ("decision", "date", "reason_confirmed", "goals_realistic") if k in assessment]
        out += ["", "Assessment", f"  {clip(' · '.join(parts), WIDTH - 2)}"]
    for key in ("extension", "alternative"):
        if v.get(key):
            out += ["", key.capitalize(), f"  {clip(v[key], WIDTH - 2)}"]
    return out
