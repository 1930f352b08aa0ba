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
from dataclasses import dataclass
from pathlib import Path

from coachnotes.errors import CoachnotesError, Refused, SyncError
from coachnotes.faults import fault_point
from coachnotes.git import erase_refs
from coachnotes.git.erase_push import ForgetReport, prune_remote, push_erased, remote_of
from coachnotes.git.erase_refs import MIRROR, MIRRORED, NAMESPACE
from coachnotes.git.erase_tree import Plan, apply_plan, damage, plan_tree
from coachnotes.git.lineage import client_history, ids_in, lineage
from coachnotes.git.repo import identity_env, no_prompt, state_problem, vault_prefix
from coachnotes.i18n import _
from coachnotes.vault import erasures
from coachnotes.vault.layout import CACHE_DIR, CLIENTS, is_generated_place
from coachnotes.vault.redact import ERASED, Mentions, text_codec

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
                if journal.read() is not None:
                    raise Refused(_("an earlier forget could not reach the remote yet, and "
                                    "its push comes first: run `coachnotes sync` when the "
                                    "remote can be reached, then forget again. Nothing was "
                                    "changed."))
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
            _rewrite(repo, root, mentions, journal, vault.language, today)
            finish(repo, root, journal, report, resumed=False)
    return report


@dataclass
class Preview:
    """What `forget` will do, shown before it asks (SPEC §13, v4: say first)."""
    client: str
    ids: list[str]
    names: list[str]
    shared: list[str]  # names another client has too: mentions by them are kept
    notes: list[str]  # the client's own folders' files
    removed: list[str]  # copies of its notes and documents about it elsewhere
    renamed: dict[str, str]
    lines: list[tuple[str, int, str]]  # each line elsewhere that mentions it, as it will read
    remade: list[str]  # hours files made again without the client
    refused: list[str]  # files about other clients too that cannot be rewritten
    interrupted: bool  # a forget that was stopped is finished first
    invoices: bool  # an invoice register is kept (the fiscal record)


def preview(root: Path, client_id: str) -> Preview:
    """Everything a forget of this client would do, computed from the vault and its history
    as `forget` computes it; nothing is changed."""
    from coachnotes.errors import UnknownClient
    from coachnotes.vault.load import load_vault

    vault = load_vault(root)
    in_git = _in_git(root)
    interrupted = (root / CACHE_DIR / JOURNAL).exists()
    try:
        client_id, mentions, shared = _who(root, client_id, vault, in_git)
    except UnknownClient:
        if not (interrupted or vault.erasures.erased(client_id)):
            raise
        # erased already, or a forget stopped halfway: `forget` finishes it and says so
        return Preview(client_id, [client_id], [], [], [], [], {}, [], [], [], interrupted,
                       (root / "invoices.yml").exists())
    word = ERASED.get(vault.language, ERASED["en"])
    plan = plan_tree(root, mentions, word)
    notes = sorted(p.relative_to(root).as_posix() for i in mentions.ids
                   for p in (root / CLIENTS / i).rglob("*") if p.is_file())
    lines = []
    for rel in sorted(plan.rewrite):
        if is_generated_place(rel) or remade_hours(plan.old[rel], plan.rewrite[rel]):
            continue
        codec = text_codec(plan.old[rel]) or "utf-8"
        old = plan.old[rel].decode(codec, "replace").lstrip("\ufeff").splitlines()
        new = plan.rewrite[rel].decode(codec, "replace").lstrip("\ufeff").splitlines()
        lines += [(rel, n, b) for n, (a, b) in enumerate(zip(old, new), 1) if a != b]
    return Preview(client_id, mentions.ids, mentions.names, shared, notes, sorted(plan.remove),
                   dict(sorted(plan.rename.items())), lines,
                   sorted(r for r in plan.rewrite if not is_generated_place(r) and
                          remade_hours(plan.old[r], plan.rewrite[r])),
                   plan.refuse, interrupted, (root / "invoices.yml").exists())


def remade_hours(old: bytes, new: bytes) -> bool:
    """Whether a rewrite dropped rows (an hours file made again) rather than replaced words."""
    return len(new.splitlines()) < len(old.splitlines()) or old.startswith(b"PK")


def _checked_plan(root: Path, mentions: Mentions, word: str) -> Plan:
    plan = plan_tree(root, mentions, word)
    if plan.refuse:
        raise Refused(_("these files mention the client and other clients too, and cannot be "
                        "rewritten: {items}. Remove the client from them by hand (or delete "
                        "them), commit, then forget again. Nothing was changed.").format(
                        items=", ".join(plan.refuse)))
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


