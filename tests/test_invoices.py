"""Invoices (SPEC §20): the register, the PDF and the e-invoice, proven by the official SI-UBL
2.0 rules (tests/rules/), numbered without a gap or a double even when `invoice` is killed."""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import signal
import subprocess
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from rules.validate import Validator

from conftest import (
    client_note,
    coachnotes_command,
    git,
    run_cli,
    session_note,
    vault_with_remote,
    write_files,
)

# Its module-scoped fixtures are built once: all its tests run on one worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("invoices")

CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"

PRACTICE = """
practice:
  name: Coaching De Wit
  address: Oudegracht 12
  postcode_city: 3511 AR Utrecht
  kvk: "12345678"
  vat_id: NL001234567B01
  iban: NL91ABNA0417164300
  email: coach@example.nl
hourly_rate: 95
sponsors:
  "Bakkerij De Korf":
    address: Dorpsstraat 2
    postcode_city: 6711 AB Ede
    kvk: "87654321"
    contact: P. de Boer
  "UWV":
    hourly_rate: 92.50
    address: Daalsedijk 4
    postcode_city: 3551 EJ Utrecht
    oin: "00000009999000010000"
    contact: Team Re-integratie
"""


@pytest.fixture(scope="module")
def rules() -> Validator:
    return Validator()


def _files() -> dict[str, str]:
    """An employer's client (45, 60 and 90 minutes in November, and one in October), and two
    UWV clients with orders of their own, one with a test as a dated cost."""
    return {
        "clients/jan/client.md": client_note("jan", sponsor="Bakkerij De Korf"),
        "clients/jan/sessions/2026-10-20-coaching.md": session_note(
            "jan", date="2026-10-20", number=1),
        "clients/jan/sessions/2026-11-03-coaching.md": session_note(
            "jan", date="2026-11-03", number=2, duration=45),
        "clients/jan/sessions/2026-11-17-coaching.md": session_note(
            "jan", date="2026-11-17", number=3),
        "clients/jan/sessions/2026-11-24-coaching.md": session_note(
            "jan", date="2026-11-24", number=4, duration=90),
        "clients/noor/client.md": client_note("noor", name="Noor Aydın", sponsor="UWV",
                                              programme="uwv", order="2026-048213",
                                              costs=[{"text": "Arbeidsmarktscan",
                                                      "amount": 250, "date": "2026-11-10"}]),
        "clients/noor/sessions/2026-11-05-coaching.md": session_note(
            "noor", date="2026-11-05", number=1),
        "clients/piet/client.md": client_note("piet", name="Piet Bos", sponsor="UWV",
                                              order="2026-051177"),
        "clients/piet/sessions/2026-11-12-coaching.md": session_note(
            "piet", date="2026-11-12", number=1, duration=75),
    }


def _register(root: Path) -> list[dict]:
    return yaml.safe_load((root / "invoices.yml").read_text(encoding="utf-8")) or []


def _pdf_pages(path: Path) -> list[str]:
    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages]


def _xml_total(path: Path) -> str:
    tree = etree.fromstring(path.read_bytes())
    return tree.find(f".//{CBC}PayableAmount").text


def _invoiced_paths(entries: list[dict]) -> list[str]:
    credited = {e.get("credits") for e in entries if e.get("type") == "credit"}
    return [line["path"] + (f"#{line['text']}" if line["kind"] == "cost" else "")
            for e in entries if e.get("type") == "invoice" and e["number"] not in credited
            for line in e["lines"]]


def _assert_sound(root: Path, rules: Validator) -> list[dict]:
    """Every entry: its documents are there, pass the official rules, and agree with the
    register to the cent; the numbers run unbroken; no line is invoiced twice."""
    entries = _register(root)
    numbers = [e["number"] for e in entries]
    assert numbers == [f"2026-{n:04d}" for n in range(1, len(numbers) + 1)], numbers
    paths = _invoiced_paths(entries)
    assert len(paths) == len(set(paths)), "a line is on two invoices"
    for entry in entries:
        pdf, xml = root / "exports" / f"{entry['number']}.pdf", \
            root / "exports" / f"{entry['number']}.xml"
        assert rules.errors(xml.read_bytes()) == [], entry["number"]
        assert _xml_total(xml) == entry["total"]
        net = sum((Decimal(line["amount"]) for line in entry["lines"]), Decimal("0.00"))
        assert str(net) == entry["net"]
        pages = _pdf_pages(pdf)
        shown = f"€ {Decimal(entry['total']):,.2f}"  # the suite's vaults speak English
        assert shown in pages[-1] and entry["number"] in pages[0]
        assert all(f"page {n} of {len(pages)}" in page for n, page in enumerate(pages, 1))
    return entries


