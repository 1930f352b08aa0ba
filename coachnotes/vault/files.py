"""Writing files without ever leaving half a file, and privately (SPEC §13)."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from coachnotes.i18n import _

FILE_MODE = 0o600

DIR_MODE = 0o700


def write_atomic(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Write `data` to a temporary file beside `path`, fsync it, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def create_exclusive(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Create a new file; raises FileExistsError rather than overwrite anything."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(handle, "wb") as out:
        out.write(data)


class NotRegular(OSError):
    """A pipe, device or socket where a file was expected: never opened for reading."""


def read_regular(path: Path | str, limit: int | None = None) -> bytes:
    """The bytes of a regular file (links followed). The open never blocks, so a FIFO in a
    note's or a page's place cannot hang a command; NotRegular for anything but a file,
    ValueError when it is larger than `limit` (it is not read)."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(0, _("is not a regular file (a pipe, device or socket)"), str(path))
        if limit is not None and info.st_size > limit:
            raise ValueError("too large")
        with os.fdopen(handle, "rb", closefd=False) as stream:
            return stream.read()
    finally:
        os.close(handle)


def rewrite_in_place(path: Path, data: bytes, backup: Path) -> None:
    """Give a note new bytes without replacing its inode, for the commands that edit a note
    an editor may hold open (`close`): an editor that saves through its open file then
    overwrites our edit — the coach's words win — instead of writing to a file that is no
    longer there. A copy of the old bytes is written (and synced) to `backup` first and
    removed afterwards, so a crash halfway leaves the old note beside the half-written one."""
    old = read_regular(path)
    write_atomic(backup, old)
    handle = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        os.write(handle, data)
        os.ftruncate(handle, len(data))
        os.fsync(handle)
    finally:
        os.close(handle)
    backup.unlink()
