"""The loop of `coachnotes watch`, as mkdocs' livereload is a loop around a builder: the
observer feeds paths into a queue; the loop waits for ~300 ms of quiet, hands the paths to
the pure steps of `VaultState`, writes what they return and reports it. Every step is
guarded: a failed step is reported and watching goes on. Every 30 s the vault is listed
again, which catches an event lost to a queue overflow, a new day, and a deleted page.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import threading
import time
from pathlib import Path
from typing import Callable

from coachnotes.i18n import _
from coachnotes.vault.layout import CLIENTS, watched
from coachnotes.vault.model import NoteRecord
from coachnotes.watch.feed import Feed
from coachnotes.watch.state import Changes, Rebuild, VaultState

QUIET_SECONDS = 0.3
RESTAT_SECONDS = 30.0


class Watcher:
    """Events in, rebuilds out, until stopped."""

    def __init__(self, root: Path, today: dt.date | None = None,
                 echo: Callable[[str], None] = print) -> None:
        self.root = root
        self.fixed_today = today
        self.echo = echo
        # SimpleQueue: its put is reentrant, so the SIGTERM handler may call it while the main
        # thread is inside get() (a Queue's lock would deadlock there: seen once under load)
        self.events: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self.paused = threading.Event()
        self.feed = Feed(root, self.events, self.paused, lambda why: self.echo(
            _("{stamp} cannot watch {folder}: {error}").format(stamp=stamp(), **why)))
        self.state = VaultState(root, self._today)
        self.rebuilds: list[Rebuild] = []
        self.waiting = False  # a sync or forget held the vault: look at all again when free

    def _today(self) -> dt.date:
        return self.fixed_today or dt.date.today()

    @property
    def records(self) -> dict[str, NoteRecord]:
        return self.state.vault.records if self.state.vault else {}

    def start(self) -> None:
        """Listen first, so that no save is missed while the first build runs."""
        self.feed.start()

    def stop(self) -> None:
        self.feed.stop()

    def full_build(self) -> Rebuild:
        """Read everything (through the cache), check, and write the pages."""
        return self._finish(self.state.load(), time.perf_counter())

    def apply(self, paths: set[str]) -> Rebuild | None:
        """Rebuild after these paths changed; None when nothing that is shown changed."""
        started = time.perf_counter()
        if any(os.path.basename(p) == CLIENTS for p in paths):
            self.feed.schedule()  # clients/ appeared or went
        changes = self.state.apply(p for p in paths if watched(
            os.path.relpath(p, self.root).replace(os.sep, "/")))
        self._guarded("search index", lambda: self._search(paths))
        return self._finish(changes, started) if changes else None

    def _search(self, paths: set[str]) -> None:
        search_after_save(self, paths)

    def restat(self) -> Rebuild | None:
        """Compare every note's signature with what was read: catches lost events."""
        started = time.perf_counter()
        self.feed.schedule()
        changes = self.state.restat()
        if changes:
            self._guarded("search index", lambda: search_caught_up(self))
        return self._finish(changes, started) if changes else None

    def _finish(self, changes: Changes, started: float) -> Rebuild:
        rebuild, pages = self.state.rebuild(changes)
        self.state.write(pages, rebuild)
        rebuild.seconds = time.perf_counter() - started
        self.rebuilds.append(rebuild)
        report(rebuild, self.echo)
        return rebuild

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

    def _guarded(self, what: str, step: Callable[[], object]) -> None:
        """Run one step; a failure is reported and watching goes on."""
        try:
            step()
        except Exception as error:  # noqa: BLE001 - the watcher must keep going
            self.echo(_("{stamp} {what} failed ({name}: {error}); still watching").format(
                        stamp=stamp(), what=what, name=type(error).__name__, error=error))

    def run(self, stop: threading.Event, sync_every: float | None = None,
            quiet: float = QUIET_SECONDS) -> None:
        """The loop: a batch of saves, else (each second) a sync or a re-scan when due."""
        last_sync = last_restat = time.monotonic()
        while not stop.is_set():
            try:
                first = self.events.get(timeout=1.0)
            except queue.Empty:
                first = ""
            if first is None:
                break
            if first:
                paths = self._drain(first, quiet)
                self._guarded("rebuild", lambda: unless_busy(self, lambda: self.apply(paths)))
                self._guarded("calendar", lambda: calendar_after_save(self))
                continue
            now = time.monotonic()
            if sync_every and now - last_sync >= sync_every * 60:
                self._guarded("sync", lambda: sync_quietly(self))
                last_sync = time.monotonic()
            if self.waiting or now - last_restat >= RESTAT_SECONDS:
                last_restat = now
                self._guarded("re-scan", lambda: unless_busy(self, self.restat))


