"""`coachnotes watch` with a real watchdog observer on a real folder.

Tests wait for the watcher's own rebuilds (polling with a deadline), never for fixed times;
only "nothing else happens" needs a bounded quiet period.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from coachnotes.vault.layout import MARKER, role_of
from coachnotes.watch import Watcher
from conftest import TODAY, client_note, coachnotes_command, run_cli, session_note

JAN = "clients/jan/client.md"


def wait_until(predicate, timeout=10.0, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    raise AssertionError("timed out waiting")


class Running:
    """A Watcher running its loop in a thread, with its printed lines collected."""

    def __init__(self, root: Path):
        self.lines: list[str] = []
        self.watcher = Watcher(root, dt.date.fromisoformat(TODAY), self.lines.append)
        self.stop = threading.Event()
        self.watcher.start()
        self.watcher.full_build()
        self.thread = threading.Thread(target=self.watcher.run, args=(self.stop,), daemon=True)
        self.thread.start()

    @property
    def count(self) -> int:
        return len(self.watcher.rebuilds)

    def after(self, action, expected=1, settle=0.7):
        """Run `action`, wait for a rebuild, then for quiet; returns the new rebuilds."""
        before = self.count
        action()
        wait_until(lambda: self.count >= before + expected)
        self.quiet(settle)
        return self.watcher.rebuilds[before:]

    def quiet(self, seconds):
        """Wait until nothing has been rebuilt for `seconds`."""
        last = self.count
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.05)
            if self.count != last:
                last = self.count
                deadline = time.monotonic() + seconds

    def close(self):
        self.stop.set()
        self.watcher.events.put(None)
        self.thread.join(timeout=5)
        self.watcher.stop()


@pytest.fixture
def watched(make_vault):
    running = []

    def start(files):
        root = make_vault(files)
        running.append(Running(root))
        return root, running[-1]

    yield start
    for r in running:
        r.close()


def base_files():
    return {JAN: client_note(), "clients/jan/sessions/2026-11-20-coaching.md":
            session_note(date="2026-11-20", number=1, next="2026-12-01")}


def test_a_new_client_appears_in_the_index(watched):
    root, w = watched(base_files())
    assert "Piet" not in (root / "INDEX.md").read_text()

    def add():
        folder = root / "clients/piet"
        folder.mkdir()
        (folder / "client.md").write_text(client_note("piet", name="Piet Paulusma"))

    w.after(add)
    assert "Piet Paulusma" in (root / "INDEX.md").read_text()
    assert (root / "clients/piet/README.md").read_text().startswith(MARKER)


def save_in_place(path: Path, text: str):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def save_temp_then_rename(path: Path, text: str):
    temporary = path.with_name(f".{path.name}.sb-1234.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def save_like_vim(path: Path, text: str):
    swap = path.with_name(f".{path.name}.swp")
    swap.write_bytes(b"b0VIM 9.0")
    probe = path.with_name("4913")
    probe.write_text("")
    probe.unlink()
    backup = path.with_name(path.name + "~")
    os.rename(path, backup)
    path.write_text(text, encoding="utf-8")
    backup.unlink()
    swap.unlink()


@pytest.mark.parametrize("save", [save_in_place, save_temp_then_rename, save_like_vim],
                         ids=["in-place", "temp-then-rename", "vim"])
def test_each_editor_style_gives_exactly_one_rebuild(watched, save):
    root, w = watched(base_files())
    note = root / "clients/jan/sessions/2026-11-20-coaching.md"
    rebuilds = w.after(lambda: save(note, session_note(date="2026-11-20", number=1,
                                                       next="2026-12-04")))
    assert len(rebuilds) == 1 and rebuilds[0].reread == 1
    assert "2026-12-04" in (root / "FOLLOW-UPS.md").read_text()


def test_a_burst_of_writes_gives_few_rebuilds_and_the_final_content(watched):
    root, w = watched(base_files())
    note = root / "clients/jan/sessions/2026-11-20-coaching.md"

    def burst():
        for day in range(1, 31):
            save_in_place(note, session_note(date="2026-11-20", number=1,
                                             next=f"2026-12-{day:02d}"))

    rebuilds = w.after(burst)
    assert 1 <= len(rebuilds) <= 3
    assert "2026-12-30" in (root / "FOLLOW-UPS.md").read_text()


def test_a_broken_note_is_reported_then_cleared(watched):
    root, w = watched(base_files())
    note = root / "clients/jan/sessions/2026-11-20-coaching.md"
    good = note.read_text()
    (rebuild,) = w.after(lambda: save_in_place(note, "---\n- kapot\n---\n"))
    assert "E004" in [p.code for p in rebuild.appeared]
    assert any("+ clients/jan/sessions/2026-11-20-coaching.md:2: E004" in line
               for line in w.lines)
    # the broken note's old agreed date is not shown as current
    assert "2026-12-01" not in (root / "FOLLOW-UPS.md").read_text()
    (rebuild,) = w.after(lambda: save_in_place(note, good))
    assert "E004" in [p.code for p in rebuild.resolved] and rebuild.errors == 0
    assert any("E004 resolved" in line for line in w.lines)


def test_a_warning_is_not_solved_when_its_note_became_unreadable(watched):
    """SPEC §14 v4: watch says a problem is solved only when it is."""
    early = "clients/jan/sessions/2025-12-20-coaching.md"  # before the intake: W106
    root, w = watched({**base_files(), early: session_note(date="2025-12-20", number=2)})
    note = root / early
    good = note.read_text()
    (rebuild,) = w.after(lambda: save_in_place(note, "---\n- kapot\n---\n"))
    assert "E004" in [p.code for p in rebuild.appeared]
    assert "W106" not in [p.code for p in rebuild.resolved]  # hidden, not solved
    assert not any("W106 resolved" in line for line in w.lines)
    (rebuild,) = w.after(lambda: save_in_place(note, good))
    assert "E004" in [p.code for p in rebuild.resolved]
    assert "W106" in [p.code for p in rebuild.appeared]  # and it is back, as it should be


def test_a_deleted_client_disappears_from_the_pages(watched):
    files = base_files()
    files["clients/piet/client.md"] = client_note("piet", name="Piet Paulusma")
    root, w = watched(files)
    assert "Piet Paulusma" in (root / "INDEX.md").read_text()
    w.after(lambda: shutil.rmtree(root / "clients/piet"))
    assert "Piet Paulusma" not in (root / "INDEX.md").read_text()


def test_a_removed_client_note_takes_its_page_along(watched):
    files = base_files()
    files["clients/piet/client.md"] = client_note("piet", name="Piet Paulusma")
    root, w = watched(files)
    w.after(lambda: (root / "clients/piet/client.md").unlink())
    assert not (root / "clients/piet/README.md").exists()


def test_idle_after_a_change_rewrites_nothing_and_prints_nothing(watched):
    root, w = watched(base_files())
    note = root / "clients/jan/sessions/2026-11-20-coaching.md"
    w.after(lambda: save_in_place(note, session_note(date="2026-11-20", number=1,
                                                     next="2026-12-05")))
    pages = [root / p for p in ("INDEX.md", "FOLLOW-UPS.md", "clients/jan/README.md")]
    stamps = [p.stat().st_mtime_ns for p in pages]
    printed = len(w.lines)
    (root / JAN).read_text()  # reading fires inotify events too; they must not count
    time.sleep(1.2)  # four quiet periods: a rebuild would have begun
    assert [p.stat().st_mtime_ns for p in pages] == stamps
    assert len(w.lines) == printed


@pytest.mark.parametrize("rel, role", [
    ("clients/jan/sessions/a.md", "note"), ("clients/jan/client.md", "note"),
    ("clients/jan/README.md", "page"), ("INDEX.md", "page"), ("FOLLOW-UPS.md", "page"),
    ("RESULTS.md", "page"), ("clients/jan/sessions/README.md", "note"),
    ("clients/jan/sessions/.a.md.swp", None), ("clients/jan/sessions/a.md~", None),
    ("clients/jan/sessions/4913", None), ("clients/jan/.#client.md", None),
    ("clients/jan/sessions/.a.md.x.tmp", None), ("clients/jan/sessions/a.txt", None),
    ("clients/jan/sessions/a.conflict-laptop-20261127T101010.md", "conflict"),
    ("clients/jan/sessions/a.md~HEAD", "conflict"), ("Inbox/2026-02-01-coaching.md", "note"),
    ("a.conflict-laptop-20261127T101010.md", "conflict"), (".a.md.swp", None)])
def test_one_rule_says_what_a_path_is(rel, role):
    assert role_of(rel) == role


def test_a_generated_page_is_never_read_as_a_note_nor_searched(make_vault):
    """The one rule (vault.layout.role_of) holds where notes are listed, searched and watched:
    a client's README.md and INDEX.md are pages — written, never read as notes."""
    from coachnotes.answers.search import index_path, update
    from coachnotes.vault.layout import watched
    from coachnotes.vault.scan import discover

    root = make_vault(base_files())
    assert run_cli("--vault", str(root), "index", "--today", TODAY).returncode == 0
    assert (root / "clients/jan/README.md").exists() and (root / "INDEX.md").exists()
    listing = discover(root, reuse=False)
    notes = {rel for rel, _sig in listing.notes}
    assert "clients/jan/README.md" not in notes and "INDEX.md" not in notes
    assert {"clients/jan/README.md", "INDEX.md"} <= set(listing.pages)
    assert run_cli("--vault", str(root), "search", "Jan", "--files").returncode == 0
    before = index_path(root).read_bytes()
    update(root, "en", ["clients/jan/README.md", "INDEX.md"])  # a save of a page: nothing
    assert index_path(root).read_bytes() == before
    found = run_cli("--vault", str(root), "search", "Jan", "--files")
    assert "README.md" not in found.stdout and "INDEX.md" not in found.stdout
    # and the watcher looks at a page (to write it again when it was deleted)
    assert watched("clients/jan/README.md") and watched("INDEX.md")
    assert not watched("clients/jan/sessions/.a.md.swp") and not watched(".git/index")


