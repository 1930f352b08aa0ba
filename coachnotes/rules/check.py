"""The checks of SPEC §7 that look across notes, and `check()`, which gathers every problem.

Problems are split along the model's folders: `folder_problems` depends on one client folder
(and the set of client ids), `vault_problems` on what lies outside every folder and on the
clients' claims to ids. `check` is both over the whole vault; the watcher re-runs only the
folders that changed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from coachnotes.i18n import _
from coachnotes.vault import register
from coachnotes.vault.layout import (
    CONFLICT_TAG,
    GENERATED_TOP,
    SETTINGS_FILE,
    client_note,
    client_page,
    folder_of,
    has_marker,
    is_document,
    place,
    slugify,
)
from coachnotes.vault.load import iter_problems
from coachnotes.vault.model import Client, Folder, Problem, Vault, add_months
from coachnotes.vault.schema import SLUG_RE
from coachnotes.vault.scores import goal_scores

INTAKE_GRACE_DAYS = 30


def check(vault: Vault, today: dt.date) -> list[Problem]:
    """Every problem of the vault, sorted by path and line."""
    ids = vault.client_ids
    problems = vault_problems(vault)
    for folder in vault.folders.values():
        problems += folder_problems(vault, folder, today, ids)
    return sorted(set(problems))


def client_problems(vault: Vault, client_id: str, today: dt.date) -> list[Problem]:
    """Every problem in one client's folder, without checking the other folders."""
    problems = folder_problems(vault, vault.folders[client_id], today, vault.client_ids)
    problems += [p for p in vault_problems(vault) if folder_of(p.path) == client_id]
    return sorted(set(problems))


def vault_problems(vault: Vault, claiming: set[str] | None = None) -> list[Problem]:
    """What does not belong to one folder: settings, conflict copies, the top pages, and two
    clients claiming one id. `claiming`: the clients whose `id` is not their folder's, where
    the caller keeps them (the watcher); without it, one step per client finds them."""
    problems = [Problem(SETTINGS_FILE, line, code, message)
                for line, code, message in vault.settings.problems]
    problems += [_conflict_copy(path) for path in vault.conflicts]
    if vault.settings.retention_years is None and \
            not any(code.startswith("E") for _line, code, _text in vault.settings.problems):
        message = _("no `retention_years`: decide how many years you keep a client's notes "
                    "after the trajectory ends (the AVG asks you to), and set it, e.g. "
                    "`retention_years: 2`")
        problems.append(Problem(SETTINGS_FILE, 1, "W111", message))
    problems += [_foreign(rel) for rel in GENERATED_TOP
                 if rel in vault.pages_set and not has_marker(vault.root / rel)]
    problems += register_problems(vault)
    if claiming is not None and not claiming or \
            all(c.get("id") in (None, c.id) for c in vault.clients.values()):
        return problems  # folder names are unique: only a declared `id` can claim another's
    claimed: dict[str, str] = {}
    for client in sorted(vault.clients.values(), key=lambda c: c.path):
        declared = client.get("id")
        for claim in sorted({client.id, declared} - {None}):
            if claim in claimed:
                problems.append(Problem(client.path, client.lines.get("id", 1), "E022",
                                        _("the id {claim!r} is also used by {claimed}: "
                                          "give each client its own id").format(
                                          claim=claim, claimed=claimed[claim])))
            else:
                claimed[claim] = client.path
    return problems


def committed_documents(tracked: list[str]) -> list[Problem]:
    """W118: documents for a sponsor or a coachee that reached git (SPEC §8)."""
    return [Problem(rel, 1, "W118", _("is a document coachnotes wrote for a sponsor or a "
                                      "coachee, and it is in git, so it goes to every device "
                                      "and the remote: remove it from git with `git rm "
                                      "--cached {rel}` (the file stays here, in exports/ it is "
                                      "ignored from then on)").format(rel=rel))
            for rel in tracked if is_document(rel)]


def register_problems(vault: Vault) -> list[Problem]:
    """E027: the invoice register cannot be read, or a number is used twice or skipped."""
    try:
        entries = register.read_kept(vault.root)
    except register.RegisterError as error:
        line, message = error.args
        return [Problem(register.REGISTER, line, "E027", _("the invoice register {message}; "
                                                           "restore it from git").format(
                                                           message=message))]
    return [Problem(register.REGISTER, 1, "E027", message)
            for message in register.problems(entries)]


