"""`coachnotes due`: what is due, from the saved answer while no note changed. The hot path of
the command line: it imports what a warm `due` needs and nothing more."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from coachnotes.answers.due import DueItem, Window, calendar_pairs, query_due, to_ics
from coachnotes.commands import open_root
from coachnotes.vault.files import write_atomic
from coachnotes.vault.load import load_settings


@dataclass
class DueAnswer:
    """What `due` found: the window asked for, the open items in it (sorted), how many
    actions without a date it leaves out, and the events written to a calendar file."""
    window: Window
    items: list[DueItem]
    undated: int
    events: int | None = None  # written to the --ics file, when one was asked for


def due(vault_option: str | None, today: dt.date, within: int | None = None,
        overdue: bool = False, show_all: bool = False, client_id: str | None = None,
        ics: Path | None = None) -> DueAnswer:
    root = open_root(vault_option)
    window, pairs, undated = query_due(root, today, within, overdue, show_all, client_id)
    answer = DueAnswer(window, [item for item, _key in pairs], undated)
    if ics is not None:  # a calendar is for the future: all of it, and what is overdue,
        if within is None and not overdue and not show_all:  # unless a window was asked for
            pairs = query_due(root, today, None, False, True, client_id)[1]
        write_atomic(ics, to_ics(pairs, today, load_settings(root, use_cache=True)))
        answer.events = len(calendar_pairs(pairs))
    return answer
