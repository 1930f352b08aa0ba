"""The refs of an erasure (SPEC §13, v4): every ref there is, the remote's mirrored into a
namespace of ours, the names that mention the client renamed (`erased-<n>`), the moves made
in one transaction from a map written down before, and the guard that proves, before any ref
moves and before anything is committed or pushed, that a new tree keeps every path of the old
one that is neither the client's nor renamed for its mention.

A resumed forget reads its maps from the journal, never from what a killed run left half done
(PITFALLS v4: a half-deleted namespace read as "delete every other ref" once wiped a vault)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from coachnotes.vault.layout import CLIENTS, slugify
from coachnotes.vault.redact import Mentions

NAMESPACE = "refs/coachnotes-erase/"  # the rewritten refs, fetched from the new repository
MIRROR = "refs/coachnotes-remote/"  # the remote's branches and notes, before the rewrite
MIRRORED = ("refs/heads/", "refs/tags/", "refs/notes/")  # the remote's refs that forget pushes
_KINDS = ("refs/heads/", "refs/tags/", "refs/notes/", MIRROR + "heads/", MIRROR + "tags/",
          MIRROR + "notes/")


def git_out(top: Path, *args: str, data: bytes | None = None) -> str:
    return subprocess.run(["git", *args], cwd=top, input=data, capture_output=True,
                          check=True).stdout.decode("utf-8", "surrogateescape")


def refs_in(top: Path, under: str) -> dict[str, str]:
    """The refs under a prefix that are not symbolic, with their objects."""
    found = {}
    for line in git_out(top, "for-each-ref", "--format=%(refname) %(objectname) %(symref)",
                        under).splitlines():
        parts = line.split()
        if len(parts) == 2:
            found[parts[0]] = parts[1]
    return found


def refs(top: Path, under: str = "refs/") -> dict[str, str]:
    """Every ref that is not symbolic, with its object (our rewrite namespace left out)."""
    return {r: s for r, s in refs_in(top, under).items() if not r.startswith(NAMESPACE)}


def _short(ref: str) -> tuple[str, str]:
    """(kind, short name): `refs/remotes/origin/` + `a/b` → (`refs/remotes/origin/`, `a/b`)."""
    for kind in _KINDS:
        if ref.startswith(kind):
            return kind, ref[len(kind):]
    match = re.match(r"(refs/remotes/[^/]+/|refs/[^/]+/)(.*)", ref)
    return (match.group(1), match.group(2)) if match else ("", ref)


def names_client(short: str, mentions: Mentions) -> bool:
    """Whether a ref's name holds an id or a name of the client (`zoe-van-t-hek-start`,
    `archief/zoe-van-t-hek`): as a part between `/`, `-`, `_` or `.`, in any case or
    spelling — unless there it is part of another client's id or name."""
    wanted = {slugify(w) for w in [*mentions.ids, *mentions.names]} - {""}
    others = {slugify(o) for o in mentions.others} - {""}
    for part in (slugify(p) for p in short.split("/")):
        taken = [m.span() for o in others for m in _parts(o, part)]
        for word in wanted:
            if any(not any(a <= s and e <= b and (a, b) != (s, e) for a, b in taken)
                   for s, e in (m.span() for m in _parts(word, part))):
                return True
    return mentions.mentioned(short)


def _parts(word: str, text: str):
    return re.finditer(rf"(?:^|(?<=-)){re.escape(word)}(?=-|$)", text)


def renames(names: list[str], mentions: Mentions) -> dict[str, str]:
    """Every ref whose name holds the client, with its new name: the same short name gets the
    same `erased-<n>` as a branch, its remote-tracking ref and the remote's mirror, numbered
    in the order of the names (both devices number alike) and never onto a name in use."""
    shorts = sorted({_short(r)[1] for r in names if names_client(_short(r)[1], mentions)})
    taken = {_short(r)[1] for r in names}
    chosen, n = {}, 0
    for short in shorts:
        n += 1
        while f"erased-{n}" in taken:
            n += 1
        chosen[short] = f"erased-{n}"
    out = {}
    for ref in names:
        kind, short = _short(ref)
        if short in chosen:
            out[ref] = kind + chosen[short]
    return out


def tree(top: Path, commit: str) -> dict[str, str] | None:
    """Path → blob of every file in a commit's tree (None: not a commit or tree)."""
    try:
        out = git_out(top, "ls-tree", "-r", "-z", "--full-tree", f"{commit}^{{tree}}")
    except subprocess.CalledProcessError:
        return None
    found = {}
    for entry in out.split("\0"):
        if "\t" in entry:
            head, path = entry.split("\t", 1)
            found[path] = head.split()[2]
    return found


def blobs(top: Path, shas: list[str]) -> dict[str, bytes]:
    """The contents of these blobs, read in one `git cat-file --batch`."""
    if not shas:
        return {}
    done = subprocess.run(["git", "cat-file", "--batch"], cwd=top, capture_output=True,
                          input="".join(f"{s}\n" for s in shas).encode(), check=True).stdout
    found, at = {}, 0
    for sha in shas:
        end = done.index(b"\n", at)
        header = done[at:end].split()
        if len(header) < 3 or header[1] == b"missing":
            at = end + 1
            continue
        size = int(header[2])
        found[sha] = done[end + 1:end + 1 + size]
        at = end + 1 + size + 1
    return found


class Guard:
    """The proof that an erasure loses nothing else: every path of an old tree is in the new
    one, unless it is in a client folder of the erased client, is a note or a document of it
    (by its contents), or was renamed because its path named the client."""

    def __init__(self, top: Path, prefix: str, mentions: Mentions, word: str) -> None:
        self.top, self.prefix, self.mentions, self.word = top, prefix, mentions, word
        self.folders = tuple(f"{prefix}{CLIENTS}/{i}/" for i in mentions.ids)
        self._seen: dict[tuple[str, str], list[str]] = {}

    def lost(self, old: str, new: str | None) -> list[str]:
        """The paths of `old` that `new` lacks without a reason (a new of None: deleted)."""
        old_tree = tree(self.top, old)
        if old_tree is None:
            return []  # a ref to a blob or a tree-less object: nothing to lose here
        new_tree = (tree(self.top, new) or {}) if new else {}
        key = (old, new or "")
        if key not in self._seen:
            missing = [p for p in old_tree if p not in new_tree and not p.startswith(
                self.folders) and self.mentions.replace_plain(p, self.word) not in new_tree
                and not self.mentions.document_of(p.removeprefix(self.prefix))]
            contents = blobs(self.top, sorted({old_tree[p] for p in missing}))
            self._seen[key] = sorted(p for p in missing if not self._the_clients(
                contents.get(old_tree[p], b"")))
        return self._seen[key]

    def _the_clients(self, data: bytes) -> bool:
        """Removed whole by the erasure's own decision (the same one the rewrite made)."""
        from coachnotes.git.erase_tree import erase_bytes

        return erase_bytes(data, self.mentions, self.word) is None


def transaction(top: Path, moves: dict[str, str | None]) -> None:
    """Set (or, for None, delete) every ref at once, whatever it holds now: safe to repeat."""
    lines = ["start"]
    for ref, sha in sorted(moves.items()):
        lines.append(f"delete {ref}" if sha is None else f"update {ref} {sha}")
    lines += ["prepare", "commit"]
    subprocess.run(["git", "update-ref", "--stdin"], cwd=top, check=True, capture_output=True,
                   input=("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))
