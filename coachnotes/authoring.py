"""Writing notes for the coach: `init`, `new client`, `new session`, `close`, `hooks install`.

Every function creates files it owns (exclusively, privately) or edits the lines it must; it
never overwrites a note. Errors are `Refused`/`UnknownClient` with a message that says why.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import string
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from coachnotes.errors import Refused
from coachnotes.i18n import N_, _, gettext
from coachnotes.vault import schema
from coachnotes.vault.files import DIR_MODE, create_exclusive, rewrite_in_place, write_atomic
from coachnotes.vault.layout import (
    CACHE_DIR,
    CLIENTS,
    NEVER_COMMITTED,
    SETTINGS_FILE,
    slugify,
    template_text,
)
from coachnotes.vault.model import Vault, add_months
from coachnotes.vault.schema import SETTINGS, SLUG_RE


def yaml_scalar(value: str) -> str:
    """A YAML spelling of `value` that reads back as exactly that text."""
    import yaml

    if value and "\n" not in value and value == value.strip():
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value} and "#" not in value:
                return value
        except yaml.YAMLError:
            pass
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_OBSIDIAN = re.compile(r"\{\{\s*(date|time|title)\s*(?::\s*([^}]*?))?\s*\}\}")

_MOMENT = (("YYYY", "%Y"), ("MM", "%m"), ("DD", "%d"), ("HH", "%H"), ("mm", "%M"))


def render(template: str, title: str = "", now: dt.datetime | None = None,
           **values: str | int | None) -> str:
    """Fill in `${name}` and the like, and Obsidian's `{{date}}` (the note's date), `{{time}}`
    (now, HH:MM) and `{{title}}` (the file name without .md), also with a format such as
    `{{date:YYYY-MM-DD}}`: one templates folder serves Obsidian and coachnotes alike."""
    text = string.Template(template).safe_substitute(
        {k: "" if v is None else str(v) for k, v in values.items()})
    now = now or dt.datetime.now()
    day = dt.date.fromisoformat(str(values.get("date") or now.date().isoformat()))

    def fill(match: re.Match) -> str:
        what, fmt = match.group(1), match.group(2)
        if what == "title":
            return title
        moment = dt.datetime.combine(day, now.time()) if what == "date" else now
        if fmt:
            for token, code in _MOMENT:
                fmt = fmt.replace(token, code)
            return moment.strftime(fmt)
        return day.isoformat() if what == "date" else now.strftime("%H:%M")

    return _OBSIDIAN.sub(fill, text)


def new_client(vault: Vault, name: str, organization: str | None = None,
               sponsor: str | None = None, intake: dt.date | None = None,
               today: dt.date | None = None) -> Path:
    """Create clients/<id>/client.md from the template; returns its path. The id is the
    name's slug, or with `client_ids: code` a pseudonym c<intake year>-<nnn> (SPEC §2)."""
    day = intake or today or dt.date.today()
    if not name.strip():
        raise Refused(_("cannot make an id from the name {name!r}: use letters or digits").format(
                        name=name))
    if vault.settings.client_ids == "code":
        client_id = _code_id(vault, day.year)
    else:
        client_id = _free_of_erasures(vault, slugify(name))
    if not client_id:
        raise Refused(_("cannot make an id from the name {name!r}: use letters or digits").format(
                        name=name))
    path = vault.root / CLIENTS / client_id / "client.md"
    if os.path.lexists(path):
        raise Refused(_("{relative_to} exists already; nothing was changed (choose another "
                        "name, e.g. with an initial)").format(
                        relative_to=path.relative_to(vault.root)))
    text = render(template_text(vault.root, vault.language, "client"), title="client",
                  date=day.isoformat(),
                  name=yaml_scalar(name.strip()), id=client_id,
                  organization=yaml_scalar(organization) if organization else "",
                  sponsor=yaml_scalar(sponsor) if sponsor else "",
                  intake_date=day.isoformat())
    text = text.replace(f"# {yaml_scalar(name.strip())}", f"# {name.strip()}")
    _private_dirs(vault.root, path.parent)
    try:
        create_exclusive(path, text.encode("utf-8"))
    except FileExistsError:
        raise Refused(_("{relative_to} exists already").format(
                        relative_to=path.relative_to(vault.root))) from None
    return path


def _free_of_erasures(vault: Vault, slug: str) -> str:
    """The slug, or `slug-2`, `-3`… when an erased client had it: a new client who shares a
    name with an erased one is not taken for them (E025)."""
    candidate, number = slug, 1
    while slug and vault.erasures.erased(candidate):
        number += 1
        candidate = f"{slug}-{number}"
    return candidate


