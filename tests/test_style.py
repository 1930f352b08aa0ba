"""The shape of the code: ruff's rules (100 columns, complexity 15), layers without import
cycles, and one registry of problem codes that the checks and the README follow."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from coachnotes.codes import CODES, table

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


def test_no_module_imports_one_that_imports_it_back():
    graph = {f"coachnotes.{p.stem}": imports_of(p) for p in PACKAGE.glob("*.py")
             if p.stem != "__init__"}
    graph = {m: {t for t in targets if t in graph and t != m} for m, targets in graph.items()}

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


LAYERS = ["errors", "i18n", "files", "texts", "layout", "redact", "codes", "erasures", "schema",
          "model", "cache", "scan", "frontmatter", "load", "check", "fix", "due", "views",
          "pages", "terminal", "report", "export", "gitrepo", "erase_filter", "erase", "sync",
          "authoring", "watch", "cli", "__main__"]


def test_layers_point_down():
    """Each module imports only modules above it in the README's list (lazy imports too)."""
    assert sorted(LAYERS) == sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    for rank, name in enumerate(LAYERS):
        used = {m.split(".")[1] for m in imports_of(PACKAGE / f"{name}.py")}
        assert used <= set(LAYERS[:rank]), (name, sorted(used - set(LAYERS[:rank])))


def test_every_code_the_package_raises_is_declared_once():
    used = set()
    for path in PACKAGE.glob("*.py"):
        if path.name != "codes.py":
            used |= set(re.findall(r"\"([EW]\d{3})\"", path.read_text(encoding="utf-8")))
    assert used, "no code found: the pattern no longer matches the sources"
    assert used <= set(CODES), sorted(used - set(CODES))


def test_readme_problem_table_is_made_from_the_registry():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- codes:start -->\n", "<!-- codes:end -->"
    assert readme[readme.index(start) + len(start): readme.index(end)].strip() == table()


def test_the_suite_runs_against_this_checkout():
    import coachnotes

    assert Path(coachnotes.__file__).resolve().parent == PACKAGE


def test_no_function_hides_the_message_function():
    """`_` is gettext in every module that imports it: a throwaway `_` (a loop variable, an
    unpacked value, a parameter) in one of its functions would make `_("...")` fail there."""
    import ast

    for path in PACKAGE.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        if "from coachnotes.i18n import _" not in source:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                raise AssertionError(f"{path.name}:{node.lineno} binds `_`")
            if isinstance(node, ast.arg) and node.arg == "_":
                raise AssertionError(f"{path.name}:{node.lineno} has a parameter `_`")
