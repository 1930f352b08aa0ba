"""The right of access (SPEC §13): `coachnotes export CLIENT` gives every note of the client
unchanged, data.json and a readable, well-formed dossier.html — and nothing of anyone else."""

from __future__ import annotations

import html
import json
import zipfile
from html.parser import HTMLParser

from conftest import TODAY, run_cli

VOID = {"meta", "br", "hr", "img", "input", "link"}


class Balanced(HTMLParser):
    """Fails on a closing tag that does not close the element that is open."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):  # noqa: ANN001
        assert self.open and self.open.pop() == tag, (tag, self.open)

    def handle_data(self, data):  # noqa: ANN001
        self.text.append(data)


def test_export_holds_every_note_unchanged_valid_json_and_a_well_formed_dossier(
        example_copy, tmp_path):
    target = tmp_path / "anouk.zip"
    result = run_cli("--vault", str(example_copy), "export", "anouk-de-graaf", "-o",
                     str(target), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    folder = example_copy / "clients/anouk-de-graaf"
    notes = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.md")
             if p.name != "README.md"}
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        for rel, data in notes.items():
            assert archive.read(f"anouk-de-graaf/{rel}") == data, rel
        assert names == {f"anouk-de-graaf/{rel}" for rel in notes} | {
            "anouk-de-graaf/data.json", "anouk-de-graaf/dossier.html",
            "anouk-de-graaf/dossier.pdf", "anouk-de-graaf/mentions/invoices.yml"}
        pdf = archive.read("anouk-de-graaf/dossier.pdf")
        # her invoice lines, and not a word of another coachee's (Noor's UWV invoice)
        invoices = archive.read("anouk-de-graaf/mentions/invoices.yml").decode("utf-8")
        assert "2026-11-16-coaching" in invoices and "2026-0001" in invoices
        assert "Noor" not in invoices and "noor-aydin" not in invoices
        data = json.loads(archive.read("anouk-de-graaf/data.json"))
        page = archive.read("anouk-de-graaf/dossier.html").decode("utf-8")
    assert data["client"]["name"] == "Anouk de Graaf"
    assert len(data["sessions"]) == len(notes) - 1
    parser = Balanced()
    parser.feed(page)
    parser.close()
    assert parser.open == []
    shown = "".join(parser.text)
    for session in data["sessions"]:
        assert session["date"][:10] in shown
    others = [json.loads(line) for line in [run_cli(
        "--vault", str(example_copy), "list", "--json", "--today", TODAY).stdout]][0]
    for other in others:
        if other["id"] != "anouk-de-graaf":
            assert other["name"] not in page and other["id"] not in page
            assert other["name"] not in json.dumps(data, ensure_ascii=False)
    assert "<script" not in page
    # every note's own text, its fields in words (no YAML), the scores, the consent, for print
    for phrase in ("Terugval in een drukke week.", "De begrotingsweek gooide alles om.",
                   "Volgend gesprek afgesproken: 3 december 2026",
                   "Afspraak: Weekplanning delen met de leidinggevende (1 december 2026)",
                   "Toestemming coachee", "@page"):
        assert phrase in html.unescape(page), phrase
    assert "type: session" not in page and "next: 2026" not in page
    import io

    import pypdf

    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 3 and "Terugval in een drukke week." in " ".join(pages)
    assert all(f"Anouk de Graaf · pagina {n} van {len(pages)}" in page_text
               for n, page_text in enumerate(pages, 1))


def test_values_in_the_dossier_are_escaped(make_vault, tmp_path):
    from conftest import client_note

    root = make_vault({"clients/jan/client.md": client_note(
        name="Jan <script>alert(1)</script>", reason="a & b </dd>")})
    target = tmp_path / "jan.zip"
    assert run_cli("--vault", str(root), "export", "jan", "-o", str(target)).returncode == 0
    with zipfile.ZipFile(target) as archive:
        page = archive.read("jan/dossier.html").decode("utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    parser = Balanced()
    parser.feed(page)
    assert parser.open == []
