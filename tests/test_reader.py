"""The reader: every kind of bad input becomes a problem, never an exception or a lost note."""

from __future__ import annotations

import json
import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachnotes.rules.check import check
from coachnotes.vault.frontmatter import MAX_BYTES, parse_bytes, parse_text
from coachnotes.vault.load import load_vault
from conftest import TODAY, client_note, run_cli, session_note

CORPUS = Path(__file__).parent / "corpus"


def corpus_place(name: str) -> str:
    if name.endswith(".client.md"):
        return f"clients/{name[: -len('.client.md')].lower()}/client.md"
    return f"clients/corpus/sessions/{name}"


def expected_code(name: str) -> str | None:
    head = name.split("-", 1)[0]
    return None if head == "ok" else head


@pytest.fixture
def corpus_vault(make_vault, tmp_path):
    files: dict[str, bytes] = {corpus_place(p.name): p.read_bytes()
                               for p in sorted(CORPUS.iterdir())}
    files["clients/corpus/client.md"] = client_note("corpus").encode()
    files["clients/corpus/sessions/2026-02-01-coaching.md"] = session_note(
        "corpus", date="2026-02-01", next="2026-02-20").encode()
    files["clients/corpus/sessions/E001-huge.md"] = (
        session_note("corpus") + "x" * (MAX_BYTES + 10)).encode()
    root = make_vault(files)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(session_note("corpus"))
    os.symlink(outside / "secret.md", root / "clients/corpus/sessions/E001-link-out.md")
    os.symlink(outside, root / "clients/E001-folder-link-out")
    return root


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()
            and ".coachnotes" not in p.parts}


def assert_each_case_reported(problems: list[dict]) -> None:
    by_path: dict[str, set[str]] = {}
    for problem in problems:
        by_path.setdefault(problem["path"], set()).add(problem["code"])
    names = [p.name for p in CORPUS.iterdir()] + ["E001-huge.md", "E001-link-out.md"]
    for name in names:
        place = corpus_place(name)
        code = expected_code(name)
        found = {c for c in by_path.get(place, set()) if c.startswith("E")}
        if code is None:
            assert not found, f"{name}: unexpected {found}"
        else:
            assert code in found, f"{name}: expected {code}, got {found}"
    assert "E001" in by_path["clients/E001-folder-link-out"]
    # the good note beside the bad ones is read: its `next` date makes the client due
    assert not by_path.get("clients/corpus/sessions/2026-02-01-coaching.md")


def test_corpus_in_process_reports_each_case_and_reads_the_rest(corpus_vault):
    before = snapshot(corpus_vault)
    vault = load_vault(corpus_vault)
    problems = [p.as_dict() for p in check(vault, __import__("datetime").date(2026, 11, 27))]
    assert_each_case_reported(problems)
    assert "2026-02-01" in [str(s.date) for s in vault.clients["corpus"].sessions]
    json.dumps(problems)
    assert snapshot(corpus_vault) == before


def test_corpus_through_the_installed_command(corpus_vault):
    before = snapshot(corpus_vault)
    result = run_cli("--vault", str(corpus_vault), "check", "--json", "--today", TODAY,
                     cwd=corpus_vault, process=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert_each_case_reported(json.loads(result.stdout))
    assert snapshot(corpus_vault) == before
    assert not (corpus_vault / "coachnotes-pwned").exists()  # the python tag ran nothing
    text = run_cli("--vault", str(corpus_vault), "check", "--today", TODAY)
    assert "clients/corpus/sessions/E003-yaml-syntax.session.md:5: E003" in text.stdout


def test_yaml_error_points_at_its_line():
    parsed = parse_text("---\ntype: session\nclient: x\ndate: 2026-01-01\nkind: 'a\nb: 1\n---\n")
    assert [(line, code) for line, code, _ in parsed.problems] == [(6, "E003")]
    parsed = parse_text("---\ntype: session\nclient: x\ndate: 2026-01-01\nkind: a: b\n---\n")
    assert [(line, code) for line, code, _ in parsed.problems] == [(5, "E003")]


def test_key_lines_follow_the_file_including_blank_lines_after_the_opening():
    parsed = parse_text("---\n\n\ntype: session\nactions:\n  - text: a\n    due: 2026-01-01\n---\n")
    assert parsed.lines["type"] == 4
    assert parsed.lines["actions.0.due"] == 7


def test_dutch_date_hint_gives_the_iso_spelling(make_vault):
    root = make_vault({"clients/jan/client.md": client_note(),
                       "clients/jan/sessions/a.md": session_note(date="12-01-2026")})
    problems = check(load_vault(root), __import__("datetime").date(2026, 11, 27))
    messages = [p.message for p in problems if p.code == "E012"]
    assert any("e.g. 2026-01-12" in m for m in messages)


text_strategy = st.text(st.characters(codec="utf-8"), max_size=400)
yaml_ish = st.lists(st.sampled_from(["---", "type: session", "client: jan", "date: 2026-01-12",
                                     "kind: coaching", "  - a", "a: [", "x: &a [1]", "y: *a",
                                     "<<<<<<< HEAD", "2024: x", "!!binary", "key: 'q", "? [a]",
                                     ": :", "- -", "\t", "date: 2026-02-30", ""]),
                    max_size=20).map("\n".join)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(text_strategy, yaml_ish, st.binary(max_size=300)))
def test_reader_never_raises_and_lines_lie_inside_the_file(source):
    raw = source if isinstance(source, bytes) else source.encode("utf-8")
    parsed = parse_bytes(raw)
    line_count = max(1, raw.count(b"\n") + raw.count(b"\r") + 1)
    for line, code, message in parsed.problems:
        assert 1 <= line <= line_count, (line, code, message)
        assert code[0] in "EW" and message
    for line in parsed.lines.values():
        assert 1 <= line <= line_count


keys = st.text(string.ascii_letters + "_-", min_size=1, max_size=12)
scalars = st.one_of(st.integers(), st.booleans(), st.none(), st.text(max_size=30),
                    st.dates().map(str))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, scalars, max_size=6))
def test_valid_notes_with_random_extra_keys_stay_valid(extra):
    import yaml

    base = {"type": "session", "client": "jan", "date": "2026-01-12", "kind": "coaching"}
    fields = {k: v for k, v in extra.items() if k not in base and k not in
              {"number", "duration", "next", "follow_up", "actions"}}
    text = "---\n" + "\n".join(f"{k}: {v}" for k, v in base.items()) + "\n" + \
        (yaml.safe_dump(fields, allow_unicode=True) if fields else "") + "---\nbody\n"
    parsed = parse_text(text)
    assert parsed.data is not None
    assert [p for p in parsed.problems if p[1] != "E012"] == []  # E012 only for non-text keys
    for line in parsed.lines.values():
        assert 1 <= line <= text.count("\n")
