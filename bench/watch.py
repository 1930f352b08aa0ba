"""Time from a save to the updated page in `coachnotes watch`, and the work per save.

    python bench/watch.py VAULT [--saves 10]

Starts the watcher in-process with a real watchdog observer on VAULT, then edits one session
note at a time (its agreed `next` date) and measures how long until the client's README shows
the new date. Prints the median latency (it includes the 0.3 s quiet period that groups an
editor's events), the median rebuild time, and the notes re-read per save — which must not grow
with the size of the vault.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import threading
import time
from pathlib import Path

from coachnotes.watch import Watcher


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--saves", type=int, default=10)
    args = parser.parse_args()
    root = args.vault.resolve()
    watcher = Watcher(root, dt.date(2026, 11, 27), lambda line: None)
    started = time.perf_counter()
    watcher.start()
    watcher.full_build()
    print(f"first build: {time.perf_counter() - started:.2f} s for {len(watcher.records)} notes")
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    sessions = sorted((root / "clients").glob("client-*/sessions/*-coaching-1.md"))
    latencies, rebuilds, reread = [], [], []
    for n, note in enumerate(sessions[: args.saves]):
        readme = note.parent.parent / "README.md"
        text = note.read_text()
        wanted = f"2027-01-{n + 1:02d}"
        before = len(watcher.rebuilds)
        t0 = time.perf_counter()
        if "next:" in text:
            note.write_text(re.sub(r"next: .*", f"next: {wanted}", text))
        else:
            note.write_text(re.sub(r"(?m)^duration: 60$", f"duration: 60\nnext: {wanted}", text,
                                   count=1))
        while len(watcher.rebuilds) == before:
            time.sleep(0.005)
        latencies.append(time.perf_counter() - t0)
        rebuild = watcher.rebuilds[before]
        rebuilds.append(rebuild.seconds)
        reread.append(rebuild.reread)
        assert readme.exists()
        time.sleep(0.5)
    stop.set()
    watcher.events.put(None)
    thread.join()
    watcher.stop()
    print("rebuild seconds:", [round(x, 3) for x in rebuilds])
    print(f"saves: {len(latencies)}; save -> page updated: median "
          f"{statistics.median(latencies):.3f} s; rebuild: median {statistics.median(rebuilds):.3f}"
          f" s; notes re-read per save: {sorted(set(reread))}")


if __name__ == "__main__":
    main()
