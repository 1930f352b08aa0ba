"""The generated pages (SPEC §9): INDEX.md, FOLLOW-UPS.md and clients/<id>/README.md.

`render_pages()` is pure: vault, date and problems in, {path: text} out, the same text for the
same input; it renders the views (`views.py`) and nothing else. `write_pages()` is the only step
that touches the disk: a page is written atomically, only when its bytes changed, and never over
a file that lacks the marker line (E030).
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Container, Iterable, NamedTuple

from coachnotes.answers.due import fix_items, sort_key
from coachnotes.answers.results import Tally, contribution
from coachnotes.answers.results import group as result_group
from coachnotes.answers.views import STATUS_ORDER, ClientView, client_views, row_order, status_rank
from coachnotes.i18n.texts import referred, text
from coachnotes.output.charts import block, coming, goal_chart, results_chart, trajectory
from coachnotes.output.markdown import cell, link
from coachnotes.rules.check import check
from coachnotes.vault.cache import memo, signature
from coachnotes.vault.files import write_atomic
from coachnotes.vault.layout import (
    CLIENT_NOTE,
    FOLLOW_UPS_PAGE,
    INDEX_PAGE,
    MARKER,
    RESULTS_PAGE,
    client_page,
    folder_of,
    has_marker,
    place,
)
from coachnotes.vault.load import inputs, load_vault
from coachnotes.vault.model import Client, DueItem, Problem, Settings, Vault, add_days

COMING_DAYS = 90


def _name(path: str) -> str:
    return path.rpartition("/")[2]


def _d(value: dt.date | None) -> str:
    return value.isoformat() if value else "–"


def render_pages(vault: Vault, today: dt.date, problems: list[Problem],
                 only: Iterable[str] | None = None) -> dict[str, str]:
    """{relative path: page text} for INDEX.md, FOLLOW-UPS.md and the clients' READMEs.

    `only` limits the client READMEs to those ids.
    """
    views = client_views(vault, today, problems)
    wanted = set(views) if only is None else set(only) & set(views)
    return compose(views, wanted, today, vault.settings,
                   fixes=[item for item, _ in fix_items(vault, problems, today)])


class ClientLines(NamedTuple):
    """A client's lines on the top pages, rendered once (the watcher keeps them per client):
    its INDEX.md row with the key that orders it, and its FOLLOW-UPS.md lines, each with the
    due items' sort key and date."""
    order: str
    status: str | None
    row: str
    items: list[tuple[str, dt.date, str, tuple]]  # key, date, line, the diagram's entry
    result: tuple | None = None  # (group, Tally) for RESULTS.md, once the trajectory ended


def client_lines(view: ClientView, today: dt.date) -> ClientLines:
    r = view.summary
    row = (f"| {link(r.name, client_page(r.id))} | "
           f"{cell(r.organization)} | {r.sessions} / {r.planned_sessions} | "
           f"{_d(r.start_date)} | {_d(r.planned_end)} | {_d(r.next)} | "
           f"{r.problems or ''} |")
    until = add_days(today, COMING_DAYS)
    items = [(_flat(sort_key(pair)), pair[0].due, _follow_up_line(pair[0]),
              (pair[0].kind, pair[0].due.isoformat(), f"{pair[0].name} – {pair[0].text}"))
             for pair in view.due if pair[0].due is not None and pair[0].due <= until]

    return ClientLines(_flat(row_order(r)), r.status, row, items,
                       contribution(view.client, today, view.lasting_drop))


def _flat(key: tuple) -> str:
    """A sort key as one string that sorts as the tuple does (NUL sorts before every other
    character), so that 30,000 lines sort as strings, several times faster than tuples."""
    return "\0".join(str(part).replace("\0", "\1") if not isinstance(part, int)
                     else f"{part:03d}" for part in key)


def _follow_up_line(i: DueItem) -> str:
    return (f"| {i.due.isoformat()} | {link(i.name, client_page(i.client))}"
            f" | {cell(i.text)} | {link(_name(i.path), i.path)} |")


