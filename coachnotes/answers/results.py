"""Whether results last, across the practice (SPEC §18): per group (the year of `end_date`,
the organization or the sponsor) the trajectories, those not measured, the goals, how many
improved (end above start), held and fell at the last follow-up, and the mean changes.
A client whose trajectory ended without a start and an end score is counted as not
measured, never left out.

Each client contributes a `Tally` to its group; the groups are the sums. The pages keep each
client's contribution (as they keep its rows), so `RESULTS.md` follows a save without a walk
over every client."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from coachnotes.vault.model import Vault
from coachnotes.vault.scores import goal_scores

GROUPINGS = ("year", "organization", "sponsor")


class Tally(NamedTuple):
    """What one client (or a sum of them) adds to a group."""

    trajectories: int = 0
    not_measured: int = 0
    goals: int = 0
    improved: int = 0
    held: int = 0  # goals with a follow-up score that fell by less than lasting_drop
    fallen: int = 0
    change: int = 0  # sum of (end - start) over the goals
    since: int = 0  # sum of (last follow-up - end) over the goals with one
    followed: int = 0  # goals with a follow-up score

    def __add__(self, other: "Tally") -> "Tally":  # type: ignore[override]
        return Tally(*(a + b for a, b in zip(self, other)))

    def __sub__(self, other: "Tally") -> "Tally":
        return Tally(*(a - b for a, b in zip(self, other)))


class Group(NamedTuple):
    group: str
    trajectories: int
    not_measured: int
    goals: int
    improved: int
    held: int
    fallen: int
    mean_change: float | None  # start -> end, over the goals measured
    mean_change_since_end: float | None  # end -> last follow-up, over those with one

    def as_dict(self) -> dict:
        return self._asdict()


def contribution(client, today: dt.date, drop: int, by: str = "year") -> tuple[str, Tally] | None:
    """The client's group and what it adds there; None while its trajectory runs."""
    if client.status not in ("follow-up", "closed"):
        return None
    key = (str(client.end_date.year) if client.end_date else "?") if by == "year" else \
        str(client.get(by) or "?")
    compared = [g for g in goal_scores(client, today) if g.start is not None and g.end is not None]
    tally = Tally(trajectories=1, not_measured=0 if compared else 1, goals=len(compared))
    for goal in compared:
        last = goal.last_follow_up
        tally += Tally(improved=int(goal.end > goal.start), change=goal.end - goal.start)
        if last is not None:
            kept = goal.end - last < drop
            tally += Tally(held=int(kept), fallen=int(not kept), since=last - goal.end,
                           followed=1)
    return key, tally


def group(key: str, tally: Tally) -> Group:
    return Group(key, tally.trajectories, tally.not_measured, tally.goals, tally.improved,
                 tally.held, tally.fallen, _mean(tally.change, tally.goals),
                 _mean(tally.since, tally.followed))


def results(vault: Vault, today: dt.date, by: str = "year") -> list[Group]:
    """The groups, in order; every client whose regular conversations ended counts."""
    sums: dict[str, Tally] = {}
    for client in vault.clients.values():
        found = contribution(client, today, vault.settings.lasting_drop, by)
        if found is not None:
            sums[found[0]] = sums.get(found[0], Tally()) + found[1]
    return [group(key, tally) for key, tally in sorted(sums.items())]


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None
