"""The invoice register `invoices.yml` (SPEC §20): the fiscal record, in git, and the single
source of every invoice document.

The file is a YAML list of entries, one per invoice or credit note, in the order they were
made. Amounts are decimal texts ("95.00"), never floats, so the documents made from an entry
are the same to the cent at any later time. It is written only whole and atomically
(`write`): a killed `invoice` leaves the old register or the new one, never half of one, so a
number is never used without its entry.

Numbers are `<prefix><year>-<nnnn>`, one unbroken series per year; an offline device takes
`<prefix><year>-<letter><nnn>` from a series of its own. `problems()` names what E027 reports:
a register that cannot be read, a number used twice, a gap in a series. `union()` is how `sync`
merges two devices' registers: every entry of both, never a conflict copy.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, NamedTuple

from coachnotes.i18n import _
from coachnotes.vault.files import read_regular, write_atomic
from coachnotes.vault.layout import CACHE_DIR

REGISTER = "invoices.yml"
HEAD = ("# coachnotes: the invoice register, the fiscal record (kept 7 years). Written by\n"
        "# `coachnotes invoice`; never edit an entry: credit it (`coachnotes invoice "
        "--credit NUMBER`).\n")
_NUMBER = re.compile(r"^(?P<series>.*?(?P<year>\d{4})-(?P<letter>[A-Z]?))(?P<n>\d{3,})$")


class RegisterError(ValueError):
    """The register cannot be read: (line, message)."""


class Number(NamedTuple):
    series: str  # `<prefix><year>-` or `<prefix><year>-<letter>`
    year: int
    n: int
    width: int


def parse_number(number: str) -> Number | None:
    match = _NUMBER.match(number)
    if match is None:
        return None
    return Number(match["series"], int(match["year"]), int(match["n"]), len(match["n"]))


def read(root: Path) -> list[dict]:
    """The entries of the register (none when there is none); RegisterError when it cannot be
    read as a list of entries with a number each."""
    path = root / REGISTER
    try:
        data = read_regular(path)
    except FileNotFoundError:
        return []
    except OSError as error:
        raise RegisterError(1, _("cannot be read ({reason})").format(
            reason=error.strerror or error)) from None
    return parse(data)


_READ: dict[str, tuple[tuple, list[dict]]] = {}


def signature(root: Path) -> tuple | None:
    """What changes when the register does (for the answers memoised on their inputs)."""
    try:
        info = (root / REGISTER).stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def read_kept(root: Path) -> list[dict]:
    """`read`, kept while the file is unchanged: in this process (the watcher checks the vault
    after every save), and in the private cache (`.coachnotes/register`, marshal) for the
    next command — a large practice's year of invoices takes seconds to parse as YAML, and
    `check` reads the register every time."""
    key = str(root / REGISTER)
    now = signature(root)
    kept = _READ.get(key)
    if kept is not None and kept[0] == now and now is not None:
        return kept[1]
    entries = _cached(root, now)
    if entries is None:
        entries = read(root)
        _keep(root, now, entries)
    _READ[key] = (now, entries)
    return entries


def _cached(root: Path, now: tuple | None) -> list[dict] | None:
    import marshal

    if now is None:
        return None
    try:
        with open(root / CACHE_DIR / "register", "rb") as handle:
            stamp, entries = marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return entries if tuple(stamp) == now else None


def _keep(root: Path, now: tuple | None, entries: list[dict]) -> None:
    import marshal
    import time

    from coachnotes.vault.cache import private_dir, racy_ns

    if now is None or now[1] < 64 * 1024:  # a small register parses as fast as a file opens
        return
    if now[0] > time.time_ns() - racy_ns():  # changed just now: it may change again unseen
        return
    try:
        write_atomic(private_dir(root / CACHE_DIR) / "register", marshal.dumps((now, entries)))
    except OSError:
        pass  # no cache: read again next time


def parse(data: bytes) -> list[dict]:
    import yaml  # here, not at the top: a warm `due` imports no YAML parser (PITFALLS)

    try:
        entries = yaml.load(data.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader",
                                                                 yaml.SafeLoader))
    except UnicodeDecodeError:
        raise RegisterError(1, _("is not UTF-8 text")) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise RegisterError(mark.line + 1 if mark else 1,
                            _("is not valid YAML: {reason}").format(
                                reason=getattr(error, "problem", None) or error)) from None
    if entries is None:
        return []
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("number"), str) for e in entries):
        raise RegisterError(1, _("must be a list of invoices, each with its `number`"))
    entries = [_plain(entry) for entry in entries]
    for entry in entries:
        missing = _missing(entry)
        if missing:
            raise RegisterError(1, _("holds invoice {number} without `{key}`").format(
                number=entry["number"], key=missing))
    return entries


_NEEDED = ("date", "period.from", "period.to", "seller.name", "buyer.name", "vat.kind",
           "vat.rate", "net", "vat_amount", "total", "lines")
_LINE_NEEDED = ("date", "name", "text", "quantity", "unit", "rate", "amount")


def _missing(entry: dict) -> str | None:
    """The first key an entry lacks for its documents to be made from it (None: none)."""
    for key in _NEEDED:
        value: Any = entry
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            return key
    if not isinstance(entry["lines"], list):
        return "lines"
    if entry.get("type") == "credit" and not entry.get("credits"):
        return "credits"
    for n, line in enumerate(entry["lines"], 1):
        for key in _LINE_NEEDED:
            if not isinstance(line, dict) or line.get(key) is None and key != "date":
                return f"lines.{n}.{key}"
    return None


def _plain(value: Any) -> Any:
    """Dates as ISO texts, as they were written (YAML reads an unquoted date as a date)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def dump(entries: list[dict]) -> bytes:
    import yaml
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # C: a year's register in 1/10
    body = yaml.dump(entries, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False) if entries else "[]\n"
    return (HEAD + body).encode("utf-8")


