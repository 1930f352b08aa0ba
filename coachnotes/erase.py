"""Erasure (SPEC §13): `forget` one client from the vault, its whole history and the remote,
and the same on every other device when it syncs (SPEC §12).

The history is rewritten by git-filter-repo, driven as its manual says: `--source` the vault's
repository, `--target` a new bare repository in the private cache folder, `--invert-paths
--path clients/<id>/` and one `--replace-text`/`--replace-message` file of expressions. The
vault's own repository is not touched while that runs: a rewrite that fails, or a forget that
is killed there, leaves it exactly as it was. The rewritten refs are then fetched into a
namespace of ours, a journal is written, and all refs are moved in one `git update-ref`
transaction; a forget killed after that is finished by the next `forget` or `sync` (the
journal says what was left to do). Only then are the reflog expired, the old objects pruned and
the new history pushed with a lease.

The same rewrite is deterministic, so a second device that erases the same client from the same
old commits makes the same new commits, and its own unsynced work merges on top as usual.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from coachnotes import erasures
from coachnotes.errors import Refused, SyncError
from coachnotes.gitrepo import identity_env, no_prompt, reason, state_problem, vault_prefix
from coachnotes.i18n import _
from coachnotes.layout import CACHE_DIR, CLIENTS, client_note, is_generated_place
from coachnotes.schema import SLUG_RE

NAMESPACE = "refs/coachnotes-erase/"

JOURNAL = "erase-journal"
WORK = "erase-work"
ERASED = {"nl": "[verwijderd]", "en": "[erased]"}
_SKIP_DIRS = {".git", CACHE_DIR}


@dataclass
class Erasure:
    """One client to erase: its id and, where known, its full name."""
    id: str
    name: str | None = None

    def patterns(self) -> list[str]:
        """Python regular expressions (for bytes) of every mention: the full name in any case
        and with any spacing, and the id as a whole word (not inside a longer id)."""
        found = [rf"(?<![A-Za-z0-9_-]){re.escape(self.id)}(?![A-Za-z0-9_-])"]
        words = (self.name or "").split()
        if words:
            spaced = r"\s+".join(re.escape(w) for w in words)
            found.insert(0, rf"(?i)(?<![A-Za-z0-9]){spaced}(?![A-Za-z0-9])")
        return found


@dataclass
class ForgetReport:
    client: str
    mentions: list[str] = field(default_factory=list)  # other files whose mentions were replaced
    messages: list[str] = field(default_factory=list)
    pushed: bool = False
    offline: bool = False  # a remote is configured but could not be reached
    word: str = ERASED["en"]  # what mentions now read


def filter_repo() -> str | None:
    """The git-filter-repo that comes with coachnotes (beside this Python), else one on PATH.
    COACHNOTES_FILTER_REPO names another (an empty or missing one: not installed)."""
    chosen = os.environ.get("COACHNOTES_FILTER_REPO")
    if chosen is not None:
        return chosen if chosen and os.access(chosen, os.X_OK) else None
    beside = Path(sys.executable).parent / "git-filter-repo"
    if os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("git-filter-repo")


def replace_mentions(data: bytes, erasing: list[Erasure], word: str) -> bytes:
    for erasure in erasing:
        for pattern in erasure.patterns():
            data = re.sub(pattern.encode(), word.encode(), data)
    return data


def _mentioning_files(root: Path, erasing: list[Erasure]) -> list[Path]:
    """Files of the vault (outside the erased folders) that mention a client being erased."""
    folders = {root / CLIENTS / e.id for e in erasing}
    compiled = [re.compile(p.encode()) for e in erasing for p in e.patterns()]
    found = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and here / d not in folders)
        for name in sorted(files):
            path = here / name
            try:
                if path.is_symlink() or path.stat().st_size > 8 << 20:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            rel = path.relative_to(root).as_posix().encode()
            if any(c.search(rel) for c in compiled):
                found.append(path)  # its name mentions the client: renamed, like in history
            elif b"\0" not in data[:8192] and any(c.search(data) for c in compiled):
                found.append(path)  # not a binary file: git-filter-repo leaves those too
    return found


def forget(root: Path, client_id: str, today: dt.date) -> ForgetReport:
    """Erase a client everywhere this device can reach (SPEC §13)."""
    from coachnotes.errors import UnknownClient
    from coachnotes.gitrepo import open_repo, sync_lock
    from coachnotes.load import load_vault

    in_git = _in_git(root)
    report = ForgetReport(client_id)
    if in_git:  # a forget that was killed is finished first
        with sync_lock(root, JOURNAL) as journal, open_repo(root) as repo:
            finish(repo, root, journal, report)
    vault = load_vault(root)
    report.word = ERASED.get(vault.language, ERASED["en"])
    try:
        erasing = [_who(root, client_id, vault, in_git)]
    except UnknownClient:
        if not vault.erasures.erased(client_id):
            raise
        report.messages.append(_("{client_id} is erased already (erasures.yml); nothing "
                                 "left to do here").format(client_id=client_id))
        return report
    with sync_lock(root, JOURNAL) as journal:
        if not in_git:
            report.mentions = _erase_tree(root, erasing, vault.language, today)
            report.messages.append(_("this vault is not a git repository: the client's "
                                     "notes and mentions are gone from this folder (copies "
                                     "elsewhere, such as backups, are not)"))
            return report
        with open_repo(root) as repo:
            finish(repo, root, journal, report)  # one killed in the meantime
            _refuse_unless_ready(repo, root)
            report.mentions = [rel for p in _mentioning_files(root, erasing)
                               if not is_generated_place(rel := p.relative_to(root).as_posix())]
            _rewrite(repo, root, erasing, journal, vault.language, today)
            finish(repo, root, journal, report, resumed=False)
    return report


def _who(root: Path, client_id: str, vault, in_git: bool) -> Erasure:
    """The client to erase, with its name: from its folder, or (a folder already deleted by
    hand) from the history."""
    from coachnotes.gitrepo import open_repo
    from coachnotes.load import unknown_client

    folder = vault.folders.get(client_id)
    if folder is not None:
        name = folder.client.name if folder.client else None
        for record in folder.records:
            if name is None and record.type == "client":
                value = record.values.get("name")
                name = value if isinstance(value, str) else None
        return Erasure(client_id, name)
    if in_git and SLUG_RE.match(client_id):
        with open_repo(root) as repo:
            prefix = vault_prefix(repo, root)
            if repo.git.log("--all", "-1", "--format=%H", "--",
                            f"{prefix}{CLIENTS}/{client_id}/").strip():
                return Erasure(client_id, _name_in_history(repo, prefix, client_id))
    raise unknown_client(client_id, vault.clients)


def _in_git(root: Path) -> bool:
    done = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=root,
                          capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.strip() == "true"


def _refuse_unless_ready(repo, root: Path) -> None:
    problem = state_problem(repo, "forget")
    if problem:
        raise Refused(problem)
    if repo.head.is_detached:
        raise Refused(_("the repository is on a detached HEAD (not on a branch): check out "
                        "your branch (`git switch main`), then forget again. Nothing was "
                        "changed."))
    status = repo.git.status("--porcelain", "-z", "--untracked-files=all")
    if status.strip("\0"):
        raise Refused(_("there are changes that are not committed yet: run `coachnotes "
                        "sync` (or `coachnotes sync --no-push`) first, so that nothing of "
                        "yours can be lost, then forget again. Nothing was changed."))
    if filter_repo() is None:
        raise Refused(_("git-filter-repo is not installed, and without it the client "
                        "cannot be erased from the history: install it (`pip install "
                        "git-filter-repo`; it comes with coachnotes), then forget again. "
                        "Nothing was changed."))


def _refs(repo) -> dict[str, str]:
    """Every ref that is not symbolic, with its object."""
    out = repo.git.for_each_ref("--format=%(refname) %(objectname) %(symref)")
    refs = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and not parts[0].startswith(NAMESPACE):
            refs[parts[0]] = parts[1]
    return refs


def _rewrite(repo, root: Path, erasing: list[Erasure], journal, language: str,
             today: dt.date, log: bool = True) -> None:
    """Rewrite every ref into a new repository, fetch the result into our namespace, and
    write the journal: from here on the forget is finished, never undone."""
    from coachnotes.cache import private_dir

    top = Path(repo.working_tree_dir).resolve()
    prefix = vault_prefix(repo, root)
    work = private_dir(root / CACHE_DIR) / WORK
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(mode=0o700)
    try:
        target = work / "target.git"
        subprocess.run(["git", "init", "-q", "--bare", str(target)], check=True,
                       capture_output=True)
        expressions = work / "expressions"
        word = ERASED.get(language, ERASED["en"])
        lines = [f"regex:{p}==>{word}" for e in erasing for p in e.patterns()]
        fd = os.open(expressions, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("".join(line + "\n" for line in lines))
        patterns = [p.encode() for e in erasing for p in e.patterns()]
        rename = "if filename is None:\n  return None\n" + "".join(  # paths too
            f"filename = re.sub({p!r}, {word.encode()!r}, filename)\n" for p in patterns) + \
            "return filename"
        command = [filter_repo(), "--quiet", "--source", str(top), "--target", str(target),
                   "--invert-paths", "--replace-text", str(expressions),
                   "--replace-message", str(expressions), "--filename-callback", rename]
        for erasure in erasing:
            command += ["--path", f"{prefix}{CLIENTS}/{erasure.id}/"]
        done = subprocess.run(command, capture_output=True, text=True, cwd=top)
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            raise Refused(_("the history could not be rewritten (git-filter-repo: "
                            "{value}); nothing was changed").format(
                            value=said[-1] if said else 'failed'))
        before = _refs(repo)
        repo.git.fetch("--no-tags", "--no-write-fetch-head", "--quiet", str(target),
                       f"+refs/*:{NAMESPACE}*")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    journal.write({"ids": {e.id: e.name for e in erasing}, "language": language,
                   "today": today.isoformat(), "before": before, "step": "swap", "log": log})


def finish(repo, root: Path, journal, report: ForgetReport, resumed: bool = True) -> None:
    """Carry out what the journal says is left of a forget (all of it is safe to repeat)."""
    from coachnotes.gitrepo import clear_stale_locks, wait_for_git

    state = journal.read()
    if state is not None or repo.git.for_each_ref("--format=%(refname)", NAMESPACE) or \
            (root / CACHE_DIR / WORK).exists():  # what a killed forget started ends first
        wait_for_git(Path(repo.working_tree_dir).resolve(), Path(repo.git_dir))
        clear_stale_locks(Path(repo.git_dir))
    if state is None:  # a forget killed before its journal: it never started
        for ref in repo.git.for_each_ref("--format=%(refname)", NAMESPACE).split():
            repo.git.update_ref("-d", ref)
        shutil.rmtree(root / CACHE_DIR / WORK, ignore_errors=True)
        return
    if resumed:
        report.messages.append(_("finishing a forget that was interrupted"))
    ids = state["ids"]
    today = dt.date.fromisoformat(state["today"])
    if state.get("step") == "swap":
        _swap(repo, state["before"])
        state["step"] = "tidy"
        journal.write(state)
    if state.get("step") == "tidy":
        _tidy(repo, root, ids, state["language"], today, state.get("log", True))
        state["step"] = "push"
        journal.write(state)
    if state.get("step") == "push":
        _push_erased(repo, root, state["before"], report)
    journal.clear()


def _swap(repo, before: dict[str, str]) -> None:
    """Move every ref to its rewritten commit in one transaction, and the files with it."""
    new = {}
    for line in repo.git.for_each_ref("--format=%(refname) %(objectname)",
                                      NAMESPACE).splitlines():
        ref, sha = line.split()
        new["refs/" + ref[len(NAMESPACE):]] = sha
    if new:
        commands = ["start"]
        for ref in sorted(set(before) | set(new)):
            if ref in new:
                commands.append(f"update {ref} {new[ref]}")
            elif ref in before and ref.startswith(("refs/heads/", "refs/remotes/",
                                                   "refs/tags/")):
                commands.append(f"delete {ref}")  # nothing of it is left after the rewrite
        commands += ["prepare", "commit"]
        subprocess.run(["git", "update-ref", "--stdin"], cwd=repo.working_tree_dir,
                       input="\n".join(commands) + "\n", text=True, check=True,
                       capture_output=True)
    repo.git.reset("--hard", "-q")
    for ref in new:
        repo.git.update_ref("-d", NAMESPACE + ref[len("refs/"):])


def _tidy(repo, root: Path, names: dict[str, str | None], language: str,
          today: dt.date, log: bool = True) -> None:
    """The files after the swap: the folder gone (ignored files in it too), the erasure log
    and the pages written and committed, the cache emptied, old objects pruned."""
    from coachnotes.cache import drop_all
    from coachnotes.load import load_settings

    ids = list(names)
    for client_id in ids:
        shutil.rmtree(root / CLIENTS / client_id, ignore_errors=True)
    _replace_in_files(root, [Erasure(i, n) for i, n in names.items()], language)
    if log:  # sync erases what a log names already: the merge brings the remote's log
        _log_erasures(root, ids, language, today)
    drop_all(root)
    _regenerate(root, today)
    repo.git.add("-A", "--", ".")
    if repo.git.diff("--cached", "--name-only"):
        env, _note = identity_env(repo, load_settings(root).coach)
        with repo.git.custom_environment(**env):
            repo.git.commit("-q", "--no-verify", "-m",
                            f"coachnotes forget: {len(ids)} client(s) erased")
    _prune(repo)


def _prune(repo) -> None:
    """Expire the reflog and drop every unreachable object. A gc that a killed forget left
    running is waited for; one that left only its gc.pid behind is overridden."""
    import git

    from coachnotes.gitrepo import wait_for_git

    repo.git.reflog("expire", "--expire=now", "--expire-unreachable=now", "--all")
    try:
        repo.git.gc("--prune=now", "--quiet")
    except git.GitCommandError:
        wait_for_git(Path(repo.working_tree_dir).resolve(), Path(repo.git_dir))
        repo.git.gc("--force", "--prune=now", "--quiet")


def _log_erasures(root: Path, ids: list[str], language: str, today: dt.date) -> None:
    from coachnotes.files import write_atomic

    path = root / erasures.ERASURES_FILE
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    for client_id in ids:
        text = erasures.with_entry(text, client_id, today, language)
    write_atomic(path, text.encode(), mode=0o600)


def _regenerate(root: Path, today: dt.date) -> None:
    from coachnotes.load import load_vault
    from coachnotes.pages import regenerate

    regenerate(load_vault(root), today)


def _replace_in_files(root: Path, erasing: list[Erasure], language: str) -> list[str]:
    """Mentions replaced in the files as they lie here: in a vault without git all of them,
    after a rewrite the ones git does not track (ignored files, an editor's state)."""
    from coachnotes.files import write_atomic

    word = ERASED.get(language, ERASED["en"])
    changed = []
    for path in _mentioning_files(root, erasing):
        mode = path.stat().st_mode & 0o777
        data = path.read_bytes()
        if b"\0" not in data[:8192]:
            write_atomic(path, replace_mentions(data, erasing, word), mode)
        rel = path.relative_to(root).as_posix()
        renamed = replace_mentions(rel.encode(), erasing, word).decode()
        if renamed != rel and not (root / renamed).exists():
            (root / renamed).parent.mkdir(parents=True, exist_ok=True)
            os.rename(path, root / renamed)
        changed.append(rel)
    return changed


def _erase_tree(root: Path, erasing: list[Erasure], language: str, today: dt.date) -> list[str]:
    """A vault without git: the folder, the mentions, the log, the cache and the pages."""
    from coachnotes.cache import drop_all

    changed = _replace_in_files(root, erasing, language)
    for erasure in erasing:
        shutil.rmtree(root / CLIENTS / erasure.id, ignore_errors=True)
    _log_erasures(root, [e.id for e in erasing], language, today)
    drop_all(root)
    _regenerate(root, today)
    return changed


def _remote(repo, root: Path) -> tuple[str | None, str | None]:
    from coachnotes.load import load_settings

    settings = load_settings(root)
    name = settings.sync.get("remote") or "origin"
    if name not in [r.name for r in repo.remotes]:
        return None, None
    return name, settings.sync.get("branch") or repo.active_branch.name


def _push_erased(repo, root: Path, before: dict[str, str], report: ForgetReport) -> None:
    """Push every rewritten branch the remote had, each with a lease on what it held."""
    import git

    name, branch = _remote(repo, root)
    if name is None:
        report.messages.append(_("no remote is configured: only this vault was erased"))
        return
    tracking = f"refs/remotes/{name}/"
    specs, leases = [], []
    for ref, old in sorted(before.items()):
        if not ref.startswith(tracking) or ref.endswith("/HEAD"):
            continue
        remote_branch = ref[len(tracking):]
        local = f"refs/heads/{remote_branch}"
        source = local if remote_branch == branch and _exists(repo, local) else ref
        if not _exists(repo, source):
            continue
        if _remote_has(repo, name, remote_branch) == repo.git.rev_parse(source):
            continue  # pushed already, by a forget that was interrupted after it
        specs.append(f"{source}:refs/heads/{remote_branch}")
        leases.append(f"--force-with-lease=refs/heads/{remote_branch}:{old}")
    if not specs:
        report.pushed = True
        report.messages.append(_prune_remote(repo, name))
        return
    # All or nothing where the transport can (a remote helper such as gcrypt cannot)
    atomic = [] if "::" in repo.git.remote("get-url", name) else ["--atomic"]
    try:
        with repo.git.custom_environment(**no_prompt(repo)):
            repo.git.push(*atomic, *leases, name, *specs, kill_after_timeout=60)
    except git.GitCommandError as error:
        text = str(getattr(error, "stderr", "") or error)
        if "stale info" in text or "[rejected]" in text or "fetch first" in text:
            report.messages.append(_("the remote {name!r} has changes from another device: "
                                     "run `coachnotes sync` now; it erases the client from "
                                     "those too and pushes the result").format(name=name))
        else:
            report.offline = True
            report.messages.append(_("could not push to {name!r} ({reason}): the remote "
                                     "still holds the client. Run `coachnotes sync` when it "
                                     "can be reached; it pushes the erased history").format(
                                     name=name, reason=reason(error)))
        return
    report.pushed = True
    report.messages.append(_prune_remote(repo, name))


def _remote_has(repo, name: str, branch: str) -> str | None:
    import git

    try:
        with repo.git.custom_environment(**no_prompt(repo)):
            out = repo.git.ls_remote(name, f"refs/heads/{branch}", kill_after_timeout=60)
    except git.GitCommandError:
        return None
    return out.split()[0] if out.strip() else None


def _exists(repo, ref: str) -> bool:
    import git

    try:
        repo.git.rev_parse("--verify", "--quiet", ref)
        return True
    except git.GitCommandError:
        return False


def _prune_remote(repo, name: str) -> str:
    """A remote that is a folder on this machine is pruned here; any other keeps old objects
    until its host cleans up."""
    url = repo.git.remote("get-url", name)
    path = Path(url.removeprefix("file://"))
    local = "://" not in url.replace("file://", "") and not re.match(r"^[\w.-]+@?[\w.-]*:", url)
    if local and path.is_dir():
        for args in (["reflog", "expire", "--expire=now", "--expire-unreachable=now", "--all"],
                     ["gc", "--prune=now", "--quiet"]):
            subprocess.run(["git", *args], cwd=path, capture_output=True)
        return _("pushed the erased history to {name!r} and pruned its old objects").format(
            name=name)
    return _("pushed the erased history to {name!r}. Its host may keep the old objects until "
             "its own clean-up: ask the host to run garbage collection (on GitHub or GitLab, "
             "through their support, asking to remove cached views and dangling "
             "objects)").format(name=name)


def erased_in_history(repo, root: Path, mine: erasures.Erasures, theirs: erasures.Erasures,
                      remote_ref: str) -> list[Erasure]:
    """What sync must erase (SPEC §12): a client the remote's erasure log names and this
    vault's does not (a `forget` on another device), wherever the history here has it; and a
    client this vault's log names that the remote's history still holds (a forget whose push
    did not get through). A client that this vault erased and that is back in its own files
    (a restored backup) is not erased behind the coach's back: that is E025, and sync does
    not push it."""
    if not (mine.tokens or theirs.tokens):
        return []
    prefix = vault_prefix(repo, root)
    everywhere = _ids_in(repo, prefix, "--all")
    on_remote = _ids_in(repo, prefix, remote_ref)
    chosen = {i for i in everywhere if theirs.erased(i) and not mine.erased(i)}
    chosen |= {i for i in on_remote if mine.erased(i)}
    return [Erasure(i, _name_in_history(repo, prefix, i)) for i in sorted(chosen)]


def _ids_in(repo, prefix: str, *revisions: str) -> set[str]:
    """The client folders that some commit of these revisions has."""
    paths = repo.git.log(*revisions, "--format=", "--name-only", "--", f"{prefix}{CLIENTS}/")
    depth = 2 + prefix.count("/")
    return {p.split("/")[depth - 1] for p in paths.splitlines()
            if p.startswith(f"{prefix}{CLIENTS}/") and p.count("/") >= depth}


def _name_in_history(repo, prefix: str, client_id: str) -> str | None:
    """The client's name as its latest client.md in any ref says (for the mentions)."""
    import git

    path = f"{prefix}{client_note(client_id)}"
    try:
        commit = repo.git.log("--all", "-1", "--format=%H", "--", path).strip()
        text = repo.git.show(f"{commit}:{path}") if commit else ""
    except git.GitCommandError:
        return None
    match = re.search(r"^name:\s*['\"]?(.+?)['\"]?\s*(#.*)?$", text, re.M)
    return match.group(1).strip() if match else None


def erase_for_sync(repo, root: Path, mine: erasures.Erasures, theirs: erasures.Erasures,
                   remote_ref: str, today: dt.date, language: str) -> list[str]:
    """Erase, as `forget` does, every client of the erasure logs still in the history here
    (sync, SPEC §12), without pushing: sync pushes the result. Returns the ids erased."""
    from coachnotes.cache import private_dir
    from coachnotes.gitrepo import Journal

    erasing = erased_in_history(repo, root, mine, theirs, remote_ref)
    if not erasing:
        return []
    if filter_repo() is None:
        raise SyncError(_("another device erased a client (erasures.yml) and "
                          "git-filter-repo is not installed here to erase it too: install it "
                          "(`pip install git-filter-repo`), then sync again. Nothing was "
                          "pushed."))
    journal = Journal(private_dir(root / CACHE_DIR), JOURNAL)
    _rewrite(repo, root, erasing, journal, language, today, log=False)
    state = journal.read()
    state["step"] = "tidy"  # what is left after the swap, should this sync be killed
    _swap(repo, state["before"])
    journal.write(state)
    _tidy(repo, root, state["ids"], language, today, log=False)
    journal.clear()
    return [e.id for e in erasing]


def finish_killed(repo, root: Path) -> list[str]:
    """At the start of a sync: finish a forget (or a sync's erasure) that was killed."""
    from coachnotes.cache import private_dir
    from coachnotes.gitrepo import Journal

    journal = Journal(private_dir(root / CACHE_DIR), JOURNAL)
    report = ForgetReport("")
    finish(repo, root, journal, report)
    return report.messages
