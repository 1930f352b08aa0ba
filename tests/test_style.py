"""The shape of the code: ruff's rules (100 columns, complexity 10), layers that
import-linter holds, no import cycles, and one registry of problem codes that the checks and
the README follow."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from coachnotes.vault.codes import CODES, table

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "coachnotes"


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(REPO)],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def imports_of(path: Path) -> set[str]:
    """The coachnotes modules a module imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "coachnotes":  # `from coachnotes import x`: x may be a module
                found |= {f"coachnotes.{a.name}" for a in node.names if a.name != "__version__"}
            elif node.module.startswith("coachnotes."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("coachnotes.")}
    return found


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def test_no_module_imports_one_that_imports_it_back():
    every = modules()
    graph = {name: {t for t in imports_of(path) if t in every and t != name}
             for name, path in every.items()}

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            here = todo.pop()
            if here == goal:
                return True
            if here not in seen:
                seen.add(here)
                todo.extend(graph[here])
        return False

    cycles = sorted(f"{a} -> {b}" for a, targets in graph.items() for b in targets
                    if reaches(b, a))
    assert not cycles, cycles


def lint_imports(repo: Path) -> subprocess.CompletedProcess:
    """import-linter's contracts (setup.cfg) over the package in `repo`."""
    command = Path(sys.executable).parent / "lint-imports"
    env = {**os.environ, "PYTHONPATH": str(repo)}
    return subprocess.run([str(command), "--no-cache"], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_layers_hold_as_import_linter_checks_them():
    """vault < rules < answers < output < git < watch, authoring < commands < cli; the command
    line reaches the core only through commands; GitPython, click and watchdog each in its one
    place (setup.cfg's contracts), lazy imports included."""
    done = lint_imports(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 kept, 0 broken" in done.stdout


def test_a_wrong_arrow_breaks_the_contract(tmp_path):
    """The contracts can fail: the model importing sync (a layer above it) is caught."""
    shutil.copytree(PACKAGE, tmp_path / "coachnotes",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "setup.cfg", tmp_path / "setup.cfg")
    model = tmp_path / "coachnotes/vault/model.py"
    model.write_text(model.read_text() + "\n\ndef _wrong():\n    from coachnotes.git import sync\n")
    done = lint_imports(tmp_path)
    assert done.returncode != 0
    assert "coachnotes.vault.model -> coachnotes.git.sync" in done.stdout


def test_a_command_line_that_reaches_past_the_commands_breaks_the_seam(tmp_path):
    """The seam can fail: a click command that loads the vault itself is caught, even when it
    imports lazily inside the function (as every command of cli/ imports its command)."""
    shutil.copytree(PACKAGE, tmp_path / "coachnotes",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "setup.cfg", tmp_path / "setup.cfg")
    answers = tmp_path / "coachnotes/cli/answers.py"
    answers.write_text(answers.read_text() + "\n\ndef _wrong():\n"
                       "    from coachnotes.vault.load import load_vault\n")
    done = lint_imports(tmp_path)
    assert done.returncode != 0
    assert "coachnotes.cli.answers -> coachnotes.vault.load" in done.stdout


def test_every_code_the_package_raises_is_declared_once():
    used = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name != "codes.py":
            used |= set(re.findall(r"\"([EW]\d{3})\"", path.read_text(encoding="utf-8")))
    assert used, "no code found: the pattern no longer matches the sources"
    assert used <= set(CODES), sorted(used - set(CODES))


def test_readme_problem_table_is_made_from_the_registry():
    readme = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    start, end = "<!-- codes:start -->\n", "<!-- codes:end -->"
    assert readme[readme.index(start) + len(start): readme.index(end)].strip() == table()


def test_the_suite_runs_against_this_checkout():
    import coachnotes

    assert Path(coachnotes.__file__).resolve().parent == PACKAGE


def test_no_function_hides_the_message_function():
    """`_` is gettext in every module that imports it: a throwaway `_` (a loop variable, an
    unpacked value, a parameter) in one of its functions would make `_("...")` fail there."""
    import ast

    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if "from coachnotes.i18n import _" not in source:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                raise AssertionError(f"{path.name}:{node.lineno} binds `_`")
            if isinstance(node, ast.arg) and node.arg == "_":
                raise AssertionError(f"{path.name}:{node.lineno} has a parameter `_`")


def test_no_class_grows_past_300_lines():
    """A long class is a reason to look, never to cut: a class holds one idea however long it
    is (`Client`, `VaultState`: issue #34 undid the splits made for a 120-line cap); past 300
    lines it almost always holds two."""
    long = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > 300:
                long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}")
    assert long == []
