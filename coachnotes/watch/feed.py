"""The observer that feeds the watcher: watchdog, and only here (PITFALLS.md). One
non-recursive watch on the vault root and one recursive watch on `clients/`: one emitter thread
each, whatever the size of the vault; `.git/` and `.coachnotes/` are never watched. Only
writes, creations, deletions and moves are asked of the kernel (reads fire events too, and
our own scans read thousands of files); each event's paths go into the queue."""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path
from typing import Callable

from coachnotes.vault.layout import CLIENTS

_WRITE_EVENTS = {"created", "modified", "deleted", "moved"}


class Feed:
    def __init__(self, root: Path, events: queue.SimpleQueue, paused: threading.Event,
                 complain: Callable[[dict], None]) -> None:
        self.root = root
        self.events = events
        self.paused = paused
        self.complain = complain
        self.observer = None
        self.watches: dict[str, object] = {}
        # held while a save's mark is taken off the search index and its path queued, and
        # while the watcher marks the index fresh: no save falls between (`search.vouch`)
        self.lock = threading.Lock()

    def start(self) -> None:
        from watchdog import events
        from watchdog.observers import Observer

        from coachnotes.answers.search import doubt

        feed = self

        class Handler(events.FileSystemEventHandler):
            def on_any_event(self, event) -> None:  # noqa: ANN001 - watchdog's event
                if event.event_type not in _WRITE_EVENTS or feed.paused.is_set():
                    return
                with feed.lock:
                    doubt(feed.root)  # a search lists the notes itself until we caught up
                    for path in (event.src_path, getattr(event, "dest_path", "")):
                        if path:
                            feed.events.put(os.fsdecode(path))

        self.handler = Handler()
        self.event_filter = [events.FileCreatedEvent, events.FileModifiedEvent,
                             events.FileDeletedEvent, events.FileMovedEvent,
                             events.DirCreatedEvent, events.DirDeletedEvent,
                             events.DirMovedEvent]
        self.observer = Observer()
        self.schedule()
        self.observer.start()

    def schedule(self) -> None:
        """Watch the root and clients/ where they are; let go of clients/ when it went."""
        if self.observer is None:
            return
        for folder, recursive in ((str(self.root), False), (str(self.root / CLIENTS), True)):
            if folder in self.watches or not os.path.isdir(folder):
                continue
            try:
                self.watches[folder] = self.observer.schedule(
                    self.handler, folder, recursive=recursive, event_filter=self.event_filter)
            except OSError as error:
                self.complain({"folder": folder, "error": error})
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
