"""`check --fix` (SPEC §7.1): repair what has exactly one reading, changing only its bytes.

Each repair is one edit of one front-matter line (or one move of a misplaced note). It is
tried on the note's text and kept only when the note, read again, has fewer problems and none
it did not have before (or, for a note YAML could not read at all, when it now can): so a fix
never makes a note worse, and anything ambiguous stays as it was, with its problem. Line ends,
a BOM, comments, quoting and every other line stay byte for byte.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from coachnotes.i18n import _
from coachnotes.rules.check import misnamed_session
from coachnotes.vault import schema
from coachnotes.vault.dates import MONTHS, date_reading  # noqa: F401 - fix's own words
from coachnotes.vault.files import read_regular, write_atomic
from coachnotes.vault.layout import CLIENTS, client_note, folder_of, place, slugify
from coachnotes.vault.load import record_from_bytes
from coachnotes.vault.model import Problem, Vault

FIXABLE = {"E003", "E010", "E012", "E013", "E014", "E021", "W119"}
NBSP = "\u00a0"
_DASHES = schema.ODD_DASHES
_PAIR = re.compile(r"(?P<key>[A-Za-z_]+)[ \t]*:[ \t]*(?P<value>[^,{}]*)")
_LINE = re.compile(r"^(?P<lead>[ \t\u00a0]*(?:-[ \u00a0]+)?)(?P<q>[\"']?)"
                   r"(?P<key>[A-Za-z_][\w \u00a0-]*?)(?P=q)"
                   r"(?P<gap>[ \u00a0]*):(?P<after>[ \t\u00a0]*)(?P<value>.*?)"
                   r"(?P<tail>(?:[ \t]+#.*)?)$")


@dataclass
class Fix:
    path: str
    line: int
    code: str
    old: str
    new: str

    def __str__(self) -> str:
        return _("{path}:{line}: fixed {code}: {old} → {new}").format(
            path=self.path, line=self.line, code=self.code, old=self.old, new=self.new)


def _keys() -> tuple[set[str], set[str], dict[str, set[str]]]:
    """Every known key, the date keys, and the choices of each choice key (all schemas)."""
    known, dates, choices = set(), set(), {}

    def walk(fields) -> None:
        for f in fields:
            known.add(f.key)
            if f.kind in ("date", "datetime"):
                dates.add(f.key)
            if f.kind == "choice":
                choices.setdefault(f.key, set()).update(f.choices)
            if f.kind == "bool":  # billable, an action's done: yes/no like any choice
                choices.setdefault(f.key, set()).update(("yes", "no"))
            if f.fields:
                walk(f.fields)

    for note_schema in schema.NOTE_SCHEMAS.values():
        walk(note_schema.fields)
    return known, dates, choices


KNOWN, DATE_KEYS, CHOICES = _keys()


def _unquoted(value: str) -> tuple[str, str]:
    """(the text inside the quotes, the quote) of a scalar as written."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1], value[0]
    return value, ""


def _line_fixes(line: str, siblings: set[str]) -> list[tuple[str, str, str]]:
    """Candidate repairs of one front-matter line: (code, new line, what changed)."""
    out = []
    if "\t" in line[:len(line) - len(line.lstrip())]:
        indent = line[:len(line) - len(line.lstrip())]
        spaced = indent.replace("\t", "  ") + line.lstrip()
        out.append(("E003", spaced, _("a tab in the indentation → two spaces")))
    match = _LINE.match(line)
    if not match:
        return out
    key, value = match["key"], match["value"]
    clean_key = key.replace(NBSP, " ").strip()
    lead = match["lead"].replace(NBSP, " ")
    gap = match["gap"].replace(NBSP, "")
    after = match["after"].replace(NBSP, " ") or (" " if value else "")
    if NBSP in match["lead"] + key + match["gap"] + match["after"]:
        fixed = f"{lead}{match['q']}{clean_key}{match['q']}{gap}:{after}{value}{match['tail']}"
        out.append(("E003", fixed, _("a non-breaking space → a space")))
    lower = clean_key.lower()
    if clean_key != lower and lower in KNOWN and lower not in siblings:
        fixed = (f"{match['lead']}{match['q']}{lower}{match['q']}{match['gap']}:"
                 f"{match['after']}{value}{match['tail']}")
        out.append(("E010" if lower == "type" else "E014", fixed, f"{clean_key} → {lower}"))
    start = match.start("value")
    written = value.strip()
    found = _value_fix(lower, written)
    if found:
        code, new_value, what = found
        out.append((code, line[:start] + new_value + line[start + len(written):], what))
    elif written.startswith(("{", "[{")) and written.endswith(("}", "}]")):  # one-line mappings
        for pair in _PAIR.finditer(written):
            found = _value_fix(pair["key"].lower(), pair["value"].strip())
            if found:
                code, new_value, what = found
                at = start + pair.start("value")
                out.append((code, line[:at] + new_value +
                            line[at + len(pair["value"].strip()):], what))
    return out


