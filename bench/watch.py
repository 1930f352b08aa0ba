"""`coachnotes watch` through the installed command: start-up, save -> INDEX.md, cost per save.

    python bench/watch.py VAULT [--saves 10] [--cold] [--command PATH]

Starts `coachnotes --vault VAULT watch` as a user would (with `--cold`, after deleting the
cache, and also times a cold `check` plus `index` for comparison), waits for the line with
"watching", then saves one session note at a time: it sets the agreed `next` of a client's
latest conversation to a date found nowhere else, and polls INDEX.md until that date shows.
Per save it reports the latency (this includes the watcher's 0.3 s quiet period), the CPU the
watcher spent (from /proc), and at the end the watcher's threads and peak memory (VmHWM).
Run it on the 7k and the 70k vault of bench/generate.py and compare the two.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

TODAY = "2026-11-27"


def coachnotes() -> str:
    found = Path(sys.executable).parent / "coachnotes"
    return str(found) if found.exists() else shutil.which("coachnotes") or "coachnotes"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def latest_sessions(root: Path, count: int) -> list[Path]:
    """The latest session note of the first `count` clients that are `intake` or `active` and
    have no planned note (only then INDEX.md shows the `next` agreed in the latest one)."""
    found = []
    for folder in sorted((root / "clients").iterdir()):
        status = re.search(r"(?m)^status: *(\S+)", (folder / "client.md").read_text("utf-8"))
        if not status or status.group(1) not in ("intake", "active"):
            continue
        notes = sorted((folder / "sessions").glob("*.md"))
        if notes and notes[-1].name[:10] <= TODAY:  # no planned note: the agreed next shows
            found.append(notes[-1])
        if len(found) == count:
            break
    return found


def save_with_next(note: Path, day: str) -> None:
    text = note.read_text(encoding="utf-8")
    if re.search(r"(?m)^next: .*$", text):
        text = re.sub(r"(?m)^next: .*$", f"next: {day}", text, count=1)
    else:
        text = re.sub(r"(?m)^kind: (.*)$", rf"kind: \1\nnext: {day}", text, count=1)
    note.write_text(text, encoding="utf-8")


def timed_run(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--command", default=coachnotes())
    args = parser.parse_args()
    root = args.vault.resolve()
    cn = [args.command, "--vault", str(root)]
    notes = sum(1 for _ in (root / "clients").rglob("*.md"))
    if args.cold:
        shutil.rmtree(root / ".coachnotes", ignore_errors=True)
        check = timed_run([*cn, "check", "--today", TODAY])
        shutil.rmtree(root / ".coachnotes", ignore_errors=True)
        for page in root.rglob("README.md"):
            page.unlink()
        index = timed_run([*cn, "index", "--today", TODAY])
        print(f"cold check {check:.2f} s + index {index:.2f} s = {check + index:.2f} s")
        shutil.rmtree(root / ".coachnotes", ignore_errors=True)
    started = time.perf_counter()
    watcher = subprocess.Popen([*cn, "watch", "--today", TODAY], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    for line in watcher.stdout:  # "watching …" or, in a Dutch vault, "… wordt gevolgd"
        if "watching" in line or "wordt gevolgd" in line:
            break
    ready = time.perf_counter() - started
    os.set_blocking(watcher.stdout.fileno(), False)
    latencies, cpu = [], []
    index = root / "INDEX.md"
    try:
        shown = index.read_text(encoding="utf-8")
        days = (f"{year}-{m:02d}-{d:02d}" for year in range(2031, 2099) for m in range(1, 13)
                for d in range(1, 29))
        for note in latest_sessions(root, args.saves):
            day = next(d for d in days if d not in shown)
            before = cpu_seconds(watcher.pid)
            t0 = time.perf_counter()
            save_with_next(note, day)
            while day not in index.read_text(encoding="utf-8"):
                if time.perf_counter() - t0 > 120:
                    raise SystemExit(f"INDEX.md did not show {day} within 120 s")
                time.sleep(0.01)
            latencies.append(time.perf_counter() - t0)
            time.sleep(0.6)  # let the save's work end before reading the CPU it took
            cpu.append(cpu_seconds(watcher.pid) - before)
            watcher.stdout.read()
        threads, peak = status(watcher.pid, "Threads"), status(watcher.pid, "VmHWM") // 1024
    finally:
        watcher.send_signal(signal.SIGTERM)
        watcher.wait(timeout=60)
    print(f"vault: {root} ({notes} notes), {len(latencies)} saves, "
          f"{'cold' if args.cold else 'warm'} start")
    print(f"watching after {ready:.2f} s; save -> INDEX.md median "
          f"{statistics.median(latencies):.3f} s (max {max(latencies):.3f}); CPU per save "
          f"median {statistics.median(cpu):.3f} s; threads {threads}; peak {peak} MB")


if __name__ == "__main__":
    main()