def test_november_is_invoiced_per_sponsor_and_order_and_passes_the_official_rules(
        make_vault, rules):
    root = make_vault(_files(), settings=PRACTICE)
    done = run_cli("--vault", str(root), "invoice", "--today", "2026-12-01")
    assert done.returncode == 0, done.stderr
    entries = _assert_sound(root, rules)
    by_sponsor = {(e["sponsor"], e["order"]): e for e in entries}
    assert set(by_sponsor) == {("Bakkerij De Korf", None), ("UWV", "2026-048213"),
                               ("UWV", "2026-051177")}
    korf = by_sponsor[("Bakkerij De Korf", None)]
    # 45 + 60 + 90 minutes at 95 (October is not in last month); VAT on the sum of the lines
    assert [line["amount"] for line in korf["lines"]] == ["71.25", "95.00", "142.50"]
    assert (korf["net"], korf["vat_amount"], korf["total"]) == ("308.75", "64.84", "373.59")
    noor = by_sponsor[("UWV", "2026-048213")]
    assert [line["text"] for line in noor["lines"]] == ["Coaching", "Arbeidsmarktscan"]
    assert noor["buyer"]["oin"] == "00000009999000010000"
    xml = etree.fromstring((root / "exports" / f"{noor['number']}.xml").read_bytes())
    assert xml.find(f".//{{*}}OrderReference/{CBC}ID").text == "2026-048213"
    assert "Order number" in _pdf_pages(root / "exports" / f"{noor['number']}.pdf")[0]
    # nothing is invoiced twice
    again = run_cli("--vault", str(root), "invoice", "--today", "2026-12-02")
    assert again.returncode == 0 and "nothing to invoice" in again.stdout
    assert len(_register(root)) == 3


def test_again_makes_the_documents_byte_identical_from_the_register_alone(make_vault):
    root = make_vault(_files(), settings=PRACTICE)
    assert run_cli("--vault", str(root), "invoice", "--today", "2026-12-01").returncode == 0
    made = {p.name: p.read_bytes() for p in (root / "exports").iterdir()}
    for path in (root / "exports").iterdir():
        path.unlink()
    # the settings change afterwards: the register keeps the parties as they were
    (root / "coachnotes.yml").write_text(PRACTICE.replace("Oudegracht 12", "Elders 1") +
                                         "retention_years: 2\nlanguage: en\n", encoding="utf-8")
    for number in ("2026-0001", "2026-0002", "2026-0003"):
        assert run_cli("--vault", str(root), "invoice", "--again", number).returncode == 0
    assert {p.name: p.read_bytes() for p in (root / "exports").iterdir()} == made


def test_a_credit_note_quotes_the_invoice_passes_the_rules_and_frees_its_lines(
        make_vault, rules):
    root = make_vault(_files(), settings=PRACTICE)
    assert run_cli("--vault", str(root), "invoice", "--today", "2026-12-01",
                   "--sponsor", "Bakkerij De Korf").returncode == 0
    done = run_cli("--vault", str(root), "invoice", "--credit", "2026-0001",
                   "--today", "2026-12-03")
    assert done.returncode == 0, done.stderr
    note = _register(root)[1]
    assert (note["number"], note["type"], note["credits"]) == ("2026-0002", "credit",
                                                               "2026-0001")
    xml = (root / "exports" / "2026-0002.xml").read_bytes()
    assert etree.fromstring(xml).tag.endswith("CreditNote")
    assert b"<cbc:ID>2026-0001</cbc:ID>" in xml and rules.errors(xml) == []
    assert "Credit note" in _pdf_pages(root / "exports" / "2026-0002.pdf")[0]
    twice = run_cli("--vault", str(root), "invoice", "--credit", "2026-0001")
    assert twice.returncode == 1 and "credited already" in twice.stderr
    # the credited lines are free: invoiced again on a new number
    assert run_cli("--vault", str(root), "invoice", "--today", "2026-12-04", "--from",
                   "2026-11-01", "--to", "2026-11-30", "--sponsor",
                   "Bakkerij De Korf").returncode == 0
    assert _register(root)[2]["lines"] == _register(root)[0]["lines"]


