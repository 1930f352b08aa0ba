"""Erasure that keeps the AVG promise without touching anyone else (SPEC §12–13, v3): whole
names and ids only, in every spelling, every id and name the client ever had, tags, stash,
copies, documents, caches; and the right of access, calendars and second devices."""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_privacy import objects, snapshot

from conftest import client_note, git, note, run_cli, session_note, vault_with_remote, write_files

TODAY = "2026-11-27"
SECRET = "GEHEIM-burn-out-sinds-maart"


def cli(root: Path, env: dict, *args: str, **kw) -> subprocess.CompletedProcess:
    return run_cli("--vault", str(root), *args, env=env, **kw)


def synced(root: Path, env: dict, files: dict[str, str | bytes], errors: bool = False) -> None:
    """Write the files and sync them (a note with an error is synced too, and says so)."""
    write_files(root, files)
    done = cli(root, env, "sync", "--today", TODAY)
    assert done.returncode == (1 if errors else 0), done.stdout + done.stderr


def history(repo: Path) -> str:
    """Every version of every file and every message of every ref, as `git log -p` shows."""
    return git(repo, "log", "--all", "-p", "--format=%H %B") + git(
        repo, "for-each-ref", "--format=%(refname) %(contents)", "refs/tags")


def without(text: str, *kept: str) -> str:
    for word in kept:
        text = text.replace(word, "")
    return text


NAMESAKES = {
    "clients/jan-de-vries/client.md": client_note(name="Jan de Vries", reason=SECRET),
    "clients/jan-de-vries/sessions/2026-01-12-coaching.md": session_note("jan-de-vries",
                                                                          number=1),
    "clients/jan-de-vries-bakker/client.md": client_note(name="Jan de Vries-Bakker",
                                                         sponsor="Jan de Vries"),
    "clients/mark-de-jong/client.md": client_note(name="Mark de Jong"),
    "clients/mark-de-jong/sessions/2026-01-12-coaching.md": note(
        {"type": "session", "client": "mark-de-jong", "date": "2026-01-12", "kind": "coaching",
         "number": 1, "actions": ["Jan de Vries bellen", {"text": "mail Jan de Vries"}]},
        "Mark en Jan de Vries-Bakker spraken over ZOË VAN 'T HEK.\n"),
    "clients/mark/client.md": client_note(name="Mark"),
}


def test_forget_keeps_every_other_client_whose_name_holds_the_erased_one(tmp_path, git_env):
    root, remote = vault_with_remote(tmp_path, git_env)
    synced(root, git_env, NAMESAKES)
    before = snapshot(root)

    done = cli(root, git_env, "forget", "jan-de-vries", "--yes", "--today", TODAY)

    assert done.returncode == 0, done.stderr
    after = snapshot(root)
    bakker = "clients/jan-de-vries-bakker/client.md"
    session = "clients/mark-de-jong/sessions/2026-01-12-coaching.md"
    assert after[bakker] == before[bakker].replace(b"sponsor: Jan de Vries",
                                                    b"sponsor: '[erased]'")
    assert after[session] == before[session].replace(
        b"- Jan de Vries bellen", b"- '[erased] bellen'").replace(
        b"text: mail Jan de Vries", b"text: mail [erased]")
    for rel in before:  # every other note byte for byte, but for the mentions
        if rel.startswith("clients/") and not rel.startswith("clients/jan-de-vries/") and \
                rel not in (bakker, session) and not rel.endswith("README.md"):
            assert after[rel] == before[rel], rel
    values = yaml.safe_load(after[bakker].decode().split("---")[1])
    assert values["name"] == "Jan de Vries-Bakker" and values["sponsor"] == "[erased]"
    check = cli(root, git_env, "check", "--json", "--today", TODAY)
    assert [p for p in json.loads(check.stdout) if p["severity"] == "error"] == []
    for repo in (root, remote):
        kept = without(history(repo), "Jan de Vries-Bakker", "jan-de-vries-bakker")
        assert "Jan de Vries" not in kept and "jan-de-vries" not in kept and SECRET not in kept
        assert "Jan de Vries-Bakker" in history(repo)

    done = cli(root, git_env, "forget", "mark", "--yes", "--today", TODAY)
    assert done.returncode == 0, done.stderr
    paths = git(root, "log", "--all", "--format=", "--name-only")
    assert "clients/mark-de-jong/client.md" in paths and "[erased]-de-jong" not in paths
    assert (root / "clients/mark-de-jong/client.md").read_bytes() == \
        before["clients/mark-de-jong/client.md"]
    assert b"Mark en Jan de Vries-Bakker" not in (root / session).read_bytes()  # "Mark" went
    assert b"[erased] en Jan de Vries-Bakker" in (root / session).read_bytes()


