"""What is due (SPEC §10): follow-ups, follow-ups to plan, agreed conversations, actions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from coachnotes.i18n.texts import text
from coachnotes.vault.layout import folder_of
from coachnotes.vault.load import find_client, get_client
from coachnotes.vault.model import Client, DueItem, Problem, Settings, Vault, add_days, add_months

ORDER = {"fix": 0, "follow-up": 1, "plan-follow-up": 2, "session": 3, "action": 4,
         "evaluation": 5, "invoice": 6}


class Window(NamedTuple):
    """Which open items to show: due on or before `until` (None: all), or only overdue ones;
    `undated` also admits actions that have no date at all (`--all`, `--client`). `fix`
    items are in every window."""

    until: dt.date | None
    overdue_only: bool = False
    undated: bool = False

    @classmethod
    def default(cls, settings: Settings, today: dt.date, within: int | None = None) -> "Window":
        days = settings.due_within_days if within is None else within
        return cls(add_days(today, days))

    def admits(self, item: DueItem, today: dt.date) -> bool:
        if item.kind == "fix":
            return True
        if item.due is None:
            return self.undated
        if self.overdue_only:
            return item.due < today
        return self.until is None or item.due <= self.until


class Conversation(NamedTuple):
    """A coming conversation: a planned note, or the `next` agreed in the latest held one."""

    date: dt.date
    time: str | None  # HH:MM, where the note gives one
    path: str
    what: str  # "next", or "planned:<kind>"
    minutes: int  # its length, for a timed calendar event


EVALUATION_MARGIN = 7  # days around a second-track evaluation date within which it counts
ENDED = ("follow-up", "closed", "declined")  # trajectories whose actions are no longer due
ENDED_REF = "ended"


def conversations(client: Client, today: dt.date) -> list[Conversation]:
    """The client's coming conversations: each planned note, and the `next` agreed in the
    latest held one that agreed one, while no note is dated on or after it. None for a paused client
    (SPEC §3); the agreed `next` only while intake or active."""
    if client.status == "paused":
        return []
    found = [Conversation(s.date, s.time, s.path, f"planned:{s.kind}", s.duration or 60)
             for s in client.planned(today)]
    if client.status in ("intake", "active"):
        agreed = client.agreement(today)
        if agreed is not None:
            found.append(Conversation(agreed.next, agreed.next_time, agreed.path, "next", 60))
    return sorted(found, key=lambda c: (c.date, c.time or "", c.path))


def next_conversation(client: Client, today: dt.date) -> dt.date | None:
    coming = conversations(client, today)
    return coming[0].date if coming else None


def client_items(vault: Vault, client: Client, today: dt.date) -> list[tuple[DueItem, str]]:
    """Every open item of one client, whatever its date, with a stable identity for UIDs."""
    items = _Items(vault, client, today)
    replaced = items.follow_ups()
    items.plan_follow_up(vault.settings.follow_up_months)
    coming = items.sessions(replaced)
    items.actions(coming[0].date if coming else None)
    items.evaluations()
    return items.found


class _Items:
    """The items of one client, in the order of SPEC §10's kinds."""

    def __init__(self, vault: Vault, client: Client, today: dt.date) -> None:
        self.lang, self.client, self.today = vault.language, client, today
        self.found: list[tuple[DueItem, str]] = []

    def add(self, kind: str, due: dt.date | None, what: str, path: str, ref: str,
            time: str | None = None, minutes: int | None = None) -> None:
        client = self.client
        days = (self.today - due).days if due is not None else None
        item = DueItem(client.id, client.name, kind, due, days, what, path, time, minutes)
        self.found.append((item, f"{kind}|{client.id}|{path}|{ref}"))

    def follow_ups(self) -> set[str]:
        """The open follow-up entries; one that a planned note will complete is that note's
        appointment (one appointment, one item). Returns those notes."""
        booked = self.client.planned_follow_ups(self.today)
        for entry in self.client.open_follow_ups(self.today):
            what = text(self.lang, "follow-up", n=entry.n)
            note = booked.get(entry.n)
            if note is None:
                self.add("follow-up", entry.due, what, self.client.path, str(entry.n))
            else:
                self.add("follow-up", note.date, what, note.path, str(entry.n), note.time,
                         note.duration or 60)
        return {s.path for s in booked.values()}

    def plan_follow_up(self, offsets: list[int]) -> None:
        client = self.client
        if client.status in ("follow-up", "closed") and not client.follow_ups \
                and client.end_date and offsets:
            self.add("plan-follow-up", add_months(client.end_date, offsets[0]),
                     text(self.lang, "plan-follow-up"), client.path, "")

    def sessions(self, replaced: set[str]) -> list[Conversation]:
        coming = conversations(self.client, self.today)
        for c in coming:
            if c.what == "next":
                self.add("session", c.date, text(self.lang, "session"), c.path, "", c.time,
                         c.minutes)
            elif c.path not in replaced:
                kind = c.what.partition(":")[2]
                shown = text(self.lang, f"kind.{kind}") if kind else "?"
                self.add("session", c.date, text(self.lang, "session.planned", kind=shown),
                         c.path, "planned", c.time, c.minutes)
        return coming

    def evaluations(self) -> None:
        """`evaluation` (SPEC §10, v4): a second-track trajectory (`programme: second-track`,
        Wet verbetering poortwachter) is evaluated every 6 weeks from `start_date` while it is
        active; each date is due until an evaluation was held within 7 days of it. Listed up
        to the planned end, and always the next one."""
        client = self.client
        if client.status != "active" or client.get("programme") != "second-track" or \
                client.start_date is None:
            return
        held = [s.date for s in client.held(self.today) if s.kind == "evaluation" and s.date]
        until = max(client.planned_end or self.today, self.today)
        week = 6
        while True:
            day = add_days(client.start_date, 7 * week)
            if not any(abs((day - h).days) <= EVALUATION_MARGIN for h in held):
                self.add("evaluation", day, text(self.lang, "evaluation.due", week=week),
                         client.path, str(week))
            if day > until:
                return
            week += 6

    def actions(self, next_day: dt.date | None) -> None:
        """An action not done: at its date; an undated one at the next conversation, until a
        later conversation was held (there it was discussed). Once the trajectory has ended
        (follow-up, closed, declined) an action is no longer due: it is listed without a date,
        as open at the end, for `--client` and `--all` only (SPEC §10, v4)."""
        held = [s.date for s in self.client.held(self.today)]
        ended = self.client.status in ENDED
        for session in self.client.sessions:
            later = session.date and any(day > session.date for day in held)
            for index, action in enumerate(session.actions):
                if action.done or action.due is None and later:
                    continue
                if ended:
                    self.add("action", None, text(self.lang, "action.ended", text=action.text),
                             session.path, f"{index}|{ENDED_REF}")
                    continue
                self.add("action", action.due if action.due is not None else next_day,
                         action.text, session.path, str(index))


