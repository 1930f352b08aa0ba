"""The saved index: each note's record, keyed by path and (size, mtime, ctime).

A file whose signature differs in any way (not just "newer": `cp -p` restores old mtimes) is
read again. The stamp holds the coachnotes version and a hash of the reader's source, so a new
version or a changed reader starts from an empty cache. The cache is an optimisation: when it
cannot be opened or written, the vault is read without it; a corrupt one is replaced.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from pathlib import Path
from typing import Callable

from coachnotes.model import NoteRecord

log = logging.getLogger("coachnotes")
CACHE_FILE = "cache.sqlite3"
_READER_MODULES = ("notes.py", "schema.py", "model.py", "vault.py", "cache.py")
_STAMP: str | None = None


def stamp() -> str:
    global _STAMP
    if _STAMP is None:
        from coachnotes import __version__

        digest = hashlib.sha256(__version__.encode())
        here = Path(__file__).parent
        for name in _READER_MODULES:
            digest.update((here / name).read_bytes())
        _STAMP = digest.hexdigest()[:16]
    return _STAMP


def private_dir(path: Path) -> Path:
    """Create (or tighten) a folder only its owner can read: note data lives there."""
    path.mkdir(mode=0o700, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def _connect(root: Path) -> sqlite3.Connection | None:
    folder = root / ".coachnotes"
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
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS notes (path TEXT PRIMARY KEY, size INTEGER,"
                       " mtime INTEGER, ctime INTEGER, record TEXT)")
            row = db.execute("SELECT value FROM meta WHERE key='stamp'").fetchone()
            if row is None or row[0] != stamp():
                db.execute("BEGIN IMMEDIATE")
                db.execute("DELETE FROM notes")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (stamp(),))
                db.execute("COMMIT")
            return db
        except sqlite3.DatabaseError as error:
            if attempt == 2 or isinstance(error, sqlite3.OperationalError) and \
                    "locked" in str(error):
                return None
            log.warning("the cache %s could not be read (%s); it is rebuilt",
                        path.relative_to(root), error)
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.unlink(f"{path}{suffix}")
                except OSError:
                    pass
    return None


def cached_records(root: Path, notes: list[tuple[str, Path, tuple[int, int, int]]],
                   read: Callable[[str, Path], NoteRecord]) -> dict[str, NoteRecord]:
    db = _connect(root)
    if db is None:
        return {rel: read(rel, path) for rel, path, _ in notes}
    try:
        try:
            saved = {row[0]: row[1:] for row in
                     db.execute("SELECT path, size, mtime, ctime, record FROM notes")}
        except sqlite3.DatabaseError:
            saved = {}
        records: dict[str, NoteRecord] = {}
        fresh: list[tuple] = []
        for rel, path, sig in notes:
            row = saved.pop(rel, None)
            if row is not None and tuple(row[:3]) == sig:
                try:
                    records[rel] = NoteRecord.from_json(rel, json.loads(row[3]))
                    continue
                except (ValueError, TypeError):
                    pass
            record = records[rel] = read(rel, path)
            fresh.append((rel, *sig, json.dumps(record.to_json(), default=str)))
        if fresh or saved:
            _save(db, fresh, list(saved))
        return records
    finally:
        db.close()


def _save(db: sqlite3.Connection, fresh: list[tuple], gone: list[str]) -> None:
    try:
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, ?)", fresh)
        db.executemany("DELETE FROM notes WHERE path = ?", [(p,) for p in gone])
        db.execute("COMMIT")
    except sqlite3.DatabaseError as error:  # busy or read-only: the cache is only a speed-up
        log.debug("cache not saved: %s", error)
        try:
            db.execute("ROLLBACK")
        except sqlite3.DatabaseError:
            pass
