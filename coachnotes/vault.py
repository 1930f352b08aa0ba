"""Find the vault, read its settings, discover its notes and load them into the model.

Phase one of every command: files -> `NoteRecord`s (through the cache, see `cache.py`) ->
`Vault`. Nothing here writes to the vault.
"""

from __future__ import annotations

import datetime as dt
import marshal
import os
import re
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from coachnotes import schema
from coachnotes.errors import UnknownClient, VaultNotFound
from coachnotes.model import (Client, FollowUp, NoteRecord, Problem, Session, Settings, Vault,
                              _date)
from coachnotes.notes import decode, is_within, parse_yaml, read_note

SETTINGS_FILE = "coachnotes.yml"
CACHE_DIR = ".coachnotes"
CLIENTS = "clients"
GENERATED_TOP = ("INDEX.md", "FOLLOW-UPS.md")
CONFLICT_TAG = ".conflict-"
# What editors and file managers leave beside a note: emacs locks (.#), backups (~), vim swap
# files and its 4913 probe, temp files, LibreOffice locks, Chrome's and gedit's temp files,
# and macOS's AppleDouble files (._) on USB sticks and shares. Never notes, never watched.
_LITTER = re.compile(r"(^\.#|^\._|~$|\.sw.$|^4913$|\.tmp$|^\.~lock|\.crswap$|^\.goutputstream)")


def is_litter(name: str) -> bool:
    """Whether a file name is an editor's or file manager's temporary or lock file."""
    return _LITTER.search(name) is not None


def find_root(vault: str | os.PathLike | None = None, cwd: Path | None = None) -> Path:
    """`--vault`, else $COACHNOTES_VAULT, else the nearest folder upwards with coachnotes.yml."""
    given = vault or os.environ.get("COACHNOTES_VAULT")
    if given:
        root = Path(given).expanduser()
        if not root.is_dir():
            raise VaultNotFound(f"{given}: no such folder; make a vault there with "
                                f"`coachnotes init {given}`")
        return root.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    raise VaultNotFound("no coachnotes vault here or in any folder above (no coachnotes.yml): "
                        "make one with `coachnotes init DIR`, or name it with --vault PATH")


def load_settings(root: Path, use_cache: bool = False) -> Settings:
    """The settings with their defaults; through the cache when asked (saves importing YAML)."""
    if use_cache:
        from coachnotes.cache import cached_settings

        return cached_settings(root, _read_settings)
    return _read_settings(root)


def _read_settings(root: Path) -> Settings:
    path = root / SETTINGS_FILE
    defaults = {k: (dict(v) if isinstance(v, dict) else v)
                for k, v in schema.SETTINGS_DEFAULTS.items()}
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(defaults, {}, [])
    except OSError as error:
        return Settings(defaults, {}, [(1, "E001", f"cannot be read: {error.strerror}")])
    text, problem = decode(raw)
    if text is None:
        return Settings(defaults, {}, [problem])
    if not text.strip():
        return Settings(defaults, {}, [])
    data, lines, problems = parse_yaml(text)
    if data is None:
        return Settings(defaults, lines, [(line, code, message.replace("front matter",
                                                                       "the settings file"))
                                          for line, code, message in problems])
    values, more = schema.normalise(schema.SETTINGS, data, lines, unknown_code="W110")
    sync = values.pop("sync", {})
    for key, value in sync.items():
        defaults["sync"][key] = value
    if isinstance(data.get("sync"), dict):
        known = {f.key for f in schema.SETTINGS.by_key["sync"].fields}
        for key in data["sync"]:
            if key not in known:
                more.append((schema.line_of(lines, f"sync.{key}"), "W110",
                             f"unknown setting `sync.{key}` is ignored"))
    defaults.update(values)
    return Settings(defaults, lines, problems + more)


