"""The AVG duties: the right of access (export), retention, erasure (forget)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from coachnotes.answers.views import Retention
from coachnotes.answers.views import retention as retention_rows
from coachnotes.commands import in_exports, open_root, open_vault
from coachnotes.commands.answers import view_of
from coachnotes.output.export import export_client
from coachnotes.vault.layout import document_name


@dataclass
class Exported:
    path: Path
    notes: list[str]  # the client's notes it holds


def export(vault_option: str | None, client_id: str, output: Path | None,
           today: dt.date) -> Exported:
    """Everything about one client in one zip, for the coachee's right of access."""
    vault = open_vault(vault_option)
    view = view_of(vault, client_id, today)
    output = output or in_exports(vault.root, document_name(
        "export", vault.language, view.client.id, today.isoformat(), suffix=".zip"))
    return Exported(output, export_client(vault, view, today, output))


def retention(vault_option: str | None, today: dt.date) -> tuple[int | None, list[Retention]]:
    """The setting `retention_years` (None: not chosen), and every client's period."""
    return retention_rows(open_vault(vault_option), today)


def forget_preview(vault_option: str | None, client_id: str):
    """What `forget` will do (`erase.Preview`); nothing is changed."""
    from coachnotes.git.erase import preview  # GitPython: forget only

    return preview(open_root(vault_option), client_id)


def forget(vault_option: str | None, client_id: str, today: dt.date):
    """Erase the client everywhere this device reaches (`erase_push.ForgetReport`)."""
    from coachnotes.git.erase import forget as erase

    return erase(open_root(vault_option), client_id, today)
