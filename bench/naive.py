"""Baselines for bench/run.py: the naive way, and reading every note's bytes.

    python bench/naive.py due VAULT      frontmatter.load() on every note, then the same due rule
    python bench/naive.py bytes VAULT    read the bytes of every note, nothing else
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path


def notes(root: Path) -> list[Path]:
    return sorted((root / "clients").rglob("*.md"))


def main() -> None:
    mode, root = sys.argv[1], Path(sys.argv[2])
    if mode == "bytes":
        total = sum(len(p.read_bytes()) for p in notes(root))
        print(total)
        return
    import frontmatter

    from coachnotes.answers.due import Window, due_items
    from coachnotes.vault.load import build_model, load_settings, record_from_data
    from coachnotes.vault.scan import Listing

    records = {}
    for path in notes(root):
        rel = path.relative_to(root).as_posix()
        if rel.count("/") == 2 and path.name == "README.md":
            continue
        try:
            post = frontmatter.load(path)
        except Exception:  # noqa: BLE001 - the naive way skips what it cannot read
            continue
        records[rel] = record_from_data(rel, dict(post.metadata), {}, [])
    today = dt.date.fromisoformat(sys.argv[3]) if len(sys.argv) > 3 else dt.date.today()
    vault = build_model(root, load_settings(root), records, Listing())
    print(len(due_items(vault, today, Window.default(vault.settings, today))))


if __name__ == "__main__":
    main()
