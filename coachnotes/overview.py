"""One client at a glance: the numbers that `list`, `show` and the pages all print."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from coachnotes.model import Client, Problem, Vault
from coachnotes.rules import check, count_by_client

STATUS_ORDER = ("active", "intake", "follow-up", "closed", "declined")


class Summary(NamedTuple):
    id: str
    name: str
    status: str | None
    organization: str | None
    sessions: int  # coaching sessions held (dated today or earlier)
    planned_sessions: int
    start_date: dt.date | None
    planned_end: dt.date | None
    next: dt.date | None
    problems: int

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "status": self.status,
                "sessions": self.sessions, "planned_sessions": self.planned_sessions,
                "start_date": _iso(self.start_date), "planned_end": _iso(self.planned_end),
                "problems": self.problems}


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def summarise(client: Client, today: dt.date, problems: int) -> Summary:
    held = sum(1 for s in client.coaching if s.date and s.date <= today)
    return Summary(client.id, client.name, client.status, client.get("organization"), held,
                   client.planned_sessions, client.start_date, client.planned_end,
                   client.next_agreed, problems)


def status_rank(status: str | None) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)


def summaries(vault: Vault, today: dt.date, problems: list[Problem] | None = None,
              status: str | None = None) -> list[Summary]:
    """Every client (or those with `status`), active first, then by name."""
    counts = count_by_client(problems if problems is not None else check(vault, today))
    rows = [summarise(c, today, counts.get(c.id, 0)) for c in vault.clients.values()
            if status is None or c.status == status]
    rows.sort(key=lambda s: (status_rank(s.status), s.name.casefold(), s.id))
    return rows


def progress(client: Client, today: dt.date) -> tuple[int, int, int | None, int | None]:
    """(sessions held, planned, current month of the trajectory, planned months)."""
    from dateutil.relativedelta import relativedelta

    held = sum(1 for s in client.coaching if s.date and s.date <= today)
    if not client.start_date or not client.planned_end:
        return held, client.planned_sessions, None, None
    span = relativedelta(client.planned_end, client.start_date)
    months = span.years * 12 + span.months + (1 if span.days else 0)
    end = min(today, client.end_date or today)
    gone = relativedelta(end, client.start_date)
    current = gone.years * 12 + gone.months + 1 if end >= client.start_date else 0
    return held, client.planned_sessions, current, months
