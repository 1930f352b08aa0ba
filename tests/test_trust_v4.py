"""Answers a coach can trust, round 4 (SPEC v4 §10, §18): the slips that cost an appointment —
an agreed date that a conversation in between hid, the actions of an ended trajectory that
nagged forever, the end score of two conversations on one day taken from the wrong one."""

from __future__ import annotations

import json

from conftest import client_note, run_cli, session_note

TODAY = "2026-12-05"
CLIENT = "clients/anouk/client.md"


def note_of(kind: str, date: str, **keys) -> str:
    return session_note("anouk", date=date, kind=kind, **keys)


def due_all(root, *extra: str) -> list[dict]:
    done = run_cli("--vault", str(root), "due", "--all", "--json", "--today", TODAY, *extra)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_an_agreed_appointment_stands_when_a_conversation_without_next_comes_between(
        make_vault):
    root = make_vault({
        CLIENT: client_note(name="Anouk de Graaf", start_date="2026-09-01"),
        "clients/anouk/sessions/2026-11-16-coaching.md": note_of(
            "coaching", "2026-11-16", number=3, next="2026-12-10T14:00"),
        "clients/anouk/sessions/2026-12-01-tripartite.md": note_of("tripartite", "2026-12-01"),
    })

    sessions = [i for i in due_all(root) if i["kind"] == "session"]

    assert [(i["due"], i["time"], i["path"]) for i in sessions] == [
        ("2026-12-10", "14:00", "clients/anouk/sessions/2026-11-16-coaching.md")]
    shown = run_cli("--vault", str(root), "list", "--json", "--today", TODAY)
    assert json.loads(shown.stdout)[0]["next"] == "2026-12-10"
    assert run_cli("--vault", str(root), "index", "--today", TODAY).returncode == 0
    assert "| 2026-12-10 |" in (root / "INDEX.md").read_text(encoding="utf-8")

    # a later conversation that agrees another date moves the appointment
    (root / "clients/anouk/sessions/2026-12-03-coaching.md").write_text(
        note_of("coaching", "2026-12-03", number=4, next="2026-12-17"), encoding="utf-8")
    moved = [(i["due"], i["path"]) for i in due_all(root) if i["kind"] == "session"]
    assert moved == [("2026-12-17", "clients/anouk/sessions/2026-12-03-coaching.md")]


def test_the_actions_of_an_ended_trajectory_are_no_longer_due_and_close_names_them(
        make_vault):
    root = make_vault({
        CLIENT: client_note(name="Anouk de Graaf", start_date="2026-01-12"),
        "clients/anouk/sessions/2026-03-02-coaching.md": note_of(
            "coaching", "2026-03-02", number=1,
            actions=[{"text": "Open sollicitatie sturen", "due": "2026-03-20"},
                     {"text": "Cv bijwerken", "due": "2026-03-09", "done": True}]),
    })
    assert [i["text"] for i in due_all(root) if i["kind"] == "action"] == [
        "Open sollicitatie sturen"]  # the test can fail: open while the trajectory runs

    closed = run_cli("--vault", str(root), "close", "anouk", "--date", "2026-11-30",
                     "--today", TODAY)

    assert closed.returncode == 0, closed.stderr
    assert "clients/anouk/sessions/2026-03-02-coaching.md" in closed.stderr
    assert "Open sollicitatie sturen" in closed.stderr and "Cv bijwerken" not in closed.stderr
    window = run_cli("--vault", str(root), "due", "--json", "--today", TODAY)
    assert [i for i in json.loads(window.stdout) if i["kind"] == "action"] == []
    table = run_cli("--vault", str(root), "due", "--today", TODAY).stdout
    assert "sollicitatie" not in table and "late" not in table
    ended = [i for i in due_all(root) if i["kind"] == "action"]
    assert [(i["due"], i["overdue_days"]) for i in ended] == [(None, None)]
    assert ended[0]["text"] == "Open at the end of the trajectory: Open sollicitatie sturen"
    assert [i["text"] for i in due_all(root, "--client", "anouk") if i["kind"] == "action"]
    assert run_cli("--vault", str(root), "index", "--today", TODAY).returncode == 0
    assert "sollicitatie" not in (root / "FOLLOW-UPS.md").read_text(encoding="utf-8")


