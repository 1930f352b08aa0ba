"""AVG duties (SPEC §13): retention, `forget` from the vault, its history and the remote,
erasure reaching other devices, E025, and pseudonymous ids."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import client_note, copy_of_built, git, run_cli, session_note, vault_with_remote

NAME, ID, SECRET = "Jan de Vries", "jan-de-vries", "GEHEIM-overspannen-sinds-mei"
KEEP = "clients/piet-bos/sessions/2026-11-02-coaching.md"
MENTION = f"Piet noemde {NAME} als voorbeeld; zie ook {ID}. Jan-de-Vriesland blijft.\n"
TODAY = "2026-11-27"


def objects(repo: Path) -> bytes:
    """Every object of a repository, unreachable ones included, as git stores their content."""
    return subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=repo,
                          capture_output=True, check=True).stdout


def leaks(data: bytes) -> list[str]:
    return [word for word in (NAME, ID, SECRET, "jan de vries") if word.encode() in data]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the vault but git's and the cache's (not even walked: right after a kill
    an orphaned git-filter-repo may still be deleting its work folder there)."""
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in (".git", ".coachnotes")]
        for name in files:
            path = Path(folder) / name
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def cli(root: Path, env: dict, *args: str, **kw) -> subprocess.CompletedProcess:
    return run_cli("--vault", str(root), *args, env=env, **kw)


def synced_vault(tmp_path: Path, env: dict, name: str = "laptop") -> tuple[Path, Path]:
    """A vault with two clients, a history of several syncs and a bare remote; Piet's
    session mentions Jan, and one hand-made commit names him in its message."""
    copy_of_built(tmp_path, f"synced-{name}", lambda folder: _synced_vault(folder, env, name))
    root, remote = tmp_path / name, tmp_path / "remote.git"
    git(root, "remote", "set-url", "origin", str(remote))
    return root, remote


