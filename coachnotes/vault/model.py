"""The vault as data: problems, notes as read, clients, sessions, follow-ups, actions, due items.

Values are named tuples; objects that are filled in while the model is built are plain classes
with slots (`Fields` gives them a repr and equality over their fields). Not dataclasses: making
one costs 0.7 ms at import, and the thirteen on the path of a warm `coachnotes due` were a
tenth of its time.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, NamedTuple

from coachnotes.vault.codes import severity
from coachnotes.vault.layout import place
from coachnotes.vault.schema import Problem3


class Problem(NamedTuple):
    """One finding of `check`: `path:line: CODE message` (sorts by path, then line)."""

    path: str
    line: int
    code: str
    message: str

    @property
    def severity(self) -> str:
        return severity(self.code)

    def __str__(self) -> str:
        """One line: a control character or line break in a name (or a message quoting it)
        cannot move the cursor or forge another problem line."""
        text = f"{self.path}:{self.line}: {self.code} {self.message}"
        return text if text.isprintable() else "".join(
            c if c.isprintable() else "\ufffd" for c in text)

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "code": self.code,
                "severity": self.severity, "message": self.message}


class NoteRecord:
    """One note as read and checked on its own: what the cache stores.

    `values` holds the valid values only (dates as ISO text). The line of every key is kept
    packed in one string until someone asks for it: most commands never do, and a dict per
    note was a third of the memory of a large vault.
    """

    __slots__ = ("path", "type", "values", "_lines", "problems")

    def __init__(self, path: str, type: str | None, values: dict[str, Any],
                 lines: dict[str, int] | str, problems: list[Problem3]) -> None:
        self.path = path
        self.type = type
        self.values = values
        self._lines = lines
        self.problems = problems

    @property
    def lines(self) -> dict[str, int]:
        lines = self._lines
        if isinstance(lines, str):
            parts = lines.split("\0") if lines else []
            lines = self._lines = {parts[i]: int(parts[i + 1]) for i in range(0, len(parts), 2)}
        return lines

    def packed_lines(self) -> str:
        lines = self._lines
        if isinstance(lines, str):
            return lines
        return "\0".join(f"{key}\0{line}" for key, line in lines.items())

    def __repr__(self) -> str:
        return f"NoteRecord({self.path!r}, {self.type!r})"


_fromiso = dt.date.fromisoformat


def add_days(day: dt.date, days: int) -> dt.date:
    """`day` + `days`, or the last (first) day there is: no date a coach can write, and no
    setting, makes the arithmetic fail (`--today 9999-12-31`, a window of a million days)."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar-correct: 31 January + 1 month is 28/29 February; clamped like `add_days`."""
    from dateutil.relativedelta import relativedelta

    try:
        return day + relativedelta(months=months)
    except (OverflowError, ValueError):
        return dt.date.max if months > 0 else dt.date.min


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class Fields:
    """A repr and field-wise equality for a class with `__slots__` (what @dataclass adds)."""

    __slots__ = ()
    __hash__ = None  # mutable, so not hashable (as a dataclass)

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__ if name[0] != "_")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__
                           if name[0] != "_")
        return f"{type(self).__name__}({fields})"


class Action(NamedTuple):
    text: str
    due: dt.date | None
    done: bool
    path: str  # the session note it was agreed in


def split_when(value: str | None) -> tuple[dt.date | None, str | None]:
    """`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` -> (date, "HH:MM" or None)."""
    if not value:
        return None, None
    day, _sep, time = value.partition("T")
    return _fromiso(day), time or None


_SUFFIX = re.compile(r"\d{4}-\d\d-\d\d-[a-z-]*?-(\d+)\.md$")  # the `-<n>` of a session's name


