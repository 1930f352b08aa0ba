"""Find the vault, read its settings and notes (listed by `listing.py`), build the model.

Phase one of every command: files -> `NoteRecord`s (through the cache, see `cache.py`) ->
`Vault`. Nothing here writes to the vault.
"""

from __future__ import annotations

import datetime as dt
import marshal
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from coachnotes import schema
from coachnotes.errors import UnknownClient, VaultNotFound
from coachnotes.listing import CLIENTS, SETTINGS_FILE, Listing, discover
from coachnotes.model import (Client, FollowUp, NoteRecord, Problem, Session, Settings, Vault,
                              _date)
from coachnotes.notes import decode, parse_yaml, read_note


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
    import signal

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
