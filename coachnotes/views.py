"""What the pages, `list`, `show` (and later the sponsor report and the dossier) print about a
client, worked out once: a `Summary` row per client and a `ClientView` of one trajectory.

Views take the problems as an argument; they never run a check of their own.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from coachnotes.check import problems_by_client
from coachnotes.due import Window, client_items, sort_key
from coachnotes.model import Client, DueItem, Problem, Vault

STATUS_ORDER = ("active", "intake", "follow-up", "closed", "declined")


class Summary(NamedTuple):
    """One client on one line: INDEX.md and `list`."""

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


class FollowUpState(NamedTuple):
    """One follow-up entry and where it stands: open, done, cancelled or held (by a note)."""

    n: int
    due: dt.date
    state: str  # "open", "done", "cancelled" or "held"
    date: dt.date | None  # done on / held on
    why: str | None  # cancelled: why
    note: str | None  # held: the session note's path


class ClientView(NamedTuple):
    """One client's trajectory as every renderer shows it."""

    client: Client
    summary: Summary
    held: int  # coaching sessions held
    planned: int
    month: int | None  # the current month of the trajectory
    months: int | None  # its planned months
    follow_ups: list[FollowUpState]
    due: list[tuple[DueItem, str]]  # every open item of this client, sorted, with identities
    problems: list[Problem]  # the problems in the client's folder

    @property
    def actions(self) -> list[DueItem]:
        return [item for item, _ in self.due if item.kind == "action"]


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def status_rank(status: str | None) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)


def row_order(row: Summary) -> tuple:
    """Active first, then by name."""
    return status_rank(row.status), row.name.casefold(), row.id


def held_coaching(client: Client, today: dt.date) -> int:
    return sum(1 for s in client.coaching if s.date and s.date <= today)


def summarise(client: Client, today: dt.date, problems: int) -> Summary:
    return Summary(client.id, client.name, client.status, client.get("organization"),
                   held_coaching(client, today), client.planned_sessions, client.start_date,
                   client.planned_end, client.next_agreed, problems)


def summaries(vault: Vault, today: dt.date, problems: list[Problem],
              status: str | None = None) -> list[Summary]:
    """Every client (or those with `status`), active first, then by name."""
    mine = problems_by_client(problems)
    rows = [summarise(c, today, len(mine.get(c.id, ()))) for c in vault.clients.values()
            if status is None or c.status == status]
    rows.sort(key=row_order)
    return rows


def months_of(client: Client, today: dt.date) -> tuple[int | None, int | None]:
    """(current month of the trajectory, planned months), or Nones without the dates."""
    from dateutil.relativedelta import relativedelta

    if not client.start_date or not client.planned_end:
        return None, None
    span = relativedelta(client.planned_end, client.start_date)
    months = span.years * 12 + span.months + (1 if span.days else 0)
    end = min(today, client.end_date or today)
    gone = relativedelta(end, client.start_date)
    current = gone.years * 12 + gone.months + 1 if end >= client.start_date else 0
    return current, months


def follow_up_states(client: Client) -> list[FollowUpState]:
    states = []
    for f in client.follow_ups:
        if f.done:
            states.append(FollowUpState(f.n, f.due, "done", f.done, None, None))
        elif f.cancelled:
            states.append(FollowUpState(f.n, f.due, "cancelled", None, f.cancelled, None))
        elif f.completed_by:
            states.append(FollowUpState(f.n, f.due, "held", f.completed_by.date, None,
                                        f.completed_by.path))
        else:
            states.append(FollowUpState(f.n, f.due, "open", None, None, None))
    return states


def client_view(vault: Vault, client: Client, today: dt.date,
                problems: list[Problem]) -> ClientView:
    """The view of one client; `problems` are those in its folder."""
    due = sorted(((item, ref) for item, ref in client_items(vault, client, today)
                  if Window(None).admits(item.due, today)), key=sort_key)
    month, months = months_of(client, today)
    held = held_coaching(client, today)
    return ClientView(client, summarise(client, today, len(problems)), held,
                      client.planned_sessions, month, months, follow_up_states(client), due,
                      problems)


def client_views(vault: Vault, today: dt.date, problems: list[Problem]) -> dict[str, ClientView]:
    """The view of every client, by id."""
    mine = problems_by_client(problems)
    return {cid: client_view(vault, client, today, mine.get(cid, []))
            for cid, client in vault.clients.items()}
