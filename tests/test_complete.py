"""Complete answers (SPEC v2 §3, 4, 7–10, 12): `due`, `list`, the pages and `sync` never leave
something out in silence — a note that cannot be read is a `fix` item, a note prepared in
advance is a conversation, an action without a date is still an action."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import (
    TODAY,
    client_note,
    git,
    note,
    run_cli,
    session_note,
    vault_with_remote,
    write_files,
)

JAN = "clients/jan/client.md"
D = dt.date


def due_json(root, *args) -> list[dict]:
    result = run_cli("--vault", str(root), "due", "--json", "--today", TODAY, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def kinds(items) -> list[tuple]:
    return [(i["kind"], i["due"], i["path"].rpartition("/")[2]) for i in items]


def test_a_typo_in_a_date_is_a_fix_item_first_in_every_window(make_vault):
    root = make_vault({
        JAN: client_note(),
        "clients/jan/sessions/a.md": session_note(date="2026-11-02", next="2026-12-20"),
        "clients/jan/sessions/b.md": session_note(date="16-11-2026", next="2026-12-01"),
        "clients/piet/client.md": client_note("piet", name="Piet"),
        "clients/piet/sessions/c.md": session_note("piet", date="2026-11-01", actions=[
            {"text": "bellen", "due": D(2026, 11, 2)}])})
    for args in ([], ["--overdue"], ["--all"], ["--within", "0"], ["--client", "jan"]):
        items = due_json(root, *args)
        assert items[0]["kind"] == "fix", args
        assert items[0] == {"client": "jan", "name": "Jan de Vries", "kind": "fix",
                            "due": TODAY, "time": None, "overdue_days": 0,
                            "text": items[0]["text"], "path": "clients/jan/sessions/b.md"}
        assert items[0]["text"].startswith("E012 ") and "2026-11-16" in items[0]["text"]
    assert [i["kind"] for i in due_json(root, "--client", "piet")] == ["action"]
    table = run_cli("--vault", str(root), "due", "--today", TODAY).stdout.splitlines()
    assert "fix" in table[1] and "clients/jan" not in table[1]
    page = (root / "FOLLOW-UPS.md")
    run_cli("--vault", str(root), "index", "--today", TODAY)
    text = page.read_text()
    assert text.index("## To fix (1)") < text.index("## Overdue")
    assert "[clients/jan/sessions/b.md](clients/jan/sessions/b.md)" in text
    ics = root / "due.ics"
    run_cli("--vault", str(root), "due", "--all", "--ics", str(ics), "--today", TODAY)
    # the fix item stays out; the action is in it, by its kind (calendar_details: kind)
    assert "E012" not in ics.read_text() and "SUMMARY:P.: Action" in ics.read_text()
    assert "bellen" not in ics.read_text()


def test_settings_with_an_error_are_a_fix_item_of_no_client(make_vault):
    root = make_vault({JAN: client_note()}, settings="due_within_days: veertien\n")
    (item,) = due_json(root)
    assert (item["kind"], item["client"], item["path"]) == ("fix", "", "coachnotes.yml")


def test_a_note_prepared_in_advance_is_a_conversation_and_hides_no_agreed_next(make_vault):
    held = session_note(date="2026-11-20", next="2026-12-04", number=1)
    root = make_vault({JAN: client_note(), "clients/jan/sessions/a.md": held,
                       "clients/jan/sessions/b.md": session_note(date="2026-12-01", number=2)})
    assert kinds(due_json(root)) == [("session", "2026-12-01", "b.md"),
                                     ("session", "2026-12-04", "a.md")]
    listed = json.loads(run_cli("--vault", str(root), "list", "--json", "--today", TODAY).stdout)
    assert (listed[0]["sessions"], listed[0]["next"]) == (1, "2026-12-01")  # held only
    (root / "clients/jan/sessions/b.md").write_text(session_note(date="2026-12-04", number=2))
    assert kinds(due_json(root)) == [("session", "2026-12-04", "b.md")]  # the same meeting


def test_a_cancelled_conversation_counts_nowhere_and_keeps_the_appointment_open(make_vault):
    root = make_vault({
        JAN: client_note(planned_sessions=1),
        "clients/jan/sessions/a.md": session_note(date="2026-11-02", next="2026-11-16",
                                                  number=1),
        "clients/jan/sessions/b.md": session_note(date="2026-11-16", number=2,
                                                  cancelled="afgezegd")})
    assert kinds(due_json(root)) == [("session", "2026-11-16", "a.md")]
    problems = run_cli("--vault", str(root), "check", "--json", "--today", TODAY).stdout
    assert "W101" not in problems  # one held of one planned


def test_an_action_without_a_date_is_due_at_the_next_conversation(make_vault):
    actions = ["Hoofdstuk teruglezen", {"text": "Planning delen", "due": D(2026, 12, 1)}]
    root = make_vault({JAN: client_note(), "clients/jan/sessions/a.md": session_note(
        date="2026-11-16", next="2026-12-03", actions=actions)})
    assert kinds(due_json(root)) == [("action", "2026-12-01", "a.md"),
                                     ("session", "2026-12-03", "a.md"),
                                     ("action", "2026-12-03", "a.md")]
    # no next conversation: undated, and only --all and --client show it
    (root / "clients/jan/sessions/a.md").write_text(session_note(date="2026-11-16",
                                                                 actions=actions))
    assert [i["text"] for i in due_json(root)] == ["Planning delen"]
    table = run_cli("--vault", str(root), "due", "--today", TODAY).stdout
    assert table.splitlines()[-1].startswith("1 action(s) without a date")
    assert "--all" in table.splitlines()[-1]
    for args in (["--all"], ["--client", "jan"]):
        last = due_json(root, *args)[-1]
        assert (last["text"], last["due"], last["overdue_days"]) == \
            ("Hoofdstuk teruglezen", None, None)
    # a later conversation was held: there it was discussed
    write_files(root, {"clients/jan/sessions/b.md": session_note(date="2026-11-23")})
    assert [i["text"] for i in due_json(root, "--all")] == ["Planning delen"]


def test_a_paused_trajectory_has_no_stall_warning_and_no_conversation_due(make_vault):
    root = make_vault({JAN: client_note(status="paused", start_date="2026-01-12"),
                       "clients/jan/sessions/2026-02-02-coaching.md": session_note(
                           date="2026-02-02", next="2026-02-16")})
    problems = json.loads(run_cli("--vault", str(root), "check", "--json", "--today",
                                  TODAY).stdout)
    assert [p["code"] for p in problems] == []  # W102 and W107 would fire if active
    assert due_json(root, "--all") == []
    page = run_cli("--vault", str(root), "index", "--today", TODAY)
    assert page.returncode == 0 and "## Paused (1)" in (root / "INDEX.md").read_text()


def test_an_extension_mapping_extends_the_plan_and_warns_past_it(make_vault):
    sessions = {f"clients/jan/sessions/2026-11-0{n}-coaching.md": session_note(
        date=f"2026-11-0{n}", number=n) for n in range(1, 5)}
    extension = {"reason": "Reorganisatie loopt door", "sessions": 1, "until": D(2026, 12, 31)}
    root = make_vault({JAN: client_note(planned_sessions=2, extension=extension), **sessions})
    codes = [p["code"] for p in json.loads(run_cli("--vault", str(root), "check", "--json",
                                                   "--today", TODAY).stdout)]
    assert codes == ["W101"]  # 4 held, 2 + 1 planned; the end moved to 31 December: no W102
    extension["sessions"] = 2
    write_files(root, {JAN: client_note(planned_sessions=2, extension=extension)})
    assert run_cli("--vault", str(root), "check", "--strict", "--today", TODAY).returncode == 0
    run_cli("--vault", str(root), "index", "--today", TODAY)
    page = (root / "clients/jan/README.md").read_text()
    assert "## Extension" in page and "2 extra sessions" in page and "2026-12-31" in page


def test_a_note_outside_clients_is_named_with_the_place_it_belongs(make_vault):
    root = make_vault({JAN: client_note(),
                       "Inbox/2026-11-20-coaching.md": session_note(date="2026-11-20"),
                       "dagboek.md": "# Mijn eigen aantekeningen\n\ngeen front matter\n",
                       "templates/coaching.md": session_note(date="{{date}}"),
                       ".obsidian/x.md": session_note(),
                       "Nieuwe cliënt.md": note({"type": "client", "name": "Piet Puk",
                                                 "status": "intake",
                                                 "intake_date": "2026-11-01"})})
    problems = [p for p in json.loads(run_cli("--vault", str(root), "check", "--json",
                                              "--today", TODAY).stdout) if p["code"][0] == "E"]
    assert [(p["path"], p["code"]) for p in problems] == [
        ("Inbox/2026-11-20-coaching.md", "E021"), ("Nieuwe cliënt.md", "E021")]
    assert "clients/jan/sessions/2026-11-20-coaching.md" in problems[0]["message"]
    assert "clients/piet-puk/client.md" in problems[1]["message"]
    fixes = [i["path"] for i in due_json(root) if i["kind"] == "fix"]
    assert sorted(fixes) == ["Inbox/2026-11-20-coaching.md", "Nieuwe cliënt.md"]


def test_a_renamed_client_folder_is_one_problem_with_the_fix(make_vault):
    files = {"clients/jan/client.md": client_note()}
    files.update({f"clients/jan/sessions/{n}.md": session_note(date=f"2026-11-0{n}", number=n)
                  for n in range(1, 6)})
    root = make_vault(files)
    os.rename(root / "clients/jan", root / "clients/jan-de-vries")
    result = run_cli("--vault", str(root), "check", "--json", "--today", TODAY)
    problems = json.loads(result.stdout)
    assert [(p["path"], p["code"]) for p in problems] == [
        ("clients/jan-de-vries/client.md", "E021")]
    assert "coachnotes rename jan jan-de-vries" in problems[0]["message"]


def test_conversations_held_during_intake_and_follow_ups_beyond_the_plan(make_vault):
    root = make_vault({
        JAN: client_note(status="intake", start_date=None, reason=None,
                         intake_date="2026-11-02"),
        "clients/jan/sessions/2026-11-02-intake.md": session_note(date="2026-11-02",
                                                                   kind="intake"),
        "clients/jan/sessions/2026-11-09-coaching.md": session_note(date="2026-11-09", number=1),
        "clients/jan/sessions/2026-11-16-follow-up.md": session_note(
            date="2026-11-16", kind="follow-up", scores=[6]),
        "clients/jan/sessions/2026-12-16-coaching.md": session_note(date="2026-12-16",
                                                                    number=2)})  # planned
    problems = json.loads(run_cli("--vault", str(root), "check", "--json", "--today",
                                  TODAY).stdout)
    found = [(p["path"].rpartition("/")[2], p["code"]) for p in problems]
    assert found == [("client.md", "W113"), ("2026-11-16-follow-up.md", "W114")]
    assert "2 conversation(s)" in problems[0]["message"]


def test_list_shows_the_real_end_and_the_next_conversation(make_vault):
    root = make_vault({JAN: client_note(status="follow-up", end_date="2026-09-30",
                                        follow_ups=[{"due": D(2026, 12, 30)}])})
    (row,) = json.loads(run_cli("--vault", str(root), "list", "--json", "--today",
                                TODAY).stdout)
    assert (row["end_date"], row["planned_end"], row["next"]) == \
        ("2026-09-30", "2026-07-12", None)
    table = run_cli("--vault", str(root), "list", "--today", TODAY).stdout
    assert "2026-09-30" in table and "2026-07-12" not in table


def test_sync_commits_and_pushes_a_broken_note_then_lists_it_and_exits_1(tmp_path, git_env):
    root, remote = vault_with_remote(tmp_path, git_env)
    write_files(root, {JAN: client_note(), "clients/jan/sessions/a.md":
                       session_note(date="16-11-2026", next="2026-12-01")})
    result = run_cli("--vault", str(root), "sync", "--today", TODAY, env=git_env)
    assert result.returncode == 1, result.stderr
    assert "clients/jan/sessions/a.md:4: E012" in result.stdout
    assert "pushed" in result.stdout and "not pushed" not in result.stdout
    assert "clients/jan/sessions/a.md" in git(remote, "ls-tree", "-r", "--name-only", "main")


def hooked_vault(tmp_path, git_env):
    root = tmp_path / "v"
    assert run_cli("init", str(root), "--language", "en", env=git_env).returncode == 0
    assert run_cli("--vault", str(root), "hooks", "install", env=git_env).returncode == 0
    write_files(root, {JAN: client_note()})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "jan")
    return root


def commit(root, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "commit", "-m", "change"], cwd=root, capture_output=True,
                          text=True, env=env)


def test_the_hook_checks_what_is_staged_not_the_working_tree(tmp_path, git_env):
    root = hooked_vault(tmp_path, git_env)
    note_path = root / "clients/jan/sessions/a.md"
    write_files(root, {"clients/jan/sessions/a.md": session_note(date="16-11-2026")})
    git(root, "add", "-A")
    note_path.write_text(session_note(date="2026-11-16"))  # fixed after `git add`
    blocked = commit(root)
    assert blocked.returncode != 0 and "E012" in blocked.stderr
    git(root, "add", "-A")
    assert commit(root).returncode == 0
    write_files(root, {"clients/jan/sessions/b.md": "---\n- kapot\n---\n",  # untracked
                       "clients/jan/sessions/c.md": session_note(date="2026-11-20")})
    git(root, "add", "clients/jan/sessions/c.md")
    passed = commit(root)
    assert passed.returncode == 0, passed.stderr


def test_the_hook_lets_a_commit_through_when_coachnotes_is_gone(tmp_path, git_env):
    root = hooked_vault(tmp_path, git_env)
    hook = root / ".git/hooks/pre-commit"
    hook.write_text(hook.read_text().replace(os.sys.executable, "/nonexistent/python3"))
    write_files(root, {"clients/jan/sessions/a.md": "---\n- kapot\n---\n"})
    git(root, "add", "-A")
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    result = commit(root, env)
    assert result.returncode == 0, result.stderr
    (line,) = [x for x in result.stderr.splitlines() if "coachnotes" in x]
    assert "not checked" in line and "hooks install" in line


# -- nothing is lost between the notes and the list ----------------------------------------------

TODAY_DATE = D.fromisoformat(TODAY)
days = st.integers(-6, 6).map(lambda n: TODAY_DATE + dt.timedelta(days=n))  # dates collide
action = st.one_of(st.text("abcdef ", min_size=1, max_size=8).map(str.strip).filter(bool),
                   st.fixed_dictionaries({"text": st.sampled_from(["bel", "mail", "lees"]),
                                          "due": days, "done": st.booleans()}))
def _s(day: int, next: int | None = None, cancelled: str | None = None, actions=(),
       broken: bool = False) -> dict:
    """One generated session, written out (for the explicit examples)."""
    return {"date": TODAY_DATE + dt.timedelta(days=day), "cancelled": cancelled,
            "next": None if next is None else TODAY_DATE + dt.timedelta(days=next),
            "actions": list(actions), "broken": broken}


session = st.fixed_dictionaries({
    "date": days, "next": st.none() | days, "cancelled": st.none() | st.just("afgezegd"),
    "actions": st.lists(action, max_size=2),
    "broken": st.sampled_from([False, False, False, True])})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(clients=st.lists(st.lists(session, min_size=1, max_size=4), min_size=1, max_size=3),
       broken_client=st.booleans())
@example(clients=[[_s(0), _s(-1, actions=["a"])]], broken_client=False)  # discussed since
@example(clients=[[_s(-2, next=3), _s(1)]], broken_client=False)  # a prepared note before next
@example(clients=[[_s(-2, next=3), _s(3, cancelled="x")]], broken_client=False)
def test_every_readable_item_and_every_broken_note_is_in_due_all(make_vault, clients,
                                                                 broken_client):
    files, expected = {}, set()
    for c, sessions in enumerate(clients):
        cid = f"c{c}"
        broken = broken_client and c == 0
        files[f"clients/{cid}/client.md"] = "---\nname: [kapot\n---\n" if broken else \
            client_note(cid, name=f"C{c}", follow_ups=[{"due": TODAY_DATE}])
        if broken:
            expected.add(("fix", TODAY, f"clients/{cid}/client.md", None))
            continue
        expected.add(("follow-up", TODAY, f"clients/{cid}/client.md", None))
        readable = []
        for n, s in enumerate(sessions):
            path = f"clients/{cid}/sessions/{n}.md"
            if s["broken"]:
                files[path] = "---\ndate: [kapot\n---\n"
                expected.add(("fix", TODAY, path, None))
                continue
            files[path] = session_note(cid, date=s["date"].isoformat(), kind="intake",
                                       next=s["next"].isoformat() if s["next"] else None,
                                       cancelled=s["cancelled"], actions=s["actions"] or None)
            readable.append((path, s))
        expected |= oracle(readable)
    root = make_vault(files)
    found = {(i["kind"], i["due"], i["path"], i["text"] if i["kind"] == "action" else None)
             for i in due_json(root, "--all")}
    assert found == expected


def oracle(readable: list) -> set:
    """What SPEC §10 says is due from one client's readable sessions, worked out directly."""
    found = set()
    live = [(p, s) for p, s in readable if not s["cancelled"]]
    held = [(p, s) for p, s in live if s["date"] <= TODAY_DATE]
    coming = [(s["date"], p) for p, s in live if s["date"] > TODAY_DATE]
    agreeing = [(p, s) for p, s in held if s["next"]]  # SPEC §10 v4: the latest that agreed
    if agreeing:  # a `next` stands; one in between without a `next` leaves it standing
        path, latest = max(agreeing, key=lambda x: (x[1]["date"], x[0]))
        agreed = latest["next"]
        if agreed and agreed > latest["date"] and \
                not any(s["date"] >= agreed for _, s in live):
            coming.append((agreed, path))
    for day, path in coming:
        found.add(("session", day.isoformat(), path, None))
    first = min(coming)[0].isoformat() if coming else None
    for path, s in readable:
        for a in s["actions"]:
            if isinstance(a, dict):
                if not a["done"]:
                    found.add(("action", a["due"].isoformat(), path, a["text"]))
            elif not any(h["date"] > s["date"] for _, h in held):
                found.add(("action", first, path, a))
    return found
