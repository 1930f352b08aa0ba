"""What is due (SPEC §10): follow-ups, follow-ups to plan, agreed conversations, actions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from coachnotes.load import get_client, unknown_client
from coachnotes.model import Client, DueItem, Settings, Vault
from coachnotes.texts import text

ORDER = {"follow-up": 0, "plan-follow-up": 1, "session": 2, "action": 3}


class Window(NamedTuple):
    """Which open items to show: due on or before `until` (None: all); or only overdue ones."""

    until: dt.date | None
    overdue_only: bool = False

    @classmethod
    def default(cls, settings: Settings, today: dt.date, within: int | None = None) -> "Window":
        days = settings.due_within_days if within is None else within
        return cls(today + dt.timedelta(days=days))

    def admits(self, due: dt.date, today: dt.date) -> bool:
        if self.overdue_only:
            return due < today
        return self.until is None or due <= self.until


def client_items(vault: Vault, client: Client, today: dt.date) -> list[tuple[DueItem, str]]:
    """Every open item of one client, whatever its date, with a stable identity for UIDs."""
    from dateutil.relativedelta import relativedelta

    lang = vault.language
    found: list[tuple[DueItem, str]] = []

    def add(kind: str, due: dt.date, what: str, path: str, ref: str) -> None:
        item = DueItem(client.id, client.name, kind, due, (today - due).days, what, path)
        found.append((item, f"{kind}|{client.id}|{path}|{ref}"))

    for entry in client.follow_ups:
        if entry.is_open:
            add("follow-up", entry.due, text(lang, "follow-up", n=entry.n), client.path,
                str(entry.n))
    offsets = vault.settings.follow_up_months
    if client.status in ("follow-up", "closed") and not client.follow_ups \
            and client.end_date and offsets:
        due = client.end_date + relativedelta(months=offsets[0])
        add("plan-follow-up", due, text(lang, "plan-follow-up"), client.path, "")
    if client.status in ("intake", "active"):
        agreed = client.next_agreed
        if agreed is not None:
            source = max((s for s in client.sessions if s.date), key=lambda s: (s.date, s.path))
            add("session", agreed, text(lang, "session"),
                source.path, "")
    for session in client.sessions:
        for index, action in enumerate(session.actions):
            if action.due is not None and not action.done:
                add("action", action.due, action.text, session.path, str(index))
    return found


def sort_key(pair: tuple[DueItem, str]) -> tuple:
    """Due items sort by due date, then client, then kind (in ORDER), then note and identity."""
    item, ref = pair
    return item.due, item.client, ORDER[item.kind], item.path, ref


def due_items(vault: Vault, today: dt.date, window: Window,
              client_id: str | None = None) -> list[DueItem]:
    """The open items inside `window`, sorted by due date, then client."""
    return [item for item, _ in due_with_refs(vault, today, window, client_id)]


def due_with_refs(vault: Vault, today: dt.date, window: Window,
                  client_id: str | None = None) -> list[tuple[DueItem, str]]:
    clients = [get_client(vault, client_id)] if client_id else list(vault.clients.values())
    found = [(item, ref) for client in clients for item, ref in client_items(vault, client, today)
             if window.admits(item.due, today)]
    found.sort(key=sort_key)
    return found


def query_due(root: Path, today: dt.date, within: int | None = None, overdue: bool = False,
              show_all: bool = False, client_id: str | None = None,
              ) -> tuple[Window, list[tuple[DueItem, str]]]:
    """`coachnotes due`: the window and the open items in it, with their identities.

    The open items of the whole vault do not depend on the date (only how late they are
    does), so they are memoised by every input they came from (`cache.memo`): while no note or
    setting changed, nothing is read or built but the list of files and that one answer.
    """
    from coachnotes.cache import memo
    from coachnotes.load import inputs, load_vault

    settings, listing, key = inputs(root)

    def compute() -> tuple[dict[str, str], list[tuple]]:
        vault = load_vault(root, settings=settings, listing=listing)
        pairs = due_with_refs(vault, today, Window(None))
        return ({c.id: c.name for c in vault.clients.values()},
                [(i.client, i.name, i.kind, i.due.isoformat(), i.text, i.path, ref)
                 for i, ref in pairs])

    names, rows = memo(root, "due", key, compute,
                       keep=lambda _: listing.settled(sig for _, sig in listing.notes))
    if client_id is not None and client_id not in names:
        raise unknown_client(client_id, names)
    window = (Window(None) if show_all else Window(None, overdue_only=True) if overdue
              else Window.default(settings, today, within))
    fromiso = dt.date.fromisoformat
    pairs = []
    for client, name, kind, due, what, path, ref in rows:
        day = fromiso(due)
        if window.admits(day, today) and (client_id is None or client == client_id):
            pairs.append((DueItem(client, name, kind, day, (today - day).days, what, path), ref))
    return window, pairs


def uid(ref: str) -> str:
    """A UID that is the same on every run and device for the same item."""
    import hashlib

    return hashlib.sha256(ref.encode("utf-8")).hexdigest()[:32] + "@coachnotes"


def to_ics(pairs: list[tuple[DueItem, str]], today: dt.date) -> bytes:
    """An RFC 5545 calendar: one all-day event per item, with stable UIDs."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//coachnotes//due items//EN")
    calendar.add("version", "2.0")
    stamp = dt.datetime.combine(today, dt.time(0, 0), tzinfo=dt.timezone.utc)
    for item, ref in pairs:
        event = icalendar.Event()
        event.add("uid", uid(ref))
        event.add("dtstamp", stamp)
        event.add("dtstart", item.due)
        event.add("dtend", item.due + dt.timedelta(days=1))
        event.add("summary", f"{item.name}: {item.text}")
        event.add("description", f"{item.kind} — {item.path}")
        event.add("categories", [item.kind])
        calendar.add_component(event)
    return calendar.to_ical()
