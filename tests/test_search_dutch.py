"""Search that reads Dutch as coaches write it (SPEC §17, v4): verb forms, derivations and
compounds found, neighbours by spelling not, the exact word and the goals first, and comments
never searched — over the query set of tests/dutch_queries.py."""

from __future__ import annotations

import pytest
from dutch_queries import FIRST, NOTES, QUERIES

from conftest import run_cli

# Its module-scoped fixtures are built once: all its tests run on one worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("search-dutch")


@pytest.fixture(scope="module")
def vault(tmp_path_factory):
    from conftest import settle, write_files

    root = tmp_path_factory.mktemp("dutch")
    (root / "coachnotes.yml").write_text("language: nl\nretention_years: 2\n", encoding="utf-8")
    write_files(root, NOTES)
    settle()
    return root


def found(root, query: str) -> list[str]:
    from coachnotes.answers.search import Filters, search

    return [hit.path for hit in search(root, "nl", [query], Filters(), limit=100).hits]


@pytest.mark.parametrize("query", sorted(QUERIES))
def test_each_query_finds_what_it_must_and_not_what_it_must_not(vault, query):
    must, must_not = QUERIES[query]
    hits = set(found(vault, query))
    assert must <= hits, f"{query}: missing {sorted(must - hits)}"
    assert not hits & must_not, f"{query}: found {sorted(hits & must_not)}"


@pytest.mark.parametrize("query", sorted(FIRST))
def test_the_exact_word_and_the_goals_rank_first(vault, query):
    assert found(vault, query)[0] == FIRST[query]


def test_a_result_line_is_never_inside_a_comment_and_the_command_speaks_dutch(vault):
    done = run_cli("--vault", str(vault), "search", "sollicitatiebrief")
    assert done.returncode == 0, done.stderr
    assert "2026-10-05-coaching.md:10:" in done.stdout
    assert "**sollicitatiebrieven**" in done.stdout
    nothing = run_cli("--vault", str(vault), "search", "geheimehint")
    assert nothing.returncode == 1 and "geheimehint" not in nothing.stdout


def test_the_query_set_is_large_enough_to_mean_something():
    assert len(QUERIES) >= 40
    assert sum(len(must) for must, _not in QUERIES.values()) >= 80


def test_while_watch_runs_a_search_trusts_its_mark_and_never_misses_a_save(tmp_path):
    """The watcher marks the index fresh (a search then lists no note); a save takes the mark
    off before the watcher has even seen it, so a search right after the save finds it."""
    import subprocess
    import time

    from coachnotes.answers import search as engine
    from conftest import coachnotes_command, write_files

    root = tmp_path / "v"
    root.mkdir()
    (root / "coachnotes.yml").write_text("language: nl\nretention_years: 2\n", encoding="utf-8")
    write_files(root, {k: v for k, v in NOTES.items() if "/eva/" in k})
    time.sleep(2.1)
    assert found(root, "samenwerking")  # the first search makes the index
    generation = lambda: engine.sqlite3.connect(engine.index_path(root)).execute(  # noqa: E731
        "SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
    assert not engine.vouched(root, generation())  # no watcher: every search lists the notes
    watch = subprocess.Popen([coachnotes_command(), "--vault", str(root), "watch"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not engine.vouched(root, generation()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert engine.vouched(root, generation())
        for n in range(3):
            (root / "clients/eva/sessions" / f"2026-11-1{n}-coaching.md").write_text(
                "---\ntype: session\nclient: eva\ndate: 2026-11-1%d\nkind: coaching\n---\n\n"
                "Een woord dat nieuw is: kwartiermaker%d.\n" % (n, n), encoding="utf-8")
            # searched before the watcher's 300 ms of quiet are over, let alone its rebuild;
            # the kernel tells the watcher of a save within milliseconds (a person takes
            # longer to type a query)
            time.sleep(0.1)
            assert found(root, f"kwartiermaker{n}") == [
                f"clients/eva/sessions/2026-11-1{n}-coaching.md"]
    finally:
        watch.terminate()
        watch.communicate(timeout=15)
    assert not engine.vouched(root, generation())  # gone with the watcher