class Session(Fields):
    __slots__ = ("path", "client", "date", "kind", "number", "duration", "next", "follow_up",
                 "record", "actions", "folder_client", "cancelled", "time", "next_time")

    def __init__(self, path: str, client: str | None, date: dt.date | None, kind: str | None,
                 number: int | None, duration: int | None, next: dt.date | None,
                 follow_up: int | None, record: NoteRecord) -> None:
        self.path = path
        self.client = client
        self.date = date
        self.kind = kind
        self.number = number
        self.duration = duration
        self.next = next
        self.follow_up = follow_up
        self.record = record
        self.actions: list[Action] = []
        self.cancelled: str | None = record.values.get("cancelled")
        self.time: str | None = None  # HH:MM of `date`, where the note gives one
        self.next_time: str | None = None
        # the client id of the folder the note lies in (clients/<id>/sessions/x.md), or None
        where = place(path)
        self.folder_client = where.folder if where.role == "session" else None

    @property
    def lines(self) -> dict[str, int]:
        return self.record.lines

    def held(self, today: dt.date) -> bool:
        """Took place: dated today or earlier, and not cancelled (SPEC §4)."""
        return self.date is not None and self.date <= today and not self.cancelled

    def planned(self, today: dt.date) -> bool:
        """A note prepared in advance: dated after today, and not cancelled."""
        return self.date is not None and self.date > today and not self.cancelled

    @property
    def order(self) -> tuple:
        """Where the conversation stands among a client's (SPEC §18, v4): date, then time,
        then `number`, then the file name's `-<n>` (`2026-05-01-coaching-2.md` comes after
        `2026-05-01-coaching.md`), then the path — so "first", "last" and "latest" mean the
        same everywhere."""
        suffix = _SUFFIX.search(self.path)
        return (self.date or dt.date.min, self.time or "", self.number or 0,
                int(suffix.group(1)) if suffix else 1, self.path)

    @property
    def billable(self) -> bool:
        value = self.record.values.get("billable")
        return (not self.cancelled) if value is None else value

    @classmethod
    def from_record(cls, record: NoteRecord) -> "Session":
        v = record.values
        get = v.get
        day, time = split_when(get("date"))
        agreed, agreed_time = split_when(get("next"))
        session = cls(record.path, get("client"), day, get("kind"), get("number"),
                      get("duration"), agreed, get("follow_up"), record)
        session.time, session.next_time = time, agreed_time
        actions = get("actions")
        if actions:
            for item in actions:
                due = item.get("due")
                session.actions.append(Action(item["text"], _fromiso(due) if due else None,
                                              bool(item.get("done")), record.path))
        return session


class FollowUp(Fields):
    __slots__ = ("n", "due", "done", "cancelled")

    def __init__(self, n: int, due: dt.date, done: dt.date | None,
                 cancelled: str | None) -> None:
        self.n = n  # 1-based position in the client's list, as `follow_up: N` counts
        self.due = due
        self.done = done
        self.cancelled = cancelled