def test_of_two_conversations_on_one_day_the_later_file_holds_the_end_score(make_vault):
    root = make_vault({
        CLIENT: client_note(name="Anouk de Graaf", status="follow-up", start_date="2026-01-12",
                            end_date="2026-05-01", goals=["Beter plannen"],
                            follow_ups=[{"due": "2026-08-01"}]),
        "clients/anouk/sessions/2026-01-12-coaching.md": note_of(
            "coaching", "2026-01-12", number=1, scores=[4]),
        "clients/anouk/sessions/2026-05-01-coaching.md": note_of("coaching", "2026-05-01",
                                                                 scores=[5]),
        "clients/anouk/sessions/2026-05-01-coaching-2.md": note_of("coaching", "2026-05-01",
                                                                   scores=[8]),
    })

    done = run_cli("--vault", str(root), "results", "--json", "--today", TODAY)

    assert done.returncode == 0, done.stderr
    groups = json.loads(done.stdout)
    assert [g["mean_change"] for g in groups] == [4]  # 4 → 8, the second of the day


def test_new_session_never_repeats_the_number_of_a_note_it_cannot_read(make_vault):
    root = make_vault({
        CLIENT: client_note(name="Anouk de Graaf", start_date="2026-09-01"),
        "clients/anouk/sessions/2026-09-07-coaching.md": note_of("coaching", "2026-09-07",
                                                                 number=1),
        "clients/anouk/sessions/2026-09-21-coaching.md": note_of("coaching", "2026-09-21",
                                                                 number=2),
        "clients/anouk/sessions/2026-10-05-coaching.md": note_of("Coachgesprek", "2026-10-05",
                                                                 number=3),
    })
    made = run_cli("--vault", str(root), "new", "session", "anouk", "--date", "2026-10-19",
                   "--today", TODAY)
    assert made.returncode == 0, made.stderr
    assert "number: 4" in (root / made.stdout.strip()).read_text(encoding="utf-8")
    assert run_cli("--vault", str(root), "check", "--fix", "--today", TODAY).returncode == 0
    codes = [p["code"] for p in json.loads(run_cli(
        "--vault", str(root), "check", "--json", "--today", TODAY).stdout)]
    assert "E024" not in codes  # no two coaching conversations share a number after the fix


def test_a_document_made_for_a_past_day_knows_only_what_was_known_then(make_vault):
    root = make_vault({
        CLIENT: client_note(name="Anouk de Graaf", intake_date="2026-03-02",
                            start_date="2026-03-09",
                            assessment={"decision": "yes", "date": "2026-04-10",
                                        "reason_confirmed": "yes"},
                            sponsor_consent={"date": "2026-03-01", "share": [
                                "attendance", "goals", "assessment", "progress"]}),
        "clients/anouk/sessions/2026-03-02-intake.md": note_of("intake", "2026-03-02"),
        "clients/anouk/sessions/2026-03-09-coaching.md": note_of("coaching", "2026-03-09",
                                                                 number=1),
        "clients/anouk/sessions/2026-04-20-coaching.md": note_of("coaching", "2026-04-20",
                                                                 number=2),
    })
    now = run_cli("--vault", str(root), "report", "anouk", "--today", "2026-11-27")
    assert "20 April 2026" in now.stdout and "reason confirmed: yes" in now.stdout

    then = run_cli("--vault", str(root), "report", "anouk", "--kind", "plan", "--today",
                   "2026-03-16")

    assert then.returncode == 0, then.stderr
    assert "9 March 2026" in then.stdout
    assert "April" not in then.stdout  # neither the conversation nor the assessment
    assert "reason confirmed" not in then.stdout


def test_search_reads_a_word_with_a_minus_as_a_word_left_out_and_bad_filters_answer(
        make_vault):
    root = make_vault({
        CLIENT: client_note(name="Anouk de Graaf"),
        "clients/anouk/sessions/2026-11-02-coaching.md": note_of("coaching", "2026-11-02",
                                                                 number=1)
        + "Overzicht gemaakt, het hek dicht.\n",
        "clients/anouk/sessions/2026-11-16-coaching.md": note_of("coaching", "2026-11-16",
                                                                 number=2)
        + "Overzicht zonder meer. Rust in de week.\n"})
    found = run_cli("--vault", str(root), "search", "overzicht", "-hek", "--files")
    assert found.returncode == 0, found.stderr
    assert found.stdout == "clients/anouk/sessions/2026-11-16-coaching.md\n"  # not the help
    other = run_cli("--vault", str(root), "search", "--files", "rust", "-thuis")
    assert other.stdout == "clients/anouk/sessions/2026-11-16-coaching.md\n"
    for args in (["--tag", ""], ["--organization", ""], ["--sponsor", ""],
                 ["--limit", "99999999999999999999", "overzicht"]):
        done = run_cli("--vault", str(root), "search", *args)
        assert done.returncode in (0, 1) and "unexpected" not in done.stderr, args
    index = root / ".coachnotes/search.sqlite"
    index.unlink()
    index.mkdir()  # damaged beyond a file: made anew without a word
    again = run_cli("--vault", str(root), "search", "overzicht", "--files")
    assert again.returncode == 0 and again.stderr == "" and index.is_file()