def _code_id(vault: Vault, year: int) -> str:
    """The next free pseudonym of the year: one more than the highest in use, never an id
    in the erasure log (it would be E025)."""
    pattern = re.compile(rf"^c{year}-(\d{{3,}})$")
    try:
        names = [p.name for p in (vault.root / CLIENTS).iterdir()]
    except OSError:
        names = []
    used = [int(m.group(1)) for m in map(pattern.match, names) if m]
    number = max(used, default=0) + 1
    while (candidate := f"c{year}-{number:03d}") in names or vault.erasures.erased(candidate):
        number += 1
    return candidate


def new_session(vault: Vault, client_id: str, kind: str = "coaching",
                date: dt.date | None = None) -> Path:
    """Create a session note for an existing client; returns its path."""
    from coachnotes.vault.load import get_client

    if kind not in schema.SESSION_KINDS:
        raise Refused(_("unknown kind {kind!r}: choose one of {items}").format(
                        kind=kind, items=', '.join(schema.SESSION_KINDS)))
    client = get_client(vault, client_id)
    date = date or dt.date.today()
    follow_up = None
    if kind == "follow-up":
        open_entries = sorted(client.open_follow_ups(date), key=lambda f: f.due)
        follow_up = open_entries[0].n if open_entries else None
    folder = vault.root / CLIENTS / client.id / "sessions"
    _private_dirs(vault.root, folder)
    with _one_at_a_time(vault.root):  # two `new session` at once must not share a number
        number = _next_number(vault.root, client.id, client.name) if kind == "coaching" \
            else None
        template = template_text(vault.root, vault.language, kind)
        for n in range(1, 1000):
            path = folder / f"{date.isoformat()}-{kind}{'' if n == 1 else f'-{n}'}.md"
            text = render(template, title=path.stem, client=client.id, date=date.isoformat(),
                          number=number, follow_up=follow_up, name=client.name, kind=kind)
            try:
                create_exclusive(path, text.encode("utf-8"))
                return path
            except FileExistsError:
                continue
    raise Refused(_("too many {kind} notes on {date}").format(kind=kind, date=date.isoformat()))


@contextmanager
def _one_at_a_time(root: Path) -> Iterator[None]:
    import fcntl

    from coachnotes.vault.cache import private_dir

    try:
        handle = os.open(private_dir(root / CACHE_DIR) / "new.lock", os.O_RDWR | os.O_CREAT,
                         0o600)
    except OSError:
        yield  # no cache folder to lock in: go on without
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _next_number(root: Path, client_id: str, name: str | None = None) -> int:
    """The coaching number after the highest in the client's notes as they are on disk now
    (not as read before the lock was taken); a note that names the client by a wiki link,
    by id or by name (`[[Sem Öztürk]]`), counts as the client's."""
    from coachnotes.vault.load import read_record

    folder = root / CLIENTS / client_id / "sessions"
    highest = counted = 0
    for path in sorted(folder.glob("*.md")):
        record = read_record(path.name, path)
        values = record.values
        if values.get("kind") == "coaching" and _names(values.get("client"), client_id, name):
            counted += 1
            number = values.get("number")
            highest = max(highest, number if isinstance(number, int) else 0)
        elif _COACHING_NAME.match(path.name) and (record.problems or values.get("kind") not in
                                                   schema.SESSION_KINDS):
            # a note that cannot be read but whose name says it is a coaching conversation
            # (`kind: Coachgesprek`): its number where the text shows one, else one more
            counted += 1
            found = _NUMBER_LINE.search(path.read_text(encoding="utf-8", errors="replace"))
            highest = max(highest, int(found.group(1)) if found else 0)
    return max(highest, counted) + 1


_COACHING_NAME = re.compile(r"^\d{4}-\d\d-\d\d-coaching(?:-\d+)?\.md$")
_NUMBER_LINE = re.compile(r"^number:\s*['\"]?(\d{1,6})['\"]?\s*(?:#.*)?$", re.M)


def _names(value: object, client_id: str, name: str | None) -> bool:
    """Whether a session's `client` names this client: its id, or a wiki link to its id,
    its client note or its exact name."""
    if not isinstance(value, str):
        return False
    if value.startswith("[[") and value.endswith("]]"):
        target = value[2:-2].split("|", 1)[0].strip()
        return target == name or target.rstrip("/").split("/")[-1] in (client_id, "client") \
            and (target.count("/") == 0 or f"/{client_id}/" in f"/{target}")
    return value == client_id