def test_the_official_rules_can_fail(make_vault, rules):
    root = make_vault(_files(), settings=PRACTICE)
    assert run_cli("--vault", str(root), "invoice", "--today", "2026-12-01").returncode == 0
    good = (root / "exports" / "2026-0001.xml").read_bytes()
    assert rules.errors(good) == []
    wrong_total = good.replace(b"<cbc:PayableAmount currencyID=\"EUR\">373.59",
                               b"<cbc:PayableAmount currencyID=\"EUR\">400.00")
    assert "BR-CO-16" in {rule for rule, _flag, _text in rules.errors(wrong_total)}
    no_kvk = etree.fromstring(good)
    for node in no_kvk.iter(f"{CBC}CompanyID", f"{CBC}EndpointID"):
        if node.get("schemeID") == "0106" and node.text == "12345678":
            node.getparent().remove(node)
    assert "BR-NL-1" in {rule for rule, _f, _t in rules.errors(etree.tostring(no_kvk))}


@pytest.mark.parametrize("remove, named", [
    ("  kvk: \"12345678\"\n", "`practice.kvk`"),
    ("  iban: NL91ABNA0417164300\n", "`practice.iban`"),
    ("  vat_id: NL001234567B01\n", "`practice.vat_id`"),
    ("    postcode_city: 6711 AB Ede\n", "no `address` and `postcode_city`"),
    ("    kvk: \"87654321\"\n", "no `kvk`"),
])
def test_what_an_invoice_needs_is_named_and_nothing_is_made(make_vault, remove, named):
    root = make_vault(_files(), settings=PRACTICE.replace(remove, ""))
    done = run_cli("--vault", str(root), "invoice", "--today", "2026-12-01")
    assert done.returncode == 1 and named in done.stderr, done.stderr
    assert "nothing was invoiced" in done.stderr and "Traceback" not in done.stderr
    assert not (root / "invoices.yml").exists() and not (root / "exports").exists()


def test_a_note_with_an_error_in_the_period_stops_the_invoice(make_vault):
    files = _files()
    files["clients/jan/sessions/2026-11-17-coaching.md"] = session_note(
        "jan", date="2026-11-17", number=3, duration="een uur en een kwartier")
    root = make_vault(files, settings=PRACTICE)
    done = run_cli("--vault", str(root), "invoice", "--today", "2026-12-01")
    assert done.returncode == 1
    assert "clients/jan/sessions/2026-11-17-coaching.md" in done.stderr
    assert not (root / "invoices.yml").exists()


def test_hours_names_the_invoice_of_each_line_and_due_the_months_to_invoice(make_vault):
    root = make_vault(_files(), settings=PRACTICE)
    assert run_cli("--vault", str(root), "invoice", "--today", "2026-12-01",
                   "--sponsor", "UWV").returncode == 0
    import json

    rows = json.loads(run_cli("--vault", str(root), "hours", "--from", "2026-11-01", "--to",
                              "2026-11-30", "--json", "--today", "2026-12-01").stdout)
    by_client = {(r["client"], r["date"]): r["invoice"] for r in rows}
    assert by_client[("noor", "2026-11-05")] in ("2026-0001", "2026-0002")
    assert by_client[("jan", "2026-11-03")] is None or by_client[("jan", "2026-11-03")] == ""
    table = run_cli("--vault", str(root), "hours", "--from", "2026-11-01", "--to",
                    "2026-11-30", "--today", "2026-12-01").stdout
    assert "not invoiced" in table and "2026-0001" in table
    due = json.loads(run_cli("--vault", str(root), "due", "--json", "--today",
                             "2026-12-05").stdout)
    items = [i for i in due if i["kind"] == "invoice"]
    assert [(i["name"], i["due"]) for i in items] == [("Bakkerij De Korf", "2026-12-01")]
    assert "2026-11" in items[0]["text"]
    calendar = root / "due.ics"
    assert run_cli("--vault", str(root), "due", "--ics", str(calendar), "--today",
                   "2026-12-05").returncode == 0
    assert "SUMMARY:invoice: Bakkerij De Korf\\, 2026-11" in calendar.read_text(encoding="utf-8")
    # invoiced: the item is gone
    assert run_cli("--vault", str(root), "invoice", "--today", "2026-12-05").returncode == 0
    due = json.loads(run_cli("--vault", str(root), "due", "--json", "--today",
                             "2026-12-05").stdout)
    assert not [i for i in due if i["kind"] == "invoice"]


