"""What is due (SPEC §10) on hand-written vaults: every rule, every edge."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coachnotes.answers.due import Window, due_items
from coachnotes.vault.load import load_vault
from conftest import RACY_SECONDS, TODAY, client_note, run_cli, session_note

D = dt.date
TODAY_DATE = D.fromisoformat(TODAY)
JAN = "clients/jan/client.md"


def sessions_dir(name: str) -> str:
    return f"clients/jan/sessions/{name}.md"


def items(make_vault, files, window=None, settings_text=""):
    vault = load_vault(make_vault(files, settings_text))
    return due_items(vault, TODAY_DATE, window or Window(None))


def kinds_and_dates(found):
    return [(i.kind, i.due.isoformat()) for i in found]


def follow_up_client(follow_ups, status="follow-up"):
    return client_note(status=status, end_date="2026-06-01", follow_ups=follow_ups)


def test_follow_ups_completed_by_number_by_order_cancelled_and_done(make_vault):
    entries = [{"due": D(2026, 9, 1)}, {"due": D(2026, 12, 1)}, {"due": D(2027, 3, 1)},
               {"due": D(2027, 6, 1), "cancelled": "verhuisd"},
               {"due": D(2027, 9, 1), "done": D(2027, 9, 2)}]
    files = {JAN: follow_up_client(entries),
             # no number: the first follow-up session completes the earliest entry
             sessions_dir("a"): session_note(date="2026-09-03", kind="follow-up"),
             # by number: completes entry 3, not entry 2
             sessions_dir("b"): session_note(date="2026-11-01", kind="follow-up", follow_up=3)}
    assert kinds_and_dates(items(make_vault, files)) == [("follow-up", "2026-12-01")]
    (item,) = items(make_vault, files)
    assert item.text == "Hold follow-up conversation 2" and item.path == JAN


def test_follow_up_sessions_by_order_count_by_date_not_by_file_name(make_vault):
    entries = [{"due": D(2027, 3, 1)}, {"due": D(2026, 9, 1)}]  # written out of order
    files = {JAN: follow_up_client(entries),
             sessions_dir("zzz"): session_note(date="2026-09-02", kind="follow-up")}
    assert kinds_and_dates(items(make_vault, files)) == [("follow-up", "2027-03-01")]


def test_plan_follow_up_when_none_planned_with_month_end_arithmetic(make_vault):
    files = {JAN: client_note(status="closed", end_date="2026-11-30")}
    assert kinds_and_dates(items(make_vault, files)) == [("plan-follow-up", "2027-02-28")]
    leap = {JAN: client_note(status="follow-up", end_date="2027-11-30")}
    assert kinds_and_dates(items(make_vault, leap)) == [("plan-follow-up", "2028-02-29")]
    first_offset = items(make_vault, files, settings_text="follow_up_months: [1, 2]\n")
    assert kinds_and_dates(first_offset) == [("plan-follow-up", "2026-12-30")]


def test_a_client_with_no_sessions_has_nothing_due(make_vault):
    assert items(make_vault, {JAN: client_note()}) == []


def test_next_is_satisfied_by_a_later_conversation_of_any_kind(make_vault):
    agreed = {JAN: client_note(),
              sessions_dir("a"): session_note(date="2026-11-01", number=1, next="2026-11-15")}
    assert kinds_and_dates(items(make_vault, agreed)) == [("session", "2026-11-15")]
    held = dict(agreed)
    held[sessions_dir("b")] = session_note(date="2026-11-16", kind="tripartite")
    assert items(make_vault, held) == []
    on_the_day = dict(agreed)
    on_the_day[sessions_dir("b")] = session_note(date="2026-11-15", kind="evaluation")
    assert items(make_vault, on_the_day) == []


def test_next_of_the_latest_conversation_only_and_only_while_intake_or_active(make_vault):
    files = {JAN: client_note(),
             sessions_dir("a"): session_note(date="2026-11-01", number=1, next="2026-11-15"),
             sessions_dir("b"): session_note(date="2026-11-10", number=2, next="2026-12-01")}
    assert kinds_and_dates(items(make_vault, files)) == [("session", "2026-12-01")]
    files[JAN] = client_note(status="closed", end_date="2026-11-10",
                             follow_ups=[{"due": D(2027, 2, 10)}])
    assert kinds_and_dates(items(make_vault, files)) == [("follow-up", "2027-02-10")]


def test_actions_plain_text_are_never_due_mappings_are_until_done(make_vault):
    actions = ["Boek lezen", {"text": "Gesprek met HR", "due": D(2026, 12, 1)},
               {"text": "Verslag", "due": D(2026, 11, 1), "done": True},
               {"text": "Zonder datum"}]
    files = {JAN: client_note(),
             sessions_dir("a"): session_note(date="2026-11-01", actions=actions)}
    found = items(make_vault, files)
    assert [(i.kind, i.text, i.path) for i in found] == [
        ("action", "Gesprek met HR", sessions_dir("a"))]


def test_window_edges(make_vault):
    def with_action(due):
        return {JAN: client_note(), sessions_dir("a"): session_note(
            date="2026-11-01", actions=[{"text": "x", "due": due}])}

    default = Window(TODAY_DATE + dt.timedelta(days=14))
    assert items(make_vault, with_action(TODAY_DATE), default)  # due today
    assert items(make_vault, with_action(D(2026, 12, 11)), default)  # exactly at the end
    assert not items(make_vault, with_action(D(2026, 12, 12)), default)
    overdue = Window(None, overdue_only=True)
    assert not items(make_vault, with_action(TODAY_DATE), overdue)
    assert items(make_vault, with_action(D(2026, 11, 26)), overdue)


def test_sorted_by_due_date_then_client(make_vault):
    files = {}
    for cid, next_date in (("piet", "2026-12-01"), ("anna", "2026-12-01"), ("bob", "2026-11-30")):
        files[f"clients/{cid}/client.md"] = client_note(cid)
        files[f"clients/{cid}/sessions/a.md"] = session_note(cid, date="2026-11-20",
                                                             next=next_date)
    assert [(i.client, i.due.day) for i in items(make_vault, files)] == [
        ("bob", 30), ("anna", 1), ("piet", 1)]


@settings(max_examples=60, deadline=None)
@given(end=st.dates(D(2000, 1, 1), D(2090, 12, 31)), offset=st.integers(1, 24))
def test_plan_follow_up_is_calendar_correct_for_any_end_date(tmp_path_factory, end, offset):
    from dateutil.relativedelta import relativedelta

    root = tmp_path_factory.mktemp("v")
    (root / "coachnotes.yml").write_text(f"language: en\nfollow_up_months: [{offset}]\n")
    path = root / JAN
    path.parent.mkdir(parents=True)
    path.write_text(client_note(status="closed", end_date=end.isoformat()))
    (item,) = due_items(load_vault(root, use_cache=False), TODAY_DATE, Window(None))
    assert item.due == end + relativedelta(months=offset)
    assert item.due.day <= end.day and (item.due.month - end.month) % 12 == offset % 12


def test_cli_window_options_and_json(make_vault):
    files = {JAN: client_note(), sessions_dir("a"): session_note(
        date="2026-11-01", actions=[{"text": "vandaag", "due": TODAY_DATE},
                                    {"text": "later", "due": D(2026, 12, 20)},
                                    {"text": "vroeger", "due": D(2026, 11, 2)}])}
    root = make_vault(files)

    def texts(*args):
        result = run_cli("--vault", str(root), "due", "--json", "--today", TODAY, *args)
        assert result.returncode == 0, result.stderr
        return [i["text"] for i in json.loads(result.stdout)]

    assert texts() == ["vroeger", "vandaag"]
    assert texts("--within", "30") == ["vroeger", "vandaag", "later"]
    assert texts("--within", "0") == ["vroeger", "vandaag"]
    assert texts("--overdue") == ["vroeger"]
    assert texts("--all") == ["vroeger", "vandaag", "later"]
    item = json.loads(run_cli("--vault", str(root), "due", "--json", "--today", TODAY).stdout)[0]
    assert item == {"client": "jan", "name": "Jan de Vries", "kind": "action",
                    "due": "2026-11-02", "time": None, "overdue_days": 25, "text": "vroeger",
                    "path": "clients/jan/sessions/a.md"}


def test_unknown_client_is_a_clear_error(make_vault):
    root = make_vault({JAN: client_note()})
    result = run_cli("--vault", str(root), "due", "--client", "jn", "--today", TODAY)
    assert result.returncode == 1
    assert "no client 'jn'" in result.stderr and "jan" in result.stderr
    assert "Traceback" not in result.stderr


def at_a_terminal(args: list[str], columns: int) -> str:
    """Run the installed command with its output on a pseudo-terminal of `columns` columns."""
    import pty

    from conftest import coachnotes_command

    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACHNOTES_")}
    env.update(COLUMNS=str(columns), COACHNOTES_RACY_SECONDS=str(RACY_SECONDS), NO_COLOR="1")
    process = subprocess.Popen([coachnotes_command(), *args], stdout=follower,
                               stderr=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=30)
    os.close(leader)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_a_table_fits_the_terminal_and_is_never_cut_when_piped(make_vault):
    long_name = "Maximiliaan Alexander van Oranje-Nassau tot Bovenste Berg"
    action = "Een heel lange actie " * 6
    files = {JAN: client_note(name=long_name), sessions_dir("a"): session_note(
        date="2026-11-01", actions=[{"text": action, "due": D(2026, 11, 2)}])}
    root = make_vault(files)
    piped = run_cli("--vault", str(root), "due", "--today", TODAY, process=True).stdout
    assert long_name in piped and action.strip() in piped and "…" not in piped
    for columns in (80, 132):
        shown = at_a_terminal(["--vault", str(root), "due", "--today", TODAY], columns)
        lines = shown.splitlines()
        assert len(lines) == 2 and all(len(line) <= columns for line in lines), shown
        assert "…" in lines[1] and "\x1b[" not in shown
    wide = at_a_terminal(["--vault", str(root), "list"], 200)
    assert long_name in wide


def test_ics_parses_back_with_stable_uids(make_vault, tmp_path):
    import icalendar

    files = {JAN: client_note(status="follow-up", end_date="2026-06-01",
                              follow_ups=[{"due": D(2026, 9, 1)}, {"due": D(2026, 12, 1)}]),
             sessions_dir("a"): session_note(date="2026-05-01", actions=[
                 {"text": "Verslag", "due": D(2026, 11, 20)}])}
    root = make_vault(files)
    calendars = []
    for run in (1, 2):
        target = tmp_path / f"due{run}.ics"
        result = run_cli("--vault", str(root), "due", "--all", "--ics", str(target),
                         "--today", TODAY)
        assert result.returncode == 0, result.stderr
        calendars.append(icalendar.Calendar.from_ical(target.read_bytes()))
    events = [list(c.walk("VEVENT")) for c in calendars]
    # the action of the ended trajectory is no due item, so no event (SPEC §10, v4)
    assert [e.decoded("dtstart") for e in events[0]] == [D(2026, 9, 1), D(2026, 12, 1)]
    assert [str(e["uid"]) for e in events[0]] == [str(e["uid"]) for e in events[1]]
    assert len({str(e["uid"]) for e in events[0]}) == 2
    assert str(events[0][0]["summary"]).startswith("J.d.V.: ")  # initials: calendars go to clouds
    assert "Jan de Vries" not in target.read_text()
    assert str(events[0][0]["description"]) == "follow-up"  # its kind: no path, no note text
    assert "clients/" not in target.read_text()
    assert oct(os.stat(tmp_path / "due1.ics").st_mode & 0o777) == "0o600"


def in_terminal(args: list[str], env: dict | None = None) -> str:
    """Output of the installed command run in a pseudo-terminal (as at a coach's prompt)."""
    import shlex
    import shutil
    import subprocess

    from conftest import coachnotes_command

    if not shutil.which("script"):
        pytest.skip("util-linux `script` is needed for a pseudo-terminal")
    command = " ".join(shlex.quote(a) for a in [coachnotes_command(), *args])
    full_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    full_env.update({"TERM": "xterm", **(env or {})})
    result = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True,
                            text=True, env=full_env, timeout=60, stdin=subprocess.DEVNULL)
    return result.stdout


