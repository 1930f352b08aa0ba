"""`coachnotes watch`: check and rebuild the pages on every save, from any editor.

A saved note goes: the observer (`feed.py`, watchdog) → the queue → the loop (`loop.py`,
~300 ms of quiet) → the pure steps (`state.py`): the folders it lay in listed again
(`listing.py`), the notes that changed read again, their folders checked again, their clients'
lines rendered again, and the pages that changed written. The faces' layer: it may import
every layer below (git for `--sync-every`); watchdog is imported here only.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
from pathlib import Path
from typing import Callable

from coachnotes.i18n import _
from coachnotes.watch.loop import QUIET_SECONDS, RESTAT_SECONDS, Watcher, search_caught_up
from coachnotes.watch.state import Changes, Rebuild, VaultState

__all__ = ["QUIET_SECONDS", "RESTAT_SECONDS", "Changes", "Rebuild", "VaultState", "Watcher",
           "run"]


def watching(root: Path) -> int:
    """`watch.lock` in the cache, held (exclusively) until the returned descriptor closes: a
    search asks it whether the watcher that marked the index fresh is still alive."""
    import fcntl

    from coachnotes.answers.search import WATCH_LOCK, doubt
    from coachnotes.vault.cache import private_dir
    from coachnotes.vault.layout import CACHE_DIR

    handle = os.open(private_dir(root / CACHE_DIR) / WATCH_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        doubt(root)  # an earlier watcher's mark: what changed since it stopped is unseen
    except BlockingIOError:
        pass  # another watcher of this vault holds it: it vouches, we follow saves as well
    return handle


def run(root: Path, sync_every: float | None = None, today: dt.date | None = None,
        echo: Callable[[str], None] = print) -> int:
    """`coachnotes watch` until Ctrl-C or SIGTERM; returns the exit code (0)."""
    stop = threading.Event()
    watcher = Watcher(root, today, echo)

    def on_signal(signum, frame) -> None:  # noqa: ANN001 - signal's signature
        stop.set()
        watcher.events.put(None)

    previous = signal.signal(signal.SIGTERM, on_signal)
    held = watching(root)  # held for the run: a search trusts our mark meanwhile
    try:
        watcher.start()
        try:
            watcher.full_build()
            search_caught_up(watcher)
            echo(_("watching {root} — {n} notes; Ctrl-C to stop").format(
                   root=root, n=len(watcher.records)))
            watcher.run(stop, sync_every)
        except KeyboardInterrupt:
            pass
    finally:
        watcher.stop()
        signal.signal(signal.SIGTERM, previous)
        os.close(held)
    echo(_("stopped watching"))
    return 0
