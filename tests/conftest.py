"""Shared fixtures: vaults built from small dicts of files, and the installed command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

# Nothing read within the racy margin of its last change is kept in the cache (see
# coachnotes.vault.load.racy_ns; 2 s by default). The suite shortens the margin and lets each new
# vault settle past it before warming the cache, so that every test runs against a warm cache.
RACY = "COACHNOTES_RACY_SECONDS"
RACY_SECONDS = 0.02
os.environ[RACY] = str(RACY_SECONDS)
# The tests read English messages unless they ask for a language (test_language.py does);
# the vaults themselves are Dutch by default, as a coach's are.
LANG = "COACHNOTES_LANG"
os.environ[LANG] = "en"
KEEP = (RACY, LANG)
# Python compiles each module it imports; with PYTHONDONTWRITEBYTECODE (set on some machines,
# this one included) it compiles them anew in every process: each xdist worker (4 s of
# collecting instead of 1) and each command a test starts (a quarter of a second a `forget`).
# The suite keeps the bytecode outside the tree, in a private folder of its own.
BYTECODE = Path(tempfile.gettempdir()) / f"coachnotes-tests-bytecode-{os.getuid()}"
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
os.environ["PYTHONPYCACHEPREFIX"] = sys.pycache_prefix = str(BYTECODE)
sys.dont_write_bytecode = False


def settle() -> None:
    """Wait until every file written so far is outside the racy margin."""
    time.sleep(RACY_SECONDS + 0.005)

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "vault-example"
TODAY = "2026-11-27"


def coachnotes_command() -> str:
    """The installed console script of the environment running the tests."""
    found = Path(sys.executable).parent / "coachnotes"
    if found.exists():
        return str(found)
    which = shutil.which("coachnotes")
    assert which, "coachnotes is not installed in this environment"
    return which


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None,
            timeout: float = 60, input: str | None = None,
            process: bool = False) -> subprocess.CompletedProcess:
    """Run `coachnotes ARGS` and collect its exit code, stdout and stderr.

    In-process through click's CliRunner and `cli.run` (the same catch point as the installed
    command), unless `process`: then the installed console script runs in a subprocess, as a
    user would — for what only a process shows (signals, kills, imports, a terminal).
    """
    if process:
        full_env = {k: v for k, v in os.environ.items()
                    if not k.startswith("COACHNOTES_") or k in KEEP}
        full_env.update(env or {})
        return subprocess.run([coachnotes_command(), *args], cwd=cwd, env=full_env, text=True,
                              capture_output=True, timeout=timeout, input=input)
    from click.testing import CliRunner

    from coachnotes.cli import run

    clear: dict[str, str | None] = {k: None for k in os.environ
                                    if k.startswith("COACHNOTES_") and k not in KEEP}
    here = os.getcwd()
    with CliRunner().isolation(input=input, env={**clear, **(env or {})}) as (out, err, _):
        try:
            if cwd is not None:
                os.chdir(cwd)
            code = run(list(args))
        finally:
            os.chdir(here)
    return subprocess.CompletedProcess(args, code, out.getvalue().decode("utf-8", "replace"),
                                       err.getvalue().decode("utf-8", "replace"))


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def client_note(client_id: str = "jan", **keys) -> str:
    values = {"type": "client", "name": "Jan de Vries", "status": "active",
              "intake_date": "2026-01-05", "start_date": "2026-01-12",
              "reason": "Feedback van de leidinggevende", "goals": ["Beter plannen"],
              "assessment": {"decision": "no"}}
    values.update(keys)
    return note(values)


def session_note(client_id: str = "jan", **keys) -> str:
    values = {"type": "session", "client": client_id, "date": "2026-01-12",
              "kind": "coaching"}
    values.update(keys)
    return note(values)


def note(values: dict, body: str = "Notities.\n") -> str:
    import yaml

    lines = [f"{k}: {v}" if isinstance(v, (int, str)) and ":" not in str(v) and
             not str(v).startswith(("[", "{", "*", "&", "!", "'", '"', "%", "@", "`"))
             else yaml.safe_dump({k: v}, allow_unicode=True, sort_keys=False).strip()
             for k, v in values.items() if v is not None]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body


def _a_mapping(text: str) -> bool:
    import yaml

    try:
        return isinstance(yaml.safe_load(text) or {}, dict)
    except yaml.YAMLError:
        return False


@pytest.fixture
def make_vault(tmp_path):
    """make_vault({'clients/jan/client.md': '...'}) -> a vault folder with coachnotes.yml."""
    counter = iter(range(1000))

    def make(files: dict[str, str | bytes] | None = None, settings: str = "") -> Path:
        root = tmp_path / f"vault{next(counter)}"
        root.mkdir()
        if "retention_years" not in settings and _a_mapping(settings):
            # every vault chooses one (W111); appended, so the lines of the rest stay
            settings += ("\n" if settings and not settings.endswith("\n") else "") + \
                "retention_years: 2\n"
        if "language:" not in settings and _a_mapping(settings):
            # the suite speaks English (a vault's own language comes first, SPEC 14); a test
            # of Dutch says `language: nl`
            settings += ("\n" if settings and not settings.endswith("\n") else "") + \
                "language: en\n"
        (root / "coachnotes.yml").write_text(settings, encoding="utf-8")
        write_files(root, files or {})
        settle()
        # Every test then runs with a warm cache: a stale answer would fail it.
        from coachnotes.vault.load import load_vault

        load_vault(root)
        return root

    return make


@pytest.fixture
def example_copy(tmp_path) -> Path:
    """A private copy of vault-example/ (tests never write into the repository)."""
    target = tmp_path / "example"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".coachnotes"))
    settle()
    return target


@pytest.fixture
def git_env(tmp_path, monkeypatch) -> dict[str, str]:
    """An isolated git setup: no global or system config, a known identity, never a prompt."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_AUTHOR_NAME": "Test Coach", "GIT_AUTHOR_EMAIL": "coach@example.invalid",
           "GIT_COMMITTER_NAME": "Test Coach", "GIT_COMMITTER_EMAIL": "coach@example.invalid",
           "GIT_TERMINAL_PROMPT": "0"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def git(cwd: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def vault_with_remote(tmp_path: Path, env: dict, name: str = "v") -> tuple[Path, Path]:
    """A vault made by `coachnotes init`, with a bare repository in a folder as its remote
    `origin` (the server): (vault, remote)."""
    remote = tmp_path / "remote.git"
    if not remote.exists():
        git(tmp_path, "init", "--bare", "-q", "-b", "main", str(remote))
    root = tmp_path / name
    assert run_cli("init", str(root), "--language", "en", env=env).returncode == 0
    git(root, "remote", "add", "origin", str(remote))
    return root, remote


def copy_of_built(tmp_path: Path, key: str, build: Callable[[Path], None]) -> None:
    """Copy into `tmp_path` what `build(folder)` makes there, building it once per worker: the
    synced histories many tests start from take a second of syncs to make, a few ms to copy.
    A repository's remote is a path, so a caller points it at the copy (`git remote set-url`)."""
    template = tmp_path.parent / f"built-once-{key}"  # the worker's own temporary folder
    if not (template / ".built").exists():
        shutil.rmtree(template, ignore_errors=True)
        template.mkdir()
        build(template)
        (template / ".built").touch()
    for entry in template.iterdir():
        if entry.name != ".built":
            shutil.copytree(entry, tmp_path / entry.name, symlinks=True)


@pytest.fixture(autouse=True, scope="session")
def _one_dictionary_for_the_whole_run(tmp_path_factory):
    """The search's Dutch dictionary is built once per user (`~/.cache/coachnotes/`): here
    once per run, in a folder the workers share, never in the machine's own cache."""
    shared = tmp_path_factory.getbasetemp().parent / "user-cache"
    shared.mkdir(exist_ok=True)
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(shared)
    yield
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture(autouse=True)
def _language_of_each_test_is_its_own():
    """A command run in-process chooses the language for the process; the next test starts
    without that choice (COACHNOTES_LANG, en, unless it sets another)."""
    from coachnotes import i18n

    i18n._current.clear()
    yield
    i18n._current.clear()


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes several seconds of its own; started "
                                       "first, so that the run does not end waiting for it")


def pytest_collection_modifyitems(items):
    """The slow tests first: xdist hands them out at the start, and the many short ones fill
    the workers around them, instead of one slow test running alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