def close_client(vault: Vault, client_id: str, date: dt.date) -> Path:
    """Set status follow-up, end_date and the follow-ups of the settings, editing in place."""
    from coachnotes.vault.frontmatter import EditError, edit_front_matter, parse_bytes
    from coachnotes.vault.load import get_client

    client = get_client(vault, client_id)
    path = vault.root / client.path
    if client.status == "follow-up":
        return _close_follow_up(vault, client, date)
    if client.status not in ("active", "paused"):
        raise Refused(_("{id} has status {value}, not active; only an active (or paused) "
                        "trajectory can be closed. Nothing was changed.").format(
                        id=client.id, value=client.status or 'unknown'))
    raw = path.read_bytes()
    before = parse_bytes(raw).data or {}
    keep = bool(before.get("follow_ups"))  # planned already: kept as they are (SPEC §8)
    dues = [] if keep else [add_months(date, m) for m in vault.settings.follow_up_months]
    if dt.date.max in dues:
        raise Refused(_("follow_up_months {follow_up_months} reaches past the year 9999; "
                        "set smaller offsets in coachnotes.yml. Nothing was changed.").format(
                        follow_up_months=vault.settings.follow_up_months))
    try:
        edited = edit_front_matter(raw, {"status": "follow-up", "end_date": date.isoformat()},
                                   {} if keep else
                                   {"follow_ups": [f"  - due: {d.isoformat()}" for d in dues]})
    except (EditError, UnicodeDecodeError) as error:
        raise Refused(_("{path} cannot be edited safely: {error}. Nothing was changed.").format(
                        path=client.path, error=error)) from None
    after = parse_bytes(edited).data or {}
    expected = dict(before, status="follow-up", end_date=date)
    if not keep:
        expected["follow_ups"] = [{"due": d} for d in dues]
    if after != expected:  # the edit must mean exactly what we intended, or nothing is written
        raise Refused(_("{path} could not be edited safely; nothing was changed. Set "
                        "status, end_date and follow_ups by hand.").format(path=client.path))
    rewrite_in_place(path, edited, _backup(vault.root))
    return path


def _close_follow_up(vault: Vault, client, date: dt.date) -> Path:
    """`close` again after the follow-ups: status closed once every follow-up is done (held,
    done or cancelled); until then it says which are still open."""
    from coachnotes.vault.frontmatter import EditError, edit_front_matter, parse_bytes

    still = sorted(f.due.isoformat() for f in client.open_follow_ups(date) if f.due)
    if still:
        raise Refused(_("{id} still has follow-up conversations to hold ({dates}): hold them "
                        "(or write `done:` or `cancelled:` on them), then close again. Nothing "
                        "was changed.").format(id=client.id, dates=", ".join(still)))
    path = vault.root / client.path
    raw = path.read_bytes()
    try:
        edited = edit_front_matter(raw, {"status": "closed"}, {})
    except (EditError, UnicodeDecodeError) as error:
        raise Refused(_("{path} cannot be edited safely: {error}. Nothing was changed.").format(
                        path=client.path, error=error)) from None
    if parse_bytes(edited).data != dict(parse_bytes(raw).data or {}, status="closed"):
        raise Refused(_("{path} could not be edited safely; nothing was changed. Set "
                        "status, end_date and follow_ups by hand.").format(path=client.path))
    rewrite_in_place(path, edited, _backup(vault.root))
    return path


RENAME_JOURNAL = "rename-journal"


def rename_client(vault: Vault, old: str, new: str) -> list[str]:
    """Move clients/<old>/ to clients/<new>/, rewriting `id` in client.md and `client` in
    every session note of the folder — only those values, every other byte as it was (links
    keep their form: `[[old|Anouk]]` becomes `[[new|Anouk]]`). Every edit is made and
    checked in memory before anything moves; a journal in `.coachnotes/` lets the next
    `rename` finish one that was interrupted. Returns the notes that were changed."""
    from coachnotes.git.repo import Journal
    from coachnotes.vault.cache import private_dir
    from coachnotes.vault.load import get_client

    journal = Journal(private_dir(vault.root / CACHE_DIR), RENAME_JOURNAL)
    left = journal.read()
    if left is not None:  # an interrupted rename: finished first (it may be this one)
        done = finish_rename(vault.root, left["old"], left["new"])
        journal.clear()
        if (left["old"], left["new"]) == (old, new) or \
                old == left["old"] and not (vault.root / CLIENTS / old).exists():
            return done
    client = get_client(vault, old)
    old = client.id  # the client as named (its name, a beginning of it): its id from here on
    _refuse_rename(vault, new)
    edits = _rename_edits(vault.root / CLIENTS / old, old, new)  # all checked before a move
    journal.write({"old": old, "new": new})
    os.rename(vault.root / CLIENTS / old, vault.root / CLIENTS / new)
    for rel, data in edits.items():
        rewrite_in_place(vault.root / CLIENTS / new / rel, data, _backup(vault.root))
    journal.clear()
    return sorted(f"{CLIENTS}/{new}/{rel}" for rel in edits)


