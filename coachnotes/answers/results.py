"""Whether results last, across the practice (SPEC §18): per group (the year of `end_date`,
the organization or the sponsor) the trajectories, those not measured, the goals, how many
improved (end above start), held and fell at the last follow-up, and the mean changes.
A client whose trajectory ended without a start and an end score is counted as not
measured, never left out."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from coachnotes.vault.model import Vault
from coachnotes.vault.scores import goal_scores

GROUPINGS = ("year", "organization", "sponsor")


class Group(NamedTuple):
    group: str
    trajectories: int
    not_measured: int
    goals: int
    improved: int
    held: int  # goals with a follow-up score that fell by less than lasting_drop
    fallen: int
    mean_change: float | None  # start -> end, over the goals measured
    mean_change_since_end: float | None  # end -> last follow-up, over those with one

    def as_dict(self) -> dict:
        return self._asdict()


def _key(client, by: str) -> str:
    if by == "year":
        return str(client.end_date.year) if client.end_date else "?"
    return str(client.get(by) or "?")


def results(vault: Vault, today: dt.date, by: str = "year") -> list[Group]:
    """The groups, in order; every client whose regular conversations ended counts."""
    drop = vault.settings.lasting_drop
    tally: dict[str, dict] = {}
    for client in vault.clients.values():
        if client.status not in ("follow-up", "closed"):
            continue
        row = tally.setdefault(_key(client, by), {"n": 0, "none": 0, "changes": [],
                                                   "since": [], "improved": 0, "held": 0,
                                                   "fallen": 0})
        row["n"] += 1
        compared = [g for g in goal_scores(client, today)
                    if g.start is not None and g.end is not None]
        if not compared:
            row["none"] += 1
        for goal in compared:
            row["changes"].append(goal.end - goal.start)
            row["improved"] += goal.end > goal.start
            last = goal.last_follow_up
            if last is not None:
                row["since"].append(last - goal.end)
                row["held" if goal.end - last < drop else "fallen"] += 1
    return [Group(key, row["n"], row["none"], len(row["changes"]), row["improved"],
                  row["held"], row["fallen"], _mean(row["changes"]), _mean(row["since"]))
            for key, row in sorted(tally.items())]


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None
