"""`coachnotes report` on the client with the most notes, in each format, against warm `due`.

    python bench/report.py VAULT [--runs 5]

The vault is one from bench/generate.py; the client with the most session notes gets a
`sponsor_consent` sharing everything (added to its note if it has none). Each format is timed
through the installed command, alternating with a warm `due`, and reported as seconds and as
a ratio to warm `due` (a command that reads the vault from the cache).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import coachnotes  # noqa: E402

TODAY = "2026-11-27"
CONSENT = ("sponsor_consent:\n  date: 2026-01-01\n  share: [attendance, goals, "
           "development_points, assessment, progress, sponsor_notes]\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = args.vault.resolve()
    folder = max((root / "clients").iterdir(),
                 key=lambda f: len(list((f / "sessions").glob("*.md"))))
    note = folder / "client.md"
    text = note.read_text(encoding="utf-8")
    if "sponsor_consent:" not in text:
        note.write_text(text.replace("\n---\n", "\n" + CONSENT + "---\n", 1), encoding="utf-8")
    cn = coachnotes()
    cases = {"due-warm": [cn, "--vault", str(root), "due", "--today", TODAY]}
    for fmt in ("md", "docx", "pdf"):
        cases[f"report-{fmt}"] = [cn, "--vault", str(root), "report", folder.name, "--format",
                                  fmt, "-o", f"/tmp/coachnotes-bench-report.{fmt}", "--today",
                                  TODAY]
    for command in cases.values():  # warm the cache
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, command in cases.items():
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=True)
            times[name].append(time.perf_counter() - start)
    sessions = len(list((folder / "sessions").glob("*.md")))
    base = statistics.median(times["due-warm"])
    print(f"vault: {root}; client {folder.name} with {sessions} session notes")
    for name, found in times.items():
        median = statistics.median(found)
        print(f"{name:<12} {median:7.3f} s  {median / base:6.2f} × warm due")


if __name__ == "__main__":
    main()
