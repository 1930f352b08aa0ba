"""The coachee's right of access (SPEC §13): `coachnotes export CLIENT` writes one zip with
every file of the client exactly as it is on disk (notes, attachments, conflict copies, and
notes of the client that lie elsewhere), every other file of the vault that mentions the
client under `mentions/`, `data.json` (the client and its sessions as read, with the due items
and problems) and `dossier.html`, one readable page of the whole trajectory in the vault's
language, rendered from the same view as the pages.

Nothing outside the vault and nothing of another client gets in: links are never followed, a
zip entry's name can never climb out of the folder it is unpacked in, and a note of another
client that mentions this one contributes only the lines that do, without its name or path.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import stat
import zipfile
from pathlib import Path

from coachnotes.answers.dossier import dossier_document
from coachnotes.answers.reports import Document
from coachnotes.answers.views import ClientView
from coachnotes.output.documents import to_html, to_pdf
from coachnotes.vault.files import write_atomic
from coachnotes.vault.layout import (
    CACHE_DIR,
    CLIENTS,
    EXPORTS,
    is_generated_place,
    is_litter,
    place,
)
from coachnotes.vault.model import Vault
from coachnotes.vault.redact import Mentions, is_own_note
from coachnotes.vault.register import REGISTER, RegisterError, dump, parse

_NEVER = {".git", CACHE_DIR, EXPORTS}


def export_client(vault: Vault, view: ClientView, today: dt.date, target: Path) -> list[str]:
    """Write the zip (atomically); returns the client's files it holds."""
    client = view.client
    mentions = Mentions([client.id], [client.name] if client.name else [])
    own, elsewhere, mentioning, excerpts, skipped = _gather(vault.root, client.id, mentions)
    documents = _documents(vault.root, client.id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel, data in own.items():  # byte for byte, as the coach wrote them
            archive.writestr(_entry(client.id, place(rel).inner or rel), data)
        for rel, data in elsewhere.items():
            archive.writestr(_entry(client.id, "elsewhere/" + rel), data)
        for rel, data in mentioning.items():
            archive.writestr(_entry(client.id, "mentions/" + rel), data)
        for number, lines in enumerate(excerpts, 1):
            archive.writestr(_entry(client.id, f"mentions/other-notes/{number}.txt"),
                             "".join(lines))
        archive.writestr(f"{client.id}/data.json", json.dumps(
            _data(view, today, sorted(own), sorted(elsewhere), sorted(mentioning),
                  len(excerpts), documents, skipped),
            indent=2, ensure_ascii=False, default=str))
        made = dossier(vault, view, today, documents)
        archive.writestr(f"{client.id}/dossier.html", to_html(made))
        archive.writestr(f"{client.id}/dossier.pdf", to_pdf(made))
    write_atomic(target, buffer.getvalue())
    return sorted(own) + sorted(elsewhere)


def _entry(client_id: str, rel: str) -> str:
    """A zip entry name that stays inside `<id>/` when unpacked anywhere: no `..`, no
    backslash (a separator on Windows), no drive, no leading slash."""
    parts = [re.sub(r'[\\:*?"<>|\x00-\x1f]', "_", p) for p in rel.split("/")]
    parts = [p for p in parts if p not in ("", ".", "..")]
    return "/".join([client_id, *[p if p.strip(".") else "_" for p in parts]])


def _regular(path: Path) -> bytes | None:
    """A regular file's bytes, never through a link (or None)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        with os.fdopen(handle, "rb", closefd=False) as stream:
            return stream.read()
    finally:
        os.close(handle)


def own_invoice_lines(data: bytes, client_id: str) -> bytes | None:
    """The register as the coachee may see it (right of access): each invoice that holds a
    line of theirs, with only those lines and the invoice's number, date and sponsor."""
    try:
        entries = parse(data)
    except RegisterError:
        return None
    own = []
    for entry in entries:
        lines = [line for line in entry.get("lines") or []
                 if isinstance(line, dict) and line.get("client") == client_id]
        if lines:
            own.append({key: entry.get(key) for key in ("number", "type", "date", "sponsor",
                                                         "credits") if entry.get(key)}
                       | {"lines": lines})
    return dump(own) if own else None


class Gathered:
    """The client's own folder; its notes elsewhere; other files that mention it (whole);
    lines of other clients' notes that mention it; links left out."""
    def __init__(self, client_id: str, mentions) -> None:
        self.folder = f"{CLIENTS}/{client_id}/"
        self.mentions = mentions
        self.own: dict[str, bytes] = {}
        self.elsewhere: dict[str, bytes] = {}
        self.mentioning: dict[str, bytes] = {}
        self.excerpts: list[list[str]] = []
        self.skipped: list[str] = []

    def add(self, rel: str, data: bytes) -> None:
        if rel.startswith(self.folder):
            self.own[rel] = data
        elif rel == REGISTER:  # the invoices: only this client's lines, never another's
            own = own_invoice_lines(data, self.folder.split("/")[1])
            if own:
                self.mentioning[rel] = own
        elif is_own_note(data, self.mentions):
            self.elsewhere[rel] = data
        elif b"\0" not in data[:8192]:
            body = data.decode("utf-8", "replace")
            if not self.mentions.mentioned(body):
                return
            if rel.startswith(CLIENTS + "/"):  # another client's: the mentioning lines
                self.excerpts.append([line for line in body.splitlines(keepends=True)
                                      if self.mentions.mentioned(line)])
            else:
                self.mentioning[rel] = data


def _gather(root: Path, client_id: str, mentions):
    found = Gathered(client_id, mentions)
    for rel, path in _entries(root):
        if path.is_symlink():
            if rel.startswith(found.folder):
                found.skipped.append(rel)
            continue
        data = _regular(path)
        if data is not None:
            found.add(rel, data)
    return found.own, found.elsewhere, found.mentioning, found.excerpts, found.skipped


def _entries(root: Path):
    """(path, Path) of every file of the vault, and of every link (to a folder too), but
    litter, generated pages, git's folder, the cache and exports/; links are not followed."""
    for here, dirs, files in os.walk(root):
        base = Path(here)
        dirs[:] = sorted(d for d in dirs if d not in _NEVER or base != root)
        for name in sorted(files + [d for d in dirs if (base / d).is_symlink()]):
            rel = (base / name).relative_to(root).as_posix()
            if not (is_litter(name) or is_generated_place(rel)):
                yield rel, base / name
        dirs[:] = [d for d in dirs if not (base / d).is_symlink()]


def _documents(root: Path, client_id: str) -> list[dict[str, str]]:
    """The documents about this client in exports/ (by name and date written)."""
    folder = root / EXPORTS
    found = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return found
    for path in entries:
        if path.name.startswith(client_id + "-") and path.is_file() and not path.is_symlink():
            written = dt.datetime.fromtimestamp(path.stat().st_mtime).date().isoformat()
            found.append({"name": path.name, "date": written})
    return found


def _data(view: ClientView, today: dt.date, own: list[str], elsewhere: list[str],
          mentioning: list[str], excerpts: int, documents: list[dict[str, str]],
          skipped: list[str]) -> dict:
    client = view.client
    return {
        "exported": today.isoformat(),
        "client": {"id": client.id, "path": client.path, **client.values},
        "sessions": [{"path": s.path, **s.record.values} for s in client.sessions],
        "due": [item.as_dict() for item, _ in view.due],
        "problems": [p.as_dict() for p in view.problems],
        "files": own,
        "elsewhere": elsewhere,
        "mentions": mentioning,
        "mentions_in_other_clients_notes": excerpts,
        "documents": documents,
        "links_left_out": skipped,
    }


def dossier(vault: Vault, view: ClientView, today: dt.date,
            documents: list[dict[str, str]] | None = None) -> Document:
    """The dossier of the whole trajectory, every note's text in it (`answers.dossier`)."""
    return dossier_document(vault, view, today, documents)