@pytest.mark.parametrize("spelling", ["ZOË VAN 'T HEK", "Zoe\u0308 van 't Hek", "Zoë van ’t Hek",
                                      "Zoë\u00a0van 't Hek", "Zoe van 't Hek", "zoë van 't hek"])
def test_every_spelling_of_the_name_is_erased(make_vault, spelling):
    root = make_vault({
        "clients/zoe-van-t-hek/client.md": client_note(name="Zoë van 't Hek"),
        "clients/piet/client.md": client_note(name="Piet"),
        "clients/piet/sessions/2026-01-12-coaching.md": session_note("piet", number=1)
        + f"Over {spelling}, en Zoë van 't Hekkema niet.\n",
    })
    done = run_cli("--vault", str(root), "forget", "zoe-van-t-hek", "--yes", "--today", TODAY)
    assert done.returncode == 0, done.stderr
    text = (root / "clients/piet/sessions/2026-01-12-coaching.md").read_text()
    assert text.endswith("Over [erased], en Zoë van 't Hekkema niet.\n")


def test_forget_refuses_while_a_stash_holds_work_and_keeps_it(tmp_path, git_env):
    root, remote = vault_with_remote(tmp_path, git_env)
    synced(root, git_env, NAMESAKES)
    with open(root / "clients/mark/client.md", "a") as out:
        out.write("Nog uitwerken.\n")
    git(root, "stash", "-q")
    stash, refs = git(root, "stash", "list"), git(root, "for-each-ref")
    done = cli(root, git_env, "forget", "jan-de-vries", "--yes", "--today", TODAY)
    assert done.returncode == 1 and "git stash pop" in done.stderr
    assert "Nothing was changed" in done.stderr
    assert git(root, "stash", "list") == stash and git(root, "for-each-ref") == refs
    git(root, "stash", "pop", "-q")
    assert (root / "clients/mark/client.md").read_text().endswith("Nog uitwerken.\n")


def test_the_guard_refuses_a_replacement_that_would_give_another_note_a_problem():
    from coachnotes.git.erase_tree import Plan, damage

    old = b"---\ntype: client\nname: Piet\nstatus: active\nintake_date: 2026-01-05\n---\n"
    broken = old.replace(b"name: Piet", b"name: [verwijderd")
    plan = Plan(rewrite={"clients/piet/client.md": broken, "notes/x.md": b"[verwijderd]\n"},
                old={"clients/piet/client.md": old, "notes/x.md": b"Jan\n"})
    assert damage(plan) == ["clients/piet/client.md"]


