"""The watcher's `VaultState` without watchdog: after any edits, applied one folder at a time,
it holds the same problems and renders the same pages as a fresh read of the whole vault."""

from __future__ import annotations

import datetime as dt
import shutil

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coachnotes.output.pages import render_pages
from coachnotes.rules.check import check
from coachnotes.vault.load import load_vault
from coachnotes.watch import VaultState
from conftest import TODAY, client_note, session_note, settle

DAY = dt.date.fromisoformat(TODAY)
CLIENTS = ["jan", "piet", "kees"]


def client_file(cid: str, variant: int) -> str:
    if variant == 0:
        return client_note(cid, name=f"Naam {cid}")
    if variant == 1:
        return client_note(cid, name=f"Naam {cid}", status="follow-up", end_date="2026-09-01")
    if variant == 2:
        return client_note(cid, name=f"Naam {cid}", id="jan")  # E023, and E022 beside jan
    return "---\nname: [niet gesloten\n---\n"  # E003


def session_file(owner: str, variant: int) -> str:
    if variant == 0:
        return session_note(owner, date="2026-11-20", number=1, next="2026-12-01")
    if variant == 1:
        return session_note(owner, date="2026-10-01", number=1, actions=[
            {"text": "bellen", "due": dt.date(2026, 12, 3)}])
    if variant == 2:
        return session_note("kees", date="2026-11-02", kind="follow-up")  # E021/E020 elsewhere
    return "geen front matter\n"  # E002


operation = st.one_of(
    st.tuples(st.just("client"), st.sampled_from(CLIENTS), st.integers(0, 3)),
    st.tuples(st.just("session"), st.sampled_from(CLIENTS), st.integers(0, 3)),
    st.tuples(st.just("delete-client"), st.sampled_from(CLIENTS), st.just(0)),
    st.tuples(st.just("delete-session"), st.sampled_from(CLIENTS), st.just(0)),
    st.tuples(st.just("remove-folder"), st.sampled_from(CLIENTS), st.just(0)),
    st.tuples(st.just("loose"), st.just(""), st.integers(0, 1)),
    st.tuples(st.just("settings"), st.just(""), st.integers(0, 1)),
)


def perform(root, op) -> list:
    """Do one edit; returns the paths an observer would report."""
    kind, cid, variant = op
    folder = root / "clients" / cid
    if kind == "client":
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "client.md").write_text(client_file(cid, variant))
        return [folder, folder / "client.md"]
    if kind == "session":
        (folder / "sessions").mkdir(parents=True, exist_ok=True)
        path = folder / "sessions" / "2026-11-20-coaching.md"
        path.write_text(session_file(cid, variant))
        return [folder, folder / "sessions", path]
    if kind == "delete-client":
        (folder / "client.md").unlink(missing_ok=True)
        return [folder / "client.md"]
    if kind == "delete-session":
        path = folder / "sessions" / "2026-11-20-coaching.md"
        path.unlink(missing_ok=True)
        return [path]
    if kind == "remove-folder":
        shutil.rmtree(folder, ignore_errors=True)
        return [folder]
    if kind == "loose":
        path = root / "clients" / "los.md"
        path.write_text(session_file("jan", 0) if variant else client_file("los", 0))
        return [path]
    (root / "coachnotes.yml").write_text(
        f"language: en\nstalled_after_days: {10 + variant * 100}\n")
    return [root / "coachnotes.yml"]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, min_size=1, max_size=8))
@example([("client", "piet", 2), ("delete-client", "jan", 0)])  # E022 leaves unchanged piet
@example([("session", "piet", 2), ("client", "kees", 0)])  # E020 leaves piet when kees comes
def test_incremental_state_equals_a_fresh_read(make_vault, operations):
    root = make_vault({"clients/jan/client.md": client_file("jan", 0),
                       "clients/jan/sessions/2026-11-20-coaching.md": session_file("jan", 0)})
    state = VaultState(root, lambda: DAY)
    rebuild, pages = state.rebuild(state.load())
    state.write(pages, rebuild)
    for op in operations:
        paths = perform(root, op)
        changes = state.apply(str(p) for p in paths)
        if changes:
            rebuild, pages = state.rebuild(changes)
            state.write(pages, rebuild)
        fresh = load_vault(root, use_cache=False)
        problems = check(fresh, DAY)
        assert sorted(state.problems) == problems, op
        expected = render_pages(fresh, DAY, problems)
        for rel, text in expected.items():
            assert (root / rel).read_text(encoding="utf-8") == text, (op, rel)
        assert set(state.views) == set(fresh.clients)
    settle()


def test_one_save_re_reads_one_note_and_renders_one_client_page(make_vault):
    files = {f"clients/c{n}/client.md": client_note(f"c{n}", name=f"C {n}") for n in range(30)}
    files["clients/c7/sessions/2026-11-20-coaching.md"] = session_file("c7", 0)
    root = make_vault(files)
    state = VaultState(root, lambda: DAY)
    state.rebuild(state.load())
    note = root / "clients/c7/sessions/2026-11-20-coaching.md"
    note.write_text(session_note("c7", date="2026-11-20", number=1, next="2026-12-09"))
    changes = state.apply([str(note)])
    assert changes.reread == 1 and changes.folders == {"c7"} and not changes.everything
    rebuild, pages = state.rebuild(changes)
    assert sorted(pages) == ["FOLLOW-UPS.md", "INDEX.md", "RESULTS.md", "clients/c7/README.md"]
    assert "2026-12-09" in pages["FOLLOW-UPS.md"]
