"""What an erasure does to the files that lie in the vault (not git's): which to rewrite,
remove or rename, the proof that no other note is damaged by it, and carrying it out. The same
decisions `erase_filter` makes for every version in the history."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from coachnotes.vault.layout import CACHE_DIR, CLIENTS, is_generated_place
from coachnotes.vault.redact import (
    Mentions,
    document_mentions,
    is_binary,
    is_own_note,
    redact,
)

_SKIP_DIRS = {".git", CACHE_DIR}


@dataclass
class Plan:
    """What the erasure does to the files that lie here (outside the client's folders)."""
    rewrite: dict[str, bytes] = field(default_factory=dict)  # new bytes of mentioning files
    remove: list[str] = field(default_factory=list)  # the client's own notes, its documents
    rename: dict[str, str] = field(default_factory=dict)  # paths that name the client
    old: dict[str, bytes] = field(default_factory=dict)  # the bytes before, of `rewrite`


def plan_tree(root: Path, mentions: Mentions, word: str) -> Plan:
    """Walk every file of the vault but git's and the cache's (hidden folders such as
    Obsidian's `.trash/` included, links never followed, no size limit) and decide."""
    plan = Plan()
    for rel, data in _vault_files(root, {f"{CLIENTS}/{i}" for i in mentions.ids}):
        if is_own_note(data, mentions) or mentions.document_of(rel):
            plan.remove.append(rel)  # its note wherever it lies; a document named for it
            continue
        if is_binary(data):
            if document_mentions(data, mentions) and not rel.startswith(f"{CLIENTS}/"):
                plan.remove.append(rel)  # a document nothing can be replaced in
                continue
        else:
            new = redact(data, mentions, word)
            if new != data:
                plan.rewrite[rel], plan.old[rel] = new, data
        if mentions.mentioned(rel):
            plan.rename[rel] = mentions.replace_plain(rel, word)
    return plan


def _vault_files(root: Path, skipped: set[str]):
    """(path, bytes) of every regular file of the vault, but those in git's folder, the cache
    and the `skipped` folders; links are never followed."""
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        rel_here = here.relative_to(root).as_posix()
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not (
            here / d).is_symlink() and f"{rel_here}/{d}".removeprefix("./") not in skipped)
        for name in sorted(files):
            path = here / name
            if path.is_symlink() or not path.is_file():
                continue
            try:
                yield path.relative_to(root).as_posix(), path.read_bytes()
            except OSError:
                continue


def damage(plan: Plan) -> list[str]:
    """Other notes that the replacement would give a problem they did not have: the proof,
    made before anything is rewritten, that no other note is damaged."""
    from coachnotes.vault.load import record_from_bytes
    from coachnotes.vault.redact import yaml_region

    hurt = []
    for rel, new in plan.rewrite.items():
        if is_generated_place(rel):
            continue
        old = plan.old[rel]
        if rel.endswith(".md"):
            before = sorted(c for _l, c, _t in record_from_bytes(rel, old).problems)
            after = sorted(c for _l, c, _t in record_from_bytes(rel, new).problems)
            if any(after.count(c) > before.count(c) for c in set(after)):
                hurt.append(rel)
        elif rel.endswith((".yml", ".yaml")):
            text = old.decode("utf-8", "replace")
            if yaml_region(text) and not yaml_region(new.decode("utf-8", "replace")):
                hurt.append(rel)
    return hurt


def apply_plan(root: Path, plan: Plan) -> None:
    from coachnotes.vault.files import write_atomic

    for rel, data in plan.rewrite.items():
        path = root / rel
        write_atomic(path, data, path.stat().st_mode & 0o777)
    for rel in plan.remove:
        (root / rel).unlink(missing_ok=True)
    for rel, new in plan.rename.items():
        if (root / rel).exists() and not (root / new).exists():
            (root / new).parent.mkdir(parents=True, exist_ok=True)
            os.rename(root / rel, root / new)
