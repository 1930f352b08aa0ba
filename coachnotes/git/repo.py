"""Git basics shared by `sync` and `forget`: opening the repository without prompts, the
one-at-a-time lock of the vault's git work, its journal, identities for coachnotes' own commits,
and git's own reason when it fails."""

from __future__ import annotations

import fcntl
import os
import re
import socket
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from coachnotes.errors import SyncError
from coachnotes.i18n import _
from coachnotes.vault.layout import CACHE_DIR

NETWORK_TIMEOUT = 60

LOCK_WAIT = 2.0  # seconds to wait for another sync's lock before saying it is running
NO_PROMPT = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GCM_INTERACTIVE": "never",
    "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=10",
}
def device_name() -> str:
    """This device in commit messages and conflict copies: $COACHNOTES_DEVICE, else the host."""
    name = os.environ.get("COACHNOTES_DEVICE") or socket.gethostname().split(".")[0] or "device"
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "device"


def open_repo(root: Path):
    import git

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise SyncError(_("{root} is not in a git repository: run `git init` there (or "
                          "make the vault with `coachnotes init`)").format(root=root)) from None


def identity_env(repo, coach: str | None) -> tuple[dict[str, str], str | None]:
    """Author settings for coachnotes' own commits when git has no identity, and a note."""
    reader = repo.config_reader()
    name = reader.get_value("user", "name", default="") or os.environ.get("GIT_AUTHOR_NAME")
    email = reader.get_value("user", "email", default="") or os.environ.get("GIT_AUTHOR_EMAIL")
    if name and email:
        return {}, None
    name = name or coach or "coachnotes"
    email = email or f"coachnotes@{device_name()}.invalid"
    env = {"GIT_AUTHOR_NAME": str(name), "GIT_AUTHOR_EMAIL": str(email),
           "GIT_COMMITTER_NAME": str(name), "GIT_COMMITTER_EMAIL": str(email)}
    return env, _("git has no user identity here; this commit is by {name} <{email}>. Set "
                  "yours with `git config --global user.name/user.email`.").format(
                      name=name, email=email)


