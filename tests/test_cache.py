"""The saved index: warm answers equal cold ones, every change is seen, damage is repaired."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachnotes.answers.due import Window, due_items, query_due
from coachnotes.rules.check import check
from coachnotes.vault.cache import load_blob
from coachnotes.vault.load import load_vault
from coachnotes.vault.scan import discover
from conftest import (
    TODAY,
    client_note,
    coachnotes_command,
    git,
    run_cli,
    session_note,
    settle,
    write_files,
)

TODAY_DATE = dt.date.fromisoformat(TODAY)
JAN = "clients/jan/client.md"
NOTE = "clients/jan/sessions/a.md"


def answers(root, use_cache=True):
    vault = load_vault(root, use_cache=use_cache)
    records = {rel: (r.type, r.values, r.lines, [tuple(p) for p in r.problems])
               for rel, r in vault.records.items()}
    return records, check(vault, TODAY_DATE), due_items(vault, TODAY_DATE, Window(None))


def test_warm_answers_equal_cold_answers_on_the_example_and_the_corpus(example_copy,
                                                                        make_vault):
    from test_reader import CORPUS, corpus_place

    corpus = make_vault({corpus_place(p.name): p.read_bytes() for p in CORPUS.iterdir()})
    for root in (example_copy, corpus):
        cold = answers(root, use_cache=False)
        answers(root)  # fills the cache
        assert answers(root) == cold
        assert list((root / ".coachnotes").glob("records-*.marshal"))


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(make_vault):
    root = make_vault({JAN: client_note(), NOTE: session_note(next="2026-12-01")})
    path = root / NOTE
    before = path.stat()
    path.write_text(path.read_text().replace("2026-12-01", "2026-12-02"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    (item,) = due_items(load_vault(root), TODAY_DATE, Window(None))
    assert item.due == dt.date(2026, 12, 2)  # ctime changed, so the note was read again


def test_adding_deleting_and_renaming_notes_is_seen(make_vault):
    root = make_vault({JAN: client_note(), NOTE: session_note(next="2026-12-01")})
    (root / "clients/jan/sessions/b.md").write_text(session_note(date="2026-11-21",
                                                                 next="2026-12-03"))
    assert [i.due.day for i in due_items(load_vault(root), TODAY_DATE, Window(None))] == [3]
    (root / "clients/jan/sessions/b.md").unlink()
    assert [i.due.day for i in due_items(load_vault(root), TODAY_DATE, Window(None))] == [1]
    os.rename(root / NOTE, root / "clients/jan/sessions/c.md")
    (item,) = due_items(load_vault(root), TODAY_DATE, Window(None))
    assert item.path == "clients/jan/sessions/c.md"
    os.rename(root / "clients/jan/sessions/c.md", root / "clients/jan/c.md")
    problems = check(load_vault(root), TODAY_DATE)
    assert ("clients/jan/c.md", "E021") in [(p.path, p.code) for p in problems]


def record_files(root: Path) -> list[Path]:
    return sorted((root / ".coachnotes").glob("records-*.marshal"))


def test_a_corrupt_cache_is_replaced_with_a_warning(make_vault):
    root = make_vault({JAN: client_note(), NOTE: session_note(next="2026-12-01")})
    (root / ".coachnotes/due.marshal").unlink(missing_ok=True)  # so that due needs the records
    for path in record_files(root):
        path.write_bytes(b"cn\x02" + b"this is not a cache" * 100)
    result = run_cli("--vault", str(root), "due", "--json", "--all", "--today", TODAY)
    assert result.returncode == 0
    assert "warning: the cache" in result.stderr and "rebuilt" in result.stderr
    assert '"due": "2026-12-01"' in result.stdout
    assert saved_records(root) == {JAN, NOTE}  # written anew


def test_records_of_another_reader_version_are_never_used(make_vault):
    from coachnotes.vault.cache import pack, unpack

    root = make_vault({JAN: client_note(), NOTE: session_note(next="2026-12-01")})
    for path in record_files(root):
        _, records = unpack(path.read_bytes())
        path.write_bytes(pack(("an-older-coachnotes", records)))
    (root / NOTE).write_text(session_note(next="2026-12-24"))
    os.utime(root / NOTE, ns=(0, 0))  # as old as can be: only the stamp tells
    (item,) = due_items(load_vault(root), TODAY_DATE, Window(None))
    assert item.due == dt.date(2026, 12, 24)


def test_the_cache_is_private_and_never_committed(tmp_path, git_env):
    root = tmp_path / "v"
    assert run_cli("init", str(root), "--language", "en", env=git_env).returncode == 0
    (root / "clients/jan").mkdir()
    (root / JAN).write_text(client_note())
    git(root, "add", "-A")
    git(root, "commit", "-qm", "jan")
    assert run_cli("--vault", str(root), "check", env=git_env).returncode == 0
    assert stat.S_IMODE((root / ".coachnotes").stat().st_mode) == 0o700
    assert record_files(root)
    for path in (root / ".coachnotes").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert git(root, "status", "--porcelain") == ""


def test_several_processes_at_once_agree(make_vault):
    files = {JAN: client_note()}
    for n in range(60):
        files[f"clients/jan/sessions/{n:02d}.md"] = session_note(
            date="2026-11-01", actions=[{"text": f"actie {n}", "due": dt.date(2026, 12, 1)}])
    root = make_vault(files)
    shutil.rmtree(root / ".coachnotes")
    for _ in range(3):
        processes = [subprocess.Popen([coachnotes_command(), "--vault", str(root), "due",
                                       "--json", "--all", "--today", TODAY],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(4)]
        (root / "clients/jan/sessions/00.md").write_text(session_note(
            date="2026-11-01", actions=[{"text": "actie 0", "due": dt.date(2026, 12, 2)}]))
        outputs = [p.communicate(timeout=60) for p in processes]
        assert all(p.returncode == 0 for p in processes), outputs
        time.sleep(0.01)
    final = run_cli("--vault", str(root), "due", "--json", "--all", "--today", TODAY)
    assert final.stdout.count('"due": "2026-12-02"') == 1
    assert final.stdout == run_cli("--vault", str(root), "due", "--json", "--all", "--today",
                                   TODAY).stdout


def test_due_from_the_cache_equals_due_from_the_notes(example_copy):
    from coachnotes.answers.due import due_with_refs, query_due

    def cold(today):
        everything = Window(None, undated=True)
        return due_with_refs(load_vault(example_copy, use_cache=False), today, everything)

    for _ in range(2):  # the first fills the cache, the second answers from it
        _, pairs, _ = query_due(example_copy, TODAY_DATE, show_all=True)
        assert pairs == cold(TODAY_DATE)
    # the answer follows the date: ten days on, Anouk's prepared note of 3 December is held
    later = TODAY_DATE + dt.timedelta(days=10)
    _, pairs, _ = query_due(example_copy, later, show_all=True)
    assert pairs == cold(later) != cold(TODAY_DATE)
    note = example_copy / "clients/bram-hoekstra/sessions/2026-11-18-intake.md"
    note.write_text(note.read_text().replace("next: 2026-12-02", "next: 2026-12-09"))
    _, pairs, _ = query_due(example_copy, TODAY_DATE, client_id="bram-hoekstra")
    assert [i.due for i, _ in pairs] == [dt.date(2026, 12, 9)]


def saved_records(root) -> set[str]:
    """The notes whose records the cache holds."""
    from coachnotes.vault.cache import unpack

    found: set[str] = set()
    for path in record_files(root):
        found |= set(unpack(path.read_bytes())[1])
    return found


def test_nothing_read_right_after_a_change_is_kept_until_the_change_has_settled(make_vault):
    # Two writes within one tick of the file system's clock can leave size, mtime and ctime
    # equal; so a note read within the racy margin of its last change is read again next time.
    root = make_vault({JAN: client_note(), NOTE: session_note(next="2026-12-01")})
    assert saved_records(root) == {JAN, NOTE}
    (root / NOTE).write_text(session_note(next="2026-12-02"))
    (root / ".coachnotes/due.marshal").unlink(missing_ok=True)
    (item,) = query_due(root, TODAY_DATE)[1]
    assert item[0].due == dt.date(2026, 12, 2)
    assert saved_records(root) == {JAN}  # the fresh note was read, and not kept
    assert not (root / ".coachnotes/due.marshal").exists()
    settle()
    (item,) = query_due(root, TODAY_DATE)[1]
    assert item[0].due == dt.date(2026, 12, 2)
    assert saved_records(root) == {JAN, NOTE}
    assert (root / ".coachnotes/due.marshal").exists()


def test_by_default_a_vault_written_this_second_is_not_cached(tmp_path):
    root = write_files(tmp_path / "v", {"coachnotes.yml": "", JAN: client_note(),
                                        NOTE: session_note(next="2026-12-01")})
    env = {"COACHNOTES_RACY_SECONDS": ""}  # unset: the default margin of 2 s
    for _ in range(2):
        result = run_cli("--vault", str(root), "due", "--json", "--today", TODAY, env=env)
        assert '"due": "2026-12-01"' in result.stdout
    assert not (root / ".coachnotes/due.marshal").exists()
    assert saved_records(root) == set()


OPERATIONS = st.lists(st.sampled_from([
    "add-session", "add-client", "delete-note", "rename-note", "move-note", "conflict-copy",
    "client-page", "link-in", "link-out", "hidden-folder", "rewrite", "remove-client",
    "empty-folder"]), min_size=1, max_size=6)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS, pick=st.integers(0, 1000))
def test_reused_folder_listings_always_equal_a_fresh_listing(make_vault, tmp_path, operations,
                                                             pick):
    root = make_vault({JAN: client_note(), NOTE: session_note(),
                       "clients/eva/client.md": client_note(name="Eva"),
                       "clients/eva/sessions/x.md": session_note("eva")})
    outside = tmp_path / "outside.md"
    outside.write_text(session_note())
    discover(root)
    _, trusted, saved = load_blob(root, "folders")
    assert trusted and {"clients/jan/sessions", "clients/eva"} <= set(saved)  # reused
    for n, operation in enumerate(operations):
        notes = sorted(rel for rel, _ in discover(root, reuse=False).notes)
        victim = root / notes[pick % len(notes)] if notes else None
        folder = root / "clients/jan/sessions"
        folder.mkdir(parents=True, exist_ok=True)
        if operation == "add-session":
            (folder / f"new-{n}.md").write_text(session_note())
        elif operation == "add-client":
            write_files(root, {f"clients/c{n}/client.md": client_note()})
        elif operation == "delete-note" and victim:
            victim.unlink()
        elif operation == "rename-note" and victim:
            victim.rename(victim.with_name(f"renamed-{n}.md"))
        elif operation == "move-note" and victim:
            victim.rename(folder / f"moved-{n}.md")
        elif operation == "conflict-copy":
            (folder / f"a.conflict-laptop-{n}.md").write_text(session_note())
        elif operation == "client-page":
            write_files(root, {"clients/eva/README.md": "page\n"})
        elif operation == "link-in" and victim:
            os.symlink(victim, folder / f"link-{n}.md")
        elif operation == "link-out":
            os.symlink(outside, folder / f"out-{n}.md")
        elif operation == "hidden-folder":
            write_files(root, {f"clients/jan/.trash{n}/old.md": session_note()})
        elif operation == "rewrite" and victim:
            victim.write_text(victim.read_text() + "meer\n")
        elif operation == "remove-client":
            shutil.rmtree(root / "clients/eva", ignore_errors=True)
        elif operation == "empty-folder":
            (root / f"clients/leeg{n}").mkdir()
        settle()  # so that the listings taken now are kept and reused at the next step
        reused, fresh = discover(root), discover(root, reuse=False)
        assert (reused.notes, reused.conflicts, reused.pages, reused.unreadable) == \
            (fresh.notes, fresh.conflicts, fresh.pages, fresh.unreadable), operation


def test_notes_read_by_two_processes_equal_notes_read_by_one(example_copy, make_vault):
    from test_reader import CORPUS, corpus_place

    from coachnotes.vault.load import read_record
    from coachnotes.vault.model import NoteRecord
    from coachnotes.vault.parallel import _may_fork, parallel_map

    def work(root):
        def one(rel):
            r = read_record(rel, root / rel)
            return r.type, r.values, r.packed_lines(), r.problems
        return one

    def read_notes(root, rels, parallel_from):  # what load.read_notes does, forking at will
        return {rel: NoteRecord(rel, *found) for rel, found in
                zip(rels, parallel_map(rels, work(root), parallel_from))}

    if not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core, or not Linux: notes are read by one process")
    import threading

    deadline = time.monotonic() + 3  # a thread that is ending may take a moment
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _may_fork(), f"threads an earlier test left running: {threading.enumerate()}"
    corpus = make_vault({corpus_place(p.name): p.read_bytes() for p in CORPUS.iterdir()})
    many = make_vault({JAN: client_note(), **{
        f"clients/jan/sessions/{n:04d}.md": session_note(date="2026-01-12", actions=[
            {"text": f"actie {n}", "due": dt.date(2026, 12, 1)}]) for n in range(1500)}})
    children = os.times().children_user + os.times().children_system
    for root in (example_copy, corpus, many):
        rels = [rel for rel, _ in discover(root, reuse=False).notes]
        one = read_notes(root, rels, parallel_from=len(rels) + 1)
        two = read_notes(root, rels, parallel_from=2)
        assert list(two) == list(one) == rels
        assert {rel: (r.type, r.values, r.lines, r.problems) for rel, r in two.items()} == \
            {rel: (r.type, r.values, r.lines, r.problems) for rel, r in one.items()}
    assert os.times().children_user + os.times().children_system > children  # a child read


def test_ctrl_c_during_a_cold_read_aborts_cleanly_and_leaves_no_process(tmp_path):
    import signal
    import sys

    root = tmp_path / "groot"
    bench = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
    subprocess.run([sys.executable, str(bench), str(root), "--clients", "400"], check=True,
                   capture_output=True)
    aborted = 0
    for delay in (0.0, 0.1, 0.3):
        shutil.rmtree(root / ".coachnotes", ignore_errors=True)
        process = subprocess.Popen([coachnotes_command(), "--vault", str(root), "check",
                                    "--today", TODAY], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
        # the cache folder is made inside run(), once Python has imported everything: from
        # then on a Ctrl-C is the command's to handle (before it, Python's own start-up)
        deadline = time.monotonic() + 30
        while not (root / ".coachnotes").exists() and process.poll() is None and \
                time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        _, err = process.communicate(timeout=60)
        assert "Traceback" not in err, err
        if process.returncode == 1 and "Afgebroken." in err:
            aborted += 1
            time.sleep(0.1)
            try:
                os.killpg(process.pid, 0)
                raise AssertionError("a process of the aborted check is still running")
            except ProcessLookupError:
                pass
        else:  # it had finished the read already: it ended as a check ends
            assert process.returncode in (0, 1) and "Afgebroken." not in err, err
    assert aborted >= 2


def flip_a_byte(path: Path, at: float = 0.6) -> None:
    data = bytearray(path.read_bytes())
    data[int(len(data) * at)] ^= 0x20  # one bit, as a failing disk or a torn copy would
    path.write_bytes(bytes(data))


def test_a_damaged_saved_answer_is_noticed_replaced_and_never_used(example_copy):
    due = ("--vault", str(example_copy), "due", "--all", "--json", "--today", TODAY)
    index = ("--vault", str(example_copy), "index", "--today", TODAY)
    cold = run_cli(*due).stdout
    pages = {p: p.read_bytes() for p in example_copy.rglob("*.md")}
    assert run_cli(*index).returncode == 0
    for name, reader in (("folders", due), ("due", due), ("settings-nl", due), ("pages", index)):
        blob = example_copy / f".coachnotes/{name}.marshal"
        flip_a_byte(blob)
        result = run_cli(*reader)
        assert result.returncode == 0, result.stderr
        assert f"waarschuwing: de cache .coachnotes/{name}.marshal was beschadigd" in result.stderr
        assert run_cli(*due).stdout == cold
        assert run_cli(*index).returncode == 0
        assert {p: p.read_bytes() for p in example_copy.rglob("*.md")} == pages
        assert "beschadigd" not in run_cli(*reader).stderr  # replaced by a sound one


def test_a_damaged_part_of_the_records_is_read_again(make_vault):
    root = make_vault({JAN: client_note(), NOTE: session_note(next="2026-12-01")})
    (blob,) = [p for p in record_files(root) if p.stat().st_size > 200]
    flip_a_byte(blob)
    (root / ".coachnotes/due.marshal").unlink(missing_ok=True)  # so that due needs the records
    result = run_cli("--vault", str(root), "due", "--json", "--all", "--today", TODAY)
    assert f"warning: the cache .coachnotes/{blob.name} was damaged" in result.stderr
    assert '"due": "2026-12-01"' in result.stdout
    assert saved_records(root) == {JAN, NOTE}  # written anew


def test_folder_listings_are_reused_only_where_a_probe_showed_folders_tell_changes(make_vault):
    from coachnotes.vault.cache import save_blob
    from coachnotes.vault.scan import _folders_show_changes

    root = make_vault({JAN: client_note(), NOTE: session_note(next="2026-12-01")})
    assert _folders_show_changes(root)  # ext4 here; some FUSE mounts keep folder times still
    assert not list((root / ".coachnotes").glob("probe-*"))
    device, trusted, saved = load_blob(root, "folders")
    assert trusted and device == root.stat().st_dev
    # a saved listing that misses the note, under the folder's true signature
    sig, names, *rest = saved["clients/jan/sessions"]
    planted = {**saved, "clients/jan/sessions": (sig, [], *rest)}
    save_blob(root, "folders", (device, True, planted))
    assert NOTE not in dict(discover(root).notes)  # trusted: used (this is what it would do)
    save_blob(root, "folders", (device, False, planted))
    assert NOTE in dict(discover(root).notes)  # not trusted: never used
    save_blob(root, "folders", (device + 1, True, planted))
    assert NOTE in dict(discover(root).notes)  # another device: probed again, listed anew


TIMES = st.integers(-(1 << 63), (1 << 63) - 1)  # nanoseconds, before 1970 and after 2200 too


@given(a=st.tuples(st.integers(0, 1 << 40), TIMES, TIMES),
       b=st.tuples(st.integers(0, 1 << 40), TIMES, TIMES))
def test_a_signature_tells_apart_any_two_sizes_and_times(a, b):
    from types import SimpleNamespace

    from coachnotes.vault.cache import changed_ns, signature

    def sig(size, mtime, ctime):
        return signature(SimpleNamespace(st_size=size, st_mtime_ns=mtime, st_ctime_ns=ctime))

    assert (sig(*a) == sig(*b)) == (a == b)
    assert changed_ns(sig(*a)) == a[2]
