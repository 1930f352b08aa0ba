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
import shutil
import subprocess
import sys
from pathlib import Path

from coachnotes.errors import CoachnotesError, Refused, SyncError
from coachnotes.git.erase_push import ForgetReport, push_erased, remote_of
from coachnotes.git.erase_tree import Plan, apply_plan, damage, plan_tree
from coachnotes.git.lineage import client_history, ids_in, lineage
from coachnotes.git.repo import identity_env, no_prompt, state_problem, vault_prefix
from coachnotes.i18n import _
from coachnotes.vault import erasures
from coachnotes.vault.layout import CACHE_DIR, CLIENTS, is_generated_place
from coachnotes.vault.redact import ERASED, Mentions

NAMESPACE = "refs/coachnotes-erase/"

JOURNAL = "erase-journal"
WORK = "erase-work"
_SKIP_DIRS = {".git", CACHE_DIR}
_KEEP_IN_CACHE = {".gitignore", "sync.lock", "sync-journal", JOURNAL}


def filter_repo() -> bool:
    """Whether git-filter-repo (a dependency of coachnotes, driven as a library) is there.
    COACHNOTES_FILTER_REPO set to an empty value says it is not (for the tests)."""
    if os.environ.get("COACHNOTES_FILTER_REPO") == "":
        return False
    import importlib.util

    return importlib.util.find_spec("git_filter_repo") is not None


def forget(root: Path, client_id: str, today: dt.date) -> ForgetReport:
    """Erase a client everywhere this device can reach (SPEC §13)."""
    from coachnotes.errors import UnknownClient
    from coachnotes.git.repo import open_repo, sync_lock
    from coachnotes.vault.load import load_vault

    in_git = _in_git(root)
    report = ForgetReport(client_id)
    if in_git:  # a forget that was killed is finished first
        with sync_lock(root, JOURNAL) as journal, open_repo(root) as repo:
            finish(repo, root, journal, report)
    vault = load_vault(root)
    report.word = ERASED.get(vault.language, ERASED["en"])
    try:
        client_id, mentions, shared = _who(root, client_id, vault, in_git)
        report.client = client_id
    except UnknownClient:
        if not vault.erasures.erased(client_id):
            raise
        report.messages.append(_("{client_id} is erased already (erasures.yml); nothing "
                                 "left to do here").format(client_id=client_id))
        return report
    report.earlier = [i for i in mentions.ids if i != client_id]
    for name in shared:
        report.messages.append(_("another client has the same name, so mentions by name "
                                 "alone are kept (they may be about that client): {name}"
                                 ).format(name=name))
    with sync_lock(root, JOURNAL) as journal:
        if in_git:
            with open_repo(root) as repo:
                finish(repo, root, journal, report)  # one killed in the meantime
                _refuse_unless_ready(repo, root)
        plan = _checked_plan(root, mentions, report.word)
        report.mentions = sorted(r for r in {*plan.rewrite, *plan.rename}
                                 if not is_generated_place(r))
        report.removed = sorted(plan.remove)
        if not in_git:
            apply_plan(root, plan)
            _after_erasure(root, mentions, vault.language, today)
            report.messages.append(_("this vault is not a git repository: the client's "
                                     "notes and mentions are gone from this folder (copies "
                                     "elsewhere, such as backups, are not)"))
            return report
        with open_repo(root) as repo:
            _fetch_tags(repo, root)
            _rewrite(repo, root, mentions, journal, vault.language, today)
            finish(repo, root, journal, report, resumed=False)
    return report


def _checked_plan(root: Path, mentions: Mentions, word: str) -> Plan:
    plan = plan_tree(root, mentions, word)
    hurt = damage(plan)
    if hurt:
        raise Refused(_("erasing the mentions would damage other notes (they would get a "
                        "problem they do not have now): {items}. Rewrite the mention there "
                        "by hand (or quote the value), commit, then forget again. Nothing was "
                        "changed.").format(items=", ".join(hurt)))
    return plan