class Sorted:
    """Lines kept in the order of their keys, with a value beside each (status, due date),
    changed a few at a time by bisection: the watcher re-sorts nothing on a save."""
    def __init__(self) -> None:
        self.keys: list[str] = []
        self.values: list = []
        self.lines: list[str] = []

    def add(self, key: str, value: object, line: str) -> None:
        at = bisect.bisect_left(self.keys, key)
        self.keys.insert(at, key)
        self.values.insert(at, value)
        self.lines.insert(at, line)

    def remove(self, key: str) -> None:
        at = bisect.bisect_left(self.keys, key)
        if at < len(self.keys) and self.keys[at] == key:
            del self.keys[at], self.values[at], self.lines[at]

    def cut(self, bound: object, right: bool = False) -> int:
        """Where the values (ascending along the keys) reach `bound`."""
        find = bisect.bisect_right if right else bisect.bisect_left
        return find(self.values, bound)


class TopPages:
    """INDEX.md and FOLLOW-UPS.md as sorted lines, one client put in or taken out at a time."""
    def __init__(self) -> None:
        self.rows = Sorted()  # values: the status rank (the key begins with it)
        self.items = Sorted()  # values: the due date (the key begins with it)
        self.entries = Sorted()  # the same keys: each item as FOLLOW-UPS.md's diagram shows it
        self.statuses: list[tuple[int, str | None]] = []
        self.of: dict[str, ClientLines] = {}
        self.tallies: dict = {}  # RESULTS.md: each year's sum of the clients' results

    def put(self, client_id: str, lines: ClientLines | None) -> None:
        old = self.of.pop(client_id, None)
        if old is not None:
            self.rows.remove(old.order)
            for key, _, _, _ in old.items:
                self.items.remove(key)
                self.entries.remove(key)
            self._tally(old.result, -1)
        if lines is not None:
            self.of[client_id] = lines
            self.rows.add(lines.order, status_rank(lines.status), lines.row)
            for key, due, line, entry in lines.items:
                self.items.add(key, due, line)
                self.entries.add(key, due, entry)
            self._tally(lines.result, +1)

    def _tally(self, result: tuple | None, sign: int) -> None:
        if result is None:
            return

        key, tally = result
        total = self.tallies.get(key, Tally()) + tally if sign > 0 else \
            self.tallies[key] - tally
        if total.trajectories:
            self.tallies[key] = total
        else:
            self.tallies.pop(key, None)

    def render(self, today: dt.date, settings: Settings,
               fixes: list[DueItem]) -> dict[str, str]:
        lang = settings.language
        charts = settings.charts is not False
        window = settings.due_within_days
        coming = self.entries.lines[self.entries.cut(today):
                                    self.entries.cut(add_days(today, window), right=True)] \
            if charts else []
        return {INDEX_PAGE: render_index(self.rows, today, lang),
                FOLLOW_UPS_PAGE: render_follow_ups(self.items, today, lang, window, fixes,
                                                   coming),
                RESULTS_PAGE: render_results(self.tallies, today, lang, charts)}


def compose(views: dict[str, ClientView], wanted: Iterable[str], today: dt.date,
            settings: Settings, top: TopPages | None = None,
            fixes: list[DueItem] = ()) -> dict[str, str]:
    """The pages made from the clients' views: the top pages, and the READMEs of `wanted`.
    `top` holds the clients' rendered lines where kept (the watcher's), else it is made here;
    `fixes` are the `fix` items (files with an error) that FOLLOW-UPS.md opens with."""
    if top is None:
        top = TopPages()
        for cid, view in views.items():
            top.put(cid, client_lines(view, today))
    pages = top.render(today, settings, list(fixes))
    for client_id in sorted(wanted):
        pages[client_page(client_id)] = render_client(views[client_id], settings.language,
                                                      settings.charts is not False)
    return pages


