"""Git, and only here: init's first commit, hooks, and `sync` — where nothing is ever lost.

Sync commits everything, fetches, merges the remote branch, and resolves every conflict without
losing a version: generated pages are regenerated, a note changed on both sides keeps the local
text at its path and the remote text beside it as `<stem>.conflict-<device>-<time>.md`, and a
note deleted on one side and edited on the other keeps the edit. Git never prompts: the
environment forbids it and network calls have a time limit.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterator

from coachnotes.errors import SyncError, SyncOffline
from coachnotes.layout import CACHE_DIR, CONFLICT_TAG, is_generated_place

NETWORK_TIMEOUT = 60
NO_PROMPT = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GCM_INTERACTIVE": "never",
    "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=10",
}
MERGE_DRIVER = "coachnotes-generated"
_DEVICE_RE = re.compile(r"^coachnotes sync from ([A-Za-z0-9._-]+)")


def device_name() -> str:
    """This device in commit messages and conflict copies: $COACHNOTES_DEVICE, else the host."""
    name = os.environ.get("COACHNOTES_DEVICE") or socket.gethostname().split(".")[0] or "device"
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "device"


@dataclass
class SyncReport:
    committed: int = 0  # notes in the local commit
    merged: bool = False
    conflicts: list[str] = field(default_factory=list)  # conflict copies written
    kept_edits: list[str] = field(default_factory=list)  # delete/edit: the edit was kept
    pushed: bool = False
    messages: list[str] = field(default_factory=list)
    errors: list = field(default_factory=list)  # the vault's errors after syncing


def _open(root: Path):
    import git

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise SyncError(f"{root} is not in a git repository: run `git init` there (or make "
                        "the vault with `coachnotes init`)") from None


def hooks_dir(root: Path) -> tuple[Path, str]:
    """The repository's hooks folder, and the vault's place relative to the work tree."""
    with _open(root) as repo:
        top = Path(repo.working_tree_dir)
        path = Path(repo.git.rev_parse("--git-path", "hooks"))
        return (path if path.is_absolute() else top / path,
                root.resolve().relative_to(top.resolve()).as_posix())


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
    return env, (f"git has no user identity here; this commit is by {name} <{email}>. "
                 "Set yours with `git config --global user.name/user.email`.")


def init_repository(folder: Path, coach: str | None) -> list[str]:
    import git

    repo = git.Repo.init(folder, initial_branch="main")
    with repo:
        _configure(repo)
        repo.git.add("-A")
        env, note = identity_env(repo, coach)
        with repo.git.custom_environment(**env):
            repo.git.commit("-m", "coachnotes init", "--no-verify")
    return [note] if note else []


def _configure(repo) -> None:
    """Generated pages merge as `ours` without conflict; sync regenerates them afterwards.

    The cache (copies of note data) and half-written temporary files are excluded locally
    too, so that even a vault without coachnotes' .gitignore never commits them.
    """
    with repo.config_writer() as config:
        config.set_value(f'merge "{MERGE_DRIVER}"', "name", "coachnotes generated page")
        config.set_value(f'merge "{MERGE_DRIVER}"', "driver", "true")
    exclude = Path(repo.git_dir) / "info" / "exclude"
    try:
        current = exclude.read_text(encoding="utf-8") if exclude.exists() else ""
        missing = [p for p in (f"{CACHE_DIR}/", ".*.tmp") if p not in current.split()]
        if missing:
            exclude.parent.mkdir(parents=True, exist_ok=True)
            with open(exclude, "a", encoding="utf-8") as handle:
                handle.write(("" if current.endswith("\n") or not current else "\n")
                             + "".join(f"{p}\n" for p in missing))
    except OSError:
        pass


@contextmanager
def sync_lock(root: Path) -> Iterator[None]:
    """One sync at a time per vault (the watcher's and a command's included)."""
    from coachnotes.cache import private_dir

    folder = private_dir(root / CACHE_DIR)
    handle = os.open(folder / "sync.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncError("another sync of this vault is running; try again when it "
                            "has finished") from None
        yield
    finally:
        os.close(handle)


def _state_problem(repo) -> str | None:
    git_dir = Path(repo.git_dir)
    for name, what, how in (("MERGE_HEAD", "a merge", "git merge --continue / --abort"),
                            ("rebase-merge", "a rebase", "git rebase --continue / --abort"),
                            ("rebase-apply", "a rebase or am", "git rebase --continue / --abort"),
                            ("CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --abort"),
                            ("REVERT_HEAD", "a revert", "git revert --abort")):
        if (git_dir / name).exists():
            return (f"{what} is in progress in this repository; sync leaves it alone. Finish it "
                    f"or undo it ({how}), then sync again. Nothing was changed.")
    return None


def sync(root: Path, push: bool = True, today: dt.date | None = None) -> SyncReport:
    """Commit, fetch, merge (resolving conflicts without loss), regenerate pages, push."""
    from coachnotes.load import load_settings

    settings = load_settings(root)
    report = SyncReport()
    with sync_lock(root), _open(root) as repo:
        problem = _state_problem(repo)
        if problem:
            raise SyncError(problem)
        if repo.head.is_detached:
            raise SyncError("the repository is on a detached HEAD (not on a branch): check out "
                            "your branch (`git switch main`), then sync again")
        _configure(repo)
        env, note = identity_env(repo, settings.coach)
        if note:
            report.messages.append(note)
        with repo.git.custom_environment(**env, **NO_PROMPT):
            report.errors = _regenerate(root, today)  # notes with errors are synced too
            report.committed = _commit_all(repo, "{n} note(s) changed")
            remote_name = settings.sync.get("remote") or "origin"
            branch = settings.sync.get("branch") or repo.active_branch.name
            if remote_name not in [r.name for r in repo.remotes]:
                if push:
                    raise SyncOffline(f"no remote {remote_name!r} is configured; your changes "
                                      "are committed locally. Add one with `git remote add "
                                      f"{remote_name} URL` (see the README, Syncing)")
                report.messages.append("no remote configured; committed locally")
                return report
            for _ in range(3):
                remote_ref = _fetch(repo, remote_name, branch)
                if remote_ref is not None:
                    _integrate(repo, remote_ref, branch, report)
                    report.errors = _regenerate(root, today)
                    _commit_all(repo, "pages regenerated after merge", count=False)
                if not push:
                    return report
                try:
                    _push(repo, remote_name, branch, remote_ref is None)
                    report.pushed = True
                    return report
                except _Rejected:
                    continue  # someone pushed in between: fetch and merge again
            raise SyncError("the remote kept changing while syncing; sync again")
    return report


class _Rejected(Exception):
    pass


def _regenerate(root: Path, today: dt.date | None) -> list:
    """Write the pages anew; the errors of the vault as it now is."""
    from coachnotes.check import check
    from coachnotes.load import load_vault
    from coachnotes.pages import regenerate

    day = today or dt.date.today()
    vault = load_vault(root)
    regenerate(vault, day)
    return [p for p in check(vault, day) if p.severity == "error"]


@contextmanager
def staged_copy(root: Path) -> Iterator[Path]:
    """The vault as it is staged for the next commit (what `git show :path` holds), in a
    private temporary folder: the pre-commit hook checks that, not the working tree."""
    import subprocess
    import tempfile

    with _open(root) as repo:
        top = Path(repo.working_tree_dir).resolve()
        place = root.resolve().relative_to(top).as_posix()
        prefix = "" if place == "." else place + "/"
        listed = repo.git.ls_files("-z", "--", prefix or ".").split("\0")
        wanted = [p for p in listed if p and (p.endswith(".md") or p.endswith(".yml"))]
        with tempfile.TemporaryDirectory(prefix="coachnotes-staged-") as folder:
            if wanted:
                done = subprocess.run(["git", "checkout-index", f"--prefix={folder}/", "-z",
                                       "--stdin"], cwd=top, input="\0".join(wanted).encode(),
                                      capture_output=True)
                if done.returncode != 0:
                    reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
                    raise SyncError(f"cannot read what is staged ({reason[-1] if reason else ''})")
            yield Path(folder) / place


def _commit_all(repo, what: str, count: bool = True) -> int:
    repo.git.add("-A", "--", ".")
    changed = [p for p in repo.git.diff("--cached", "--name-only", "-z").split("\0") if p]
    if not changed:
        return 0
    notes = [p for p in changed if p.endswith(".md") and not is_generated_place(p)]
    message = f"coachnotes sync from {device_name()}: " + what.format(n=len(notes))
    repo.git.commit("-m", message, "--no-verify")
    return len(notes) if count else len(changed)


def _fetch(repo, remote: str, branch: str) -> str | None:
    """Fetch the branch; its ref, or None when the remote has no such branch yet."""
    import git

    try:
        repo.git.fetch(remote, kill_after_timeout=NETWORK_TIMEOUT)
    except git.GitCommandError as error:
        raise SyncOffline(f"could not reach the remote {remote!r} ({_reason(error)}); your "
                          "changes are committed locally — sync again when it can be "
                          "reached") from None
    ref = f"{remote}/{branch}"
    try:
        repo.git.rev_parse("--verify", "--quiet", f"refs/remotes/{ref}")
    except git.GitCommandError:
        return None
    return ref


def _reason(error) -> str:
    text = (getattr(error, "stderr", "") or str(error)).strip()
    lines = [line.strip().removeprefix("stderr: ").strip("'") for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("Cmd(")]
    return (lines[-1] if lines else "git failed")[:200]


def _push(repo, remote: str, branch: str, first: bool) -> None:
    import git

    args = ["--set-upstream"] if first or repo.active_branch.tracking_branch() is None else []
    try:
        repo.git.push(*args, remote, f"HEAD:refs/heads/{branch}",
                      kill_after_timeout=NETWORK_TIMEOUT)
    except git.GitCommandError as error:
        reason = _reason(error)
        if "rejected" in reason or "fetch first" in reason or "non-fast-forward" in reason:
            raise _Rejected() from None
        raise SyncOffline(f"could not push to {remote!r} ({reason}); your changes are "
                          "committed locally — sync again when it can be reached") from None


def _integrate(repo, remote_ref: str, branch: str, report: SyncReport) -> None:
    import git

    if repo.is_ancestor(remote_ref, "HEAD"):
        return
    if repo.is_ancestor("HEAD", remote_ref):
        repo.git.merge("--ff-only", remote_ref)
        report.merged = True
        return
    try:
        repo.git.merge("--no-edit", "--no-verify", "-m",
                       f"coachnotes sync from {device_name()}: merge {remote_ref}", remote_ref)
        report.merged = True
        return
    except git.GitCommandError:
        pass
    try:
        _resolve(repo, remote_ref, report)
        repo.git.commit("--no-edit", "--no-verify", "-m",
                        f"coachnotes sync from {device_name()}: merge {remote_ref}, "
                        f"{len(report.conflicts)} conflict copy(ies)")
        report.merged = True
    except Exception:
        repo.git.merge("--abort")
        raise


def _unmerged(repo) -> dict[str, set[int]]:
    """Path -> which index stages it has (1 base, 2 ours, 3 theirs)."""
    stages: dict[str, set[int]] = {}
    for line in repo.git.ls_files("-u", "-z").split("\0"):
        if line:
            meta, path = line.split("\t", 1)
            stages.setdefault(path, set()).add(int(meta.split()[2]))
    return stages


def _resolve(repo, remote_ref: str, report: SyncReport) -> None:
    root = Path(repo.working_tree_dir)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    for path, stages in sorted(_unmerged(repo).items()):
        target = root / path
        if is_generated_place(path):
            if 2 in stages:
                repo.git.checkout("--ours", "--", path)
                repo.git.add("--", path)
            else:
                repo.git.rm("--cached", "--ignore-unmatch", "-q", "--", path)
            continue  # regenerated after the merge
        if stages == {1, 3} or stages == {3}:  # deleted here, edited there: keep the edit
            repo.git.checkout("--theirs", "--", path)
            repo.git.add("--", path)
            report.kept_edits.append(path)
        elif stages == {1, 2} or stages == {2}:  # edited here, deleted there: keep ours
            repo.git.add("--", path)
            report.kept_edits.append(path)
        elif 2 in stages and 3 in stages:  # both changed: ours stays, theirs beside it
            ours = repo.git.show(f":2:{path}", stdout_as_string=False,
                                strip_newline_in_stdout=False)
            theirs = repo.git.show(f":3:{path}", stdout_as_string=False,
                                  strip_newline_in_stdout=False)
            copy = _conflict_name(path, _device_of(repo, remote_ref, path), stamp)
            _write(root / copy, theirs)
            _write(target, ours)
            repo.git.add("--", path, copy)
            report.conflicts.append(copy)
        else:  # deleted on both sides
            repo.git.rm("--cached", "-q", "--ignore-unmatch", "--", path)


def _write(path: Path, data: bytes) -> None:
    from coachnotes.files import write_atomic

    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    write_atomic(path, data, mode)


def _device_of(repo, remote_ref: str, path: str) -> str:
    subject = repo.git.log("-1", "--format=%s", remote_ref, "--", path)
    match = _DEVICE_RE.match(subject)
    return match.group(1) if match else "remote"


def _conflict_name(path: str, device: str, stamp: str) -> str:
    pure = PurePosixPath(path)
    name = f"{pure.stem}{CONFLICT_TAG}{device}-{stamp}{pure.suffix}"
    return str(pure.with_name(name))
