"""Obsidian, phones and calendars (SPEC v2 §3, 4, 5, 8, 10, 12): notes as Obsidian writes them,
a calendar of timed conversations, and an editor's own state synced without conflict copies."""

from __future__ import annotations

import datetime as dt
import json

from coachnotes.vault.load import load_vault
from conftest import TODAY, git, run_cli, vault_with_remote, write_files

CLIENT = """\
---
type: client
name: Anouk de Graaf
status: active
aliases:
  - Anouk
cssclasses:
  - client
tags: loopbaan, gemeente
intake_date: 2026-06-22
start_date: 2026-07-06
reason: Verliest het overzicht als er veel tegelijk komt.
goals:
  - Zelf prioriteiten stellen
assessment:
  decision: "yes"
---

# Anouk de Graaf
"""


def session(client: str, when: str, number: int, extra: str = "") -> str:
    return (f"---\ntype: session\nclient: \"{client}\"\ndate: {when}\nkind: coaching\n"
            f"number: {number}\nduration: 45\ntags:\n  - coaching\n{extra}---\n\nNotities.\n")


def obsidian_vault(make_vault):
    return make_vault({
        "clients/anouk-de-graaf/client.md": CLIENT,
        "clients/anouk-de-graaf/sessions/2026-10-26-coaching.md":
            session("[[anouk-de-graaf]]", "2026-10-26T14:30", 5),
        "clients/anouk-de-graaf/sessions/2026-11-09-coaching.md":
            session("[[clients/anouk-de-graaf/client|Anouk]]", "2026-11-09 10:00", 6),
        "clients/anouk-de-graaf/sessions/2026-11-16-coaching.md":
            session("[[Anouk de Graaf]]", "2026-11-16T14:30", 7, "next: 2026-12-03T10:00\n")},
        settings="coach: Marieke Verhoeven\n")


def test_notes_as_obsidian_writes_them_read_as_meant(make_vault):
    root = obsidian_vault(make_vault)
    check = run_cli("--vault", str(root), "check", "--strict", "--today", TODAY)
    assert check.returncode == 0, check.stdout
    vault = load_vault(root)
    client = vault.clients["anouk-de-graaf"]
    assert client.values["tags"] == ["loopbaan", "gemeente"]
    assert [(s.date, s.time) for s in client.sessions] == [
        (dt.date(2026, 10, 26), "14:30"), (dt.date(2026, 11, 9), "10:00"),
        (dt.date(2026, 11, 16), "14:30")]
    (row,) = json.loads(run_cli("--vault", str(root), "list", "--json", "--today",
                                TODAY).stdout)
    assert (row["sessions"], row["next"]) == (3, "2026-12-03")
    (item,) = json.loads(run_cli("--vault", str(root), "due", "--json", "--today",
                                 TODAY).stdout)
    assert (item["kind"], item["due"], item["time"]) == ("session", "2026-12-03", "10:00")
    shown = run_cli("--vault", str(root), "show", "anouk-de-graaf", "--today", TODAY).stdout
    assert "2026-11-16 14:30" in shown and "→ next 2026-12-03 10:00" in shown
    table = run_cli("--vault", str(root), "due", "--today", TODAY).stdout
    assert "2026-12-03 10:00" in table
    run_cli("--vault", str(root), "index", "--today", TODAY)
    page = (root / "clients/anouk-de-graaf/README.md").read_text()
    assert page.count("| coaching ") == 3


def test_a_link_to_a_client_that_does_not_exist_is_named(make_vault):
    root = obsidian_vault(make_vault)
    write_files(root, {"clients/anouk-de-graaf/sessions/2026-11-20-coaching.md":
                       session("[[Anouk de Graf]]", "2026-11-20T09:00", 8)})
    problems = json.loads(run_cli("--vault", str(root), "check", "--json", "--today",
                                  TODAY).stdout)
    codes = {p["code"] for p in problems if p["path"].endswith("2026-11-20-coaching.md")}
    assert codes == {"E020", "E021"}
    assert any("[[Anouk de Graf]]" in p["message"] for p in problems)


