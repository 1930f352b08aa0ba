"""Write the generated parts of the docs anew: the tables of docs/reference.md (the keys from
the schema, the problem codes from the registry) and the README's example documents (from
vault-example/): `.venv/bin/python docs/regenerate.py`. The suite fails while they differ
(tests/test_cli.py, tests/test_style.py, tests/test_documents.py)."""

import subprocess
import sys
from pathlib import Path

from coachnotes.vault.codes import table
from coachnotes.vault.schema import format_tables

REFERENCE = Path(__file__).resolve().parent / "reference.md"
README = REFERENCE.parent.parent / "README.md"
EXAMPLES = {"plan": ("anouk-de-graaf", "plan"), "progress": ("ilse-mulder", "progress"),
            "final": ("eva-jansen", "final")}


def example(kind: str) -> str:
    """A document of vault-example/ as `coachnotes report` writes it in Markdown."""
    client, kind = EXAMPLES[kind]
    done = subprocess.run([sys.executable, "-m", "coachnotes", "--vault",
                           str(README.parent / "vault-example"), "report", client, "--kind",
                           kind, "--today", "2026-11-27"], capture_output=True, text=True,
                          check=True, env={"PATH": "/usr/bin:/bin", "COACHNOTES_LANG": ""})
    return "````markdown\n" + done.stdout + "````\n"


def put(text: str, tag: str, body: str) -> str:
    start, end = f"<!-- {tag}:start -->\n", f"<!-- {tag}:end -->"
    at = text.index(start) + len(start)
    return text[:at] + body.rstrip("\n") + "\n" + text[text.index(end):]


if __name__ == "__main__":
    text = REFERENCE.read_text(encoding="utf-8")
    text = put(put(text, "format", format_tables()), "codes", table())
    REFERENCE.write_text(text, encoding="utf-8")
    text = README.read_text(encoding="utf-8")
    for kind in EXAMPLES:
        text = put(text, f"example-{kind}", example(kind))
    README.write_text(text, encoding="utf-8")
