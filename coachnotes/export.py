"""The coachee's right of access (SPEC §13): `coachnotes export CLIENT` writes one zip with
every note of the client exactly as it is on disk, `data.json` (the client and its sessions
as read, with the due items and problems) and `dossier.html`, one readable page of the whole
trajectory in the vault's language, rendered from the same view as the pages."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from html import escape
from pathlib import Path

from coachnotes.layout import place
from coachnotes.model import Vault
from coachnotes.texts import text
from coachnotes.views import ClientView


def export_client(vault: Vault, view: ClientView, today: dt.date, target: Path) -> list[str]:
    """Write the zip (atomically); returns the notes it holds."""
    from coachnotes.files import read_regular, write_atomic

    client = view.client
    notes = sorted(r.path for r in vault.folders[client.id].records)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel in notes:  # byte for byte, as the coach wrote them
            archive.writestr(f"{client.id}/{place(rel).inner}", read_regular(vault.root / rel))
        archive.writestr(f"{client.id}/data.json", json.dumps(
            _data(view, today), indent=2, ensure_ascii=False, default=str))
        archive.writestr(f"{client.id}/dossier.html", dossier(vault, view, today))
    write_atomic(target, buffer.getvalue())
    return notes


def _data(view: ClientView, today: dt.date) -> dict:
    client = view.client
    return {
        "exported": today.isoformat(),
        "client": {"id": client.id, "path": client.path, **client.values},
        "sessions": [{"path": s.path, **s.record.values} for s in client.sessions],
        "due": [item.as_dict() for item, _ in view.due],
        "problems": [p.as_dict() for p in view.problems],
    }


def dossier(vault: Vault, view: ClientView, today: dt.date) -> str:
    """One HTML page of the whole trajectory (every value escaped)."""
    lang = vault.language
    client = view.client
    e = escape
    out = [f'<!DOCTYPE html>\n<html lang="{e(lang)}">\n<head>\n<meta charset="utf-8">\n'
           f"<title>{e(client.name)}</title>\n</head>\n<body>",
           f"<h1>{e(client.name)}</h1>",
           f"<p>{e(text(lang, f'status.{client.status}') if client.status else '?')} · "
           f"{e(today.isoformat())}</p>", "<dl>"]
    for key in ("organization", "sponsor", "reason"):
        if client.get(key):
            out.append(f"<dt>{e(text(lang, 'col.organization' if key == 'organization' else key))}"
                       f"</dt><dd>{e(str(client.get(key)))}</dd>")
    out.append("</dl>")
    for key in ("goals", "development_points"):
        if client.get(key):
            out.append(f"<h2>{e(text(lang, key))}</h2><ul>"
                       + "".join(f"<li>{e(item)}</li>" for item in client.get(key)) + "</ul>")
    out.append(f"<h2>{e(text(lang, 'timeline'))}</h2><table>")
    out.append(f"<tr><th>{e(text(lang, 'col.date'))}</th><th>{e(text(lang, 'col.kind'))}</th>"
               f"<th>{e(text(lang, 'col.note'))}</th></tr>")
    for s in client.sessions:
        kind = text(lang, f"kind.{s.kind}") if s.kind else "?"
        out.append(f"<tr><td>{e(s.date.isoformat() if s.date else '?')}</td><td>{e(kind)}</td>"
                   f"<td>{e(place(s.path).inner)}</td></tr>")
    out.append("</table>")
    if view.due:
        out.append(f"<h2>{e(text(lang, 'actions'))}</h2><ul>" + "".join(
            f"<li>{e(item.due.isoformat() if item.due else text(lang, 'no_date'))} — "
            f"{e(item.text)}</li>" for item, _ in view.due) + "</ul>")
    out.append("</body>\n</html>\n")
    return "\n".join(out)
