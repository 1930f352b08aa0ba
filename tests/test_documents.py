"""The sponsor's documents as an HR department receives them (issue #25, SPEC §15, §16): each
document read back (python-docx, pypdf, openpyxl, the csv module) in Dutch and English, and a
test per defect found by trying it as a coach and as an attacker."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, TODAY, client_note, run_cli, session_note, write_files

D = dt.date
JAN = "clients/jan/client.md"
PRACTICE = ("practice:\n  name: Verhoeven Loopbaancoaching\n  address: Oudegracht 12\n"
            "  postcode_city: 3511 AR Utrecht\n  email: marieke@example.nl\n"
            "  kvk: '12345678'\n")
ALL = ["attendance", "goals", "development_points", "assessment", "progress",
       "sponsor_notes", "results"]


def vault(make_vault, language="nl", name="Jan de Vries", share=ALL, body="", extra="",
          sessions=None, goals=("Rust in de week", "Nee zeggen")):
    client = client_note(name=name, sponsor="HR — P. de Boer", organization="Gemeente",
                         goals=list(goals),
                         sponsor_consent={"date": D(2026, 7, 1), "share": share},
                         start_date="2026-07-06", end_date="2026-10-30", status="follow-up",
                         follow_ups=[{"due": "2027-01-30"}])
    files = {JAN: client.replace("Notities.\n", body or "Notities.\n"),
             **(sessions or {
                 "clients/jan/sessions/2026-07-06-coaching.md": session_note(
                     date="2026-07-06", number=1, scores=[3, 4]),
                 "clients/jan/sessions/2026-10-30-evaluation.md": session_note(
                     date="2026-10-30", kind="evaluation", scores=[8, 7]),
                 "clients/jan/sessions/2026-11-20-follow-up.md": session_note(
                     date="2026-11-20", kind="follow-up", scores=[7, 4])})}
    return make_vault(files, settings=f"coach: Marieke Verhoeven\nlanguage: {language}\n"
                                      f"hourly_rate: 95\n{PRACTICE}{extra}")


def report(root, *args):
    return run_cli("--vault", str(root), "report", "jan", *args, "--today", TODAY)


def write(root, tmp_path, fmt, *args):
    out = tmp_path / f"doc.{fmt}"
    done = report(root, "--format", fmt, "-o", str(out), *args)
    assert done.returncode == 0, done.stderr
    return out, done


def pdf_text(path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


def docx_text(path) -> str:
    import docx

    document = docx.Document(path)
    parts = [p.text for p in document.sections[0].header.paragraphs]
    parts += [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("language,title,date,locale", [
    ("nl", "Voortgangsrapportage", "27 november 2026", "nl-NL"),
    ("en", "Progress report", "27 November 2026", "en-GB")])
def test_metadata_say_who_wrote_what_when_and_in_which_language(make_vault, tmp_path,
                                                                language, title, date, locale):
    import docx
    from docx.oxml.ns import qn
    from pypdf import PdfReader

    root = vault(make_vault, language)
    path, _ = write(root, tmp_path, "docx")
    props = docx.Document(path).core_properties
    assert props.author == "Marieke Verhoeven" and props.last_modified_by == "Marieke Verhoeven"
    assert props.title == title and props.subject == f"{title} — Jan de Vries"
    assert props.language == locale
    assert props.created.date() == D(2026, 11, 27) and props.modified.date() == D(2026, 11, 27)
    styles = docx.Document(path).styles.element
    langs = [e.get(qn("w:val")) for e in styles.iter(qn("w:lang"))]
    assert locale in langs and "en-US" not in langs  # Word checks the spelling in Dutch
    assert date in docx_text(path)
    path, _ = write(root, tmp_path, "pdf")
    reader = PdfReader(path)
    info = reader.metadata
    assert info.author == "Marieke Verhoeven" and info.title == title
    assert info.subject == f"{title} — Jan de Vries" and "unspecified" not in str(info)
    assert info["/CreationDate"].startswith("D:20261127")
    assert reader.trailer["/Root"]["/Lang"] == locale
    assert date in pdf_text(path)[0]


def test_every_letter_is_drawn_and_one_the_font_lacks_is_named(make_vault, tmp_path):
    from pypdf import PdfReader

    root = vault(make_vault, name="Ayşe Yılmaz", body="## Voor de opdrachtgever\n\n"
                 "Gesprek met Çağlar en Ğüneş; Łukasz en Ștefan ook. 漢\n")
    path, done = write(root, tmp_path, "pdf")
    shown = " ".join(pdf_text(path))
    for name in ("Ayşe Yılmaz", "Çağlar", "Ğüneş", "Łukasz", "Ștefan"):
        assert name in shown
    assert "■" not in shown and "漢" not in shown
    assert "漢" in done.stderr and "?" in shown  # said, and drawn as ?
    fonts = {str(font) for page in PdfReader(path).pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in str(PdfReader(path).get_object(f.idnum)["/BaseFont"])
               for page in PdfReader(path).pages
               for f in page["/Resources"]["/Font"].values()), fonts


def test_the_plan_has_a_letterhead_a_course_a_cost_and_signature_lines(make_vault, tmp_path):
    import datetime as dt

    planned = dt.date.today() + dt.timedelta(days=6)  # planned: after today, whenever it runs
    months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
              "september", "oktober", "november", "december"]
    root = vault(make_vault, sessions={
        f"clients/jan/sessions/{planned}-coaching.md": session_note(date=planned.isoformat(),
                                                                   number=1)})
    today = run_cli("--vault", str(root), "report", "jan", "--kind", "plan").stdout
    assert f"{planned.day} {months[planned.month - 1]} {planned.year} — coachgesprek" in today
    md = report(root, "--kind", "plan").stdout  # for a day before today: not known then
    assert "coachgesprek (" not in md and f"{planned.year} — coachgesprek" not in md
    assert md.startswith("Verhoeven Loopbaancoaching · Oudegracht 12 · 3511 AR Utrecht")
    assert "KvK 12345678" in md and "# Plan van aanpak" in md
    assert "8 coachgesprekken in ongeveer 6 maanden" in md
    assert "8 gesprekken × 60 minuten × € 95,00 = € 760,00" in md
    assert md.count("Datum en handtekening") == 3
    path, _ = write(root, tmp_path, "docx", "--kind", "plan")
    shown = docx_text(path)
    assert "Verhoeven Loopbaancoaching" in shown and shown.count("Datum en handtekening") == 3
    path, _ = write(root, tmp_path, "pdf", "--kind", "plan")
    assert " ".join(pdf_text(path)).count("Datum en handtekening") == 3


def test_vertrouwelijk_and_the_page_number_on_every_page(make_vault, tmp_path):
    import docx

    long = "\n\n".join("Een alinea voor de opdrachtgever over de voortgang. " * 12
                       for _ in range(40))
    root = vault(make_vault, body=f"## Voor de opdrachtgever\n\n{long}\n")
    path, _ = write(root, tmp_path, "pdf")
    pages = pdf_text(path)
    assert len(pages) >= 3
    for n, page in enumerate(pages, 1):  # "Vertrouwelijk · Jan de Vries · pagina 2 van 3"
        assert f"Vertrouwelijk · Jan de Vries · pagina {n} van {len(pages)}" in page, n
    import pypdf

    box = pypdf.PdfReader(path).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    path, _ = write(root, tmp_path, "docx")
    section = docx.Document(path).sections[0]
    assert "Vertrouwelijk" in section.header.paragraphs[0].text
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    assert "Vertrouwelijk · Jan de Vries · pagina " in section.footer.paragraphs[0].text
    assert " van " in section.footer.paragraphs[0].text
    # A4 with 2.5 cm margins, in twentieths of a point as Word stores them (not US Letter)
    body = docx.Document(path).element.body.xml
    assert 'w:w="11906"' in body and 'w:h="16838"' in body and "12240" not in body
    assert 'w:left="1417"' in body and 'w:top="1417"' in body


def test_the_final_report_shows_the_scores_and_draws_them(make_vault, tmp_path):
    root = vault(make_vault)
    md = report(root, "--kind", "final").stdout
    assert "# Eindrapportage" in md
    assert "Rust in de week: Start: 3 · Einde: 8 · Terugkomgesprek 1: 7" in md
    assert "Nee zeggen: Start: 4 · Einde: 7 · Terugkomgesprek 1: 4" in md
    path, _ = write(root, tmp_path, "pdf", "--kind", "final")
    shown = " ".join(pdf_text(path))
    assert "Terugkom 1" in shown  # the chart's axis: the moments
    assert shown.count("Rust in de week") >= 2  # the list and the chart's legend
    without = vault(make_vault, share=["attendance", "goals"])
    assert "Start: 3" not in report(without, "--kind", "final").stdout
    path, _ = write(without, tmp_path, "pdf", "--kind", "final")
    assert "Terugkom 1" not in " ".join(pdf_text(path))
    hidden = vault(make_vault, share=["results"])
    md = report(hidden, "--kind", "final").stdout
    assert "Doel 1: Start: 3" in md and "Rust in de week" not in md  # goals not shared


@pytest.mark.parametrize("fmt", ["md", "docx", "pdf"])
def test_control_characters_in_shared_text_are_cleaned_in_every_format(make_vault, tmp_path,
                                                                      fmt):
    root = vault(make_vault, body="## Voor de opdrachtgever\n\nGoed\x1b[31m op\x08 weg.\n",
                 goals=["Rust\x07 in de week", "Nee\x0c zeggen"])
    out = tmp_path / f"doc.{fmt}"
    done = report(root, "--format", fmt, "-o", str(out))
    assert done.returncode == 0, done.stderr
    shown = {"md": lambda: out.read_text().replace("\\[", "["), "docx": lambda: docx_text(out),
             "pdf": lambda: " ".join(pdf_text(out))}[fmt]()
    assert "Goed[31m op weg." in shown and "Rust in de week" in shown
    assert not any(c in shown for c in "\x1b\x08\x00\x07\x0c")


HEALTH_NL = ["ziekmelding", "ziekteverlof", "verzuim", "re-integratie", "reïntegratie",
             "zwanger", "zwangerschap", "rugklachten", "arbodienst", "UWV", "WIA",
             "psychologe", "therapeut", "kanker", "burn-out", "bedrijfsarts", "Ziektewet",
             "medisch", "psychisch", "covid", "ziekteverzuim", "fysiotherapie"]
HEALTH_EN = ["medical", "pregnant", "surgery", "sick", "ill", "therapy", "diagnosed"]
NOT_HEALTH = ["muziek", "illustratie", "will", "skills", "arbeid", "doctoraal", "start",
              "medewerker", "kankeren"[:0] + "kan", "operationeel", "Wiarda"]


def test_health_words_match_beginnings_and_compounds_and_not_other_words():
    from coachnotes.answers.reports import health_pattern
    from coachnotes.answers.search import fold

    pattern = health_pattern("nl", ["hartklachten", "~stress"])
    for word in HEALTH_NL + HEALTH_EN + ["werkstress", "hartklachten"]:
        assert pattern.search(fold(f"Hij meldde {word} vorige week.")), word
    for word in NOT_HEALTH:
        assert not pattern.search(fold(f"Hij meldde {word} vorige week.")), word


def test_health_words_are_named_with_their_line_and_the_settings_words_count(make_vault):
    body = "## Voor de opdrachtgever\n\nGoed op weg.\nNa de ziekmelding en de rugklachten.\n" \
           "Gesprek met de arbodienst; ook mantelzorg speelt.\n"
    root = vault(make_vault, body=body, extra="health_words: [mantelzorg]\n")
    done = report(root)
    assert done.returncode == 0
    lines = (root / JAN).read_text().splitlines()
    where = {w: next(n for n, x in enumerate(lines, 1) if w in x)
             for w in ("ziekmelding", "rugklachten", "arbodienst", "mantelzorg")}
    for word, line in where.items():
        assert f"{JAN}:{line} (Tekst voor de opdrachtgever): '{word}'" in done.stderr or \
            f"{JAN}:{line} " in done.stderr and f"'{word}'" in done.stderr, done.stderr


def test_a_document_template_in_the_vault_is_used(make_vault):
    root = vault(make_vault)
    write_files(root, {"templates/report-progress.md": "# Tussenrapportage ${name}\n\n"
                                                       "Opgesteld voor ${sponsor}.\n"})
    md = report(root).stdout
    assert "# Tussenrapportage Jan de Vries" in md and "Opgesteld voor HR — P. de Boer." in md


# -- hours ------------------------------------------------------------------------------

def hours_vault(make_vault, language="nl", extra="", more=None):
    files = {
        JAN: client_note(sponsor="HR — P. de Boer", name="=HYPERLINK(\"http://x\",\"Jan\")"),
        "clients/jan/sessions/2026-11-02-intake.md": session_note(date="2026-11-02",
                                                                  kind="intake"),
        "clients/jan/sessions/2026-11-03-coaching.md": session_note(date="2026-11-03",
                                                                    number=1, duration=45),
        "clients/jan/sessions/2026-11-10-coaching.md": session_note(
            date="2026-11-10", number=2, cancelled="te laat afgezegd", billable=True),
        "clients/jan/sessions/2026-11-17-coaching.md": session_note(
            date="2026-11-17", number=3, cancelled="ziek"),
        "clients/piet/client.md": client_note("piet", name="Piet", sponsor="+KPN"),
        "clients/piet/sessions/2026-11-05-coaching.md": session_note("piet", date="2026-11-05",
                                                                     number=1),
        **(more or {})}
    return make_vault(files, settings=f"language: {language}\nhourly_rate: 95.5\n{extra}")


def hours(root, *args):
    return run_cli("--vault", str(root), "hours", *args, "--today", TODAY)


def test_a_charged_cancellation_counts_and_the_intake_only_when_billed(make_vault):
    root = hours_vault(make_vault, "en")
    rows = json.loads(hours(root, "--json").stdout)
    assert [(r["client"], r["date"], r["amount"]) for r in rows] == [
        ("piet", "2026-11-05", "95.50"), ("jan", "2026-11-03", "71.63"),
        ("jan", "2026-11-10", "95.50")]
    write_files(root, {"coachnotes.yml": "language: en\nhourly_rate: 95.5\nbill_intake: yes\n"
                                         "retention_years: 2\n"})
    rows = json.loads(hours(root, "--json").stdout)
    assert ("jan", "2026-11-02") in [(r["client"], r["date"]) for r in rows]


BROKEN = {
    "duration": session_note(date="2026-11-12", number=4, duration="90 min"),
    "billable": session_note(date="2026-11-12", number=4, billable="nee"),
    "yaml": "---\ntype: session\nclient: jan\ndate: 2026-11-12\nkind: [coaching\n---\n",
    "zone": session_note(date="2026-11-12T10:00:00+01:00", number=4),
}


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_hours_with_a_broken_note_say_they_are_incomplete_and_name_it(make_vault, broken):
    path = "clients/jan/sessions/2026-11-12-coaching.md"
    root = hours_vault(make_vault, "en", more={path: BROKEN[broken]})
    for args in ([], ["--json"], ["--csv", "-o", "-"]):
        done = hours(root, *args)
        assert done.returncode == 1, (broken, args, done.stderr)
        assert f"{path}:" in done.stderr and "incomplete" in done.stderr, done.stderr
    rows = json.loads(hours(root, "--json").stdout)
    assert "2026-11-12" not in [r["date"] for r in rows]  # never billed as if fine
    other_month = hours(root, "--from", "2026-12-01", "--to", "2026-12-31")
    # a note whose date cannot be read may hold a conversation of any period
    assert other_month.returncode == (1 if broken in ("yaml", "zone") else 0)


@pytest.mark.parametrize("rate", [".inf", ".nan", "95,50", "'€ 95,50'"])
def test_an_unreadable_rate_is_E012_with_a_hint_never_a_crash_or_nan(make_vault, rate):
    root = hours_vault(make_vault, "en")
    write_files(root, {"coachnotes.yml": f"language: en\nhourly_rate: {rate}\n"
                                         "retention_years: 2\n"})
    checked = run_cli("--vault", str(root), "check", "--today", TODAY)
    line = next(x for x in checked.stdout.splitlines() if "hourly_rate" in x)
    assert line.startswith("coachnotes.yml:2: E012")
    assert ("write 95.50" in line) if "," in rate else ("no amount" in line)
    done = hours(root)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "NaN" not in done.stdout and "inf" not in done.stdout.lower()
    assert "coachnotes.yml:2: E012" in done.stderr and "incomplete" in done.stderr


def test_the_dutch_csv_opens_in_dutch_excel_and_runs_no_formula(make_vault):
    root = hours_vault(make_vault, "nl")
    done = hours(root, "--csv", "-o", "-")
    assert done.returncode == 0, done.stderr
    data = done.stdout.encode("utf-8") if isinstance(done.stdout, str) else done.stdout
    assert data.startswith("\ufeff".encode()) or done.stdout.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(done.stdout.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["datum", "cliënt", "naam", "opdrachtgever", "soort", "minuten",
                       "bedrag"]
    assert ["2026-11-03", "jan", "'=HYPERLINK(\"http://x\",\"Jan\")", "HR — P. de Boer",
            "coachgesprek", "45", "71,63"] in rows
    assert any(r[3] == "'+KPN" for r in rows[1:])
    for row in rows[1:]:
        assert not row[2].startswith(("=", "+", "-", "@"))
        assert not row[3].startswith(("=", "+", "-", "@"))
    english = hours(hours_vault(make_vault, "en"), "--csv", "-o", "-").stdout
    assert list(csv.reader(io.StringIO(english)))[0][0] == "date" and "71.63" in english


def test_the_workbook_has_a_sheet_per_sponsor_numbers_in_euro_and_total_formulas(
        make_vault, tmp_path):
    from openpyxl import load_workbook

    root = hours_vault(make_vault, "nl")
    out = tmp_path / "uren.xlsx"
    done = hours(root, "--xlsx", str(out))  # SPEC 16: --xlsx FILE
    assert done.returncode == 0, done.stderr
    assert hours(root, "--xlsx").stdout.strip().endswith(  # without FILE: into exports/
        "exports/uren-2026-11-01-2026-11-30.xlsx")
    book = load_workbook(out)
    assert book.sheetnames == ["Overzicht", "+KPN", "HR — P. de Boer"]
    sheet = book["HR — P. de Boer"]
    assert [c.value for c in sheet[1]] == ["datum", "cliënt", "naam", "opdrachtgever",
                                           "soort", "minuten", "bedrag"]
    amounts = [sheet.cell(r, 7) for r in range(2, sheet.max_row)]
    assert [a.value for a in amounts] == [71.63, 95.5]
    assert all("€" in a.number_format for a in amounts)
    assert sheet.cell(2, 3).value == "'=HYPERLINK(\"http://x\",\"Jan\")"  # text, not a formula
    total = sheet.cell(sheet.max_row, 7)
    assert total.value == f"=SUM(G2:G{sheet.max_row - 1})"
    summary = book["Overzicht"]
    formulas = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)
                and c.value.startswith("=")]
    assert "='HR — P. de Boer'!G4" in formulas and any("SUM(" in f for f in formulas)


# -- bad input: any shared text renders, in any format -----------------------------------

SHARED_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=SHARED_TEXT)
def test_any_text_for_the_sponsor_renders_in_word_and_pdf(text):
    import docx

    from coachnotes.answers.reports import Document, Section, clean
    from coachnotes.output.documents import to_docx, to_pdf

    made = clean(Document("progress", "nl", "nl-NL", text or "x", "s", "Vertrouwelijk", [text],
                          text, D(2026, 11, 27), [text], [("Coachee", text)],
                          [Section(text or "t", [text], [], [text])]))
    docx.Document(io.BytesIO(to_docx(made)))  # opens: no character XML cannot hold
    assert to_pdf(made).startswith(b"%PDF")


@pytest.mark.parametrize("kind,client", [("plan", "anouk-de-graaf"),
                                         ("progress", "ilse-mulder"),
                                         ("final", "eva-jansen")])
def test_the_readme_shows_each_kind_as_the_example_vault_makes_it(example_copy, kind, client):
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index(f"<!-- example-{kind}:start -->\n````markdown\n")
    shown = readme[start:readme.index(f"<!-- example-{kind}:end -->")].split("\n", 2)[2]
    made = run_cli("--vault", str(example_copy), "report", client, "--kind", kind, "--today",
                   TODAY, env={"COACHNOTES_LANG": ""})
    assert made.returncode == 0, made.stderr
    assert shown == made.stdout + "````\n", "run .venv/bin/python docs/regenerate.py"


@pytest.mark.parametrize("language,heading", [("nl", "## Voor de opdrachtgever"),
                                              ("en", "## For the sponsor")])
def test_the_client_template_offers_consent_the_sponsor_heading_and_paused(make_vault,
                                                                         language, heading):
    root = make_vault({}, settings=f"language: {language}\n")
    made = run_cli("--vault", str(root), "new", "client", "Jan de Vries", "--intake",
                   "2026-11-02")
    assert made.returncode == 0, made.stderr
    text = (root / "clients/jan-de-vries/client.md").read_text()
    assert "# sponsor_consent:\n#   date: 2026-11-02\n" in text
    assert "#   share: [attendance, goals, development_points, assessment, progress, " \
        "sponsor_notes, results]" in text
    assert heading in text and "active, paused, follow-up" in text
    checked = json.loads(run_cli("--vault", str(root), "check", "--json", "--today",
                                 "2026-11-02").stdout)
    assert [p for p in checked if p["severity"] == "error"] == []
    refused = run_cli("--vault", str(root), "report", "jan", "--today", "2026-11-02")
    assert refused.returncode == 1 and "sponsor_consent" in refused.stderr  # still commented


def test_the_reference_shows_the_report_as_report_writes_it():
    """docs/reference.md's sample is the beginning of what `report` prints for vault-example,
    dates written out and all (it once showed ISO dates the command no longer writes)."""
    reference = (REPO / "docs/reference.md").read_text(encoding="utf-8")
    title = reference.index("\n# Voortgangsrapportage\n")
    start = reference.rindex("```markdown\n", 0, title) + len("```markdown\n")
    sample = reference[start:reference.index("\n…\n```", start)]
    made = run_cli("--vault", str(REPO / "vault-example"), "report", "anouk-de-graaf",
                   "--today", "2026-11-27")
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(sample + "\n")


def test_the_plan_holds_the_approach_every_cost_with_vat_and_names_who_signs(
        make_vault, tmp_path):
    body = ("## Aanpak\n\nDrie fasen: oriënteren, onderzoeken, oefenen.\n"
            "<!-- uitleg van het sjabloon: nooit in een document -->\n\n"
            "Evaluatie na het vierde gesprek.\n\n## Iets anders\n\nPrivé.\n")
    extra = ('bill_intake: yes\nsponsors:\n  "HR — P. de Boer":\n    contact: P. de Boer\n'
             '    order: "2026-0042"\n')
    root = vault(make_vault, body=body, extra=extra)
    note = root / JAN
    note.write_text(note.read_text().replace(
        "type: client\n", "type: client\ncosts:\n  - text: Loopbaantest\n    amount: 150\n"),
        encoding="utf-8")
    md = report(root, "--kind", "plan").stdout
    assert "## Aanpak" in md and "Drie fasen: oriënteren, onderzoeken, oefenen." in md
    assert "Evaluatie na het vierde gesprek." in md
    assert "uitleg van het sjabloon" not in md and "Privé" not in md
    # 8 × 95 + the intake 95 + the test 150 = 1,005; VAT 21% = 211.05
    for line in ("8 gesprekken × 60 minuten × € 95,00 = € 760,00", "Intakegesprek: € 95,00",
                 "Loopbaantest: € 150,00", "Totaal exclusief btw: € 1.005,00",
                 "Btw 21%: € 211,05", "Totaal inclusief btw: € 1.216,05"):
        assert line in md, line
    assert "Ordernummer: 2026-0042" in md
    for who in ("Coachee: Jan de Vries", "Opdrachtgever: P. de Boer",
                "Coach: Marieke Verhoeven"):
        assert who in md, who
    shown = docx_text(write(root, tmp_path, "docx", "--kind", "plan")[0])
    assert "Drie fasen" in shown and "Opdrachtgever: P. de Boer" in shown
    pdf = " ".join(pdf_text(write(root, tmp_path, "pdf", "--kind", "plan")[0]))
    assert "Totaal inclusief btw" in pdf and "Coach: Marieke Verhoeven" in pdf
    without = vault(make_vault, body=body, share=["attendance"])
    assert "Drie fasen" not in report(without, "--kind", "plan").stdout


def test_the_final_report_holds_the_result_and_is_signed_by_the_coach(make_vault):
    root = vault(make_vault)
    note = root / JAN
    note.write_text(note.read_text().replace("type: client\n", (
        "type: client\nresult:\n  outcome: work-fit\n  early_end: verhuisd naar Zwolle\n"
        "  client_agrees: true\n")), encoding="utf-8")
    md = report(root, "--kind", "final").stdout
    assert "## Resultaat" in md and "Uitkomst: werkfit" in md
    assert "Eerder beëindigd: verhuisd naar Zwolle" in md
    assert "De coachee is het eens met deze rapportage." in md
    assert "Coach: Marieke Verhoeven — Datum en handtekening" in md
    hidden = vault(make_vault, share=["attendance", "goals"])
    hidden_note = hidden / JAN
    hidden_note.write_text(hidden_note.read_text().replace(
        "type: client\n", "type: client\nresult:\n  outcome: work-fit\n"), encoding="utf-8")
    assert "Uitkomst" not in report(hidden, "--kind", "final").stdout  # under `progress`


@pytest.mark.parametrize("programme,warned", [("coaching", True), ("uwv", False),
                                              ("second-track", False)])
def test_a_reintegration_programmes_own_words_are_no_health_warning(make_vault, programme,
                                                                     warned):
    body = ("## Voor de opdrachtgever\n\nHet re-integratietraject bij UWV loopt; de "
            "arbodienst is op de hoogte. Ook de rugklachten kwamen ter sprake.\n")
    root = vault(make_vault, body=body)
    note = root / JAN
    note.write_text(note.read_text().replace("type: client\n",
                                             f"type: client\nprogramme: {programme}\n"),
                    encoding="utf-8")
    said = report(root).stderr
    assert ("'re-integratietraject'" in said) is warned
    assert ("'arbodienst'" in said) is warned
    assert "'rugklachten'" in said  # health stays health in every programme


def test_the_consent_form_says_what_is_shared_from_when_how_to_withdraw_and_what_never(
        make_vault, tmp_path):
    root = vault(make_vault, share=["attendance", "goals"])
    md = report(root, "--kind", "consent").stdout
    assert "# Toestemmingsverklaring" in md
    assert "▣ welke gesprekken er waren" in md and "▣ mijn coachdoelen" in md
    assert "ontwikkelpunten" not in md and "Vanaf: 1 juli 2026" in md
    assert "Alles over mijn gezondheid." in md and "intrekken" in md
    assert md.count("Datum en handtekening") == 2 and "Coachee: Jan de Vries" in md
    path, done = write(root, tmp_path, "pdf", "--kind", "consent")
    assert not done.stderr  # no glyph the font lacks: the boxes are in DejaVu Sans
    assert "▣ welke gesprekken" in " ".join(pdf_text(path))
    # before any consent is recorded: every share a box to tick, and no refusal
    import re

    note = root / JAN
    note.write_text(re.sub(r"sponsor_consent:\n(?:  .*\n)+", "", note.read_text()),
                    encoding="utf-8")
    blank = report(root, "--kind", "consent")
    assert blank.returncode == 0, blank.stderr
    assert blank.stdout.count("□") == 7 and "▣" not in blank.stdout
    assert report(root).returncode == 1  # the progress report still needs the consent
    word = write(root, tmp_path, "docx", "--kind", "consent")[0]
    assert word.exists() and "toestemmingsverklaring" not in str(word)  # -o given


@pytest.mark.parametrize("programme,word", [(None, "Coachee"), ("uwv", "Kandidaat"),
                                            ("gemeente", "Deelnemer"),
                                            ("second-track", "Werknemer")])
def test_the_programme_names_the_person_coached_and_the_uwv_order_is_on_every_document(
        make_vault, programme, word):
    root = vault(make_vault)
    if programme:
        note = root / JAN
        note.write_text(note.read_text().replace(
            "type: client\n", f"type: client\nprogramme: {programme}\norder: 2026-048213\n"
                               "referred_by: self\n"),
            encoding="utf-8")
        assert f"Aanmelding via: de {word.lower()} zelf" in report(root, "--kind", "plan").stdout
    for kind in ("plan", "progress", "final", "consent"):
        md = report(root, "--kind", kind).stdout
        assert f"- {word}: Jan de Vries" in md, kind
        assert ("Ordernummer: 2026-048213" in md) is (programme is not None), kind
    assert f"{word}: Jan de Vries — Datum en handtekening" in report(root, "--kind",
                                                                    "plan").stdout
    assert f"Toestemming {word.lower()}: 1 juli 2026" in report(root).stdout
    assert f"eigen cijfer van de {word.lower()}" in report(root, "--kind", "final").stdout


def test_the_practices_logo_heads_the_word_and_pdf_documents(make_vault, tmp_path):
    import base64

    import docx
    import pypdf

    png = base64.b64decode(  # a 2×1 PNG, red and blue
        "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAEElEQVR4nGP4z8DAwMDAAAAK/wH/"
        "x0jI0gAAAABJRU5ErkJggg==")
    root = vault(make_vault, extra="")
    settings = root / "coachnotes.yml"
    settings.write_text(settings.read_text().replace("  kvk: '12345678'\n",
                                                     "  kvk: '12345678'\n  logo: logo.png\n"),
                        encoding="utf-8")
    (root / "logo.png").write_bytes(png)
    path, done = write(root, tmp_path, "docx")
    assert not done.stderr
    header = docx.Document(path).sections[0].header
    assert header.part.package and any(
        rel.reltype.endswith("/image") for rel in header.part.rels.values())
    path, _ = write(root, tmp_path, "pdf")
    images = list(pypdf.PdfReader(path).pages[0].images)
    assert len(images) == 1 and images[0].image.size == (2, 1)
    # a logo that is no image, or lies outside the vault: said, and the documents have none
    (root / "logo.png").write_text("geen plaatje")
    path, done = write(root, tmp_path, "pdf")
    assert "logo.png" in done.stderr and "geen logo" in done.stderr
    assert not list(pypdf.PdfReader(path).pages[0].images)


def test_the_scores_chart_is_in_the_word_file_too_and_its_legend_clears_the_axis(
        make_vault, tmp_path):
    import docx
    from PIL import Image

    root = vault(make_vault)
    path, _ = write(root, tmp_path, "docx", "--kind", "final")
    pictures = [r.target_part.blob for r in docx.Document(path).part.rels.values()
                if r.reltype.endswith("/image")]
    assert len(pictures) == 1
    picture = Image.open(io.BytesIO(pictures[0]))
    assert picture.format == "PNG" and picture.size[0] >= 1000  # sharp enough to print
    colours = {c for _n, c in picture.getcolors(1 << 20)}
    assert (0x1f, 0x77, 0xb4) in colours and (0xd6, 0x27, 0x28) in colours  # both lines
    # the PDF's chart: the legend's top stays below the category labels under the plot
    # (8 pt labels, 5 pt from the axis, as reportlab draws them)
    from coachnotes.answers.reports import Chart
    from coachnotes.output.documents import SafeText, _line_chart, register_fonts

    for goals in (1, 2, 5):
        chart = Chart(["Start", "Einde", "Terugkom 1"],
                      [(f"Doel {n}", [3, 8, 7]) for n in range(goals)])
        plot, legend = _line_chart(chart, SafeText(register_fonts())).contents
        labels_bottom = plot.y - plot.categoryAxis.labels.dy - 5 - 8
        assert legend.getBounds()[3] < labels_bottom, goals


def test_a_uwv_plan_lists_the_activities_with_their_hours(make_vault):
    root = vault(make_vault)
    note = root / JAN
    note.write_text(note.read_text().replace("type: client\n", (
        "type: client\nprogramme: uwv\ncosts:\n  - text: Arbeidsmarktscan\n    amount: 250\n")),
        encoding="utf-8")
    md = report(root, "--kind", "plan").stdout
    section = md[md.index("## Activiteiten en uren"):md.index("## Kosten")]
    for line in ("Intakegesprek: 1 uur", "8 coachgesprekken: 8 uur", "Arbeidsmarktscan",
                 "In totaal: 9 uur begeleiding"):
        assert line in section, line
    plain = vault(make_vault)  # an employer's coaching: no such list
    assert "Activiteiten" not in report(plain, "--kind", "plan").stdout
    assert "Elke 6 weken" not in report(plain, "--kind", "plan").stdout
    second = vault(make_vault)
    note = second / JAN
    note.write_text(note.read_text().replace("type: client\n",
                                             "type: client\nprogramme: second-track\n"),
                    encoding="utf-8")
    assert "Elke 6 weken vanaf de start een evaluatie met werkgever en werknemer" in report(
        second, "--kind", "plan").stdout


@pytest.mark.parametrize("programme,word", [("coaching", "Coachee"), ("uwv", "Kandidaat"),
                                            ("gemeente", "Deelnemer"),
                                            ("second-track", "Werknemer")])
def test_every_kind_reads_back_from_word_and_pdf_for_each_programme(make_vault, tmp_path,
                                                                     programme, word):
    """Each kind of document of each programme, read back: Word (A4 in its XML, the PAGE and
    NUMPAGES fields, the person named) and PDF (A4, "pagina N van M" and the coachee's name
    on every page, the person named)."""
    import docx
    import pypdf

    root = vault(make_vault)
    note = root / JAN
    note.write_text(note.read_text().replace("type: client\n",
                                             f"type: client\nprogramme: {programme}\n"),
                    encoding="utf-8")
    for kind in ("plan", "progress", "final", "consent"):
        path, _ = write(root, tmp_path, "docx", "--kind", kind)
        word_file = docx.Document(path)
        body = word_file.element.body.xml
        assert 'w:w="11906"' in body and 'w:h="16838"' in body, kind
        footer = word_file.sections[0].footer.paragraphs[0]._p.xml
        assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer, kind
        assert f"{word}: Jan de Vries" in docx_text(path), kind
        path, _ = write(root, tmp_path, "pdf", "--kind", kind)
        pages = pdf_text(path)
        for n, page in enumerate(pages, 1):
            assert f"Jan de Vries · pagina {n} van {len(pages)}" in page, (kind, n)
        assert f"{word}: Jan de Vries" in " ".join(pages), kind
        box = pypdf.PdfReader(path).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842), kind
