"""CLIENT arguments (SPEC §8, v3): the id, the name with case and accents ignored, or a unique
beginning of either; several matches list them (exit 2); none names the nearest. `forget`,
which cannot be undone, takes the id or the whole name only."""

from __future__ import annotations

import json

from conftest import TODAY, client_note, run_cli, session_note

FILES = {
    "clients/zoe-van-t-hek/client.md": client_note(name="Zoë van 't Hek"),
    "clients/c2026-014/client.md": client_note(name="Sem Öztürk"),
    "clients/jan-de-vries/client.md": client_note(name="Jan de Vries"),
    "clients/jan-bos/client.md": client_note(name="Jan Bos"),
    "clients/jan-bos/sessions/2026-11-20-coaching.md": session_note(
        "jan-bos", date="2026-11-20", number=1, next="2026-12-01"),
}


def cli(root, *args):
    return run_cli("--vault", str(root), *args, "--today", TODAY)


def test_a_client_is_found_by_its_name_in_any_case_and_without_accents(make_vault):
    root = make_vault(FILES)
    for typed in ("zoe van 't hek", "ZOË VAN ’T HEK", "Zoë", "zoe-van", "sem ozturk", "Sem"):
        shown = cli(root, "show", typed)
        assert shown.returncode == 0, (typed, shown.stderr)
    assert cli(root, "show", "sem").stdout.startswith("Sem Öztürk (c2026-014)")
    due = json.loads(cli(root, "due", "--all", "--client", "jan bos", "--json").stdout)
    assert {i["client"] for i in due} == {"jan-bos"}


def test_several_matches_are_listed_and_none_names_the_nearest(make_vault):
    root = make_vault(FILES)
    several = cli(root, "show", "jan")
    assert several.returncode == 2
    assert "jan-bos (Jan Bos)" in several.stderr and "jan-de-vries (Jan de Vries)" in several.stderr
    none = cli(root, "show", "Jan de Vris")
    assert none.returncode == 1 and "jan-de-vries" in none.stderr


def test_rename_takes_a_name_and_forget_never_a_beginning(make_vault):
    root = make_vault(FILES)
    renamed = run_cli("--vault", str(root), "rename", "Jan Bos", "jan-bos-2")
    assert renamed.returncode == 0, renamed.stderr
    assert (root / "clients/jan-bos-2/client.md").exists()
    refused = cli(root, "forget", "zoe", "--yes")
    assert refused.returncode == 1 and (root / "clients/zoe-van-t-hek/client.md").exists()
    erased = cli(root, "forget", "zoë van 't hek", "--yes")
    assert erased.returncode == 0, erased.stderr
    assert "forget: zoe-van-t-hek erased" in erased.stdout
    assert not (root / "clients/zoe-van-t-hek").exists()


def test_list_shows_the_id_every_command_takes(make_vault):
    root = make_vault(FILES)
    lines = cli(root, "list").stdout.splitlines()
    assert lines[0].split()[:2] == ["CLIENT", "ID"]
    assert any(line.startswith("Sem Öztürk") and " c2026-014 " in line for line in lines)


def test_a_wiki_link_by_name_counts_for_numbering_and_moving_from_the_inbox(make_vault):
    sem = "clients/sem-ozturk"
    files = {f"{sem}/client.md": client_note("sem-ozturk", name="Sem Öztürk")}
    for n, day in ((1, "2026-01-12"), (2, "2026-01-19")):
        files[f"{sem}/sessions/{day}-coaching.md"] = session_note(
            "[[Sem Öztürk]]", date=day, number=n)
    files["clients/gesprek met sem.md"] = session_note("[[Sem Öztürk]]", date="2026-02-02",
                                                       number=4)
    root = make_vault(files)
    made = run_cli("--vault", str(root), "new", "session", "sem", "--date", "2026-01-26")
    assert made.returncode == 0, made.stderr
    assert "number: 3\n" in (root / f"{sem}/sessions/2026-01-26-coaching.md").read_text()
    fixed = run_cli("--vault", str(root), "check", "--fix", "--today", "2026-02-03")
    assert "clients/gesprek met sem.md → clients/sem-ozturk/sessions/2026-02-02-coaching.md" \
        in fixed.stdout + fixed.stderr
    assert (root / f"{sem}/sessions/2026-02-02-coaching.md").read_text() == \
        files["clients/gesprek met sem.md"]  # moved whole, not a byte changed
    checked = run_cli("--vault", str(root), "check", "--json", "--today", "2026-02-03")
    assert [p["code"] for p in json.loads(checked.stdout) if p["code"][0] == "E"] == []
