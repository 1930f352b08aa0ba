"""`coachnotes search` against its baselines, in one run (SPEC §17, issue #27).

    python bench/search.py VAULT [--runs 5] [--words reflectie,zeldzaamwoord]

VAULT is a generated vault (bench/generate.py; the 70k-note one for the SPEC's figures). For
each word, alternately: the floor (a Python process that only stats every note, as any search
that notices every change must), `grep -ril WORD clients/` with a warm page cache, a search
when nothing changed, and a search after one note changed. Then, once: the first search,
which builds the index, against a cold `coachnotes check` (both without `.coachnotes/`).
Prints medians and the ratios the SPEC bounds: nothing changed ≤ 1.5× the floor and ≤ grep;
one note changed ≤ 1.2× that; the first search ≤ 3× a cold check. Last, a search while
`coachnotes watch` runs and has marked the index fresh (it lists no note). "Nothing changed" is
measured after a search that saw every note settled (a note changed within the 2-second racy
margin is read again by the next search, as the cache does).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import coachnotes  # noqa: E402

FLOOR = """
import os, sys
for folder, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith(".md"):
            os.stat(os.path.join(folder, name))
"""


def timed(command: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def watched(root: Path, search: list[str], runs: int) -> list[float]:
    """A search while `coachnotes watch` runs and has marked the index fresh: no listing."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from coachnotes.answers import search as engine

    watch = subprocess.Popen([coachnotes(), "--vault", str(root), "watch"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            with engine.sqlite3.connect(engine.index_path(root)) as conn:
                generation = conn.execute(
                    "SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
            if engine.vouched(root, generation):
                break
            time.sleep(0.2)
        return [timed(search) for _ in range(runs)]
    finally:
        watch.terminate()
        watch.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--words", default="reflectie,zeldzaamwoord")
    parser.add_argument("--skip-cold", action="store_true", help="leave out the first build")
    args = parser.parse_args()
    root = args.vault.resolve()
    cn = coachnotes()
    cache = root / ".coachnotes"
    if not args.skip_cold:
        shutil.rmtree(cache, ignore_errors=True)
        cold_check = timed([cn, "--vault", str(root), "check", "--today", "2026-11-27"])
        shutil.rmtree(cache, ignore_errors=True)
        first = timed([cn, "--vault", str(root), "search", "reflectie"])
        print(f"first search (builds the index) {first:7.2f} s; cold check {cold_check:7.2f} s;"
              f" ratio {first / cold_check:.2f} (bound 3)")
        lexicon = sum(p.stat().st_size for p in cache.glob("lexicon-*.sqlite"))
        print(f"index size {(cache / 'search.sqlite').stat().st_size / 1e6:.0f} MB"
              + (f", and the language's dictionary {lexicon / 1e6:.0f} MB" if lexicon else ""))
    note = next((root / "clients").rglob("sessions/*.md"))
    original = note.read_bytes()
    try:
        for word in args.words.split(","):
            search = [cn, "--vault", str(root), "search", word, "--limit", "20"]
            subprocess.run(search, stdout=subprocess.DEVNULL)  # warm
            times: dict[str, list[float]] = {"floor": [], "grep": [], "unchanged": [],
                                             "one changed": []}
            for run in range(args.runs):
                times["floor"].append(timed([sys.executable, "-c", FLOOR, str(root / "clients")]))
                times["grep"].append(timed(["grep", "-ril", word, "clients/"], cwd=root))
                times["unchanged"].append(timed(search))
                note.write_bytes(original + f"\nNog een regel {run}.\n".encode())
                times["one changed"].append(timed(search))
                # "nothing changed" means: the last search saw every note settled (a note
                # changed within the 2 s racy margin is read again, as the cache does)
                time.sleep(2.1)
                subprocess.run(search, stdout=subprocess.DEVNULL)
            times["watched"] = watched(root, search, args.runs)
            median = {k: statistics.median(v) for k, v in times.items()}
            print(f"word {word!r}: " + ", ".join(f"{k} {v:.3f} s" for k, v in median.items()))
            print(f"  unchanged / floor {median['unchanged'] / median['floor']:.2f} (bound 1.5); "
                  f"unchanged / grep {median['unchanged'] / median['grep']:.2f} (bound 1); "
                  f"one changed / unchanged "
                  f"{median['one changed'] / median['unchanged']:.2f} (bound 1.2); "
                  f"watched / grep {median['watched'] / median['grep']:.2f}")
    finally:
        note.write_bytes(original)


if __name__ == "__main__":
    main()
