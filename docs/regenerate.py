"""Write the generated tables of docs/reference.md anew (the keys from the schema, the problem
codes from the registry): `.venv/bin/python docs/regenerate.py`. The suite fails while they
differ (tests/test_cli.py, tests/test_style.py)."""

from pathlib import Path

from coachnotes.vault.codes import table
from coachnotes.vault.schema import format_tables

REFERENCE = Path(__file__).resolve().parent / "reference.md"


def put(text: str, tag: str, body: str) -> str:
    start, end = f"<!-- {tag}:start -->\n", f"<!-- {tag}:end -->"
    at = text.index(start) + len(start)
    return text[:at] + body.rstrip("\n") + "\n" + text[text.index(end):]


if __name__ == "__main__":
    text = REFERENCE.read_text(encoding="utf-8")
    text = put(put(text, "format", format_tables()), "codes", table())
    REFERENCE.write_text(text, encoding="utf-8")
