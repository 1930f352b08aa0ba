"""Time coachnotes against baselines, alternating, in one run; print medians and ratios.

    python bench/run.py VAULT [--runs 5] [--today 2026-11-27]

Commands are run as subprocesses of the installed `coachnotes` (what a coach runs). Each round
runs every case once, in the same order, so that a noisy machine affects all alike:
  naive        python-frontmatter's load() on every note, then the same due rule
  bytes        reading every note's bytes
  due-warm     `coachnotes due` with the cache filled
  due-cold     `coachnotes due` after deleting the cache
  check-cold   `coachnotes check` after deleting the cache
  index-noop   `coachnotes index` with nothing changed (pages already written)
Medians are compared with the naive way's median, and the best (fastest) run of each case with
the naive way's best: on a shared machine the best runs are the ones least disturbed by others.
Peak memory (max RSS of the process) is reported for each case.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def coachnotes() -> str:
    found = Path(sys.executable).parent / "coachnotes"
    return str(found) if found.exists() else shutil.which("coachnotes") or "coachnotes"


def timed(args: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{args} failed")
    return elapsed, usage.ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--today", default="2026-11-27")
    args = parser.parse_args()
    vault, today = args.vault.resolve(), args.today
    cache = vault / ".coachnotes"
    cn = coachnotes()

    def drop_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    cases = {
        "naive": (None, [sys.executable, str(HERE / "naive.py"), "due", str(vault), today]),
        "bytes": (None, [sys.executable, str(HERE / "naive.py"), "bytes", str(vault)]),
        "due-warm": (None, [cn, "--vault", str(vault), "due", "--today", today]),
        "due-cold": (drop_cache, [cn, "--vault", str(vault), "due", "--today", today]),
        "check-cold": (drop_cache, [cn, "--vault", str(vault), "check", "--today", today]),
        "index-noop": (None, [cn, "--vault", str(vault), "index", "--today", today]),
    }
    subprocess.run([cn, "--vault", str(vault), "index", "--today", today],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times: dict[str, list[float]] = {name: [] for name in cases}
    memory: dict[str, int] = {name: 0 for name in cases}
    for _ in range(args.runs):
        for name, (prepare, command) in cases.items():
            if prepare:
                prepare()
            elif name in ("due-warm", "index-noop"):
                subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            seconds, rss = timed(command)
            times[name].append(seconds)
            memory[name] = max(memory[name], rss)
    notes = sum(1 for _ in (vault / "clients").rglob("*.md"))
    naive, naive_best = statistics.median(times["naive"]), min(times["naive"])
    print(f"vault: {vault} ({notes} .md files under clients/), {args.runs} runs")
    print(f"{'case':<12} {'median s':>9} {'× naive':>8} {'best s':>8} {'× best':>7} "
          f"{'peak MB':>8}")
    for name in cases:
        median, best = statistics.median(times[name]), min(times[name])
        print(f"{name:<12} {median:>9.3f} {median / naive:>8.3f} {best:>8.3f} "
              f"{best / naive_best:>7.3f} {memory[name]:>8}")


if __name__ == "__main__":
    main()
