"""The command line as a whole: help, version, vault discovery, start-up imports."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from coachnotes.cli import cli
from conftest import EXAMPLE, TODAY, run_cli


def all_commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize("path", [p for p, _ in all_commands(cli)], ids=" ".join)
def test_every_command_has_help(path):
    command = dict(all_commands(cli))[path]
    assert command.help and len(command.help) > 20, f"{' '.join(path)} needs help text"


def test_version_and_python_dash_m():
    result = subprocess.run([sys.executable, "-m", "coachnotes", "--version"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "coachnotes, version" in result.stdout


def test_no_vault_says_how_to_make_one(tmp_path):
    result = run_cli("due", cwd=tmp_path)
    assert result.returncode == 1
    assert "coachnotes init" in result.stderr and "Traceback" not in result.stderr


def test_vault_found_from_a_subfolder_and_from_the_environment(example_copy):
    inside = run_cli("list", "--json", cwd=example_copy / "clients" / "ilse-mulder")
    assert inside.returncode == 0 and "ilse-mulder" in inside.stdout
    by_env = run_cli("list", "--json", cwd=example_copy.parent,
                     env={"COACHNOTES_VAULT": str(example_copy)})
    assert by_env.returncode == 0 and "ilse-mulder" in by_env.stdout


def test_bad_today_is_a_usage_error_with_the_date_hint():
    result = run_cli("--vault", str(EXAMPLE), "due", "--today", "27-11-2026")
    assert result.returncode == 2
    assert "bijvoorbeeld 2026-11-27" in result.stderr


@pytest.mark.parametrize("args", [["check"], ["due"], ["list"], ["--help"]])
def test_quick_commands_import_neither_git_nor_watchdog(args, example_copy):
    code = ("import sys\nfrom coachnotes.cli import main\n"
            f"sys.argv = ['coachnotes', '--vault', {str(example_copy)!r}, *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('git', 'watchdog', 'icalendar'))\n"
            "print('HEAVY', heavy, file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "HEAVY []" in result.stderr, result.stderr[-500:]


def test_the_example_vault_shows_only_the_intended_warnings(example_copy):
    result = run_cli("--vault", str(example_copy), "check", "--json", "--today", TODAY)
    assert result.returncode == 0
    import json

    found = sorted((p["path"].split("/")[1], p["code"]) for p in json.loads(result.stdout))
    assert found == [("farid-el-amrani", "W117"),  # a result that did not last, on purpose
                     ("joost-de-boer", "W104"), ("joost-de-boer", "W107"),
                     ("karin-willems", "W109"), ("lucas-peeters", "W103")]


def test_readme_key_tables_match_the_schema():
    from coachnotes.vault.schema import format_tables
    from conftest import REPO

    readme = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    start = readme.index("<!-- format:start -->\n") + len("<!-- format:start -->\n")
    end = readme.index("<!-- format:end -->")
    assert readme[start:end].rstrip("\n") == format_tables().rstrip("\n")


def test_an_os_error_gives_a_message_not_a_traceback(make_vault):
    root = make_vault({"clients": "not a folder\n"})
    result = run_cli("--vault", str(root), "new", "client", "Jan de Vries")
    assert result.returncode == 1
    assert "Not a directory" in result.stderr and "Traceback" not in result.stderr
    assert (root / "clients").read_text() == "not a folder\n"


def test_an_unreadable_client_note_is_named_not_called_missing(make_vault):
    root = make_vault({"clients/jan/client.md": "---\n- kapot\n---\n"})
    result = run_cli("--vault", str(root), "show", "jan")
    assert result.returncode == 1
    assert "clients/jan/client.md cannot be read" in result.stderr


def test_an_empty_vault_says_how_to_begin(make_vault):
    root = make_vault({})
    result = run_cli("--vault", str(root), "list")
    assert result.returncode == 0 and "coachnotes new client" in result.stdout
    assert run_cli("--vault", str(root), "due", "--today", TODAY).stdout.startswith(
        "Nothing due until 2026-12-11")


def test_a_warm_due_reads_no_note_and_imports_no_parser(example_copy):
    # the answer comes from the saved index: no YAML, no sqlite3, no rules, no pages
    code = ("import sys\nfrom coachnotes.cli import main\n"
            f"sys.argv = ['coachnotes', '--vault', {str(example_copy)!r}, 'due', "
            f"'--today', {TODAY!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', 'sqlite3', "
            "'frontmatter', 'dateutil', 'hashlib') or m in ('coachnotes.rules.check', "
            "'coachnotes.output.pages', 'coachnotes.answers.views', 'coachnotes.authoring'))\n"
            "print('LOADED', loaded, file=sys.stderr)\n")
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "'yaml'" in first.stderr  # the first run reads the notes
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "LOADED []" in warm.stderr, warm.stderr[-500:]
    assert warm.stdout == first.stdout


def test_ctrl_c_while_the_language_is_read_is_an_abort_not_a_traceback(make_vault,
                                                                       monkeypatch, capsys):
    from coachnotes import i18n
    from coachnotes.cli import run

    root = make_vault({}, settings="language: nl\n")

    read = i18n.read_po
    calls = []

    def interrupted(path):  # Ctrl-C once, while the catalog is read at start-up
        calls.append(path)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return read(path)

    i18n._catalogs.clear()
    monkeypatch.setattr(i18n, "read_po", interrupted)
    monkeypatch.setattr(i18n, "_cache", [])  # no kept catalog: it must be read
    assert run(["--vault", str(root), "due"]) == 1
    assert "Afgebroken." in capsys.readouterr().err and calls
    i18n._catalogs.clear()