def fix_items(vault: Vault, problems: list[Problem], today: dt.date,
              ) -> list[tuple[DueItem, str]]:
    """One `fix` item per file with an error, its first error as the text (SPEC §10): a
    note that cannot be read cannot say what is due, so the list says it is incomplete."""
    first: dict[str, Problem] = {}
    for problem in sorted(problems):
        if problem.severity == "error" and problem.path not in first:
            first[problem.path] = problem
    found = []
    for path, problem in first.items():
        owner = folder_of(path) or ""
        client = vault.clients.get(owner)
        found.append((DueItem(owner, client.name if client else "", "fix", today, 0,
                              f"{problem.code} {problem.message}", path), f"fix|{path}"))
    return found


def invoice_items(vault: Vault, today: dt.date, problems: list[Problem],
                  ) -> list[tuple[DueItem, str]]:
    """`invoice` (SPEC §10, v4): a sponsor's ended month with conversations no invoice holds
    yet, due on the first day of the next month."""
    from coachnotes.answers.invoices import due_rows
    from coachnotes.vault.register import REGISTER, RegisterError, read_kept

    try:
        entries = read_kept(vault.root)
    except RegisterError:
        return []  # E027 is a `fix` item already
    found = []
    for sponsor, due, month in due_rows(vault, entries, today, problems):
        what = text(vault.language, "invoice.due_text", sponsor=sponsor, month=month)
        found.append((DueItem("", sponsor, "invoice", due, (today - due).days, what, REGISTER),
                      f"invoice|{sponsor}|{month}"))
    return found


def sort_key(pair: tuple[DueItem, str]) -> tuple:
    """`fix` items first; then by due date, client, kind (in ORDER) and text; actions without
    a date last (SPEC §10)."""
    item, ref = pair
    group = 0 if item.kind == "fix" else 2 if item.due is None else 1
    return (group, item.due or dt.date.max, item.client, ORDER[item.kind], item.text,
            item.path, ref)