def write(root: Path, entries: list[dict]) -> None:
    """The whole register, atomically (the old one or the new one, never half)."""
    write_atomic(root / REGISTER, dump(entries))


def next_number(entries: list[dict], prefix: str, year: int, letter: str = "") -> str:
    """The next number of the year's series: `<prefix><year>-<nnnn>`, or with an offline
    device's letter `<prefix><year>-<L><nnn>`. Counted from the highest number used, so a
    number is never used twice."""
    series = f"{prefix}{year}-{letter}"
    used = [n.n for n in map(parse_number, (e["number"] for e in entries))
            if n is not None and n.series == series]
    width = 3 if letter else 4
    return f"{series}{max(used, default=0) + 1:0{width}d}"


def problems(entries: list[dict]) -> list[str]:
    """What E027 names: each number used by more than one entry, and each gap in a series."""
    found = []
    seen: dict[str, int] = {}
    for entry in entries:
        seen[entry["number"]] = seen.get(entry["number"], 0) + 1
    for number, count in seen.items():
        if count > 1:
            found.append(_("invoice number {number} is used {count} times (two devices "
                           "invoiced before a sync): credit one of them with `coachnotes "
                           "invoice --credit`").format(number=number, count=count))
    series: dict[str, set[int]] = {}
    for number in filter(None, map(parse_number, seen)):
        series.setdefault(number.series, set()).add(number.n)
    for name, used in sorted(series.items()):
        missing = sorted(set(range(1, max(used) + 1)) - used)
        if missing:
            found.append(_("the invoice numbers of {series}… skip {missing}: a series must be "
                           "unbroken; find what happened to them before you invoice "
                           "again").format(series=name,
                                           missing=", ".join(str(n) for n in missing[:10])))
    return found


def union(ours: bytes, theirs: bytes) -> bytes:
    """Two devices' registers as one: every entry of ours, then each of theirs that ours does
    not hold (an identical entry once), in the order of their dates. Two different entries
    with one number both stay, for E027 to name. RegisterError when either cannot be read."""
    mine, other = parse(ours), parse(theirs)
    known = [repr(sorted(_flat(e))) for e in mine]
    merged = list(mine)
    for entry in other:
        if repr(sorted(_flat(entry))) not in known:
            merged.append(entry)
    merged.sort(key=lambda e: (str(e.get("date", "")), e["number"]))
    return dump(merged)


def _flat(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _flat(v, f"{prefix}{k}.")]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in _flat(v, f"{prefix}{i}.")]
    return [(prefix, repr(value))]


def by_number(entries: list[dict], number: str) -> dict | None:
    found = [e for e in entries if e["number"] == number]
    return found[0] if len(found) == 1 else None


class Invoiced:
    """Which invoice holds a line, over invoices not credited (a credited invoice's lines are
    free to be invoiced again). A conversation is known by its note's path, and also by its
    date, kind and the coachee's name: after `rename` moved the client's folder, or `check
    --fix` renamed a note, its invoiced conversations are still invoiced (never billed
    twice). A cost is known by its client note, date, text and amount."""

    def __init__(self, entries: list[dict]) -> None:
        credited = {e.get("credits") for e in entries if e.get("type") == "credit"}
        self.by_key: dict[str, str] = {}
        self.by_name: dict[tuple[str, str, str], str] = {}
        for entry in entries:
            if entry.get("type", "invoice") != "invoice" or entry["number"] in credited:
                continue
            for line in entry.get("lines") or []:
                if isinstance(line, dict):
                    self.by_key[line_key(line)] = entry["number"]
                    if line.get("kind") != "cost":
                        self.by_name[_named(line.get("date"), line.get("kind"),
                                            line.get("name"))] = entry["number"]

    def number(self, path: str, day: object, kind: object, name: object) -> str | None:
        """The invoice that holds the conversation of this note (None: not invoiced)."""
        return self.by_key.get(path) or self.by_name.get(_named(day, kind, name))

    def holds(self, line: dict) -> bool:
        if line.get("kind") == "cost":
            return line_key(line) in self.by_key
        return self.number(str(line.get("path")), line.get("date"), line.get("kind"),
                           line.get("name")) is not None


def _named(day: object, kind: object, name: object) -> tuple[str, str, str]:
    return str(day)[:10], str(kind or ""), str(name or "")


def line_key(line: dict) -> str:
    """A conversation is its note; a cost is its client note, date, text and amount."""
    if line.get("kind") == "cost":
        return f"{line.get('path')}#{line.get('date')}|{line.get('text')}|{line.get('amount')}"
    return str(line.get("path"))
