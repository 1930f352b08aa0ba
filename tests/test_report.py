"""The sponsor side (SPEC §15, §16): documents that hold exactly what the coachee agreed to
share, in Markdown, Word and PDF (read back with python-docx and pypdf), and the hours."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re

import pytest

from coachnotes.answers.reports import build_document
from coachnotes.answers.views import client_view
from coachnotes.output.documents import to_docx, to_markdown, to_pdf
from coachnotes.rules.check import client_problems
from coachnotes.vault.load import load_vault
from coachnotes.vault.schema import SHARES
from conftest import TODAY, client_note, run_cli, session_note, write_files

D = dt.date
DAY = D.fromisoformat(TODAY)
JAN = "clients/jan/client.md"

# one marker word per category and kind of document; the last ones may never reach a sponsor
MARKERS = {"attendance": "13 augustus 2026", "goals": "Doelwoordje", "development_points":
           "Ontwikkelwoord", "assessment": "aanleiding bevestigd", "progress":
           "Verlengwoord", "sponsor_notes": "Sponsorwoord", "results": "Start: 4"}
KIND_MARKERS = {
    "progress": {k: v for k, v in MARKERS.items() if k != "results"},
    "final": MARKERS,
    # the plan: the reason with the goals, the period with the progress, the planned dates
    "plan": {"goals": "Aanleidingwoord", "development_points": "Ontwikkelwoord",
             "assessment": "aanleiding bevestigd", "progress": "Opzet van het traject",
             "attendance": "1 december 2026"},
}
NEVER = ("Assessmentnotitie", "Privéwoord", "Sessieprivé")
NEVER_BUT_IN_THE_PLAN = ("Aanleidingwoord",)

def marker_vault(make_vault, share):
    consent = {"date": D(2026, 7, 1), "share": list(share)} if share is not None else None
    client = client_note(
        reason="Aanleidingwoord: de reden", goals=["Doelwoordje halen"],
        development_points=["Ontwikkelwoord oefenen"], sponsor_consent=consent,
        assessment={"decision": "yes", "reason_confirmed": "partly",
                    "notes": "Assessmentnotitie blijft privé"},
        extension={"reason": "Verlengwoord: nog drie gesprekken", "sessions": 3},
        sponsor="HR — P. de Boer", organization="Gemeente")
    body = ("\n# Jan\n\nPrivéwoord in de notities.\n\n## Voor de opdrachtgever\n\n"
            "Sponsorwoord: goed op weg.\n\n## Verder\n\nPrivéwoord weer.\n")
    return make_vault({
        JAN: client.replace("\n---\n\nNotities.\n", "\n---\n" + body),
        "clients/jan/sessions/a.md": session_note(date="2026-08-13", number=1,
                                                  scores=[4]) +
        "\nSessieprivé: wat er besproken is.\n\n## For the sponsor\n\nSponsorwoord twee.\n",
        "clients/jan/sessions/b.md": session_note(date="2026-11-02", number=2, scores=[7]),
        "clients/jan/sessions/c.md": session_note(date="2026-12-01", number=3)},
        settings="coach: Marieke Verhoeven\nlanguage: nl\n")


def read_back(fmt: str, data) -> str:
    if fmt == "md":
        return data
    if fmt == "docx":
        import docx

        document = docx.Document(io.BytesIO(data))
        header = [p.text for p in document.sections[0].header.paragraphs]
        return "\n".join(header + [p.text for p in document.paragraphs])
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


RENDER = {"md": to_markdown, "docx": to_docx, "pdf": to_pdf}


def shares_to_try(fmt: str):
    """Every combination for Markdown; for Word and PDF (slower to make and read back):
    nothing, each share alone, each all but one, and all."""
    if fmt == "md":
        return [c for n in range(len(SHARES) + 1) for c in itertools.combinations(SHARES, n)]
    return [(), SHARES] + [(s,) for s in SHARES] + \
        [tuple(x for x in SHARES if x != s) for s in SHARES]


@pytest.mark.parametrize("kind", ["plan", "progress", "final"])
@pytest.mark.parametrize("fmt", ["md", "docx", "pdf"])
def test_every_combination_of_consent_shares_exactly_what_was_agreed(make_vault, fmt, kind):
    root = marker_vault(make_vault, [])
    vault = load_vault(root)
    client = vault.clients["jan"]
    view = client_view(vault, client, DAY, client_problems(vault, "jan", DAY))
    markers = KIND_MARKERS[kind]
    for share in shares_to_try(fmt):
        client.values["sponsor_consent"] = {"date": "2026-07-01", "share": list(share)}
        shown = read_back(fmt, RENDER[fmt](build_document(vault, view, kind, DAY)))
        shown = " ".join(shown.split())
        for category, marker in markers.items():
            assert (marker in shown) == (category in share), (fmt, kind, share, category)
        for marker in NEVER + (NEVER_BUT_IN_THE_PLAN if kind != "plan" else ()):
            assert marker not in shown, (fmt, share, marker)
        for fact in ("Jan de Vries", "Gemeente", "HR — P. de Boer", "Marieke Verhoeven",
                     "1 juli 2026", "27 november 2026", "Vertrouwelijk"):
            assert fact in shown, (fmt, fact)


def test_the_command_refuses_without_consent_and_says_how(make_vault):
    root = marker_vault(make_vault, None)
    result = run_cli("--vault", str(root), "report", "jan", "--today", TODAY)
    assert result.returncode == 1 and "sponsor_consent" in result.stderr
    assert "share:" in result.stderr and result.stdout == ""


def test_health_words_are_named_on_stderr_and_the_report_is_still_written(make_vault,
                                                                         tmp_path):
    root = marker_vault(make_vault, ["goals", "sponsor_notes"])
    write_files(root, {"clients/jan/sessions/b.md": session_note(date="2026-09-01") +
                       "\n## Voor de opdrachtgever\n\nAfwezig wegens burn-out.\n"})
    out = tmp_path / "rapport.pdf"
    result = run_cli("--vault", str(root), "report", "jan", "--format", "pdf", "-o", str(out),
                     "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert "clients/jan/sessions/b.md" in result.stderr and "'burn-out'" in result.stderr
    assert "burn-out" in read_back("pdf", out.read_bytes())


def test_the_report_is_in_the_vault_s_language_and_renders_dutch_and_euro(make_vault,
                                                                         tmp_path):
    root = marker_vault(make_vault, ["goals"])
    write_files(root, {"coachnotes.yml": "coach: Zoë ‘Coaching’ — € praktijk\n"})
    for fmt in ("docx", "pdf"):
        out = tmp_path / f"r.{fmt}"
        assert run_cli("--vault", str(root), "report", "jan", "--format", fmt, "-o", str(out),
                       "--today", TODAY).returncode == 0
        shown = read_back(fmt, out.read_bytes())
        assert "Zoë ‘Coaching’ — € praktijk" in shown and "Voortgangsrapportage" in shown
    md = run_cli("--vault", str(root), "report", "jan", "--today", TODAY).stdout
    assert md.startswith("# Voortgangsrapportage") and "Coachdoelen" in md


def hours_vault(make_vault):
    return make_vault({
        JAN: client_note(sponsor="HR — P. de Boer",
                         sponsor_consent={"date": D(2026, 7, 1), "share": ["attendance"]}),
        "clients/jan/sessions/a.md": session_note(date="2026-11-03", number=1, duration=45),
        "clients/jan/sessions/b.md": session_note(date="2026-11-10", number=2, duration=50),
        "clients/jan/sessions/c.md": session_note(date="2026-11-17", number=3,
                                                  cancelled="afgezegd"),
        "clients/jan/sessions/d.md": session_note(date="2026-11-24", kind="tripartite",
                                                  billable=False),
        "clients/jan/sessions/e.md": session_note(date="2026-12-01", number=4),  # planned
        "clients/jan/sessions/f.md": session_note(date="2026-10-27", number=0 or 5),
        "clients/piet/client.md": client_note("piet", name="Piet Geheim", sponsor="KPN"),
        "clients/piet/sessions/a.md": session_note("piet", date="2026-11-05")},
        settings="hourly_rate: 87.5\nsponsors:\n  \"HR — P. de Boer\": 95\n")


def test_hours_count_held_billable_conversations_to_the_cent(make_vault):
    root = hours_vault(make_vault)
    rows = json.loads(run_cli("--vault", str(root), "hours", "--json", "--today",
                              TODAY).stdout)
    assert [(r["client"], r["date"], r["minutes"], r["amount"]) for r in rows] == [
        ("jan", "2026-11-03", 45, "71.25"), ("jan", "2026-11-10", 50, "79.17"),
        ("piet", "2026-11-05", 60, "87.50")]
    table = run_cli("--vault", str(root), "hours", "--today", TODAY).stdout
    assert "HR — P. de Boer: 1.58 h  € 150.42" in table and "KPN: 1.00 h  € 87.50" in table
    only = json.loads(run_cli("--vault", str(root), "hours", "--json", "--sponsor", "KPN",
                              "--from", "2026-10-01", "--to", "2026-12-31", "--today",
                              TODAY).stdout)
    assert [r["client"] for r in only] == ["piet"]
    october = json.loads(run_cli("--vault", str(root), "hours", "--json", "--client", "jan",
                                 "--from", "2026-10-01", "--to", "2026-10-31", "--today",
                                 TODAY).stdout)
    assert [r["date"] for r in october] == ["2026-10-27"]


def test_the_csv_opens_in_a_spreadsheet_and_the_icf_log_names_no_one_without_consent(
        make_vault):
    root = hours_vault(make_vault)
    text = run_cli("--vault", str(root), "hours", "--csv", "-o", "-", "--today", TODAY).stdout
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["date", "client", "name", "sponsor", "kind", "minutes", "amount"]
    assert table[1] == ["2026-11-03", "jan", "Jan de Vries", "HR — P. de Boer", "coaching",
                        "45", "71.25"]
    icf = list(csv.reader(io.StringIO(run_cli("--vault", str(root), "hours", "--icf", "-o", "-",
                                              "--today", TODAY).stdout)))
    assert icf[0][0] == "Client Name"
    names = [row[0] for row in icf[1:]]
    assert names[0] == "Jan de Vries" and "Piet Geheim" not in str(icf)
    assert re.fullmatch(r"client-[0-9a-f]{8}", names[1]) and "piet" not in str(icf)  # not the id
    again = run_cli("--vault", str(root), "hours", "--icf", "-o", "-", "--today", TODAY).stdout
    assert list(csv.reader(io.StringIO(again)))[2][0] == names[1]  # stable
    jan = icf[1]
    assert (jan[6], jan[7]) == ("1.58", "1.00")  # paid, and the tripartite pro bono
