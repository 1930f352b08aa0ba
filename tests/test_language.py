"""SPEC §14: every message in the vault's language, from gettext catalogs, complete in nl and
en; the vault's language before COACHNOTES_LANG; codes, JSON and option names stay English."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from coachnotes import i18n
from coachnotes.vault.codes import CODES
from conftest import REPO, TODAY, client_note, run_cli, session_note

PACKAGE = REPO / "coachnotes"

PLACEHOLDER = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")
DUTCH = {"COACHNOTES_LANG": ""}  # nothing but the vault's own language


def catalog(language: str) -> dict[str, str]:
    return i18n.read_po(i18n.LOCALE / language / "LC_MESSAGES" / "coachnotes.po")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_message_has_a_translation_with_the_same_placeholders(language):
    marked = i18n.extract()
    found = catalog(language)
    missing = sorted(set(marked) - set(found))
    assert not missing, f"{language}: no translation for {missing[:5]} (python -m coachnotes.i18n)"
    for msgid in marked:
        plain = msgid.rpartition("\x04")[2]
        assert sorted(PLACEHOLDER.findall(plain)) == sorted(PLACEHOLDER.findall(found[msgid])), \
            (language, msgid)
    assert set(found) <= set(marked), sorted(set(found) - set(marked))[:5]  # none left over


def test_a_message_the_catalogs_lack_fails_the_test(tmp_path):
    """The check above can fail: a new message in a module is not in the catalogs."""
    module = tmp_path / "new.py"
    module.write_text('from coachnotes.i18n import _\nprint(_("a brand new message"))\n')
    assert "a brand new message" in i18n.extract(tmp_path)
    assert "a brand new message" not in catalog("nl")


def test_every_code_means_something_in_both_languages():
    for code in CODES.values():
        assert code.summary in catalog("en") and catalog("nl")[code.summary] != code.summary


SENTENCE = re.compile(r"\b[a-z]{2,}\b.*\b[a-z]{2,}\b.*\b[a-z]{2,}\b")
NOT_MESSAGES = {  # English on purpose: git's words matched in its output, machine-read text
    "mapping values are not allowed", "does not appear to be a git repository",
    "Host key verification failed", "could not read Username", "unable to access",
    "No such file or directory", "coachnotes sync from ", "coachnotes generated page",
    "pages regenerated after merge", "cannot lock ref", "failed to update ref",
    "incorrect old value", " conflict copy(ies)", "voor de opdrachtgever", "for the sponsor",
    "coachnotes forget: a client erased",  # a commit message: never a name, never translated
    "the session note",  # where a code is reported: a column of the README's English table
    "Client note — `clients/<id>/client.md`",  # headings of the README's key tables
    "Session note — `clients/<id>/sessions/<date>-<kind>.md`",
}


def test_no_sentence_a_coach_reads_is_left_out_of_the_catalogs():
    """Every string literal of three words or more is marked for translation, or is a
    docstring, an option's help, a pattern, or on the list of what stays English."""
    left = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name in ("i18n.py",):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id in ("_", "N_", "pgettext", "NP_", "gettext", "Field"):
                skip |= {id(n) for n in ast.walk(node)}  # Field: the README's key tables
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module)) and \
                    ast.get_docstring(node):
                skip.add(id(node.body[0].value))
            if isinstance(node, ast.keyword) and node.arg in ("help", "metavar"):
                skip |= {id(n) for n in ast.walk(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    id(node) not in skip and SENTENCE.search(node.value) and \
                    " " in node.value and not node.value.startswith(
                        ("^", "-", "#", "<", "\n", "| ", "git ", "sh -c", '">')) and \
                    node.value not in NOT_MESSAGES and "\\" not in node.value and \
                    path.name != "authoring.py":  # authoring: the hook's shell script
                left.append(f"{path.name}:{node.lineno}: {node.value[:60]!r}")
    assert not left, left


def dutch_vault(make_vault):
    return make_vault({
        "clients/jan/client.md": client_note(status="actief", goals=None),
        "clients/jan/sessions/2026-11-20-coaching.md":
            session_note(date="2026-11-20", number=1, next="2026-11-25"),
        "clients/jan/sessions/2026-11-21-coaching.md":
            "---\ntype: session\nclient: jan\ndate: 2026-11-21\n\tkind: coaching\n---\n",
    }, settings="language: nl\n")


def test_a_dutch_vault_speaks_dutch_whatever_COACHNOTES_LANG_says(make_vault):
    """SPEC §14 (v3): the vault's language first, then COACHNOTES_LANG, then the locale."""
    root = dutch_vault(make_vault)
    for env in (DUTCH, {"COACHNOTES_LANG": "en"}, {"COACHNOTES_LANG": "en", "LC_ALL": "C"}):
        dutch = run_cli("--vault", str(root), "check", "--today", "2026-11-27", env=env)
        assert "E013 `status` moet een van deze zijn" in dutch.stdout
        assert "(bedoel je 'active'? de waarden zijn Engels)" in dutch.stdout
        assert "springt in met een tab; YAML wil spaties" in dutch.stdout
        assert "fout(en)" in dutch.stderr
    settings = root / "coachnotes.yml"
    settings.write_text(settings.read_text().replace("language: nl", "language: en"))
    english = run_cli("--vault", str(root), "check", "--today", "2026-11-27",
                      env={"COACHNOTES_LANG": "nl"})
    assert "E013 `status` must be one of" in english.stdout  # not a saved Dutch answer
    assert "indented with a tab; YAML needs spaces" in english.stdout
    data = json.loads(run_cli("--vault", str(root), "check", "--json", "--today",
                              "2026-11-27", env=DUTCH).stdout)
    assert {"path", "line", "code", "severity", "message"} == set(data[0])
    assert {p["severity"] for p in data} <= {"error", "warning"}  # values stay English


def test_due_show_and_help_in_dutch(make_vault):
    root = make_vault({"clients/jan/client.md": client_note(),
                       "clients/jan/sessions/2026-11-20-coaching.md":
                           session_note(date="2026-11-20", number=1, next="2026-11-25")},
                      settings="language: nl\n")
    due = run_cli("--vault", str(root), "due", "--today", "2026-11-27", env=DUTCH)
    head = due.stdout.splitlines()[0].split()
    assert head == ["DATUM", "WANNEER", "SOORT", "CLIËNT", "WAT"]
    assert "2d te laat" in due.stdout and "gesprek" in due.stdout
    shown = run_cli("--vault", str(root), "show", "jan", "--today", "2026-11-27", env=DUTCH)
    assert "gesprekken: 1 van 8" in shown.stdout and "Tijdlijn" in shown.stdout
    helped = run_cli("--vault", str(root), "check", "--help", env=DUTCH)
    assert "Meldingen (codes):" in helped.stdout
    assert "W111" in helped.stdout and "zet geen" in helped.stdout
    assert "--strict" in helped.stdout  # option names stay English
    settings = root / "coachnotes.yml"
    settings.write_text(settings.read_text().replace("language: nl", "language: en"))
    english = run_cli("due", "--today", "2026-11-27", cwd=root, env={"COACHNOTES_LANG": "nl"})
    assert english.stdout.split()[:5] == ["DUE", "WHEN", "KIND", "CLIENT", "WHAT"]


def test_outside_a_vault_the_language_is_the_override_or_the_system(tmp_path):
    nowhere = run_cli("due", cwd=tmp_path, env={"COACHNOTES_LANG": "nl"})
    assert nowhere.returncode == 1 and "geen coachnotes-kluis" in nowhere.stderr
    system = run_cli("due", cwd=tmp_path, env={"COACHNOTES_LANG": "", "LC_ALL": "nl_NL.UTF-8"})
    assert "geen coachnotes-kluis" in system.stderr
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)  # a repository, no vault
    synced = run_cli("sync", cwd=tmp_path, env={"COACHNOTES_LANG": "", "LANG": "nl_NL.UTF-8"})
    assert synced.returncode == 1 and "geen coachnotes-kluis" in synced.stderr
    assert "coachnotes init" in synced.stderr and "Traceback" not in synced.stderr
    plain = run_cli("due", cwd=tmp_path, env={"COACHNOTES_LANG": "", "LC_ALL": "C",
                                              "LANG": "C"})
    assert "no coachnotes vault" in plain.stderr


def test_a_language_without_a_catalog_falls_back_to_the_vault_then_english(make_vault):
    root = dutch_vault(make_vault)
    result = run_cli("--vault", str(root), "check", env={"COACHNOTES_LANG": "de"})
    assert "moet een van deze zijn" in result.stdout


def test_the_catalogs_are_installed_with_the_package():
    setup = (Path(__file__).parent.parent / "setup.cfg").read_text()
    assert "locale/*/LC_MESSAGES/*.po" in setup
    assert {"nl", "en"} <= set(i18n.available())


def test_the_catalog_kept_in_the_cache_is_used_and_a_damaged_one_is_not(make_vault):
    root = dutch_vault(make_vault)
    i18n._catalogs.clear()  # as in a new process
    first = run_cli("--vault", str(root), "check", env=DUTCH)
    kept = root / ".coachnotes" / "catalog-nl.marshal"
    assert kept.exists() and kept.stat().st_mode & 0o077 == 0
    i18n._catalogs.clear()
    kept.write_bytes(b"not a catalog")
    again = run_cli("--vault", str(root), "check", env=DUTCH)
    assert again.stdout == first.stdout and "moet een van deze zijn" in again.stdout


SLIPS_NL = {  # the everyday slips of issue #15: each named for its cause, in Dutch
    "phone dash": ("date: 2026\u201011\u201020", "zijn niet het koppelteken `-`"),
    "capital Type": ("Type: session", "met een hoofdletter geschreven"),
    "tab": ("\tnumber: 1", "springt in met een tab"),
    "non-breaking space": ("number:\u00a01", "harde spatie"),
    "colon in a text": ("cancelled: ziek: bellen", "zet de tekst tussen aanhalingstekens"),
    "Dutch value": ("kind: coachgesprek", "(bedoel je 'coaching'? de waarden zijn Engels)"),
    "day first": ("date: 20-11-2026", "schrijf datums als JJJJ-MM-DD, bijvoorbeeld 2026-11-20"),
}


@pytest.mark.parametrize("slip", sorted(SLIPS_NL))
def test_each_slip_is_named_for_its_cause_in_dutch(make_vault, slip):
    line, said = SLIPS_NL[slip]
    keys = ["type: session", "client: jan", "date: 2026-11-20", "kind: coaching", "number: 1"]
    key = line.strip().split(":")[0].lower()
    keys = [line if k.split(":")[0] == key else k for k in keys]
    if line not in keys:
        keys.append(line)
    root = make_vault({"clients/jan/client.md": client_note(),
                       "clients/jan/sessions/2026-11-20-coaching.md":
                           "---\n" + "\n".join(keys) + "\n---\n"}, settings="language: nl\n")
    result = run_cli("--vault", str(root), "check", "--today", "2026-11-27", env=DUTCH)
    assert said in result.stdout, result.stdout


ENGLISH_ONLY = {"the", "and", "with", "to", "from", "by", "all", "your", "you", "this",
                "that", "which", "will", "should", "would", "must", "only", "each", "there",
                "when", "then", "been", "has", "have", "was", "were", "are", "not", "yes",
                "no", "found", "missing", "error", "errors", "warning", "warnings", "written",
                "unchanged", "nothing", "due", "client", "clients", "note", "notes", "show",
                "list", "print", "write", "read", "check", "sessions", "held", "planned"}


def english_words(output: str) -> list[str]:
    """Words that are English only, outside what stays English by design: codes, keys and
    values in backticks or braces, option and command names, choices in brackets, paths."""
    text = re.sub(r"`[^`]*`|\{[^}]*\}|\[[^\]]*\]|--?[a-z][a-z-]*|\S*/\S*|\b[EW]\d{3}\b", " ",
                  output)
    text = re.sub(r"coachnotes(\s+[a-z-]+)+", " ", text)  # a command line's words
    text = re.sub(r"^  [a-z-]+  ", " ", text, flags=re.M)  # the command names --help lists
    text = re.sub(r"\b[A-Z][A-Z-]+\b", " ", text)  # metavars: CLIENT, DATE
    return sorted({w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH_ONLY})


def test_every_command_speaks_dutch_in_a_dutch_vault(tmp_path):
    """SPEC §14 (v3): every word a coach reads, --help and click's own included."""
    root = tmp_path / "praktijk"
    shutil.copytree(REPO / "vault-example", root, ignore=shutil.ignore_patterns(".coachnotes"))
    dutch = {"COACHNOTES_LANG": "", "LANG": "C", "LC_ALL": "", "LC_MESSAGES": ""}
    runs = [["check"], ["due", "--all"], ["list"], ["show", "anouk"], ["retention"],
            ["results"], ["hours", "--from", "2026-01-01"], ["report", "anouk"],
            ["new", "client", "Test Persoon", "--intake", "2026-11-27"],
            ["new", "session", "test-persoon", "--date", "2026-11-27"],
            ["close", "ilse", "--date", "2026-11-27"], ["index"], ["show", "nobody"],
            ["due", "--bogus"], ["show"], ["export", "anouk"], ["--help"],
            ["report", "eva", "--kind", "final"], ["report", "anouk", "--kind", "plan"],
            ["search", "leidinggevende"], ["search", "gesprek", "--limit", "1"],
            ["search", "niets-hier-te-vinden"], ["search", '"open'],
            ["hours", "--from", "2026-01-01", "--csv", "-o", "-"], ["check", "--fix"]]
    names = [c for c in ("check", "due", "list", "show", "new", "close", "rename", "index",
                         "watch", "sync", "hooks", "report", "hours", "export", "retention",
                         "forget", "results", "init", "search")]
    runs += [[name, "--help"] for name in names]
    found = {}
    for args in runs:
        done = run_cli("--vault", str(root), *args, *(
            ["--today", TODAY] if args[0] in ("check", "due", "list", "show", "retention",
                                                "results", "hours", "report", "index",
                                                "export") and "--help" not in args else []),
            env=dutch)
        words = english_words(done.stdout + done.stderr)
        # a number a person reads is written with a decimal comma (SPEC §14 v4): an amount,
        # hours, a change in score — not a date, a version or a file name
        if "--csv" not in args:
            words += re.findall(r"(?:€ ?|[+-])\d+\.\d\d(?![\d,.])|\b\d+\.\d\d (?:u|uur)\b",
                                done.stdout + done.stderr)  # `€ 1.045,00` is Dutch
        if words:
            found[" ".join(args)] = words
    assert found == {}