class Client(Fields):
    """A client: its values, its conversations, where its trajectory stands, its follow-ups
    against its follow-up conversations, and where its retention period starts and ends."""


    __slots__ = ("id", "path", "values", "record", "name", "status", "intake_date", "start_date",
                 "end_date", "base_sessions", "trajectory_months", "follow_ups", "sessions",
                 "_planned_end")

    def __init__(self, id: str, path: str, values: dict[str, Any], record: NoteRecord,
                 name: str, status: str | None, intake_date: dt.date | None,
                 start_date: dt.date | None, end_date: dt.date | None, planned_sessions: int,
                 trajectory_months: int, follow_ups: list[FollowUp]) -> None:
        self.id = id
        self.path = path
        self.values = values
        self.record = record
        self.name = name
        self.status = status
        self.intake_date = intake_date
        self.start_date = start_date
        self.end_date = end_date
        self.base_sessions = planned_sessions  # as written, else from the settings
        self.trajectory_months = trajectory_months  # for the default planned end
        self.follow_ups = follow_ups
        self.sessions: list[Session] = []
        self._planned_end: dt.date | None | bool = False  # not worked out yet

    @property
    def extension(self) -> dict[str, Any] | None:
        """The extension as a mapping (reason, sessions, until), or None; a text is a reason."""
        value = self.values.get("extension")
        if isinstance(value, str):
            return {"reason": value}
        return value or None

    @property
    def planned_sessions(self) -> int:
        """Planned coaching sessions, with those an extension adds."""
        return self.base_sessions + ((self.extension or {}).get("sessions") or 0)

    @property
    def planned_end(self) -> dt.date | None:
        """An extension's `until`, else `planned_end` as written, else start_date + the
        settings' trajectory_months."""
        if self._planned_end is False:
            until = (self.extension or {}).get("until")
            written = until or self.values.get("planned_end")
            if written:
                self._planned_end = _fromiso(written)
            elif self.start_date is None:
                self._planned_end = None
            else:
                self._planned_end = add_months(self.start_date, self.trajectory_months)
        return self._planned_end  # type: ignore[return-value]

    @property
    def lines(self) -> dict[str, int]:
        return self.record.lines

    def held(self, today: dt.date) -> list[Session]:
        return [s for s in self.sessions if s.held(today)]

    def planned(self, today: dt.date) -> list[Session]:
        return [s for s in self.sessions if s.planned(today)]

    def held_coaching(self, today: dt.date) -> int:
        return sum(1 for s in self.sessions if s.kind == "coaching" and s.held(today))

    @property
    def explained(self) -> bool:
        """Going past the plan is deliberate and needs no warning: an `alternative`, or an
        extension written as a text (a mapping extends the plan instead, SPEC §3)."""
        return bool(isinstance(self.values.get("extension"), str) and self.values["extension"]
                    or self.values.get("alternative"))

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def line(self, *keys: str) -> int:
        for key in keys:
            if key in self.lines:
                return self.lines[key]
        return self.lines.get("status", 1)

    def latest_held(self, today: dt.date) -> Session | None:
        held = self.held(today)
        return max(held, key=lambda s: s.order) if held else None

    def agreement(self, today: dt.date) -> Session | None:
        """The held conversation whose agreed `next` still stands (SPEC §10, v4): the latest
        held one that agreed a `next` — a conversation in between without one (a tripartite
        meeting, an assessment) leaves the date standing, a later one with another `next`
        moves it — while no conversation (held or planned, not cancelled) is dated on or
        after that date."""
        agreed = [s for s in self.held(today) if s.next is not None]
        if not agreed:
            return None
        latest = max(agreed, key=lambda s: s.order)
        if latest.next <= latest.date:
            return None
        if any(s.date and s.date >= latest.next and not s.cancelled for s in self.sessions):
            return None
        return latest

    def next_agreed(self, today: dt.date) -> dt.date | None:
        """The agreed date that stands (`agreement`), or None."""
        agreed = self.agreement(today)
        return agreed.next if agreed else None

    def completions(self, today: dt.date, planned: bool = False) -> dict[int, Session]:
        """Which held follow-up session completes which entry (SPEC §4): by its `follow_up`
        number, otherwise the k-th by date completes the k-th entry by due date. With
        `planned`, the planned follow-up notes count after the held ones: the entry each will
        complete (one appointment, one due item: SPEC §10)."""
        by_number = {f.n: f for f in self.follow_ups}
        by_due = sorted(self.follow_ups, key=lambda f: (f.due, f.n))
        done: dict[int, Session] = {}
        held = [s for s in self.sessions if s.kind == "follow-up" and (
            s.held(today) or planned and s.planned(today))]
        for k, session in enumerate(held):
            if session.follow_up is not None:
                target = by_number.get(session.follow_up)
            else:
                target = by_due[k] if k < len(by_due) else None
            if target is not None and target.n not in done:
                done[target.n] = session
        return done

    def planned_follow_ups(self, today: dt.date) -> dict[int, Session]:
        """The open follow-up entries that a planned follow-up note will complete."""
        held = self.completions(today)
        return {n: s for n, s in self.completions(today, planned=True).items()
                if n not in held and s.planned(today)}

    def open_follow_ups(self, today: dt.date) -> list[FollowUp]:
        done = self.completions(today)
        return [f for f in self.follow_ups
                if f.done is None and f.cancelled is None and f.n not in done]

    def file_end(self, today: dt.date) -> dt.date | None:
        """Where the retention period starts (SPEC §13). `declined`: the intake. `closed`: the
        latest of `end_date`, the last held conversation and the last follow-up done. Any other
        status is still running, so its end is the latest date already known, planned ones
        included (the planned end, follow-ups still to come): the period ends no sooner."""
        if self.status == "declined" and self.intake_date:
            return self.intake_date
        latest = self.latest_held(today)
        days = [self.end_date, latest.date if latest else None]
        days += [f.done for f in self.follow_ups if f.done]
        days += [s.date for s in self.completions(today).values()]
        if self.status not in ("closed", "declined"):
            days += [self.planned_end, self.intake_date]
            days += [f.due for f in self.open_follow_ups(today)]
        known = [d for d in days if d is not None]
        return max(known) if known else None

    def retention_end(self, today: dt.date, years: int) -> dt.date | None:
        end = self.file_end(today)
        return add_months(end, 12 * years) if end else None