def _conflict_copy(path: str) -> Problem:
    """W108, naming what the copy is of: a note, or another file the coach keeps.
    Copies are named `<stem>.conflict-<device>-<time><suffix>`; git's own `<name>~HEAD`."""
    name = path.rpartition("/")[2]
    if CONFLICT_TAG in name:
        stem, _tag, rest = name.partition(CONFLICT_TAG)
        suffix = rest[rest.rfind("."):] if "." in rest else ""
        original = stem + suffix
    else:
        original = name.split("~")[0]
    what = _("a note") if original.endswith(".md") else \
        _("the file {name}").format(name=original)
    return Problem(path, 1, "W108", _("is a sync conflict copy of {what} changed on two "
                                      "devices: compare it with the one beside it, keep what "
                                      "matters there, then delete this copy").format(what=what))


def _foreign(rel: str) -> Problem:
    return Problem(rel, 1, "E030", _("has the name of a generated page but not its marker "
                                     "line, so it is not overwritten: rename it to keep it, or "
                                     "delete it"))


def folder_problems(vault: Vault, folder: Folder, today: dt.date,
                    client_ids: set[str]) -> list[Problem]:
    """Every problem in one client folder (or among the notes outside client folders)."""
    problems = list(iter_problems(folder.records))
    old = renamed_from(folder, client_ids, vault.refers_to)
    problems += _placement_problems(folder, old)
    problems += _session_problems(folder, client_ids, old, vault.refers_to)
    if folder.id is not None:
        page = client_page(folder.id)
        if page in vault.pages_set and not has_marker(vault.root / page):
            problems.append(_foreign(page))
    if folder.id is not None and folder.has_client_note and vault.erasures.erased(folder.id):
        message = _("this client was erased (erasures.yml) and is back in the vault, perhaps "
                    "from a backup or an old copy: run `coachnotes forget {id}` again to erase "
                    "it").format(id=folder.id)
        problems.append(Problem(client_note(folder.id), 1, "E025", message))
    if old is not None:
        message = _("the folder was renamed: every session in it still names `{old}`. Run "
                    "`coachnotes rename {old} {id}`, or rename the folder back to "
                    "clients/{old}/").format(old=old, id=folder.id)
        problems.append(Problem(client_note(folder.id), 1, "E021", message))
    elif folder.client is not None:
        problems += trajectory_problems(vault, folder.client, today)
    return problems


def renamed_from(folder: Folder, client_ids: set[str],
                 refers_to=lambda value: value) -> str | None:
    """The id a client folder had before it was renamed: every session in it names that one
    client, which no longer exists (SPEC §7: one problem, not one per session)."""
    if folder.id is None or not folder.has_client_note or not folder.sessions:
        return None
    names = {refers_to(s.client) for s in folder.sessions}
    old = names.pop() if len(names) == 1 else None
    if old is None or old == folder.id or old in client_ids:
        return None
    return old


_SESSION_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-([a-z-]+?)(?:-(\d+))?\.md$")


def misnamed_session(session) -> str | None:
    """W119: the name a session note's file should have (`<date>-<kind>[-<n>].md`, SPEC §4),
    when its own name does not follow it or disagrees with its date or kind; else None."""
    if session.date is None or session.kind is None or place(session.path).role != "session":
        return None
    name = session.path.rpartition("/")[2]
    found = _SESSION_NAME.match(name)
    if found and found[1] == session.date.isoformat() and found[2] == session.kind:
        return None
    return f"{session.date.isoformat()}-{session.kind}.md"


def _belongs(session_client: str | None, rel: str) -> str:
    name = rel.rpartition("/")[2]
    return f"clients/{session_client or '<id>'}/sessions/{name}"


def _placement_problems(folder: Folder, old: str | None = None) -> list[Problem]:
    """Client notes away from clients/<id>/client.md, and ids that are not slugs."""
    problems: list[Problem] = []
    for record in folder.records:
        if record.type != "client":
            continue
        rel = record.path
        line = record.lines.get("type", 1)
        if place(rel).role != "client":
            if folder.has_client_note:
                message = _("a second client note for `{id}`: the client is {client_note} — "
                            "merge this note into it").format(
                    id=folder.id, client_note=client_note(folder.id))
                problems.append(Problem(rel, line, "E022", message))
            else:
                declared = record.values.get("id") or slugify(record.values.get("name") or "")
                message = _("a client note belongs at clients/{value}/client.md: move it "
                            "there").format(value=declared or "<id>")
                problems.append(Problem(rel, line, "E021", message))
            continue
        if not SLUG_RE.match(folder.id or ""):
            message = _("the folder name {id!r} is not an id: rename the folder to lower-case "
                        "letters, digits and single hyphens (like jan-de-vries)").format(
                id=folder.id)
            problems.append(Problem(rel, 1, "E023", message))
        declared = record.values.get("id")
        if declared is not None and declared != folder.id and declared != old:
            problems.append(Problem(rel, record.lines.get("id", 1), "E023",
                                    _("`id` is {declared!r} but the folder is {id!r}: make "
                                      "them equal (or remove `id`)").format(
                                      declared=declared, id=folder.id)))
    return problems


