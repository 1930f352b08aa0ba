"""Generated pages: golden files, links that resolve, write-if-changed, E030, crash safety."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote

from coachnotes.vault.layout import MARKER
from conftest import EXAMPLE, TODAY, client_note, coachnotes_command, run_cli, session_note

PAGES_OF_EXAMPLE = sorted(["INDEX.md", "FOLLOW-UPS.md", "RESULTS.md"] + [
    f"clients/{p.name}/README.md" for p in (EXAMPLE / "clients").iterdir() if p.is_dir()])


def pages_of(root: Path) -> dict[str, bytes]:
    return {rel: (root / rel).read_bytes() for rel in PAGES_OF_EXAMPLE}


def test_example_vault_ships_its_pages_as_golden_files(example_copy):
    """Regenerate with: coachnotes --vault vault-example index --today 2026-11-27"""
    before = pages_of(example_copy)
    for page in before.values():
        assert page.decode("utf-8").startswith(MARKER + "\n")
    result = run_cli("--vault", str(example_copy), "index", "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"0 pagina('s) geschreven, {len(before)} ongewijzigd"
    assert pages_of(example_copy) == before


def links(root: Path):
    for page in sorted(root.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        if not text.startswith(MARKER):
            continue
        for target in re.findall(r"\]\(([^)]+)\)", text):
            yield page, target


def test_every_relative_link_resolves(example_copy, make_vault):
    odd = make_vault({"clients/zoe/client.md": client_note("zoe", name="Zoë van 't Hek"),
                      "clients/zoe/sessions/2026-11-20 gesprek met Zoë (1).md":
                          session_note("zoe", date="2026-11-20", next="2026-12-01")})
    for root in (example_copy, odd):
        assert run_cli("--vault", str(root), "index", "--today", TODAY).returncode == 0
        found = list(links(root))
        assert len(found) > 5
        for page, target in found:
            assert not target.startswith(("/", "http")), target
            assert " " not in target  # spaces are encoded, so the link works everywhere
            assert (page.parent / unquote(target)).is_file(), f"{page}: {target}"


def test_second_run_changes_no_byte_and_no_mtime(make_vault):
    root = make_vault({"clients/jan/client.md": client_note()})
    assert run_cli("--vault", str(root), "index", "--today", TODAY).returncode == 0
    pages = ["INDEX.md", "FOLLOW-UPS.md", "RESULTS.md", "clients/jan/README.md"]
    stamps = {p: (root / p).stat().st_mtime_ns for p in pages}
    time.sleep(0.02)
    result = run_cli("--vault", str(root), "index", "--today", TODAY)
    assert result.stdout.strip() == "0 page(s) written, 4 unchanged"
    assert {p: (root / p).stat().st_mtime_ns for p in pages} == stamps


def test_a_user_file_in_a_page_place_is_never_overwritten(make_vault):
    mine = b"# Mijn eigen index\n\nNiet overschrijven.\n"
    root = make_vault({"clients/jan/client.md": client_note(), "INDEX.md": mine})
    result = run_cli("--vault", str(root), "index", "--today", TODAY)
    assert result.returncode == 1 and "INDEX.md:1: E030" in result.stderr
    assert (root / "INDEX.md").read_bytes() == mine
    assert (root / "FOLLOW-UPS.md").read_text().startswith(MARKER)
    assert (root / "clients/jan/README.md").read_text().startswith(MARKER)


def test_pages_of_removed_clients_go_only_when_generated(make_vault):
    root = make_vault({"clients/jan/client.md": client_note(),
                       "clients/piet/client.md": client_note("piet")})
    run_cli("--vault", str(root), "index", "--today", TODAY)
    (root / "clients/jan/client.md").unlink()
    (root / "clients/piet/client.md").unlink()
    (root / "clients/piet/README.md").write_text("# Eigen aantekeningen over Piet\n")
    run_cli("--vault", str(root), "index", "--today", TODAY)
    assert not (root / "clients/jan/README.md").exists()
    assert (root / "clients/piet/README.md").read_text() == "# Eigen aantekeningen over Piet\n"
    assert "Jan" not in (root / "INDEX.md").read_text()


def test_a_killed_index_leaves_every_page_old_or_new(make_vault):
    files = {}
    for n in range(300):
        cid = f"client-{n:03d}"
        files[f"clients/{cid}/client.md"] = client_note(cid, name=f"Cliënt {n}")
        files[f"clients/{cid}/sessions/a.md"] = session_note(cid, date="2026-11-01",
                                                             next="2026-12-01")
    root = make_vault(files)
    assert run_cli("--vault", str(root), "index", "--today", "2026-11-01").returncode == 0
    old = {p: p.read_bytes() for p in root.rglob("*.md") if p.name in
           ("README.md", "INDEX.md", "FOLLOW-UPS.md")}
    copy = root.parent / "reference"
    subprocess.run(["cp", "-a", str(root), str(copy)], check=True)
    assert run_cli("--vault", str(copy), "index", "--today", TODAY).returncode == 0
    new = {root / p.relative_to(copy): p.read_bytes() for p in copy.rglob("*.md")
           if p.name in ("README.md", "INDEX.md", "FOLLOW-UPS.md")}
    assert old.keys() == new.keys() and old != new
    killed_midway = 0
    for delay in (0.15, 0.3, 0.45, 0.6, 0.8):
        process = subprocess.Popen([coachnotes_command(), "--vault", str(root), "index",
                                    "--today", TODAY], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        states = set()
        for path in old:
            data = path.read_bytes()
            assert data in (old[path], new[path]), f"{path} is partial"
            states.add(data == new[path])
        killed_midway += states == {True, False}
        for path in old:  # back to the old pages for the next round
            path.write_bytes(old[path])
    leftovers = [p for p in root.rglob("*") if p.name.endswith(".tmp")]
    assert all(p.name.startswith(".") for p in leftovers)
    print(f"killed midway in {killed_midway} of 5 rounds")


def test_a_progress_bar_at_a_terminal_for_a_large_vault_and_silence_when_piped(make_vault):
    from test_due import in_terminal

    root = make_vault({f"clients/c{n:03d}/client.md": client_note(f"c{n:03d}")
                       for n in range(210)})
    shown = in_terminal(["--vault", str(root), "index", "--today", TODAY])
    assert "Writing pages" in shown
    (root / "INDEX.md").unlink()
    piped = run_cli("--vault", str(root), "index", "--today", TODAY)
    assert "Writing pages" not in piped.stdout + piped.stderr
    assert piped.stdout.strip() == "1 page(s) written, 212 unchanged"