# -- random invoices through the official rules ------------------------------------------

_VAT = {"21": None, "exempt": "Vrijgesteld van btw op grond van art. 11 lid 1 sub o Wet OB",
        "kor": "Vrijgesteld van btw op grond van de kleineondernemersregeling (KOR)"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rate=st.decimals(min_value=Decimal("40.00"), max_value=Decimal("250.00"), places=2),
       minutes=st.lists(st.sampled_from([45, 60, 75, 90]), min_size=1, max_size=40),
       vat=st.sampled_from(sorted(_VAT)), costs=st.lists(st.decimals(
           min_value=Decimal("0.01"), max_value=Decimal("2000.00"), places=2), max_size=3))
def test_random_invoices_pass_the_official_rules_and_agree_to_the_cent(
        rules, rate, minutes, vat, costs):
    from coachnotes.answers import invoices as core
    from coachnotes.output.invoice_pdf import to_pdf
    from coachnotes.output.ubl import to_ubl

    practice = {"name": "Coaching De Wit", "address": "Oudegracht 12",
                "postcode_city": "3511 AR Utrecht", "kvk": "12345678",
                "vat_id": "NL001234567B01", "iban": "NL91ABNA0417164300", "vat": vat,
                "vat_exemption_text": _VAT[vat]}
    sponsors = {"UWV": {"address": "Daalsedijk 4", "postcode_city": "3551 EJ Utrecht",
                        "oin": "00000009999000010000", "contact": "Team"}}
    day = dt.date(2026, 11, 1)
    lines = []
    for n, length in enumerate(minutes):
        amount = (Decimal(length) * rate / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)
        lines.append({"date": (day + dt.timedelta(days=n % 28)).isoformat(),
                      "kind": "coaching", "client": "c", "name": "Zoë van 't Hek",
                      "text": "Coaching", "minutes": length,
                      "quantity": format((Decimal(length) / 60).normalize(), "f"),
                      "unit": "HUR", "rate": str(rate), "amount": str(amount), "path": f"p{n}"})
    lines += [{"date": "2026-11-15", "kind": "cost", "client": "c", "name": "Zoë",
               "text": "Test", "minutes": None, "quantity": "1", "unit": "C62",
               "rate": str(cost), "amount": str(cost), "path": "c"} for cost in costs]
    entry = core.entry(SimpleNamespace(practice=practice, sponsors=sponsors), "nl",
                       core.Draft("UWV", "2026-1", lines), "2026-0007", dt.date(2026, 12, 1),
                       (day, dt.date(2026, 11, 30)))
    net = sum(Decimal(line["amount"]) for line in lines)
    expected_vat = (net * Decimal("0.21")).quantize(Decimal("0.01"), ROUND_HALF_UP) \
        if vat == "21" else Decimal("0.00")
    assert Decimal(entry["total"]) == net + expected_vat
    for document in (entry, core.credit(entry, "2026-0008", dt.date(2026, 12, 2))):
        xml = to_ubl(document)
        assert rules.errors(xml) == [], (vat, rules.errors(xml))
        assert etree.fromstring(xml).find(f".//{CBC}PayableAmount").text == entry["total"]
    text = "".join(page.extract_text() for page in
                   __import__("pypdf").PdfReader(io.BytesIO(to_pdf(entry))).pages)
    written = f"{Decimal(entry['total']):,.2f}".translate(str.maketrans(",.", ".,"))
    assert f"€ {written}" in text
    if vat != "21":
        assert _VAT[vat].split(" op grond")[0] in text


# -- the register across devices ----------------------------------------------------------

def _entry(number: str, total: str) -> dict:
    """A register entry as `invoice` writes it, with the number and total given."""
    return {"number": number, "type": "invoice", "date": "2026-12-01",
            "period": {"from": "2026-11-01", "to": "2026-11-30"},
            "seller": {"name": "Coaching De Wit"}, "buyer": {"name": "UWV"},
            "vat": {"kind": "21", "rate": "21"}, "net": total, "vat_amount": "0.00",
            "total": total, "lines": [{"date": "2026-11-05", "name": "Noor", "text": "Coaching",
                                       "quantity": "1", "unit": "HUR", "rate": total,
                                       "amount": total, "kind": "coaching", "path": "p"}]}