def _mirror_remote(repo, root: Path) -> tuple[str | None, dict[str, str] | None]:
    """Every ref of the remote — branches another device pushed since this one last synced,
    tags, `refs/notes/*` — fetched into our mirror namespace, so that all of them are
    rewritten and pushed back (SPEC §13, v4). (None, None) without a remote; (name, None)
    when it cannot be reached: the push says why, and the next sync finishes it."""
    import git

    name, _branch = remote_of(repo, root)
    if name is None:
        return None, None
    top = Path(repo.working_tree_dir)
    for ref in erase_refs.refs(top, MIRROR):  # a mirror a killed run left: never stale
        repo.git.update_ref("-d", ref)
    try:
        with repo.git.custom_environment(**no_prompt(repo)):
            listed = repo.git.ls_remote(name, kill_after_timeout=60)
            # tags under their own names: git fast-export names an annotated tag by its tag
            # name, so a tag mirrored elsewhere would come back as another ref
            repo.git.fetch("--quiet", "--no-tags", "--no-write-fetch-head", name,
                           f"+refs/heads/*:{MIRROR}heads/*", f"+refs/notes/*:{MIRROR}notes/*",
                           "+refs/tags/*:refs/tags/*", kill_after_timeout=120)
    except git.GitCommandError:
        return name, None
    pairs = (line.split("\t") for line in listed.splitlines() if "\t" in line)
    return name, {ref: sha for sha, ref in pairs if ref.startswith(MIRRORED) and
                  not ref.endswith("^{}")}


def _rewrite(repo, root: Path, mentions: Mentions, journal, language: str,
             today: dt.date, push: bool = True) -> None:
    """Rewrite every ref into a new repository and fetch the result into our namespace; then
    write the journal with the whole plan — every ref before and after, the names renamed,
    the refs deleted — after proving that no ref loses a path that is not the client's. Until
    the journal is written nothing of the vault has changed; from then on the forget is
    finished from the journal alone, never undone."""
    import json
    import secrets

    from coachnotes.vault.cache import private_dir
    from coachnotes.vault.files import write_atomic

    top = Path(repo.working_tree_dir).resolve()
    prefix = vault_prefix(repo, root)
    remote, there = _mirror_remote(repo, root) if push else (None, None)
    fault_point("forget:mirrored")
    works = private_dir(root / CACHE_DIR) / WORK
    shutil.rmtree(works, ignore_errors=True)
    works.mkdir(mode=0o700)
    # a folder of this run's own: a filter orphaned by a killed forget that is still
    # running can never write into the repository this one fetches from
    work = works / secrets.token_hex(8)
    work.mkdir(mode=0o700)
    word = ERASED.get(language, ERASED["en"])
    try:
        target = work / "target.git"
        subprocess.run(["git", "init", "-q", "--bare", str(target)], check=True,
                       capture_output=True)
        config = work / "config.json"
        write_atomic(config, json.dumps({
            "source": str(top), "target": str(target), "prefix": prefix, "word": word,
            "ids": mentions.ids, "names": mentions.names, "others": mentions.others,
            "paths": [f"{prefix}{CLIENTS}/{i}/" for i in mentions.ids]}).encode())
        done = subprocess.run([sys.executable, "-m", "coachnotes.git.erase_filter", str(config)],
                              capture_output=True, text=True, cwd=top)
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            _drop_namespaces(top)
            raise Refused(_("the history could not be rewritten (git-filter-repo: "
                            "{value}); nothing was changed").format(
                            value=said[-1] if said else 'failed'))
        before = erase_refs.refs(top)
        repo.git.fetch("--no-tags", "--no-write-fetch-head", "--quiet", str(target),
                       f"+refs/*:{NAMESPACE}*")
    finally:
        shutil.rmtree(works, ignore_errors=True)
    fault_point("forget:rewritten")
    rewritten = {"refs/" + ref[len(NAMESPACE):]: sha
                 for ref, sha in erase_refs.refs_in(top, NAMESPACE).items()}
    moves = _moves(before, rewritten, mentions)
    guard = erase_refs.Guard(top, prefix, mentions, word)
    renamed = {old: new for old, new in moves["renamed"].items()}
    for ref, old in sorted(before.items()):
        lost = guard.lost(old, moves["after"].get(renamed.get(ref, ref)))
        if lost:
            _drop_namespaces(top)
            raise Refused(_lost_message(ref, lost))
    journal.write({"version": 2, "ids": mentions.ids, "names": mentions.names,
                   "others": mentions.others, "language": language,
                   "today": today.isoformat(), "before": before, "after": moves["after"],
                   "renamed": moves["renamed"], "remote": remote, "there": there,
                   "push": push, "step": "swap", "log": push})
    fault_point("forget:planned")


