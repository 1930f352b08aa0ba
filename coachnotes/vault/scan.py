"""What lies in the vault, before anything is read: which files are notes, generated pages,
conflict copies or litter, and `discover()`, which lists them with each note's signature.

Every note is stat'ed on every run; a folder's names are listed again only when the folder
changed (see `discover`). Nothing here reads a note or writes to the vault.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from pathlib import Path
from typing import Iterable

from coachnotes.i18n import _
from coachnotes.vault import cache
from coachnotes.vault.cache import private_dir
from coachnotes.vault.layout import (
    CACHE_DIR,
    CLIENTS,
    GENERATED_TOP,
    TEMPLATES,
    is_conflict_name,
    is_generated_place,
    is_litter,
    is_within,
    role_of,
)
from coachnotes.vault.model import Problem


class Listing:
    """What lies in the vault, before anything is read."""

    __slots__ = ("notes", "conflicts", "pages", "unreadable", "taken_ns")

    def __init__(self, taken_ns: int = 0) -> None:
        self.notes: list[tuple[str, int]] = []  # path, signature
        self.conflicts: list[str] = []
        self.pages: list[str] = []
        self.unreadable: list[Problem] = []
        self.taken_ns = taken_ns  # the wall-clock time the listing was begun

    def settled(self, sigs: Iterable[int]) -> bool:
        """True if every file of these signatures last changed before the racy margin, so
        that whatever is derived from them may be kept (see `racy_ns`)."""
        return cache.settled(sigs, self.taken_ns)


def discover(root: Path, reuse: bool = True, under: str = "", deep: bool = True) -> Listing:
    """List notes, conflict copies and generated pages without reading any note.

    Every note is stat'ed every time (an edit changes the file, not its folder). A folder's
    list of names is reused while the folder's own signature holds, like git's untracked
    cache: creating, deleting or renaming an entry changes the folder's mtime and ctime, on
    file systems where a probe has shown so (`_folders_show_changes`). Folders that changed
    within the racy margin, or that hold links, are always listed anew.

    `under` lists only that folder (a vault-relative path), and `deep=False` only its own
    entries: the watcher re-lists just the folder an event came from.
    """
    listing = Listing(taken_ns=time.time_ns())
    if not under:
        for name in GENERATED_TOP:
            if os.path.lexists(root / name):
                listing.pages.append(name)
    reuse = reuse and not under
    device, trusted, saved = _load_folders(root) if reuse else (None, False, {})
    kept: dict[str, tuple] = {}
    settled_before = listing.taken_ns - cache.racy_ns()
    changed = False
    base = str(root)
    pending = [under]
    while pending:
        rel = pending.pop()
        folder = f"{base}/{rel}" if rel else base
        try:
            info = os.lstat(folder)
        except OSError:
            continue
        entry, listed = _folder_entry(root, folder, rel, info, saved, kept, listing.unreadable,
                                      settled_before)
        changed = changed or listed
        if entry is None:
            continue
        folders = _add_entries(listing, folder, rel, entry)
        if deep:
            prefix = f"{rel}/" if rel else ""
            pending.extend(prefix + name for name in folders)
    if reuse and trusted and (changed or len(kept) != len(saved)):
        cache.save_blob(root, "folders", (device, True, kept))
    listing.notes.sort()
    listing.conflicts.sort()
    listing.pages.sort()
    return listing


def _folder_entry(root: Path, folder: str, rel: str, info: os.stat_result, saved: dict,
                  kept: dict, unreadable: list, settled_before: int) -> tuple[tuple | None, bool]:
    """One folder's names: the saved ones while its signature holds, else listed anew (and
    kept for next time when it may be); whether the saved folders changed."""
    sig = (info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    entry = saved.get(rel)
    if entry is not None and entry[0] == sig:
        kept[rel] = entry
        return entry, False
    found = _list_folder(root, folder, rel, unreadable)
    entry = (sig, *found[:4]) if found else None
    if entry and found[4] and info.st_ctime_ns < settled_before:
        kept[rel] = entry
        return entry, True
    return entry, rel in saved


def _add_entries(listing: Listing, folder: str, rel: str, entry: tuple) -> list[str]:
    """Add one folder's notes (stat'ed now), pages and conflict copies; its sub-folders.
    The hot loop of a warm `due`: `cache.signature` is written out inline here."""
    _stamp, names, folders, pages, conflicts = entry
    prefix = f"{rel}/" if rel else ""
    stat = os.stat
    span, offset = cache.SPAN, cache.OFFSET
    append = listing.notes.append
    for name in names:
        try:
            info = stat(f"{folder}/{name}")
        except OSError:
            continue  # removed while we looked; a broken link was reported when listed
        append((prefix + name, (info.st_size * span + info.st_mtime_ns + offset) * span
                + info.st_ctime_ns + offset))
    if pages:
        listing.pages.extend([prefix + name for name in pages])
    if conflicts:
        listing.conflicts.extend([prefix + name for name in conflicts])
    return folders


def _load_folders(root: Path) -> tuple[int | None, bool, dict[str, tuple]]:
    """(device of the vault, whether its folders show changes, the saved listings)."""
    try:
        device = os.stat(root).st_dev
    except OSError:
        return None, False, {}
    saved = cache.load_blob(root, "folders")
    if isinstance(saved, tuple) and len(saved) == 3 and saved[0] == device:
        return device, saved[1] is True, saved[2] if saved[1] is True else {}
    trusted = _folders_show_changes(root)  # once for a vault (and again if it moves)
    cache.save_blob(root, "folders", (device, trusted, {}))
    return device, trusted, {}


def _folders_show_changes(root: Path) -> bool:
    """Whether adding and removing an entry changes a folder's mtime here, which reusing
    listings relies on; some FUSE and cloud-drive mounts keep folder times still. Tried once,
    in .coachnotes/, as `git update-index --test-untracked-cache` does. The probe folder's
    mtime is first set far back, so that a coarse clock tick cannot hide a change."""
    try:
        probe = private_dir(root / CACHE_DIR) / f"probe-{os.getpid()}"
        os.mkdir(probe)
    except OSError:
        return False
    entry = probe / "entry"
    try:
        os.utime(probe, ns=(0, 0))  # read back: FAT, say, cannot go before 1980
        before = os.lstat(probe).st_mtime_ns
        os.close(os.open(entry, os.O_CREAT | os.O_WRONLY, 0o600))
        added = os.lstat(probe).st_mtime_ns != before
        os.utime(probe, ns=(0, 0))
        before = os.lstat(probe).st_mtime_ns
        os.unlink(entry)
        removed = os.lstat(probe).st_mtime_ns != before
        return added and removed
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            os.unlink(entry)
        with contextlib.suppress(OSError):
            os.rmdir(probe)


def _list_folder(root: Path, folder: str, rel: str, unreadable: list[Problem],
                 ) -> tuple[list[str], list[str], list[str], list[str], bool] | None:
    """One folder's entries, sorted by role: note names, sub-folders to descend into, page
    names, conflict-copy names, and whether this answer may be reused while the folder's
    signature holds (not when it holds links, whose targets may change). None if unreadable."""
    try:
        entries = os.scandir(folder)
    except OSError as error:  # unreadable: say so, or `list` would count 0 of 8 in silence
        if rel.startswith(CLIENTS + "/"):
            message = _("this folder cannot be read ({strerror}): its notes are missing from "
                        "every answer; give yourself read access (chmod u+rx)").format(
                strerror=error.strerror)
            unreadable.append(Problem(rel + "/", 1, "E001", message))
        return None
    found = _Entries(root, rel, unreadable)
    with entries:
        for entry in entries:
            found.take(entry)
    return found.notes, found.folders, found.pages, found.conflicts, found.reusable


class _Entries:
    """One folder's entries sorted by role as they are listed."""

    def __init__(self, root: Path, rel: str, unreadable: list[Problem]) -> None:
        self.root, self.rel, self.unreadable = root, rel, unreadable
        self.in_clients = rel == CLIENTS or rel.startswith(CLIENTS + "/")
        self.client_folder = self.in_clients and rel.count("/") == 1  # README.md: a page
        self.notes: list[str] = []
        self.folders: list[str] = []
        self.pages: list[str] = []
        self.conflicts: list[str] = []
        self.reusable = True

    def take(self, entry: os.DirEntry) -> None:
        name, rel, in_clients = entry.name, self.rel, self.in_clients
        if in_clients and is_litter(name):
            return
        if not name.isascii() and not _is_utf8(name):
            self.reusable = False  # the problem is found by listing: list it every time
            _report_name(rel, name, in_clients, self.unreadable)
            return
        if entry.is_symlink():
            self.reusable = False
        if is_conflict_name(name, in_clients) and not entry.is_dir(follow_symlinks=False):
            self.conflicts.append(name)  # W108: a version to compare and keep or delete
        elif not self.reusable and entry.is_symlink():
            self._role(name, _linked(self.root, entry, f"{rel}/{name}" if rel else name,
                                     in_clients, self.unreadable))
        elif entry.is_dir(follow_symlinks=False):
            if not name.startswith(".") and not (rel == "" and name == TEMPLATES):
                self.folders.append(name)
        elif name.endswith(".md"):
            self._role(name, _markdown_role(entry, rel, in_clients, self.client_folder))

    def _role(self, name: str, role: str | None) -> None:
        if role:
            (self.notes if role == "note" else self.pages).append(name)