def _who(root: Path, client_id: str, vault, in_git: bool) -> tuple[str, Mentions, list[str]]:
    """The client to erase with every id and name it ever had (SPEC §13, v3: after a
    `rename`, a folder renamed by hand, a `name` corrected later), and the names and ids of
    every other client, which are never touched. Also the names shared with another client:
    a mention by such a name is not erased."""
    from coachnotes.git.repo import open_repo
    from coachnotes.vault.load import find_client

    live = {i: (f.client.name if f.client else None) for i, f in vault.folders.items()
            if i is not None}
    history: list[tuple[str, str | None, str | None]] = []
    renames: list[tuple[str, str]] = []
    if in_git:
        with open_repo(root) as repo:
            history, renames = client_history(repo, vault_prefix(repo, root))
    if client_id not in live and not any(folder == client_id for folder, _i, _n in history):
        # by its full name too, never by a beginning: an erasure cannot be undone
        client_id = find_client(client_id, live, beginnings=False)
    return (client_id, *lineage({client_id}, live, history, renames))


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
    refuse_stash(repo, "forget")
    if not filter_repo():
        raise Refused(_("git-filter-repo is not installed, and without it the client "
                        "cannot be erased from the history: install it (`pip install "
                        "git-filter-repo`; it comes with coachnotes), then forget again. "
                        "Nothing was changed."))


def refuse_stash(repo, command: str) -> None:
    """A stash holds old versions that an erasure cannot rewrite, and pruning would lose it:
    the coach decides what becomes of it first."""
    if repo.git.for_each_ref("--format=%(refname)", "refs/stash").strip():
        count = len(repo.git.stash("list").splitlines())
        raise Refused(_("there are {n} stashed change(s) (`git stash list`), which an "
                        "erasure cannot rewrite and would lose: bring them back with `git "
                        "stash pop` and commit them (or drop them with `git stash drop`), "
                        "then {command} again. Nothing was changed.").format(
                            n=count, command=command))


def _fetch_tags(repo, root: Path) -> None:
    """The remote's tags, so that they are rewritten and pushed back too (a tag only the
    remote has would keep the client there). Unreachable remote: the local ones will do."""
    import git

    name, _branch = remote_of(repo, root)
    if name is None:
        return
    try:
        with repo.git.custom_environment(**no_prompt(repo)):
            repo.git.fetch("--quiet", "--no-write-fetch-head", name, "refs/tags/*:refs/tags/*",
                           kill_after_timeout=60)
    except git.GitCommandError:
        pass


def _refs(repo) -> dict[str, str]:
    """Every ref that is not symbolic, with its object."""
    out = repo.git.for_each_ref("--format=%(refname) %(objectname) %(symref)")
    refs = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and not parts[0].startswith(NAMESPACE):
            refs[parts[0]] = parts[1]
    return refs


def _rewrite(repo, root: Path, mentions: Mentions, journal, language: str,
             today: dt.date, log: bool = True) -> None:
    """Rewrite every ref into a new repository, fetch the result into our namespace, and
    write the journal: from here on the forget is finished, never undone."""
    import json
    import secrets

    from coachnotes.vault.cache import private_dir
    from coachnotes.vault.files import write_atomic

    top = Path(repo.working_tree_dir).resolve()
    prefix = vault_prefix(repo, root)
    works = private_dir(root / CACHE_DIR) / WORK
    shutil.rmtree(works, ignore_errors=True)
    works.mkdir(mode=0o700)
    # a folder of this run's own: a filter orphaned by a killed forget that is still
    # running can never write into the repository this one fetches from
    work = works / secrets.token_hex(8)
    work.mkdir(mode=0o700)
    try:
        target = work / "target.git"
        subprocess.run(["git", "init", "-q", "--bare", str(target)], check=True,
                       capture_output=True)
        config = work / "config.json"
        write_atomic(config, json.dumps({
            "source": str(top), "target": str(target), "prefix": prefix,
            "word": ERASED.get(language, ERASED["en"]), "ids": mentions.ids,
            "names": mentions.names, "others": mentions.others,
            "paths": [f"{prefix}{CLIENTS}/{i}/" for i in mentions.ids]}).encode())
        done = subprocess.run([sys.executable, "-m", "coachnotes.git.erase_filter", str(config)],
                              capture_output=True, text=True, cwd=top)
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            raise Refused(_("the history could not be rewritten (git-filter-repo: "
                            "{value}); nothing was changed").format(
                            value=said[-1] if said else 'failed'))
        before = _refs(repo)
        repo.git.fetch("--no-tags", "--no-write-fetch-head", "--quiet", str(target),
                       f"+refs/*:{NAMESPACE}*")
    finally:
        shutil.rmtree(works, ignore_errors=True)
    journal.write({"ids": mentions.ids, "names": mentions.names, "others": mentions.others,
                   "language": language, "today": today.isoformat(), "before": before,
                   "step": "swap", "log": log})