def render_results(tallies: dict, today: dt.date, lang: str, charts: bool = True) -> str:
    """RESULTS.md: whether results last, per year the trajectories ended (SPEC §18)."""
    def mean(value: float | None) -> str:
        return "–" if value is None else f"{value:+.2f}"

    head = ["col.year", "col.trajectories", "col.not_measured", "col.goals", "col.improved",
            "col.held", "col.fallen", "col.change", "col.change_since"]
    out = [MARKER, f"# {text(lang, 'results.title')}", "",
           f"_{today.isoformat()}_ · {link(text(lang, 'back'), INDEX_PAGE)}", "",
           text(lang, "results.intro"), "",
           "| " + " | ".join(text(lang, h) for h in head) + " |", "|" + "---|" * len(head)]
    total = Tally()
    for key in sorted(tallies):
        total += tallies[key]
    for g in [result_group(key, tallies[key]) for key in sorted(tallies)] + \
            ([result_group(f"**{text(lang, 'total')}**", total)] if len(tallies) > 1 else []):
        out.append(f"| {g.group} | {g.trajectories} | {g.not_measured} | {g.goals} | "
                   f"{g.improved} | {g.held} | {g.fallen} | {mean(g.mean_change)} | "
                   f"{mean(g.mean_change_since_end)} |")
    if not tallies:
        out.append("| – | 0 | 0 | 0 | 0 | 0 | 0 | – | – |")
    chart = results_chart([result_group(key, tallies[key]) for key in sorted(tallies)], lang) \
        if charts else None
    if chart:
        out += [""] + block(chart)[:-1]
    return "\n".join(out) + "\n"


def render_index(rows: Sorted, today: dt.date, lang: str) -> str:
    """INDEX.md from the clients' rows, in order; each status is one run of them."""
    out = [MARKER, f"# {text(lang, 'index.title')}", "",
           f"_{len(rows.lines)} {text(lang, 'clients.one' if len(rows.lines) == 1 else 'clients')}"
           f" · {today.isoformat()}_ · "
           f"{link(text(lang, 'followups.title'), FOLLOW_UPS_PAGE)}", ""]
    head = ["col.client", "col.organization", "col.sessions", "col.start", "col.planned_end",
            "col.next", "col.problems"]
    totals = []
    for status in [*STATUS_ORDER, None]:
        rank = status_rank(status)
        group = rows.lines[rows.cut(rank):rows.cut(rank, right=True)]
        if not group:
            continue
        label = text(lang, f"status.{status}") if status else "?"
        totals.append((label, len(group)))
        out += [f"## {label} ({len(group)})", "",
                "| " + " | ".join(text(lang, h) for h in head) + " |",
                "|" + "---|" * len(head)]
        out += group
        out.append("")
    out += [f"## {text(lang, 'total')}", "", f"| {text(lang, 'col.state')} | "
            f"{text(lang, 'clients').capitalize()} |", "|---|---|"]
    out += [f"| {label} | {count} |" for label, count in totals]
    out += [f"| **{text(lang, 'total')}** | **{len(rows.lines)}** |", ""]
    return "\n".join(out)


def render_follow_ups(items: Sorted, today: dt.date, lang: str, window: int,
                      fixes: list[DueItem], coming_entries: list[tuple] = ()) -> str:
    """FOLLOW-UPS.md: first the notes to fix (what they hold is missing from the rest), then
    the open items due within the coming days, sorted by due date."""
    until = add_days(today, window)
    soon, later = items.cut(today), items.cut(until, right=True)
    groups = [(text(lang, "overdue"), items.lines[:soon]),
              (text(lang, "due_soon", days=window), items.lines[soon:later]),
              (text(lang, "coming", days=COMING_DAYS), items.lines[later:])]
    out = [MARKER, f"# {text(lang, 'followups.title')}", "",
           f"_{today.isoformat()}_ · {link(text(lang, 'back'), INDEX_PAGE)}", ""]
    chart = coming(list(coming_entries), lang, text(lang, "followups.chart"), today)
    if chart:
        out += block(chart)
    out += [f"## {text(lang, 'fix')} ({len(fixes)})", ""]
    if fixes:
        out += [text(lang, "fix.intro"), "",
                f"| {text(lang, 'col.note')} | {text(lang, 'col.client')} | "
                f"{text(lang, 'col.problem')} |", "|---|---|---|"]
        out += [f"| {link(i.path, i.path)} | {cell(i.name or i.client)} | {cell(i.text)} |"
                for i in sorted(fixes, key=lambda i: i.path)]
    else:
        out.append(text(lang, "nothing"))
    out.append("")
    for title, group in groups:
        out += [f"## {title} ({len(group)})", ""]
        if not group:
            out += [text(lang, "nothing"), ""]
            continue
        out += [f"| {text(lang, 'col.due')} | {text(lang, 'col.client')} | "
                f"{text(lang, 'col.what')} | {text(lang, 'col.note')} |", "|---|---|---|---|"]
        out += group
        out.append("")
    return "\n".join(out)