def _value_fix(key: str, written: str) -> tuple[str, str, str] | None:
    """The one reading of a date or choice value as written (quotes kept), if it has one."""
    inner, quote = _unquoted(written)
    if not inner:
        return None
    if key in DATE_KEYS:
        reading = date_reading(inner)
        if reading and reading != inner and (key in ("date", "next") or " " not in reading):
            return "E012", f"{quote}{reading}{quote}", f"{inner} → {reading}"
    if key == "duration" and (minutes := schema.minutes_reading(inner)) is not None:
        return "E012", str(minutes), f"{inner} → {minutes}"
    if key in CHOICES:
        word = inner.strip().lower()
        meant = word if word in CHOICES[key] else schema.DUTCH_VALUES.get(word)
        if meant in CHOICES[key] and meant != inner:
            return "E013", f"{quote}{meant}{quote}", f"{inner} → {meant}"
    return None


def _problems(rel: str, raw: bytes) -> set[tuple[int, str]]:
    return {(line, code) for line, code, _text in record_from_bytes(rel, raw).problems}


def _better(before: set[tuple[int, str]], after: set[tuple[int, str]]) -> bool:
    """Fewer problems and no new one; or, where the note could not be read as a note at all
    (YAML, or `type`, hid every other problem), now it can."""
    def level(found: set[tuple[int, str]]) -> int:  # 2: not YAML, 1: no known type, 0: a note
        codes = {code for _line, code in found}
        return 2 if codes & {"E002", "E003", "E004"} else 1 if "E010" in codes else 0

    if level(after) < level(before):
        return True
    return level(after) == level(before) and after < before


def _chained(body: str, siblings: set[str]) -> tuple[str, list[tuple[str, str]]]:
    """Every repair of one line applied in turn (`Status: actief` needs the key and then the
    value): the new line and (code, what changed) of each."""
    done: list[tuple[str, str]] = []
    for _round in range(6):
        step = next(((code, new, what) for code, new, what in _line_fixes(body, siblings)
                     if (code, what) not in done), None)
        if step is None:
            break
        body = step[1]
        done.append((step[0], step[2]))
    return body, done


def fix_text(rel: str, raw: bytes) -> tuple[bytes, list[Fix]]:
    """The note's bytes with every repair that makes it better, and the repairs."""
    split = _front_lines(raw)
    if split is None:
        return raw, []
    bom, lines, end = split
    fixes: list[Fix] = []
    current = raw
    found = _problems(rel, current)
    untabbed = _untabbed(rel, bom, lines, end, found)  # a list indented with tabs: all at once
    if untabbed is not None:
        lines, current, found, tabbed = untabbed
        fixes += [Fix(rel, i + 1, "E003", *_("a tab in the indentation → two spaces").split(
            " → ", 1)) for i in tabbed]
    for _round in range(4):  # a repair can make the next one visible (a tab hid a date)
        if not any(code in FIXABLE for _line, code in found):
            break
        siblings = {m["key"].strip() for m in map(_LINE.match, lines[1:end]) if m}
        changed = False
        for index in range(1, end):
            better = _better_line(rel, bom, lines, index, siblings, found)
            if better is not None:
                lines, current, found, steps = better
                fixes += [Fix(rel, index + 1, code, *what.split(" → ", 1))
                          for code, what in steps]
                changed = True
        if not changed:
            break
    return current, fixes


