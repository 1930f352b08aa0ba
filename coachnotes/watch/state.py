"""The pure steps of a save, with no watchdog in sight (tested without it):

    paths -> `VaultState.apply` -> Changes -> `VaultState.rebuild` -> (Rebuild, pages)
          -> `VaultState.write`

The vault as last read is kept, and each step touches only what the save changed: the folders
it lay in are listed again (`FileIndex`), the notes whose signature changed are read again,
those folders are checked again (`Checks` keeps every folder's problems and counts them), and
those clients' lines are rendered again (`Rendered` keeps every client's view and rows, and
the pages that list every client are joined from the rows). Nothing per save walks every note
or every client, so a save costs the same in a vault of 70,000 notes as in one of 7,000.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from coachnotes.vault.cache import no_cyclic_gc
from coachnotes.vault.layout import CLIENTS, SETTINGS_FILE, client_page, folder_of, is_note
from coachnotes.vault.load import (
    build_folder,
    build_model,
    load_settings,
    read_record,
    read_records,
)
from coachnotes.vault.model import NoteRecord, Problem, Vault
from coachnotes.vault.scan import discover
from coachnotes.watch.listing import FileIndex


@dataclass
class Rebuild:
    """What one rebuild did (for the summary line, the tests and the benchmark)."""

    reread: int
    appeared: list[Problem] = field(default_factory=list)
    resolved: list[Problem] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    seconds: float = 0.0


class Changes(NamedTuple):
    """What `apply` found: the folders whose notes changed (None: notes outside every client
    folder), whether everything must be rebuilt (settings, a new day), and how many notes were
    read again."""

    folders: frozenset
    everything: bool
    reread: int

    def __bool__(self) -> bool:
        return bool(self.folders) or self.everything


class Checks:
    """Every folder's problems, kept and counted: a save checks again only its folders (and
    those whose sessions name a client that just came or went), and what lies outside them."""

    def __init__(self) -> None:
        self.by_folder: dict[str | None, list[Problem]] = {}
        self.outside: list[Problem] = []
        self.count: Counter[Problem] = Counter()
        self.errors: set[Problem] = set()
        self.ids: set[str] = set()  # clients with a client.md, as at the last check
        self.claiming: set[str] = set()  # clients whose `id` is not their folder's (E022)

    def update(self, vault: Vault, folders: set, everything: bool,
               today: dt.date) -> tuple[set, list[Problem], list[Problem]]:
        """Check these folders again; returns the folders checked, what appeared and what
        was resolved."""
        from coachnotes.rules.check import folder_problems, vault_problems

        if everything:
            folders = set(vault.folders) | set(self.by_folder) | self.ids
        moved = self._ids(vault, folders)
        if moved and not everything:
            folders |= {key for key, f in vault.folders.items()
                        if any(s.client in moved for s in f.sessions)}  # E020 came or went
        was: dict[Problem, bool] = {}  # each touched problem: present before this save?
        for key in folders:
            found = folder_problems(vault, vault.folders[key], today, self.ids) \
                if key in vault.folders else []
            self._swap(self.by_folder.pop(key, []), found, was)
            if found:
                self.by_folder[key] = found
        outside = vault_problems(vault, self.claiming)
        self._swap(self.outside, outside, was)
        self.outside = outside
        appeared = sorted(p for p, before in was.items() if not before and p in self.count)
        # a warning gone because its note can no longer be read is not solved (SPEC §14 v4):
        # the note's error says what happened, and the warning comes back once it reads again
        broken = {p.path for key in folders for p in self.by_folder.get(key, ())
                  if p.severity == "error"} | {p.path for p in outside if p.severity == "error"}
        resolved = sorted(p for p, before in was.items() if before and p not in self.count
                          and not (p.severity == "warning" and p.path in broken))
        return folders, appeared, resolved

    def _ids(self, vault: Vault, folders: set) -> set[str]:
        """Bring the client ids and the claiming clients up to date for these folders;
        returns the ids that came or went."""
        moved = set()
        for key in folders:
            if key is None:
                continue
            folder = vault.folders.get(key)
            has = folder is not None and folder.has_client_note
            if has != (key in self.ids):
                moved.add(key)
                (self.ids.add if has else self.ids.discard)(key)
            client = folder.client if folder is not None else None
            if client is not None and client.get("id") not in (None, client.id):
                self.claiming.add(key)
            else:
                self.claiming.discard(key)
        return moved

    def _swap(self, old: list[Problem], new: list[Problem], was: dict[Problem, bool]) -> None:
        """Count `new` in and `old` out, noting whether each was there before."""
        for problem in (*old, *new):
            was.setdefault(problem, problem in self.count)
        for problem in old:
            self.count[problem] -= 1
            if self.count[problem] <= 0:
                del self.count[problem]
                self.errors.discard(problem)
        for problem in new:
            self.count[problem] += 1
            if problem.severity == "error":
                self.errors.add(problem)


class Rendered:
    """Every client's view and rendered lines, kept; the pages that list every client are
    joined from those lines (`TopPages`), so a save renders only its clients."""

    def __init__(self) -> None:
        from coachnotes.output.pages import TopPages

        self.views: dict = {}
        self.top = TopPages()
        self.gone: set[str] = set()  # clients whose page is to be removed

    def update(self, vault: Vault, checks: Checks, wanted: set[str], everything: bool,
               today: dt.date) -> dict[str, str]:
        """The views and lines of the `wanted` clients made anew; the pages to write."""
        from coachnotes.answers.due import fix_items
        from coachnotes.answers.views import client_view
        from coachnotes.output.pages import TopPages, client_lines, compose
        from coachnotes.rules.check import problems_by_client

        if everything:  # a new day or new settings move every line
            self.top = TopPages()
            wanted = set(vault.clients) | set(self.views)
            self.gone |= {folder_of(rel) or "" for rel in vault.pages} - set(vault.clients)
        outside = problems_by_client(checks.outside)
        for key in wanted:
            if key in vault.clients:
                mine = {*checks.by_folder.get(key, ()), *outside.get(key, ())}
                self.views[key] = client_view(vault, vault.clients[key], today, sorted(mine))
                self.top.put(key, client_lines(self.views[key], today))
            else:
                if self.views.pop(key, None) is not None:
                    self.gone.add(key)
                self.top.put(key, None)
        fixes = [item for item, _key in fix_items(vault, sorted(checks.errors), today)]
        return compose(self.views, {k for k in wanted if k in self.views}, today,
                       vault.settings, self.top, fixes)


class VaultState:
    """The vault as last read, kept up to date one changed folder at a time, with its checks
    and its rendered pages: `apply` (or `restat`) what changed, then `rebuild` and `write`."""

    def __init__(self, root: Path, today: Callable[[], dt.date]) -> None:
        self.root = root
        self.today = today
        self.vault: Vault | None = None
        self.files: FileIndex | None = None
        self.checks = Checks()
        self.rendered = Rendered()
        self.written: dict[str, tuple[bytes, tuple]] = {}  # top pages as last written

    def load(self) -> Changes:
        """Read everything (through the cache); checks and pages start anew."""
        self.checks, self.rendered = Checks(), Rendered()
        settings = load_settings(self.root, use_cache=True)
        listing = discover(self.root)
        with no_cyclic_gc():
            records = read_records(self.root, listing)
            self.vault = build_model(self.root, settings, records, listing)
        self.files = FileIndex(listing)
        return Changes(frozenset(self.vault.folders), True, len(records))

    def apply(self, paths: Iterable[str]) -> Changes:
        """List again the folders these absolute paths lie in; read the notes that changed."""
        assert self.vault is not None and self.files is not None
        everything = False
        listings: set[tuple[str, bool]] = set()
        for path in paths:
            rel = os.path.relpath(path, self.root).replace(os.sep, "/")
            if rel == SETTINGS_FILE:
                everything = self._reload_settings() or everything
            elif rel == CLIENTS or rel.startswith(CLIENTS + "/"):
                listings.add(self._what_to_list(rel, path))
            elif "/" not in rel and rel != "." and not rel.startswith(".."):
                listings.add(("", False))  # a page or a conflict copy beside them
        changed: set[str] = set()
        for under, deep in sorted(listings):
            changed |= self.files.replace(under, deep,
                                          discover(self.root, under=under, deep=deep))
        return self._read(changed, everything)

    def restat(self) -> Changes:
        """List the whole vault again and read what changed: catches lost events."""
        assert self.vault is not None and self.files is not None
        everything = self._reload_settings() or self.today() != self.day
        changed = self.files.replace("", True, discover(self.root))
        return self._read(changed, everything)

    day: dt.date | None = None

    def _what_to_list(self, rel: str, path: str) -> tuple[str, bool]:
        """A folder that appeared, went or moved is listed deeply; a file, its folder only."""
        assert self.files is not None
        known_folder = not rel.endswith(".md") and self.files.known_folder(rel)
        if os.path.isdir(path) and not os.path.islink(path) or known_folder:
            return rel, True
        return rel.rpartition("/")[0], False

    def _reload_settings(self) -> bool:
        assert self.vault is not None
        settings = load_settings(self.root)
        if (settings.values, settings.problems) == (self.vault.settings.values,
                                                    self.vault.settings.problems):
            return False
        self.vault.settings = settings
        return True

    def _read(self, changed: set[str], everything: bool) -> Changes:
        """Read the changed notes into the records and rebuild the folders they lie in."""
        assert self.vault is not None and self.files is not None
        vault, files = self.vault, self.files
        reread = sum(self._reread(rel) for rel in changed)
        folders = {folder_of(rel) for rel in changed}
        if everything or any(not vault.records.get(r) and not files.has_note(r) for r in changed):
            vault.set_listing(files.all_conflicts(), files.all_pages())
        if everything:
            folders |= set(vault.folders) | {folder_of(r) for r in vault.records}
            grouped: dict[str | None, dict[str, NoteRecord]] = {key: {} for key in folders}
            for rel, record in vault.records.items():
                grouped[folder_of(rel)][rel] = record
        else:  # a folder's records are its old ones with the changed notes put in or taken out
            grouped = {key: {r.path: r for r in vault.folders[key].records}
                       if key in vault.folders else {} for key in folders}
            for rel in changed:
                found = vault.records.get(rel)
                if found is not None:
                    grouped[folder_of(rel)][rel] = found
                else:
                    grouped[folder_of(rel)].pop(rel, None)
        for key, records in grouped.items():
            if records:
                vault.set_folder(build_folder(key, [records[r] for r in sorted(records)],
                                              vault.settings))
            else:
                vault.drop_folder(key)
        return Changes(frozenset(folders), everything, reread)

    def _reread(self, rel: str) -> int:
        """One changed path into the records; 1 when a note was read."""
        assert self.vault is not None and self.files is not None
        records = self.vault.records
        bad = self.files.bad(rel)
        if bad is not None:
            records[rel] = NoteRecord(rel, None, {}, {}, [(bad.line, bad.code, bad.message)])
            return 0
        if not self.files.has_note(rel):
            records.pop(rel, None)
            return 0
        record = read_record(rel, self.root / rel)
        if is_note(rel, record.type):
            records[rel] = record
        else:  # Markdown outside clients/ that is not a note
            records.pop(rel, None)
        return 1

    @property
    def problems(self) -> set[Problem]:
        return set(self.checks.count)

    @property
    def views(self) -> dict:
        return self.rendered.views

    def rebuild(self, changes: Changes) -> tuple[Rebuild, dict[str, str]]:
        """Check the changed folders again and render the pages that show them."""
        from coachnotes.rules.check import problems_by_client

        assert self.vault is not None
        today = self.today()
        everything = changes.everything or today != self.day
        self.day = today
        folders, appeared, resolved = self.checks.update(self.vault, set(changes.folders),
                                                         everything, today)
        wanted = {k for k in folders if k is not None}
        wanted |= set(problems_by_client(appeared + resolved))
        pages = self.rendered.update(self.vault, self.checks, wanted, everything, today)
        errors = len(self.checks.errors)
        return Rebuild(changes.reread, appeared, resolved, errors=errors,
                       warnings=len(self.checks.count) - errors), pages

    def write(self, pages: dict[str, str], rebuild: Rebuild) -> None:
        """Write the pages that changed; remove the pages of clients that went."""
        from coachnotes.output.pages import write_pages

        assert self.vault is not None and self.files is not None
        gone = [client_page(k) for k in sorted(self.rendered.gone) if k]
        self.rendered.gone = set()
        result = write_pages(self.root, pages, gone, self.vault.clients,
                             last=self.written)
        rebuild.written = result.written
        rebuild.refused = result.refused
        if result.removed or set(result.written) - set(self.vault.pages_set):
            self.files.add_pages(result.written, result.removed)
            self.vault.set_listing(self.vault.conflicts, self.files.all_pages())