def test_forget_after_a_rename_a_moved_folder_and_a_corrected_name_erases_them_all(
        tmp_path, git_env):
    root, remote = vault_with_remote(tmp_path, git_env)
    synced(root, git_env, {"clients/jan-de-vris/client.md": client_note(
        name="Jan de Vris", reason=SECRET), "clients/piet/client.md": client_note(name="Piet")})
    path = root / "clients/jan-de-vris/client.md"
    path.write_text(path.read_text().replace("Jan de Vris", "Jan de Vries"))
    synced(root, git_env, {})
    assert cli(root, git_env, "rename", "jan-de-vris", "jan-dv").returncode == 0
    synced(root, git_env, {})
    os.rename(root / "clients/jan-dv", root / "clients/jan-de-vries")  # by hand, id kept
    synced(root, git_env, {"clients/piet/sessions/2026-01-12-coaching.md": session_note(
        "piet", number=1) + "Piet kende Jan de Vris nog.\n"})
    other = tmp_path / "phone"
    git(tmp_path, "clone", "-q", "-b", "main", str(remote), str(other))

    done = cli(root, git_env, "forget", "jan-de-vries", "--yes", "--today", TODAY)

    assert done.returncode == 0, done.stderr
    assert "jan-de-vris" in done.stdout and "jan-dv" in done.stdout  # said: earlier ids
    for repo in (root, remote):
        seen = history(repo) + objects(repo).decode("utf-8", "replace")
        for word in (SECRET, "Jan de Vris", "jan-de-vris", "jan-dv", "Jan de Vries"):
            assert word not in seen, (repo, word)
    assert (root / "clients/piet/sessions/2026-01-12-coaching.md").read_text().endswith(
        "Piet kende [erased] nog.\n")
    synced_phone = cli(other, {**git_env, "COACHNOTES_DEVICE": "phone"}, "sync", "--today",
                       TODAY)
    assert synced_phone.returncode == 0, synced_phone.stderr
    assert SECRET not in objects(other).decode("utf-8", "replace")
    assert sorted(p.name for p in (other / "clients").iterdir() if p.is_dir()) == ["piet"]
    log = (root / "erasures.yml").read_text()
    assert log.count("token:") == 3 and "jan" not in log  # every id it had, none by name


def test_tags_on_the_remote_are_rewritten_too(tmp_path, git_env):
    root, remote = vault_with_remote(tmp_path, git_env)
    synced(root, git_env, NAMESAKES)
    git(root, "tag", "-a", "v1", "-m", "na het gesprek met Jan de Vries")
    git(root, "tag", "v2")
    git(root, "push", "-q", "origin", "v1", "v2")
    assert "Jan de Vries" in git(remote, "show", "v1:clients/jan-de-vries/client.md")

    done = cli(root, git_env, "forget", "jan-de-vries", "--yes", "--today", TODAY)

    assert done.returncode == 0, done.stderr
    for tag in ("v1", "v2"):
        shown = subprocess.run(["git", "show", f"{tag}:clients/jan-de-vries/client.md"],
                               cwd=remote, capture_output=True)
        assert shown.returncode != 0
    data = without(objects(remote).decode("utf-8", "replace"), "Jan de Vries-Bakker",
                   "jan-de-vries-bakker")
    assert SECRET not in data and "Jan de Vries" not in data and "jan-de-vries" not in data
    assert "[erased]" in git(remote, "tag", "-n1", "v1")


@pytest.mark.slow
def test_copies_elsewhere_big_files_cache_and_temporary_files_are_erased(tmp_path, git_env):
    root, remote = vault_with_remote(tmp_path, git_env)
    big = "Dagboek. " * (1 << 18) + "Gesprek met Jan de Vries.\n"  # 2.25 MiB: past 1 MiB
    synced(root, git_env, {**NAMESAKES, "journaal/groot.md": big,
                           "Inbox/2026-02-01-coaching.md": session_note(
                               "jan-de-vries", date="2026-02-01") + SECRET + "\n"},
           errors=True)  # E021: a note in the wrong place
    copy = root / ".trash/client.md"  # Obsidian's bin: ignored by git, still on the disk
    copy.parent.mkdir()
    copy.write_bytes((root / "clients/jan-de-vries/client.md").read_bytes())
    cache = root / ".coachnotes"
    for name in (".records-abc.marshal.123.tmp", ".edit-backup.md.x1.tmp",
                 ".erase-journal.y2.tmp", "search.sqlite"):
        (cache / name).write_text(f"Jan de Vries {SECRET}")
    (root / "clients/mark/.client.md.z3.tmp").write_text(SECRET)  # a killed write

    done = cli(root, git_env, "forget", "jan-de-vries", "--yes", "--today", TODAY)

    assert done.returncode == 0, done.stderr
    assert not copy.exists() and not (root / "Inbox/2026-02-01-coaching.md").exists()
    assert ".trash/client.md" in done.stdout and "Inbox/2026-02-01-coaching.md" in done.stdout
    assert (root / "journaal/groot.md").read_text().endswith("Gesprek met [erased].\n")
    everything = b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file()
                          and ".git" not in p.parts)
    assert SECRET.encode() not in everything
    assert b"Jan de Vries" not in everything.replace(b"Jan de Vries-Bakker", b"")
    assert SECRET.encode() not in objects(root) and SECRET.encode() not in objects(remote)