def test_sync_merges_two_devices_registers_as_one_and_e027_names_a_double(tmp_path, git_env):
    from coachnotes.vault import register

    ours = register.dump([_entry("2026-0001", "1.00"), _entry("2026-0002", "2.00")])
    theirs = register.dump([_entry("2026-0001", "1.00"), _entry("2026-A001", "3.00")])
    merged = register.parse(register.union(ours, theirs))
    assert [e["number"] for e in merged] == ["2026-0001", "2026-0002", "2026-A001"]
    assert register.problems(merged) == []
    # through a real sync: two devices registered different invoices under one number
    a, remote = vault_with_remote(tmp_path, git_env, "a")
    assert run_cli("--vault", str(a), "sync", env=git_env).returncode == 0
    b = tmp_path / "b"
    git(tmp_path, "clone", "-q", str(remote), str(b))
    (a / "invoices.yml").write_bytes(register.dump([_entry("2026-0001", "1.00")]))
    assert run_cli("--vault", str(a), "sync", env=git_env).returncode == 0
    (b / "invoices.yml").write_bytes(register.dump([_entry("2026-0001", "9.00")]))
    done = run_cli("--vault", str(b), "sync", env=git_env)
    assert done.returncode in (0, 1), done.stderr
    assert not [p for p in os.listdir(b) if ".conflict-" in p]
    entries = register.parse((b / "invoices.yml").read_bytes())
    assert sorted(e["total"] for e in entries) == ["1.00", "9.00"]
    check = run_cli("--vault", str(b), "check", env=git_env)
    assert "invoices.yml:1: E027" in check.stdout and "2026-0001" in check.stdout


def test_a_register_entry_that_cannot_make_its_documents_is_e027_and_nothing_crashes(
        make_vault):
    root = make_vault(_files(), settings=PRACTICE)
    assert run_cli("--vault", str(root), "invoice", "--today", "2026-12-01").returncode == 0
    text = (root / "invoices.yml").read_text(encoding="utf-8")
    (root / "invoices.yml").write_text(text.replace("  net: ", "  netto: ", 1),
                                       encoding="utf-8")
    check = run_cli("--vault", str(root), "check")
    assert "invoices.yml:1: E027" in check.stdout and "`net`" in check.stdout
    for args in (("invoice", "--again", "2026-0001"), ("invoice", "--dry-run")):
        done = run_cli("--vault", str(root), *args)
        assert done.returncode == 1 and "E027" in done.stderr and "Traceback" not in done.stderr


# -- crash safety: every step of the journal, and kills at random moments -----------------

STEPS = ["invoice:pulled", "invoice:register", "invoice:documents", "invoice:pushed"]


def _git_vault(tmp_path: Path, env: dict) -> tuple[Path, Path]:
    root, remote = vault_with_remote(tmp_path, env)
    settings = (root / "coachnotes.yml").read_text(encoding="utf-8")
    (root / "coachnotes.yml").write_text(settings + PRACTICE, encoding="utf-8")
    write_files(root, _files())
    assert run_cli("--vault", str(root), "sync", env=env).returncode == 0
    return root, remote


def test_the_journal_names_every_step_and_each_is_tested(tmp_path, git_env):
    root, _remote = _git_vault(tmp_path, git_env)
    trace = tmp_path / "trace"
    done = run_cli("--vault", str(root), "invoice", "--today", "2026-12-01",
                   env={**git_env, "COACHNOTES_FAULT_TRACE": str(trace)})
    assert done.returncode == 0, done.stderr
    # its own steps (the syncs it runs to pull and push have theirs: test_hostile.py)
    assert [p for p in trace.read_text().split() if p.startswith("invoice:")] == STEPS


