"""The README's encrypted remote (git-remote-gcrypt), run as written with a throwaway key:
after two devices sync, the remote holds no client's name, id, note text or path."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import REPO, client_note, git, run_cli

NAME, ID, SECRET = "Jan de Vries", "jan-de-vries", "GEHEIM-loopbaanwens-verpleging"
URL = "ssh://server/~/praktijk.git"


def readme_blocks() -> list[str]:
    """The three bash blocks of the README's gcrypt recipe, in order."""
    text = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    section = text[text.index("### Encrypting the remote"):text.index("**git-crypt instead?**")]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    assert len(blocks) == 3, "the recipe's steps moved: update this test with them"
    return blocks


def run(script: str, cwd: Path, env: dict) -> str:
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def gnupg_homes():
    """Two short GNUPGHOMEs (gpg-agent's socket path must stay short), agents stopped after."""
    homes = [Path(tempfile.mkdtemp(prefix="g", dir="/tmp")) for _ in range(2)]
    yield homes
    for home in homes:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env={**os.environ,
                       "GNUPGHOME": str(home)}, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git-remote-gcrypt") is None or shutil.which("gpg") is None,
                    reason="git-remote-gcrypt and gpg: .ci/run installs them")
def test_the_readme_gcrypt_recipe_keeps_everything_off_the_remote(tmp_path, git_env,
                                                                  gnupg_homes):
    first_block, key_block, second_block = readme_blocks()
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(server))
    bin_dir = str(Path(sys.executable).parent)
    base = {**os.environ, **git_env, "PATH": bin_dir + os.pathsep + os.environ["PATH"]}
    base = {k: v for k, v in base.items() if not k.startswith("COACHNOTES_")}
    one = {**base, "GNUPGHOME": str(gnupg_homes[0]), "COACHNOTES_DEVICE": "laptop"}
    two = {**base, "GNUPGHOME": str(gnupg_homes[1]), "COACHNOTES_DEVICE": "desktop"}

    def as_written(block: str) -> str:  # the server is a folder; no passphrase prompt
        return block.replace(URL, str(server)).replace(
            "gpg --quick-gen-key", "gpg --batch --passphrase '' --quick-gen-key")

    laptop = tmp_path / "laptop"
    assert run_cli("init", str(laptop), "--language", "en", env=git_env).returncode == 0
    (laptop / "clients" / ID).mkdir()
    (laptop / "clients" / ID / "client.md").write_text(client_note(name=NAME) + SECRET + "\n")
    run(as_written(first_block) + '\necho "$KEY" > ../key-id\n', laptop, one)
    key = (tmp_path / "key-id").read_text().strip()
    export, import_ = [line for line in as_written(key_block).splitlines() if line.strip()]
    run(export, tmp_path, {**one, "KEY": key})
    run(import_, tmp_path, {**two, "KEY": key})
    run(as_written(second_block), tmp_path, {**two, "KEY": key})
    desktop = tmp_path / "praktijk"
    assert SECRET in (desktop / "clients" / ID / "client.md").read_text()
    (desktop / "notes.md").write_text(f"Desktop: gesprek met {NAME} voorbereid.\n")
    run("coachnotes sync", desktop, two)
    run("coachnotes sync", laptop, one)
    assert (laptop / "notes.md").read_text().startswith("Desktop:")

    stored = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=server,
                            capture_output=True, check=True).stdout
    files = b"".join(p.read_bytes() for p in server.rglob("*") if p.is_file())
    assert len(stored) > 1000  # the remote does hold the (encrypted) history
    for word in (NAME, ID, SECRET, "Desktop:", "clients/", "coachnotes sync"):
        assert word.encode() not in stored and word.encode() not in files, word

    # forget through the encrypted remote (a remote helper: no atomic push there)
    run(f"coachnotes forget {ID} --yes", laptop, one)
    run("coachnotes sync", desktop, two)
    assert not (desktop / "clients" / ID).exists()
    assert "[erased]" in (desktop / "notes.md").read_text()
    history = git(desktop, "log", "--all", "-p", "--format=%B")
    assert NAME not in history and SECRET not in history