def racy_ns() -> int:
    """How long after a change a file's timestamps are not trusted to tell the next change.

    Two writes within one tick of the file system's clock (a few ms on ext4, 2 s on FAT) can
    leave size, mtime and ctime all equal. So, as git does for its index, nothing read within
    this margin of its last change is kept for later: it is read again next time. The suite
    sets COACHNOTES_RACY_SECONDS=0 to run against a warm cache; users have no reason to.
    """
    try:
        return int(float(os.environ.get("COACHNOTES_RACY_SECONDS", "2")) * 1e9)
    except ValueError:
        return 2_000_000_000


class Listing:
    """What lies in the vault, before anything is read."""

    __slots__ = ("notes", "conflicts", "pages", "unreadable", "taken_ns")

    def __init__(self, taken_ns: int = 0) -> None:
        self.notes: list[tuple[str, tuple[int, int, int]]] = []  # path, signature
        self.conflicts: list[str] = []
        self.pages: list[str] = []
        self.unreadable: list[Problem] = []
        self.taken_ns = taken_ns  # the wall-clock time the listing was begun

    def settled(self, sigs: Iterable[tuple[int, ...]]) -> bool:
        """True if every file of these signatures last changed before the racy margin, so
        that whatever is derived from them may be kept (see `racy_ns`)."""
        before = self.taken_ns - racy_ns()
        return all(sig[2] < before for sig in sigs)


def is_generated_place(rel: str) -> bool:
    parts = rel.split("/")
    return rel in GENERATED_TOP or (len(parts) == 3 and parts[0] == CLIENTS
                                    and parts[2] == "README.md")