def due_items(vault: Vault, today: dt.date, window: Window,
              client_id: str | None = None) -> list[DueItem]:
    """The open items inside `window`, sorted (see `sort_key`)."""
    return [item for item, _ in due_with_refs(vault, today, window, client_id)]


def due_with_refs(vault: Vault, today: dt.date, window: Window, client_id: str | None = None,
                  problems: list[Problem] | None = None) -> list[tuple[DueItem, str]]:
    """The open items inside `window` with their identities; `fix` items from `problems`
    (checked here when not given)."""
    from coachnotes.rules.check import check

    clients = [get_client(vault, client_id)] if client_id else list(vault.clients.values())
    found = [pair for client in clients for pair in client_items(vault, client, today)]
    problems = check(vault, today) if problems is None else problems
    found += [pair for pair in fix_items(vault, problems, today)
              if client_id is None or pair[0].client == client_id]
    if client_id is None:
        found += invoice_items(vault, today, problems)
    found = [pair for pair in found if window.admits(pair[0], today)]
    found.sort(key=sort_key)
    return found


def _window(settings, today: dt.date, within: int | None, overdue: bool, show_all: bool,
            one_client: bool) -> Window:
    """--all; --overdue; else --within or the settings' window (one client: undated too)."""
    if show_all:
        return Window(None, undated=True)
    if overdue:
        return Window(None, overdue_only=True, undated=one_client)
    return Window.default(settings, today, within)._replace(undated=one_client)


def query_due(root: Path, today: dt.date, within: int | None = None, overdue: bool = False,
              show_all: bool = False, client_id: str | None = None,
              ) -> tuple[Window, list[tuple[DueItem, str]], int]:
    """`coachnotes due`: the window, the open items in it with their identities, and how
    many actions without a date the window leaves out.

    The open items of the whole vault are memoised by every input they came from and the date
    (`cache.memo`): while no note or setting changed, nothing is read or built but the list of
    files and that one answer.
    """
    from coachnotes.vault.cache import memo
    from coachnotes.vault.load import inputs, load_vault

    settings, listing, key = inputs(root)

    def compute() -> tuple[dict[str, str], list[tuple]]:
        vault = load_vault(root, settings=settings, listing=listing)
        pairs = due_with_refs(vault, today, Window(None, undated=True))
        return ({c.id: c.name for c in vault.clients.values()},
                [(i.client, i.name, i.kind, i.due.isoformat() if i.due else None, i.time,
                  i.text, i.path, ref, i.minutes) for i, ref in pairs])

    names, rows = memo(root, "due", key + today.isoformat().encode(), compute,
                       keep=lambda _: listing.settled(sig for _, sig in listing.notes))
    if client_id is not None:
        client_id = find_client(client_id, names)
    window = _window(settings, today, within, overdue, show_all, client_id is not None)
    pairs, left_out = _in_window(rows, window, today, client_id)
    return window, pairs, left_out


def _in_window(rows: list[tuple], window: Window, today: dt.date,
               client_id: str | None) -> tuple[list[tuple[DueItem, str]], int]:
    """The hot loop of a warm `due`: rows outside the window are passed over by comparing ISO
    texts (they sort as the dates do), before any object is made for them."""
    fromiso = dt.date.fromisoformat
    until = window.until.isoformat() if window.until else None
    today_text = today.isoformat()
    pairs = []
    left_out = 0
    for client, name, kind, due, time, what, path, ref, minutes in rows:
        if client_id is not None and client != client_id:
            continue
        if kind != "fix":
            if due is None:
                if not window.undated:
                    left_out += not ref.endswith(ENDED_REF)  # undated for want of a date
                    continue
            elif window.overdue_only:
                if due >= today_text:
                    continue
            elif until is not None and due > until:
                continue
        day = fromiso(due) if due else None
        pairs.append((DueItem(client, name, kind, day, (today - day).days if day else None,
                              what, path, time, minutes), ref))
    return pairs, left_out


def uid(ref: str) -> str:
    """A UID that is the same on every run and device for the same item."""
    import hashlib

    return hashlib.sha256(ref.encode("utf-8")).hexdigest()[:32] + "@coachnotes"


