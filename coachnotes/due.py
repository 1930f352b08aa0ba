"""What is due (SPEC §10): follow-ups, follow-ups to plan, agreed conversations, actions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from coachnotes.model import Client, DueItem, Settings, Vault
from coachnotes.vault import get_client, unknown_client
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


def due_items(vault: Vault, today: dt.date, window: Window,
              client_id: str | None = None) -> list[DueItem]:
    """The open items inside `window`, sorted by due date, then client."""
    return [item for item, _ in due_with_refs(vault, today, window, client_id)]


def due_with_refs(vault: Vault, today: dt.date, window: Window,
                  client_id: str | None = None) -> list[tuple[DueItem, str]]:
    clients = [get_client(vault, client_id)] if client_id else list(vault.clients.values())
    found = [(item, ref) for client in clients for item, ref in client_items(vault, client, today)
             if window.admits(item.due, today)]
    found.sort(key=lambda pair: (pair[0].due, pair[0].client, ORDER[pair[0].kind],
                                 pair[0].path, pair[1]))
    return found


def query_due(root: Path, today: dt.date, within: int | None = None, overdue: bool = False,
              show_all: bool = False, client_id: str | None = None,
              ) -> tuple[Window, list[tuple[DueItem, str]]]:
    """`coachnotes due`: the window and the open items in it, with their identities.

    The open items of the whole vault do not depend on the date (only how late they are
    does), so they are kept in the cache with every input they came from; while no note or
    setting changed, nothing is read or built but the list of files and that one entry.
    """
    from coachnotes.cache import load_blob, save_blob
    from coachnotes.listing import discover
    from coachnotes.vault import inputs_key, load_settings, load_vault

    settings = load_settings(root, use_cache=True)
    listing = discover(root)
    key = inputs_key(listing, settings)
    saved = load_blob(root, "due")
    if saved and saved[0] == key:
        names, rows = saved[1], saved[2]
        fromiso = dt.date.fromisoformat
        pairs = []
        for client, name, kind, due, what, path, ref in rows:
            day = fromiso(due)
            pairs.append((DueItem(client, name, kind, day, (today - day).days, what, path), ref))
    else:
        del saved, key  # megabytes at 70,000 notes: not kept while the model is built
        vault = load_vault(root, settings=settings, listing=listing)
        pairs = due_with_refs(vault, today, Window(None))
        names = {c.id: c.name for c in vault.clients.values()}
        del vault  # and the model is freed before the answer is marshalled
        if listing.settled(sig for _, sig in listing.notes):
            save_blob(root, "due", (inputs_key(listing, settings), names,
                                    [(i.client, i.name, i.kind, i.due.isoformat(), i.text,
                                      i.path, ref) for i, ref in pairs]))
    if client_id is not None and client_id not in names:
        raise unknown_client(client_id, names)
    window = (Window(None) if show_all else Window(None, overdue_only=True) if overdue
              else Window.default(settings, today, within))
    return window, [(item, ref) for item, ref in pairs if window.admits(item.due, today)
                    and (client_id is None or item.client == client_id)]


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