def test_a_new_client_never_gets_an_erased_id_and_rename_refuses_one(tmp_path, git_env):
    root, remote = vault_with_remote(tmp_path, git_env)
    synced(root, git_env, NAMESAKES)
    assert cli(root, git_env, "forget", "jan-de-vries", "--yes", "--today",
               TODAY).returncode == 0
    made = cli(root, git_env, "new", "client", "Jan de Vries", "--intake", TODAY)
    assert made.returncode == 0, made.stderr
    assert "clients/jan-de-vries-2/client.md" in made.stdout
    check = cli(root, git_env, "check", "--today", TODAY)
    assert "E025" not in check.stdout
    refused = cli(root, git_env, "rename", "mark", "jan-de-vries")
    assert refused.returncode == 1 and "erased client" in refused.stderr
    assert (root / "clients/mark/client.md").exists()


def test_documents_go_to_exports_never_to_git_and_forget_removes_them(tmp_path, git_env):
    root, remote = vault_with_remote(tmp_path, git_env)
    consent = {"date": "2026-01-10", "share": ["attendance", "goals"]}
    synced(root, git_env, {**NAMESAKES, "clients/jan-de-vries/client.md": client_note(
        name="Jan de Vries", reason=SECRET, sponsor_consent=consent)})
    report = cli(root, git_env, "report", "jan-de-vries", "--format", "pdf", "--today", TODAY)
    assert report.returncode == 0, report.stderr
    pdf = root / "exports/jan-de-vries-progress-report-2026-11-27.pdf"
    assert report.stdout.strip() == str(pdf) and pdf.read_bytes().startswith(b"%PDF")
    export = cli(root, git_env, "export", "jan-de-vries", "--today", TODAY)
    assert export.returncode == 0, export.stderr
    archive = root / "exports/jan-de-vries-export-2026-11-27.zip"
    hours = cli(root, git_env, "hours", "--csv", "--from", "2026-01-01", "--today", TODAY)
    assert hours.stdout.strip() == str(root / "exports/hours-2026-01-01-2026-11-30.csv")
    assert oct(os.stat(root / "exports").st_mode & 0o777) == "0o700"
    assert {oct(p.stat().st_mode & 0o777) for p in (root / "exports").iterdir()} == {"0o600"}
    assert cli(root, git_env, "sync", "--today", TODAY).returncode == 0
    assert "exports" not in git(root, "ls-files")
    assert "exports/" in (root / ".gitignore").read_text()

    committed = root / "jan-de-vries-report-2026-11-01.pdf"  # v2's old default, committed
    committed.write_bytes(pdf.read_bytes())
    git(root, "add", committed.name)
    git(root, "commit", "-qm", "report")
    check = cli(root, git_env, "check", "--today", TODAY)
    assert f"{committed.name}:1: W118" in check.stdout and "git rm --cached" in check.stdout

    done = cli(root, git_env, "forget", "jan-de-vries", "--yes", "--today", TODAY)
    assert done.returncode == 0, done.stderr
    assert not pdf.exists() and not archive.exists()
    assert SECRET not in (root / "exports/hours-2026-01-01-2026-11-30.csv").read_text()
    assert committed.name not in git(root, "log", "--all", "--format=", "--name-only")


def test_sync_adds_exports_to_an_old_gitignore(tmp_path, git_env):
    root, remote = vault_with_remote(tmp_path, git_env)
    ignore = root / ".gitignore"
    ignore.write_text(ignore.read_text().replace("exports/\n", ""))
    git(root, "commit", "-qam", "old gitignore")
    assert cli(root, git_env, "sync", "--today", TODAY).returncode == 0
    assert ignore.read_text().endswith("exports/\n")


