"""The AVG duties: the right of access (export), retention, erasure (forget)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from coachnotes.answers.invoices import Kept, past_keeping
from coachnotes.answers.views import Retention
from coachnotes.answers.views import retention as retention_rows
from coachnotes.commands import in_exports, open_root, open_vault
from coachnotes.commands.answers import view_of
from coachnotes.errors import CoachnotesError
from coachnotes.i18n import _
from coachnotes.output.export import export_client
from coachnotes.vault import register
from coachnotes.vault.layout import document_name
from coachnotes.vault.load import load_settings


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


def retention(vault_option: str | None, today: dt.date,
              ) -> tuple[int | None, list[Retention], list[Kept]]:
    """The setting `retention_years` (None: not chosen), every client's period, and the
    invoices past the 7 years the law keeps them (SPEC §13, v4)."""
    vault = open_vault(vault_option)
    try:
        entries = register.read_kept(vault.root)
    except register.RegisterError:
        entries = []  # `check` says why (E027)
    return (*retention_rows(vault, today), past_keeping(entries, today))


def forget_preview(vault_option: str | None, client_id: str):
    """What `forget` will do (`erase.Preview`); nothing is changed."""
    from coachnotes.git.erase import preview  # GitPython: forget only

    return preview(open_root(vault_option), client_id)


def forget(vault_option: str | None, client_id: str, today: dt.date):
    """Erase the client everywhere this device reaches (`erase_push.ForgetReport`), the
    coach's calendar server included: once the client is gone, its items are no longer due,
    and a calendar sync takes them off the server (SPEC §21)."""
    from coachnotes.git.erase import forget as erase

    root = open_root(vault_option)
    report = erase(root, client_id, today)
    if (load_settings(root).calendar_server or {}).get("url"):
        from coachnotes.calendar.push import CalendarError, sync_calendar  # caldav

        try:
            done = sync_calendar(root, today)
            report.messages.append(_("the calendar server no longer holds the client's items "
                                     "({n} removed)").format(n=done.deleted))
        except (CalendarError, CoachnotesError) as failed:
            report.messages.append(_("the calendar server still holds the client's items "
                                     "({reason}): run `coachnotes calendar sync` when it can "
                                     "be reached").format(reason=failed))
            report.offline = True
    return report
