"""Find the vault, read its settings and notes (listed by `scan.py`), build the model.

Phase one of every command: files -> `NoteRecord`s (through the cache, see `cache.py`) ->
`Vault`, one `Folder` per client folder. Nothing here writes to the vault.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from coachnotes.errors import UnknownClient, VaultNotFound
from coachnotes.i18n import _, current
from coachnotes.vault import erasures, register, schema
from coachnotes.vault.frontmatter import (
    MAX_BYTES,
    NOT_A_FILE,
    TOO_LARGE,
    decode,
    parse_yaml,
    read_note,
)
from coachnotes.vault.layout import SETTINGS_FILE, client_note, folder_of, is_note
from coachnotes.vault.model import (
    Client,
    Folder,
    FollowUp,
    NoteRecord,
    Problem,
    Session,
    Settings,
    Vault,
    _date,
)
from coachnotes.vault.scan import Listing, discover


def find_root(vault: str | os.PathLike | None = None, cwd: Path | None = None) -> Path:
    """`--vault`, else $COACHNOTES_VAULT, else the nearest folder upwards with coachnotes.yml."""
    given = vault or os.environ.get("COACHNOTES_VAULT")
    if given:
        root = Path(given).expanduser()
        if not root.is_dir():
            raise VaultNotFound(_("{given}: no such folder; make a vault there with "
                                  "`coachnotes init {given}`").format(given=given))
        return root.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    raise VaultNotFound(_("no coachnotes vault here or in any folder above (no "
                          "coachnotes.yml): make one with `coachnotes init DIR`, or name it "
                          "with --vault PATH"))


def load_settings(root: Path, use_cache: bool = False) -> Settings:
    """The settings with their defaults; through the cache when asked (saves importing YAML)."""
    if use_cache:
        from coachnotes.vault.cache import cached_settings

        return cached_settings(root, _read_settings)
    return _read_settings(root)


def settings_language(root: Path) -> str | None:
    """The `language` of coachnotes.yml, read without YAML (the messages' language must be
    known before the settings are read, whose problems are messages too)."""
    import re

    from coachnotes.vault.files import read_regular

    try:  # never a blocking read: coachnotes.yml may be a FIFO (E001)
        text = read_regular(root / SETTINGS_FILE, MAX_BYTES).decode("utf-8-sig", "replace")
    except (OSError, ValueError):
        return None
    found = re.search(r"^language:[ \t]*['\"]?([A-Za-z_-]+)['\"]?[ \t]*(?:#.*)?$", text, re.M)
    language = found.group(1) if found else None
    # no language named, or an unknown one (E013): the settings' default, one language for all
    return language if language in schema.LANGUAGES else schema.SETTINGS_DEFAULTS["language"]


def _settings_bytes(path: Path) -> tuple[bytes | None, list]:
    """The settings file's bytes, or the problem that kept them unread (none: no file)."""
    from coachnotes.vault.files import NotRegular, read_regular

    try:
        return read_regular(path, MAX_BYTES), []
    except FileNotFoundError:
        return None, []
    except ValueError:
        return None, [TOO_LARGE]
    except NotRegular:
        return None, [NOT_A_FILE]
    except OSError as error:
        return None, [(1, "E001", _("cannot be read: {strerror}").format(
            strerror=error.strerror))]


def _unknown_sync_keys(data: dict, lines: dict) -> list:
    if not isinstance(data.get("sync"), dict):
        return []
    known = {f.key for f in schema.SETTINGS.by_key["sync"].fields}
    return [(schema.line_of(lines, f"sync.{key}"), "W110",
             _("unknown setting `sync.{key}` is ignored").format(key=key))
            for key in data["sync"] if key not in known]


def _read_settings(root: Path) -> Settings:
    defaults = {k: (dict(v) if isinstance(v, dict) else v)
                for k, v in schema.SETTINGS_DEFAULTS.items()}
    raw, unread = _settings_bytes(root / SETTINGS_FILE)
    if raw is None:
        return Settings(defaults, {}, unread)
    text, problem = decode(raw)
    if text is None:
        return Settings(defaults, {}, [problem])
    if not text.strip():
        return Settings(defaults, {}, [])
    data, lines, problems = parse_yaml(text)
    if data is None:
        return Settings(defaults, lines, [(line, code, message.replace(
            _("front matter"), _("the settings file"))) for line, code, message in problems])
    values, more = schema.normalise(schema.SETTINGS, data, lines, unknown_code="W110")
    defaults["sync"].update(values.pop("sync", {}))
    more += _unknown_sync_keys(data, lines)
    defaults.update(values)
    return Settings(defaults, lines, problems + more)


