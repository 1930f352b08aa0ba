"""Everyday mistakes that gave a silent or a wrong answer, and words that stayed English in a
Dutch vault (issue #29, the parts done so far)."""

from __future__ import annotations

import re

import click
from click.testing import CliRunner

from conftest import TODAY, client_note, run_cli, session_note, settle


def speak(root, lang: str) -> None:
    """Make the vault's own language `lang` (it comes before COACHNOTES_LANG, SPEC 14)."""
    settings = root / "coachnotes.yml"
    text = settings.read_text()
    spoken = re.sub(r"^language: \w+$", f"language: {lang}", text, flags=re.M)
    if spoken != text:
        settings.write_text(spoken)
        settle()


def cli(root, *args, lang="nl"):
    """A command in the vault, which speaks `lang`."""
    speak(root, lang)
    return run_cli("--vault", str(root), *args, "--today", TODAY, env={"COACHNOTES_LANG": ""})


def test_a_settings_error_is_a_fix_item_and_its_correction_is_seen_at_once(make_vault):
    root = make_vault({"clients/jan/client.md": client_note(status="intake",
                                                            intake_date="2026-11-20")})
    assert "E012" not in cli(root, "due").stdout
    (root / "coachnotes.yml").write_text("language: en\nretention_years: 2\n"
                                         "stalled_after_days: 4x\n")
    settle()
    broken = cli(root, "due")
    assert "E012 `stalled_after_days`" in broken.stdout
    (root / "coachnotes.yml").write_text("language: en\nretention_years: 2\n"
                                         "stalled_after_days: 42\n")
    settle()
    assert "E012" not in cli(root, "due").stdout  # the same value as the default: not stale


def test_a_link_by_another_clients_name_is_one_problem(make_vault):
    root = make_vault({
        "clients/anouk/client.md": client_note(name="Anouk"),
        "clients/bram-hoekstra/client.md": client_note(name="Bram Hoekstra"),
        "clients/anouk/sessions/2026-11-21-coaching.md": session_note(
            "[[Bram Hoekstra]]", date="2026-11-21", number=1),
    })
    found = cli(root, "check", "--json", lang="en")
    import json

    problems = [p for p in json.loads(found.stdout) if p["severity"] == "error"]
    assert [(p["path"], p["code"]) for p in problems] == [
        ("clients/anouk/sessions/2026-11-21-coaching.md", "E021")]


def test_the_date_hint_is_the_reading_fix_would_write_and_fix_reads_slashes(make_vault):
    root = make_vault({
        "clients/jan/client.md": client_note(intake_date="22 oktober 2026"),
        "clients/jan/sessions/2026-01-12-coaching.md": session_note(number=1, next="2026/12/03"),
    })
    checked = cli(root, "check", lang="en")
    line = next(x for x in checked.stdout.splitlines() if "intake_date" in x)
    assert line.endswith("e.g. 2026-10-22"), line  # not a made-up 2026-01-12
    fixed = cli(root, "check", "--fix", lang="en")
    assert "2026/12/03 → 2026-12-03" in fixed.stdout + fixed.stderr
    text = (root / "clients/jan/sessions/2026-01-12-coaching.md").read_text()
    assert "next: 2026-12-03" in text


def test_close_says_which_follow_ups_it_planned(make_vault):
    root = make_vault({"clients/jan/client.md": client_note()})
    closed = cli(root, "close", "jan", "--date", "2026-11-27")
    assert closed.returncode == 0, closed.stderr
    assert "2027-02-27, 2027-05-27" in closed.stdout and "terugkomgesprekken" in closed.stdout


def test_nothing_due_and_a_conflict_copy_speak_dutch(make_vault):
    root = make_vault({"clients/jan/client.md": client_note(status="paused"),
                       "clients/jan/notes.conflict-phone-20261101T100000.txt": "x\n"})
    due = cli(root, "due")
    assert due.stdout.strip() == "Niets te doen tot en met 2026-12-11."
    checked = cli(root, "check")
    assert "het bestand notes.txt" in checked.stdout and "the file" not in checked.stdout