def render_client(view: ClientView, lang: str, charts: bool = True) -> str:
    """One client's page, from its view; with its diagrams unless `charts` is off."""
    client = view.client
    out = [MARKER, f"# {cell(client.name)}", "",
           f"{link('← ' + text(lang, 'back'), '../../' + INDEX_PAGE)} · "
           f"{link(CLIENT_NOTE, CLIENT_NOTE)}", "", " · ".join(_facts(client, lang)), ""]
    out += _progress(view, lang)
    picture = trajectory(view, lang) if charts else None
    if picture:
        out += block(picture)
    out += _profile(client, lang)
    out += _results(view, lang, charts)
    out += _timeline(view, lang)
    out += _follow_ups(view, lang)
    if view.planned_notes:
        out += [f"## {text(lang, 'planned')}", ""]
        for s in view.planned_notes:
            rel = place(s.path).inner
            out.append(f"- {_d(s.date)} — {text(lang, f'kind.{s.kind}') if s.kind else '?'} "
                       f"({link(_name(rel), rel)})")
        out.append("")
    if view.actions:
        out += [f"## {text(lang, 'actions')}", ""]
        for i in view.actions:
            rel = place(i.path).inner
            when = i.due.isoformat() if i.due else text(lang, "no_date")
            out.append(f"- {when} — {cell(i.text)} ({link(_name(rel), rel)})")
        out.append("")
    if view.problems:
        out += [f"## {text(lang, 'problems')}", ""]
        for p in view.problems:
            rel = place(p.path).inner
            where = link(f"{rel}:{p.line}", rel) if _readable_name(rel) else cell(rel)
            out.append(f"- {where} {p.code} {cell(p.message)}")
        out.append("")
    return "\n".join(out)


def _readable_name(rel: str) -> bool:
    """False for a name shown with U+FFFD (its bytes are not UTF-8): no link can reach it."""
    return "\ufffd" not in rel


def _facts(client: Client, lang: str) -> list[str]:
    v = client.values
    facts = [f"**{text(lang, f'status.{client.status}') if client.status else '?'}**"]
    if v.get("organization"):
        facts.append(cell(v["organization"]))
    if v.get("sponsor"):
        facts.append(f"{text(lang, 'sponsor')}: {cell(v['sponsor'])}")
    if v.get("referred_by"):
        whence = referred(v["referred_by"], lang, v.get("programme"))
        facts.append(f"{text(lang, 'referred_by')}: {whence}")
    return facts


def _progress(view: ClientView, lang: str) -> list[str]:
    client = view.client
    line = text(lang, "progress.line", held=view.held, planned=view.planned)
    if view.month is not None:
        line += " · " + text(lang, "progress.month", m=view.month, of=view.months)
    dates = text(lang, "dates.line", intake=_d(client.intake_date), start=_d(client.start_date),
                 planned=_d(client.planned_end))
    if client.end_date:
        dates += " · " + text(lang, "dates.end", end=_d(client.end_date))
    return [f"## {text(lang, 'progress')}", "", line, "", dates, ""]


