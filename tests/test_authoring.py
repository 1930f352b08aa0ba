"""Authoring: init, new client/session, close, templates and the pre-commit hook."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachnotes.vault.layout import slugify
from coachnotes.vault.schema import SESSION_KINDS, SLUG_RE
from conftest import TODAY, client_note, git, run_cli, session_note, write_files

JAN = "clients/jan/client.md"


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts and ".coachnotes" not in p.parts}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- slugs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name, slug", [
    ("Zoë van 't Hek", "zoe-van-t-hek"), ("Jan de Vries", "jan-de-vries"),
    ("Ÿvonne Çelik-Öztürk", "yvonne-celik-ozturk"), ("Søren Æbelø", "soren-aebelo"),
    ("Straße 12", "strasse-12"), ("../../etc/passwd", "etc-passwd"), ("  --  ", ""),
])
def test_slugs_by_transliteration(name, slug):
    assert slugify(name) == slug


@given(st.text(max_size=60))
def test_slug_is_always_a_slug_or_empty_and_stable(name):
    slug = slugify(name)
    assert slug == "" or SLUG_RE.match(slug)
    assert slugify(slug) == slug


# -- init ----------------------------------------------------------------------------------

def test_init_makes_a_private_vault_with_a_first_commit(tmp_path, git_env):
    root = tmp_path / "praktijk"
    result = run_cli("init", str(root), "--language", "en", "--language", "nl", env=git_env)
    assert result.returncode == 0, result.stderr
    assert (root / "coachnotes.yml").is_file() and (root / "clients").is_dir()
    ignored = (root / ".gitignore").read_text().splitlines()
    for pattern in (".coachnotes", ".*.tmp", ".obsidian/workspace*.json", ".obsidian/cache",
                    ".trash/", ".DS_Store", ".*.sw[a-p]", "*~"):
        assert pattern in ignored, pattern
    assert "INDEX.md linguist-generated=true" in (root / ".gitattributes").read_text()
    assert mode(root) == 0o700 and mode(root / "clients") == 0o700
    assert mode(root / "coachnotes.yml") == 0o600
    assert git(root, "log", "--format=%s").strip() == "coachnotes init"
    assert git(root, "status", "--porcelain") == ""
    check = run_cli("--vault", str(root), "check", "--strict")
    assert check.returncode == 0, check.stdout  # every setting written out is valid


def test_init_without_git_identity_uses_the_coach_and_says_so(tmp_path, git_env):
    env = {k: v for k, v in git_env.items() if not k.startswith(("GIT_AUTHOR", "GIT_COMMITTER"))}
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("GIT_AUTHOR", "GIT_COMMITTER"))}
    clean.update(env)
    import subprocess

    from conftest import coachnotes_command
    root = tmp_path / "v"
    result = subprocess.run([coachnotes_command(), "init", str(root), "--language", "en",
                             "--coach", "Marieke"],
                            env=clean, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "no user identity" in result.stderr
    author = git(root, "log", "--format=%an <%ae>").strip()
    assert author.startswith("Marieke <coachnotes@") and author.endswith(".invalid>")
    assert git(root, "config", "--get", "user.name", check=False) == ""  # not saved


@pytest.mark.parametrize("language", ["nl", "en"])
def test_init_writes_every_setting_from_its_one_declaration(tmp_path, git_env, language):
    """SPEC §5: `init` writes every setting, the optional ones as comments with their meaning;
    the values it writes are the schema's defaults, and each example, switched on, is a
    setting check accepts."""
    import yaml

    from coachnotes.vault.schema import SETTINGS, SETTINGS_DEFAULTS

    root = tmp_path / "praktijk"
    assert run_cli("init", str(root), "--language", language, env=git_env).returncode == 0
    text = (root / "coachnotes.yml").read_text(encoding="utf-8")
    keys = [(f.key, "") for f in SETTINGS.fields] + [
        (sub.key, "  ") for f in SETTINGS.fields if f.key == "sync" for sub in f.fields]
    for key, indent in keys:  # each setting on a line of its own, with a comment
        assert re.search(rf"^{indent}(# )?{key}:.*#", text, re.M), key
    written = yaml.safe_load(text)
    for key, value in written.items():
        if key not in ("coach", "language", "retention_years", "sync"):
            assert value == SETTINGS_DEFAULTS[key], key
    assert written["language"] == language and written["retention_years"] == 2
    assert written["sync"]["remote"] == SETTINGS_DEFAULTS["sync"]["remote"]
    assert ("KIES ZELF" if language == "nl" else "YOUR CHOICE") in text
    switched_on = re.sub(r"^(\s*)# (?=[a-z_]+:)", r"\1", re.sub(r"^#   ", "  ", text,
                                                                flags=re.M), flags=re.M)
    assert set(yaml.safe_load(switched_on)) == {f.key for f in SETTINGS.fields}
    (root / "coachnotes.yml").write_text(switched_on, encoding="utf-8")
    checked = run_cli("--vault", str(root), "check", "--json", "--today", TODAY)
    assert [p for p in json.loads(checked.stdout) if p["path"] == "coachnotes.yml"] == []


@pytest.mark.parametrize("setup", ["vault", "non-empty"])
def test_init_refuses_an_existing_vault_or_a_non_empty_folder(tmp_path, git_env, setup):
    root = tmp_path / "x"
    root.mkdir()
    (root / ("coachnotes.yml" if setup == "vault" else "dagboek.md")).write_text("mine\n")
    before = tree(root)
    result = run_cli("init", str(root), "--language", "en", env=git_env)
    assert result.returncode == 1 and "nothing was changed" in result.stderr
    assert tree(root) == before and not (root / ".git").exists()


# -- templates and new ---------------------------------------------------------------------

@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_template_makes_a_note_that_check_accepts(make_vault, language):
    root = make_vault({}, f"language: {language}\n")
    made = run_cli("--vault", str(root), "new", "client", "Zoë van 't Hek",
                   "--organization", "Stichting: Kinderopvang #1", "--sponsor", "HR — P. de Boer",
                   "--intake", "2026-11-02")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "clients/zoe-van-t-hek/client.md"
    for kind in SESSION_KINDS:
        result = run_cli("--vault", str(root), "new", "session", "zoe-van-t-hek", "--kind", kind,
                         "--date", "2026-11-20")
        assert result.returncode == 0, result.stderr
    check = run_cli("--vault", str(root), "check", "--json", "--today", TODAY)
    assert check.returncode == 0, check.stdout
    # every kind held while the client is still `intake`, and a follow-up with none planned:
    # the notes are sound, and the trajectory warnings say so
    assert {p["code"] for p in json.loads(check.stdout)} == {"W113", "W114"}
    list_json = run_cli("--vault", str(root), "list", "--json", "--today", TODAY).stdout
    assert '"name": "Zoë van \'t Hek"' in list_json
    client = (root / "clients/zoe-van-t-hek/client.md").read_text()
    assert "Stichting: Kinderopvang #1" in client
    words = {"nl": "Coachdoelen", "en": "Coaching goals"}
    assert words[language] in client
    assert mode(root / "clients/zoe-van-t-hek") == 0o700
    assert mode(root / "clients/zoe-van-t-hek/client.md") == 0o600


def test_new_session_numbers_coaching_and_never_overwrites(make_vault):
    root = make_vault({JAN: client_note(),
                       "clients/jan/sessions/a.md": session_note(number=3)})
    paths = [run_cli("--vault", str(root), "new", "session", "jan", "--date",
                     "2026-11-20").stdout.strip() for _ in range(2)]
    assert paths == ["clients/jan/sessions/2026-11-20-coaching.md",
                     "clients/jan/sessions/2026-11-20-coaching-2.md"]
    assert "number: 4" in (root / paths[0]).read_text()
    assert "number: 5" in (root / paths[1]).read_text()


def test_new_follow_up_session_names_the_first_open_follow_up(make_vault):
    root = make_vault({JAN: client_note(status="follow-up", end_date="2026-06-01",
                                        follow_ups=[{"due": dt.date(2026, 9, 1),
                                                     "done": dt.date(2026, 9, 2)},
                                                    {"due": dt.date(2026, 12, 1)}])})
    path = run_cli("--vault", str(root), "new", "session", "jan", "--kind", "follow-up",
                   "--date", "2026-12-01").stdout.strip()
    assert "follow_up: 2" in (root / path).read_text()


def test_a_vault_template_overrides_the_default(make_vault):
    root = make_vault({JAN: client_note(), "templates/coaching.md":
                       "---\ntype: session\nclient: ${client}\ndate: ${date}\nkind: coaching\n"
                       "number: ${number}\n---\n\n# Mijn eigen sjabloon\n"})
    path = run_cli("--vault", str(root), "new", "session", "jan").stdout.strip()
    assert (root / path).read_text().endswith("# Mijn eigen sjabloon\n")


@pytest.mark.parametrize("args, message", [
    (["new", "client", "Jan"], "exists already"),
    (["new", "client", "../../"], "cannot make an id"),
    (["new", "session", "piet"], "no client 'piet'"),
    (["close", "piet"], "no client 'piet'"),
])
def test_refusals_change_nothing(make_vault, args, message):
    root = make_vault({JAN: client_note()})
    before = tree(root)
    result = run_cli("--vault", str(root), *args, "--today", TODAY)
    assert result.returncode == 1, result.stdout
    assert message in result.stderr and "Traceback" not in result.stderr
    assert tree(root) == before


def test_escaping_names_stay_inside_clients(make_vault):
    root = make_vault({})
    result = run_cli("--vault", str(root), "new", "client", "../../buiten/x")
    assert result.returncode == 0
    assert result.stdout.strip() == "clients/buiten-x/client.md"
    assert not (root.parent / "buiten").exists()


def test_edit_opens_the_editor_on_the_new_note(make_vault, tmp_path):
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\necho "Bewerkt." >> "$1"\n')
    editor.chmod(0o700)
    root = make_vault({JAN: client_note()})
    result = run_cli("--vault", str(root), "new", "session", "jan", "--edit",
                     env={"EDITOR": str(editor), "VISUAL": str(editor)})
    assert result.returncode == 0, result.stderr
    assert (root / result.stdout.strip()).read_text().endswith("Bewerkt.\n")


# -- close ---------------------------------------------------------------------------------

def test_close_plans_follow_ups_calendar_correctly(make_vault):
    root = make_vault({JAN: client_note()})
    result = run_cli("--vault", str(root), "close", "jan", "--date", "2026-11-30")
    assert result.returncode == 0, result.stderr
    text = (root / JAN).read_text()
    assert "status: follow-up\n" in text and "end_date: 2026-11-30\n" in text
    assert "follow_ups:\n  - due: 2027-02-28\n  - due: 2027-05-30\n" in text
    assert run_cli("--vault", str(root), "check", "--today", TODAY).returncode == 0


@pytest.mark.parametrize("keys, message", [
    ({"status": "intake", "start_date": None}, "not active"),
    ({"status": "closed", "end_date": "2026-10-01",
      "follow_ups": [{"due": dt.date(2027, 1, 1)}]}, "not active"),
])
def test_close_refuses_and_leaves_the_file(make_vault, keys, message):
    root = make_vault({JAN: client_note(**keys)})
    before = tree(root)
    result = run_cli("--vault", str(root), "close", "jan")
    assert result.returncode == 1 and message in result.stderr
    assert tree(root) == before


def test_close_keeps_follow_ups_that_are_planned_already(make_vault):
    text = client_note(follow_ups=[{"due": dt.date(2027, 1, 15)}], status="paused")
    root = make_vault({JAN: text})
    result = run_cli("--vault", str(root), "close", "jan", "--date", "2026-11-20")
    assert result.returncode == 0, result.stderr
    after = (root / JAN).read_text()
    assert after == text.replace("status: paused", "status: follow-up").replace(
        "\n---\n", "\nend_date: 2026-11-20\n---\n", 1)
    due = run_cli("--vault", str(root), "due", "--all", "--json", "--today", TODAY)
    assert [(i["kind"], i["due"]) for i in json.loads(due.stdout)] == [("follow-up", "2027-01-15")]


def test_close_keeps_crlf_bom_and_comments(make_vault):
    original = ("\ufeff---\r\ntype: client   # soort\r\nname: 'Jan'\r\nstatus: \"active\"  # nu\r\n"
                "intake_date: 2026-01-05\r\nstart_date: 2026-01-12\r\nreason: x\r\n"
                "end_date:\r\nfollow_ups: []   # nog niets\r\ngoals: [a]\r\n---\r\nTekst\r\n")
    root = make_vault({JAN: original.encode("utf-8")})
    assert run_cli("--vault", str(root), "close", "jan", "--date", "2026-08-31").returncode == 0
    assert (root / JAN).read_bytes().decode("utf-8") == original.replace(
        'status: "active"  # nu', "status: follow-up  # nu").replace(
        "end_date:\r\n", "end_date: 2026-08-31\r\n").replace(
        "follow_ups: []   # nog niets\r\n",
        "follow_ups:\r\n  - due: 2026-11-30\r\n  - due: 2027-02-28\r\n")


comment = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn",
                                                                 "Zl", "Zp"),
                                exclude_characters="\ufeff"), max_size=20).map(lambda c: f"  # {c}")
extra_key = st.from_regex(r"x_[a-z]{1,8}", fullmatch=True)
plain_value = st.text("abcdefghij klmnopqrstuvwxyzéü", min_size=1, max_size=20).map(str.strip) \
    .filter(lambda v: v and v not in ("y", "n"))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(status_quote=st.sampled_from(["active", "'active'", '"active"']),
       comments=st.lists(comment | st.just(""), min_size=6, max_size=6),
       extras=st.dictionaries(extra_key, plain_value, max_size=4),
       body=st.text(max_size=200).map(lambda b: b.replace("\x00", "")), crlf=st.booleans(),
       with_end=st.booleans())
def test_close_changes_nothing_but_the_lines_it_must(tmp_path, status_quote, comments, extras,
                                                      body, crlf, with_end):
    lines = [f"type: client{comments[0]}", f"name: Jan{comments[1]}",
             f"status: {status_quote}{comments[2]}", f"intake_date: 2026-01-05{comments[3]}",
             f"start_date: 2026-01-12{comments[4]}", f"reason: werk{comments[5]}"]
    lines += [f"{k}: {v}" for k, v in extras.items()]
    if with_end:
        lines.append("end_date:")
    nl = "\r\n" if crlf else "\n"
    body = body.replace("\r", "")
    text = "---" + nl + nl.join(lines) + nl + "---" + nl + body
    root = Path(tempfile.mkdtemp(dir=tmp_path))  # no cache involved: no need to let it settle
    write_files(root, {"coachnotes.yml": "", JAN: text.encode("utf-8")})
    from coachnotes.authoring import close_client
    from coachnotes.vault.load import load_vault

    close_client(load_vault(root, use_cache=False), "jan", dt.date(2026, 8, 31))
    after = (root / JAN).read_bytes().decode("utf-8")
    expected_lines = [line for line in lines if line != "end_date:"]
    expected_lines[2] = f"status: follow-up{comments[2]}"
    added = ["end_date: 2026-08-31", "follow_ups:", "  - due: 2026-11-30", "  - due: 2027-02-28"]
    if with_end:
        expected = expected_lines + ["end_date: 2026-08-31"] + added[1:]
    else:
        expected = expected_lines + added
    assert after == "---" + nl + nl.join(expected) + nl + "---" + nl + body


# -- the pre-commit hook -------------------------------------------------------------------

def test_pre_commit_hook_blocks_errors_and_lets_warnings_pass(tmp_path, git_env):
    root = tmp_path / "v"
    assert run_cli("init", str(root), "--language", "en", env=git_env).returncode == 0
    assert run_cli("--vault", str(root), "hooks", "install", env=git_env).returncode == 0
    (root / "clients/jan/sessions").mkdir(parents=True)
    (root / JAN).write_text(client_note(goals=[]))  # W105 only: a warning passes
    git(root, "add", "-A")
    git(root, "commit", "-m", "jan")
    (root / "clients/jan/sessions/a.md").write_text("---\n- broken\n---\n")
    git(root, "add", "-A")
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["PATH"] = "/usr/bin:/bin"  # no coachnotes on PATH: the hook must find its own
    import subprocess

    moved = root.parent / "verhuisd"
    root.rename(moved)  # the hook names the vault relative to the repository
    root = moved
    blocked = subprocess.run(["git", "commit", "-m", "broken"], cwd=root, env=env,
                             capture_output=True, text=True)
    assert blocked.returncode != 0
    assert "E004" in blocked.stderr
    assert "broken" not in git(root, "log", "--format=%s")


def test_hook_install_refuses_a_foreign_hook_and_chains_it_with_force(tmp_path, git_env):
    root = tmp_path / "v"
    assert run_cli("init", str(root), "--language", "en", env=git_env).returncode == 0
    hook = root / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho mine > \"$(git rev-parse --show-toplevel)/.ran\"\n")
    hook.chmod(0o755)
    refused = run_cli("--vault", str(root), "hooks", "install", env=git_env)
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert "echo mine" in hook.read_text()
    assert run_cli("--vault", str(root), "hooks", "install", "--force",
                   env=git_env).returncode == 0
    (root / "note.md").write_text("x\n")
    git(root, "add", "-A")
    git(root, "commit", "-m", "ok")
    assert (root / ".ran").exists()  # the old hook still runs


def test_obsidian_placeholders_in_the_vault_s_templates_are_filled_in(make_vault):
    template = ("---\ntype: session\nclient: ${client}\ndate: {{date}}\nkind: coaching\n"
                "number: ${number}\n---\n\n# {{title}}\n\nBegonnen om {{time}} op "
                "{{date:DD-MM-YYYY}}.\n")
    root = make_vault({JAN: client_note(), "templates/coaching.md": template})
    made = run_cli("--vault", str(root), "new", "session", "jan", "--date", "2026-11-20")
    assert made.returncode == 0, made.stderr
    text = (root / made.stdout.strip()).read_text()
    assert "date: 2026-11-20\n" in text and "# 2026-11-20-coaching\n" in text
    assert "op 20-11-2026." in text and "{{" not in text
    assert re.search(r"Begonnen om \d\d:\d\d ", text)
    check = run_cli("--vault", str(root), "check", "--json", "--today", TODAY)
    assert not [p for p in json.loads(check.stdout) if p["code"][0] == "E"]


def test_rename_moves_the_client_and_changes_only_the_references(tmp_path, git_env):
    root = tmp_path / "v"
    assert run_cli("init", str(root), "--language", "en", env=git_env).returncode == 0
    client = client_note(id="jan").replace("name: Jan de Vries", "name: Jan de Vries  # naam")
    sessions = {
        "a.md": session_note(date="2026-11-02", number=1).replace(
            "client: jan", 'client: "[[jan|Jan]]"   # link'),
        "b.md": session_note(date="2026-11-09", number=2).replace("\n", "\r\n"),
        "c.md": session_note(date="2026-11-16", number=3).replace(
            "client: jan", "client: '[[clients/jan/client]]'"),
    }
    write_files(root, {JAN: client, **{f"clients/jan/sessions/{k}": v.encode()
                                       for k, v in sessions.items()}})
    assert run_cli("--vault", str(root), "index", "--today", TODAY).returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "jan")
    before = {p.relative_to(root / "clients/jan"): p.read_bytes()
              for p in (root / "clients/jan").rglob("*.md") if p.name != "README.md"}
    result = run_cli("--vault", str(root), "rename", "jan", "jan-de-vries", "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert not (root / "clients/jan").exists()
    after = {p.relative_to(root / "clients/jan-de-vries"): p.read_bytes()
             for p in (root / "clients/jan-de-vries").rglob("*.md") if p.name != "README.md"}
    expected = {
        Path("client.md"): before[Path("client.md")].replace(b"id: jan\n", b"id: jan-de-vries\n"),
        Path("sessions/a.md"): before[Path("sessions/a.md")].replace(
            b'"[[jan|Jan]]"', b'"[[jan-de-vries|Jan]]"'),
        Path("sessions/b.md"): before[Path("sessions/b.md")].replace(
            b"client: jan\r\n", b"client: jan-de-vries\r\n"),
        Path("sessions/c.md"): before[Path("sessions/c.md")].replace(
            b"'[[clients/jan/client]]'", b"'[[clients/jan-de-vries/client]]'"),
    }
    assert after == expected
    assert "clients/jan-de-vries/README.md" in (root / "INDEX.md").read_text()
    assert (root / "clients/jan-de-vries/README.md").read_text().count("| coaching ") == 3
    check = json.loads(run_cli("--vault", str(root), "check", "--json", "--today",
                               TODAY).stdout)
    assert not [p for p in check if p["code"][0] == "E"]
    for args, words in ((["rename", "jan-de-vries", "Jan!"], "is not an id"),
                        (["rename", "nobody", "x"], "no client")):
        refused = run_cli("--vault", str(root), *args)
        assert refused.returncode == 1 and words in refused.stderr
