"""Whether results last (SPEC §18): each goal's score at the start, at the end and at each
follow-up, from the sessions' `scores` (0–10 per goal, in the order of the client's `goals`).
Plain computation over one client; the checks (W116, W117, E026), the client's page and
`coachnotes results` all read it from here."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple


class GoalScores(NamedTuple):
    goal: str
    start: int | None  # its first score
    end: int | None  # its last score in a conversation that is not a follow-up
    follow_ups: list[int | None]  # its score in each held follow-up session, in date order
    end_path: str | None  # the note of the end score

    @property
    def last_follow_up(self) -> int | None:
        scored = [s for s in self.follow_ups if s is not None]
        return scored[-1] if scored else None

    def direction(self, drop: int) -> str:
        """↓ fallen since the end by `drop` or more; ↑ better than the start; = else."""
        last = self.last_follow_up
        if self.end is not None and last is not None and self.end - last >= drop:
            return "↓"
        if self.start is not None and self.end is not None and self.end > self.start:
            return "↑"
        return "="


def _score(session, index: int) -> int | None:
    scores = session.record.values.get("scores") or []
    return scores[index] if index < len(scores) else None


def goal_scores(client, today: dt.date) -> list[GoalScores]:
    """Each goal of the client with its scores, from the held conversations."""
    goals = client.values.get("goals") or []
    held = sorted((s for s in client.sessions if s.held(today)),
                  key=lambda s: s.order)
    follow = [s for s in held if s.kind == "follow-up"]
    found = []
    for index, goal in enumerate(goals):
        rated = [(s, _score(s, index)) for s in held if _score(s, index) is not None]
        regular = [(s, v) for s, v in rated if s.kind != "follow-up"]
        # the end is a later measurement than the start: one score is a baseline only
        ended = regular and regular[-1][0] is not rated[0][0]
        found.append(GoalScores(str(goal), rated[0][1] if rated else None,
                                regular[-1][1] if ended else None,
                                [_score(s, index) for s in follow],
                                regular[-1][0].path if ended else None))
    return found


def measured(client, today: dt.date) -> bool:
    """Whether any goal of the client has a start and an end to compare."""
    return any(g.start is not None and g.end is not None for g in goal_scores(client, today))