def test_the_dutch_prompt_takes_j_and_ja(monkeypatch):
    from coachnotes.cli.app import confirm
    from coachnotes.i18n import choose

    @click.command()
    def ask():
        click.echo("yes" if confirm("Wissen?") else "no")

    monkeypatch.setenv("COACHNOTES_LANG", "nl")
    choose(None)
    for typed, said in (("j", "yes"), ("ja", "yes"), ("Y", "yes"), ("yes", "yes"),
                        ("n", "no"), ("", "no"), ("nee", "no")):
        result = CliRunner().invoke(ask, input=typed + "\n")
        assert "Wissen? [j/N]" in result.output
        assert result.output.strip().endswith(said), (typed, result.output)


def test_tags_after_a_hash_are_a_warning_and_hashes_are_no_part_of_a_tag(make_vault):
    root = make_vault({
        "clients/jan/client.md": "---\ntype: client\nname: Jan\nstatus: intake\n"
                                 "intake_date: 2026-11-20\ntags: #loopbaan #terugkom\n---\n",
        "clients/piet/client.md": "---\ntype: client\nname: Piet\nstatus: intake\n"
                                  "intake_date: 2026-11-20\n"
                                  "tags: \"#leidinggeven #gemeente\"\n---\n",
    })
    checked = cli(root, "check", lang="en")
    assert "clients/jan/client.md:6: W120" in checked.stdout
    assert "tags: [loopbaan, terugkom]" in checked.stdout
    assert "piet" not in checked.stdout
    from coachnotes.vault.load import load_vault

    assert load_vault(root).clients["piet"].values["tags"] == ["leidinggeven", "gemeente"]


def test_ja_and_nee_on_every_yes_no_key_are_named_and_repaired(make_vault):
    note = ("---\ntype: session\nclient: jan\ndate: 2026-11-02\nkind: coaching\nnumber: 1\n"
            "billable: ja\nactions:\n  - text: Cv sturen\n    done: nee\n---\n")
    root = make_vault({"clients/jan/client.md": client_note(),
                       "clients/jan/sessions/2026-11-02-coaching.md": note})
    checked = cli(root, "check", lang="en")
    assert "`billable` is yes or no: write yes instead of 'ja'" in checked.stdout
    fixed = cli(root, "check", "--fix", lang="en")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert (root / "clients/jan/sessions/2026-11-02-coaching.md").read_text() == \
        note.replace("billable: ja", "billable: yes").replace("done: nee", "done: no")


def test_a_yaml_error_speaks_dutch_first_and_yaml_after(make_vault):
    root = make_vault({"clients/jan/client.md": "---\ntype: client\nname: [Jan\n---\n"})
    line = next(x for x in cli(root, "check").stdout.splitlines() if "E003" in x)
    assert "E003 YAML kan deze regel niet lezen" in line and "(YAML meldt: " in line


def test_values_a_person_reads_are_in_dutch(make_vault):
    root = make_vault({
        "clients/jan/client.md": client_note(referred_by="manager",
                                             assessment={"decision": "yes",
                                                         "reason_confirmed": "partly"}),
        "clients/jan/sessions/2026-11-02-evaluation.md": session_note(
            date="2026-11-02", kind="evaluation", duration=90),
    })
    shown = cli(root, "show", "jan").stdout
    assert "aanmelding via: de leidinggevende" in shown
    assert "besluit: ja" in shown and "aanleiding bevestigd: deels" in shown
    assert "decision" not in shown and "manager" not in shown
    listed = cli(root, "list").stdout.splitlines()[1]
    assert " actief " in listed and "active" not in listed
    hours = cli(root, "hours", "--from", "2026-11-01").stdout
    assert "1,50 u" in hours and "evaluatiegesprek" in hours and " h" not in hours