def test_overdue_items_are_red_at_a_terminal_unless_no_color(make_vault):
    root = make_vault({JAN: client_note(), sessions_dir("a"): session_note(
        date="2026-11-01", actions=[{"text": "te laat", "due": D(2026, 11, 2)},
                                    {"text": "op tijd", "due": D(2026, 12, 2)}])})
    args = ["--vault", str(root), "due", "--today", TODAY]
    colored = in_terminal(args)
    late = [line for line in colored.splitlines() if "te laat" in line]
    assert late and "\x1b[31m" in late[0]
    assert "\x1b[" not in [line for line in colored.splitlines() if "op tijd" in line][0]
    assert "\x1b[" not in in_terminal(args, {"NO_COLOR": "1"})


def test_a_second_track_is_evaluated_every_six_weeks_until_one_is_held(make_vault):
    """SPEC §10 (v4): `evaluation` items at start + 6, 12, … weeks while active; an
    evaluation held within 7 days of a date settles it."""
    import json

    root = make_vault({
        "clients/jan/client.md": client_note(programme="second-track",
                                             start_date="2026-09-01",
                                             planned_end="2026-12-31"),
        "clients/jan/sessions/2026-10-16-evaluation.md": session_note(
            date="2026-10-16", kind="evaluation"),  # week 6 is 2026-10-13: 3 days off
    })
    done = run_cli("--vault", str(root), "due", "--all", "--json", "--today", "2026-11-27")
    items = [i for i in json.loads(done.stdout) if i["kind"] == "evaluation"]
    assert [i["due"] for i in items] == ["2026-11-24", "2027-01-05"]  # weeks 12 and 18
    assert items[0]["overdue_days"] == 3 and "week 12" in items[0]["text"]
    plain = make_vault({"clients/jan/client.md": client_note(start_date="2026-09-01")})
    done = run_cli("--vault", str(plain), "due", "--all", "--json", "--today", "2026-11-27")
    assert not [i for i in json.loads(done.stdout) if i["kind"] == "evaluation"]