def _moves(before: dict[str, str], rewritten: dict[str, str],
           mentions: Mentions) -> dict[str, dict]:
    """The ref map: each ref's rewritten object under its (perhaps renamed) name; a ref that
    nothing is left of (all its commits were the client's) is not in `after`."""
    renamed = erase_refs.renames(sorted(before), mentions)
    after = {renamed.get(ref, ref): sha for ref, sha in rewritten.items() if ref in before}
    return {"after": after, "renamed": renamed}


def _lost_message(ref: str, lost: list[str]) -> str:
    shown = ", ".join(lost[:5]) + (f" (+{len(lost) - 5})" if len(lost) > 5 else "")
    return _("the erasure would lose files that are not the client's ({ref}: {paths}); "
             "nothing was changed, and forget stopped. Please report this.").format(
             ref=ref, paths=shown)


def _drop_namespaces(top: Path, mirror: bool = True) -> None:
    """Our own namespaces, after a rewrite that was refused or finished (the remote's mirror
    is kept while its push is still to be made)."""
    for ref in [*erase_refs.refs_in(top, NAMESPACE),
                *(erase_refs.refs_in(top, MIRROR) if mirror else {})]:
        subprocess.run(["git", "update-ref", "-d", ref], cwd=top, capture_output=True)


def finish(repo, root: Path, journal, report: ForgetReport, resumed: bool = True) -> None:
    """Carry out what the journal says is left of a forget (every step is safe to repeat)."""
    from coachnotes.git.repo import clear_stale_locks, wait_for_git

    top = Path(repo.working_tree_dir).resolve()
    state = journal.read()
    if state is not None or erase_refs.refs_in(top, NAMESPACE) or \
            (root / CACHE_DIR / WORK).exists():  # what a killed forget started ends first
        wait_for_git(top, Path(repo.git_dir), seconds=30)
        clear_stale_locks(Path(repo.git_dir))
    if state is None or "names" not in state:  # killed before its journal: never started
        _drop_namespaces(top)
        shutil.rmtree(root / CACHE_DIR / WORK, ignore_errors=True)
        journal.clear()
        sweep_private(root)
        return
    if resumed:
        report.messages.append(_("finishing a forget that was interrupted"))
    if "after" not in state:  # a journal of coachnotes before v4: what its namespace still
        state.update(after={"refs/" + r[len(NAMESPACE):]: s for r, s in  # holds is moved,
                            erase_refs.refs_in(top, NAMESPACE).items()},  # nothing deleted
                     renamed={}, push=True, partial=True, remote=remote_of(repo, root)[0],
                     there=None, version=2)
    mentions = Mentions(state["ids"], state["names"], state["others"])
    today = dt.date.fromisoformat(state["today"])
    guard = erase_refs.Guard(top, vault_prefix(repo, root), mentions,
                             ERASED.get(state["language"], ERASED["en"]))
    for step, run in (("swap", lambda: _swap(repo, state)),
                      ("tidy", lambda: _tidy(repo, root, mentions, state, today, guard)),
                      ("push", lambda: _push(repo, root, state, guard, report)),
                      ("prune", lambda: _prune(repo, state, report))):
        if state.get("step") == step:
            run()
            state["step"] = _NEXT[step]
            journal.write(state)
            fault_point(f"forget:{step}-done")
    if state.get("retry_push"):  # erased here; the remote could not be reached: the next
        state.update(step="push", retry_push=False)  # sync or forget pushes every ref then
        journal.write(state)
    else:
        journal.clear()
    sweep_private(root)  # a journal's temporary copy, killed halfway, held the names


_NEXT = {"swap": "tidy", "tidy": "push", "push": "prune", "prune": "done"}


def _swap(repo, state: dict) -> None:
    """Move every ref to its rewritten commit in one transaction, from the journal's map, and
    the files with it; then drop our namespace of rewritten refs."""
    top = Path(repo.working_tree_dir).resolve()
    before, after, renamed = state["before"], state["after"], state["renamed"]
    moves: dict[str, str | None] = dict(after)
    for ref in before:
        if ref in renamed or (ref not in after and not state.get("partial")):
            moves[ref] = None  # renamed, or nothing of it is left after the rewrite
    head = git_symbolic_head(top)
    erase_refs.transaction(top, moves)
    if head in renamed:  # the branch checked out was renamed: HEAD follows it
        subprocess.run(["git", "symbolic-ref", "HEAD", renamed[head]], cwd=top, check=True)
    fault_point("forget:moved")
    repo.git.reset("--hard", "-q")
    fault_point("forget:reset")
    for n, ref in enumerate(sorted(erase_refs.refs_in(top, NAMESPACE))):
        repo.git.update_ref("-d", ref)
        if n == 0:
            fault_point("forget:namespace-half-deleted")


