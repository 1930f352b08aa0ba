"""Hours for the books (SPEC §16): the billable conversations of a period, with amounts, and
the notes that make the answer incomplete.

A note with an error is never billed as if it were fine, nor left out in silence: `Hours`
names every such note (and a rate in the settings that cannot be read), and the command says
the hours are incomplete.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from coachnotes.vault import erasures
from coachnotes.vault.layout import SETTINGS_FILE
from coachnotes.vault.load import get_client
from coachnotes.vault.model import Client, Problem, Session, Vault

RATE_KEYS = ("hourly_rate", "sponsors", "bill_intake")


class HourRow(NamedTuple):
    date: dt.date
    client: str
    name: str
    sponsor: str
    kind: str
    minutes: int
    amount: Decimal | None
    billable: bool
    path: str = ""  # the note it comes from
    invoice: str | None = None  # the number of the invoice that holds it (SPEC §20)

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "client": self.client, "name": self.name,
                "sponsor": self.sponsor, "kind": self.kind, "minutes": self.minutes,
                "amount": None if self.amount is None else str(self.amount),
                "invoice": self.invoice}


class Hours(NamedTuple):
    rows: list[HourRow]
    incomplete: list[Problem]  # the first error of each note that may belong in the period

    @property
    def complete(self) -> bool:
        return not self.incomplete


def previous_month(today: dt.date) -> tuple[dt.date, dt.date]:
    return month_of(today.replace(day=1) - dt.timedelta(days=1))


def month_of(today: dt.date) -> tuple[dt.date, dt.date]:
    first = today.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def bills(session: Session, bill_intake: bool) -> bool:
    """Whether a conversation is billed (SPEC §4): its explicit `billable`, else held ones
    are, cancelled ones are not, and the intake only with the setting `bill_intake`."""
    value = session.record.values.get("billable")
    if value is not None:
        return bool(value)
    if session.cancelled:
        return False
    return bool(bill_intake) if session.kind == "intake" else True


def hours(vault: Vault, start: dt.date, end: dt.date, today: dt.date,
          problems: list[Problem], sponsor: str | None = None, client_id: str | None = None,
          billable_only: bool = True) -> Hours:
    """The conversations between `start` and `end` that took place (or were cancelled and
    still charged), billable ones unless asked, by sponsor, client and date; minutes from
    `duration`, else 60; amounts to the cent. `problems`: the vault's, from `check`."""
    clients = [get_client(vault, client_id)] if client_id else list(vault.clients.values())
    chosen = [c for c in clients if sponsor is None or (c.get("sponsor") or "") == sponsor]
    incomplete = _incomplete(vault, chosen, start, end, problems)
    broken = {problem.path for problem in incomplete}
    settings = vault.settings
    rows = []
    for client in chosen:
        paid_by = client.get("sponsor") or ""
        rate = _rate(vault, paid_by)
        for s in client.sessions:
            if s.date is None or not start <= s.date <= end or s.date > today or \
                    s.path in broken:  # named as incomplete, never billed as if fine
                continue
            billed = bills(s, settings.bill_intake)
            if not billed and (billable_only or s.cancelled):
                continue
            minutes = s.duration or 60
            amount = None if rate is None or not billed else \
                (Decimal(minutes) * Decimal(str(rate)) / 60).quantize(Decimal("0.01"),
                                                                       ROUND_HALF_UP)
            rows.append(HourRow(s.date, client.id, client.name, paid_by, s.kind or "?",
                                minutes, amount, billed, s.path))
    rows.sort(key=lambda r: (r.sponsor.casefold(), r.name.casefold(), r.client, r.date))
    return Hours(rows, incomplete)


def _incomplete(vault: Vault, clients: list[Client], start: dt.date, end: dt.date,
                problems: list[Problem]) -> list[Problem]:
    """The first error of each note that may hold a conversation of the period (its date
    unread, or in the period), and of a rate in the settings that could not be read."""
    dates = {s.path: s.date for c in clients for s in c.sessions}
    folders = {f"clients/{c.id}/" for c in clients}
    found: dict[str, Problem] = {}
    for problem in problems:
        if problem.severity != "error" or problem.path in found:
            continue
        if problem.path == SETTINGS_FILE:
            if any(f"`{key}" in problem.message for key in RATE_KEYS):
                found[problem.path] = problem
            continue
        if not any(problem.path.startswith(folder) for folder in folders) or \
                problem.path.endswith("/client.md") and problem.code != "E003":
            continue
        day = dates.get(problem.path)
        if day is None or start <= day <= end:
            found[problem.path] = problem
    return sorted(found.values())


def _rate(vault: Vault, sponsor: str) -> float | None:
    return rate_of(vault.settings, sponsor)


def rate_of(settings, sponsor: str) -> float | None:
    """The hourly rate for a sponsor: its own (`sponsors`), else `hourly_rate`."""
    own = (settings.sponsors or {}).get(sponsor, {}).get("hourly_rate")
    return own if own is not None else settings.hourly_rate


def icf_rows(vault: Vault, rows: list[HourRow]) -> list[list[str]]:
    """The ICF client coaching log: a client without `sponsor_consent` is listed by a
    pseudonym (its id where ids are codes), never by name nor by an id made of the name; the
    sponsor is the contact; paid and pro bono hours apart."""
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