def _front_lines(raw: bytes) -> tuple[bool, list[str], int] | None:
    """(BOM or not, the lines, the index of the closing `---`) of a note with front matter."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw[3 if bom else 0:].decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":  # `--- ` with a trailing space opens too
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    return None if end is None else (bom, lines, end)


def _untabbed(rel: str, bom: bool, lines: list[str], end: int, found: set) -> tuple | None:
    """Every tab-indented line of the front matter with its tabs made two spaces each, when
    that makes the note better (one line alone only moves YAML's error to the next)."""
    tabbed = [i for i in range(1, end) if "\t" in lines[i][:len(lines[i]) - len(lines[i].lstrip())]]
    if len(tabbed) < 2:
        return None
    trial = [line if i not in tabbed else
             line[:len(line) - len(line.lstrip())].replace("\t", "  ") + line.lstrip()
             for i, line in enumerate(lines)]
    candidate = (b"\xef\xbb\xbf" if bom else b"") + "".join(trial).encode()
    after = _problems(rel, candidate)
    return (trial, candidate, after, tabbed) if _better(found, after) else None


def _better_line(rel: str, bom: bool, lines: list[str], index: int, siblings: set[str],
                 found: set) -> tuple | None:
    """The first repair of line `index` (all of its repairs chained, else each alone) that
    makes the note better: (lines, bytes, problems, steps), or None."""
    body = lines[index].rstrip("\r\n")
    ending = lines[index][len(body):]
    options = [_chained(body, siblings)] + [(new, [(code, what)])
                                            for code, new, what in _line_fixes(body, siblings)]
    for new_body, steps in options:
        if not steps or new_body == body:
            continue
        trial = lines[:index] + [new_body + ending] + lines[index + 1:]
        candidate = (b"\xef\xbb\xbf" if bom else b"") + "".join(trial).encode()
        after = _problems(rel, candidate)
        if _better(found, after):
            return trial, candidate, after, steps
    return None


def _destination(vault: Vault, rel: str) -> str | None:
    """Where a note outside its place belongs, when that is certain and free."""
    record = vault.records.get(rel)
    if record is None or record.type not in ("client", "session") or \
            place(rel).role in ("client", "session"):
        return None
    name = rel.rpartition("/")[2]
    if record.type == "client":
        target_id = record.values.get("id") or slugify(record.values.get("name") or "")
        target = client_note(target_id) if target_id else None
    else:  # the client by id or by a wiki link to its name; the note's own name if free
        client = vault.refers_to(record.values.get("client"))
        if client not in vault.client_ids:
            return None
        names = dict.fromkeys(n for n in (_session_name(vault, rel), name) if n)
        target = next((f"{CLIENTS}/{client}/sessions/{n}" for n in names if not
                       os.path.lexists(vault.root / f"{CLIENTS}/{client}/sessions/{n}")), None)
    if target is None or os.path.lexists(vault.root / target):
        return None
    return target


def _session_name(vault: Vault, rel: str) -> str | None:
    """`<date>-<kind>[-<n>].md` for a session note whose name does not say so, else None."""
    folder = vault.folders.get(folder_of(rel))
    for session in folder.sessions if folder is not None else ():
        if session.path == rel:
            if place(rel).role == "session":
                return misnamed_session(session)
            return f"{session.date.isoformat()}-{session.kind}.md" \
                if session.date and session.kind else None
    record = vault.records.get(rel)  # outside clients/ (an inbox): from the note itself,
    if record is None:  # so that one run moves it and gives it its name (SPEC §7.1, v4)
        return None
    day, kind = str(record.values.get("date") or "")[:10], record.values.get("kind")
    return f"{day}-{kind}.md" if re.fullmatch(r"\d{4}-\d\d-\d\d", day) and \
        kind in schema.SESSION_KINDS else None


def _move_target(vault: Vault, rel: str, codes: set[str]) -> tuple[str, str] | None:
    """Where a note moves: to its place (E021), else to its own name (W119)."""
    target = _destination(vault, rel) if "E021" in codes else None
    if target is not None:
        return "E021", target
    target = _renamed(vault, rel) if "W119" in codes else None
    return ("W119", target) if target is not None else None


def _renamed(vault: Vault, rel: str) -> str | None:
    """W119: the session note's own name (`<date>-<kind>[-<n>].md`), where it is free."""
    name = _session_name(vault, rel)
    target = f"{rel.rpartition('/')[0]}/{name}" if name else None
    return target if target and not os.path.lexists(vault.root / target) else None


def _move(root: Path, rel: str, target: str) -> None:
    """Move a note as `git mv` does where git tracks it, else as a plain rename."""
    import subprocess

    destination = root / target
    destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", "--", rel], cwd=root,
                             capture_output=True).returncode == 0
    if tracked and subprocess.run(["git", "mv", "-k", "--", rel, target], cwd=root,
                                  capture_output=True).returncode == 0 and destination.exists():
        return
    os.rename(root / rel, destination)


def fix_vault(vault: Vault, problems: list[Problem], write: bool) -> tuple[list[Fix], str]:
    """Repair every note with a fixable problem; the repairs and their unified diff. With
    `write` false nothing is written (`--diff`)."""
    fixes: list[Fix] = []
    diff: list[str] = []
    paths = sorted({p.path for p in problems if p.code in FIXABLE})
    for rel in paths:
        path = vault.root / rel
        try:
            raw = read_regular(path)
        except (OSError, ValueError):
            continue
        new, found = fix_text(rel, raw)
        if found:
            fixes += found
            diff += difflib.unified_diff(raw.decode("utf-8", "replace").splitlines(True),
                                         new.decode("utf-8", "replace").splitlines(True),
                                         f"a/{rel}", f"b/{rel}")
            if write:
                write_atomic(path, new, path.stat().st_mode & 0o777)
        moved = _move_target(vault, rel, {p.code for p in problems if p.path == rel})
        if moved is not None:
            fixes.append(Fix(rel, 1, moved[0], rel, moved[1]))
            diff.append(f"rename from {rel}\nrename to {moved[1]}\n")
            if write:
                _move(vault.root, rel, moved[1])
    return fixes, "".join(diff)
