"""The saved index: each note's record, keyed by path and (size, mtime, ctime).

A file whose signature differs in any way (not just "newer": `cp -p` restores old mtimes) is
read again; ctime changes on every write and cannot be set back, so even an edit that keeps
size and mtime is seen. The stamp holds the coachnotes version and a checksum of its source,
so a new version or a changed reader starts from an empty cache. Records are stored
with `marshal` (plain values only; several times faster to load than JSON). The settings and
other small derived answers (folder listings, due items, page signatures) are marshal files
beside the database, so that a warm `due` imports neither YAML nor sqlite3. Every saved value
carries a crc32 (`pack`), and nothing read within the racy margin of its file's last change is
saved at all (`listing.racy_ns`).

The cache is an optimisation: when it cannot be opened or written, the vault is read without
it; a corrupt one is replaced with a warning. It lives in `.coachnotes/` (0700, git-ignored).
"""

from __future__ import annotations

import marshal
import os
import sys
import time
import warnings
import zlib
from pathlib import Path
from typing import Callable

from coachnotes.listing import CACHE_DIR
from coachnotes.model import NoteRecord, Settings

CACHE_FILE = "cache.sqlite3"
_STAMP: str | None = None


class CacheWarning(UserWarning):
    """The cache could not be used and was rebuilt."""


def stamp() -> str:
    global _STAMP
    if _STAMP is None:
        from coachnotes import __version__

        # Every module may shape a cached answer (records, due items, page signatures), so all
        # of them are in the stamp. crc32 is enough to notice an edit and needs no hashlib.
        check = zlib.crc32(f"{__version__}|{sys.version_info[:2]}".encode())
        here = Path(__file__).parent
        for path in sorted(here.glob("*.py")):
            check = zlib.crc32(path.read_bytes(), check)
        _STAMP = f"{__version__}-{check:08x}"
    return _STAMP


def private_dir(path: Path) -> Path:
    """Create (or tighten) a folder only its owner can read: note data lives there."""
    path.mkdir(mode=0o700, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def _connect(root: Path):
    import sqlite3  # only on the way to the notes' records: 11 ms that a warm `due` saves

    folder = root / CACHE_DIR
    try:
        private_dir(folder)
    except OSError:
        return None
    path = folder / CACHE_FILE
    for attempt in (1, 2):
        try:
            old_umask = os.umask(0o077)
            try:
                db = sqlite3.connect(path, timeout=10, isolation_level=None)
            finally:
                os.umask(old_umask)
            row = db.execute("SELECT value FROM meta WHERE key='stamp'").fetchone() \
                if _has_tables(db) else None
            if row is None or row[0] != stamp():
                _create(db)
            return db
        except sqlite3.DatabaseError as error:
            if attempt == 2 or "locked" in str(error):
                return None
            warnings.warn(f"the cache {path.relative_to(root)} could not be read ({error}); "
                          "it is rebuilt", CacheWarning, stacklevel=2)
            for suffix in ("", "-wal", "-shm", "-journal"):
                try:
                    os.unlink(f"{path}{suffix}")
                except OSError:
                    pass
    return None


def _has_tables(db) -> bool:
    return db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'meta'"
                      ).fetchone()[0] == 1


def _create(db) -> None:
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("BEGIN IMMEDIATE")
    db.execute("DROP TABLE IF EXISTS meta")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB)")
    db.execute("INSERT INTO meta VALUES ('stamp', ?)", (stamp(),))
    db.execute("COMMIT")


CHUNKS = 16


def _chunk(rel: str) -> int:
    """Which part of the saved records a note belongs to: all notes of a client together."""
    return zlib.crc32(rel.split("/", 2)[1].encode() if rel.count("/") >= 2 else b"") % CHUNKS


