"""Recall and precision of search on the Dutch query set (tests/dutch_queries.py), with the
word forms and compounds of SPEC §17 (v4) and, for comparison, with the stemmer alone.

    python bench/search_quality.py

Recall: of the notes a query must find, the share it finds. Precision: of the notes it finds
among those the set names (must or must not), the share that it must find.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from dutch_queries import NOTES, QUERIES  # noqa: E402


def measure(with_forms: bool) -> tuple[float, float, float]:
    from coachnotes.answers import search as engine

    saved = dict(engine.LEMMAS)
    if not with_forms:
        engine.LEMMAS.clear()
    try:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            (root / "coachnotes.yml").write_text("language: nl\nretention_years: 2\n")
            for rel, text in NOTES.items():
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_text(text, encoding="utf-8")
            time.sleep(2.1)  # out of the racy margin, as a vault at rest
            start = time.perf_counter()
            engine.search(root, "nl", ["werk"], engine.Filters())  # builds the index
            built = time.perf_counter() - start
            hit = wanted = right = named = 0
            for query, (must, must_not) in QUERIES.items():
                found = {h.path for h in engine.search(root, "nl", [query], engine.Filters(),
                                                       limit=100).hits}
                hit += len(must & found)
                wanted += len(must)
                right += len(found & must)
                named += len(found & (must | must_not))
    finally:
        engine.LEMMAS.update(saved)
    return hit / wanted, right / named if named else 1.0, built


def main() -> None:
    print(f"{len(QUERIES)} queries, {sum(len(m) for m, _n in QUERIES.values())} notes to find")
    for label, with_forms in (("stemmer alone", False), ("forms and compounds", True)):
        recall, precision, built = measure(with_forms)
        print(f"{label:<22} recall {recall:6.1%}  precision {precision:6.1%}  "
              f"(first index {built:.2f} s)")


if __name__ == "__main__":
    main()
