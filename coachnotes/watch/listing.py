"""What lies in the vault, as the watcher last listed it, indexed by folder: one folder can be
listed again and put in place without looking at any other (the work of a save does not grow
with the vault)."""

from __future__ import annotations

from coachnotes.vault.model import Problem
from coachnotes.vault.scan import Listing


def _parent(rel: str) -> str:
    return rel.rpartition("/")[0]


class FileIndex:
    """Notes (with their signatures), conflict copies, generated pages and unreadable files,
    each kept per folder."""

    def __init__(self, listing: Listing) -> None:
        self.notes: dict[str, dict[str, int]] = {}  # folder -> note -> signature
        self.conflicts: dict[str, set[str]] = {}
        self.pages: dict[str, set[str]] = {}
        self.unreadable: dict[str, dict[str, Problem]] = {}
        self.replace("", True, listing)

    def _folders(self, under: str, deep: bool, kept: dict) -> list[str]:
        if not deep:
            return [under] if under in kept else []
        if not under:
            return list(kept)
        return [d for d in kept if d == under or d.startswith(under + "/")]

    def replace(self, under: str, deep: bool, listing: Listing) -> set[str]:
        """Put a new listing of the folder `under` ("" is the root) in place, deeply or its own
        entries only; returns the paths whose entry changed."""
        def inside(rel: str) -> bool:
            parent = _parent(rel)
            if deep:
                return not under or parent == under or parent.startswith(under + "/")
            return parent == under

        changed: set[str] = set()
        found = {
            "notes": {rel: sig for rel, sig in listing.notes if inside(rel)},
            "conflicts": {rel: True for rel in listing.conflicts if inside(rel)},
            "pages": {rel: True for rel in listing.pages if inside(rel)},
            "unreadable": {p.path: p for p in listing.unreadable if inside(p.path)},
        }
        for name, new in found.items():
            kept: dict = getattr(self, name)
            old: dict = {}
            for folder in self._folders(under, deep, kept):
                entries = kept.pop(folder)
                old.update(entries if isinstance(entries, dict) else dict.fromkeys(entries, True))
            changed |= {r for r in old.keys() | new.keys() if old.get(r) != new.get(r)}
            for rel, value in new.items():
                bucket = kept.setdefault(_parent(rel), {} if name in ("notes", "unreadable")
                                         else set())
                if isinstance(bucket, dict):
                    bucket[rel] = value
                else:
                    bucket.add(rel)
        return changed

    def has_note(self, rel: str) -> bool:
        return rel in self.notes.get(_parent(rel), ())

    def bad(self, rel: str) -> Problem | None:
        return self.unreadable.get(_parent(rel), {}).get(rel)

    def all_conflicts(self) -> list[str]:
        return sorted(r for found in self.conflicts.values() for r in found)

    def all_pages(self) -> list[str]:
        return sorted(r for found in self.pages.values() for r in found)

    def add_pages(self, written: list[str], removed: list[str]) -> None:
        for rel in removed:
            self.pages.get(_parent(rel), set()).discard(rel)
        for rel in written:
            self.pages.setdefault(_parent(rel), set()).add(rel)

    def known_folder(self, rel: str) -> bool:
        return rel in self.notes or any(d.startswith(rel + "/") for d in self.notes)

    def count(self) -> int:
        return sum(len(found) for found in self.notes.values())
