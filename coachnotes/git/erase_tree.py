"""What an erasure does to the files that lie in the vault (not git's): which to rewrite,
remove or rename, the proof that no other note is damaged by it, and carrying it out. The same
decisions `erase_filter` makes for every version in the history."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from coachnotes.output.sheets import hours_without
from coachnotes.vault.layout import CACHE_DIR, CLIENTS, is_generated_place
from coachnotes.vault.redact import (
    Mentions,
    document_mentions,
    document_text,
    fiscal_record,
    hidden_mention,
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
    refuse: list[str] = field(default_factory=list)  # about other clients too, not rewritable


def erase_bytes(data: bytes, mentions: Mentions, word: str) -> bytes | None:
    """What an erasure makes of a file, by its contents (SPEC §13, v4) — the one decision for
    every version in the history and for the files here: None to remove it whole (a note of
    the client wherever it lies; a document that mentions it and in which nothing can be
    replaced: a PDF, a Word file, an image, HTML that names it in entities); an hours file
    coachnotes wrote, made again without the client's rows; any other text with every mention
    replaced, in its own encoding; and the same bytes where nothing mentions the client."""
    if fiscal_record(data):
        return data  # invoices are kept 7 years: `retention` lists them after
    if is_own_note(data, mentions):
        return None
    if is_binary(data):
        if not document_mentions(data, mentions):
            return data
        return hours_without(data, mentions.mentioned)
    new = redact(data, mentions, word)
    if new != data:
        remade = hours_without(data, mentions.mentioned)
        return new if remade is None else remade
    return None if hidden_mention(data, mentions) else data


def about_others(data: bytes, mentions: Mentions) -> bool:
    """Whether a file that cannot be rewritten names another client too."""
    return any(mentions.others_mentioned(piece) for piece in document_text(data))


def plan_tree(root: Path, mentions: Mentions, word: str) -> Plan:
    """Walk every file of the vault but git's and the cache's (hidden folders such as
    Obsidian's `.trash/` included, links never followed, no size limit) and decide. A file
    that would go whole although it is about other clients too, or lies in another client's
    folder, is not removed: `forget` refuses and names it, so the coach edits it first."""
    plan = Plan()
    for rel, data in _vault_files(root, {f"{CLIENTS}/{i}" for i in mentions.ids}):
        if mentions.document_of(rel):
            plan.remove.append(rel)  # a document named for the client
            continue
        new = erase_bytes(data, mentions, word)
        if new is None:
            if is_own_note(data, mentions) or not (
                    rel.startswith(f"{CLIENTS}/") or about_others(data, mentions)):
                plan.remove.append(rel)
            else:
                plan.refuse.append(rel)
            continue
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
