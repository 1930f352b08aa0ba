"""Commands that answer from the vault: list, show, results, search (`due`, the hot path, has
a module of its own)."""

from __future__ import annotations

import datetime as dt

from coachnotes.answers.reports import as_known_on
from coachnotes.answers.results import results as result_groups
from coachnotes.answers.views import client_view, summaries
from coachnotes.commands import open_root, open_vault
from coachnotes.rules.check import check, client_problems
from coachnotes.vault.load import get_client, settings_language


def list_clients(vault_option: str | None, today: dt.date, status: str | None = None) -> list:
    """Every client at a glance (`views.Summary`), those of one status when asked."""
    vault = open_vault(vault_option)
    return summaries(vault, today, check(vault, today), status=status)


def show(vault_option: str | None, client_id: str, today: dt.date):
    """One client's whole trajectory (`views.ClientView`)."""
    vault = open_vault(vault_option)
    return view_of(vault, client_id, today)


def view_of(vault, client_id: str, today: dt.date, known_on: dt.date | None = None):
    """A client's view with its own problems: the one home of this assembly (show, report,
    export); with `known_on`, the client as it could be known on that day."""
    client = get_client(vault, client_id)
    if known_on is not None:
        client = as_known_on(client, known_on)
    return client_view(vault, client, today, client_problems(vault, client.id, today))


def results(vault_option: str | None, today: dt.date, by: str) -> list:
    """Whether results last, grouped (`results.Group`)."""
    return result_groups(open_vault(vault_option), today, by)


def search(vault_option: str | None, words: list[str], filters: dict, limit: int):
    """The notes that hold every word (`search.Found`: hits, and the files not read)."""
    from coachnotes.answers.search import Filters  # sqlite and the stemmer: search only
    from coachnotes.answers.search import search as find

    root = open_root(vault_option)
    return find(root, settings_language(root) or "nl", words, Filters(**filters), limit)
