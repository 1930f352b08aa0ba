"""What the pages, `list`, `show` (and later the sponsor report and the dossier) print about a
client, worked out once: a `Summary` row per client and a `ClientView` of one trajectory.

Views take the problems as an argument; they never run a check of their own.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from coachnotes.answers.due import client_items, next_conversation, sort_key
from coachnotes.rules.check import problems_by_client
from coachnotes.vault.model import Client, DueItem, Problem, Session, Vault
from coachnotes.vault.scores import goal_scores

STATUS_ORDER = ("active", "paused", "intake", "follow-up", "closed", "declined")


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
    next: dt.date | None  # the next conversation: a planned note or the agreed `next`
    problems: int
    end_date: dt.date | None = None

    @property
    def end(self) -> dt.date | None:
        """`end_date` where set, else the planned end (`list`'s END column)."""
        return self.end_date or self.planned_end

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "status": self.status,
                "sessions": self.sessions, "planned_sessions": self.planned_sessions,
                "start_date": _iso(self.start_date), "planned_end": _iso(self.planned_end),
                "problems": self.problems, "end_date": _iso(self.end_date),
                "next": _iso(self.next)}


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
    planned_notes: list[Session]  # conversations prepared in advance
    today: dt.date
    results: list = []  # each goal's scores (vault.scores.GoalScores)
    lasting_drop: int = 2

    @property
    def actions(self) -> list[DueItem]:
        """Every open action, dated or not."""
        return [item for item, _ in self.due if item.kind == "action"]


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def status_rank(status: str | None) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)


def row_order(row: Summary) -> tuple:
    """Active first, then by name."""
    return status_rank(row.status), row.name.casefold(), row.id


def summarise(client: Client, today: dt.date, problems: int) -> Summary:
    return Summary(client.id, client.name, client.status, client.get("organization"),
                   client.held_coaching(today), client.planned_sessions, client.start_date,
                   client.planned_end, next_conversation(client, today), problems,
                   client.end_date)


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
    if client.planned_end in (dt.date.max, dt.date.min):
        return None, None  # past the calendar: no month count to show
    span = relativedelta(client.planned_end, client.start_date)
    months = span.years * 12 + span.months + (1 if span.days else 0)
    end = min(today, client.end_date or today)
    gone = relativedelta(end, client.start_date)
    current = gone.years * 12 + gone.months + 1 if end >= client.start_date else 0
    return current, months


def follow_up_states(client: Client, today: dt.date) -> list[FollowUpState]:
    states = []
    held = client.completions(today)
    for f in client.follow_ups:
        if f.done:
            states.append(FollowUpState(f.n, f.due, "done", f.done, None, None))
        elif f.cancelled:
            states.append(FollowUpState(f.n, f.due, "cancelled", None, f.cancelled, None))
        elif f.n in held:
            states.append(FollowUpState(f.n, f.due, "held", held[f.n].date, None,
                                        held[f.n].path))
        else:
            states.append(FollowUpState(f.n, f.due, "open", None, None, None))
    return states


def client_view(vault: Vault, client: Client, today: dt.date,
                problems: list[Problem]) -> ClientView:
    """The view of one client; `problems` are those in its folder."""
    due = sorted(client_items(vault, client, today), key=sort_key)
    month, months = months_of(client, today)
    return ClientView(client, summarise(client, today, len(problems)),
                      client.held_coaching(today), client.planned_sessions, month, months,
                      follow_up_states(client, today), due, problems, client.planned(today),
                      today, goal_scores(client, today), vault.settings.lasting_drop)


def client_views(vault: Vault, today: dt.date, problems: list[Problem]) -> dict[str, ClientView]:
    """The view of every client, by id."""
    mine = problems_by_client(problems)
    return {cid: client_view(vault, client, today, mine.get(cid, []))
            for cid, client in vault.clients.items()}


class Retention(NamedTuple):
    """One client's retention period (SPEC §13): `ends` is when it ends (for a trajectory
    still running: no sooner than that), `past` when a closed or declined client's has."""
    id: str
    name: str
    status: str | None
    since: dt.date | None
    ends: dt.date | None
    past: bool

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "status": self.status,
                "since": _iso(self.since), "ends": _iso(self.ends), "past": self.past}


def retention(vault: Vault, today: dt.date) -> tuple[int | None, list[Retention]]:
    """The setting, and every client's period: those past it first, then by end date."""
    years = vault.settings.retention_years
    rows = []
    for client in vault.clients.values():
        since = client.file_end(today)
        ends = client.retention_end(today, years) if years else None
        finished = client.status in ("closed", "declined")
        rows.append(Retention(client.id, client.name, client.status, since, ends,
                              bool(finished and ends and ends <= today)))
    rows.sort(key=lambda r: (not r.past, r.ends or dt.date.max, r.id))
    return years, rows