def _results(view: ClientView, lang: str, charts: bool = True) -> list[str]:
    """The goals with their scores at the start, the end and each follow-up (SPEC §18);
    nothing while no goal has a score."""
    scored = [g for g in view.results if g.start is not None]
    if not scored:
        return []
    count = max(len(g.follow_ups) for g in scored)
    head = [text(lang, "col.goal"), text(lang, "start"), text(lang, "end")] + \
        [text(lang, "col.follow_up", n=k + 1) for k in range(count)] + [text(lang, "col.trend")]
    out = [f"## {text(lang, 'results')}", "", "| " + " | ".join(head) + " |",
           "|" + "---|" * len(head)]
    for g in scored:
        cells = [cell(g.goal), g.start, "–" if g.end is None else g.end]
        cells += [("–" if s is None else s) for s in g.follow_ups]
        cells += ["–"] * (count - len(g.follow_ups))
        out.append("| " + " | ".join(map(str, cells)) + f" | {g.direction(view.lasting_drop)} |")
    out.append("")
    for g in scored if charts else ():
        chart = goal_chart(g, lang)
        if chart:
            out += block(chart)
    return out


def _assessment(assessment: dict, lang: str) -> list[str]:
    if not assessment:
        return []
    parts = [f"{text(lang, k)}: {text(lang, assessment[k])}" for k in
             ("decision", "reason_confirmed", "goals_realistic") if k in assessment]
    if assessment.get("date"):
        parts.append(assessment["date"])
    out = [f"## {text(lang, 'assessment')}", "", " · ".join(parts), ""]
    if assessment.get("notes"):
        out += [cell(assessment["notes"]), ""]
    return out


def _extension(extension: dict | None, lang: str) -> list[str]:
    if not extension:
        return []
    parts = [cell(extension.get("reason"))]
    if extension.get("sessions"):
        parts.append(text(lang, "extension.sessions", n=extension["sessions"]))
    if extension.get("until"):
        parts.append(text(lang, "extension.until", date=extension["until"]))
    return [f"## {text(lang, 'extension')}", "", " · ".join(parts), ""]


def _profile(client: Client, lang: str) -> list[str]:
    v = client.values
    out = []
    if v.get("reason"):
        out += [f"## {text(lang, 'reason')}", "", cell(v["reason"]), ""]
    for key in ("goals", "development_points"):
        if v.get(key):
            out += [f"## {text(lang, key)}", ""] + [f"- {cell(g)}" for g in v[key]] + [""]
    out += _assessment(v.get("assessment") or {}, lang) + _extension(client.extension, lang)
    if v.get("alternative"):
        out += [f"## {text(lang, 'alternative')}", "", cell(v["alternative"]), ""]
    return out


def _timeline(view: ClientView, lang: str) -> list[str]:
    client = view.client
    out = [f"## {text(lang, 'timeline')}", ""]
    if client.sessions:
        out += [f"| {text(lang, 'col.date')} | {text(lang, 'col.kind')} | "
                f"{text(lang, 'col.note')} |",
                "|---|---|---|"]
        for s in client.sessions:
            kind = text(lang, f"kind.{s.kind}") if s.kind else "?"
            if s.kind == "coaching" and s.number:
                kind += f" {s.number}"
            if s.cancelled:
                kind += f" ({text(lang, 'cancelled')})"
            elif s.planned(view.today):
                kind += f" ({text(lang, 'planned.one')})"
            rel = place(s.path).inner
            out.append(f"| {_d(s.date)} | {kind} | {link(_name(rel), rel)} |")
    else:
        out.append(text(lang, "nothing"))
    out.append("")
    return out


def _follow_ups(view: ClientView, lang: str) -> list[str]:
    if not view.follow_ups:
        return []
    out = [f"## {text(lang, 'follow_ups')}", "",
           f"| # | {text(lang, 'col.due')} | {text(lang, 'col.state')} |", "|---|---|---|"]
    for f in view.follow_ups:
        if f.state == "done":
            state = text(lang, "fu.done", date=_d(f.date))
        elif f.state == "cancelled":
            state = text(lang, "fu.cancelled", why=cell(f.why))
        elif f.state == "held":
            rel = place(f.note or "").inner
            state = text(lang, "fu.by", date=_d(f.date), note=link(_name(rel), rel))
        else:
            state = text(lang, "fu.open")
        out.append(f"| {f.n} | {f.due.isoformat()} | {state} |")
    out.append("")
    return out


@dataclass
class PagesResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # E030: someone else's file in the place


