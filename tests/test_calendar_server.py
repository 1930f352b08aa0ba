"""The calendar on the phone (SPEC §21): `coachnotes calendar sync` against a real CalDAV
server — Radicale, started here on 127.0.0.1 and stopped by its PID — read back with the
`caldav` client: exactly what is due, nothing twice, only coachnotes' own objects touched."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import caldav_server
import pytest
from caldav_server import free_port

from conftest import client_note, run_cli, session_note

pytest.importorskip("radicale")
caldav = pytest.importorskip("caldav")

TODAY = "2026-12-05"
PASSWORD = "geheim-wachtwoord-123"


def start_radicale(folder: Path, port: int) -> subprocess.Popen:
    return caldav_server.start_radicale(folder, port, PASSWORD)


@pytest.fixture()
def server(tmp_path):
    port = free_port()
    process = start_radicale(tmp_path, port)
    client = caldav.DAVClient(f"http://127.0.0.1:{port}/", username="coach", password=PASSWORD)
    calendar = client.principal().make_calendar(name="Praktijk", cal_id="praktijk")
    calendar.save_event("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//eigen//EN\r\n"
                        "BEGIN:VEVENT\r\nUID:tandarts@example\r\nDTSTAMP:20261201T000000Z\r\n"
                        "DTSTART;VALUE=DATE:20261209\r\nSUMMARY:Tandarts\r\nEND:VEVENT\r\n"
                        "END:VCALENDAR\r\n")  # the coach's own appointment
    held = {"url": str(calendar.url), "calendar": calendar, "port": port, "folder": tmp_path,
            "process": process}
    yield held
    client.close()  # its connections' watching threads end with it
    held["process"].kill()  # the one running now: a test may have restarted the server
    held["process"].wait()


def held(calendar) -> dict[str, tuple[str, str, str]]:
    """Every object on the server: UID → (component, summary, start or due)."""
    found = {}
    for data in held_texts(calendar):
        kind = "VTODO" if "BEGIN:VTODO" in data else "VEVENT"
        fields = {}
        own = data[data.index(f"BEGIN:{kind}"):]  # after the VTIMEZONE and its DTSTARTs
        for line in own.replace("\r\n ", "").splitlines():  # `DTSTART;TZID=…:value`
            key, _colon, value = line.partition(":")
            if key.split(";")[0] in ("UID", "SUMMARY", "DTSTART", "DUE"):
                fields.setdefault(key.split(";")[0], value)
        found[fields["UID"]] = (kind, fields.get("SUMMARY", ""),
                                fields.get("DTSTART") or fields.get("DUE", ""))
    return found


def held_texts(calendar) -> list[str]:
    texts = []
    for obj in calendar.children():
        resource = caldav.CalendarObjectResource(client=calendar.client, url=obj[0],
                                                 parent=calendar)
        resource.load()
        texts.append(resource.data)
    return texts


def etags(calendar) -> dict[str, str]:
    body = ('<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop>'
            '</d:propfind>')
    return {r.href: r.properties.get("{DAV:}getetag") for r in
            calendar.client.propfind(str(calendar.url), props=body, depth=1).results}


def vault_for(make_vault, url: str, extra: str = "") -> Path:
    return make_vault({
        "clients/anouk/client.md": client_note(name="Anouk de Graaf", start_date="2026-09-01"),
        "clients/anouk/sessions/2026-12-01-coaching.md": session_note(
            "anouk", date="2026-12-01", number=3, next="2026-12-10T14:00",
            actions=[{"text": "Vacature bij De Regenboog sturen", "due": "2026-12-08"}]),
        "clients/bram/client.md": client_note(name="Bram Hoekstra", status="follow-up",
                                              end_date="2026-11-30",
                                              follow_ups=[{"due": "2027-03-01"}]),
    }, settings=f"calendar_server:\n  url: {url}\n  user: coach\n{extra}")


def sync(root: Path, password: str = PASSWORD):
    env = {"COACHNOTES_CALDAV_PASSWORD": password}
    return run_cli("--vault", str(root), "calendar", "sync", "--today", TODAY, env=env)


@pytest.mark.slow
def test_the_calendar_holds_what_is_due_once_and_the_coachs_own_events_stay(
        make_vault, server, monkeypatch):
    root = vault_for(make_vault, server["url"])
    calendar = server["calendar"]

    first = sync(root)

    assert first.returncode == 0, first.stderr
    due = [i for i in json.loads(run_cli("--vault", str(root), "due", "--all", "--json",
                                         "--today", TODAY).stdout) if i["due"]]
    objects = held(calendar)
    ours = {uid: o for uid, o in objects.items() if uid.endswith("@coachnotes")}
    assert len(ours) == len(due) == 3
    kinds = sorted((kind, summary) for kind, summary, _start in ours.values())
    assert kinds == [("VEVENT", "A.d.G.: Next conversation"),
                     ("VEVENT", "B.H.: Hold follow-up conversation 1"),
                     ("VTODO", "A.d.G.: Action")]  # initials; an action by its kind
    assert any(start.startswith("20261210T140000") for _k, _s, start in ours.values())
    assert objects["tandarts@example"][1] == "Tandarts"
    text = "".join(raw for raw in held_texts(calendar))
    assert "Anouk de Graaf" not in text and "Regenboog" not in text
    assert "BEGIN:VALARM" in text  # the reminder on the timed conversation

    before = etags(calendar)
    again = sync(root)
    assert again.returncode == 0, again.stderr
    assert "0 new, 0 changed, 0 removed, 3 unchanged" in again.stdout
    assert etags(calendar) == before  # a second run changes nothing on the server

    note = root / "clients/anouk/sessions/2026-12-01-coaching.md"
    note.write_text(note.read_text(encoding="utf-8").replace("2026-12-10T14:00",
                                                             "2026-12-11T09:30")
                    .replace("due: '2026-12-08'", "due: '2026-12-08'\n  done: true"),
                    encoding="utf-8")
    moved = sync(root)
    assert moved.returncode == 0, moved.stderr
    after = held(calendar)
    assert not [o for o in after.values() if o[0] == "VTODO"]  # done: gone from the phone
    assert any(start.startswith("20261211T093000") for _k, _s, start in after.values())
    assert "tandarts@example" in after  # never touched
    for path in root.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_a_refused_password_or_a_server_down_is_one_clear_line_and_exit_3(make_vault, server):
    root = vault_for(make_vault, server["url"])
    refused = sync(root, password="fout")
    assert refused.returncode == 3, refused.stderr
    assert "refused the user name or password" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
    server["process"].kill()
    server["process"].wait()
    down = sync(root)
    assert down.returncode == 3 and "could not reach the calendar server" in down.stderr
    assert "Traceback" not in down.stderr
    server["process"] = start_radicale(server["folder"], server["port"])
    back = sync(root)  # the next run catches up
    assert back.returncode == 0, back.stderr
    assert "3 new" in back.stdout


def test_forget_takes_the_clients_items_off_the_calendar_server(make_vault, server):
    root = vault_for(make_vault, server["url"])
    assert sync(root).returncode == 0
    assert any(s.startswith("A.d.G.") for _k, s, _d in held(server["calendar"]).values())

    done = run_cli("--vault", str(root), "forget", "anouk", "--yes", "--today", TODAY,
                   env={"COACHNOTES_CALDAV_PASSWORD": PASSWORD})

    assert done.returncode == 0, done.stderr
    left = held(server["calendar"])
    assert not any(s.startswith("A.d.G.") for _k, s, _d in left.values())
    assert any(s.startswith("B.H.") for _k, s, _d in left.values())  # the others stay
    assert "tandarts@example" in left


def test_watch_puts_a_new_appointment_on_the_phone_after_a_save(make_vault, server):
    from conftest import coachnotes_command

    root = vault_for(make_vault, server["url"], extra="  watch: yes\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACHNOTES_")}
    watcher = subprocess.Popen([coachnotes_command(), "--vault", str(root), "watch", "--today",
                                TODAY], env={**env, "COACHNOTES_CALDAV_PASSWORD": PASSWORD},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in watcher.stdout:
            if "watching" in line or "volgen" in line:
                break
        (root / "clients/anouk/sessions/2026-12-03-coaching.md").write_text(session_note(
            "anouk", date="2026-12-03", number=4, next="2026-12-17T11:00"), encoding="utf-8")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            starts = [d for _k, _s, d in held(server["calendar"]).values()]
            if any(d.startswith("20261217T110000") for d in starts):
                break
            time.sleep(0.3)
        assert any(d.startswith("20261217T110000") for d in starts), starts
    finally:
        watcher.terminate()
        watcher.wait(timeout=20)
