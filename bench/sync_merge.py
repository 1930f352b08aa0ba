"""Does resolving the generated pages of a merge at once pay? Two devices regenerate every
page of a vault (each with its own `--today`, so every page differs), one edits 40 client
notes, and its `sync` merges: every client's README.md, INDEX.md and FOLLOW-UPS.md are in
conflict and are resolved as ours (made anew after the merge). Timed with the pages resolved
in a few git commands (`sync._keep_our_pages`) against one page at a time, alternately, in
one process; a ratio below 1 means resolving them at once pays.

    python bench/sync_merge.py [--clients 300] [--rounds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coachnotes.git import sync as sync_module

HERE = Path(__file__).resolve().parent


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def one_at_a_time(repo, pages, unmerged) -> None:
    """The baseline: each page's side taken with its own git commands."""
    for path in sorted(pages):
        if 2 in unmerged[path]:
            repo.git.checkout("--ours", "--", path)
            repo.git.add("--", path)
        else:
            repo.git.rm("--cached", "--ignore-unmatch", "-q", "--", path)


def two_devices(base: Path, clients: int) -> None:
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(base / "v"), "--clients",
                    str(clients)], check=True, capture_output=True)
    git(base, "init", "-q", "--bare", "-b", "main", "remote.git")
    git(base / "v", "init", "-q", "-b", "main")
    git(base / "v", "remote", "add", "origin", str(base / "remote.git"))
    os.environ["COACHNOTES_DEVICE"] = "v"
    sync_module.sync(base / "v", today=dt.date(2026, 11, 27))
    git(base, "clone", "-q", str(base / "remote.git"), "b")
    os.environ["COACHNOTES_DEVICE"] = "b"
    sync_module.sync(base / "b", today=dt.date(2026, 12, 20))  # every page anew, pushed


def merging_sync(template: Path, work: Path) -> float:
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(template, work, symlinks=True)
    git(work / "v", "remote", "set-url", "origin", str(work / "remote.git"))
    for client in sorted((work / "v" / "clients").iterdir())[:40]:
        with open(client / "client.md", "a", encoding="utf-8") as out:
            out.write("Een regel erbij.\n")
    os.environ["COACHNOTES_DEVICE"] = "v"
    started = time.perf_counter()
    report = sync_module.sync(work / "v", today=dt.date(2026, 11, 28))
    took = time.perf_counter() - started
    assert report.merged and report.pushed and not report.conflicts, report
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for key, value in {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                       "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
                       "GIT_COMMITTER_NAME": "Bench",
                       "GIT_COMMITTER_EMAIL": "bench@example.invalid"}.items():
        os.environ[key] = value
    at_once = sync_module._keep_our_pages
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        two_devices(base / "template", args.clients)
        times: dict[str, list[float]] = {"at once": [], "one at a time": []}
        for _round in range(args.rounds):
            for name, way in (("at once", at_once), ("one at a time", one_at_a_time)):
                sync_module._keep_our_pages = way
                times[name].append(merging_sync(base / "template", base / "work"))
    sync_module._keep_our_pages = at_once
    for name, found in times.items():
        print(f"{name:>14}: {statistics.median(found):.2f} s (median of {args.rounds})")
    ratio = statistics.median(times["at once"]) / statistics.median(times["one at a time"])
    print(f"ratio at once / one at a time: {ratio:.2f}")


if __name__ == "__main__":
    main()