def _session_problems(folder: Folder, client_ids: set[str], old: str | None = None,
                      refers_to=lambda value: value) -> list[Problem]:
    """Sessions in the wrong place, naming a missing client, or sharing a number. A link by
    another client's name (`client: "[[Bram Hoekstra]]"`) is that client: one mistake (the
    note lies in the wrong folder) is one problem."""
    problems: list[Problem] = []
    numbers: dict[tuple[str, int], str] = {}
    for session in sorted(folder.sessions, key=lambda s: s.path):
        named = refers_to(session.client)
        if old is not None and named == old:
            continue  # the renamed folder: one problem on client.md says it all
        if session.folder_client is None:
            message = _("a session note belongs at {belongs}: move it there").format(
                belongs=_belongs(named, session.path))
            problems.append(Problem(session.path, 1, "E021", message))
        elif named is not None and named != session.folder_client:
            problems.append(Problem(session.path, session.lines.get("client", 1), "E021",
                                    _("`client` is {client!r} but the note lies in the "
                                      "folder of {folder_client!r}: move the note or fix "
                                      "`client`").format(
                                      client=session.client, folder_client=session.folder_client)))
        misnamed = misnamed_session(session)
        if misnamed is not None:
            problems.append(Problem(session.path, 1, "W119", _(
                "the file name does not say this conversation's date and kind: rename it "
                "{name} (`coachnotes check --fix` does, where that name is free)").format(
                    name=misnamed)))
        if named is not None and named not in client_ids:
            problems.append(Problem(session.path, session.lines.get("client", 1), "E020",
                                    _("there is no client {client!r} (no "
                                      "clients/{client}/client.md): fix `client` or create the "
                                      "client with `coachnotes new client`").format(
                                      client=session.client)))
        if session.kind == "coaching" and session.number is not None and session.client:
            key = (session.client, session.number)
            if key in numbers:
                problems.append(Problem(session.path, session.lines.get("number", 1), "E024",
                                        _("coaching session number {number} is also used "
                                          "by {numbers}: renumber one of them").format(
                                          number=session.number, numbers=numbers[key])))
            else:
                numbers[key] = session.path
    return problems


def trajectory_problems(vault: Vault, client: Client, today: dt.date) -> list[Problem]:
    """W101–W109 and W112–W114: the seed practice's sense of a healthy trajectory. Every
    count is of held conversations (SPEC §4): a note prepared in advance counts when held."""
    found: list[Problem] = []

    def warn(code: str, line: int, message: str) -> None:
        found.append(Problem(client.path, line, code, message))

    _plan_problems(client, today, warn)
    status = client.status
    if status in ("follow-up", "closed") and not client.follow_ups:
        warn("W103", client.line("follow_ups", "status"),
             _("status {status} but no follow-up conversation is planned: add `follow_ups` "
               "with a `due` date").format(status=status))
    decision = (client.get("assessment") or {}).get("decision")
    coaching = client.held_coaching(today)
    if status == "active" and coaching >= 2 and decision in (None, "open"):
        warn("W104", client.line("assessment", "status"),
             _("{coaching} coaching sessions and no decision on an assessment: decide with "
               "the client and set `assessment: {{decision: yes|no}}`").format(coaching=coaching))
    if status == "active" and not client.get("goals"):
        warn("W105", client.line("goals", "status"),
             _("active without coaching goals: write the agreed `goals` as a list"))
    if client.intake_date:
        for session in client.sessions:
            if session.date and session.date < client.intake_date:
                found.append(Problem(session.path, session.lines.get("date", 1), "W106",
                                     _("dated before the intake ({date}): check `date` "
                                       "here and `intake_date` of the client").format(
                                       date=client.intake_date.isoformat())))
    _activity_problems(vault, client, today, warn)
    found += _follow_up_sessions(client, today)
    found += score_problems(client, today, vault.settings.lasting_drop, warn)
    years = vault.settings.retention_years
    if status in ("closed", "declined") and years:
        ends = client.retention_end(today, years)
        if ends is not None and ends <= today:
            warn("W112", client.line("status"),
                 _("{status} and past the retention period of {years} year(s) since {date} "
                   "(it ended {date2}): erase the client with `coachnotes forget {id}`").format(
                   status=status, years=years, date=client.file_end(today).isoformat(),
                   date2=ends.isoformat(), id=client.id))
    return found


