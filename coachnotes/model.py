"""The vault as data: problems, notes as read, clients, sessions, follow-ups, actions, due items."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from coachnotes.schema import Problem3


class Problem(NamedTuple):
    """One finding of `check`: `path:line: CODE message` (sorts by path, then line)."""

    path: str
    line: int
    code: str
    message: str

    @property
    def severity(self) -> str:
        return "error" if self.code.startswith("E") else "warning"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code} {self.message}"

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


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@dataclass(slots=True)
class Action:
    text: str
    due: dt.date | None
    done: bool
    path: str  # the session note it was agreed in


@dataclass(slots=True)
class Session:
    path: str
    client: str | None
    date: dt.date | None
    kind: str | None
    number: int | None
    duration: int | None
    next: dt.date | None
    follow_up: int | None
    record: NoteRecord
    actions: list[Action] = field(default_factory=list)

    @property
    def lines(self) -> dict[str, int]:
        return self.record.lines

    @classmethod
    def from_record(cls, record: NoteRecord) -> "Session":
        v = record.values
        get = v.get
        day, agreed = get("date"), get("next")
        session = cls(record.path, get("client"), _fromiso(day) if day else None, get("kind"),
                      get("number"), get("duration"), _fromiso(agreed) if agreed else None,
                      get("follow_up"), record)
        actions = get("actions")
        if actions:
            for item in actions:
                due = item.get("due")
                session.actions.append(Action(item["text"], _fromiso(due) if due else None,
                                              bool(item.get("done")), record.path))
        return session

    @property
    def folder_client(self) -> str | None:
        """The client id of the folder the note lies in (clients/<id>/sessions/x.md)."""
        parts = self.path.split("/")
        return parts[1] if len(parts) == 4 and parts[2] == "sessions" else None


@dataclass(slots=True)
class FollowUp:
    n: int  # 1-based position in the client's list, as `follow_up: N` counts
    due: dt.date
    done: dt.date | None
    cancelled: str | None
    completed_by: Session | None = None

    @property
    def is_open(self) -> bool:
        return self.done is None and self.cancelled is None and self.completed_by is None


@dataclass(slots=True)
class Client:
    id: str
    path: str
    values: dict[str, Any]
    record: NoteRecord
    name: str
    status: str | None
    intake_date: dt.date | None
    start_date: dt.date | None
    end_date: dt.date | None
    planned_sessions: int
    trajectory_months: int  # for the default planned end
    follow_ups: list[FollowUp]
    sessions: list[Session] = field(default_factory=list)

    @property
    def planned_end(self) -> dt.date | None:
        """`planned_end` as written, else start_date + the settings' trajectory_months."""
        written = self.values.get("planned_end")
        if written:
            return _fromiso(written)
        if self.start_date is None:
            return None
        from dateutil.relativedelta import relativedelta  # only when asked: `due` never is

        return self.start_date + relativedelta(months=self.trajectory_months)

    @property
    def lines(self) -> dict[str, int]:
        return self.record.lines

    @property
    def coaching(self) -> list[Session]:
        return [s for s in self.sessions if s.kind == "coaching"]

    @property
    def explained(self) -> bool:
        """An extension or an alternative is written down: going past the plan is deliberate."""
        return bool(self.values.get("extension") or self.values.get("alternative"))

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def line(self, *keys: str) -> int:
        for key in keys:
            if key in self.lines:
                return self.lines[key]
        return self.lines.get("status", 1)

    @property
    def next_agreed(self) -> dt.date | None:
        """The `next` date of the latest conversation, if no conversation took place since."""
        dated = [s for s in self.sessions if s.date]
        if not dated:
            return None
        latest = max(dated, key=lambda s: (s.date, s.path))
        if latest.next is None:
            return None
        if latest.date >= latest.next:  # 'next' on or before the conversation itself
            return None
        return latest.next


@dataclass
class Settings:
    values: dict[str, Any]
    lines: dict[str, int]
    problems: list[Problem3]

    def __getattr__(self, key: str) -> Any:
        try:
            return self.__dict__["values"][key]
        except KeyError:
            raise AttributeError(key) from None


@dataclass
class Vault:
    root: Path
    settings: Settings
    records: dict[str, NoteRecord]
    clients: dict[str, Client]
    sessions: list[Session]
    conflicts: list[str]  # sync conflict copies (W108)
    pages: list[str]  # existing files in generated pages' places
    unreadable: list[Problem] = field(default_factory=list)  # links out of the vault etc.

    @property
    def language(self) -> str:
        return self.settings.language


@dataclass(slots=True)
class DueItem:
    client: str
    name: str
    kind: str
    due: dt.date
    overdue_days: int
    text: str
    path: str

    def as_dict(self) -> dict[str, Any]:
        return {"client": self.client, "name": self.name, "kind": self.kind,
                "due": self.due.isoformat(), "overdue_days": self.overdue_days,
                "text": self.text, "path": self.path}