def test_the_calendar_has_timed_events_at_the_right_instant_across_summer_time(make_vault,
                                                                                tmp_path):
    import icalendar

    root = make_vault({
        "clients/anouk-de-graaf/client.md": CLIENT,
        "clients/anouk-de-graaf/sessions/2026-10-23-coaching.md":
            session("anouk-de-graaf", "2026-10-23T09:00", 5),
        "clients/anouk-de-graaf/sessions/2026-10-26-coaching.md":
            session("anouk-de-graaf", "2026-10-26T09:00", 6).replace("duration: 45",
                                                                     "duration: 90"),
        "clients/anouk-de-graaf/sessions/2026-09-28-coaching.md":
            session("anouk-de-graaf", "2026-09-28", 4, "next: 2026-10-30\n")},
        settings="coach: Marieke Verhoeven\ntimezone: Europe/Amsterdam\n")
    ics = tmp_path / "agenda.ics"
    for _ in range(2):
        result = run_cli("--vault", str(root), "due", "--all", "--ics", str(ics), "--today",
                         "2026-10-01")
        assert result.returncode == 0, result.stderr
        calendar = icalendar.Calendar.from_ical(ics.read_bytes())
        events = sorted(calendar.walk("VEVENT"), key=lambda e: str(e["uid"]))
        uids = [str(e["uid"]) for e in events]
        if _ == 0:
            first = uids
    assert uids == first  # stable: a subscribed calendar updates instead of duplicating
    assert str(calendar["x-wr-calname"]) == "coachnotes — Marieke Verhoeven"
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/Amsterdam"
    timed = {e.decoded("dtstart").astimezone(dt.timezone.utc):
             e.decoded("dtend") - e.decoded("dtstart")
             for e in events if isinstance(e.decoded("dtstart"), dt.datetime)}
    utc = dt.timezone.utc
    assert timed == {dt.datetime(2026, 10, 23, 7, 0, tzinfo=utc): dt.timedelta(minutes=45),
                     dt.datetime(2026, 10, 26, 8, 0, tzinfo=utc): dt.timedelta(minutes=90)}
    # the `next: 2026-10-30` agreed on 28 September has no time of day: an all-day event
    (all_day,) = [e for e in events if not isinstance(e.decoded("dtstart"), dt.datetime)]
    assert all_day.decoded("dtstart") == dt.date(2026, 10, 30)
    assert all_day.decoded("dtend") - all_day.decoded("dtstart") == dt.timedelta(days=1)


def test_an_unknown_time_zone_is_reported_on_the_settings(make_vault):
    root = make_vault({"clients/anouk-de-graaf/client.md": CLIENT},
                      settings="timezone: Europe/Utrecht\n")
    problems = json.loads(run_cli("--vault", str(root), "check", "--json").stdout)
    assert [(p["path"], p["code"]) for p in problems if p["code"][0] == "E"] == \
        [("coachnotes.yml", "E013")]


def test_editor_state_keeps_this_device_s_version_and_other_files_get_a_copy(tmp_path,
                                                                             git_env):
    a, remote = vault_with_remote(tmp_path, git_env, "a")
    b = tmp_path / "b"
    write_files(a, {".obsidian/app.json": '{"theme": "licht"}\n',
                    "dagboek.txt": "maandag\n"})
    assert run_cli("--vault", str(a), "sync", env=git_env).returncode == 0
    git(tmp_path, "clone", "-q", "-b", "main", str(remote), str(b))
    write_files(a, {".obsidian/app.json": '{"theme": "donker"}\n', "dagboek.txt": "A\n"})
    assert run_cli("--vault", str(a), "sync", env={**git_env, "COACHNOTES_DEVICE": "a"}
                   ).returncode == 0
    write_files(b, {".obsidian/app.json": '{"theme": "sepia"}\n', "dagboek.txt": "B\n"})
    result = run_cli("--vault", str(b), "sync", env={**git_env, "COACHNOTES_DEVICE": "b"})
    assert result.returncode == 0, result.stderr
    assert (b / ".obsidian/app.json").read_text() == '{"theme": "sepia"}\n'
    assert not list((b / ".obsidian").glob("*conflict*"))
    assert (b / "dagboek.txt").read_text() == "B\n"
    (copy,) = b.glob("dagboek.conflict-a-*.txt")
    assert copy.read_text() == "A\n"
    assert git(b, "status", "--porcelain") == ""
    problems = json.loads(run_cli("--vault", str(b), "check", "--json").stdout)
    (w108,) = [p for p in problems if p["code"] == "W108"]
    assert "the file dagboek.txt" in w108["message"]