def score_problems(client: Client, today: dt.date, drop: int, warn) -> list[Problem]:
    """E026 (more scores than goals), W116 (a result that cannot be compared), W117 (a
    result that did not last): SPEC §18."""
    goals = client.get("goals") or []
    found: list[Problem] = []
    for session in client.sessions:
        scores = session.record.values.get("scores")
        line = session.lines.get("scores", 1)
        if scores is not None and len(scores) > len(goals):
            found.append(Problem(session.path, line, "E026", _(
                "{n} scores but {goals} coaching goal(s): one score per goal, in the order of "
                "the client's `goals`").format(n=len(scores), goals=len(goals))))
        if goals and session.kind == "follow-up" and session.held(today) and scores is None:
            found.append(Problem(session.path, 1, "W116", _(
                "a follow-up without `scores`: ask the coachee to rate each goal again (0–10), "
                "so that you can see whether the result lasted")))
    results = goal_scores(client, today)
    if client.end_date and client.status in ("follow-up", "closed") and \
            any(g.start is not None for g in results) and not _ended_measured(client):
        warn("W116", client.line("end_date", "status"), _(
            "the goals have a first score but no score at the end (none in the month before "
            "`end_date`): the result cannot be compared — add `scores` to the last "
            "conversation"))
    follow = sorted((s for s in client.sessions if s.kind == "follow-up" and s.held(today)),
                    key=lambda s: s.order)
    for goal in results:
        for session, score in zip(follow, goal.follow_ups):
            if goal.end is not None and score is not None and goal.end - score >= drop:
                found.append(Problem(session.path, session.lines.get("scores", 1), "W117", _(
                    "'{goal}' fell from {end} at the end to {score}: the result did not last "
                    "— talk about it").format(goal=goal.goal, end=goal.end, score=score)))
    return found


def _ended_measured(client: Client) -> bool:
    """A scored conversation (not a follow-up) in the month before `end_date`."""
    since = add_months(client.end_date, -1)
    return any(s.kind != "follow-up" and s.date and since <= s.date <= client.end_date
               and s.record.values.get("scores") for s in client.sessions)


def _plan_problems(client: Client, today: dt.date, warn) -> None:
    """W101 and W102: past the (extended) plan without a documented reason."""
    coaching = client.held_coaching(today)
    extended = " " + _("(with the extension)") if client.extension and not client.explained else ""
    if coaching > client.planned_sessions and not client.explained:
        warn("W101", client.line("planned_sessions", "extension", "status"),
             _("{coaching} coaching sessions held, {planned_sessions} planned{extended}: "
               "write down an `extension` (why longer guidance helps) or an `alternative`").format(
               coaching=coaching, planned_sessions=client.planned_sessions, extended=extended))
    if client.status == "active" and client.planned_end and today > client.planned_end \
            and not client.explained:
        warn("W102", client.line("planned_end", "extension", "start_date"),
             _("still active after the planned end{extended} {date}: close the trajectory "
               "(`coachnotes close`), or write down an `extension` or `alternative`").format(
               extended=extended, date=client.planned_end.isoformat()))


def _activity_problems(vault: Vault, client: Client, today: dt.date, warn) -> None:
    """W107, W109 and W113: a trajectory that stalled, or never decided to start."""
    status = client.status
    held = client.held(today)
    if status == "active":
        dates = [s.date for s in held] + ([client.intake_date] if client.intake_date else [])
        last = max((d for d in dates if d <= today), default=None)
        stalled = vault.settings.stalled_after_days
        if last and (today - last).days > stalled:
            warn("W107", client.line("status"),
                 _("no conversation for {days} days (since {date}; limit {stalled}): plan "
                   "the next one, or close or pause the trajectory").format(
                   days=(today - last).days, date=last.isoformat(), stalled=stalled))
    if status == "intake" and client.intake_date and \
            (today - client.intake_date).days > INTAKE_GRACE_DAYS:
        warn("W109", client.line("intake_date", "status"),
             _("still `intake` {days} days after the intake: set status to active or "
               "declined").format(days=(today - client.intake_date).days))
    if status in ("intake", "declined"):
        beyond = [s for s in held if s.kind != "intake"]
        if beyond:
            warn("W113", client.line("status"),
                 _("status {status}, but {n} conversation(s) other than the intake were "
                   "held (first: {date}): set status to active").format(
                   status=status, n=len(beyond), date=beyond[0].date.isoformat()))


def _follow_up_sessions(client: Client, today: dt.date) -> list[Problem]:
    """W114 on each held follow-up session beyond the planned follow-ups."""
    held = [s for s in client.sessions if s.kind == "follow-up" and s.held(today)]
    return [Problem(s.path, s.lines.get("kind", 1), "W114",
                    _("follow-up session {value}, but the client has {n} follow-up(s) "
                      "planned: add an entry to `follow_ups` in client.md").format(
                      value=k + 1, n=len(client.follow_ups)))
            for k, s in enumerate(held) if k >= len(client.follow_ups)]


def problems_by_client(problems: list[Problem]) -> dict[str, list[Problem]]:
    """The problems in each client's folder, by client id."""
    found: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        folder = folder_of(problem.path)
        if folder is not None:
            found[folder].append(problem)
    return found
