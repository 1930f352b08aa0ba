"""The erasure log `erasures.yml` (SPEC §13): which clients `forget` erased, without saying who.

Each entry is a date and a token, the SHA-256 of the salt and the client's id. The salt is made
once, when the first client is erased, and written at the top of the file; the file holds no
name and no id, so it can be committed and synced. It lets `check` see an erased client that
came back (E025) and lets `sync` on another device know which client to erase there too.

The file is written by coachnotes only, in one fixed shape, and read here with a pattern:
no YAML parser is loaded for it on the quick path.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import NamedTuple

ERASURES_FILE = "erasures.yml"
_SALT_RE = re.compile(r"^salt:\s*['\"]?([0-9a-f]{32,128})['\"]?\s*$", re.M)
_TOKEN_RE = re.compile(r"^\s*(?:-\s*)?token:\s*['\"]?([0-9a-f]{64})['\"]?\s*$", re.M)

HEADER = {
    "nl": "# Gewiste cliënten (AVG), bijgehouden door `coachnotes forget`. Geen namen en\n"
          "# geen ids: per cliënt een datum en een token (SHA-256 van zout + id).\n"
          "# Niet met de hand wijzigen.\n",
    "en": "# Erased clients (GDPR), kept by `coachnotes forget`. No names, no ids: per client a\n"
          "# date and a token (SHA-256 of salt + id). Do not edit by hand.\n",
}


class Erasures(NamedTuple):
    salt: str | None
    tokens: frozenset[str]

    def erased(self, client_id: str) -> bool:
        return self.salt is not None and token(self.salt, client_id) in self.tokens


NONE = Erasures(None, frozenset())


def token(salt: str, client_id: str) -> str:
    import hashlib

    return hashlib.sha256(f"{salt}:{client_id}".encode()).hexdigest()


def parse(text: str) -> Erasures:
    salt = _SALT_RE.search(text)
    if salt is None:
        return NONE
    return Erasures(salt.group(1), frozenset(_TOKEN_RE.findall(text)))


def read(root: Path) -> Erasures:
    try:
        return parse((root / ERASURES_FILE).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return NONE


def signature(root: Path) -> tuple[int, int] | None:
    """What the cache keys on: the log's size and time, or None when there is none."""
    try:
        info = (root / ERASURES_FILE).stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def pseudonym(root: Path, client_id: str, language: str) -> str:
    """A stable pseudonym for a client (`client-3fa2b1c9`) where a name may not go (the ICF
    log of a client without consent): a salted hash of the id, with this log's salt — made
    here when there is none yet, so every device that syncs the vault gives the same one, and
    nobody without the vault can find the id behind it."""
    import hashlib

    found = read(root)
    if found.salt is None:
        from coachnotes.vault.files import write_atomic

        text = with_salt("", language)
        write_atomic(root / ERASURES_FILE, text.encode(), mode=0o600)
        found = parse(text)
    digest = hashlib.sha256(f"pseudonym:{found.salt}:{client_id}".encode()).hexdigest()
    return f"client-{digest[:8]}"


def with_salt(text: str, language: str) -> str:
    """The log's text, begun with a new salt when it has none."""
    if parse(text).salt is not None:
        return text
    import secrets

    return f"{HEADER.get(language, HEADER['en'])}salt: {secrets.token_hex(32)}\nerased:\n"


def with_entry(text: str, client_id: str, day: dt.date, language: str) -> str:
    """The log's text with one more entry (made with a salt when there was none yet)."""
    text = with_salt(text, language)
    found = parse(text)
    salt = found.salt
    if not text.endswith("\n"):
        text += "\n"
    entry = token(salt, client_id)
    if entry in found.tokens:
        return text
    return text + f"  - date: {day.isoformat()}\n    token: {entry}\n"
