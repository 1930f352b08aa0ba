"""The PDF report against the size of one long text for the sponsor: it must grow linearly
(a long paragraph used to be laid out again at every page break: 217 KB took 6.2 s, 865 KB
266 s).

    python bench/pdf_size.py [--sizes 64,128,256,512,1000] [--runs 3]

A vault with one client whose `## Voor de opdrachtgever` section holds SIZE KB of text (in
paragraphs of about 1,500 characters, and one paragraph as long as all of them) is made in a
temporary folder for each size; `coachnotes report --format pdf` is timed through the
installed command. Prints seconds, seconds per 100 KB, and the ratio of each size's time per
KB to the smallest size's: linear is about 1.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import coachnotes  # noqa: E402

CLIENT = """---
type: client
name: Jan de Vries
status: active
intake_date: 2026-01-05
start_date: 2026-01-12
reason: x
goals: [Rust in de week]
sponsor_consent:
  date: 2026-01-05
  share: [sponsor_notes]
---

## Voor de opdrachtgever

{text}
"""
SENTENCE = "Jan werkt aan een weekritme dat ook in drukke periodes overeind blijft. "


def vault(folder: Path, kilobytes: int, one_paragraph: bool) -> Path:
    words = SENTENCE * (kilobytes * 1024 // len(SENTENCE))
    if not one_paragraph:
        step = 1500 // len(SENTENCE) * len(SENTENCE)
        words = "\n\n".join(words[i:i + step] for i in range(0, len(words), step))
    (folder / "clients/jan").mkdir(parents=True)
    (folder / "coachnotes.yml").write_text("language: nl\nretention_years: 2\n")
    (folder / "clients/jan/client.md").write_text(CLIENT.format(text=words), encoding="utf-8")
    return folder


def timed(root: Path, runs: int) -> float:
    command = [coachnotes(), "--vault", str(root), "report", "jan", "--format", "pdf", "-o",
               str(root / "r.pdf"), "--today", "2026-11-27"]
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    found = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        found.append(time.perf_counter() - start)
    return statistics.median(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="64,128,256,512,1000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for one in (False, True):
        print("one paragraph" if one else "paragraphs of 1,500 characters")
        first = None
        for size in sizes:
            with tempfile.TemporaryDirectory() as folder:
                seconds = timed(vault(Path(folder), size, one), args.runs)
            per = seconds / size
            first = first or per
            print(f"  {size:>5} KB  {seconds:7.2f} s  {per * 100:6.3f} s/100 KB  "
                  f"{per / first:5.2f} × the smallest's time per KB")


if __name__ == "__main__":
    main()