def read_record(rel: str, path: Path) -> NoteRecord:
    """Read and check one note on its own (no other note is looked at)."""
    return _record(rel, read_note(path))


def record_from_bytes(rel: str, raw: bytes) -> NoteRecord:
    """One note's record from its bytes (what `check --fix` tries before it writes)."""
    from coachnotes.vault.frontmatter import parse_bytes

    return _record(rel, parse_bytes(raw))


def _record(rel: str, parsed) -> NoteRecord:
    if parsed.data is None:
        return NoteRecord(rel, None, {}, parsed.lines, parsed.problems)
    return record_from_data(rel, parsed.data, parsed.lines, parsed.problems)


def read_notes(root: Path, rels: list[str]) -> dict[str, NoteRecord]:
    """Read and check these notes, in this order (on two cores when there are many)."""
    from coachnotes.vault.parallel import parallel_map

    base = str(root)

    def one(rel: str) -> tuple:
        r = read_record(rel, f"{base}/{rel}")
        return r.type, r.values, r.packed_lines(), r.problems

    return {rel: NoteRecord(rel, *found) for rel, found in zip(rels, parallel_map(rels, one))}


def record_from_data(rel: str, data: dict, lines: dict[str, int],
                     problems: list) -> NoteRecord:
    kind = data.get("type")
    note_schema = schema.NOTE_SCHEMAS.get(kind) if isinstance(kind, str) else None
    if note_schema is None:
        if kind is None and isinstance(data.get("Type") or data.get("TYPE"), str):
            message = _("`Type` is written with a capital (a phone does that), so `type` "
                        "is missing: write it lower case, `type: session` or `type: client`")
        elif kind is None:
            message = _("`type` is missing: add `type: client` or `type: session`")
        else:
            message = _("`type` must be client or session, found {found}").format(
                        found=schema.describe(kind))
        return NoteRecord(rel, None, {}, lines, problems + [(lines.get("type", 1), "E010",
                                                             message)])
    status = data.get("status") if kind == "client" else None
    status = status if status in schema.STATUSES else None
    values, more = schema.normalise(note_schema, data, lines, status=status)
    return NoteRecord(rel, kind, values, lines, problems + more)


def read_records(root: Path, listing: Listing, use_cache: bool = True) -> dict[str, NoteRecord]:
    """Every note's record, re-reading only files whose signature differs from the cache."""
    if use_cache:
        from coachnotes.vault.cache import cached_records

        records = cached_records(root, listing.notes, lambda rels: read_notes(root, rels),
                                 listing.taken_ns)
    else:
        records = read_notes(root, [rel for rel, _sig in listing.notes])
    for problem in listing.unreadable:
        records[problem.path] = NoteRecord(problem.path, None, {}, {},
                                           [(problem.line, problem.code, problem.message)])
    return records


def build_model(root: Path, settings: Settings, records: dict[str, NoteRecord],
                listing: Listing) -> Vault:
    """Records -> folders, each with its client, sessions and defaults from the settings."""
    grouped: dict[str | None, list[NoteRecord]] = {}
    records = {rel: record for rel, record in records.items() if is_note(rel, record.type)}
    for rel in sorted(records):
        grouped.setdefault(folder_of(rel), []).append(records[rel])
    folders = {key: build_folder(key, found, settings) for key, found in grouped.items()}
    return Vault(root, settings, records, folders, listing.conflicts, listing.pages,
                 erasures.read(root))


def build_folder(folder_id: str | None, records: list[NoteRecord], settings: Settings) -> Folder:
    """One client folder (or, for None, the notes outside every client folder) as a model.

    Everything in it depends on its own notes and the settings only, which is what lets the
    watcher rebuild one folder per save."""
    sessions = [Session.from_record(r) for r in records if r.type == "session"]
    client = None
    has_note = False
    if folder_id is not None:
        own = client_note(folder_id)
        for record in records:
            if record.path == own:
                has_note = True
                if record.type == "client":
                    client = make_client(folder_id, record, settings)
    if client is not None:
        for session in sessions:  # `client: "[[Anouk de Graaf]]"`: a link by the client's name
            if session.client == f"[[{client.name}]]" and session.folder_client == folder_id:
                session.client = folder_id
        client.sessions = sorted((s for s in sessions if s.folder_client == folder_id
                                  and s.client == folder_id),
                                 key=lambda s: s.order)
    return Folder(folder_id, records, client, sessions, has_note)