def regenerate(vault: Vault, today: dt.date,
               progress: Callable[[str], None] | None = None) -> PagesResult:
    """Check the vault, render every page and write what changed (`index`, `sync`)."""
    pages = render_pages(vault, today, check(vault, today))
    return write_pages(vault.root, pages, vault.pages, set(vault.clients), progress)


def write_pages(root: Path, pages: dict[str, str], existing: Iterable[str],
                clients: Container[str], progress: Callable[[str], None] | None = None,
                last: dict[str, tuple[bytes, tuple]] | None = None) -> PagesResult:
    """Write `pages` atomically, only where changed, never over a file without the marker;
    remove the generated READMEs among `existing` whose client is not among `clients`.
    `last` (the watcher's) remembers what was written where: a page whose file still has the
    signature it had then is compared with those bytes, not read again (megabytes, at 70k
    notes)."""
    result = PagesResult()
    for rel in sorted(pages):
        if progress:
            progress(rel)
        _write_page(root / rel, rel, pages[rel].encode("utf-8"), result, last)
    for rel in existing:  # pages of clients that are gone, whichever pages were asked for
        folder = folder_of(rel)
        if folder is None or folder in clients or place(rel).role != "page":
            continue
        path = root / rel
        if has_marker(path) and not path.is_symlink():
            try:
                path.unlink()
                result.removed.append(rel)
            except FileNotFoundError:
                pass
    return result


def _write_page(path: Path, rel: str, data: bytes, result: PagesResult,
                last: dict | None) -> None:
    """One page: left when unchanged, refused over a file without the marker or a link."""
    if _known(last, rel, path, data) or _same_bytes(path, data):
        result.unchanged.append(rel)
    elif (os.path.lexists(path) and not has_marker(path)) or path.is_symlink():
        result.refused.append(rel)
    elif path.parent.is_dir():  # else the client folder went away meanwhile
        write_atomic(path, data, mode=0o600)
        result.written.append(rel)
        if last is not None:
            last[rel] = (data, _signature(path))


def _signature(path: Path) -> tuple:
    try:
        info = os.lstat(path)
    except OSError:
        return ()
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def _known(last: dict | None, rel: str, path: Path, data: bytes) -> bool:
    """Whether `data` is what was last written at `path`, and the file is still that one."""
    if last is None or rel not in last:
        return False
    written, signature = last[rel]
    return written == data and signature == _signature(path)


def _same_bytes(path: Path, data: bytes) -> bool:
    """Whether the regular file at `path` holds exactly `data` (a FIFO is never opened)."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def index_vault(root: Path, today: dt.date,
                progress: Callable[[int], Callable[[str], None]] | None = None) -> PagesResult:
    """`coachnotes index`: write the pages, or do nothing at all when no input changed.

    The answer is memoised (`cache.memo`) by every input (each note's signature, settings,
    conflict copies), the date, and the signature of every page written; while all still
    hold, no page can differ, so the vault is not even loaded. `progress(count)` may return a
    callback that is called once per page.
    """
    def page_signatures(rels: Iterable[str]) -> dict[str, int] | None:
        found = {}
        for rel in rels:
            try:
                found[rel] = signature(os.stat(root / rel))
            except OSError:
                return None
        return found

    settings, listing, key = inputs(root)
    written = PagesResult()

    def compute() -> dict[str, int] | None:
        nonlocal written
        vault = load_vault(root, settings=settings, listing=listing)
        tick = progress(len(vault.clients) + 2) if progress else None
        written = regenerate(vault, today, tick)
        return None if written.refused else page_signatures(written.written + written.unchanged)

    def keep(sigs: dict[str, int] | None) -> bool:
        return sigs is not None and listing.settled([*(sig for _, sig in listing.notes),
                                                     *sigs.values()])

    sigs = memo(root, "pages", key + today.isoformat().encode(), compute, keep,
                still_valid=lambda saved: page_signatures(saved) == saved)
    if written.written or written.unchanged or written.refused or written.removed:
        return written
    return PagesResult(unchanged=sorted(sigs or ()))
