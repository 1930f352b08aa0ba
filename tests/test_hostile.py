"""Hostile input and faults (issue: no hang, no leak, no loss, no wedged repository).

Each test reproduces one defect found by an adversarial run; most run the command as a user
would, the ones about hangs and kills as a real process with a time limit.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import (
    TODAY,
    client_note,
    coachnotes_command,
    git,
    run_cli,
    session_note,
    vault_with_remote,
    write_files,
)

JAN = "clients/jan/client.md"
NOTE = "clients/jan/sessions/2026-11-20-coaching.md"


def no_crash(result: subprocess.CompletedProcess) -> None:
    assert "unexpected error" not in result.stderr and "Traceback" not in result.stderr, \
        result.stderr


# -- two devices and a bare remote -------------------------------------------------------------

def devices(tmp_path, git_env, files=None, attributes=""):
    a, remote = vault_with_remote(tmp_path, git_env, "a")
    write_files(a, files or {JAN: client_note(), NOTE: session_note(date="2026-11-20")})
    if attributes:
        (a / ".gitattributes").write_text((a / ".gitattributes").read_text() + attributes)
    assert run_cli("--vault", str(a), "sync", env={**git_env, "COACHNOTES_DEVICE": "a"},
                   ).returncode in (0, 1)
    b = tmp_path / "b"
    git(tmp_path, "clone", "-q", "-b", "main", str(remote), str(b))
    return remote, a, b


def sync(root, git_env, device, *args, **kwargs):
    return run_cli("--vault", str(root), "sync", "--today", TODAY, *args,
                   env={**git_env, "COACHNOTES_DEVICE": device}, **kwargs)


def edit_line(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    path.write_text(path.read_text().replace(old, new))


ROT13 = "tr A-Za-z N-ZA-Mn-za-m"


def test_a_conflict_in_a_filtered_vault_writes_text_not_ciphertext(tmp_path, git_env):
    a, remote = vault_with_remote(tmp_path, git_env, "a")
    b = tmp_path / "b"
    git(a, "config", "filter.rot13.clean", ROT13)
    git(a, "config", "filter.rot13.smudge", ROT13)
    write_files(a, {JAN: client_note(), NOTE: session_note(date="2026-11-20")})
    with open(a / ".gitattributes", "a") as handle:
        handle.write("clients/** filter=rot13\n")
    assert sync(a, git_env, "a").returncode == 0
    git(tmp_path, "clone", "-q", "--no-checkout", str(remote), str(b))
    git(b, "config", "filter.rot13.clean", ROT13)
    git(b, "config", "filter.rot13.smudge", ROT13)
    git(b, "checkout", "-q", "main")
    stored = git(remote, "show", f"main:{NOTE}")
    assert "Notities" in (b / NOTE).read_text() and "Notities" not in stored  # a real filter
    edit_line(a, NOTE, "Notities.", "Tekst van laptop A.")
    assert sync(a, git_env, "a").returncode == 0
    edit_line(b, NOTE, "Notities.", "Tekst van telefoon B.")
    result = sync(b, git_env, "b")
    assert result.returncode == 0, result.stderr
    assert "Tekst van telefoon B." in (b / NOTE).read_text()
    (copy,) = (b / "clients/jan/sessions").glob("*.conflict-*")
    assert "Tekst van laptop A." in copy.read_text()
    assert git(b, "status", "--porcelain") == ""
    assert sync(a, git_env, "a").returncode == 0
    assert git(a, "status", "--porcelain") == ""


def test_a_file_the_coach_wrote_in_a_page_place_keeps_both_versions(tmp_path, git_env):
    own = "# Mijn eigen overzicht\n\nversie één\n"
    remote, a, b = devices(tmp_path, git_env, files={
        JAN: client_note(), "clients/jan/README.md": own})
    edit_line(a, "clients/jan/README.md", "versie één", "versie van A")
    assert sync(a, git_env, "a").returncode in (0, 1)
    edit_line(b, "clients/jan/README.md", "versie één", "versie van B")
    result = sync(b, git_env, "b")
    assert result.returncode in (0, 1), result.stderr
    texts = [p.read_text() for p in (b / "clients/jan").glob("README*.md")]
    assert any("versie van A" in t for t in texts) and any("versie van B" in t for t in texts)


@pytest.mark.slow
def test_a_push_race_fetches_merges_and_pushes_again(tmp_path, git_env):
    remote, a, b = devices(tmp_path, git_env)
    for n in range(4):
        write_files(a, {f"clients/jan/sessions/a{n}.md": session_note(date="2026-11-21")})
        write_files(b, {f"clients/jan/sessions/b{n}.md": session_note(date="2026-11-21")})
        procs = [subprocess.Popen([coachnotes_command(), "--vault", str(root), "sync",
                                   "--today", TODAY], env={**os.environ, **git_env,
                                                           "COACHNOTES_DEVICE": name},
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for root, name in ((a, "a"), (b, "b"))]
        results = [p.communicate(timeout=60) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], results
    assert sync(a, git_env, "a").returncode == 0
    names = git(remote, "ls-tree", "-r", "--name-only", "main")
    assert all(f"sessions/{d}{n}.md" in names for d in "ab" for n in range(4))


def test_a_refused_push_is_called_a_refusal_with_the_remote_message(tmp_path, git_env):
    remote, a, b = devices(tmp_path, git_env)
    hook = remote / "hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho 'Pushes naar main zijn geblokkeerd door de beheerder'\n"
                    "exit 1\n")
    hook.chmod(0o755)
    write_files(a, {"clients/jan/sessions/x.md": session_note(date="2026-11-22")})
    result = sync(a, git_env, "a")
    assert result.returncode == 1, result.stderr
    assert "refused the push" in result.stderr and "geblokkeerd door de beheerder" in \
        result.stderr and "could not reach" not in result.stderr


def test_a_remote_of_unrelated_history_is_explained(tmp_path, git_env):
    remote, a, b = devices(tmp_path, git_env)
    other = tmp_path / "other"
    assert run_cli("init", str(other), "--language", "en", env=git_env).returncode == 0
    git(other, "commit", "-q", "--amend", "-m", "een andere kluis")  # a root of its own
    git(other, "push", "-q", "-f", str(remote), "main")
    result = sync(a, git_env, "a")
    no_crash(result)
    assert result.returncode == 1 and "nothing in common" in result.stderr


def test_git_s_own_reason_ends_the_offline_message(tmp_path, git_env):
    remote, a, b = devices(tmp_path, git_env)
    git(a, "remote", "set-url", "origin", str(tmp_path / "nowhere"))
    result = sync(a, git_env, "a")
    assert result.returncode == 3
    assert "does not appear to be a git repository" in result.stderr
    assert "(and the repository exists.)" not in result.stderr


def test_the_coach_s_own_ssh_command_is_kept_in_batch_mode(tmp_path, git_env):
    remote, a, b = devices(tmp_path, git_env)
    log = tmp_path / "ssh.log"
    fake = tmp_path / "my-ssh"
    fake.write_text(f"#!/bin/sh\necho \"$@\" >> {log}\nexit 255\n")
    fake.chmod(0o755)
    git(a, "config", "core.sshCommand", f"{fake} -i sleutel")
    git(a, "remote", "set-url", "origin", "ssh://coach@example.invalid/vault.git")
    assert sync(a, git_env, "a").returncode == 3
    called = log.read_text()
    assert "-i sleutel" in called and "BatchMode=yes" in called


def test_a_cloned_vault_is_made_private_once(tmp_path, git_env):
    remote, a, b = devices(tmp_path, git_env)
    os.chmod(b / "clients/jan", 0o755)
    os.chmod(b / JAN, 0o644)
    first = sync(b, git_env, "b")
    assert "private" in first.stderr
    assert oct(os.stat(b / "clients/jan").st_mode & 0o777) == "0o700"
    assert oct(os.stat(b / JAN).st_mode & 0o777) == "0o600"
    assert "private" not in sync(b, git_env, "b").stderr


def test_editor_litter_and_a_linked_cache_are_never_committed(tmp_path, git_env):
    remote, a, b = devices(tmp_path, git_env)
    write_files(a, {"clients/jan/sessions/.x.md.swp": "b0VIM", "clients/jan/x.md~": "oud",
                    ".DS_Store": "mac"})
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    (a / ".coachnotes").rename(tmp_path / "oud-cache")
    (a / ".coachnotes").symlink_to(elsewhere)
    result = sync(a, git_env, "a")
    assert result.returncode == 1 and "is a link" in result.stderr  # no lock through a link
    (a / ".coachnotes").unlink()
    assert sync(a, git_env, "a").returncode == 0
    tracked = git(a, "ls-files")
    assert ".swp" not in tracked and "~" not in tracked and ".DS_Store" not in tracked
    assert ".coachnotes" not in tracked and not list(elsewhere.iterdir())


def test_the_cache_of_a_vault_not_made_by_init_stays_out_of_git_add(tmp_path, git_env):
    root = tmp_path / "v"
    write_files(root, {"coachnotes.yml": "", JAN: client_note()})
    git(root, "init", "-q")
    assert run_cli("--vault", str(root), "index", "--today", TODAY).returncode == 0
    git(root, "add", "-A")
    assert ".coachnotes" not in git(root, "diff", "--cached", "--name-only")


# -- a killed sync ---------------------------------------------------------------------------------

SYNC_STEPS = ["sync:committed", "sync:conflicted", "sync:resolved", "sync:merged",
              "sync:regenerated", "sync:pushed"]


def conflicting_sync(a: Path, b: Path, git_env: dict, round_: int,
                     **extra: str) -> tuple[subprocess.Popen, str, str]:
    """B syncs a line where A writes another, then A's sync starts in a process of its own."""
    mine, theirs = f"regel van A {round_}", f"regel van B {round_}"
    edit_line(b, NOTE, "Notities.", f"Notities.\n{theirs}")  # the same place: a conflict
    assert sync(b, git_env, "b").returncode == 0
    edit_line(a, NOTE, "Notities.", f"Notities.\n{mine}")
    env = {**os.environ, **git_env, "COACHNOTES_DEVICE": "a", **extra}
    process = subprocess.Popen([coachnotes_command(), "--vault", str(a), "sync", "--today",
                                TODAY], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    return process, mine, theirs


def assert_whole_after_a_plain_sync(a: Path, b: Path, git_env: dict, *lines: str) -> None:
    """The next plain sync leaves no MERGE_HEAD, index.lock or marker, and keeps every line."""
    result = sync(a, git_env, "a")
    assert result.returncode == 0, (lines, result.stdout, result.stderr)
    assert not (a / ".git/MERGE_HEAD").exists() and not (a / ".git/index.lock").exists()
    texts = [p.read_text() for p in (a / "clients").rglob("*.md")]
    assert not any(re.search(r"^(<{7}|>{7})", t, re.M) for t in texts), lines
    every = "\n".join(texts)
    assert all(line in every for line in lines), lines
    assert sync(b, git_env, "b").returncode == 0


@pytest.mark.slow
def test_a_sync_stopped_after_each_step_and_run_again_loses_no_line(tmp_path, git_env):
    """Each step of a conflicting sync is a fault point: killed right after it, the next plain
    sync finishes the work; and every step there is has its round here."""
    remote, a, b = devices(tmp_path, git_env)
    trace = tmp_path / "trace"
    process, *lines = conflicting_sync(a, b, git_env, 0, COACHNOTES_FAULT_TRACE=str(trace))
    assert process.wait() == 0
    assert_whole_after_a_plain_sync(a, b, git_env, *lines)
    assert trace.read_text().split() == SYNC_STEPS
    for round_, step in enumerate(SYNC_STEPS, start=1):
        process, *lines = conflicting_sync(a, b, git_env, round_, COACHNOTES_FAULT=step)
        assert process.wait() == -signal.SIGKILL, step  # it really died there
        assert_whole_after_a_plain_sync(a, b, git_env, *lines)


@pytest.mark.slow
def test_a_killed_sync_never_wedges_the_vault_and_loses_no_line(tmp_path, git_env):
    """4 rounds, fixed seed: kill -9 at a random moment of a conflicting sync (between the
    steps the test above stops at)."""
    remote, a, b = devices(tmp_path, git_env)
    rng = random.Random(13)
    interrupted = 0
    for round_ in range(4):
        process, *lines = conflicting_sync(a, b, git_env, round_)
        if round_ % 2:  # anywhere in the sync
            time.sleep(rng.uniform(0.05, 0.45))
        else:  # somewhere inside its merge: between `git merge` and the merge commit
            deadline = time.monotonic() + 5
            while not (a / ".git/MERGE_HEAD").exists() and time.monotonic() < deadline \
                    and process.poll() is None:
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.03))
        process.send_signal(signal.SIGKILL)
        process.wait()
        interrupted += (a / ".git/MERGE_HEAD").exists()
        assert_whole_after_a_plain_sync(a, b, git_env, *lines)
    assert interrupted >= 1, interrupted  # a kill did land inside a merge


