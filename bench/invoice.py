"""`coachnotes invoice` for a year against `hours --json` for the same year, in one run
(SPEC §20, issue #37).

    python bench/invoice.py VAULT [--year 2026] [--runs 3]

VAULT is a generated vault (bench/generate.py; 10,000 clients ≈ 70,000 notes for the issue's
figure). A copy is made outside git (so `invoice` does not sync), each client is given its
organization as `sponsor`, and the settings get a practice and an invoice address per sponsor.
Measured: `hours --json` for the year (the baseline: reading the vault and counting the
conversations), then `invoice --dry-run` (the drafts, nothing written) and `invoice` (numbered,
the register written, a PDF and an e-invoice per sponsor), each on a fresh copy of the
register. Prints medians and the ratios to `hours --json`.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import ORGS  # noqa: E402
from run import coachnotes  # noqa: E402

SETTINGS = """
retention_years: 2
hourly_rate: 95
practice:
  name: Bench Coaching
  address: Oudegracht 12
  postcode_city: 3511 AR Utrecht
  kvk: "12345678"
  vat_id: NL001234567B01
  iban: NL91ABNA0417164300
sponsors:
"""


def prepare(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".coachnotes", ".git",
                                                                  "invoices.yml", "exports"))
    for note in (target / "clients").glob("*/client.md"):
        text = note.read_text(encoding="utf-8")
        note.write_text(re.sub(r"^organization: (.*)$", r"organization: \1\nsponsor: \1", text,
                               count=1, flags=re.M), encoding="utf-8")
    lines = [f'  "{org}":\n    address: Straat {n}\n    postcode_city: 1234 AB Plaats\n'
             f'    kvk: "{10000000 + n}"\n    contact: HR' for n, org in enumerate(ORGS, 1)]
    with (target / "coachnotes.yml").open("a", encoding="utf-8") as out:
        out.write(SETTINGS + "\n".join(lines) + "\n")


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr[-800:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary) / "vault"
        prepare(args.vault, root)
        period = ["--from", f"{args.year}-01-01", "--to", f"{args.year}-12-31",
                  "--today", f"{args.year + 1}-01-05"]
        base = [coachnotes(), "--vault", str(root)]
        timed(base + ["check"])  # the cache warm, as a coach's vault is
        figures: dict[str, list[float]] = {"hours --json": [], "invoice --dry-run": [],
                                           "invoice": []}
        for _ in range(args.runs):
            figures["hours --json"].append(timed(base + ["hours", "--json", *period]))
            figures["invoice --dry-run"].append(timed(base + ["invoice", "--dry-run", *period]))
            figures["invoice"].append(timed(base + ["invoice", *period]))
            lines = sum(text.count("- date:") for text in
                        [(root / "invoices.yml").read_text(encoding="utf-8")])
            (root / "invoices.yml").unlink()
            shutil.rmtree(root / "exports")
        baseline = statistics.median(figures["hours --json"])
        print(f"{len(list((root / 'clients').iterdir()))} clients, {lines} invoice lines in "
              f"{len(ORGS)} invoices")
        for name, values in figures.items():
            median = statistics.median(values)
            print(f"{name:<20} {median:7.2f} s  {median / baseline:5.2f}x hours --json")


if __name__ == "__main__":
    main()
