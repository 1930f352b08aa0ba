"""Mistakes a coach makes, typing YAML by hand on a phone (SPEC v2 §6, §7): each problem names
the real cause and the fix, instead of repeating what was written."""

from __future__ import annotations

import json

import pytest

from conftest import TODAY, client_note, run_cli

JAN = "clients/jan/client.md"
NOTE = "clients/jan/sessions/2026-11-02-coaching.md"
SESSION = "---\ntype: session\nclient: jan\nkind: coaching\ndate: 2026-11-02\n{}---\n"


def problems(root) -> list[tuple[str, int, str, str]]:
    result = run_cli("--vault", str(root), "check", "--json", "--today", TODAY)
    return [(p["path"], p["line"], p["code"], p["message"]) for p in json.loads(result.stdout)
            if p["path"] == NOTE]


@pytest.mark.parametrize("extra, line, code, words", [
    ("\tnext: 2026-12-01\n", 6, "E003", "indented with a tab"),
    ("next:\u00a02026-12-01\n", 6, "E003", "non-breaking space"),
    ("actions:\n  - Bellen met HR: over verlenging\n", 7, "E012",
     '"Bellen met HR: over verlenging"'),
    ("next: 2026\u201012\u201001\n", 6, "E012", "not the hyphen"),
    ("Next: 2026-12-01\n", 6, "E014", "did you mean `next`"),
    ("nxet: 2026-12-01\n", 6, "W115", "did you mean `next`"),
    ("duration: 60\nfolow_up: 1\n", 7, "W115", "did you mean `follow_up`"),
], ids=["tab", "nbsp", "colon", "dash", "case", "typo", "typo2"])
def test_each_slip_is_named_for_what_it_is(make_vault, extra, line, code, words):
    root = make_vault({"clients/jan/client.md": client_note(), NOTE: SESSION.format(extra)})
    found = problems(root)
    assert [(f[1], f[2]) for f in found] == [(line, code)], found
    assert words in found[0][3]


def test_a_quoted_date_is_the_same_date(make_vault):
    root = make_vault({JAN: client_note(),
                       NOTE: SESSION.replace("date: 2026-11-02", "date: '2026-11-02'").format(
                           "next: \"2026-12-01\"\n")})
    assert problems(root) == []
    (item,) = json.loads(run_cli("--vault", str(root), "due", "--json", "--today",
                                 TODAY).stdout)
    assert item["due"] == "2026-12-01"


@pytest.mark.parametrize("word, english", [("actief", "active"), ("gepauzeerd", "paused"),
                                           ("nazorg", "follow-up"), ("afgerond", "closed"),
                                           ("gestopt", "declined")])
def test_dutch_status_words_get_the_english_value(make_vault, word, english):
    root = make_vault({JAN: client_note(status=word)})
    result = json.loads(run_cli("--vault", str(root), "check", "--json", "--today",
                                TODAY).stdout)
    (found,) = [p for p in result if p["code"] == "E013"]
    assert f"did you mean '{english}'?" in found["message"]


def test_a_capital_type_says_so(make_vault):
    root = make_vault({JAN: client_note(), NOTE: SESSION.replace("type:", "Type:").format("")})
    (found,) = problems(root)
    assert found[2] == "E010" and "capital" in found[3] and "`type: session`" in found[3]


def test_obsidian_s_own_keys_and_other_unknown_keys_stay_silent(make_vault):
    root = make_vault({JAN: client_note(), NOTE: SESSION.format(
        "aliases: [x]\ncssclasses: [y]\nstemming: goed\nlocatie: kantoor\n")})
    assert problems(root) == []
