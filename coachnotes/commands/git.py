"""Commands that talk to git: sync and the pre-commit hook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from coachnotes import authoring
from coachnotes.commands import open_root, open_vault


def sync(vault_option: str | None, push: bool, today: dt.date | None):
    """Commit, pull, resolve, regenerate, push (`sync.SyncReport`)."""
    from coachnotes.git.sync import sync as run_sync  # GitPython: sync only

    return run_sync(open_root(vault_option), push=push, today=today)


def hooks_install(vault_option: str | None, force: bool) -> Path:
    """The pre-commit hook installed."""
    return authoring.install_hook(open_vault(vault_option), force)