# -- files that are not files ---------------------------------------------------------------------

def timed_cli(*args, timeout=20) -> subprocess.CompletedProcess:
    return run_cli(*args, process=True, timeout=timeout)


@pytest.mark.parametrize("place", [NOTE, "link", "INDEX.md", "clients/jan/README.md",
                                   "coachnotes.yml"])
def test_a_fifo_anywhere_hangs_nothing(make_vault, place):
    root = make_vault({JAN: client_note()})
    if place == "link":
        os.mkfifo(root / "clients/jan/sessions.fifo")
        (root / "clients/jan/sessions").mkdir()
        os.symlink("../sessions.fifo", root / NOTE)
    else:
        (root / place).unlink(missing_ok=True)
        (root / place).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / place)
    for command in (["check"], ["due"], ["index"], ["list"]):
        result = timed_cli("--vault", str(root), *command, "--today", TODAY)
        no_crash(result)
    shown = timed_cli("--vault", str(root), "check", "--today", TODAY)
    assert "E001" in shown.stdout or "E030" in shown.stdout + shown.stderr


def test_watch_stops_on_sigterm_beside_a_fifo(make_vault):
    root = make_vault({JAN: client_note()})
    os.mkfifo(root / NOTE.replace(".md", "-b.md")) if (root / "clients/jan/sessions").exists() \
        else None
    (root / "clients/jan/sessions").mkdir(exist_ok=True)
    os.mkfifo(root / NOTE)
    process = subprocess.Popen([coachnotes_command(), "--vault", str(root), "watch", "--today",
                                TODAY], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    for line in process.stdout:
        if "watching" in line:
            break
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0


def test_a_link_loop_is_a_problem_not_an_abort(make_vault):
    root = make_vault({JAN: client_note()})
    os.symlink("y", root / "clients/x")
    os.symlink("x", root / "clients/y")
    result = run_cli("--vault", str(root), "check", "--json", "--today", TODAY)
    no_crash(result)
    found = {(p["path"], p["code"]) for p in json.loads(result.stdout)}
    assert {("clients/x", "E001"), ("clients/y", "E001")} <= found


# -- YAML that would eat the machine ---------------------------------------------------------------

OMAP_BOMB = "---\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"b{i}: &b{i} !!omap [" + ", ".join(f"k{j}: *{'a' if i == 0 else f'b{i - 1}'}"
                                          for j in range(9)) + "]\n" for i in range(8)) + "---\n"