def _markdown_role(entry: os.DirEntry, rel: str, in_clients: bool,
                   client_folder: bool) -> str | None:
    """A Markdown name that is not a folder nor a link: "note", "page" or nothing. Under
    clients/ a pipe, device or socket with such a name is kept too, to be reported, never
    opened blocking; elsewhere a file is read and a note only by its `type`."""
    if not in_clients and not entry.is_file(follow_symlinks=False):
        return None
    role = role_of(f"{rel}/{entry.name}" if rel else entry.name)  # a README.md: E030 when
    return None if role == "page" and not client_folder else role  # not ours; top: listed


def _report_name(rel: str, name: str, in_clients: bool, unreadable: list[Problem]) -> None:
    if in_clients and not name.startswith("."):
        shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        message = _("the name is not UTF-8 (� stands for what cannot be shown), so it is not "
                    "read: rename it")
        unreadable.append(Problem(f"{rel}/{shown}", 1, "E001", message))


def _is_utf8(name: str) -> bool:
    """False for a name whose bytes are not UTF-8 (Python holds them as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _linked(root: Path, entry: os.DirEntry, sub: str, in_clients: bool,
            unreadable: list[Problem]) -> str | None:
    """What a link is read as: "note", "page" or nothing. Links in clients/ that lead out of
    the vault, or nowhere, are reported; links to folders are not followed (their notes are
    read at their real place in the vault); links elsewhere are not coachnotes' business."""
    if not (in_clients or sub == CLIENTS):
        return None
    try:
        os.stat(entry.path)
    except OSError as error:  # a loop, or nothing at the end
        what = _("leads in a circle") if error.errno == errno.ELOOP else _("leads nowhere")
        message = _("is a link that {what}, so it is not read: remove the link").format(what=what)
        unreadable.append(Problem(sub, 1, "E001", message))
        return None
    if not is_within(Path(entry.path), root):
        message = _("is a link to something outside the vault; links out are not followed — "
                    "move the file into the vault")
        unreadable.append(Problem(sub, 1, "E001", message))
        return None
    if entry.is_dir() or not in_clients or not entry.name.endswith(".md"):
        return None
    if is_generated_place(sub):
        return "page"
    try:
        entry.stat()
    except OSError:
        unreadable.append(Problem(sub, 1, "E001", _("cannot be read (broken link?)")))
        return None
    return "note"