def test_export_holds_attachments_copies_and_mentions_and_nothing_outside(make_vault, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0\n")
    root = make_vault({
        "clients/jan/client.md": client_note(name="Jan de Vries"),
        "clients/jan/intake-scan.pdf": b"%PDF-1.4 scan\0",
        "clients/jan/sessions/2026-01-12-coaching.md": session_note(number=1),
        "clients/jan/sessions/2026-01-12-coaching.conflict-phone-20260112T100000.md":
            session_note(number=1) + "Andere versie.\n",
        "clients/jan/..\\..\\evil.md": "ontsnapt niet\n",
        "clients/piet/client.md": client_note(name="Piet Bos"),
        "clients/piet/sessions/2026-01-12-coaching.md": session_note("piet", number=1)
        + "Piet vertelde over zijn werk.\nHij noemde Jan de Vries als voorbeeld.\n",
        "Inbox/2026-02-01-coaching.md": session_note("[[Jan de Vries]]", date="2026-02-01"),
        "journaal/week.md": "Jan de Vries belde.\n",
    })
    os.symlink(outside, root / "clients/jan/passwd.md")
    os.symlink(root / "clients/piet", root / "clients/jan/piet")
    target = tmp_path / "jan.zip"
    done = run_cli("--vault", str(root), "export", "jan", "-o", str(target), "--today", TODAY)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        content = b"".join(archive.read(n) for n in names)
        data = json.loads(archive.read("jan/data.json"))
    assert all(n.startswith("jan/") and ".." not in n.split("/") and "\\" not in n
               for n in names), names
    assert "jan/intake-scan.pdf" in names
    assert "jan/sessions/2026-01-12-coaching.conflict-phone-20260112T100000.md" in names
    assert "jan/elsewhere/Inbox/2026-02-01-coaching.md" in names
    assert "jan/mentions/journaal/week.md" in names and data["mentions"] == ["journaal/week.md"]
    assert b"root:x:0:0" not in content and b"Piet Bos" not in content
    assert b"Hij noemde Jan de Vries als voorbeeld." in content
    assert b"Piet vertelde over zijn werk." not in content  # the other client's own words
    assert "clients/jan/passwd.md" in data["links_left_out"]


def test_a_cloned_vault_and_its_git_objects_become_private_at_the_first_sync(tmp_path, git_env):
    root, remote = vault_with_remote(tmp_path, git_env)
    synced(root, git_env, NAMESAKES)
    clone = tmp_path / "phone"
    os.umask(0o022)
    git(tmp_path, "clone", "-q", "-b", "main", str(remote), str(clone))
    assert os.stat(clone).st_mode & 0o077 and os.stat(clone / "INDEX.md").st_mode & 0o044
    first = cli(clone, git_env, "sync", "--today", TODAY)
    assert first.returncode == 0 and "only you can read them" in first.stderr
    opened = [p for p in [clone, *clone.rglob("*")] if not p.is_symlink()
              and os.stat(p).st_mode & 0o077]
    assert opened == []
    assert git(clone, "config", "core.sharedRepository").strip() in ("0600", "600")
    synced(root, git_env, {"clients/mark/sessions/2026-02-01-coaching.md": session_note(
        "mark", date="2026-02-01", number=1)})
    second = cli(clone, git_env, "sync", "--today", TODAY)
    assert second.returncode == 0 and "only you can read them" not in second.stderr
    assert os.stat(clone).st_mode & 0o077 == 0
    new_objects = [p for p in (clone / ".git/objects").rglob("*") if p.is_file()]
    assert all(p.stat().st_mode & 0o077 == 0 for p in new_objects)


def test_a_calendar_names_clients_by_initials_reminds_and_counts_each_appointment_once(
        make_vault, tmp_path):
    import icalendar

    files = {
        "clients/zoe/client.md": client_note(name="Zoë van 't Hek", status="follow-up",
                                             end_date="2026-10-01",
                                             follow_ups=[{"due": "2026-12-01"}]),
        "clients/zoe/sessions/2026-12-03-follow-up.md": note(
            {"type": "session", "client": "zoe", "date": "2026-12-03 14:00",
             "kind": "follow-up", "duration": 45}),
        "clients/zoe/sessions/2026-10-01-coaching.md": session_note(
            "zoe", date="2026-10-01", number=1, actions=["Vacatures bekijken"]),
    }
    root = make_vault(files, settings="calendar_alarm_minutes: 15\n")
    target = tmp_path / "due.ics"
    done = run_cli("--vault", str(root), "due", "--all", "--ics", str(target), "--today",
                   TODAY)
    assert done.returncode == 0, done.stderr
    events = list(icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT"))
    assert f"{len(events)} event(s) written" in done.stderr
    follow = [e for e in events if "follow-up" in str(e["summary"]).lower()]
    assert len(follow) == 1  # the planned note and its follow-up entry: one appointment
    assert str(follow[0]["summary"]).startswith("Z.v.t.H.: ")
    assert follow[0].decoded("dtstart").hour == 14
    alarms = list(follow[0].walk("VALARM"))
    assert len(alarms) == 1 and str(alarms[0]["trigger"].to_ical(), "ascii") == "-PT15M"
    text = target.read_text()
    assert "Zoë" not in text and "Hek" not in text and "clients/" not in text
    listed = json.loads(run_cli("--vault", str(root), "due", "--all", "--json", "--today",
                                TODAY).stdout)
    assert [i["kind"] for i in listed].count("follow-up") == 1
    assert not [i for i in listed if i["kind"] == "session"]
    (root / "coachnotes.yml").write_text("language: en\nretention_years: 2\ncalendar_names: full\n")
    run_cli("--vault", str(root), "due", "--all", "--ics", str(target), "--today", TODAY)
    assert "Zoë van 't Hek: " in target.read_text(encoding="utf-8").replace("\\'", "'")


NAMES = ["Jan", "Jan de Vries", "Jan de Vries-Bakker", "Zoë van 't Hek", "Zoë", "Anne",
         "Anne-Marie", "Mark", "Mark de Jong", "Ömer", "Ömer Öztürk"]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_forgetting_one_of_many_alike_names_changes_only_its_own_mentions(tmp_path_factory,
                                                                          data):
    from coachnotes.vault.layout import slugify

    chosen = data.draw(st.lists(st.sampled_from(NAMES), min_size=2, max_size=6, unique=True))
    gone = data.draw(st.sampled_from(chosen))
    root = tmp_path_factory.mktemp("vault")
    (root / "coachnotes.yml").write_text("language: en\nretention_years: 2\n")
    expected = {}
    for name in chosen:
        said = data.draw(st.lists(st.sampled_from(chosen), max_size=4))
        body = "Gesprek. " + " en ".join(said) + ".\n"
        front = {"type": "client", "name": name, "status": "intake",
                 "intake_date": "2026-01-05", "sponsor": said[0] if said else None,
                 "goals": said[:2]}
        text = note(front, body)
        rel = f"clients/{slugify(name)}/client.md"
        write_files(root, {rel: text})
        if name != gone:
            kept = ["[erased]" if s == gone else s for s in said]
            expected[rel] = (name, "Gesprek. " + " en ".join(kept) + ".\n", kept)
    done = run_cli("--vault", str(root), "forget", slugify(gone), "--yes", "--today", TODAY)
    assert done.returncode == 0, done.stderr
    for rel, (name, body, kept) in expected.items():
        raw = (root / rel).read_text(encoding="utf-8")
        _, front, rest = raw.split("---\n", 2)
        values = yaml.safe_load(front)  # every note still parses, with the same values
        assert rest.lstrip("\n") == body, (gone, rel)
        assert values["name"] == name
        assert values.get("sponsor") == (kept[0] if kept else None)
        assert values.get("goals") == kept[:2]
    remaining = {re.sub(r"^clients/([^/]+)/.*", r"\1", r) for r in expected}
    assert sorted(p.name for p in (root / "clients").iterdir() if p.is_dir()) == \
        sorted(remaining)