def test_an_omap_alias_bomb_is_refused_at_once(make_vault):
    root = make_vault({JAN: client_note(), NOTE: OMAP_BOMB})
    started = time.monotonic()
    result = timed_cli("--vault", str(root), "check", "--json", "--today", TODAY)
    assert time.monotonic() - started < 10
    assert ("clients/jan/sessions/2026-11-20-coaching.md", "E004") in \
        {(p["path"], p["code"]) for p in json.loads(result.stdout)}


def yaml_value(depth: int = 0):
    scalars = st.sampled_from(["x", "1", "2026-01-01", "yes", "~", "'q'", "*a", "*b", "[]",
                               "{}", "!!str s", "!!binary aGk=", "!!set {a, b}"])
    if depth >= 3:
        return scalars
    return st.one_of(
        scalars,
        st.lists(yaml_value(depth + 1), max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(yaml_value(depth + 1), max_size=4).map(
            lambda xs: "{" + ", ".join(f"k{n}: {x}" for n, x in enumerate(xs)) + "}"),
        st.tuples(st.sampled_from(["!!omap", "!!pairs", "!!seq", "!!map"]),
                  st.lists(yaml_value(depth + 1), max_size=4)).map(
            lambda t: f"{t[0]} [" + ", ".join(f"k{n}: {x}" for n, x in enumerate(t[1])) + "]"))


# One process parses every example: its address space limited, its peak memory (VmHWM) set
# back to what it holds now before each text (/proc/self/clear_refs, 5), so that each text's
# own peak is measured without starting a Python for each.
JUDGE = """\
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (600 << 20, 600 << 20))
from coachnotes.vault.frontmatter import parse_text
def peak():
    return [int(line.split()[1]) for line in open('/proc/self/status')
            if line.startswith('VmHWM:')][0]
for line in sys.stdin:
    text = sys.stdin.read(int(line))
    with open('/proc/self/clear_refs', 'w') as out:
        out.write('5')
    before = peak()
    started = time.process_time()
    parse_text(text)
    print(time.process_time() - started, peak() - before, flush=True)
"""


@pytest.fixture(scope="module")
def judge():
    process = subprocess.Popen([sys.executable, "-c", JUDGE], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    yield process
    process.stdin.close()
    process.wait(timeout=20)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "type", "date"]),
                          st.sampled_from(["", "&a ", "&b "]), yaml_value()), max_size=6))