@pytest.mark.parametrize("step", STEPS)
def test_invoice_stopped_after_each_step_and_run_again_numbers_once(tmp_path, git_env, step,
                                                                    rules):
    root, remote = _git_vault(tmp_path, git_env)
    killed = run_cli("--vault", str(root), "invoice", "--today", "2026-12-01", process=True,
                     env={**git_env, "COACHNOTES_FAULT": step})
    assert killed.returncode == -signal.SIGKILL
    done = run_cli("--vault", str(root), "invoice", "--today", "2026-12-01", env=git_env)
    assert done.returncode == 0, done.stderr
    entries = _assert_sound(root, rules)
    assert len(entries) == 3
    pushed = git(root, "--git-dir", str(remote), "show", "main:invoices.yml")
    assert [e["number"] for e in yaml.safe_load(pushed)] == [e["number"] for e in entries]


@pytest.mark.slow
def test_invoice_killed_at_random_moments_never_breaks_the_numbering(tmp_path, git_env,
                                                                     rules):
    root, _remote = _git_vault(tmp_path, git_env)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACHNOTES_")}
    env.update(git_env)
    chance = random.Random(20261207)
    months = [(2026, m) for m in range(1, 11)]
    for year, month in chance.sample(months, 4):
        write_files(root, {f"clients/jan/sessions/{year}-{month:02d}-02-coaching.md":
                           session_note("jan", date=f"{year}-{month:02d}-02",
                                        number=10 + month)})
        args = [coachnotes_command(), "--vault", str(root), "invoice", "--today", "2026-12-01",
                "--from", f"{year}-{month:02d}-01", "--to", f"{year}-{month:02d}-28"]
        process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(chance.uniform(0.2, 1.6))
        process.send_signal(signal.SIGKILL)
        process.wait()
        finish = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
        assert finish.returncode == 0, finish.stderr
    entries = _assert_sound(root, rules)
    assert len(entries) == 4


def test_forget_keeps_the_register_and_the_invoices_and_says_so(tmp_path, git_env):
    root, remote = _git_vault(tmp_path, git_env)
    assert run_cli("--vault", str(root), "invoice", "--today", "2026-12-01",
                   env=git_env).returncode == 0
    register = (root / "invoices.yml").read_bytes()
    documents = {p.name: p.read_bytes() for p in (root / "exports").iterdir()}
    assert b"Noor Ayd" in register  # the test can fail: she is on an invoice
    done = run_cli("--vault", str(root), "forget", "noor", "--yes", "--today", "2026-12-02",
                   env=git_env)
    assert done.returncode == 0, done.stderr
    assert "invoices.yml" in done.stdout + done.stderr
    assert not (root / "clients" / "noor").exists()
    assert (root / "invoices.yml").read_bytes() == register
    assert {p.name: p.read_bytes() for p in (root / "exports").iterdir()} == documents
    pushed = git(root, "--git-dir", str(remote), "show", "main:invoices.yml")
    assert pushed.encode() == register


def test_retention_lists_invoices_once_their_seven_years_have_passed(make_vault):
    import json

    root = make_vault(_files(), settings=PRACTICE)
    assert run_cli("--vault", str(root), "invoice", "--today", "2026-12-01").returncode == 0

    def past(day: str) -> list[str]:
        done = run_cli("--vault", str(root), "retention", "--json", "--today", day)
        return [i["number"] for i in json.loads(done.stdout)["invoices_past"]]

    assert past("2033-12-31") == []
    assert past("2034-01-01") == ["2026-0001", "2026-0002", "2026-0003"]
    said = run_cli("--vault", str(root), "retention", "--today", "2034-01-01")
    assert "2026-0002" in said.stderr and "2034-01-01" in said.stderr


def test_offline_invoice_refuses_unless_asked_then_numbers_in_the_devices_own_series(
        tmp_path, git_env, rules):
    root, remote = _git_vault(tmp_path, git_env)
    git(root, "remote", "set-url", "origin", str(tmp_path / "away.git"))
    env = {**git_env, "COACHNOTES_DEVICE": "laptop"}
    refused = run_cli("--vault", str(root), "invoice", "--today", "2026-12-01", env=env)
    assert refused.returncode == 3 and "--offline" in refused.stderr
    assert not (root / "invoices.yml").exists()
    done = run_cli("--vault", str(root), "invoice", "--today", "2026-12-01", "--offline",
                   env=env)
    assert done.returncode == 0, done.stderr
    numbers = [e["number"] for e in _register(root)]
    assert numbers == ["2026-L001", "2026-L002", "2026-L003"]
    for number in numbers:
        assert rules.errors((root / "exports" / f"{number}.xml").read_bytes()) == []
    assert "E027" not in run_cli("--vault", str(root), "check", env=env).stdout
    git(root, "remote", "set-url", "origin", str(remote))
    assert run_cli("--vault", str(root), "sync", env=env).returncode == 0
    pushed = yaml.safe_load(git(root, "--git-dir", str(remote), "show", "main:invoices.yml"))
    assert [e["number"] for e in pushed] == numbers


