"""`coachnotes calendar sync`: put every dated item of `due` in the coach's own CalDAV
calendar — conversations, follow-ups and evaluations as events, actions and the like as tasks
(VTODO) — and take away what is done, moved or gone.

What coachnotes put there is known by its name on the server, `<uid>.ics` with a UID that ends
in `@coachnotes` (the `.ics` file's UIDs): every other object in the calendar is the coach's own
and is never read, changed or deleted. A second run with nothing changed changes nothing on the
server: what was pushed is remembered in `.coachnotes/calendar.json` (the hash of each object
and the ETag the server gave it), and an object is sent again only when it differs or the
server's copy changed. The password comes from $COACHNOTES_CALDAV_PASSWORD or the system
keyring, never from the vault.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin

from coachnotes.answers.due import TASKS, calendar_pairs, component, query_due
from coachnotes.errors import CoachnotesError
from coachnotes.i18n import _
from coachnotes.vault.cache import private_dir
from coachnotes.vault.files import write_atomic
from coachnotes.vault.layout import CACHE_DIR
from coachnotes.vault.load import load_settings

MARK = "@coachnotes.ics"  # the name of every object coachnotes puts on the server
STATE = "calendar.json"


class CalendarError(CoachnotesError):
    """The calendar server could not be reached, refused the password, or has no such
    calendar: nothing was lost, the next run catches up."""

    exit_code = 3


@dataclass
class CalendarReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    tasks_left_out: int = 0  # the calendar takes no tasks and no `tasks_url` is set
    messages: list[str] = field(default_factory=list)


def password(url: str, user: str | None) -> str | None:
    """$COACHNOTES_CALDAV_PASSWORD, else the system keyring (`keyring set coachnotes URL`);
    None where there is neither (a headless machine has no keyring: PITFALLS v4)."""
    found = os.environ.get("COACHNOTES_CALDAV_PASSWORD")
    if found:
        return found
    try:
        import keyring
        from keyring.errors import KeyringError

        return keyring.get_password("coachnotes", url) or \
            (keyring.get_password("coachnotes", user) if user else None)
    except (ImportError, KeyringError, RuntimeError):
        return None


def sync_calendar(root: Path, today: dt.date) -> CalendarReport:
    settings = load_settings(root)
    server = settings.calendar_server or {}
    url = server.get("url")
    if not url:
        raise CoachnotesError(_("coachnotes.yml has no `calendar_server` with a `url`: add "
                                "your calendar's CalDAV address and user name (see the "
                                "guide), then sync again"))
    wanted = wanted_items(root, today, settings)
    report = CalendarReport()
    client, events, tasks = _connect(url, server.get("user"), server.get("tasks_url"), report)
    try:  # closed after: its connections' watching threads end with it
        routes = {"events": (events, {u: d for u, (task, d) in wanted.items()
                                      if not task or tasks is events})}
        if tasks is not None and tasks is not events:
            routes["tasks"] = (tasks, {u: d for u, (task, d) in wanted.items() if task})
        if tasks is None:  # the calendar takes no tasks, and no other is named for them
            report.tasks_left_out = sum(1 for task, _data in wanted.values() if task)
        state = _load_state(root).get(url, {})
        for name, (calendar, mine) in routes.items():
            state[name] = _push(calendar, mine, state.get(name, {}), report)
    finally:
        client.close()
    _save_state(root, url, state)
    return report


def wanted_items(root: Path, today: dt.date, settings) -> dict[str, tuple[bool, bytes]]:
    """What the calendar should hold: each dated item of `due --all` (UID → whether it is a
    task, and its calendar object's bytes)."""
    _window, pairs, _undated = query_due(root, today, None, False, True)
    wanted = {}
    for item, ref in calendar_pairs(pairs):
        task = item.kind in TASKS
        made = component(item, ref, today, settings, task=task)
        wanted[str(made["uid"])] = (task, _calendar_bytes(made))
    return wanted


def _calendar_bytes(made) -> bytes:
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//coachnotes//due items//EN")
    calendar.add("version", "2.0")
    calendar.add_component(made)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _connect(url: str, user: str | None, tasks_url: str | None, report: CalendarReport):
    """The client, the calendar for events, and the one for tasks: the same, the
    `tasks_url` one where the calendar takes no tasks (iCloud), or None (then tasks are not
    pushed, and it says so once). The caller closes the client; on a refusal it is closed
    here."""
    import caldav

    try:
        client = caldav.DAVClient(url, username=user, password=password(url, user),
                                  timeout=20)
    except Exception as failed:  # noqa: BLE001 - a network failure has many classes here
        raise _unreachable(failed) from None
    try:
        return (client, *_calendars(client, url, tasks_url, report))
    except BaseException:
        client.close()
        raise


def _calendars(client, url: str, tasks_url: str | None, report: CalendarReport):
    from caldav.lib import error

    try:
        events = client.calendar(url=url)
        if "VTODO" in set(events.get_supported_components()):
            return events, events
        if tasks_url:
            return events, client.calendar(url=tasks_url)
        report.messages.append(_("the calendar takes no tasks (iCloud keeps them apart): "
                                 "actions were not pushed; set `calendar_server.tasks_url` to "
                                 "the calendar for tasks"))
        return events, None
    except error.AuthorizationError as failed:
        raise CalendarError(_("the calendar server refused the user name or password ({reason})"
                              ": check `calendar_server.user` and the password in "
                              "$COACHNOTES_CALDAV_PASSWORD or the keyring").format(
                              reason=_reason(failed))) from None
    except error.NotFoundError as failed:
        raise CalendarError(_("there is no calendar at {url} ({reason}): check "
                              "`calendar_server.url`").format(url=url, reason=_reason(failed))
                            ) from None
    except Exception as failed:  # noqa: BLE001 - a network failure has many classes here
        raise _unreachable(failed) from None


def _unreachable(failed: Exception) -> CalendarError:
    return CalendarError(_("could not reach the calendar server ({reason}); nothing was "
                           "lost, sync the calendar again when it can be reached").format(
                           reason=_reason(failed)))


def _reason(failed: Exception) -> str:
    words = " ".join(str(failed).split())
    return (words or type(failed).__name__)[:200]


def _push(calendar, wanted: dict[str, bytes], known: dict[str, list], report) -> dict:
    """Make the calendar hold exactly `wanted` among coachnotes' objects; returns what is
    known after (uid → [hash, etag])."""
    from caldav.lib import error

    try:  # requests' and niquests' connection errors are OSErrors
        there = _ours(calendar)
        after = {}
        for uid, data in sorted(wanted.items()):
            digest = hashlib.sha256(data).hexdigest()
            held = there.get(uid)
            if held and uid in known and known[uid] == [digest, held[1]]:
                report.unchanged += 1
                after[uid] = known[uid]
                continue
            calendar.save_object(_kind(data), data.decode("utf-8"))
            report.updated += 1 if held else 0
            report.created += 0 if held else 1
            after[uid] = [digest, None]
        for uid, (url, _etag_there) in there.items():
            if uid not in wanted:
                calendar.client.delete(url)
                report.deleted += 1
        if any(known[1] is None for known in after.values()):  # the new ETags: one listing,
            fresh = _ours(calendar)  # not a request per object sent (bench/calendar_sync.py)
            for uid, known in after.items():
                if known[1] is None and uid in fresh:
                    known[1] = fresh[uid][1]
        return after
    except error.DAVError as failed:
        raise CalendarError(_("the calendar server refused a change ({reason}); nothing was "
                              "lost, sync the calendar again").format(reason=_reason(failed))
                            ) from None
    except OSError as failed:  # the connection went in the middle: the next run catches up
        raise CalendarError(_("could not reach the calendar server ({reason}); nothing was "
                              "lost, sync the calendar again when it can be reached").format(
                              reason=_reason(failed))) from None


def _kind(data: bytes):
    from caldav import Event, Todo

    return Todo if b"BEGIN:VTODO" in data else Event


_ETAGS = ('<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop>'
          '<d:getetag/></d:prop></d:propfind>')


def _ours(calendar) -> dict[str, tuple[str, str | None]]:
    """coachnotes' objects in the calendar (UID → URL and ETag), by one PROPFIND of the
    members' ETags — not the sync-token listing, which names deleted objects too. Any other
    member is the coach's own: not even read."""
    found = {}
    for member in calendar.client.propfind(str(calendar.url), props=_ETAGS, depth=1).results:
        name = unquote(member.href.rstrip("/").rpartition("/")[2])
        if name.endswith(MARK) and member.status == 200:
            found[name.removesuffix(".ics")] = (urljoin(str(calendar.url), member.href),
                                                 (member.properties or {}).get("{DAV:}getetag"))
    return found


def _load_state(root: Path) -> dict:
    try:
        return json.loads((root / CACHE_DIR / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save_state(root: Path, url: str, state: dict) -> None:
    write_atomic(private_dir(root / CACHE_DIR) / STATE,
                 json.dumps({url: state}).encode("utf-8"), mode=0o600)