def test_any_yaml_shape_gives_problems_or_data_quickly_and_in_bounded_memory(judge, entries):
    text = "---\n" + "".join(f"{k}: {anchor}{v}\n" for k, anchor, v in entries) + "---\n"
    judge.stdin.write(f"{len(text)}\n{text}")
    judge.stdin.flush()
    answer = judge.stdout.readline()
    assert answer, (text, judge.stderr.read()[-500:])  # the parser raised or the process died
    seconds, grown_kb = answer.split()
    assert float(seconds) < 1.0, text
    assert int(grown_kb) < 100 * 1024, text  # 100 MB for one note


# -- dates past the calendar -----------------------------------------------------------------

@pytest.mark.parametrize("settings_text, client_keys, args", [
    ("", {"start_date": "9999-12-31"}, ["due"]),
    ("", {"start_date": "9999-12-31"}, ["index"]),
    ("", {"start_date": "9999-12-31"}, ["list"]),
    ("due_within_days: 3000000\n", {}, ["index"]),
    ("trajectory_months: 100000\n", {}, ["check"]),
    ("follow_up_months: [100000]\n", {}, ["close", "jan"]),
    ("", {}, ["due", "--within", "3000000"]),
    ("", {}, ["index", "--today", "9999-12-31"]),
    ("", {}, ["check", "--today", "9999-12-31"]),
    ("", {}, ["due", "--all", "--today", "0001-01-01"]),
])
def test_dates_and_numbers_past_the_calendar_give_answers_not_crashes(make_vault, settings_text,
                                                                     client_keys, args):
    files = {JAN: client_note(**client_keys), NOTE: session_note(
        date="2026-11-20", actions=[{"text": "ooit", "due": dt.date(9999, 12, 31)}])}
    root = make_vault(files, settings=settings_text)
    result = run_cli("--vault", str(root), *args)
    no_crash(result)
    assert result.returncode in (0, 1)
    if settings_text:
        shown = run_cli("--vault", str(root), "check", "--json").stdout
        assert '"coachnotes.yml"' in shown and "at most" in shown


