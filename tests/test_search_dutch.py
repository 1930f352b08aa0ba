"""Search that reads Dutch as coaches write it (SPEC §17, v4): verb forms, derivations and
compounds found, neighbours by spelling not, the exact word and the goals first, and comments
never searched — over the query set of tests/dutch_queries.py."""

from __future__ import annotations

import pytest
from dutch_queries import FIRST, NOTES, QUERIES

from conftest import run_cli


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
