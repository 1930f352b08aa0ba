"""Who a client was (SPEC §13, v3): every id and name it ever had, found in the history as
git sees it — a client.md moved by `rename` or by hand, an `id` that names it, a `name`
corrected later — and the names and ids of every other client, which an erasure never touches.
Both devices compute the same answer from the same commits, so they rewrite alike."""

from __future__ import annotations

import subprocess

from coachnotes.vault.layout import CLIENTS
from coachnotes.vault.redact import Mentions, fold_name

_RENAMED = "85%"  # git's similarity for a client.md moved by `rename` or by hand


def lineage(start: set[str], live: dict[str, str | None],
            history: list[tuple[str, str | None, str | None]],
            renames: list[tuple[str, str]]) -> tuple[Mentions, list[str]]:
    """Every id the client had: its folder, a folder its client.md was moved from or to
    (git's rename detection), a folder whose client.md names one of its ids as `id`; never
    the folder of another client that is here now. Its names: every `name` those folders'
    client.md ever had."""
    ids = set(start)
    while True:
        more = {b for a, b in renames if a in ids} | {a for a, b in renames if b in ids}
        more |= {folder for folder, key, _n in history if key in ids}
        more = {m for m in more if m not in live or m in start} - ids
        if not more:
            break
        ids |= more
    names = {n for i in ids if (n := live.get(i))}
    names |= {n for folder, _k, n in history if folder in ids and n}
    others = {n for folder, _k, n in history if folder not in ids and n}
    others |= {n for i, n in live.items() if i not in ids and n}
    others |= {folder for folder, _k, _n in history if folder not in ids}
    others |= {i for i in live if i not in ids}
    folded = {fold_name(o) for o in others}
    shared = sorted(n for n in names if fold_name(n) in folded)
    return Mentions(sorted(ids), sorted(set(names) - set(shared)), sorted(others)), shared


def client_history(repo, prefix: str) -> tuple[list[tuple[str, str | None, str | None]],
                                               list[tuple[str, str]]]:
    """Every version of every client.md in every ref: (folder, its `id`, its `name`), and
    the client.md files git sees moved from one folder to another."""

    from coachnotes.vault.redact import front_value

    out = repo.git.log("--all", f"-M{_RENAMED}", "--raw", "--no-abbrev", "--format=",
                       "--", f":(glob){prefix}{CLIENTS}/*/client.md")
    blobs: dict[str, str] = {}
    renames = []
    depth = prefix.count("/") + 1
    for line in out.splitlines():
        if not line.startswith(":") or "\t" not in line:
            continue
        head, *paths = line.split("\t")
        fields = head.split()
        folders = [p.split("/")[depth] for p in paths]
        if fields[4].startswith("R") and len(folders) == 2 and folders[0] != folders[1]:
            renames.append((folders[0], folders[1]))
        if set(fields[3]) != {"0"}:
            blobs.setdefault(fields[3], folders[-1])
    if not blobs:
        return [], renames
    ids = list(blobs)
    done = subprocess.run(["git", "cat-file", "--batch"], cwd=repo.working_tree_dir,
                          input="".join(f"{b}\n" for b in ids).encode(), capture_output=True,
                          check=True).stdout
    history, at = [], 0
    for blob in ids:
        header_end = done.index(b"\n", at)
        size = int(done[at:header_end].split()[2])
        text = done[header_end + 1: header_end + 1 + size].decode("utf-8", "replace")
        at = header_end + 1 + size + 1
        history.append((blobs[blob], front_value(text, "id"), front_value(text, "name")))
    return history, renames


def ids_in(repo, prefix: str, *revisions: str) -> set[str]:
    """The client folders that some commit of these revisions has."""
    paths = repo.git.log(*revisions, "--format=", "--name-only", "--", f"{prefix}{CLIENTS}/")
    depth = 2 + prefix.count("/")
    return {p.split("/")[depth - 1] for p in paths.splitlines()
            if p.startswith(f"{prefix}{CLIENTS}/") and p.count("/") >= depth}