def test_an_action_due_on_the_last_day_there_is_goes_into_the_calendar(make_vault, tmp_path):
    import icalendar

    root = make_vault({JAN: client_note(), NOTE: session_note(
        date="2026-11-20", actions=[{"text": "ooit", "due": dt.date(9999, 12, 31)}])})
    ics = tmp_path / "x.ics"
    result = run_cli("--vault", str(root), "due", "--all", "--ics", str(ics), "--today", TODAY)
    no_crash(result)
    (event,) = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert str(event["summary"]) == "J.d.V.: Action"  # its kind; its words only with `full`
    assert event.decoded("dtstart") == dt.date(9999, 12, 31)


# -- text that would become markup or terminal commands --------------------------------------------

def test_names_cannot_inject_links_html_or_comments_into_the_pages(make_vault):
    root = make_vault({
        JAN: client_note(name="x](javascript:alert(1)) [y", organization="<!-- verborgen"),
        "clients/piet/client.md": client_note("piet", name="<img src=x onerror=alert(1)>",
                                              reason="<details><summary>z</summary>"),
        "clients/piet/sessions/a](javascript:x).md": session_note("piet", date="2026-11-20",
                                                                  next="2026-12-01")})
    assert run_cli("--vault", str(root), "index", "--today", TODAY).returncode == 0
    for page in ("INDEX.md", "FOLLOW-UPS.md", "clients/jan/README.md", "clients/piet/README.md"):
        text = (root / page).read_text()
        assert not re.search(r"(?<!\\)\]\(javascript:", text), page  # \] is a plain ]
        assert "<!-- verborgen" not in text and "<img" not in text and "<details>" not in text
        assert text.count("<!--") == 1  # only the marker