def discover(root: Path, reuse: bool = True) -> Listing:
    """List notes, conflict copies and generated pages without reading any note.

    Every note is stat'ed every time (an edit changes the file, not its folder). A folder's
    list of names is reused while the folder's own signature holds, like git's untracked
    cache: creating, deleting or renaming an entry changes the folder's mtime and ctime.
    Folders that changed within the racy margin, or that hold links, are always listed anew.
    """
    listing = Listing(taken_ns=time.time_ns())
    for name in GENERATED_TOP:
        if os.path.lexists(root / name):
            listing.pages.append(name)
    saved = _load_folders(root) if reuse else {}
    kept: dict[str, tuple] = {}
    settled_before = listing.taken_ns - racy_ns()
    changed = False
    base = str(root)
    stat = os.stat
    notes = listing.notes
    pending = [""]
    while pending:
        rel = pending.pop()
        folder = f"{base}/{rel}" if rel else base
        try:
            info = os.lstat(folder)
        except OSError:
            continue
        sig = (info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        entry = saved.get(rel)
        if entry is None or entry[0] != sig:
            found = _list_folder(root, folder, rel, listing.unreadable)
            entry = (sig, *found[:4]) if found else None
            if entry and found[4] and info.st_ctime_ns < settled_before:
                kept[rel] = entry
                changed = True
            elif rel in saved:
                changed = True
            if entry is None:
                continue
        else:
            kept[rel] = entry
        _, names, folders, pages, conflicts = entry
        prefix = f"{rel}/" if rel else ""
        for name in names:
            try:
                info = stat(f"{folder}/{name}")
            except OSError:
                continue  # removed while we looked; a broken link was reported when listed
            notes.append((prefix + name, (info.st_size, info.st_mtime_ns, info.st_ctime_ns)))
        for name in pages:
            listing.pages.append(prefix + name)
        for name in conflicts:
            listing.conflicts.append(prefix + name)
        pending.extend(prefix + name for name in folders)
    if reuse and (changed or len(kept) != len(saved)):
        from coachnotes.cache import save_blob

        save_blob(root, "folders", kept)
    listing.notes.sort()
    listing.conflicts.sort()
    listing.pages.sort()
    return listing


def _load_folders(root: Path) -> dict[str, tuple]:
    from coachnotes.cache import load_blob

    saved = load_blob(root, "folders")
    return saved if isinstance(saved, dict) else {}


def _list_folder(root: Path, folder: str, rel: str, unreadable: list[Problem],
                 ) -> tuple[list[str], list[str], list[str], list[str], bool] | None:
    """One folder's entries, sorted by role: note names, sub-folders to descend into, page
    names, conflict-copy names, and whether this answer may be reused while the folder's
    signature holds (not when it holds links, whose targets may change). None if unreadable."""
    try:
        entries = os.scandir(folder)
    except OSError:
        return None
    in_clients = rel == CLIENTS or rel.startswith(CLIENTS + "/")
    client_folder = in_clients and rel.count("/") == 1  # clients/<id>: README.md is a page
    notes: list[str] = []
    folders: list[str] = []
    pages: list[str] = []
    conflicts: list[str] = []
    reusable = True
    with entries:
        for entry in entries:
            name = entry.name
            if in_clients and is_litter(name):
                continue
            if entry.is_symlink():
                reusable = False
            if CONFLICT_TAG in name and not entry.is_dir(follow_symlinks=False):
                conflicts.append(name)
            elif not reusable and entry.is_symlink():
                role = _linked(root, entry, f"{rel}/{name}" if rel else name, in_clients,
                               unreadable)
                if role:
                    (notes if role == "note" else pages).append(name)
            elif entry.is_dir(follow_symlinks=False):
                if not name.startswith("."):
                    folders.append(name)
            elif in_clients and name.endswith(".md") and entry.is_file(follow_symlinks=False):
                if client_folder and name == "README.md":
                    pages.append(name)
                else:
                    notes.append(name)
    return notes, folders, pages, conflicts, reusable


def _linked(root: Path, entry: os.DirEntry, sub: str, in_clients: bool,
            unreadable: list[Problem]) -> str | None:
    """What a link is read as: "note", "page" or nothing. Links in clients/ that lead out of
    the vault, or nowhere, are reported; links to folders are not followed (their notes are
    read at their real place in the vault); links elsewhere are not coachnotes' business."""
    if not (in_clients or sub == CLIENTS):
        return None
    if not is_within(Path(entry.path), root):
        unreadable.append(Problem(sub, 1, "E001", "is a link to something outside the vault; "
                                  "links out are not followed — move the file into the vault"))
        return None
    if entry.is_dir() or not in_clients or not entry.name.endswith(".md"):
        return None
    if is_generated_place(sub):
        return "page"
    try:
        entry.stat()
    except OSError:
        unreadable.append(Problem(sub, 1, "E001", "cannot be read (broken link?)"))
        return None
    return "note"


def signature(stat: os.stat_result) -> tuple[int, int, int]:
    """What tells that a file changed: size, mtime and ctime (compared for difference).

    ctime cannot be set back by `cp -p`, `rsync -t`, unzip or `os.utime`, so an edit that keeps
    size and mtime is still seen.
    """
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def read_record(rel: str, path: Path) -> NoteRecord:
    """Read and check one note on its own (no other note is looked at)."""
    parsed = read_note(path)
    if parsed.data is None:
        return NoteRecord(rel, None, {}, parsed.lines, parsed.problems)
    return record_from_data(rel, parsed.data, parsed.lines, parsed.problems)


PARALLEL_FROM = 1000  # notes to read before a second process pays for itself


def read_notes(root: Path, rels: list[str], parallel_from: int = PARALLEL_FROM,
               ) -> dict[str, NoteRecord]:
    """Read and check these notes, in this order.

    Parsing is CPU-bound and every note stands alone, so when there are many (a first run, a
    new coachnotes version) and a second core, a forked child reads half of them and hands the
    records back through a pipe, marshalled like the cache. Whatever goes wrong there, the
    parent reads that half itself.
    """
    base = str(root)
    if len(rels) < parallel_from or not _may_fork():
        return {rel: read_record(rel, f"{base}/{rel}") for rel in rels}
    half = len(rels) // 2
    theirs, mine = rels[:half], rels[half:]
    reader, writer = os.pipe()
    # Ctrl-C waits until the child stands inside its try, so it can never run our callers' code
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(reader)
        os.close(writer)
        return {rel: read_record(rel, f"{base}/{rel}") for rel in rels}
    if pid == 0:  # the child: read its share, hand it over, leave without any clean-up
        status = 1
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(reader)
            records = [read_record(rel, f"{base}/{rel}") for rel in theirs]
            with os.fdopen(writer, "wb") as out:
                out.write(marshal.dumps([(r.type, r.values, r.packed_lines(), r.problems)
                                         for r in records]))
            status = 0
        finally:
            os._exit(status)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    os.close(writer)
    pipe = os.fdopen(reader, "rb")
    try:
        own = {rel: read_record(rel, f"{base}/{rel}") for rel in mine}
        data = pipe.read()
    except BaseException:  # Ctrl-C, say: the child's work is no longer wanted
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        pipe.close()
        _, status = os.waitpid(pid, 0)
    found = None
    if status == 0:
        try:
            found = marshal.loads(data)
        except (ValueError, EOFError, TypeError):
            pass
    if not isinstance(found, list) or len(found) != len(theirs):
        found = None
    records = ({rel: NoteRecord(rel, *entry) for rel, entry in zip(theirs, found)} if found
               else {rel: read_record(rel, f"{base}/{rel}") for rel in theirs})
    records.update(own)
    return records


def _may_fork() -> bool:
    """Fork only on Linux, from a process with one thread (no lock can be held by another),
    with a second core to run on."""
    import threading

    return (sys.platform.startswith("linux") and threading.active_count() == 1
            and len(os.sched_getaffinity(0)) > 1)


def record_from_data(rel: str, data: dict, lines: dict[str, int],
                     problems: list) -> NoteRecord:
    kind = data.get("type")
    note_schema = schema.NOTE_SCHEMAS.get(kind) if isinstance(kind, str) else None
    if note_schema is None:
        if kind is None:
            message = "`type` is missing: add `type: client` or `type: session`"
        else:
            message = f"`type` must be client or session, found {schema.describe(kind)}"
        return NoteRecord(rel, None, {}, lines, problems + [(lines.get("type", 1), "E010",
                                                             message)])
    status = data.get("status") if kind == "client" else None
    status = status if status in schema.STATUSES else None
    values, more = schema.normalise(note_schema, data, lines, status=status)
    return NoteRecord(rel, kind, values, lines, problems + more)


def read_records(root: Path, listing: Listing, use_cache: bool = True) -> dict[str, NoteRecord]:
    """Every note's record, re-reading only files whose size or mtime differ from the cache."""
    if use_cache:
        from coachnotes.cache import cached_records

        records = cached_records(root, listing.notes, lambda rels: read_notes(root, rels),
                                 listing.settled)
    else:
        records = read_notes(root, [rel for rel, _ in listing.notes])
    for problem in listing.unreadable:
        records[problem.path] = NoteRecord(problem.path, None, {}, {},
                                           [(problem.line, problem.code, problem.message)])
    return records


def build_model(root: Path, settings: Settings, records: dict[str, NoteRecord],
                listing: Listing) -> Vault:
    """Records -> clients with their sessions, follow-ups and defaults from the settings."""
    clients: dict[str, Client] = {}
    sessions: list[Session] = []
    for rel in sorted(records):
        record = records[rel]
        if record.type == "session":
            sessions.append(Session.from_record(record))
        elif record.type == "client":
            parts = rel.split("/")
            if len(parts) == 3 and parts[2] == "client.md":
                clients[parts[1]] = make_client(parts[1], record, settings)
    for session in sessions:
        owner = clients.get(session.folder_client or "")
        if owner is not None and session.client == owner.id:
            owner.sessions.append(session)
    for client in clients.values():
        client.sessions.sort(key=lambda s: (s.date or dt.date.min, s.path))
        complete_follow_ups(client)
    return Vault(root, settings, records, clients, sessions, listing.conflicts, listing.pages)


def make_client(client_id: str, record: NoteRecord, settings: Settings) -> Client:
    v = record.values
    start = _date(v.get("start_date"))
    follow_ups = [FollowUp(item["_n"], _date(item["due"]), _date(item.get("done")),
                           item.get("cancelled"))
                  for item in v.get("follow_ups") or []]
    return Client(client_id, record.path, v, record, v.get("name") or client_id,
                  v.get("status"), _date(v.get("intake_date")), start, _date(v.get("end_date")),
                  v.get("planned_sessions") or settings.planned_sessions,
                  settings.trajectory_months,
                  follow_ups)


def complete_follow_ups(client: Client) -> None:
    """SPEC §4: a follow-up session completes entry `follow_up: N`, else the k-th by due date."""
    by_number = {f.n: f for f in client.follow_ups}
    by_due = sorted(client.follow_ups, key=lambda f: (f.due, f.n))
    held = [s for s in client.sessions if s.kind == "follow-up" and s.date]
    for k, session in enumerate(held):
        if session.follow_up is not None:
            target = by_number.get(session.follow_up)
        else:
            target = by_due[k] if k < len(by_due) else None
        if target is not None and target.completed_by is None:
            target.completed_by = session


def load_vault(root: Path, use_cache: bool = True, settings: Settings | None = None,
               listing: Listing | None = None) -> Vault:
    """Read the whole vault into the model (phase one of every command)."""
    settings = settings or load_settings(root, use_cache)
    listing = listing or discover(root)
    with no_cyclic_gc():
        records = read_records(root, listing, use_cache)
        return build_model(root, settings, records, listing)


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Keep the cyclic garbage collector away from the model while and after it is built.

    Loading a large vault creates hundreds of thousands of dicts and objects; each automatic
    collection walks all of them, which made loading 70,000 notes 2.5× slower, and re-enabling
    the collector afterwards only moved that cost to the next allocations. So the objects are
    frozen (left out of all later collections). The model has no reference cycles: reference
    counting still frees it, in the watcher too.
    """
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def inputs_key(listing: Listing, settings: Settings) -> bytes:
    """Everything a derived answer depends on: each note's signature, the conflict copies,
    the unreadable files and the settings. Saved beside the answer and compared as a whole:
    as bytes, which load and compare far quicker than 8,000 tuples and need no hashing. Format
    0 of marshal has no references or interned strings, so equal keys give equal bytes."""
    import marshal

    return marshal.dumps((listing.notes, listing.conflicts,
                          [tuple(p) for p in listing.unreadable], settings.values), 0)


def iter_problems(records: Iterable[NoteRecord]) -> Iterable[Problem]:
    for record in records:
        for line, code, message in record.problems:
            yield Problem(record.path, line, code, message)


def get_client(vault: Vault, client_id: str) -> Client:
    """The client with this id, or UnknownClient naming the ids that come close."""
    client = vault.clients.get(client_id)
    if client is None:
        note = f"{CLIENTS}/{client_id}/client.md"
        if note in vault.records:  # there, but unreadable: say so rather than "no client"
            raise UnknownClient(f"{note} cannot be read as a client note; fix the problems "
                                f"`coachnotes check` shows for it first")
        raise unknown_client(client_id, vault.clients)
    return client


def unknown_client(client_id: str, known: Iterable[str]) -> UnknownClient:
    import difflib

    ids = sorted(known)
    close = [c for c in ids if client_id in c] + difflib.get_close_matches(client_id, ids)
    close = list(dict.fromkeys(close))[:3]
    hint = f" Did you mean: {', '.join(close)}?" if close else \
        " `coachnotes list` shows the clients."
    return UnknownClient(f"no client {client_id!r} in this vault.{hint}")