def finish(repo, root: Path, journal, report: ForgetReport, resumed: bool = True) -> None:
    """Carry out what the journal says is left of a forget (all of it is safe to repeat)."""
    from coachnotes.git.repo import clear_stale_locks, wait_for_git

    state = journal.read()
    if state is not None or repo.git.for_each_ref("--format=%(refname)", NAMESPACE) or \
            (root / CACHE_DIR / WORK).exists():  # what a killed forget started ends first
        wait_for_git(Path(repo.working_tree_dir).resolve(), Path(repo.git_dir), seconds=30)
        clear_stale_locks(Path(repo.git_dir))
    if state is None or "names" not in state:  # killed before its journal: never started
        for ref in repo.git.for_each_ref("--format=%(refname)", NAMESPACE).split():
            repo.git.update_ref("-d", ref)
        shutil.rmtree(root / CACHE_DIR / WORK, ignore_errors=True)
        journal.clear()
        sweep_private(root)
        return
    if resumed:
        report.messages.append(_("finishing a forget that was interrupted"))
    mentions = Mentions(state["ids"], state["names"], state["others"])
    today = dt.date.fromisoformat(state["today"])
    if state.get("step") == "swap":
        _swap(repo, state["before"])
        state["step"] = "tidy"
        journal.write(state)
    if state.get("step") == "tidy":
        _tidy(repo, root, mentions, state["language"], today, state.get("log", True))
        state["step"] = "push"
        journal.write(state)
    if state.get("step") == "push":
        push_erased(repo, root, state["before"], report)
    journal.clear()
    sweep_private(root)  # a journal's temporary copy, killed halfway, held the names


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


def _tidy(repo, root: Path, mentions: Mentions, language: str,
          today: dt.date, log: bool = True) -> None:
    """The files after the swap: the folders gone (ignored files in them too), the files git
    does not track (Obsidian's `.trash/`, `exports/`) erased alike, the erasure log and the
    pages written and committed, every cache emptied, old objects pruned."""
    from coachnotes.vault.load import load_settings

    plan = plan_tree(root, mentions, ERASED.get(language, ERASED["en"]))
    apply_plan(root, plan)
    _after_erasure(root, mentions, language, today, log)
    _restore_untouchable(repo, root, mentions, plan)
    repo.git.add("-A", "--", ".")
    if repo.git.diff("--cached", "--name-only"):
        env, _note = identity_env(repo, load_settings(root).coach)
        with repo.git.custom_environment(**env):
            repo.git.commit("-q", "--no-verify", "-m", "coachnotes forget: a client erased")
    _prune(repo)


def _restore_untouchable(repo, root: Path, mentions: Mentions, plan: Plan) -> None:
    """A tracked file that is missing now and that the erasure had no business removing (not
    the client's, not a copy of its notes or a document about it) is brought back from the
    rewritten history before anything is committed: a forget resumed after a kill must never
    commit the loss of another file (seen once under load: `.gitattributes`)."""
    prefix = vault_prefix(repo, root)
    allowed = tuple(f"{prefix}{CLIENTS}/{i}/" for i in mentions.ids)
    removed = {prefix + rel for rel in plan.remove}
    for path in repo.git.ls_files("--deleted", "-z").split("\0"):
        if path and not path.startswith(allowed) and path not in removed:
            repo.git.checkout("HEAD", "--", path)


def _after_erasure(root: Path, mentions: Mentions, language: str, today: dt.date,
                   log: bool = True) -> None:
    from coachnotes.output.pages import regenerate
    from coachnotes.vault.load import load_vault

    for client_id in mentions.ids:
        shutil.rmtree(root / CLIENTS / client_id, ignore_errors=True)
    if log:  # sync erases what a log names already: the merge brings the remote's log
        _log_erasures(root, mentions.ids, language, today)
    sweep_private(root)
    regenerate(load_vault(root, use_cache=False), today)
    sweep_private(root)


def _scrubbed_search_index(root: Path) -> str | None:
    """The search index, with every erased note (and every old text of a note whose
    mentions were replaced) removed by `secure_delete`, merged and vacuumed: its name, to
    keep it; None when it could not be scrubbed (then it is deleted like the rest)."""
    import sqlite3

    from coachnotes.answers.search import INDEX, scrub
    from coachnotes.vault.load import settings_language

    try:
        scrub(root, settings_language(root) or "nl")
    except (OSError, sqlite3.Error, CoachnotesError):
        return None
    return INDEX