def test_control_characters_never_reach_the_terminal_or_forge_a_line(make_vault):
    root = make_vault({JAN: client_note(name="Jan \x1b[31mrood\x1b[0m")})
    write_files(root, {"clients/kees\nfake.md:1: E999 vals/client.md": "geen front matter\n"})
    for args in (["check"], ["list"], ["show", "jan"], ["due", "--all"]):
        result = run_cli("--vault", str(root), *args, "--today", TODAY)
        no_crash(result)
        assert "\x1b" not in result.stdout, args
        assert not any(line.startswith("fake.md") for line in result.stdout.splitlines())


# -- concurrent writers ---------------------------------------------------------------------------

def test_six_new_sessions_at_once_get_six_numbers(make_vault):
    root = make_vault({JAN: client_note()})
    assert not (root / "clients/jan/sessions").exists()  # all six race to create it too
    procs = [subprocess.Popen([coachnotes_command(), "--vault", str(root), "new", "session",
                               "jan", "--date", f"2026-11-{20 + n}"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for n in range(6)]
    outcomes = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, outcomes
    numbers = sorted(int(re.search(r"(?m)^number: (\d+)", p.read_text()).group(1))
                     for p in (root / "clients/jan/sessions").glob("*.md"))
    assert numbers == [1, 2, 3, 4, 5, 6]


def test_the_watcher_writes_a_deleted_page_again(make_vault):
    from coachnotes.watch import VaultState

    root = make_vault({JAN: client_note()})
    state = VaultState(root, lambda: dt.date.fromisoformat(TODAY))
    rebuild, pages = state.rebuild(state.load())
    state.write(pages, rebuild)
    for page in ("INDEX.md", "clients/jan/README.md"):
        (root / page).unlink()
        rebuild, pages = state.rebuild(state.apply([str(root / page)]))
        state.write(pages, rebuild)
        assert (root / page).exists(), page


def test_a_version_git_set_aside_in_a_merge_is_reported_not_hidden(make_vault):
    root = make_vault({JAN: client_note(),
                       "clients/jan/sessions/2026-11-20-coaching.md~HEAD": session_note()})
    problems = json.loads(run_cli("--vault", str(root), "check", "--json", "--today",
                                  TODAY).stdout)
    assert ("clients/jan/sessions/2026-11-20-coaching.md~HEAD", "W108") in \
        {(p["path"], p["code"]) for p in problems}


def test_close_while_an_editor_holds_the_note_keeps_the_editor_s_save(make_vault):
    root = make_vault({JAN: client_note()})
    path = root / JAN
    inode = path.stat().st_ino
    with open(path, "r+", encoding="utf-8") as editor:  # an editor with the note open
        assert run_cli("--vault", str(root), "close", "jan", "--date", "2026-11-20",
                       "--today", TODAY).returncode == 0
        assert path.stat().st_ino == inode  # the same file, edited in place
        closed = path.read_text()
        assert "status: follow-up" in closed and "end_date: 2026-11-20" in closed
        editor.seek(0)
        editor.write(closed.replace("Notities.", "Notities, bewaard door de editor."))
        editor.truncate()
    assert "bewaard door de editor" in path.read_text()  # not lost in an unlinked file
    assert not (root / ".coachnotes/edit-backup.md").exists()


def test_both_devices_name_the_conflict_copy(tmp_path, git_env):
    """The device whose version was saved aside hears of it at its next sync, as the device
    that made the copy did (SPEC §12, v3)."""
    remote, a, b = devices(tmp_path, git_env)
    with open(b / NOTE, "a") as out:
        out.write("Versie van de telefoon.\n")
    assert sync(b, git_env, "b").returncode == 0
    with open(a / NOTE, "a") as out:
        out.write("Versie van de laptop.\n")
    made = sync(a, git_env, "a")
    assert made.returncode == 0, made.stderr
    copies = sorted(p.relative_to(a).as_posix() for p in a.rglob("*.conflict-*"))
    assert len(copies) == 1 and f"{copies[0]}: W108" in made.stderr
    heard = sync(b, git_env, "b")
    assert heard.returncode == 0, heard.stderr
    assert f"{copies[0]}: W108" in heard.stderr  # its own version, saved aside on a
