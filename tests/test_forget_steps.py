"""`forget` stopped after every step of its journal (SPEC §13, v4: safe to interrupt, safe to
repeat), and every ref of every device: a branch another device pushed since this one last
fetched, the remote's `refs/notes/*`, ref names that hold the client.

Each step is a fault-injection point (coachnotes/faults.py): `COACHNOTES_FAULT=forget:<step>`
makes the command kill itself there with SIGKILL, deterministically. The second run must end
exactly where an uninterrupted run ends: every other file byte-identical, the same refs with
the same trees, here and on the remote, and no byte of the client left anywhere."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from test_privacy import ID, NAME, TODAY, leaks, objects, snapshot, synced_vault

from conftest import client_note, coachnotes_command, git, run_cli, session_note

# Its module-scoped fixtures are built once: all its tests run on one worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("forget-steps")

STEPS = ["forget:mirrored", "forget:rewritten", "forget:planned", "forget:moved",
         "forget:reset", "forget:namespace-half-deleted", "forget:swap-done",
         "forget:files-erased", "forget:tidy-done", "forget:pushed", "forget:push-done",
         "forget:prune-done"]
OTHER_BRANCH = "refs/heads/desktop-werk"


def forget(root: Path, env: dict, **extra: str) -> subprocess.CompletedProcess:
    """The installed command in a process of its own (a kill must kill only it); the run
    after a kill runs in the test's process (`run_cli`), as the cheaper of the two."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("COACHNOTES_")}
    return subprocess.run([coachnotes_command(), "--vault", str(root), "forget", ID, "--yes",
                           "--today", TODAY], env={**full, **env, **extra},
                          capture_output=True, text=True, timeout=120)


def trees(repo: Path) -> dict[str, dict[str, str]]:
    """Every branch, tag and notes ref with the files of its tree (path → blob), leaving out
    the erasure log, whose salt is new on every run."""
    found = {}
    out = git(repo, "for-each-ref", "--format=%(refname)", "refs/heads", "refs/tags",
              "refs/notes", "refs/remotes")
    for ref in out.split():
        if ref.endswith("/HEAD"):
            continue
        listing = git(repo, "ls-tree", "-r", f"{ref}^{{tree}}")
        found[ref] = {line.split("\t")[1]: line.split()[2] for line in listing.splitlines()
                      if not line.endswith("\terasures.yml")}
    return found


