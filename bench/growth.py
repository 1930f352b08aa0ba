"""How warm `coachnotes due` grows with the vault: two vaults timed alternately in one run.

    python bench/growth.py SMALL LARGE [--runs 15] [--today 2026-11-27]

Each round runs `due` once on each vault (the cache filled beforehand), so that a noisy,
shared machine slows both alike. Prints the median and best time of each, their ratio (the
target: LARGE at most 8x SMALL for 10x the notes) and the peak memory of each.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
from pathlib import Path

from run import coachnotes, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("small", type=Path)
    parser.add_argument("large", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--today", default="2026-11-27")
    args = parser.parse_args()
    commands = {vault: [coachnotes(), "--vault", str(vault.resolve()), "due", "--today",
                        args.today] for vault in (args.small, args.large)}
    for command in commands.values():  # fill the caches
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times: dict[Path, list[float]] = {vault: [] for vault in commands}
    memory = dict.fromkeys(commands, 0)
    for _ in range(args.runs):
        for vault, command in commands.items():
            seconds, rss = timed(command)
            times[vault].append(seconds)
            memory[vault] = max(memory[vault], rss)
    small, large = (statistics.median(times[v]) for v in commands)
    small_best, large_best = (min(times[v]) for v in commands)
    for vault in commands:
        notes = sum(1 for _ in (vault / "clients").rglob("*.md"))
        print(f"{str(vault):<28} {notes:>7} .md  median {statistics.median(times[vault]):.3f} s"
              f"  best {min(times[vault]):.3f} s  peak {memory[vault]} MB")
    print(f"large / small: median {large / small:.2f}x, best {large_best / small_best:.2f}x")


if __name__ == "__main__":
    main()