def cached_records(root: Path, notes: list[tuple[str, int]],
                   read: Callable[[list[str]], dict[str, NoteRecord]],
                   settled: Callable[[list], bool]) -> dict[str, NoteRecord]:
    """Every note's record: from the cache where the signature matches, else read anew.

    The records are saved in 16 blobs, by client: a marshal load of a blob is far cheaper than
    thousands of rows, only the blobs holding changed notes are written again, and each blob's
    bytes are freed before the next is read (this keeps the peak memory of a 70,000-note vault
    under 200 MB). A note read too soon after its last change (`settled` says no) is not saved:
    a second write in the same clock tick could leave its signature unchanged.
    """
    import sqlite3

    db = _connect(root)
    if db is None:
        return read([rel for rel, _ in notes])
    try:
        saved: dict = {}
        try:
            for key, blob in db.execute("SELECT key, value FROM meta "
                                        "WHERE key LIKE 'records:%'"):
                try:
                    saved.update(unpack(blob))
                except Foreign:
                    pass
                except DAMAGED:  # its notes are read again, and the part is written anew
                    warn_damaged(f"{CACHE_FILE} ({key})")
        except sqlite3.DatabaseError:
            saved = {}
        records: dict[str, NoteRecord] = {}
        missing: list[str] = []
        for rel, sig in notes:
            entry = saved.pop(rel, None)
            if entry is not None and entry[0] == sig:
                records[rel] = NoteRecord(rel, entry[1], entry[2], entry[3], entry[4])
            else:
                missing.append(rel)
        if missing:
            records.update(read(missing))
            if len(missing) < len(notes):  # keep the order of the listing, whatever was cached
                records = {rel: records[rel] for rel, _ in notes}
        dirty = {_chunk(rel) for rel in missing}
        dirty.update(_chunk(rel) for rel in saved)  # notes that are gone
        if dirty:
            parts: dict[int, dict] = {chunk: {} for chunk in dirty}
            for rel, sig in notes:
                part = parts.get(_chunk(rel))
                if part is not None and settled([sig]):  # else read again next time
                    record = records[rel]
                    part[rel] = (sig, record.type, record.values, record.packed_lines(),
                                 record.problems)
            _save(db, parts)
        return records
    finally:
        db.close()


def cached_settings(root: Path, read: Callable[[Path], Settings]) -> Settings:
    from coachnotes.listing import SETTINGS_FILE, changed_ns, racy_ns, signature

    try:
        sig = signature(os.stat(root / SETTINGS_FILE))
    except OSError:
        return read(root)
    saved = load_blob(root, "settings")
    if saved is not None and saved[0] == sig:
        return Settings(saved[1], saved[2], saved[3])
    settings = read(root)
    if changed_ns(sig) < time.time_ns() - racy_ns():
        save_blob(root, "settings", (sig, settings.values, settings.lines, settings.problems))
    return settings


def _save(db, parts: dict[int, dict]) -> None:
    import sqlite3

    try:
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                       [(f"records:{chunk}", pack(part))
                        for chunk, part in parts.items()])
        db.execute("COMMIT")
    except sqlite3.DatabaseError:  # busy or read-only: the cache is only a speed-up
        try:
            db.execute("ROLLBACK")
        except sqlite3.DatabaseError:
            pass


def _blob_path(root: Path, key: str) -> Path:
    return root / CACHE_DIR / f"{key}.marshal"


DAMAGED = (ValueError, EOFError, TypeError)  # what unpack() raises for bytes that were damaged
_MAGIC = b"cn\x01"  # this format; files of older versions lack it and are quietly replaced


class Foreign(Exception):
    """Saved by another version of coachnotes: not damaged, just not ours to read."""


def pack(value) -> bytes:
    """marshal's bytes behind a crc32: a flipped bit or a torn write is noticed on loading,
    where marshal alone could load a wrong path or date without complaint (git checksums its
    index for the same reason). Checking 1 MB takes about half a millisecond."""
    data = marshal.dumps(value)
    return _MAGIC + zlib.crc32(data).to_bytes(4, "big") + data


def unpack(data: bytes):
    """The value `pack` made; Foreign for another format, ValueError for damaged bytes."""
    if not data.startswith(_MAGIC):
        raise Foreign()
    body = memoryview(data)[7:]
    if len(data) < 7 or zlib.crc32(body) != int.from_bytes(data[3:7], "big"):
        raise ValueError("checksum mismatch")
    return marshal.loads(body)


def warn_damaged(what: str) -> None:
    warnings.warn(f"the cache {CACHE_DIR}/{what} was damaged; it is rebuilt", CacheWarning,
                  stacklevel=3)


def load_blob(root: Path, key: str):
    """A value saved with `save_blob` by this very coachnotes, or None.

    Small derived answers (the settings, the open items of `due`, the signatures of the pages)
    live in files of their own beside the database: reading one needs no sqlite3 at all, which
    is a tenth of a warm `due`.
    """
    path = _blob_path(root, key)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        saved_stamp, value = unpack(data)
    except Foreign:
        return None
    except DAMAGED:
        warn_damaged(path.name)
        try:
            path.unlink()
        except OSError:
            pass
        return None
    return value if saved_stamp == stamp() else None


def save_blob(root: Path, key: str, value) -> None:
    from coachnotes.files import write_atomic

    try:
        private_dir(root / CACHE_DIR)
        write_atomic(_blob_path(root, key), pack((stamp(), value)))
    except (OSError, ValueError):
        pass  # the cache is only a speed-up