def search_after_save(watcher: Watcher, paths: set[str]) -> None:
    """The search index follows every save (when there is one: the first search makes it),
    and is marked fresh while no other save waits (SPEC §17: a search then need not list
    every note); a search brings it up to date itself too."""
    from coachnotes.answers.search import update

    if watcher.state.vault is not None:
        vouch_if_quiet(watcher, update(
            watcher.root, watcher.state.vault.language,
            [os.path.relpath(p, watcher.root).replace(os.sep, "/") for p in paths]))


def search_caught_up(watcher: Watcher) -> None:
    """The whole index brought up to date (at the start, after a re-scan found what no event
    said, after a sync), then marked fresh."""
    from coachnotes.answers.search import brought_up_to_date

    if watcher.state.vault is not None:
        vouch_if_quiet(watcher, brought_up_to_date(watcher.root,
                                                   watcher.state.vault.language))


def vouch_if_quiet(watcher: Watcher, generation: str | None) -> None:
    from coachnotes.answers.search import vouch

    if generation is None:
        return
    with watcher.feed.lock:
        if watcher.events.empty():  # a save queued meanwhile: the next rebuild vouches
            vouch(watcher.root, generation)


def unless_busy(watcher: Watcher, step: Callable[[], object]) -> None:
    """Run a step while holding the lock of sync and forget; while one of them holds it,
    step aside (say so once) and look at everything again when it is done: a forget
    removes a client's folder, and a page written meanwhile would bring it back."""
    from coachnotes.git.repo import lock_if_free

    with lock_if_free(watcher.root) as free:
        if not free:
            if not watcher.waiting:
                watcher.echo(_("{stamp} a sync or forget is at work on the vault; watching "
                               "goes on when it has finished").format(stamp=stamp()))
            watcher.waiting = True
            return
        if watcher.waiting:
            watcher.waiting = False
            watcher.restat()
            if step == watcher.restat:
                return
        step()


def calendar_after_save(watcher: Watcher) -> None:
    """With `calendar_server.watch: yes`, the calendar on the phone follows every save: after
    the pages are written (a slow server never holds them up); a failure is one line and the
    next save tries again."""
    from coachnotes.vault.load import load_settings

    server = load_settings(watcher.root).calendar_server or {}
    if not (server.get("url") and server.get("watch")) or not watcher.rebuilds:
        return
    from coachnotes.calendar.push import sync_calendar
    from coachnotes.errors import CoachnotesError

    try:
        done = sync_calendar(watcher.root, watcher._today())
        if done.created or done.updated or done.deleted:
            watcher.echo(_("{stamp} calendar: {created} new, {updated} changed, {deleted} "
                           "removed").format(stamp=stamp(), created=done.created,
                                             updated=done.updated, deleted=done.deleted))
    except CoachnotesError as failed:
        watcher.echo(_("{stamp} calendar: {error}").format(stamp=stamp(), error=failed))


def sync_quietly(watcher: Watcher) -> None:
    """`--sync-every`: sync while the feed is paused (a merge or checkout fires thousands of
    events), then look at everything again."""
    from coachnotes.answers.search import doubt
    from coachnotes.errors import CoachnotesError
    from coachnotes.git.sync import sync

    with watcher.feed.lock:
        doubt(watcher.root)  # the feed is deaf while the sync merges
        watcher.paused.set()
    try:
        done = sync(watcher.root, today=watcher.fixed_today)
        said = [_("synced: {n} note(s) committed").format(n=done.committed)]
        if done.merged:
            said.append(_("merged the remote"))
        if done.conflicts:
            said.append(_("{n} conflict copy(ies)").format(n=len(done.conflicts)))
        watcher.echo(f"{stamp()} " + ", ".join(said))
    except CoachnotesError as error:
        watcher.echo(_("{stamp} sync: {error}").format(stamp=stamp(), error=error))
    finally:
        while not watcher.events.empty():
            watcher.events.get_nowait()
        watcher.paused.clear()
    watcher.restat()
    search_caught_up(watcher)


def stamp() -> str:
    return dt.datetime.now().strftime("%H:%M:%S")


def report(rebuild: Rebuild, echo: Callable[[str], None]) -> None:
    """What one rebuild changed, one line per problem and a summary line."""
    now = stamp()
    for problem in rebuild.appeared:
        echo(f"{now} + {problem}")
    for problem in rebuild.resolved:
        echo(_("{stamp} - {path}:{line}: {code} resolved").format(
               stamp=now, path=problem.path, line=problem.line, code=problem.code))
    for rel in rebuild.refused:
        echo(_("{stamp} ! {rel}: not overwritten (E030: no generated marker)").format(
               stamp=now, rel=rel))
    echo(_("{stamp} {reread} note(s) read, {n} page(s) written, {errors} "
           "error(s), {warnings} warning(s)").format(
           stamp=now, reread=rebuild.reread, n=len(rebuild.written),
           errors=rebuild.errors, warnings=rebuild.warnings))
