"""Commands that write notes and pages: init, new, close, rename, check, index, watch."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from coachnotes import authoring
from coachnotes.answers.due import client_items
from coachnotes.commands import open_root, open_vault
from coachnotes.i18n import choose
from coachnotes.output.pages import PagesResult, index_vault, regenerate
from coachnotes.rules.check import check as check_vault
from coachnotes.rules.check import committed_documents
from coachnotes.rules.fix import fix_vault
from coachnotes.vault.load import get_client, load_vault, read_record
from coachnotes.vault.model import Problem
from coachnotes.vault.scores import goal_scores


def init(directory: Path, language: str, coach: str | None) -> list[str]:
    """A new vault; what the coach should know of it (an identity git lacked, say)."""
    choose(language)  # the new vault's language from here on, whatever the system's
    return authoring.init_vault(directory, language, coach)


def new_client(vault_option: str | None, name: str, organization: str | None,
               sponsor: str | None, intake: dt.date | None, today: dt.date) -> Path:
    """The new client note, relative to the vault."""
    vault = open_vault(vault_option)
    return authoring.new_client(vault, name, organization, sponsor, intake,
                                today).relative_to(vault.root)


def new_session(vault_option: str | None, client_id: str, kind: str, date: dt.date) -> Path:
    """The new session note, relative to the vault."""
    vault = open_vault(vault_option)
    return authoring.new_session(vault, client_id, kind, date).relative_to(vault.root)


@dataclass
class Closed:
    """What `close` did: the note, whether the trajectory is now done (a second close), the
    follow-ups now due, and the goals that have a start but no end score (W116)."""
    path: str
    done: bool
    follow_ups: list[str] = field(default_factory=list)
    open_ends: list[str] = field(default_factory=list)
    open_actions: list[tuple[str, str]] = field(default_factory=list)  # (note, the action)


def close(vault_option: str | None, client_id: str, date: dt.date, today: dt.date) -> Closed:
    vault = open_vault(vault_option)
    was = get_client(vault, client_id).status
    path = authoring.close_client(vault, client_id, date)
    rel = path.relative_to(vault.root).as_posix()
    closed = load_vault(vault.root)
    client = get_client(closed, client_id)
    left = [(item.path, item.text) for item, _ref in client_items(closed, client, today)
            if item.kind == "action"]  # no longer due: the coach marks them done or drops them
    if was == "follow-up":
        return Closed(rel, True, open_actions=left)
    dues = [str(f.get("due")) for f in read_record(rel, path).values.get("follow_ups") or []
            if not f.get("done") and not f.get("cancelled")]
    open_ends = [g.goal for g in goal_scores(client, today)
                 if g.start is not None and g.end is None]
    return Closed(rel, False, dues, open_ends, left)


def rename(vault_option: str | None, client_id: str, new_id: str, today: dt.date) -> list[str]:
    """The notes rewritten; the pages are made again."""
    vault = open_vault(vault_option)
    changed = authoring.rename_client(vault, client_id, new_id)
    regenerate(load_vault(vault.root), today)
    return changed


@dataclass
class Checked:
    """What `check` found (after `--fix`, the repairs and, with `--diff`, their patch)."""
    problems: list[Problem]
    fixes: list = field(default_factory=list)
    patch: str = ""

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)


def check(vault_option: str | None, today: dt.date, staged: bool = False, fix: bool = False,
          diff: bool = False) -> Checked:
    """The problems of the vault (or of what is staged for the next commit), with the
    documents git tracks that it should never hold (W118); with `fix`, repaired first."""
    root = open_root(vault_option)
    answer = Checked([])
    if fix:
        vault = load_vault(root)
        answer.fixes, answer.patch = fix_vault(vault, check_vault(vault, today), write=not diff)
    if staged:
        from coachnotes.git.sync import staged_copy  # GitPython: the hook's check only

        with staged_copy(root) as copy:
            answer.problems = check_vault(load_vault(copy, use_cache=False), today)
        return answer
    from coachnotes.git.repo import tracked_files  # plain `git ls-files`, no GitPython

    answer.problems = sorted(set(check_vault(load_vault(root), today)
                                 + committed_documents(tracked_files(root))))
    return answer


def index(vault_option: str | None, today: dt.date,
          progress: Callable[[int], Callable[[str], None] | None] | None = None) -> PagesResult:
    """The pages written, left unchanged, removed, and refused (E030)."""
    return index_vault(open_root(vault_option), today, progress)


def watch(vault_option: str | None, sync_every: float | None, today: dt.date | None,
          echo: Callable[[str], None]) -> int:
    """Watch until Ctrl-C or SIGTERM; the exit code."""
    from coachnotes.watch import run  # watchdog: the watcher only

    return run(open_root(vault_option), sync_every=sync_every, today=today, echo=echo)
