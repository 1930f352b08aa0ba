"""`check --fix [--diff]` (SPEC §7.1): every everyday slip repaired, only its bytes changed."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachnotes.rules.fix import FIXABLE, date_reading, fix_text
from coachnotes.vault.load import record_from_bytes
from conftest import client_note, git, run_cli, session_note

SESSION = "clients/jan/sessions/2026-11-20-coaching.md"
LINES = ["type: session", "client: jan", "date: 2026-11-20", "kind: coaching", "number: 1",
         "next: 2026-12-04"]


def note_bytes(lines: list[str], body: str = "Notities 12-01-2026.\n", ending: str = "\n",
               bom: bool = False) -> bytes:
    text = ending.join(["---", *lines, "---", "", body.rstrip("\n")]) + ending
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def fixable(raw: bytes, rel: str = SESSION) -> set[str]:
    codes = {code for _, code, _ in record_from_bytes(rel, raw).problems}
    return codes & (FIXABLE - {"E021"})


SLIPS = {  # (line index in LINES, the slip as written, code it raises)
    "day first": (2, "date: 20-11-2026", "E012"),
    "one digit": (5, "next: 4-12-2026", "E012"),
    "slashes": (2, "date: 20/11/2026", "E012"),
    "Dutch month": (2, "date: 20 nov 2026", "E012"),
    "English month": (5, "next: 4 December 2026", "E012"),
    "phone dashes": (2, "date: 2026\u201011\u201020", "E012"),
    "en dash and time": (2, "date: 2026\u201311\u201320 14:00", "E012"),
    "quoted odd": (2, "date: '20-11-2026'", "E012"),
    "capital Type": (0, "Type: session", "E010"),
    "capital Next": (5, "Next: 2026-12-04", "E014"),
    "Dutch kind": (3, "kind: coachgesprek", "E013"),
    "English capital": (3, "kind: Coaching", "E013"),
    "nbsp after colon": (4, "number:\u00a01", "E003"),
}


@pytest.mark.parametrize("name", sorted(SLIPS))
def test_each_slip_is_named_then_repaired_and_nothing_else_changes(name):
    index, slip, code = SLIPS[name]
    lines = list(LINES)
    lines[index] = slip
    raw = note_bytes(lines, ending="\r\n", bom=True)
    assert code in fixable(raw), record_from_bytes(SESSION, raw).problems
    fixed, fixes = fix_text(SESSION, raw)
    assert [f.code for f in fixes][:1] == [code] and fixes[0].line == index + 2
    assert fixable(fixed) == set()
    before, after = raw.split(b"\r\n"), fixed.split(b"\r\n")
    assert len(before) == len(after)
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert changed == [index + 1]
    expected = LINES[index].encode()
    if name == "en dash and time":
        expected = b"date: 2026-11-20 14:00"
    if name == "quoted odd":
        expected = b"date: '2026-11-20'"
    assert after[index + 1] == expected


def test_a_tab_in_a_list_becomes_spaces_and_a_hidden_date_is_then_fixed():
    raw = client_note(intake_date="2026-01-05").replace(
        "goals:\n- Beter plannen", "goals:\n\t- Beter plannen").replace(
        "intake_date: 2026-01-05", "intake_date: 5-1-2026").encode()
    assert "E003" in fixable(raw, "clients/jan/client.md")
    fixed, fixes = fix_text("clients/jan/client.md", raw)
    assert sorted(f.code for f in fixes) == ["E003", "E012"]
    assert b"  - Beter plannen" in fixed and b"intake_date: 2026-01-05" in fixed
    assert fixable(fixed, "clients/jan/client.md") == set()


@pytest.mark.parametrize("line", [
    "date: 13-20-2026",  # neither reading is a date
    "date: 31-02-2026",  # no 31 February
    "kind: gesprek",  # no kind has this one meaning
    "date: volgende week",
])
def test_what_has_no_single_reading_is_left_with_its_problem(line):
    lines = [line if line.split(":")[0] == k.split(":")[0] else k for k in LINES]
    raw = note_bytes(lines)
    fixed, fixes = fix_text(SESSION, raw)
    assert fixes == [] and fixed == raw and fixable(raw)


def test_a_capital_key_is_left_when_the_lower_case_key_is_there_too():
    raw = note_bytes(LINES + ["Next: 2026-12-11"])
    assert fix_text(SESSION, raw) == (raw, [])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fix_changes_only_the_slipped_lines(data):
    """Random notes (comments, CRLF or LF per line, a BOM or not) with random slips: after
    the fix every other line is byte-identical and no fixable problem is left."""
    day = data.draw(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)), label="day")
    lines = ["type: session", "client: jan", f"date: {day.isoformat()}", "kind: coaching",
             "number: 3", f"next: {(day + dt.timedelta(days=14)).isoformat()}"]
    comment = data.draw(st.sampled_from(["", "  # zie mail", " #x"]), label="comment")
    lines[4] += comment
    months_nl = ["jan", "februari", "mrt", "april", "mei", "juni", "jul", "augustus", "sep",
                 "oktober", "nov", "december"]
    forms = [f"{day.day:02d}-{day.month:02d}-{day.year}", f"{day.day}-{day.month}-{day.year}",
             f"{day.day:02d}/{day.month:02d}/{day.year}",
             f"{day.day} {months_nl[day.month - 1]} {day.year}",
             f"{day.day} {day.strftime('%B')} {day.year}",
             day.isoformat().replace("-", "\u2011")]
    slips = {
        0: "Type: session",
        2: "date: " + data.draw(st.sampled_from(forms), label="form"),
        3: "kind: " + data.draw(st.sampled_from(["coachgesprek", "Coaching", "COACHING"])),
        4: "number:\u00a03" + comment,
    }
    chosen = data.draw(st.sets(st.sampled_from(sorted(slips)), min_size=1), label="slips")
    written = [slips[i] if i in chosen else line for i, line in enumerate(lines)]
    if data.draw(st.booleans(), label="comment line"):
        written.insert(len(written), "# eigen aantekening: 12-01-2026")
    endings = data.draw(st.lists(st.sampled_from(["\n", "\r\n"]), min_size=len(written) + 4,
                                 max_size=len(written) + 4), label="endings")
    all_lines = ["---", *written, "---", "", "Tekst 12-01-2026, status: actief."]
    bom = data.draw(st.booleans(), label="bom")
    raw = (b"\xef\xbb\xbf" if bom else b"") + "".join(
        line + end for line, end in zip(all_lines, endings)).encode()
    fixed, fixes = fix_text(SESSION, raw)
    assert fixable(fixed) == set(), (raw, record_from_bytes(SESSION, fixed).problems)
    before, after = raw.splitlines(keepends=True), fixed.splitlines(keepends=True)
    assert len(before) == len(after)
    for i, (a, b) in enumerate(zip(before, after)):
        slipped = 1 <= i <= len(lines) and (i - 1) in chosen
        if not slipped:
            assert a == b, (i, a, b)
        else:
            assert a != b and a.endswith(b"\r\n") == b.endswith(b"\r\n")
    assert {f.line - 2 for f in fixes} == chosen


def test_dates_read_as_people_write_them():
    assert date_reading("27 nov 2026") == "2026-11-27"
    assert date_reading("3 maart 2026") == "2026-03-03"
    assert date_reading("03-04-2026") == "2026-04-03"  # day first, in nl and en
    assert date_reading("27-11-2026 9:30") == "2026-11-27 09:30"
    assert date_reading("2026-02-29") is None and date_reading("12 foo 2026") is None


def test_check_fix_on_a_vault_and_diff_writes_nothing(make_vault):
    root = make_vault({"clients/jan/client.md": client_note(),
                       SESSION: session_note(date="20-11-2026", kind="coachgesprek",
                                             number=1) + "# kop\n"})
    path = root / SESSION
    raw, stamp = path.read_bytes(), path.stat().st_mtime_ns
    shown = run_cli("--vault", str(root), "check", "--fix", "--diff", "--today", "2026-11-27")
    assert shown.returncode == 1  # nothing was written: the errors are still there
    assert "-date: 20-11-2026\n-kind: coachgesprek\n+date: 2026-11-20\n+kind: coaching\n" \
        in shown.stdout
    assert path.read_bytes() == raw and path.stat().st_mtime_ns == stamp
    done = run_cli("--vault", str(root), "check", "--fix", "--today", "2026-11-27")
    assert done.returncode == 0, done.stdout
    assert f"{SESSION}:4: fixed E012: 20-11-2026 → 2026-11-20" in done.stderr + done.stdout
    assert path.read_bytes() == raw.replace(b"20-11-2026", b"2026-11-20").replace(
        b"coachgesprek", b"coaching")
    assert run_cli("--vault", str(root), "check", "--today", "2026-11-27").returncode == 0
    assert run_cli("--vault", str(root), "check", "--diff").returncode == 2


def test_a_misplaced_note_is_moved_as_git_mv_does_unless_its_place_is_taken(make_vault,
                                                                             git_env):
    note = session_note(date="2026-11-21", number=2)
    taken = "clients/jan/sessions/2026-11-21-coaching.md"
    root = make_vault({"clients/jan/client.md": client_note(), "inbox/gesprek.md": note,
                       "2026-11-21-coaching.md": note, taken: note + "ander\n"})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    done = run_cli("--vault", str(root), "check", "--fix", "--today", "2026-11-27")
    assert "inbox/gesprek.md:1: fixed E021: inbox/gesprek.md → clients/jan/sessions/gesprek.md" \
        in done.stdout + done.stderr
    assert (root / "clients/jan/sessions/gesprek.md").read_text() == note
    assert "R  inbox/gesprek.md -> clients/jan/sessions/gesprek.md" in git(root, "status",
                                                                           "--short")
    assert (root / "2026-11-21-coaching.md").read_text() == note  # its place is taken: left
    assert "\n2026-11-21-coaching.md:1: E021" in "\n" + done.stdout
    assert (root / taken).read_text() == note + "ander\n"


def test_values_in_a_one_line_mapping_are_repaired_in_place():
    raw = client_note().replace("assessment:\n  decision: 'no'\n", "").replace(
        "assessment:\n  decision: no\n", "").encode()
    raw = raw.replace(b"---\n\n", b"assessment: {decision: nee, date: 10-08-2026}  # besproken\n"
                                  b"---\n\n", 1)
    assert b"{decision: nee" in raw
    fixed, fixes = fix_text("clients/jan/client.md", raw)
    assert b"assessment: {decision: no, date: 2026-08-10}  # besproken\n" in fixed
    assert sorted(f.code for f in fixes) == ["E012", "E013"]
    assert fixable(fixed, "clients/jan/client.md") == set()
    assert fixed.replace(b"{decision: no, date: 2026-08-10}", b"") == \
        raw.replace(b"{decision: nee, date: 10-08-2026}", b"")
