"""`coachnotes watch`: check and rebuild the pages on every save, from any editor.

Two parts, as in mkdocs' livereload:
  * `VaultState` — the vault as last read, with each folder's problems and each client's view
    kept. `apply(paths)` re-lists only the folders the paths lie in and re-reads only the notes
    whose signature changed, returning what changed; `rebuild(changes)` rebuilds, re-checks and
    re-renders only those folders' clients, then the pages that list every client (INDEX.md,
    FOLLOW-UPS.md) from the kept views. It knows nothing of watchdog and is tested without it.
  * `Watcher` — the loop: one recursive watchdog watch on `clients/` and one non-recursive on
    the vault root (a bounded number of threads and inotify instances at any size; `.git/` and
    `.coachnotes/` are never watched), raw events reduced to paths, ~300 ms of quiet, then
    apply and rebuild. Every step is guarded: a failed step is reported and watching goes on.
Reads fire no events we listen to and generated pages are not inputs, so writing pages never
triggers a rebuild. Every 30 s the vault is re-listed, which catches an event lost to a queue
overflow, a new day, and a deleted page.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from coachnotes.i18n import _
from coachnotes.vault.cache import no_cyclic_gc
from coachnotes.vault.layout import (
    CLIENTS,
    CONFLICT_TAG,
    GENERATED_TOP,
    SETTINGS_FILE,
    folder_of,
    is_generated_place,
    is_litter,
    is_note,
)
from coachnotes.vault.load import (
    build_folder,
    build_model,
    load_settings,
    read_record,
    read_records,
)
from coachnotes.vault.model import NoteRecord, Problem, Vault
from coachnotes.vault.scan import Listing, discover

QUIET_SECONDS = 0.3

RESTAT_SECONDS = 30.0
_WRITE_EVENTS = {"created", "modified", "deleted", "moved"}


def is_input(rel: str) -> bool:
    """Whether a changed path can change what coachnotes shows (notes and settings)."""
    name = rel.rpartition("/")[2]
    if rel == SETTINGS_FILE:
        return True
    if not rel.startswith(CLIENTS + "/") or is_litter(name):
        return False
    return name.endswith(".md") and not is_generated_place(rel) or CONFLICT_TAG in name


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


class _Files:
    """What lies in the vault, indexed by folder so that one folder can be re-listed at a time
    without looking at every note."""

    def __init__(self, listing: Listing) -> None:
        self.notes: dict[str, int] = {}
        self.by_dir: dict[str, set[str]] = {}
        self.conflicts: set[str] = set()
        self.pages: set[str] = set()
        self.unreadable: dict[str, Problem] = {}
        self.replace("", True, listing)

    def _dirs(self, under: str, deep: bool) -> list[str]:
        if not deep:
            return [under] if under in self.by_dir else []
        if not under:
            return list(self.by_dir)
        return [d for d in self.by_dir if d == under or d.startswith(under + "/")]

    def replace(self, under: str, deep: bool, listing: Listing) -> set[str]:
        """Put a re-listing of the folder `under` ("" is the root) in place, deeply or its own
        entries only; returns the paths whose entry changed."""
        def inside(rel: str) -> bool:
            parent = rel.rpartition("/")[0]
            if deep:
                return not under or parent == under or parent.startswith(under + "/")
            return parent == under

        old = {}
        for folder in self._dirs(under, deep):
            for rel in self.by_dir.pop(folder):
                old[rel] = self.notes.pop(rel)
        new = {rel: sig for rel, sig in listing.notes if inside(rel)}
        changed = {r for r in old.keys() | new.keys() if old.get(r) != new.get(r)}
        self.notes.update(new)
        for rel in new:
            self.by_dir.setdefault(rel.rpartition("/")[0], set()).add(rel)
        for name, found in (("conflicts", listing.conflicts), ("pages", listing.pages)):
            kept: set[str] = getattr(self, name)
            gone = {r for r in kept if inside(r)}
            came = {r for r in found if inside(r)}
            changed |= gone ^ came
            setattr(self, name, (kept - gone) | came)
        old_bad = {r: p for r, p in self.unreadable.items() if inside(r)}
        new_bad = {p.path: p for p in listing.unreadable if inside(p.path)}
        changed |= {r for r in old_bad.keys() | new_bad.keys() if old_bad.get(r) != new_bad.get(r)}
        for rel in old_bad:
            del self.unreadable[rel]
        self.unreadable.update(new_bad)
        return changed

    def known_folder(self, rel: str) -> bool:
        return rel in self.by_dir or any(d.startswith(rel + "/") for d in self.by_dir)


class VaultState:
    """The vault as last read, kept up to date one changed folder at a time."""

    def __init__(self, root: Path, today: Callable[[], dt.date]) -> None:
        self.root = root
        self.today = today
        self.vault: Vault | None = None
        self.files: _Files | None = None
        self.day: dt.date | None = None
        self.folder_problems: dict[str | None, list[Problem]] = {}
        self.problems: set[Problem] = set()
        self.views: dict = {}
        self.top = None  # INDEX.md and FOLLOW-UPS.md as every client's rendered lines
        self.client_ids: set[str] = set()  # as at the last rebuild

    # -- reading ---------------------------------------------------------------------------

    def load(self) -> Changes:
        """Read everything (through the cache)."""
        settings = load_settings(self.root, use_cache=True)
        listing = discover(self.root)
        with no_cyclic_gc():
            records = read_records(self.root, listing)
            self.vault = build_model(self.root, settings, records, listing)
        self.files = _Files(listing)
        self.folder_problems = {}
        self.problems = set()
        self.views = {}
        self.top = None
        return Changes(frozenset(self.vault.folders), True, len(records))

    def apply(self, paths: Iterable[str]) -> Changes:
        """Re-list the folders these absolute paths lie in and re-read the notes that changed."""
        assert self.vault is not None and self.files is not None
        everything = False
        listings: set[tuple[str, bool]] = set()
        for path in paths:
            rel = os.path.relpath(path, self.root).replace(os.sep, "/")
            if rel.startswith("..") or rel == ".":
                continue
            if rel == SETTINGS_FILE:
                everything = self._reload_settings() or everything
            elif rel == CLIENTS or rel.startswith(CLIENTS + "/"):
                listings.add(self._what_to_list(rel, path))
            elif "/" not in rel:  # a page or a conflict copy beside them
                listings.add(("", False))
        changed: set[str] = set()
        for under, deep in sorted(listings):
            changed |= self.files.replace(under, deep, discover(self.root, under=under,
                                                                deep=deep))
        return self._read(changed, everything)

    def restat(self) -> Changes:
        """List the whole vault again and read what changed: catches lost events."""
        assert self.vault is not None and self.files is not None
        everything = self._reload_settings() or self.today() != self.day
        changed = self.files.replace("", True, discover(self.root))
        return self._read(changed, everything)

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
        """Re-read the changed notes into the records, and rebuild the folders they lie in."""
        assert self.vault is not None and self.files is not None
        vault, files = self.vault, self.files
        reread = 0
        folders: set[str | None] = set()
        for rel in changed:
            folders.add(folder_of(rel))
            if rel in files.unreadable:
                p = files.unreadable[rel]
                vault.records[rel] = NoteRecord(rel, None, {}, {}, [(p.line, p.code, p.message)])
            elif rel in files.notes:
                record = read_record(rel, self.root / rel)
                reread += 1
                if is_note(rel, record.type):
                    vault.records[rel] = record
                else:  # Markdown outside clients/ that is not a note
                    vault.records.pop(rel, None)
            else:
                vault.records.pop(rel, None)
        vault.set_listing(sorted(files.conflicts), sorted(files.pages))
        if everything:
            folders = set(vault.folders) | {folder_of(r) for r in vault.records}
            grouped: dict[str | None, dict[str, NoteRecord]] = {key: {} for key in folders}
            for rel, record in vault.records.items():
                grouped[folder_of(rel)][rel] = record
        else:  # a folder's records are its old ones with the changed notes put in or taken out
            grouped = {key: {r.path: r for r in vault.folders[key].records}
                       if key in vault.folders else {} for key in folders}
            for rel in changed:
                if rel in vault.records:
                    grouped[folder_of(rel)][rel] = vault.records[rel]
                else:
                    grouped[folder_of(rel)].pop(rel, None)
        for key, records in grouped.items():
            if records:
                vault.set_folder(build_folder(key, [records[r] for r in sorted(records)],
                                              vault.settings))
            else:
                vault.drop_folder(key)
        return Changes(frozenset(folders), everything, reread)

    # -- checking and rendering ---------------------------------------------------------------

    def rebuild(self, changes: Changes) -> tuple[Rebuild, dict[str, str]]:
        """Re-check the changed folders and render the pages that show them."""
        from coachnotes.answers.due import fix_items
        from coachnotes.answers.views import client_view
        from coachnotes.output.pages import TopPages, client_lines, compose
        from coachnotes.rules.check import folder_problems, problems_by_client, vault_problems

        assert self.vault is not None
        vault, today = self.vault, self.today()
        everything = changes.everything or today != self.day
        ids = vault.client_ids
        folders = set(vault.folders) if everything else set(changes.folders)
        if not everything and ids != self.client_ids:
            folders |= self._referring_to(ids ^ self.client_ids)
        for key in folders:
            if key in vault.folders:
                self.folder_problems[key] = folder_problems(vault, vault.folders[key], today, ids)
            else:
                self.folder_problems.pop(key, None)
        self.client_ids = ids
        outside = vault_problems(vault)
        now = set(outside)
        for found in self.folder_problems.values():
            now.update(found)
        appeared = sorted(now - self.problems)
        resolved = sorted(self.problems - now)
        self.problems = now
        self.day = today
        wanted = {k for k in folders if k is not None}
        wanted |= set(problems_by_client(appeared + resolved))
        if everything:
            wanted = set(vault.clients)
            self.top = TopPages()  # every line is made anew (a new day moves them all)
        outside_by_client = problems_by_client(outside)
        for key in wanted:
            if key in vault.clients:
                mine = set(self.folder_problems.get(key, ())) | set(outside_by_client.get(key, ()))
                self.views[key] = client_view(vault, vault.clients[key], today, sorted(mine))
                self.top.put(key, client_lines(self.views[key], today))
            else:
                self.views.pop(key, None)
                self.top.put(key, None)
        for key in [k for k in self.views if k not in vault.clients]:
            del self.views[key]
            self.top.put(key, None)
        fixes = [item for item, _key in fix_items(vault, sorted(now), today)]
        pages = compose(self.views, wanted & set(self.views), today, vault.settings, self.top,
                        fixes)
        errors = sum(p.severity == "error" for p in now)
        return Rebuild(changes.reread, appeared, resolved, errors=errors,
                       warnings=len(now) - errors), pages

    def _referring_to(self, moved: set[str]) -> set[str | None]:
        """Folders whose sessions name a client that just appeared or went (E020). One pass
        over the sessions, only when the set of clients changed."""
        assert self.vault is not None
        return {key for key, folder in self.vault.folders.items()
                if any(s.client in moved for s in folder.sessions)}

    def write(self, pages: dict[str, str], rebuild: Rebuild) -> None:
        from coachnotes.output.pages import write_pages

        assert self.vault is not None
        result = write_pages(self.root, pages, self.vault.pages, set(self.vault.clients))
        rebuild.written = result.written
        rebuild.refused = result.refused
        if result.removed or result.written:  # keep the list of pages as it now is on disk
            assert self.files is not None
            self.files.pages = (self.files.pages - set(result.removed)) | set(result.written)
            self.vault.set_listing(self.vault.conflicts, sorted(self.files.pages))


class Watcher:
    """The loop around `VaultState`: events in, rebuilds out, until stopped."""

    def __init__(self, root: Path, today: dt.date | None = None,
                 echo: Callable[[str], None] = print) -> None:
        self.root = root
        self.fixed_today = today
        self.echo = echo
        # SimpleQueue: its put is reentrant, so the SIGTERM handler may call it while the main
        # thread is inside get() (a Queue's lock would deadlock there: seen once under load)
        self.events: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self.paused = threading.Event()
        self.observer = None
        self.watches: dict[str, object] = {}
        self.state = VaultState(root, self._today)
        self.rebuilds: list[Rebuild] = []

    def _today(self) -> dt.date:
        return self.fixed_today or dt.date.today()

    @property
    def records(self) -> dict[str, NoteRecord]:
        return self.state.vault.records if self.state.vault else {}

    # -- events ----------------------------------------------------------------------------

    def start(self) -> None:
        """Listen first, so that no save is missed while the first build runs."""
        from watchdog import events
        from watchdog.observers import Observer

        watcher = self

        class Handler(events.FileSystemEventHandler):
            def on_any_event(self, event) -> None:  # noqa: ANN001 - watchdog's event
                if event.event_type not in _WRITE_EVENTS or watcher.paused.is_set():
                    return
                for path in (event.src_path, getattr(event, "dest_path", "")):
                    if path:
                        watcher.events.put(os.fsdecode(path))

        self.handler = Handler()
        # Only writes, creations, deletions and moves reach us; the kernel is not even asked
        # for opens and reads, which our own scans and page checks cause by the thousand.
        self.event_filter = [events.FileCreatedEvent, events.FileModifiedEvent,
                             events.FileDeletedEvent, events.FileMovedEvent,
                             events.DirCreatedEvent, events.DirDeletedEvent,
                             events.DirMovedEvent]
        self.observer = Observer()
        self._schedule()
        self.observer.start()

    def _schedule(self) -> None:
        """One non-recursive watch on the root and one recursive watch on clients/: one
        emitter thread each, whatever the size of the vault."""
        if self.observer is None:
            return
        for folder, recursive in ((str(self.root), False), (str(self.root / CLIENTS), True)):
            if folder in self.watches or not os.path.isdir(folder):
                continue
            try:
                self.watches[folder] = self.observer.schedule(
                    self.handler, folder, recursive=recursive, event_filter=self.event_filter)
            except OSError as error:
                self.echo(_("{stamp} cannot watch {folder}: {error}").format(
                            stamp=self._stamp(), folder=folder, error=error))
        clients = str(self.root / CLIENTS)
        if clients in self.watches and not os.path.isdir(clients):
            try:
                self.observer.unschedule(self.watches.pop(clients))
            except (KeyError, ValueError, OSError):
                self.watches.pop(clients, None)

    def stop(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)

    def _drain(self, first: str, quiet: float) -> set[str]:
        """Collect paths until the vault has been quiet for `quiet` seconds."""
        paths = {first}
        while True:
            try:
                item = self.events.get(timeout=quiet)
            except queue.Empty:
                return paths
            if item is None:
                self.events.put(None)
                return paths
            paths.add(item)

    # -- building --------------------------------------------------------------------------

    def full_build(self) -> Rebuild:
        """Read everything (through the cache), check, and write the pages."""
        started = time.perf_counter()
        return self._finish(self.state.load(), started)

    def apply(self, paths: set[str]) -> Rebuild | None:
        """Rebuild after these paths changed; None when nothing that is shown changed."""
        started = time.perf_counter()
        if any(os.path.basename(p) == CLIENTS for p in paths):
            self._schedule()  # clients/ appeared or went
        changes = self.state.apply(p for p in paths if self._is_input(p))
        return self._finish(changes, started) if changes else None

    def _is_input(self, path: str) -> bool:
        """Settings, the top pages, and anything under clients/ but editor litter: what is
        not a note only costs a look at its folder."""
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        if rel in (SETTINGS_FILE, *GENERATED_TOP) or CONFLICT_TAG in rel and "/" not in rel:
            return True
        return (rel == CLIENTS or rel.startswith(CLIENTS + "/")) and \
            not is_litter(rel.rpartition("/")[2])

    def restat(self) -> Rebuild | None:
        """Compare every note's signature with what was read: catches lost events."""
        started = time.perf_counter()
        self._schedule()
        changes = self.state.restat()
        return self._finish(changes, started) if changes else None

    def _finish(self, changes: Changes, started: float) -> Rebuild:
        rebuild, pages = self.state.rebuild(changes)
        self.state.write(pages, rebuild)
        rebuild.seconds = time.perf_counter() - started
        self.rebuilds.append(rebuild)
        self._report(rebuild)
        return rebuild

    # -- output ----------------------------------------------------------------------------

    def _stamp(self) -> str:
        return dt.datetime.now().strftime("%H:%M:%S")

    def _report(self, rebuild: Rebuild) -> None:
        stamp = self._stamp()
        for problem in rebuild.appeared:
            self.echo(f"{stamp} + {problem}")
        for problem in rebuild.resolved:
            self.echo(_("{stamp} - {path}:{line}: {code} resolved").format(
                        stamp=stamp, path=problem.path, line=problem.line, code=problem.code))
        for rel in rebuild.refused:
            self.echo(_("{stamp} ! {rel}: not overwritten (E030: no generated marker)").format(
                        stamp=stamp, rel=rel))
        self.echo(_("{stamp} {reread} note(s) read, {n} page(s) written, {errors} "
                    "error(s), {warnings} warning(s)").format(
                    stamp=stamp, reread=rebuild.reread, n=len(rebuild.written),
                    errors=rebuild.errors, warnings=rebuild.warnings))

    # -- the loop --------------------------------------------------------------------------

    def _guarded(self, what: str, step: Callable[[], object]) -> None:
        """Run one step; a failure is reported and watching goes on."""
        try:
            step()
        except Exception as error:  # noqa: BLE001 - the watcher must keep going
            self.echo(_("{stamp} {what} failed ({name}: {error}); still watching").format(
                        stamp=self._stamp(), what=what, name=type(error).__name__, error=error))

    def run(self, stop: threading.Event, sync_every: float | None = None,
            quiet: float = QUIET_SECONDS) -> None:
        last_sync = time.monotonic()
        last_restat = time.monotonic()
        while not stop.is_set():
            try:
                first = self.events.get(timeout=1.0)
            except queue.Empty:
                first = ""
            if first is None:
                break
            if first:
                paths = self._drain(first, quiet)
                self._guarded("rebuild", lambda: self.apply(paths))
                continue
            now = time.monotonic()
            if sync_every and now - last_sync >= sync_every * 60:
                self._guarded("sync", self._sync)
                last_sync = time.monotonic()
            if now - last_restat >= RESTAT_SECONDS:
                last_restat = now
                self._guarded("re-scan", self.restat)

    def _sync(self) -> None:
        from coachnotes.errors import CoachnotesError
        from coachnotes.git.sync import sync

        self.paused.set()  # a merge or checkout fires thousands of events: ignore them
        try:
            report = sync(self.root, today=self.fixed_today)
            said = [_("synced: {n} note(s) committed").format(n=report.committed)]
            if report.merged:
                said.append(_("merged the remote"))
            if report.conflicts:
                said.append(_("{n} conflict copy(ies)").format(n=len(report.conflicts)))
            self.echo(f"{self._stamp()} " + ", ".join(said))
        except CoachnotesError as error:
            self.echo(_("{stamp} sync: {error}").format(stamp=self._stamp(), error=error))
        finally:
            while not self.events.empty():
                self.events.get_nowait()
            self.paused.clear()
        self.restat()


def run(root: Path, sync_every: float | None = None, today: dt.date | None = None,
        echo: Callable[[str], None] = print) -> int:
    """`coachnotes watch` until Ctrl-C or SIGTERM; returns the exit code (0)."""
    stop = threading.Event()
    watcher = Watcher(root, today, echo)

    def on_signal(signum, frame) -> None:  # noqa: ANN001 - signal's signature
        stop.set()
        watcher.events.put(None)

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        watcher.start()
        try:
            watcher.full_build()
            echo(_("watching {root} — {n} notes; Ctrl-C to stop").format(
                   root=root, n=len(watcher.records)))
            watcher.run(stop, sync_every)
        except KeyboardInterrupt:
            pass
    finally:
        watcher.stop()
        signal.signal(signal.SIGTERM, previous)
    echo(_("stopped watching"))
    return 0
