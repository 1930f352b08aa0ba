"""Does each speed trick of `coachnotes/cache.py` still pay on this machine? Each is timed
against its absence, alternately, in one process; ratios below 1 mean the trick pays.

    python bench/tricks.py VAULT [--rounds 5]

  records     the saved records (warm) vs parsing every note again
  memo        `due` answered from the memoised answer vs from the saved records
  folders     folder listings reused vs every folder listed again
  fork        a cold read of every note with a forked second reader vs one process
  gc-freeze   building the model with the cyclic GC kept away vs with it running
A trick whose ratio is not clearly below 1 should be deleted (see the closing notes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import time
from contextlib import nullcontext
from pathlib import Path

from coachnotes.answers.due import query_due
from coachnotes.vault import cache, parallel
from coachnotes.vault.load import build_model, load_settings, load_vault, read_notes, read_records
from coachnotes.vault.scan import discover

TODAY = dt.date(2026, 11, 27)


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    root = args.vault.resolve()
    load_vault(root)  # warm the saved records
    query_due(root, TODAY)  # and the memoised answer
    listing = discover(root)
    rels = [rel for rel, _ in listing.notes]
    settings = load_settings(root)
    records = read_records(root, listing)

    def due_without_memo() -> None:
        from coachnotes.answers.due import Window, due_items

        due_items(load_vault(root), TODAY, Window(None))

    def build(freeze: bool) -> None:
        with cache.no_cyclic_gc() if freeze else nullcontext():
            build_model(root, settings, records, listing)
        gc.collect()

    def read(fork: bool) -> None:
        if fork:
            read_notes(root, rels)
        else:
            saved = parallel.PARALLEL_FROM
            parallel.PARALLEL_FROM = len(rels) + 1
            try:
                read_notes(root, rels)
            finally:
                parallel.PARALLEL_FROM = saved

    cases = {
        "records": (lambda: load_vault(root), lambda: load_vault(root, use_cache=False)),
        "memo": (lambda: query_due(root, TODAY), due_without_memo),
        "folders": (lambda: discover(root), lambda: discover(root, reuse=False)),
        "fork": (lambda: read(True), lambda: read(False)),
        "gc-freeze": (lambda: build(True), lambda: build(False)),
    }
    print(f"vault: {root} ({len(rels)} notes), {args.rounds} rounds")
    print(f"{'case':<10} {'with s':>8} {'without s':>10} {'ratio':>7}")
    for name, (with_trick, without) in cases.items():
        pairs = [(timed(with_trick), timed(without)) for _ in range(args.rounds)]
        on = statistics.median(p[0] for p in pairs)
        off = statistics.median(p[1] for p in pairs)
        print(f"{name:<10} {on:>8.3f} {off:>10.3f} {on / off:>7.2f}")


if __name__ == "__main__":
    main()
