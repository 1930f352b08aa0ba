"""`coachnotes watch`: check and rebuild the pages on every save, from any editor.

The only home of watchdog. One non-recursive watch per folder that can hold notes (the vault
root, clients/, each client folder and its sessions/), so `.git/` and `.coachnotes/` are never
watched and a bulk git operation does not flood the queue. Raw events are reduced to the set
of note paths they touch (source and destination of moves: editors save through temporary
files), editor litter is dropped, and after ~300 ms of quiet only the notes in that set are
read again; the rest of the vault stays as it was read. Reads fire no events we listen to, and
generated pages are not inputs, so writing pages never triggers a rebuild. Every 30 s the
vault is re-stat'ed, so an event lost to a queue overflow is still caught.
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
from typing import Callable

from coachnotes.scan import (CLIENTS, CONFLICT_TAG, SETTINGS_FILE, Listing, discover,
                                is_generated_place, is_litter, signature)
from coachnotes.model import NoteRecord, Problem, Vault
from coachnotes.load import build_model, load_settings, no_cyclic_gc, read_record, read_records

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
    errors: int = 0
    warnings: int = 0
    seconds: float = 0.0


class Watcher:
    """The vault as last read, kept up to date one changed note at a time."""

    def __init__(self, root: Path, today: dt.date | None = None,
                 echo: Callable[[str], None] = print) -> None:
        self.root = root
        self.fixed_today = today
        self.echo = echo
        self.events: queue.Queue[str | None] = queue.Queue()
        self.paused = threading.Event()
        self.observer = None
        self.watches: dict[str, object] = {}
        self.records: dict[str, NoteRecord] = {}
        self.signatures: dict[str, int] = {}
        self.listing = Listing()
        self.settings = load_settings(root)
        self.problems: set[Problem] = set()
        self.last_day: dt.date | None = None
        self.rebuilds: list[Rebuild] = []

    @property
    def today(self) -> dt.date:
        return self.fixed_today or dt.date.today()

    # -- events ---------------------------------------------------------------------------

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
        self._watch_folders()
        self.observer.start()

    def _watch_folders(self) -> None:
        if self.observer is None:
            return
        wanted = {str(self.root), str(self.root / CLIENTS)}
        clients = self.root / CLIENTS
        try:
            for entry in os.scandir(clients):
                if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                    wanted.add(entry.path)
                    sessions = os.path.join(entry.path, "sessions")
                    if os.path.isdir(sessions) and not os.path.islink(sessions):
                        wanted.add(sessions)
        except OSError:
            pass
        for folder in sorted(wanted - set(self.watches)):
            if os.path.isdir(folder):
                try:
                    self.watches[folder] = self.observer.schedule(
                        self.handler, folder, recursive=False, event_filter=self.event_filter)
                except OSError as error:
                    self.echo(f"{self._stamp()} cannot watch {folder}: {error}")
        for folder in sorted(set(self.watches) - wanted):
            try:
                self.observer.unschedule(self.watches.pop(folder))
            except (KeyError, ValueError, OSError):
                self.watches.pop(folder, None)

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

    # -- building -------------------------------------------------------------------------

    def full_build(self) -> Rebuild:
        """Read everything (through the cache), check, and write the pages."""
        started = time.perf_counter()
        self.settings = load_settings(self.root, use_cache=True)
        self.listing = discover(self.root)
        self.records = read_records(self.root, self.listing)
        self.signatures = dict(self.listing.notes)
        self.problems = set()
        return self._rebuild(len(self.records), None, started)

    def apply(self, paths: set[str]) -> Rebuild | None:
        """Re-read only the notes among `paths`; None when none of them is an input."""
        started = time.perf_counter()
        rels: set[str] = set()
        for path in paths:
            rel = os.path.relpath(path, self.root).replace(os.sep, "/")
            if rel.startswith(".."):
                continue
            if rel.startswith(CLIENTS) and (os.path.isdir(path) or any(
                    r.startswith(rel + "/") for r in self.signatures)):
                rels |= self._changed_under(rel)  # a folder appeared, went or moved
            elif is_input(rel):
                rels.add(rel)
        if not rels:
            return None
        return self._refresh(rels, started)

    def _changed_under(self, rel: str) -> set[str]:
        changed, others = self._rescan(rel)
        return changed | (set(self.listing.conflicts) if others else set())

    def _rescan(self, prefix: str | None = None) -> tuple[set[str], bool]:
        """Discover again: the notes (under `prefix`) whose signature differs from what was
        read, and whether conflict copies or unreadable files changed."""
        self._watch_folders()
        before = self.listing
        self.listing = discover(self.root)
        current = dict(self.listing.notes)
        changed = {r for r in set(current) | set(self.signatures)
                   if (prefix is None or prefix == CLIENTS or r.startswith(prefix + "/"))
                   and current.get(r) != self.signatures.get(r)}
        others = (self.listing.conflicts, self.listing.unreadable) != \
            (before.conflicts, before.unreadable)
        return changed, others

    def restat(self) -> Rebuild | None:
        """Compare every note's signature with what was read: catches lost events."""
        started = time.perf_counter()
        changed, conflicts_changed = self._rescan()
        settings = load_settings(self.root)
        settings_changed = (settings.values, settings.problems) != \
            (self.settings.values, self.settings.problems)
        new_day = self.today != self.last_day
        if not (changed or conflicts_changed or settings_changed or new_day):
            return None
        return self._refresh(changed | ({SETTINGS_FILE} if settings_changed else set()),
                             started, full_pages=new_day)

    def _refresh(self, rels: set[str], started: float, full_pages: bool = False) -> Rebuild:
        if SETTINGS_FILE in rels:
            self.settings = load_settings(self.root)
            full_pages = True
        notes = sorted(rels - {SETTINGS_FILE})
        if any(r not in self.signatures or CONFLICT_TAG in r or
               not os.path.isfile(self.root / r) or os.path.islink(self.root / r)
               for r in notes):
            self.listing = discover(self.root)  # new, gone, linked or conflict files
        known = dict(self.listing.notes)
        reread = 0
        for rel in notes:
            if rel not in known:
                self.records.pop(rel, None)
                self.signatures.pop(rel, None)
                continue
            path = self.root / rel
            try:
                stat = os.stat(path)
            except OSError:
                self.records.pop(rel, None)
                self.signatures.pop(rel, None)
                continue
            self.records[rel] = read_record(rel, path)
            self.signatures[rel] = signature(stat)
            reread += 1
        clients = None if full_pages else {r.split("/")[1] for r in notes if r.count("/") >= 2}
        return self._rebuild(reread, clients, started)

    def _rebuild(self, reread: int, clients: set[str] | None, started: float) -> Rebuild:
        from coachnotes.pages import write_pages
        from coachnotes.check import check, problems_by_client

        records = {r: rec for r, rec in self.records.items() if r in self.signatures}
        for problem in self.listing.unreadable:  # links out of the vault, unreadable files
            records[problem.path] = NoteRecord(problem.path, None, {}, {},
                                               [(problem.line, problem.code, problem.message)])
        with no_cyclic_gc():
            vault: Vault = build_model(self.root, self.settings, records, self.listing)
        today = self.today
        problems = check(vault, today)
        now = set(problems)
        appeared = sorted(now - self.problems)
        resolved = sorted(self.problems - now)
        if clients is not None:  # pages whose problems changed must be rewritten too
            clients |= set(problems_by_client(appeared + resolved))
        result = write_pages(vault, today, problems, only=clients)
        self.problems = now
        self.last_day = today
        errors = sum(p.severity == "error" for p in problems)
        rebuild = Rebuild(reread, appeared, resolved, result.written, errors,
                          len(problems) - errors, time.perf_counter() - started)
        self.rebuilds.append(rebuild)
        self._report(rebuild, result.refused)
        return rebuild

    # -- output ---------------------------------------------------------------------------

    def _stamp(self) -> str:
        return dt.datetime.now().strftime("%H:%M:%S")

    def _report(self, rebuild: Rebuild, refused: list[str]) -> None:
        stamp = self._stamp()
        for problem in rebuild.appeared:
            self.echo(f"{stamp} + {problem}")
        for problem in rebuild.resolved:
            self.echo(f"{stamp} - {problem.path}:{problem.line}: {problem.code} resolved")
        for rel in refused:
            self.echo(f"{stamp} ! {rel}: not overwritten (E030: no generated marker)")
        self.echo(f"{stamp} {rebuild.reread} note(s) read, {len(rebuild.written)} page(s) "
                  f"written, {rebuild.errors} error(s), {rebuild.warnings} warning(s)")

    # -- the loop -------------------------------------------------------------------------

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
                try:
                    self.apply(paths)
                except Exception as error:  # noqa: BLE001 - the watcher must keep going
                    self.echo(f"{self._stamp()} rebuild failed ({type(error).__name__}: "
                              f"{error}); still watching")
                continue
            now = time.monotonic()
            if sync_every and now - last_sync >= sync_every * 60:
                self._sync()
                last_sync = time.monotonic()
            if now - last_restat >= RESTAT_SECONDS:
                last_restat = now
                self.restat()

    def _sync(self) -> None:
        from coachnotes.errors import CoachnotesError
        from coachnotes.sync import sync

        self.paused.set()  # a merge or checkout fires thousands of events: ignore them
        try:
            report = sync(self.root, today=self.fixed_today)
            self.echo(f"{self._stamp()} synced: {report.committed} note(s) committed"
                      + (", merged the remote" if report.merged else "")
                      + (f", {len(report.conflicts)} conflict copy(ies)" if report.conflicts
                         else ""))
        except CoachnotesError as error:
            self.echo(f"{self._stamp()} sync: {error}")
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
            echo(f"watching {root} — {len(watcher.records)} notes; Ctrl-C to stop")
            watcher.run(stop, sync_every)
        except KeyboardInterrupt:
            pass
    finally:
        watcher.stop()
        signal.signal(signal.SIGTERM, previous)
    echo("stopped watching")
    return 0


