"""`coachnotes calendar sync`: what is due, in the coach's own CalDAV calendar."""

from __future__ import annotations

import datetime as dt

from coachnotes.commands import open_root


def sync(vault_option: str | None, today: dt.date):
    """Push what is due (`push.CalendarReport`: created, updated, deleted, unchanged)."""
    from coachnotes.calendar.push import sync_calendar  # caldav: this command only

    return sync_calendar(open_root(vault_option), today)