def outcome(root: Path, remote: Path) -> dict:
    files = {rel: data for rel, data in snapshot(root).items() if rel != "erasures.yml"}
    return {"files": files, "here": trees(root), "remote": trees(remote),
            "head": git(root, "symbolic-ref", "HEAD").strip(),
            "status": git(root, "status", "--porcelain")}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> tuple[Path, dict]:
    """A synced vault and its remote; on the remote, a branch another device pushed after
    this one last fetched, and notes that name the client; here and there, a branch and a tag
    whose names hold the client."""
    base = tmp_path_factory.mktemp("pristine")
    home = base / "home"
    home.mkdir()
    env = {"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_AUTHOR_NAME": "Test Coach", "GIT_AUTHOR_EMAIL": "coach@example.invalid",
           "GIT_COMMITTER_NAME": "Test Coach", "GIT_COMMITTER_EMAIL": "coach@example.invalid",
           "GIT_TERMINAL_PROMPT": "0"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        root, remote = synced_vault(base, env, "v")
        git(root, "branch", f"{ID}-start")
        git(root, "tag", f"archief/{ID}")
        git(root, "push", "-q", "origin", f"{ID}-start", f"archief/{ID}")
        other = base / "desktop"
        git(base, "clone", "-q", "-b", "main", str(remote), str(other))
        git(other, "switch", "-q", "-c", "desktop-werk")
        note = other / "clients/piet-bos/sessions/2026-11-25-coaching.md"
        note.write_text(session_note("piet-bos", date="2026-11-25", number=2)
                        + f"Ook {NAME} kwam ter sprake.\n", encoding="utf-8")
        (other / "clients/kees-mol/client.md").parent.mkdir(parents=True)
        (other / "clients/kees-mol/client.md").write_text(client_note(name="Kees Mol"))
        git(other, "add", "-A")
        git(other, "commit", "-q", "--no-verify", "-m", "werk op de desktop")
        git(other, "notes", "add", "-m", f"gesprek met {NAME} voorbereid", "HEAD")
        git(other, "push", "-q", "origin", "desktop-werk", "refs/notes/commits")
        shutil.rmtree(other)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return base, env


def copy_of(pristine: tuple[Path, dict], into: Path) -> tuple[Path, Path, dict]:
    base, env = pristine
    shutil.copytree(base / "v", into / "v", symlinks=True)
    shutil.copytree(base / "remote.git", into / "remote.git", symlinks=True)
    git(into / "v", "remote", "set-url", "origin", str(into / "remote.git"))
    return into / "v", into / "remote.git", env


@pytest.fixture(scope="module")
def uninterrupted(pristine, tmp_path_factory) -> dict:
    """What a forget that nobody stops leaves, and every step it passed."""
    root, remote, env = copy_of(pristine, tmp_path_factory.mktemp("uninterrupted"))
    trace = root.parent / "trace"
    done = forget(root, env, COACHNOTES_FAULT_TRACE=str(trace))
    assert done.returncode == 0, done.stderr
    return {"outcome": outcome(root, remote), "steps": trace.read_text().split(),
            "stdout": done.stdout, "root": root, "remote": remote}


def test_every_ref_of_every_device_is_erased_and_pushed(uninterrupted):
    result, root, remote = uninterrupted["outcome"], uninterrupted["root"], uninterrupted["remote"]
    # the branch another device pushed is kept, on the remote and here, its mention erased
    assert OTHER_BRANCH in result["remote"]
    kept = result["remote"][OTHER_BRANCH]
    assert "clients/kees-mol/client.md" in kept
    text = git(remote, "show", "desktop-werk:clients/piet-bos/sessions/2026-11-25-coaching.md")
    assert text.endswith("Ook [erased] kwam ter sprake.\n")
    # the notes are rewritten there, not left behind
    assert "refs/notes/commits" in result["remote"]
    notes = git(remote, "log", "-p", "refs/notes/commits")
    assert NAME not in notes and "[erased] voorbereid" in notes
    # the refs whose names held the client are renamed, here and there
    names = set(result["remote"]) | set(result["here"])
    assert not [n for n in names if ID in n]
    assert {"refs/heads/erased-2", "refs/tags/erased-1"} <= set(result["remote"])
    assert {"refs/heads/erased-2", "refs/tags/erased-1"} <= set(result["here"])
    # and nothing of the client is left in any object of either repository
    assert leaks(objects(root)) == [] and leaks(objects(remote)) == []
    assert git(root, "for-each-ref", "refs/coachnotes-erase", "refs/coachnotes-remote") == ""


def test_every_step_of_the_journal_has_a_fault_point_and_a_test(uninterrupted):
    assert uninterrupted["steps"] == STEPS


@pytest.mark.parametrize("step", STEPS)
def test_a_forget_stopped_after_a_step_and_run_again_ends_as_one_run(step, pristine,
                                                                    uninterrupted, tmp_path):
    root, remote, env = copy_of(pristine, tmp_path)
    stopped = forget(root, env, COACHNOTES_FAULT=step)
    assert stopped.returncode == -signal.SIGKILL, stopped.stderr  # it really died there
    # whatever the step, nothing of the vault is lost while it lies stopped
    assert (root / "coachnotes.yml").exists() and (root / ".gitignore").exists()
    assert "refs/heads/main" in git(root, "for-each-ref", "--format=%(refname)")

    again = run_cli("--vault", str(root), "forget", ID, "--yes", "--today", TODAY, env=env)

    assert again.returncode == 0, again.stderr
    expected = uninterrupted["outcome"]
    result = outcome(root, remote)
    assert result["files"].keys() == expected["files"].keys()
    for rel, data in expected["files"].items():
        assert result["files"][rel] == data, rel
    assert result["here"] == expected["here"]
    assert result["remote"] == expected["remote"]
    assert result["head"] == expected["head"] and result["status"] == ""
    assert leaks(objects(root)) == [] and leaks(objects(remote)) == []
    assert not (root / ".coachnotes" / "erase-journal").exists()


def test_a_forget_that_lost_the_remote_after_mirroring_it_pushes_every_ref_at_the_next_sync(
        pristine, uninterrupted, tmp_path):
    root, remote, env = copy_of(pristine, tmp_path)
    assert forget(root, env, COACHNOTES_FAULT="forget:planned").returncode == -signal.SIGKILL
    away = tmp_path / "away.git"
    remote.rename(away)  # the network is gone before the push

    offline = forget(root, env)

    assert offline.returncode == 3, offline.stderr
    assert not (root / "clients" / ID).exists() and leaks(objects(root)) == []
    assert "erased-2" not in git(away, "for-each-ref")  # the remote still has it all
    away.rename(remote)
    full = {k: v for k, v in os.environ.items() if not k.startswith("COACHNOTES_")}
    synced = subprocess.run([coachnotes_command(), "--vault", str(root), "sync", "--today",
                             TODAY], env={**full, **env}, capture_output=True, text=True)

    assert synced.returncode == 0, synced.stderr
    expected = uninterrupted["outcome"]["remote"]
    assert trees(remote) == expected  # every branch, tag and note ref, as one run leaves them
    assert leaks(objects(remote)) == []
    assert not (root / ".coachnotes" / "erase-journal").exists()
    assert git(root, "for-each-ref", "refs/coachnotes-remote") == ""