def _synced_vault(tmp_path: Path, env: dict, name: str) -> None:
    root, remote = vault_with_remote(tmp_path, env, name)
    files = {
        f"clients/{ID}/client.md": client_note(name=NAME) + f"{SECRET}\n",
        f"clients/{ID}/sessions/2026-10-01-coaching.md": session_note(ID, date="2026-10-01",
                                                                      number=1),
        "clients/piet-bos/client.md": client_note(name="Piet Bos"),
        KEEP: session_note("piet-bos", date="2026-11-02", number=1),
        f"journaal/{ID}.md": "Eigen aantekening over een lastig gesprek.\n",  # a name in a path
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        assert cli(root, env, "sync", "--today", TODAY).returncode == 0
    with open(root / KEEP, "a", encoding="utf-8") as out:
        out.write(MENTION)
    with open(root / f"clients/{ID}/sessions/2026-10-01-coaching.md", "a") as out:
        out.write(f"Tweede gesprek: {SECRET} nader besproken.\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", f"notes after talking with {NAME}")
    assert cli(root, env, "sync", "--today", TODAY).returncode == 0


def expected_after(before: dict[str, bytes]) -> dict[str, bytes]:
    """The oracle: every file that is not Jan's and not a generated page, with the mentions
    replaced (in its path too) and nothing else changed."""
    out = {}
    for rel, data in before.items():
        if rel.startswith(f"clients/{ID}/") or rel in ("INDEX.md", "FOLLOW-UPS.md") or \
                rel.endswith("/README.md"):
            continue
        out[rel.replace(ID, "[erased]")] = data.replace(NAME.encode(), b"[erased]") \
            .replace(ID.encode(), b"[erased]")
    return out


def test_forget_erases_the_client_from_vault_history_cache_and_remote(tmp_path, git_env):
    root, remote = synced_vault(tmp_path, git_env)
    other = tmp_path / "desktop"  # a second device with unsynced work of its own
    git(tmp_path, "clone", "-q", "-b", "main", str(remote), str(other))
    (other / "clients/piet-bos/sessions/2026-11-20-coaching.md").write_text(
        session_note("piet-bos", date="2026-11-20", number=2) + f"Ook over {NAME}.\n")
    assert cli(other, {**git_env, "COACHNOTES_DEVICE": "desktop"}, "sync", "--no-push",
               "--today", TODAY).returncode == 0
    assert leaks(objects(root)) and leaks(objects(remote))  # the test can fail
    before = snapshot(root)

    done = cli(root, git_env, "forget", ID, "--yes", "--today", TODAY)

    assert done.returncode == 0, done.stderr
    assert f"{KEEP}: the mentions of {ID} now read [erased]" in done.stdout
    assert f"journaal/{ID}.md: the mentions of {ID} now read [erased]" in done.stdout
    assert not (root / "clients" / ID).exists()
    after = snapshot(root)
    for rel, data in expected_after(before).items():
        assert after[rel] == data, rel
    assert b"Jan-de-Vriesland blijft" in after[KEEP]  # a longer word is not a mention
    assert (root / "journaal/[erased].md").read_text() == \
        "Eigen aantekening over een lastig gesprek.\n"  # renamed, its text kept
    assert leaks(objects(root)) == [] and leaks(objects(remote)) == []
    assert NAME not in git(root, "log", "--all", "--format=%B")
    cache = b"".join(p.read_bytes() for p in (root / ".coachnotes").rglob("*") if p.is_file())
    assert leaks(cache) == []
    log = (root / "erasures.yml").read_text()
    assert ID not in log and NAME not in log and log.count("token:") == 1
    check = cli(root, git_env, "check", "--json", "--today", TODAY)
    assert check.returncode == 0 and not [p for p in json.loads(check.stdout)
                                          if p["severity"] == "error"]

    desktop = {**git_env, "COACHNOTES_DEVICE": "desktop"}
    synced = cli(other, desktop, "sync", "--today", TODAY)
    assert synced.returncode == 0, synced.stderr
    assert "erased 1 client" in synced.stderr
    assert not (other / "clients" / ID).exists()
    mine = (other / "clients/piet-bos/sessions/2026-11-20-coaching.md").read_text()
    assert mine.endswith("Ook over [erased].\n")  # its own work kept, the mention erased
    assert leaks(objects(other)) == [] and leaks(objects(remote)) == []
    assert not list(other.glob("*.conflict-*"))  # one erasure log, not two
    assert cli(root, git_env, "sync", "--today", TODAY).returncode == 0
    assert (root / "clients/piet-bos/sessions/2026-11-20-coaching.md").exists()
    assert leaks(objects(root)) == []


def test_a_forget_that_could_not_push_is_pushed_by_the_next_sync(tmp_path, git_env):
    root, remote = synced_vault(tmp_path, git_env)
    away = tmp_path / "away.git"
    remote.rename(away)
    done = cli(root, git_env, "forget", ID, "--yes", "--today", TODAY)
    assert done.returncode == 3
    assert "remote still holds the client" in done.stderr and "coachnotes sync" in done.stderr
    away.rename(remote)
    assert leaks(objects(remote))
    synced = cli(root, git_env, "sync", "--today", TODAY)
    assert synced.returncode == 0, synced.stderr
    # no clean-up by hand: sync prunes a remote that is a folder here, as forget does
    assert "pruned its old objects" in synced.stderr
    assert leaks(objects(remote)) == [] and leaks(objects(root)) == []


@pytest.mark.slow
def test_another_device_pushing_old_history_after_a_forget_is_erased_again(tmp_path, git_env):
    """A device that synced the old history in between (the lease fails): the next sync
    erases the client from its commits too, and the remote never keeps it."""
    root, remote = synced_vault(tmp_path, git_env)
    other = tmp_path / "desktop"
    git(tmp_path, "clone", "-q", "-b", "main", str(remote), str(other))
    git(root, "remote", "set-url", "origin", str(tmp_path / "nowhere.git"))
    assert cli(root, git_env, "forget", ID, "--yes", "--today", TODAY).returncode == 3
    git(root, "remote", "set-url", "origin", str(remote))
    (other / "notes.md").write_text("Eigen aantekening.\n")
    desktop = {**git_env, "COACHNOTES_DEVICE": "desktop"}
    assert cli(other, desktop, "sync", "--today", TODAY).returncode == 0  # old history + one
    synced = cli(root, git_env, "sync", "--today", TODAY)
    assert synced.returncode == 0, synced.stderr
    assert (root / "notes.md").read_text() == "Eigen aantekening.\n"
    for repo in (root, remote):
        git(repo, "reflog", "expire", "--expire=now", "--all")
        git(repo, "gc", "--prune=now", "-q")
        assert leaks(objects(repo)) == []
    again = cli(other, desktop, "sync", "--today", TODAY)
    assert again.returncode == 0, again.stderr
    assert not (other / "clients" / ID).exists() and leaks(objects(remote)) == []


@pytest.mark.parametrize("obstacle", ["changed note", "new file", "merge", "no filter-repo"])
def test_forget_refuses_and_changes_nothing(tmp_path, git_env, obstacle):
    root, remote = synced_vault(tmp_path, git_env)
    env = dict(git_env)
    if obstacle == "changed note":
        with open(root / KEEP, "a") as out:
            out.write("Nog niet gesynchroniseerd.\n")
    elif obstacle == "new file":
        (root / "inbox.md").write_text("nieuw\n")
    elif obstacle == "merge":
        git(root, "checkout", "-q", "-b", "side")
        (root / "side.md").write_text("a\n")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "side")
        git(root, "checkout", "-q", "main")
        (root / "side.md").write_text("b\n")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "main")
        git(root, "merge", "side", check=False)
        assert (root / ".git/MERGE_HEAD").exists()
    else:
        env["COACHNOTES_FILTER_REPO"] = ""
    refs, files, remote_refs = (git(root, "for-each-ref"), snapshot(root),
                                git(remote, "for-each-ref"))
    done = cli(root, env, "forget", ID, "--yes", "--today", TODAY)
    assert done.returncode == 1 and "Nothing was changed" in done.stderr
    assert "Traceback" not in done.stderr
    assert {"changed note": "coachnotes sync", "new file": "coachnotes sync", "merge": "merge",
            "no filter-repo": "git-filter-repo"}[obstacle] in done.stderr
    assert git(root, "for-each-ref") == refs and snapshot(root) == files
    assert git(remote, "for-each-ref") == remote_refs