class Settings(Fields):
    __slots__ = ("values", "lines", "problems")

    def __init__(self, values: dict[str, Any], lines: dict[str, int],
                 problems: list[Problem3]) -> None:
        self.values = values
        self.lines = lines
        self.problems = problems

    def __getattr__(self, key: str) -> Any:  # only called for names that are not slots
        try:
            return object.__getattribute__(self, "values")[key]
        except KeyError:
            raise AttributeError(key) from None


class Folder(Fields):
    """Everything read in one client folder `clients/<id>/` (or, with id None, every note that
    lies outside a client folder): what the watcher rebuilds when one of its notes changes."""

    __slots__ = ("id", "records", "client", "sessions", "has_client_note")

    def __init__(self, id: str | None, records: list[NoteRecord], client: Client | None,
                 sessions: list[Session], has_client_note: bool) -> None:
        self.id = id
        self.records = records  # sorted by path
        self.client = client  # from clients/<id>/client.md, when it reads as a client note
        self.sessions = sessions  # every session note in the folder, attached or not
        self.has_client_note = has_client_note  # a file clients/<id>/client.md is there


class Vault(Fields):
    __slots__ = ("root", "settings", "records", "folders", "clients", "conflicts", "pages",
                 "pages_set", "erasures", "_links")

    def __init__(self, root: Path, settings: Settings, records: dict[str, NoteRecord],
                 folders: dict[str | None, Folder], conflicts: list[str],
                 pages: list[str], erasures: Any) -> None:
        self.root = root
        self.settings = settings
        self.records = records
        self.folders = folders
        self.clients = {key: f.client for key, f in sorted(folders.items(), key=_folder_order)
                        if f.client is not None}
        self.conflicts: list[str] = []
        self.pages: list[str] = []
        self.pages_set: frozenset[str] = frozenset()
        self.set_listing(conflicts, pages)
        self.erasures = erasures  # the erasure log (E025): vault.erasures.Erasures
        self._links: dict[str, str] | None = None

    def set_listing(self, conflicts: list[str], pages: list[str]) -> None:
        self.conflicts = conflicts  # sync conflict copies (W108)
        self.pages = pages  # existing files in generated pages' places
        self.pages_set = frozenset(pages)

    @property
    def links(self) -> dict[str, str]:
        """`[[Name]]` (a wiki link by a client's exact `name`, SPEC §4) -> that client's id,
        for a note that lies outside the named client's folder. Made once per model."""
        if self._links is None:
            self._links = {f"[[{c.name}]]": key for key, c in self.clients.items() if c.name}
        return self._links

    def refers_to(self, value: str | None) -> str | None:
        """The client a session's `client` names: its id, or the client a name link names."""
        return self.links.get(value, value) if value and value.startswith("[[") else value

    def set_folder(self, folder: Folder) -> None:
        """Put a rebuilt folder in place (the watcher's one change to a model)."""
        self._links = None
        self.folders[folder.id] = folder
        self.clients.pop(folder.id, None)  # type: ignore[arg-type]
        if folder.client is not None:
            self.clients[folder.id] = folder.client  # type: ignore[index]

    def drop_folder(self, folder_id: str | None) -> None:
        self._links = None
        self.folders.pop(folder_id, None)
        self.clients.pop(folder_id, None)  # type: ignore[arg-type]

    @property
    def client_ids(self) -> set[str]:
        """The ids that have a file clients/<id>/client.md (readable or not)."""
        return {key for key, f in self.folders.items() if key is not None and f.has_client_note}

    @property
    def language(self) -> str:
        return self.settings.language


def _folder_order(pair: tuple[str | None, Folder]) -> str:
    return pair[0] or ""


class DueItem(NamedTuple):
    client: str
    name: str
    kind: str
    due: dt.date | None  # None: an action without a date and no next conversation
    overdue_days: int | None
    text: str
    path: str
    time: str | None = None  # HH:MM where the note gives a time of day
    minutes: int | None = None  # a conversation's length (its `duration`), for the calendar

    def as_dict(self) -> dict[str, Any]:
        return {"client": self.client, "name": self.name, "kind": self.kind,
                "due": self.due.isoformat() if self.due else None, "time": self.time,
                "overdue_days": self.overdue_days, "text": self.text, "path": self.path}