def test_a_long_name_still_makes_a_word_file(make_vault, tmp_path):
    import docx

    name = "Anouk " + "van der Graaf-" * 25 + "Jansen"  # past Word's 255 characters
    root = make_vault({CLIENT: client_note(name=name, sponsor_consent={
        "date": "2026-10-01", "share": ["attendance"]})}, settings="coach: " + "M" * 300 + "\n")
    target = tmp_path / "r.docx"
    done = run_cli("--vault", str(root), "report", "anouk", "--format", "docx", "-o",
                   str(target), "--today", TODAY)
    assert done.returncode == 0, done.stderr
    props = docx.Document(target).core_properties
    assert len(props.author) == 255 and props.subject.startswith("Progress report")


def test_the_calendar_holds_the_future_names_an_action_by_its_kind_and_reminds(
        make_vault, tmp_path):
    import icalendar

    root = make_vault({
        CLIENT: client_note(name="Anouk", status="follow-up", end_date="2026-11-30",
                            follow_ups=[{"due": "2027-03-01"}]).replace(
            "name: Anouk", 'name: "Anouk\\a de\\e[31m Graaf"'),  # a bell and an escape
        "clients/anouk/sessions/2026-11-30-coaching.md": note_of(
            "coaching", "2026-11-30", number=8),
        "clients/bram/client.md": client_note("bram", name="Bram Hoekstra"),
        "clients/bram/sessions/2026-12-01-intake.md": note_of("intake", "2026-12-01")
        .replace("client: anouk", "client: bram").replace("kind: intake", "kind: intake\nnext: "
                                                          "2026-12-09T10:00\nactions:\n- text: "
                                                          "Vacature bij De Regenboog sturen\n"
                                                          "  due: 2026-12-08"),
    })
    ics = tmp_path / "agenda.ics"
    done = run_cli("--vault", str(root), "due", "--ics", str(ics), "--today", TODAY)
    assert done.returncode == 0, done.stderr
    events = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    summaries = {str(e["summary"]): e for e in events}
    assert any(str(e.decoded("dtstart")) == "2027-03-01"
               for e in events)  # a follow-up months ahead, beyond the 14 days of the table
    assert "B.H.: Action" in summaries and "Regenboog" not in ics.read_text()
    timed = [e for e in events if "B.H.: Next conversation" in str(e["summary"])]
    assert timed and all(e.walk("VALARM") for e in timed)  # a reminder, without any setting
    assert "TRIGGER:-PT30M" in ics.read_text()  # 30 minutes before
    assert not any(c < " " and c not in "\r\n" for c in ics.read_text())  # no \a, no \e
    full = make_vault(
        {"clients/bram/client.md": client_note("bram", name="Bram Hoekstra"),
         "clients/bram/sessions/2026-12-01-intake.md":
             (root / "clients/bram/sessions/2026-12-01-intake.md").read_text()},
        settings="calendar_details: full\ncalendar_alarm_minutes: 0\n")
    run_cli("--vault", str(full), "due", "--ics", str(ics), "--today", TODAY)
    assert "Regenboog" in ics.read_text() and "VALARM" not in ics.read_text()


def test_check_fix_prints_one_line_per_fix_whatever_a_file_name_holds(make_vault):
    root = make_vault({CLIENT: client_note(name="Anouk de Graaf"),
                       "clients/anouk/sessions/2026-11-02-coach\ning.md": note_of(
                           "coaching", "02-11-2026", number=1)})
    done = run_cli("--vault", str(root), "check", "--fix", "--today", TODAY)
    fixes = [line for line in done.stdout.splitlines() if "E012" in line]
    assert len(fixes) == 1 and fixes[0].endswith("→ 2026-11-02")


def test_template_hints_are_comments_and_no_comment_reaches_the_sponsor(make_vault):
    """SPEC §4 v4: a template's hints are HTML comments, and a comment is never quoted."""
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "templates"
    for template in templates.glob("*/*.md"):
        if template.name.startswith("report-"):
            continue  # a document's own opening text, not a hint
        body = template.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        prose = [p for p in re.sub(r"<!--.*?-->", "", body, flags=re.S).split("\n\n")
                 if p.strip() and not p.strip().startswith("#")]
        assert prose == [], template  # a hint outside a comment would reach a document
    root = make_vault({CLIENT: client_note(name="Anouk de Graaf")}, settings="language: nl\n")
    made = run_cli("--vault", str(root), "new", "client", "Bram Hoekstra", "--today", TODAY)
    note = root / made.stdout.strip()
    text = note.read_text(encoding="utf-8").replace(  # consent, and one line of her own
        "tags: []", "tags: []\nsponsor_consent:\n  date: 2026-12-01\n  share: [attendance, "
        "sponsor_notes]").replace("## Afspraken", "Bram komt elke afspraak na. <!-- niet voor "
                                  "HR: slaapt slecht -->\n\n## Afspraken")
    note.write_text(text, encoding="utf-8")
    shown = run_cli("--vault", str(root), "report", "bram-hoekstra", "--today", TODAY)
    assert shown.returncode == 0, shown.stderr
    assert "Bram komt elke afspraak na." in shown.stdout
    assert "sponsor_notes" not in shown.stdout and "slaapt" not in shown.stdout
    assert "Alleen wat" not in shown.stdout