def test_a_restored_backup_gives_E025_the_hook_blocks_it_and_sync_does_not_push(
        tmp_path, git_env):
    root, remote = synced_vault(tmp_path, git_env)
    backup = tmp_path / "backup"
    shutil.copytree(root / "clients" / ID, backup)
    assert cli(root, git_env, "forget", ID, "--yes", "--today", TODAY).returncode == 0
    shutil.copytree(backup, root / "clients" / ID)
    check = cli(root, git_env, "check", "--today", TODAY)
    assert check.returncode == 1
    assert f"clients/{ID}/client.md:1: E025" in check.stdout
    assert f"coachnotes forget {ID}" in check.stdout
    assert cli(root, git_env, "hooks", "install").returncode == 0
    git(root, "add", "-A")
    blocked = subprocess.run(["git", "commit", "-qm", "restore"], cwd=root, capture_output=True,
                             text=True)
    assert blocked.returncode != 0 and "E025" in blocked.stdout + blocked.stderr
    git(root, "reset", "-q")
    synced = cli(root, git_env, "sync", "--today", TODAY)
    assert synced.returncode == 1 and "not pushed" in synced.stderr
    assert leaks(objects(remote)) == []
    again = cli(root, git_env, "forget", ID, "--yes", "--today", TODAY)
    assert again.returncode == 0, again.stderr
    assert leaks(objects(root)) == [] and leaks(objects(remote)) == []