def sweep_private(root: Path) -> None:
    """Every saved copy of note data: the cache and the search index in `.coachnotes/`
    (all but its lock, .gitignore and the journals), and what a killed write left anywhere
    in the vault (`.name.XXXX.tmp`)."""
    from coachnotes.vault.cache import drop_all

    drop_all(root)
    cache = root / CACHE_DIR
    kept = _scrubbed_search_index(root)
    if cache.is_dir() and not cache.is_symlink():
        for path in cache.iterdir():
            if (path.name in _KEEP_IN_CACHE or path.name == kept) and path.is_file():
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        for name in (JOURNAL, "sync-journal"):
            for left in cache.glob(f".{name}.*.tmp"):
                left.unlink(missing_ok=True)
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
        for name in files:
            if name.startswith(".") and name.endswith(".tmp"):
                Path(folder, name).unlink(missing_ok=True)


def _prune(repo) -> None:
    """Expire the reflog and drop every unreachable object. A gc that a killed forget left
    running is waited for; one that left only its gc.pid behind is overridden."""
    import git

    from coachnotes.git.repo import wait_for_git

    repo.git.reflog("expire", "--expire=now", "--expire-unreachable=now", "--all")
    try:
        repo.git.gc("--prune=now", "--quiet")
    except git.GitCommandError:
        wait_for_git(Path(repo.working_tree_dir).resolve(), Path(repo.git_dir))
        repo.git.gc("--force", "--prune=now", "--quiet")


def _log_erasures(root: Path, ids: list[str], language: str, today: dt.date) -> None:
    from coachnotes.vault.files import write_atomic

    path = root / erasures.ERASURES_FILE
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    for client_id in ids:
        text = erasures.with_entry(text, client_id, today, language)
    write_atomic(path, text.encode(), mode=0o600)


def erased_in_history(repo, root: Path, mine: erasures.Erasures, theirs: erasures.Erasures,
                      remote_ref: str) -> Mentions | None:
    """What sync must erase (SPEC §12): a client the remote's erasure log names and this
    vault's does not (a `forget` on another device), wherever the history here has it; and a
    client this vault's log names that the remote's history still holds (a forget whose push
    did not get through) — each with every id and name it had, found as `forget` finds them,
    so that both devices rewrite the same commits alike. A client that this vault erased and
    that is back in its own files (a restored backup) is not erased behind the coach's back:
    that is E025, and sync does not push it."""
    from coachnotes.vault.load import load_vault

    if not (mine.tokens or theirs.tokens):
        return None
    prefix = vault_prefix(repo, root)
    everywhere = ids_in(repo, prefix, "--all")
    on_remote = ids_in(repo, prefix, remote_ref)
    chosen = {i for i in everywhere if theirs.erased(i) and not mine.erased(i)}
    chosen |= {i for i in on_remote if mine.erased(i)}
    if not chosen:
        return None
    vault = load_vault(root)
    live = {i: (f.client.name if f.client else None) for i, f in vault.folders.items()
            if i is not None}
    history, renames = client_history(repo, prefix)
    mentions, _shared = lineage(chosen, live, history, renames)
    return mentions


def erase_for_sync(repo, root: Path, mine: erasures.Erasures, theirs: erasures.Erasures,
                   remote_ref: str, today: dt.date, language: str) -> list[str]:
    """Erase, as `forget` does, every client of the erasure logs still in the history here
    (sync, SPEC §12), without pushing: sync pushes the result. Returns the ids erased."""
    from coachnotes.git.repo import Journal
    from coachnotes.vault.cache import private_dir

    mentions = erased_in_history(repo, root, mine, theirs, remote_ref)
    if mentions is None:
        return []
    if not filter_repo():
        raise SyncError(_("another device erased a client (erasures.yml) and "
                          "git-filter-repo is not installed here to erase it too: install it "
                          "(`pip install git-filter-repo`), then sync again. Nothing was "
                          "pushed."))
    try:
        refuse_stash(repo, "sync")
    except Refused as error:
        raise SyncError(str(error)) from None
    journal = Journal(private_dir(root / CACHE_DIR), JOURNAL)
    _rewrite(repo, root, mentions, journal, language, today, log=False)
    state = journal.read()
    state["step"] = "tidy"  # what is left after the swap, should this sync be killed
    _swap(repo, state["before"])
    journal.write(state)
    _tidy(repo, root, mentions, language, today, log=False)
    journal.clear()
    sweep_private(root)
    return mentions.ids


def finish_killed(repo, root: Path) -> list[str]:
    """At the start of a sync: finish a forget (or a sync's erasure) that was killed."""
    from coachnotes.git.repo import Journal
    from coachnotes.vault.cache import private_dir

    journal = Journal(private_dir(root / CACHE_DIR), JOURNAL)
    report = ForgetReport("")
    finish(repo, root, journal, report)
    return report.messages