class Journal:
    """What a sync in progress has done, in `.coachnotes/sync-journal` (PITFALLS.md): a sync
    killed between `git merge` and its commit leaves MERGE_HEAD, and perhaps index.lock and
    conflict markers; the journal tells the next sync that this was its own unfinished work,
    to undo, and not a merge the coach started."""

    def __init__(self, folder: Path, name: str = "sync-journal") -> None:
        self.path = folder / name

    def read(self) -> dict | None:
        import json

        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def write(self, state: dict) -> None:
        import json

        from coachnotes.vault.files import write_atomic

        write_atomic(self.path, json.dumps(state).encode(), mode=0o600)

    def add_copy(self, copy: str) -> None:
        state = self.read() or {}
        state.setdefault("copies", []).append(copy)
        self.write(state)

    def clear(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass


@contextmanager
def sync_lock(root: Path, name: str = "sync-journal", lock: str = "sync.lock",
              ) -> Iterator[Journal]:
    """One sync at a time per vault (the watcher's and a command's included); with another
    `lock`, one run at a time of another command (`invoice`, which syncs inside its own)."""
    from coachnotes.vault.cache import private_dir

    folder = private_dir(root / CACHE_DIR)
    handle = os.open(folder / lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:  # a sync that is just ending (or a process still dying) lets go soon
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise SyncError(_("another sync of this vault is running; try again "
                                      "when it has finished")) from None
                time.sleep(0.05)
        yield Journal(folder, name)
    finally:
        os.close(handle)


@contextmanager
def lock_if_free(root: Path) -> Iterator[bool]:
    """The lock of sync and forget, taken without waiting: True while this process holds it
    (the watcher's rebuild), False when a sync or a forget holds it — then the watcher steps
    aside and looks at everything again once it is free (SPEC §13, v4)."""
    from coachnotes.vault.cache import private_dir

    handle = os.open(private_dir(root / CACHE_DIR) / "sync.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(handle)


def no_prompt(repo) -> dict[str, str]:
    """Git must never ask for a password or a host key: batch mode, added to the coach's
    own `core.sshCommand` (a key file, a jump host) instead of replacing it (PITFALLS.md)."""
    env = dict(NO_PROMPT)
    own = repo.config_reader().get_value("core", "sshCommand", default="")
    if own:
        env["GIT_SSH_COMMAND"] = f"{own} -o BatchMode=yes -o ConnectTimeout=10"
    return env


def state_problem(repo, command: str = "sync") -> str | None:
    """A merge, rebase, cherry-pick or revert the coach has in progress: what to do first."""
    git_dir = Path(repo.git_dir)
    for name, what, how in (("MERGE_HEAD", _("a merge"), "git merge --continue / --abort"),
                            ("rebase-merge", _("a rebase"), "git rebase --continue / --abort"),
                            ("rebase-apply", _("a rebase"), "git rebase --continue / --abort"),
                            ("CHERRY_PICK_HEAD", _("a cherry-pick"), "git cherry-pick --abort"),
                            ("REVERT_HEAD", _("a revert"), "git revert --abort")):
        if (git_dir / name).exists():
            return _("{what} is in progress in this repository; {command} leaves it alone. "
                     "Finish it or undo it ({how}), then {command} again. Nothing was "
                     "changed.").format(what=what, command=command, how=how)
    return None


_CAUSES = ("Could not resolve", "does not appear to be a git repository", "Permission denied",
           "Connection refused", "Connection timed out", "Host key verification failed",
           "Repository not found", "Authentication failed", "could not read Username",
           "unable to access", "No such file or directory")


def reason(error) -> str:
    """git's own reason, in its words: the line that names the cause, not the hints after
    it ("Please make sure you have the correct access rights / and the repository exists.")."""
    text = (getattr(error, "stderr", "") or str(error)).strip()
    lines = [line.strip().removeprefix("stderr: ").strip("'").strip() for line in
             text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("Cmd(")]
    for line in lines:
        if any(cause in line for cause in _CAUSES):
            return line.removeprefix("fatal: ")[:200]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (fatal[0].split(": ", 1)[1] if fatal else lines[-1] if lines else "git failed")[:200]


def tracked_files(root: Path) -> list[str]:
    """The files git tracks in the vault, relative to it (none outside a repository). Plain
    `git ls-files`, without GitPython: `check` calls it."""
    import subprocess

    if not any((folder / ".git").exists() for folder in (root, *root.resolve().parents)):
        return []  # not in a repository: no git to start
    done = subprocess.run(["git", "ls-files", "-z", "--full-name", "--", "."], cwd=root,
                          capture_output=True)
    if done.returncode != 0:
        return []
    top = subprocess.run(["git", "rev-parse", "--show-prefix"], cwd=root, capture_output=True,
                         text=True).stdout.strip()
    names = [n.decode("utf-8", "replace") for n in done.stdout.split(b"\0") if n]
    return [n[len(top):] for n in names if n.startswith(top)]


def vault_prefix(repo, root: Path) -> str:
    """Where the vault lies in the repository's work tree, as a path prefix ('' at its top)."""
    top = Path(repo.working_tree_dir).resolve()
    prefix = root.resolve().relative_to(top).as_posix()
    return "" if prefix == "." else prefix + "/"


def wait_for_git(top: Path, git_dir: Path, seconds: float = 10) -> None:
    """Wait while what a killed sync started still works here: killing coachnotes does not
    kill its git, which goes on to finish its merge or commit. It is never killed in turn (a
    merge killed halfway leaves a half-updated tree); it is waited for, and its merge undone
    afterwards. A process still between fork and exec shows the name of coachnotes, so those
    count too. Linux shows them in /proc; elsewhere the index lock is all there is."""
    deadline = time.monotonic() + seconds
    quiet = 0
    while time.monotonic() < deadline and quiet < 3:  # three quiet looks in a row
        busy = (git_dir / "index.lock").exists() or bool(_processes_in(top))
        quiet = 0 if busy else quiet + 1
        time.sleep(0.03)


def _processes_in(top: Path) -> list[tuple[int, str]]:
    """Other git and coachnotes processes whose working folder is this repository's."""
    found = []
    mine = os.getpid()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit() or int(entry) == mine:
            continue
        try:
            name = Path(f"/proc/{entry}/comm").read_text().strip()
            if name not in ("git", "coachnotes", "git-filter-repo") and \
                    not name.startswith("python"):
                continue
            parent = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()[1]
            if int(parent) == mine:
                continue  # this sync's own git (GitPython keeps helpers running)
            if name != "git" and "watch" in Path(f"/proc/{entry}/cmdline").read_bytes().split(
                    b"\0"):
                continue  # a watcher steps aside through the lock; it is never waited for
            where = Path(os.readlink(f"/proc/{entry}/cwd"))
            if where == top or top in where.parents:  # forget's work folder lies inside
                found.append((int(entry), name))
        except OSError:
            continue
    return found


def clear_stale_locks(git_dir: Path) -> None:
    """Lock files that a killed git left (wait_for_git first: their git is gone)."""
    for name in ("index.lock", "config.lock", "packed-refs.lock", "HEAD.lock"):
        (git_dir / name).unlink(missing_ok=True)
    for lock in (git_dir / "refs").rglob("*.lock"):
        lock.unlink(missing_ok=True)