def finish_rename(root: Path, old: str, new: str) -> list[str]:
    """A rename killed after its folder moved: the notes in clients/<new>/ that still name
    <old> are rewritten; killed before the move, nothing had changed."""
    folder = root / CLIENTS / new
    if not folder.is_dir() or (root / CLIENTS / old).exists():
        return []
    edits = _rename_edits(folder, old, new)
    for rel, data in edits.items():
        rewrite_in_place(folder / rel, data, _backup(root))
    return sorted(f"{CLIENTS}/{new}/{rel}" for rel in edits)


def _refuse_rename(vault: Vault, new: str) -> None:
    if not SLUG_RE.match(new):
        raise Refused(_("{new!r} is not an id: use lower-case letters, digits and single "
                        "hyphens (like jan-de-vries). Nothing was changed.").format(new=new))
    if vault.erasures.erased(new):
        raise Refused(_("{new!r} is the id of an erased client (erasures.yml): the renamed "
                        "client would be taken for them. Choose another id. Nothing was "
                        "changed.").format(new=new))
    if os.path.lexists(vault.root / CLIENTS / new):
        raise Refused(_("clients/{new}/ exists already; choose another id. Nothing was "
                        "changed.").format(new=new))


def _rename_edits(folder: Path, old: str, new: str) -> dict[str, bytes]:
    """The new bytes of each note in `folder` that names <old>: `id` in client.md, `client`
    in the sessions. Refused, changing nothing, where one cannot be edited safely."""
    from coachnotes.vault.frontmatter import EditError, edit_front_matter, parse_bytes, scalar_text

    edits: dict[str, bytes] = {}
    wanted = [("client.md", "id")] + [(f"sessions/{p.name}", "client") for p in
                                      sorted((folder / "sessions").glob("*.md"))]
    for rel, key in wanted:
        try:
            raw = (folder / rel).read_bytes()
        except OSError:
            continue
        written = scalar_text(raw, key)
        value = re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, written or "", count=1)
        if written is None or value == written:
            continue  # no `id` (the folder name is the id), or a note of another client
        try:
            edited = edit_front_matter(raw, {key: value}, {})
        except (EditError, UnicodeDecodeError) as error:
            raise Refused(_("{rel} cannot be edited safely ({error}); nothing was changed").format(
                            rel=rel, error=error)) from None
        before, after = parse_bytes(raw).data or {}, parse_bytes(edited).data or {}
        if {k: v for k, v in after.items() if k != key} != \
                {k: v for k, v in before.items() if k != key}:
            raise Refused(_("{rel} could not be edited safely; nothing was changed").format(
                            rel=rel))
        edits[rel] = edited
    return edits


def _backup(root: Path) -> Path:
    from coachnotes.vault.cache import private_dir

    return private_dir(root / CACHE_DIR) / "edit-backup.md"


def _private_dirs(root: Path, folder: Path) -> None:
    """Create `folder` and its parents below `root`, each 0700 (SPEC §13)."""
    missing = []
    current = folder
    while not current.exists() and current != root:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # another `new session` made it a moment ago: it is theirs to tighten
        path.chmod(DIR_MODE)


SETTINGS_HEADER = N_("coachnotes settings. Every key has a default; change what you like.\n"
                     "A line that starts with # is off: remove the # to use it.")


def settings_text(language: str, coach: str | None = None) -> str:
    """The `coachnotes.yml` that `init` writes: every setting of the schema, in its order, with
    its default (or, for one without, its example behind a #) and a comment in the language —
    made from the declarations, so a new setting reaches the file by itself."""
    lines = [f"# {line}" for line in gettext(SETTINGS_HEADER, language).splitlines()]
    for field in SETTINGS.fields:
        lines += _setting_lines(field, language, coach, "")
    return "\n".join(lines) + "\n"


