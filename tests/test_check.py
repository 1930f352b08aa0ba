"""Each problem code of SPEC §7: a case where it fires, and a near miss where it does not."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from coachnotes.rules.check import check
from coachnotes.vault.layout import MARKER
from coachnotes.vault.load import load_vault
from conftest import TODAY, client_note, run_cli, session_note

TODAY_DATE = dt.date.fromisoformat(TODAY)
JAN = "clients/jan/client.md"
S1 = "clients/jan/sessions/2026-09-01-coaching.md"
S2 = "clients/jan/sessions/2026-11-20-coaching.md"


def base() -> dict[str, str | bytes]:
    return {
        JAN: client_note(intake_date="2026-08-20", start_date="2026-09-01"),
        S1: session_note(date="2026-09-01", number=1),
        S2: session_note(date="2026-11-20", number=2),
    }


def client(**keys) -> dict:
    values = dict(intake_date="2026-08-20", start_date="2026-09-01")
    values.update(keys)
    return {JAN: client_note(**values)}


CLOSED = dict(status="closed", end_date="2026-11-20")
CASES = {
    "E001": ({S2: session_note(date="2026-11-20", number=2, kind="coaching").replace(
                  "Notities", "Caf\xe9").encode("latin-1")},
             {S2: b"\xef\xbb\xbf" + session_note(date="2026-11-20", number=2).encode()}),
    "E002": ({S2: "# Gesprek\n\nZonder front matter.\n"},
             {S2: session_note(date="2026-11-20", number=2) + "\n---\n\nNa een lijn.\n"}),
    "E003": ({S2: "---\ntype: session\nkind: [coaching\n---\n"},
             {S2: session_note(date="2026-11-20", number=2, kind="coaching # [x")}),
    "E004": ({S2: "---\n- type: session\n---\n"}, {}),
    "E005": ({S2: session_note(date="2026-11-20", number=2).replace(
                 "kind:", "date: 2026-11-21\nkind:")},
             {S2: session_note(date="2026-11-20", number=2, next="2026-11-21")}),
    "E006": ({S2: session_note(date="2026-11-20", number=2)
              + "<<<<<<< HEAD\nA\n=======\nB\n>>>>>>> x\n"},
             {S2: session_note(date="2026-11-20", number=2) + "Zie <<<<<<< hierboven.\n"}),
    "E010": ({S2: session_note(date="2026-11-20", number=2).replace("type: session\n", "")},
             {}),
    "E011": (client(reason=None), client(reason=None, status="intake")),
    "E012": ({S2: session_note(date="2026-11-20", number=2, duration="zestig")},
             {S2: session_note(date="2026-11-20", number=2, duration=60)}),
    "E013": ({S2: session_note(date="2026-11-20", number=2, kind="coachgesprek")},
             {S2: session_note(date="2026-11-20", number=2, kind="evaluation")}),
    "E020": ({"clients/piet/sessions/a.md": session_note("piet")},
             {"clients/piet/sessions/a.md": session_note("piet"),
              "clients/piet/client.md": client_note("piet")}),
    "E021": ({"clients/jan/a.md": session_note(date="2026-11-21")},
             {"clients/jan/sessions/a.md": session_note(date="2026-11-21")}),
    "E022": ({"clients/jan/client-oud.md": client_note()},
             {"clients/piet/client.md": client_note("piet")}),
    "E023": ({"clients/Jan_X/client.md": client_note()},
             {"clients/jan-x/client.md": client_note(id="jan-x")}),
    "E024": ({S2: session_note(date="2026-11-20", number=1)},
             {S2: session_note(date="2026-11-20", number=1, kind="evaluation")}),
    "E030": ({"INDEX.md": "# Mijn eigen index\n"}, {"INDEX.md": MARKER + "\n# Index\n"}),
    "W101": (client(planned_sessions=1), client(planned_sessions=1, extension="Klankbord")),
    "W102": (client(planned_end="2026-11-01"), client(planned_end="2026-12-01")),
    "W103": (client(**CLOSED), client(**CLOSED, follow_ups=[{"due": dt.date(2027, 2, 20)}])),
    "W104": (client(assessment={"decision": "open"}),
             {**client(assessment={"decision": "open"}),
              S2: session_note(date="2026-11-20", kind="evaluation")}),
    "W105": (client(goals=[]), client(goals=["Rust"])),
    "W106": ({S2: session_note(date="2026-08-19", number=2)},
             {S2: session_note(date="2026-08-20", number=2)}),
    "W107": ({S2: session_note(date="2026-10-15", number=2)},
             {S2: session_note(date="2026-10-16", number=2)}),
    "W108": ({"clients/jan/sessions/2026-11-20-coaching.conflict-laptop-20261127T101010.md": "x"},
             {"clients/jan/sessions/2026-11-20-coaching-conflict.md": session_note(
                 date="2026-11-21")}),
    "W109": (client(status="intake", intake_date="2026-10-27", start_date=None),
             client(status="intake", intake_date="2026-10-28", start_date=None)),
}
SETTINGS_CASES = {
    "W110": ("planned_sesions: 8\n", "planned_sessions: 8\n"),
    "E012": ("due_within_days: twee weken\n", "due_within_days: 14\n"),
    "E013": ("language: de\n", "language: en\n"),
    "E003": ("sync: [\n", "sync: {remote: origin}\n"),
}


def codes(make_vault, files: dict, settings: str = "") -> set[str]:
    root = make_vault({**base(), **files}, settings)
    return {p.code for p in check(load_vault(root), TODAY_DATE)}


def test_the_base_vault_is_clean(make_vault):
    assert codes(make_vault, {}) == set()


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_fires_and_near_miss_does_not(make_vault, code):
    fire, near = CASES[code]
    assert code in codes(make_vault, fire)
    assert code not in codes(make_vault, near)


@pytest.mark.parametrize("code", sorted(SETTINGS_CASES))
def test_settings_problems_are_reported_on_the_settings_file(make_vault, code):
    fire, near = SETTINGS_CASES[code]
    root = make_vault(base(), fire)
    problems = check(load_vault(root), TODAY_DATE)
    assert [(p.path, p.line, p.code) for p in problems] == [("coachnotes.yml", 1, code)]
    assert code not in codes(make_vault, {}, near)


def test_warnings_sit_on_the_line_of_their_key(make_vault):
    root = make_vault({**base(), **client(planned_sessions=1)})
    (problem,) = check(load_vault(root), TODAY_DATE)
    lines = (root / JAN).read_text().splitlines()
    assert problem.code == "W101" and lines[problem.line - 1].startswith("planned_sessions:")


def test_settings_defaults_drive_the_rules(make_vault):
    assert "W107" in codes(make_vault, {S2: session_note(date="2026-11-01", number=2)},
                           "stalled_after_days: 20\n")


def test_follow_up_session_by_number_and_order_does_not_hide_w103(make_vault):
    # W103 is about planning, not completion: a closed client with follow-ups is fine
    assert "W103" not in codes(make_vault, client(**CLOSED, follow_ups=[
        {"due": dt.date(2027, 1, 1), "cancelled": "verhuisd"}]))


def test_exit_codes_and_strict(make_vault):
    clean = make_vault(base())
    warned = make_vault({**base(), **client(goals=[])})
    broken = make_vault({**base(), S2: "---\n- x\n---\n"})
    assert run_cli("--vault", str(clean), "check", "--today", TODAY).returncode == 0
    assert run_cli("--vault", str(warned), "check", "--today", TODAY).returncode == 0
    assert run_cli("--vault", str(warned), "check", "--strict", "--today", TODAY).returncode == 1
    result = run_cli("--vault", str(broken), "check", "--json", "--today", TODAY)
    assert result.returncode == 1
    problems = json.loads(result.stdout)
    assert [p["code"] for p in problems] == ["W107", "E004"]  # S2 unreadable: S1 is the last
    problem = problems[1]
    assert problem == {"path": S2, "line": 2, "code": "E004", "severity": "error",
                       "message": problem["message"]}


def test_output_is_sorted_by_path_and_line(make_vault):
    root = make_vault({**base(), **client(goals=[], planned_sessions=1),
                       "clients/aap/sessions/2026-01-12-coaching.md": session_note("aap")})
    out = run_cli("--vault", str(root), "check", "--today", TODAY).stdout.splitlines()
    keys = [(line.split(":")[0], int(line.split(":")[1])) for line in out]
    assert keys == sorted(keys) and len(keys) == 3


def test_editor_and_file_manager_litter_beside_a_note_is_not_a_note(make_vault):
    # emacs keeps a dangling link `.#note.md` while a note has unsaved changes; macOS writes
    # AppleDouble `._note.md` files (binary) onto USB sticks and shares
    root = make_vault(base())
    sessions = root / "clients/jan/sessions"
    os.symlink("coach@laptop.4242:1700000000", sessions / f".#{S1.rpartition('/')[2]}")
    (sessions / "._2026-01-12-coaching.md").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac")
    (sessions / "2026-01-12-coaching.md~").write_text("---\nkapot: [\n")
    result = run_cli("--vault", str(root), "check", "--today", TODAY)
    assert (result.returncode, result.stdout) == (0, ""), result.stdout
    # a note that is really broken still counts
    assert "E001" in codes(make_vault, {"clients/jan/sessions/echt.md": b"\x00binary"})


def test_a_name_that_is_not_utf8_is_reported_and_nothing_breaks(make_vault):
    # a latin-1 name, as old zip archives and some network shares deliver them
    root = make_vault(base())
    sessions = os.fsencode(root / "clients/jan/sessions")
    note = session_note(date="2026-11-20", number=2).encode()
    with open(sessions + b"/caf\xe9-gesprek.md", "wb") as handle:
        handle.write(note)
    os.mkdir(os.fsencode(root / "clients") + b"/ren\xe9e")
    result = run_cli("--vault", str(root), "check", "--today", TODAY)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert sorted(line.split(":")[0] for line in result.stdout.splitlines()
                  if " E001 " in line) == ["clients/jan/sessions/caf\ufffd-gesprek.md",
                                           "clients/ren\ufffde"]
    for command in (("index",), ("due", "--json"), ("list",), ("show", "jan")):
        result = run_cli("--vault", str(root), *command, "--today", TODAY)
        assert result.returncode in (0, 1) and "unexpected" not in result.stderr, command
    assert (root / "INDEX.md").read_text(encoding="utf-8")
    with open(sessions + b"/caf\xe9-gesprek.md", "rb") as handle:
        assert handle.read() == note  # left as it was