def to_ics(pairs: list[tuple[DueItem, str]], today: dt.date, settings: Settings) -> bytes:
    """An RFC 5545 calendar named after the coach: an item with a time of day is a timed
    event in the vault's `timezone` (its VTIMEZONE from the tz database), lasting the
    conversation's `duration` (else 60 minutes); any other item is an all-day event. UIDs
    are stable, so a subscribed calendar updates instead of duplicating."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//coachnotes//due items//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", without_controls(f"coachnotes — {settings.coach or 'coach'}"))
    calendar.add("x-wr-timezone", settings.timezone)
    for item, ref in calendar_pairs(pairs):
        calendar.add_component(component(item, ref, today, settings))
    calendar.add_missing_timezones()
    return calendar.to_ical()


TASKS = ("action", "plan-follow-up", "invoice")  # to do by a day, not an appointment


def component(item: DueItem, ref: str, today: dt.date, settings: Settings, task: bool = False):
    """One item as a calendar component, the same in a `.ics` file and on a calendar server:
    its stable UID, its words (`calendar_text`), a timed event in `timezone` (lasting its
    minutes) or an all-day one, the reminder; with `task`, a VTODO due on its day instead
    (SPEC §21: actions and the like are tasks on a phone). DTSTAMP is `today`, so an item
    that did not change is the same bytes."""
    import zoneinfo

    import icalendar

    from coachnotes.i18n.texts import due_kind

    made = icalendar.Todo() if task else icalendar.Event()
    made.add("uid", uid(ref))
    made.add("dtstamp", dt.datetime.combine(today, dt.time(0, 0), tzinfo=dt.timezone.utc))
    start = _start(item, zoneinfo.ZoneInfo(settings.timezone))
    if task:
        made.add("due", start)
    elif isinstance(start, dt.datetime):
        made.add("dtstart", start)
        made.add("dtend", start + dt.timedelta(minutes=item.minutes or 60))
    else:
        made.add("dtstart", item.due)
        made.add("dtend", add_days(item.due, 1))
    summary = calendar_text(item, settings)
    made.add("summary", summary)
    made.add("description", due_kind(item.kind, settings.language))  # no path, no name
    made.add("categories", [item.kind])
    alarm = settings.calendar_alarm_minutes
    if alarm and isinstance(start, dt.datetime):
        reminder = icalendar.Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", summary)
        reminder.add("trigger", dt.timedelta(minutes=-alarm))
        made.add_component(reminder)
    return made


def calendar_text(item: DueItem, settings: Settings) -> str:
    """An event's words (SPEC §10, v4): the client as `calendar_names` says, and what is due;
    an action by its kind ("Action") unless `calendar_details: full` — its own words can name
    other people, and a calendar is synced to a cloud. No control character (RFC 5545)."""
    from coachnotes.i18n.texts import due_kind

    if item.kind == "invoice":  # a sponsor, not a client: its words are the item's own
        return without_controls(item.text)
    who = calendar_name(item, settings.calendar_names)
    what = due_kind(item.kind, settings.language).capitalize() \
        if item.kind == "action" and settings.calendar_details != "full" else item.text
    return without_controls(f"{who}: {what}")


def without_controls(value: str) -> str:
    """A text without control characters (a bell or an escape a name or an action held)."""
    return "".join(c for c in value if c >= " " and not "\x7f" <= c <= "\x9f")


def calendar_pairs(pairs: list[tuple[DueItem, str]]) -> list[tuple[DueItem, str]]:
    """The items a calendar holds: dated ones (not the notes to fix, nor undated actions);
    `due --ics` says how many, so the count is the events written."""
    return [(item, ref) for item, ref in pairs if item.kind != "fix" and item.due is not None]


def calendar_name(item: DueItem, style: str) -> str:
    """How a calendar names the client (SPEC §10): `Z.v.t.H.` by default, since calendars
    are synced to cloud services; the id, or the full name, where the coach chose so."""
    if style == "full":
        return item.name
    if style == "id":
        return item.client
    words = [w.lstrip("'\u2019`") for w in item.name.replace("-", " ").split()]
    return "".join(w[0] + "." for w in words if w[:1].isalpha()) or item.client


def _start(item: DueItem, zone) -> dt.date | dt.datetime:
    if item.time is None or item.due is None or item.due >= dt.date.max:
        return item.due
    hour, minute = (int(part) for part in item.time.split(":"))
    return dt.datetime.combine(item.due, dt.time(hour, minute), tzinfo=zone)
