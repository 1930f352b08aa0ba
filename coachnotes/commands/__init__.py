"""The commands, one function each, as mkdocs has them (`commands/build.py`): the seam between
the faces — the command line in `cli/`, and a program that calls coachnotes — and the core.

A command finds the vault (and with it the language of every message), uses the caches, calls
the core functions and returns a typed result; it never prints. `cli/` parses the arguments,
calls one command and formats what it returns, and imports nothing from below this layer.

Grouped as the command line is: `answers` (due, list, show, results, search), `notes` (init,
new, close, rename, check, index, watch), `documents` (report, hours), `invoices` (invoice),
`privacy` (export, retention, forget), `git` (sync, hooks), `calendar` (calendar sync). What
every face needs besides — finding the vault, reading a date as the notes do, the allowed
values of the options — is here.

Imports of our own modules stand at the top; GitPython, watchdog, SQLite's search, reportlab
and openpyxl are imported inside the commands that use them, so that `coachnotes due` starts
without them (PITFALLS: `import git` alone costs ~110 ms).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from coachnotes.errors import CoachnotesError
from coachnotes.i18n import choose
from coachnotes.vault.codes import CODES
from coachnotes.vault.files import DIR_MODE
from coachnotes.vault.layout import CACHE_DIR, EXPORTS
from coachnotes.vault.load import find_root, load_vault, settings_language
from coachnotes.vault.schema import SESSION_KINDS, STATUSES, parse_date_text

__all__ = ["CODES", "SESSION_KINDS", "STATUSES", "in_exports", "language_of", "open_root",
           "open_vault", "parse_date"]


def parse_date(text: str) -> tuple[dt.date | None, str]:
    """A date as the notes write it, or None and a hint that names the cause."""
    return parse_date_text(text)


def open_root(option: str | None) -> Path:
    """The vault (`--vault`, $COACHNOTES_VAULT, else found from here); its language becomes
    the language of every message from here on."""
    root = find_root(option)
    choose(settings_language(root), root / CACHE_DIR)
    return root


def open_vault(option: str | None):
    return load_vault(open_root(option))


def language_of(args: list[str]) -> tuple:
    """The language of the vault a command line is about, before it is parsed (so that its
    usage errors and --help speak it): `--vault PATH`, $COACHNOTES_VAULT, else the vault found
    from the working directory; with the vault's cache, where a read catalog is kept.
    (None, None) outside a vault."""
    where = None
    for index, arg in enumerate(args):
        if arg == "--vault" and index + 1 < len(args):
            where = args[index + 1]
        elif arg.startswith("--vault="):
            where = arg.partition("=")[2]
    try:
        root = find_root(where)
        return settings_language(root), root / CACHE_DIR
    except (CoachnotesError, OSError, ValueError):
        return None, None


def in_exports(root: Path, name: str) -> Path:
    """Where a document goes without -o: the vault's exports/ (0700, files 0600), which
    git ignores (SPEC §8)."""
    folder = root / EXPORTS
    folder.mkdir(mode=DIR_MODE, exist_ok=True)
    os.chmod(folder, DIR_MODE)
    return folder / name