def _setting_lines(field, language: str, coach: str | None, indent: str) -> list[str]:
    note = f"# {gettext(field.comment, language)}"
    if field.fields and field.example is None:  # a mapping written with its own keys (sync)
        return [_aligned(f"{indent}{field.key}:", note)] + [
            line for sub in field.fields for line in _setting_lines(sub, language, coach,
                                                                    indent + "  ")]
    if field.key == "coach":
        return [_aligned(f"coach: {yaml_scalar(coach) if coach else ''}", note)]
    if field.key == "language":
        return [_aligned(f"language: {language}", note)]
    if field.example is None or field.written:
        value = field.example if field.written else _yaml(field.default)
        return [_aligned(f"{indent}{field.key}: {value}", note)]
    if "\n" in field.example or field.kind in ("mapping", "sponsors"):
        return [_aligned(f"{indent}# {field.key}:", note)] + [
            f"{indent}#   {line}" for line in field.example.splitlines()]
    return [_aligned(f"{indent}# {field.key}: {field.example}", note)]


def _aligned(text: str, note: str) -> str:
    return f"{text.ljust(27)} {note}"


def _yaml(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


GITIGNORE = ("# never committed: coachnotes' cache, editors' temporary files and state\n"
             + "".join(f"{pattern}\n" for pattern in NEVER_COMMITTED))

GITATTRIBUTES = """\
# Pages that coachnotes generates: shown as generated, and never merged (sync regenerates them).
INDEX.md linguist-generated=true merge=coachnotes-generated
FOLLOW-UPS.md linguist-generated=true merge=coachnotes-generated
RESULTS.md linguist-generated=true merge=coachnotes-generated
clients/*/README.md linguist-generated=true merge=coachnotes-generated
"""


def init_vault(folder: Path, language: str = "nl", coach: str | None = None) -> list[str]:
    """Make a new vault in an empty or new folder; returns what it says about git identity."""
    from coachnotes.git.sync import init_repository

    if (folder / SETTINGS_FILE).exists():
        raise Refused(_("{folder} is a coachnotes vault already; nothing was changed").format(
                        folder=folder))
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise Refused(_("{folder} is not empty; make the vault in a new or empty folder "
                        "(nothing was changed)").format(folder=folder))
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    folder.chmod(DIR_MODE)
    (folder / CLIENTS).mkdir(mode=DIR_MODE)
    (folder / CLIENTS / ".gitkeep").touch(mode=0o600)
    create_exclusive(folder / SETTINGS_FILE, settings_text(language, coach).encode())
    create_exclusive(folder / ".gitignore", GITIGNORE.encode())
    create_exclusive(folder / ".gitattributes", GITATTRIBUTES.encode())
    return init_repository(folder, coach)


HOOK_MARK = "# installed by coachnotes hooks install"


def install_hook(vault: Vault, force: bool = False) -> Path:
    """A pre-commit hook that runs this very coachnotes' `check` and blocks on errors."""
    from coachnotes.git.sync import hooks_dir

    hooks, place = hooks_dir(vault.root)
    hook = hooks / "pre-commit"
    chained = hooks / "pre-commit.before-coachnotes"
    if hook.exists() and HOOK_MARK not in hook.read_text(errors="replace"):
        if not force:
            raise Refused(_("{hook} exists already and is not coachnotes'; nothing was "
                            "changed. Use --force to keep it and run it before coachnotes' "
                            "check.").format(hook=hook))
        os.replace(hook, chained)
    run_before = (f'if [ -x "{chained}" ]; then "{chained}" "$@" || exit $?; fi\n'
                  if chained.exists() else "")
    python = sys.executable
    # The vault is named relative to the work tree, so moving the folder keeps the hook
    # working; what is checked is what is being committed (`check --staged`). The Python that
    # installed the hook is used while it has coachnotes, else a coachnotes on PATH; without
    # either the commit goes through with one line that says so (SPEC §12).
    script = (f"#!/bin/sh\n{HOOK_MARK}: blocks a commit when what is staged has errors.\n"
              f"{run_before}"
              f'vault="$(git rev-parse --show-toplevel)/{place}"\n'
              f'if "{python}" -c "import coachnotes" >/dev/null 2>&1; then\n'
              f'  exec "{python}" -m coachnotes --vault "$vault" check --staged 1>&2\n'
              "elif command -v coachnotes >/dev/null 2>&1; then\n"
              '  exec coachnotes --vault "$vault" check --staged 1>&2\n'
              "else\n"
              "  echo 'coachnotes: not found (the environment that installed this hook is "
              "gone), so this commit was not checked; reinstall coachnotes and run "
              "`coachnotes hooks install`' >&2\n"
              "fi\n")
    hooks.mkdir(parents=True, exist_ok=True)
    write_atomic(hook, script.encode(), mode=0o700)
    return hook