def make_client(client_id: str, record: NoteRecord, settings: Settings) -> Client:
    v = record.values
    start = _date(v.get("start_date"))
    follow_ups = [FollowUp(item["_n"], _date(item["due"]), _date(item.get("done")),
                           item.get("cancelled"))
                  for item in v.get("follow_ups") or []]
    return Client(client_id, record.path, v, record, v.get("name") or client_id,
                  v.get("status"), _date(v.get("intake_date")), start, _date(v.get("end_date")),
                  v.get("planned_sessions") or settings.planned_sessions,
                  settings.trajectory_months,
                  follow_ups)


def inputs(root: Path) -> tuple[Settings, Listing, bytes]:
    """The settings, what lies in the vault, and everything an answer derived from them
    depends on, as bytes (each note's signature, conflict copies, unreadable files, the
    settings). Format 0 of marshal has no references, so equal inputs give equal bytes."""
    import marshal

    settings = load_settings(root, use_cache=True)
    listing = discover(root)
    key = marshal.dumps((listing.notes, listing.conflicts,
                         [tuple(p) for p in listing.unreadable], settings.values,
                         [tuple(p) for p in settings.problems], _settings_crc(root),
                         erasures.signature(root), register.signature(root), current()), 0)
    return settings, listing, key


def _settings_crc(root: Path) -> int:
    """The settings file's bytes, as a crc32: an answer saved while `stalled_after_days:
    4x` fell back to its default must not outlive the correction to the same value."""
    import zlib

    raw, _unread = _settings_bytes(root / SETTINGS_FILE)
    return zlib.crc32(raw) if raw is not None else -1


def load_vault(root: Path, use_cache: bool = True, settings: Settings | None = None,
               listing: Listing | None = None) -> Vault:
    """Read the whole vault into the model (phase one of every command)."""
    from coachnotes.vault.cache import no_cyclic_gc

    settings = settings or load_settings(root, use_cache)
    listing = listing or discover(root)
    with no_cyclic_gc():
        records = read_records(root, listing, use_cache)
        return build_model(root, settings, records, listing)


def iter_problems(records: Iterable[NoteRecord]) -> Iterable[Problem]:
    for record in records:
        for line, code, message in record.problems:
            yield Problem(record.path, line, code, message)


def find_client(text: str, names: dict[str, str | None], beginnings: bool = True) -> str:
    """The id a coach means by CLIENT (SPEC §8): the id; else the name, case and accents
    ignored (`zoe van 't hek`); else (with `beginnings`) the one id or name that begins so.
    Several: the list, exit 2 (AmbiguousClient); none: UnknownClient with the nearest."""
    from coachnotes.errors import AmbiguousClient
    from coachnotes.vault.redact import fold_name

    if text in names:
        return text
    wanted = fold_name(text)
    exact = [i for i, n in names.items() if n and fold_name(n) == wanted]
    begun = [i for i, n in names.items()
             if i.startswith(text.lower()) or n and fold_name(n).startswith(wanted)]
    for found in (exact, begun if beginnings else []):
        if len(found) == 1:
            return found[0]
        if found:
            listed = ", ".join(f"{i} ({names[i]})" for i in sorted(found)[:12])
            raise AmbiguousClient(_("{text!r} fits several clients: {items}. Name one of them "
                                    "by its id.").format(text=text, items=listed))
    raise unknown_client(text, names, names)


def get_client(vault: Vault, client_id: str) -> Client:
    """The client a coach means by CLIENT (`find_client`), or UnknownClient naming the ones
    that come close."""
    client = vault.clients.get(client_id)
    if client is None and client_note(client_id) not in vault.records:
        names = {i: c.name for i, c in vault.clients.items()}
        client = vault.clients[find_client(client_id, names)]
    if client is None:
        note = client_note(client_id)
        if note in vault.records:  # there, but unreadable: say so rather than "no client"
            raise UnknownClient(_("{note} cannot be read as a client note; fix the "
                                  "problems `coachnotes check` shows for it first").format(
                                  note=note))
        raise unknown_client(client_id, vault.clients)
    return client


def unknown_client(client_id: str, known: Iterable[str],
                   names: dict[str, str | None] | None = None) -> UnknownClient:
    """No such client: the message names the nearest ids (and names, where known)."""
    import difflib

    from coachnotes.vault.redact import fold_name

    ids = sorted(known)
    close = [c for c in ids if client_id in c] + difflib.get_close_matches(client_id, ids)
    if names:
        by_name = {fold_name(n): i for i, n in names.items() if n}
        close += [by_name[n] for n in difflib.get_close_matches(fold_name(client_id), by_name)]
    close = list(dict.fromkeys(close))[:3]
    hint = " " + (_("Did you mean: {ids}?").format(ids=", ".join(close)) if close else
                  _("`coachnotes list` shows the clients."))
    return UnknownClient(_("no client {client_id!r} in this vault.{hint}").format(
                           client_id=client_id, hint=hint))
