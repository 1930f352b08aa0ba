"""Command output on vault-example/ at a fixed date, compared with stored files.

Regenerate after an intended change with:
    COACHNOTES_REGENERATE=1 python -m pytest tests/test_golden.py
and read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import TODAY, run_cli

GOLDEN = Path(__file__).parent / "golden"
COMMANDS = {
    "due.txt": ["due"],
    "due-all.json": ["due", "--all", "--json"],
    "list.txt": ["list"],
    "list.json": ["list", "--json"],
    "show-anouk-de-graaf.txt": ["show", "anouk-de-graaf"],
    "show-hans-visser.txt": ["show", "hans-visser"],
    "check.txt": ["check"],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_output_matches_golden_file(example_copy, name):
    result = run_cli("--vault", str(example_copy), *COMMANDS[name], "--today", TODAY,
                     process=True)  # end to end: the installed command, as a coach runs it
    assert result.returncode == 0, result.stderr
    target = GOLDEN / name
    if os.environ.get("COACHNOTES_REGENERATE"):
        target.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == target.read_text(encoding="utf-8")
