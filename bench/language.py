"""What the Dutch catalog costs warm `coachnotes due`: a Dutch vault timed in Dutch and, in a
copy of it, in English (no catalog is read), alternately in one run.

    python bench/language.py VAULT [--runs 30] [--today 2026-11-27]

VAULT is a Dutch vault (bench/generate.py makes one); it is copied so that each language keeps
its own warm cache. Prints the median and best time of each and their ratio: the target is
parity (the catalog is read from the cache as one marshal load).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from run import coachnotes, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--today", default="2026-11-27")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        english = Path(folder) / "vault"
        shutil.copytree(args.vault, english, symlinks=True)
        settings = english / "coachnotes.yml"  # the vault's own language comes first
        text = settings.read_text(encoding="utf-8")
        settings.write_text(text.replace("language: nl", "language: en") if "language:" in text
                            else text + "language: en\n", encoding="utf-8")
        runs = {"nl": (args.vault.resolve(), ""), "en": (english, "en")}
        times: dict[str, list[float]] = {name: [] for name in runs}
        for round_ in range(args.runs + 2):
            for name, (vault, language) in runs.items():
                os.environ["COACHNOTES_LANG"] = language
                command = [coachnotes(), "--vault", str(vault), "due", "--today", args.today]
                if round_ < 2:  # fill each cache (and the catalog's) first
                    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    continue
                times[name].append(timed(command)[0])
    for name, found in times.items():
        print(f"{name}: median {statistics.median(found) * 1000:.1f} ms, "
              f"best {min(found) * 1000:.1f} ms")
    print(f"nl/en: {statistics.median(times['nl']) / statistics.median(times['en']):.3f} median, "
          f"{min(times['nl']) / min(times['en']):.3f} best")


if __name__ == "__main__":
    main()