def test_two_devices_never_give_one_number(tmp_path, git_env, rules):
    a, remote = _git_vault(tmp_path, git_env)
    b = tmp_path / "b"
    git(tmp_path, "clone", "-q", str(remote), str(b))
    assert run_cli("--vault", str(a), "invoice", "--today", "2026-12-01", "--sponsor",
                   "Bakkerij De Korf", env=git_env).returncode == 0
    done = run_cli("--vault", str(b), "invoice", "--today", "2026-12-01", "--sponsor", "UWV",
                   env=git_env)
    assert done.returncode == 0, done.stderr
    assert [e["number"] for e in _register(b)] == ["2026-0001", "2026-0002", "2026-0003"]
    assert run_cli("--vault", str(a), "sync", env=git_env).returncode == 0
    assert (a / "invoices.yml").read_bytes() == (b / "invoices.yml").read_bytes()


def test_a_sponsor_abroad_needs_no_dutch_id_and_its_invoice_passes_the_rules(make_vault,
                                                                              rules):
    abroad = PRACTICE.replace('''  "UWV":''', '''  "Brouwerij Sint-Anna":
    address: Grote Markt 1
    postcode: "2000"
    city: Antwerpen
    country: BE
    vat_id: BE0123456749
    contact: M. Peeters
  "UWV":''')
    files = {"clients/lies/client.md": client_note("lies", name="Lies Janssens",
                                                   sponsor="Brouwerij Sint-Anna"),
             "clients/lies/sessions/2026-11-04-coaching.md": session_note(
                 "lies", date="2026-11-04", number=1)}
    root = make_vault(files, settings=abroad)
    done = run_cli("--vault", str(root), "invoice", "--today", "2026-12-01")
    assert done.returncode == 0, done.stderr
    (entry,) = _register(root)
    assert (entry["buyer"]["postcode"], entry["buyer"]["city"], entry["buyer"]["country"]) == (
        "2000", "Antwerpen", "BE")
    xml = (root / "exports" / f"{entry['number']}.xml").read_bytes()
    assert rules.errors(xml) == [] and b"<cbc:IdentificationCode>BE<" in xml
    assert "Antwerpen" in _pdf_pages(root / "exports" / f"{entry['number']}.pdf")[0]


def test_a_client_renamed_after_invoicing_is_never_billed_twice(make_vault):
    import json

    root = make_vault(_files(), settings=PRACTICE)
    assert run_cli("--vault", str(root), "invoice", "--today", "2026-12-01").returncode == 0
    done = run_cli("--vault", str(root), "rename", "jan", "jan-de-vries")
    assert done.returncode == 0, done.stderr
    again = run_cli("--vault", str(root), "invoice", "--today", "2026-12-02", "--from",
                    "2026-11-01", "--to", "2026-11-30")
    assert again.returncode == 0 and "nothing to invoice" in again.stdout, again.stdout
    rows = json.loads(run_cli("--vault", str(root), "hours", "--from", "2026-11-01", "--to",
                              "2026-11-30", "--json", "--today", "2026-12-02").stdout)
    assert all(r["invoice"] for r in rows)  # each line still names its invoice
    due = json.loads(run_cli("--vault", str(root), "due", "--json", "--today",
                             "2026-12-05").stdout)
    assert not [i for i in due if i["kind"] == "invoice"]


def test_a_dry_run_shows_every_line_and_numbers_nothing(make_vault):
    root = make_vault(_files(), settings=PRACTICE)
    done = run_cli("--vault", str(root), "invoice", "--dry-run", "--today", "2026-12-01")
    assert done.returncode == 0, done.stderr
    assert "Bakkerij De Korf, 3 line(s), € 373.59" in done.stdout
    assert "2026-11-03  Coaching — Jan de Vries  45 min  € 71.25" in done.stdout
    assert "Arbeidsmarktscan — Noor Aydın" in done.stdout
    assert not (root / "invoices.yml").exists() and not (root / "exports").exists()