def test_a_killed_forget_leaves_the_old_or_the_new_repository(tmp_path, git_env):
    """One kill at a moment between steps; every step's own stop: test_forget_steps.py."""
    root, remote = synced_vault(tmp_path, git_env)
    before, refs = snapshot(root), git(root, "for-each-ref", "refs/heads", "refs/remotes")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACHNOTES_")}
    from conftest import coachnotes_command

    started = subprocess.Popen([coachnotes_command(), "--vault", str(root), "forget", ID,
                                "--yes", "--today", TODAY], env={**env, **git_env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(random.Random(0).uniform(0.25, 0.75))
    started.send_signal(signal.SIGKILL)
    started.wait()
    journal = root / ".coachnotes" / "erase-journal"
    if not journal.exists():  # never half: the old repository, or the new one
        old = git(root, "for-each-ref", "refs/heads", "refs/remotes") == refs
        if old:
            assert snapshot(root) == before
        else:
            assert not (root / "clients" / ID).exists()
    done = cli(root, git_env, "forget", ID, "--yes", "--today", TODAY)
    assert done.returncode == 0, done.stderr
    after = snapshot(root)
    for rel, data in expected_after(before).items():
        assert after[rel] == data, rel
    assert not journal.exists() and not (root / ".coachnotes" / "erase-work").exists()
    cache = b"".join(p.read_bytes() for p in (root / ".coachnotes").rglob("*") if p.is_file())
    assert leaks(cache) == []  # no journal copy, cache or temporary file keeps the client
    assert git(root, "for-each-ref", "refs/coachnotes-erase") == ""
    assert git(root, "status", "--porcelain") == ""
    assert leaks(objects(root)) == [] and leaks(objects(remote)) == []


def test_forget_without_git_erases_the_folder_and_the_mentions(make_vault):
    root = make_vault({f"clients/{ID}/client.md": client_note(name=NAME),
                       "clients/piet-bos/client.md": client_note(name="Piet Bos"),
                       KEEP: session_note("piet-bos", date="2026-11-02", number=1) + MENTION,
                       f"journaal/{ID}.md": "Eigen aantekening.\n",
                       "journaal/foto.png": b"\x89PNG\0\0" + ID.encode()})
    done = run_cli("--vault", str(root), "forget", ID, "--yes", "--today", TODAY)
    assert done.returncode == 0, done.stderr
    assert "not a git repository" in done.stderr
    assert (root / "journaal/[erased].md").read_text() == "Eigen aantekening.\n"
    # a picture whose bytes name the client is a document about it (SPEC §13, v4): removed,
    # and said so
    assert not (root / "journaal/foto.png").exists()
    assert "journaal/foto.png: a copy of a note of" in done.stdout
    assert not (root / "clients" / ID).exists()
    assert (root / KEEP).read_text().endswith(
        "Piet noemde [erased] als voorbeeld; zie ook [erased]. Jan-de-Vriesland blijft.\n")
    assert "token:" in (root / "erasures.yml").read_text()


def test_forget_asks_first_and_refuses_an_unknown_client(make_vault):
    root = make_vault({f"clients/{ID}/client.md": client_note(name=NAME)})
    asked = run_cli("--vault", str(root), "forget", ID, input="n\n")
    assert asked.returncode != 0 and (root / "clients" / ID / "client.md").exists()
    unknown = run_cli("--vault", str(root), "forget", "jan-de-vris", "--yes")
    assert unknown.returncode == 1 and ID in unknown.stderr


def closed_client(client_id: str, end: str, **keys) -> str:
    values = {"follow_ups": [{"due": "2024-06-01", "done": "2024-06-03"}], **keys}
    return client_note(name=client_id.title(), status="closed", end_date=end, **values)


def test_retention_warnings_and_the_retention_command(make_vault):
    root = make_vault({
        "clients/oud/client.md": closed_client("oud", "2023-10-01"),  # follow-up done later
        "clients/net/client.md": closed_client("net", "2023-10-01",
                                               follow_ups=[{"due": "2024-11-27",
                                                            "done": "2024-11-28"}]),
        "clients/nee/client.md": client_note(name="Nee", status="declined",
                                             intake_date="2024-11-27", start_date=None,
                                             goals=None, assessment=None),
        "clients/loopt/client.md": client_note(name="Loopt"),
    }, settings="retention_years: 2\n")
    check = run_cli("--vault", str(root), "check", "--today", TODAY)
    lines = [line for line in check.stdout.splitlines() if "W112" in line]
    assert [line.split(":")[0] for line in lines] == ["clients/nee/client.md",
                                                      "clients/oud/client.md"]
    assert "coachnotes forget oud" in check.stdout
    table = run_cli("--vault", str(root), "retention", "--today", TODAY)
    assert table.returncode == 0
    rows = table.stdout.splitlines()[1:]
    assert [r.split()[0] for r in rows[:2]] == ["Oud", "Nee"] and "forget oud" in rows[0]
    assert "2 client(s) past it" in table.stderr
    data = json.loads(run_cli("--vault", str(root), "retention", "--json", "--today",
                              TODAY).stdout)
    by_id = {c["id"]: c for c in data["clients"]}
    assert by_id["net"] == {"id": "net", "name": "Net", "status": "closed",
                            "since": "2024-11-28", "ends": "2026-11-28", "past": False}
    assert by_id["loopt"]["past"] is False and by_id["loopt"]["ends"] == "2028-07-12"


def test_W111_until_retention_is_chosen_and_init_chooses_two(tmp_path, make_vault):
    root = make_vault({}, settings="retention_years: 2\n")
    (root / "coachnotes.yml").write_text("language: en\ncoach: Marieke\n")
    check = run_cli("--vault", str(root), "check")
    assert check.returncode == 0 and "coachnotes.yml:1: W111" in check.stdout
    assert run_cli("--vault", str(root), "retention").returncode == 1
    fresh = tmp_path / "fresh"
    assert run_cli("init", str(fresh), "--language", "nl").returncode == 0
    text = (fresh / "coachnotes.yml").read_text()
    assert "retention_years: 2" in text and "KIES ZELF" in text
    assert "W111" not in run_cli("--vault", str(fresh), "check").stdout


def test_client_ids_code_gives_pseudonyms_and_never_an_erased_one(make_vault):
    root = make_vault({}, settings="client_ids: code\n")
    first = run_cli("--vault", str(root), "new", "client", NAME, "--intake", "2026-03-01")
    second = run_cli("--vault", str(root), "new", "client", "Piet Bos", "--intake",
                     "2026-04-01")
    assert first.stdout.strip() == "clients/c2026-001/client.md"
    assert second.stdout.strip() == "clients/c2026-002/client.md"
    assert "Jan" not in " ".join(p.as_posix() for p in root.rglob("*"))
    assert run_cli("--vault", str(root), "forget", "c2026-002", "--yes").returncode == 0
    third = run_cli("--vault", str(root), "new", "client", "Els", "--intake", "2026-05-01")
    assert third.stdout.strip() == "clients/c2026-003/client.md"  # 002 was erased
    other_year = run_cli("--vault", str(root), "new", "client", "Ko", "--intake", "2027-01-02")
    assert other_year.stdout.strip() == "clients/c2027-001/client.md"