def test_a_session_file_name_that_does_not_say_its_date_and_kind_is_renamed(make_vault):
    root = make_vault({
        "clients/jan/client.md": client_note(),
        "clients/jan/sessions/gesprek 2 dec.md": session_note(date="2026-11-02", number=1),
        "clients/jan/sessions/2026-10-22-followup.md": session_note(date="2026-10-22",
                                                                    kind="evaluation"),
        "clients/jan/sessions/2026-11-09-coaching-2.md": session_note(date="2026-11-09",
                                                                      number=2),
        "clients/jan/sessions/2026-09-01-intake.md": session_note(date="2026-09-02",
                                                                  kind="intake"),
        "clients/jan/sessions/2026-09-02-intake.md": session_note(date="2026-09-02",
                                                                  kind="intake") + "x\n",
    })
    checked = cli(root, "check", lang="en")
    named = sorted(x.split(":")[0] for x in checked.stdout.splitlines() if "W119" in x)
    assert named == ["clients/jan/sessions/2026-09-01-intake.md",
                     "clients/jan/sessions/2026-10-22-followup.md",
                     "clients/jan/sessions/gesprek 2 dec.md"]
    fixed = cli(root, "check", "--fix", lang="en")
    sessions = sorted(p.name for p in (root / "clients/jan/sessions").iterdir())
    assert sessions == ["2026-09-01-intake.md", "2026-09-02-intake.md",  # taken: left
                        "2026-10-22-evaluation.md", "2026-11-02-coaching.md",
                        "2026-11-09-coaching-2.md"]
    assert "fixed W119" in fixed.stdout + fixed.stderr


def test_close_again_after_the_last_follow_up_closes_the_trajectory(make_vault):
    follow_ups = [{"due": "2026-10-01", "done": "2026-10-03"}, {"due": "2026-12-01"}]
    root = make_vault({"clients/jan/client.md": client_note(
        status="follow-up", end_date="2026-07-01", follow_ups=follow_ups)})
    early = cli(root, "close", "jan")
    assert early.returncode == 1 and "2026-12-01" in early.stderr
    before = (root / "clients/jan/client.md").read_text()
    assert "status: follow-up" in before
    (root / "clients/jan/sessions").mkdir()
    (root / "clients/jan/sessions/2026-11-20-follow-up.md").write_text(
        session_note(date="2026-11-20", kind="follow-up", follow_up=2))
    settle()
    done = cli(root, "close", "jan")
    assert done.returncode == 0, done.stderr
    assert "status closed" in done.stdout
    assert (root / "clients/jan/client.md").read_text() == \
        before.replace("status: follow-up", "status: closed")


def test_a_rename_killed_after_its_folder_moved_is_finished_by_the_next(make_vault):
    import json
    import os

    root = make_vault({"clients/jan/client.md": client_note(id="jan"),
                       "clients/jan/sessions/2026-01-12-coaching.md": session_note(number=1),
                       "clients/jan/sessions/2026-02-02-coaching.md": session_note(
                           "[[jan|Jan]]", date="2026-02-02", number=2)})
    # what a rename killed right after moving the folder leaves: the journal, and notes that
    # still name the old id (check: one E021 that says how to go on)
    (root / ".coachnotes/rename-journal").write_text(json.dumps({"old": "jan",
                                                                  "new": "jan-de-vries"}))
    os.rename(root / "clients/jan", root / "clients/jan-de-vries")
    settle()
    stuck = cli(root, "check", lang="en")
    assert "coachnotes rename jan jan-de-vries" in stuck.stdout
    done = run_cli("--vault", str(root), "rename", "jan", "jan-de-vries",
                   env={"COACHNOTES_LANG": "en"})
    assert done.returncode == 0, done.stderr
    assert not (root / ".coachnotes/rename-journal").exists()
    checked = cli(root, "check", "--json", lang="en")
    assert [p for p in json.loads(checked.stdout) if p["severity"] == "error"] == []
    text = (root / "clients/jan-de-vries/sessions/2026-02-02-coaching.md").read_text()
    assert "[[jan-de-vries|Jan]]" in text


