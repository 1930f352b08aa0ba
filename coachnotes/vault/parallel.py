"""Reading many notes on two cores: a forked child does half the work and hands its results
back through a pipe (`parallel_map`). The one place that forks, with the signal masks that keep
a Ctrl-C from running our callers' code in the child or leaving it behind as an orphan."""

from __future__ import annotations

import marshal
import os
import sys
from typing import Any, Callable

PARALLEL_FROM = 1000  # notes to read before a second process pays for itself


def parallel_map(items: list[str], work: Callable[[str], Any],
                 parallel_from: int | None = None) -> list[Any]:
    """[work(item) for item in items]; with many items, a forked child does the first half.

    Parsing is CPU-bound and every note stands alone, so on a second core this is ~30 % off a
    cold read (bench/tricks.py). `work` must return marshallable values. Whatever goes wrong in
    the child, the parent does that half itself.
    """
    if len(items) < (PARALLEL_FROM if parallel_from is None else parallel_from) \
            or not _may_fork():
        return [work(item) for item in items]
    import signal

    half = len(items) // 2
    theirs, mine = items[:half], items[half:]
    reader, writer = os.pipe()
    # Ctrl-C waits until the child stands inside its try, so it can never run our callers' code
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(reader)
        os.close(writer)
        return [work(item) for item in items]
    if pid == 0:  # the child: do its share, hand it over, leave without any clean-up
        status = 1
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(reader)
            with os.fdopen(writer, "wb") as out:
                out.write(marshal.dumps([work(item) for item in theirs]))
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    pipe = os.fdopen(reader, "rb")
    try:
        # a Ctrl-C held back while forking lands here, inside the try: the child is killed
        # (unmasked before it, it left the child reading on as an orphan)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        own = [work(item) for item in mine]
        data = pipe.read()
    except BaseException:  # Ctrl-C, say: the child's work is no longer wanted
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        pipe.close()
        _pid, status = os.waitpid(pid, 0)
    found = None
    if status == 0:
        try:
            found = marshal.loads(data)
        except (ValueError, EOFError, TypeError):
            pass
    if not isinstance(found, list) or len(found) != len(theirs):
        found = [work(item) for item in theirs]
    return found + own


def _may_fork() -> bool:
    """Fork only on Linux, from a process with one thread (no lock can be held by another),
    with a second core to run on."""
    import threading

    return (sys.platform.startswith("linux") and threading.active_count() == 1
            and len(os.sched_getaffinity(0)) > 1)