def test_one_fix_run_moves_names_and_reads_durations_and_fix_is_suggested_where_it_works(
        make_vault):
    root = make_vault({
        CLIENT: client_note(name="Anouk de Graaf", sponsor="HR", start_date="2026-09-01"),
        "Inbox/gesprek met anouk.md": note_of("coaching", "2026-11-02", number=1,
                                              duration="90 min"),
        "clients/anouk/sessions/2026-11-09-coaching.md": note_of(
            "coaching", "2026-11-09", number=2, duration="1,5 uur"),
        "clients/anouk/sessions/2026-11-16-coaching.md": note_of(
            "coaching", "2026-11-16", number=3, duration="75 minuten"),
    })

    first = run_cli("--vault", str(root), "check", "--fix", "--today", TODAY)

    moved = root / "clients/anouk/sessions/2026-11-02-coaching.md"
    assert moved.exists() and not (root / "Inbox/gesprek met anouk.md").exists()
    assert "duration: 90\n" in moved.read_text(encoding="utf-8")
    assert "duration: 90\n" in (root / "clients/anouk/sessions/2026-11-09-coaching.md"
                                ).read_text(encoding="utf-8")
    assert first.returncode == 0, first.stdout + first.stderr
    second = run_cli("--vault", str(root), "check", "--fix", "--today", TODAY)
    assert "0 fix(es)" in second.stderr  # one run repaired all it could
    hours = run_cli("--vault", str(root), "hours", "--from", "2026-11-01", "--to",
                    "2026-11-30", "--json", "--today", TODAY)
    assert [r["minutes"] for r in json.loads(hours.stdout)] == [90, 90, 75]

    (root / "clients/anouk/sessions/2026-11-23-coaching.md").write_text(
        note_of("coaching", "2026-11-23", number=4, duration="anderhalf uur"), encoding="utf-8")
    broken = run_cli("--vault", str(root), "hours", "--from", "2026-11-01", "--to",
                     "2026-11-30", "--today", TODAY)
    assert broken.returncode == 1 and "incomplete" in broken.stderr
    assert "--fix" not in broken.stderr  # it cannot repair this one, so it does not say so


def test_numbers_read_in_the_language_counts_agree_and_one_idea_has_one_word(make_vault):
    sponsor = "Gemeentelijke Gezondheidsdienst Hollands Midden"  # longer than a cut column
    files = {
        CLIENT: client_note(name="Anouk de Graaf", status="follow-up", sponsor=sponsor,
                            goals=["Rust in de week"], end_date="2026-06-01",
                            follow_ups=[{"due": "2026-09-01"}]),
        "clients/anouk/sessions/2026-01-12-coaching.md": note_of("coaching", "2026-01-12",
                                                                 number=1, scores=[4]),
        "clients/anouk/sessions/2026-06-01-coaching.md": note_of(
            "coaching", "2026-06-01", number=2, scores=[8], duration=90),
        "clients/anouk/sessions/2026-09-01-follow-up.md": note_of("follow-up", "2026-09-01",
                                                                  scores=[7]),
    }
    root = make_vault(files, settings="language: nl\nhourly_rate: 90\n")
    hours = run_cli("--vault", str(root), "hours", "--from", "2026-06-01", "--to",
                    "2026-06-30", "--today", TODAY).stdout
    assert "1,50 u" in hours and "€ 135,00" in hours and "1.50" not in hours
    results = run_cli("--vault", str(root), "results", "--by", "sponsor", "--today",
                      TODAY).stdout
    assert sponsor in results  # whole: the output is not a terminal
    assert "+4,00" in results and "-1,00" in results and "+4.00" not in results
    assert "gebleven" in results.splitlines()[0].lower()  # the word of RESULTS.md too
    assert run_cli("--vault", str(root), "index", "--today", TODAY).returncode == 0
    assert "Gebleven" in (root / "RESULTS.md").read_text(encoding="utf-8")
    english = make_vault({CLIENT: client_note(name="Anouk de Graaf")})
    assert run_cli("--vault", str(english), "index", "--today", TODAY).returncode == 0
    assert "_1 client · " in (english / "INDEX.md").read_text(encoding="utf-8")