def test_a_lost_event_is_caught_by_the_restat(make_vault):
    root = make_vault(base_files())
    lines: list[str] = []
    watcher = Watcher(root, dt.date.fromisoformat(TODAY), lines.append)
    watcher.full_build()  # no observer: every change is "lost"
    assert watcher.restat() is None
    save_in_place(root / "clients/jan/sessions/2026-11-20-coaching.md",
                  session_note(date="2026-11-20", number=1, next="2026-12-06"))
    rebuild = watcher.restat()
    assert rebuild is not None and rebuild.reread == 1
    assert "2026-12-06" in (root / "FOLLOW-UPS.md").read_text()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_command_starts_watching_and_stops_cleanly(make_vault, signum):
    root = make_vault(base_files())
    process = subprocess.Popen([coachnotes_command(), "--vault", str(root), "watch",
                                "--today", TODAY], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "watching" in line:
            break
    assert any("watching" in line for line in seen)
    (root / "clients/jan/sessions/2026-11-21-coaching.md").write_text(
        session_note(date="2026-11-21", number=2))
    for line in process.stdout:
        if "note(s) read" in line:
            break
    process.send_signal(signum)
    out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "Traceback" not in err


def test_sync_every_syncs_when_the_vault_is_quiet(tmp_path, git_env):
    from conftest import git, vault_with_remote

    root, remote = vault_with_remote(tmp_path, git_env)
    (root / "clients/jan").mkdir(parents=True)
    (root / JAN).write_text(client_note())
    lines: list[str] = []
    watcher = Watcher(root, dt.date.fromisoformat(TODAY), lines.append)
    watcher.start()
    stop = threading.Event()
    try:
        watcher.full_build()
        thread = threading.Thread(target=watcher.run, args=(stop, 0.02), daemon=True)
        thread.start()
        wait_until(lambda: any("synced:" in line for line in lines), timeout=30)
        assert "clients/jan/client.md" in git(remote, "show", "--name-only", "main")
        assert not any("sync:" in line and "synced" not in line for line in lines), lines
    finally:
        stop.set()
        watcher.events.put(None)
        watcher.stop()
