"""The one seam for speed: everything coachnotes keeps between runs, and every speed trick.

What is kept, all in `.coachnotes/` (0700, git-ignored) and in one format — marshal behind a
magic and a crc32 (`pack`), one file per key, written atomically:
  records-N   each note's record (parsed and checked on its own), by (size, mtime, ctime)
  settings    the parsed settings, by the signature of coachnotes.yml
  folders     each folder's list of names, by the folder's (mtime, ctime, inode)
  due, pages  derived answers, by every input they came from (`memo`)
A stamp (the coachnotes version and a checksum of its source) makes a new version start empty.

The tricks, each kept because `bench/tricks.py` shows it pays on this machine:
  * signatures compared for difference (ctime cannot be set back by `cp -p` or unzip);
  * a racy margin: nothing read within it of its file's last change is kept (`racy_ns`);
  * derived answers memoised by their inputs, so a warm `due` reads no note at all;
  * the cyclic garbage collector kept away from a freshly built model (`no_cyclic_gc`).
The cache is only a speed-up: when it cannot be read or written, the vault is read without it;
a damaged file is noticed by its checksum, warned about, and rebuilt.
"""

from __future__ import annotations

import marshal
import os
import stat
import sys
import time
import warnings
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from coachnotes.i18n import _
from coachnotes.vault.layout import CACHE_DIR, SETTINGS_FILE
from coachnotes.vault.model import NoteRecord, Settings

CHUNKS = 16

_STAMP: str | None = None
SPAN = _SPAN = 1 << 64  # room for one nanosecond time stamp (offset to be positive)
OFFSET = _OFFSET = 1 << 63


class CacheWarning(UserWarning):
    """The cache could not be used and was rebuilt."""


# -- what tells a change -----------------------------------------------------------------------

def signature(stat: os.stat_result) -> int:
    """What tells that a file changed: size, mtime and ctime (compared for difference).

    ctime cannot be set back by `cp -p`, `rsync -t`, unzip or `os.utime`, so an edit that keeps
    size and mtime is still seen. The three are one int: 44 bytes against a tuple's 164.
    """
    return (stat.st_size * _SPAN + stat.st_mtime_ns + _OFFSET) * _SPAN + stat.st_ctime_ns + _OFFSET


def changed_ns(sig: int) -> int:
    """When the file of this signature last changed (its ctime)."""
    return sig % _SPAN - _OFFSET


def racy_ns() -> int:
    """How long after a change a file's timestamps are not trusted to tell the next change.

    Two writes within one tick of the file system's clock (a few ms on ext4, 2 s on FAT) can
    leave size, mtime and ctime all equal. So, as git does for its index, nothing read within
    this margin of its last change is kept: it is read again next time. The suite sets
    COACHNOTES_RACY_SECONDS=0.02 and lets its vaults settle; users have no reason to set it.
    """
    try:
        return int(float(os.environ.get("COACHNOTES_RACY_SECONDS", "2")) * 1e9)
    except ValueError:
        return 2_000_000_000


def settled(sigs: Iterable[int], taken_ns: int) -> bool:
    """True if every file of these signatures last changed before the racy margin of a look
    taken at `taken_ns`, so that what was derived from them may be kept."""
    limit = taken_ns - racy_ns() + _OFFSET
    return all(sig % _SPAN < limit for sig in sigs)


# -- the storage format -------------------------------------------------------------------------

def stamp() -> str:
    global _STAMP
    if _STAMP is None:
        from coachnotes import __version__

        # Every module may shape a saved answer, so all of them are in the stamp. crc32 is
        # enough to notice an edit and needs no hashlib.
        check = zlib.crc32(f"{__version__}|{sys.version_info[:2]}".encode())
        for path in sorted(Path(__file__).parent.parent.rglob("*.py")):
            check = zlib.crc32(path.read_bytes(), check)
        _STAMP = f"{__version__}-{check:08x}"
    from coachnotes.i18n import current

    return f"{_STAMP}-{current()}"  # saved problems are in the language of their messages