def test_init_speaks_the_language_it_was_given_and_an_unknown_one_falls_back_once(
        tmp_path, make_vault):
    made = run_cli("init", str(tmp_path / "praktijk"), "--language", "nl",
                   env={"COACHNOTES_LANG": "", "LANG": "C", "LC_ALL": "", "LC_MESSAGES": ""})
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("Nieuwe kluis in "), made.stdout
    root = make_vault({"clients/jan/client.md": client_note(status="actief")},
                      settings="language: fr\n")
    checked = run_cli("--vault", str(root), "check", "--today", TODAY,
                      env={"COACHNOTES_LANG": "", "LANG": "C", "LC_ALL": "", "LC_MESSAGES": ""})
    assert "coachnotes.yml:1: E013 `language`" in checked.stdout
    assert "moet een van" in checked.stdout and "must be one of" not in checked.stdout
    run_cli("--vault", str(root), "index", "--today", TODAY, env={"COACHNOTES_LANG": ""})
    assert "# Cliënten" in (root / "INDEX.md").read_text()  # pages and messages alike


FULL = ("type: client\nname: Jan\n{status}: actief\nintake_date: 2026-01-05\n"
        "start_date: 2026-01-12\nreason: x\ngoals:\n{goals}assessment: {{decision: no}}\n")


def test_fix_reads_what_check_reads_quoted_keys_a_spaced_opening_tabbed_lists_flow_lists():
    from coachnotes.rules.fix import fix_text

    rel = "clients/jan/client.md"
    quoted = ("---\n" + FULL.format(status='"status"', goals="  - a\n") + "---\n").encode()
    assert b'"status": active\n' in fix_text(rel, quoted)[0]
    spaced = ("--- \n" + FULL.format(status="status", goals="  - a\n") + "---\n").encode()
    assert fix_text(rel, spaced)[0] == spaced.replace(b"actief", b"active")
    tabbed = ("---\n" + FULL.format(status="status", goals="\t- a\n\t- b\n") + "---\n").encode()
    fixed, fixes = fix_text(rel, tabbed)
    assert b"goals:\n  - a\n  - b\n" in fixed and b"status: active" in fixed
    assert [f.line for f in fixes if f.code == "E003"] == [9, 10]
    flow = (b"---\ntype: session\nclient: jan\ndate: 2026-11-02\nkind: coaching\n"
            b"actions: [{text: Bellen, due: 13-01-2026}]\n---\n")
    assert b"actions: [{text: Bellen, due: 2026-01-13}]\n" in fix_text(
        "clients/jan/sessions/2026-11-02-coaching.md", flow)[0]


def test_help_and_usage_errors_speak_the_vaults_language(make_vault):
    root = make_vault({"clients/jan/client.md": client_note()}, settings="language: nl\n")
    nl = {"COACHNOTES_LANG": "en", "LANG": "C", "LC_ALL": "", "LC_MESSAGES": ""}
    helped = run_cli("--vault", str(root), "due", "--help", env=nl)
    assert helped.stdout.startswith("Gebruik: coachnotes due [OPTIES]")
    assert "Alleen wat over tijd is." in helped.stdout and "Only items" not in helped.stdout
    wrong = run_cli("--vault", str(root), "due", "--bogus", env=nl)
    assert wrong.returncode == 2 and "Fout: Geen optie '--bogus'." in wrong.stderr
    missing = run_cli("--vault", str(root), "show", env=nl)
    assert "Fout: Ontbrekend argument 'CLIENT'." in missing.stderr
    speak(root, "en")
    english = run_cli("--vault", str(root), "due", "--help", env={"COACHNOTES_LANG": "nl"})
    assert english.stdout.startswith("Usage: coachnotes due [OPTIONS]")