def git_symbolic_head(top: Path) -> str | None:
    done = subprocess.run(["git", "symbolic-ref", "-q", "HEAD"], cwd=top, capture_output=True,
                          text=True)
    return done.stdout.strip() or None


def _tidy(repo, root: Path, mentions: Mentions, state: dict, today: dt.date,
          guard: erase_refs.Guard) -> None:
    """The files after the swap: the folders gone (ignored files in them too), the files git
    does not track (Obsidian's `.trash/`, `exports/`) erased alike, the erasure log and the
    pages written and committed — after proving the commit loses no other path."""
    from coachnotes.vault.load import load_settings

    language = state["language"]
    plan = plan_tree(root, mentions, ERASED.get(language, ERASED["en"]))
    apply_plan(root, plan)
    fault_point("forget:files-erased")
    _after_erasure(root, mentions, language, today, state.get("log", True))
    _restore_untouchable(repo, root, mentions, plan)
    repo.git.add("-A", "--", ".")
    if repo.git.diff("--cached", "--name-only"):
        staged = repo.git.write_tree()
        lost = guard.lost(repo.head.commit.hexsha, staged)
        if lost:
            _undo(repo, state)
            raise Refused(_lost_message("HEAD", lost))
        env, _note = identity_env(repo, load_settings(root).coach)
        with repo.git.custom_environment(**env):
            repo.git.commit("-q", "--no-verify", "-m", _commit_message(language))


def _commit_message(language: str) -> str:
    return "coachnotes forget: een cliënt gewist" if language == "nl" else \
        "coachnotes forget: a client erased"


def _undo(repo, state: dict) -> None:
    """Every ref back where it was before the swap (the old objects are still here: nothing
    is pruned before the commit is proven)."""
    top = Path(repo.working_tree_dir).resolve()
    moves: dict[str, str | None] = {ref: None for ref in state["after"]}
    moves.update(state["before"])
    erase_refs.transaction(top, moves)
    head = git_symbolic_head(top)
    back = {new: old for old, new in state["renamed"].items()}
    if head in back:
        subprocess.run(["git", "symbolic-ref", "HEAD", back[head]], cwd=top, check=True)
    repo.git.reset("--hard", "-q")
    _drop_namespaces(top)


def _push(repo, root: Path, state: dict, guard: erase_refs.Guard,
          report: ForgetReport) -> None:
    if not state.get("push"):
        return  # sync's erasure: sync pushes
    if state.get("remote") is None:
        report.messages.append(_("no remote is configured: only this vault was erased"))
        return
    push_erased(repo, root, state, guard, report)
    state["pushed"] = report.pushed  # the journal says so, should the prune be resumed
    # the remote's refs were mirrored and rewritten, but it is out of reach now: they are kept
    # (and the journal) for the next sync, which pushes every one of them
    state["retry_push"] = report.offline and state.get("there") is not None
    fault_point("forget:pushed")


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
    from coachnotes.answers.search import LEXICON_PREFIX
    from coachnotes.vault.cache import drop_all

    drop_all(root)
    cache = root / CACHE_DIR
    kept = _scrubbed_search_index(root)
    if cache.is_dir() and not cache.is_symlink():
        for path in cache.iterdir():
            if (path.name in _KEEP_IN_CACHE or path.name == kept or
                    path.name.startswith(LEXICON_PREFIX)) and path.is_file():
                continue  # the search's dictionary holds no word of a note: kept too
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


def _prune(repo, state: dict, report: ForgetReport) -> None:
    """Our namespaces dropped, the reflog expired and every unreachable object pruned, here
    and in a remote that is a folder on this machine. A gc that a killed forget left running
    is waited for; one that left only its gc.pid behind is overridden."""
    import git

    from coachnotes.git.repo import wait_for_git

    _drop_namespaces(Path(repo.working_tree_dir).resolve(), mirror=not state.get("retry_push"))
    report.pushed = report.pushed or bool(state.get("pushed"))
    if report.pushed and state.get("remote"):
        report.messages.append(prune_remote(repo, state["remote"]))
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
    _rewrite(repo, root, mentions, journal, language, today, push=False)
    finish(repo, root, journal, ForgetReport(""), resumed=False)
    return mentions.ids


def finish_killed(repo, root: Path) -> list[str]:
    """At the start of a sync: finish a forget (or a sync's erasure) that was killed."""
    from coachnotes.git.repo import Journal
    from coachnotes.vault.cache import private_dir

    journal = Journal(private_dir(root / CACHE_DIR), JOURNAL)
    report = ForgetReport("")
    finish(repo, root, journal, report)
    return report.messages