def private_dir(path: Path) -> Path:
    """Create (or tighten) the folder of the cache and locks, which only its owner can read
    (note data lives there). A link there is never followed — the cache would land outside
    the vault, or on another device after a sync: OSError, and coachnotes runs without it.
    A `.gitignore` of `*` inside keeps it out of any commit, whatever the vault's own."""
    try:
        path.mkdir(mode=0o700)
        handle = os.open(path / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w") as out:
            out.write("# the cache of coachnotes: never committed\n*\n")
    except FileExistsError:
        pass
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(0, _("is a link or not a folder; delete it, coachnotes makes "
                                      "its own"), str(path))
    if info.st_mode & 0o077:
        path.chmod(0o700)
    with os.scandir(path) as entries:  # a link inside (to the index, a journal) goes too:
        for entry in entries:  # whatever is written there is made inside, never through it
            if entry.is_symlink():
                os.unlink(entry.path)
    return path


DAMAGED = (ValueError, EOFError, TypeError)  # what unpack() raises for bytes that were damaged
_MAGIC = b"cn\x02"  # this format; files of other versions lack it and are quietly replaced


class Foreign(Exception):
    """Saved in another format: not damaged, just not ours to read."""


def pack(value: Any) -> bytes:
    """marshal's bytes behind a crc32: a flipped bit or a torn write is noticed on loading,
    where marshal alone could load a wrong path or date without complaint."""
    data = marshal.dumps(value)
    return _MAGIC + zlib.crc32(data).to_bytes(4, "big") + data


def unpack(data: bytes) -> Any:
    """The value `pack` made; Foreign for another format, ValueError for damaged bytes."""
    if not data.startswith(_MAGIC):
        raise Foreign()
    body = memoryview(data)[7:]
    if len(data) < 7 or zlib.crc32(body) != int.from_bytes(data[3:7], "big"):
        raise ValueError("checksum mismatch")
    return marshal.loads(body)


def _warn_damaged(what: str) -> None:
    warnings.warn(_("the cache {CACHE_DIR}/{what} was damaged; it is rebuilt").format(
                    CACHE_DIR=CACHE_DIR, what=what), CacheWarning,
                  stacklevel=3)


def _blob_path(root: Path, key: str) -> Path:
    return root / CACHE_DIR / f"{key}.marshal"


def drop_all(root: Path) -> None:
    """Delete every saved copy of note data (after `forget`: none of the client may stay)."""
    for path in (root / CACHE_DIR).glob("*.marshal"):
        path.unlink(missing_ok=True)


def load_blob(root: Path, key: str) -> Any:
    """A value saved with `save_blob` by this very coachnotes, or None."""
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
        _warn_damaged(path.name)
        try:
            path.unlink()
        except OSError:
            pass
        return None
    return value if saved_stamp == stamp() else None


def save_blob(root: Path, key: str, value: Any) -> None:
    """Save atomically (temporary file, then rename) but without fsync: after a crash a file
    is whole, or its checksum fails and it is rebuilt; losing a cache costs only time."""
    path = _blob_path(root, key)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        private_dir(root / CACHE_DIR)
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW,
                         0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(pack((stamp(), value)))
        os.replace(temporary, path)
    except (OSError, ValueError):
        try:
            os.unlink(temporary)
        except OSError:
            pass


# -- notes' records ----------------------------------------------------------------------------

def _chunk(rel: str) -> int:
    """Which file of saved records a note belongs to: all notes of a client together."""
    return zlib.crc32(rel.split("/", 2)[1].encode() if rel.count("/") >= 2 else b"") % CHUNKS


def cached_records(root: Path, notes: list[tuple[str, int]],
                   read: Callable[[list[str]], dict[str, NoteRecord]],
                   taken_ns: int) -> dict[str, NoteRecord]:
    """Every note's record: from the cache where the signature matches, else read anew.

    Records are saved in 16 files by client: only the files holding changed notes are
    written again, and each file's bytes are freed before the next is read. A note read within
    the racy margin of its last change is not saved.
    """
    records: dict[str, NoteRecord] = {}
    missing: list[str] = []
    by_chunk: dict[int, list[tuple[str, int]]] = {}
    for rel, sig in notes:
        by_chunk.setdefault(_chunk(rel), []).append((rel, sig))
    dirty: set[int] = set()
    for chunk in range(CHUNKS):
        saved = load_blob(root, f"records-{chunk}") or {}
        wanted = by_chunk.get(chunk, [])
        for rel, sig in wanted:
            entry = saved.pop(rel, None)
            if entry is not None and entry[0] == sig:
                records[rel] = NoteRecord(rel, entry[1], entry[2], entry[3], entry[4])
            else:
                missing.append(rel)
                dirty.add(chunk)
        if saved:  # notes that are gone
            dirty.add(chunk)
        del saved
    if missing:
        records.update(read(missing))
    for chunk in sorted(dirty):
        part = {}
        for rel, sig in by_chunk.get(chunk, []):
            if settled((sig,), taken_ns):  # else read again next time
                r = records[rel]
                part[rel] = (sig, r.type, r.values, r.packed_lines(), r.problems)
        save_blob(root, f"records-{chunk}", part)
    return {rel: records[rel] for rel, _sig in notes}


def cached_settings(root: Path, read: Callable[[Path], Settings]) -> Settings:
    """The settings, parsed again only when coachnotes.yml changed (saves importing YAML)."""
    try:
        sig = signature(os.stat(root / SETTINGS_FILE))
    except OSError:
        return read(root)
    from coachnotes.i18n import current

    name = f"settings-{current()}"  # its problems are messages: one copy per language, as
    saved = load_blob(root, name)  # the language is chosen from what is read here
    if saved is not None and saved[0] == sig:
        return Settings(saved[1], saved[2], saved[3])
    settings = read(root)
    if changed_ns(sig) < time.time_ns() - racy_ns():
        save_blob(root, name, (sig, settings.values, settings.lines, settings.problems))
    return settings


# -- derived answers -----------------------------------------------------------------------------

def memo(root: Path, name: str, key: bytes, compute: Callable[[], Any],
         keep: Callable[[Any], bool] = lambda value: True,
         still_valid: Callable[[Any], bool] = lambda value: True) -> Any:
    """The answer saved under `name` while its inputs (`key`) hold, else `compute()`, saved
    when `keep(answer)` says it may be (its inputs had settled). `still_valid` can refuse a
    saved answer for what the key cannot see (pages edited since they were written)."""
    saved = load_blob(root, name)
    if saved is not None and saved[0] == key and still_valid(saved[1]):
        return saved[1]
    del saved  # megabytes at 70,000 notes: not kept while the answer is computed
    answer = compute()
    if keep(answer):
        save_blob(root, name, (key, answer))
    return answer


# -- reading many notes --------------------------------------------------------------------------

@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Keep the cyclic garbage collector away from the model while and after it is built.

    Building a large model creates hundreds of thousands of objects; each automatic collection
    walks all of them (bench/tricks.py measures the cost). So they are frozen (left out of later
    collections). The model has no reference cycles: reference counting still frees it.
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
