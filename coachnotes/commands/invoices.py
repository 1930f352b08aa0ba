"""`coachnotes invoice` (SPEC §20): invoices and credit notes, numbered in the register
`invoices.yml`, as PDF and UBL e-invoice in exports/.

The steps, each a fault-injection point (`invoice:<step>`, see `coachnotes.faults`) and
recorded in `.coachnotes/invoice-journal` before it is taken:

1. `pulled` — with a remote, a sync first, so that this device numbers after every other
   device's invoices (offline: refused, exit 3, unless `--offline`, which numbers in this
   device's own series);
2. `register` — the new entries written into the register at once, atomically: a number is
   used exactly when its entry is there;
3. `documents` — the PDF and the XML of each new entry, made from the register alone;
4. `pushed` — a sync again, so that the other devices see the numbers at once.

A run killed anywhere is finished by the next one: the journal names the numbers whose
documents and push are still to come; numbers never written are simply not used.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from coachnotes.answers import invoices as core
from coachnotes.answers.hours import previous_month
from coachnotes.commands import in_exports, open_root
from coachnotes.errors import CoachnotesError, Refused, SyncOffline
from coachnotes.faults import fault_point
from coachnotes.i18n import _
from coachnotes.rules.check import check
from coachnotes.vault import register
from coachnotes.vault.files import write_atomic
from coachnotes.vault.load import load_vault


class InvoiceRefused(Refused):
    """Nothing was invoiced; `reasons` names everything that is missing."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(reasons[0] if reasons else "")
        self.reasons = reasons


@dataclass
class InvoiceAnswer:
    start: dt.date | None = None
    end: dt.date | None = None
    made: list[dict] = field(default_factory=list)  # the new register entries
    drafts: list[dict] = field(default_factory=list)  # --dry-run: the entries to be
    documents: list[Path] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)  # numbers a killed run left unfinished
    unsponsored: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def invoice(vault_option: str | None, today: dt.date, start: dt.date | None = None,
            end: dt.date | None = None, sponsor: str | None = None,
            client_id: str | None = None, dry_run: bool = False,
            offline: bool = False) -> InvoiceAnswer:
    """The invoices of a period (default: the previous month)."""
    root = open_root(vault_option)
    if start is None or end is None:
        first, last = previous_month(today)
        start, end = start or first, end or last
    answer = InvoiceAnswer(start, end)
    if dry_run:
        entries = _entries(root)
        _drafts(root, today, start, end, sponsor, client_id, entries, "", answer)
        return answer
    with _locked(root) as journal:
        letter = _begin(root, today, offline, journal, answer)
        entries = _entries(root)
        new = _drafts(root, today, start, end, sponsor, client_id, entries, letter, answer)
        _commit(root, today, entries, new, journal, answer)
    return answer


def credit(vault_option: str | None, today: dt.date, number: str,
           offline: bool = False) -> InvoiceAnswer:
    """A credit note for the whole of invoice `number`; its lines are free again."""
    root = open_root(vault_option)
    answer = InvoiceAnswer()
    with _locked(root) as journal:
        letter = _begin(root, today, offline, journal, answer)
        entries = _entries(root)
        original = register.by_number(entries, number)
        if original is None or original.get("type", "invoice") != "invoice":
            raise Refused(_("no invoice {number} in invoices.yml (a credit note can only "
                            "credit an invoice)").format(number=number))
        if any(e.get("credits") == number for e in entries):
            raise Refused(_("invoice {number} is credited already").format(number=number))
        prefix = _prefix(root)
        note = core.credit(original, register.next_number(entries, prefix, today.year, letter),
                           today)
        _commit(root, today, entries, [note], journal, answer)
    return answer


def again(vault_option: str | None, number: str) -> InvoiceAnswer:
    """The documents of a registered invoice made again, byte for byte as before."""
    root = open_root(vault_option)
    entry = register.by_number(_entries(root), number)
    if entry is None:
        raise Refused(_("no invoice {number} in invoices.yml").format(number=number))
    answer = InvoiceAnswer()
    answer.documents = documents(root, entry)
    return answer


def documents(root: Path, entry: dict) -> list[Path]:
    """exports/<number>.pdf and .xml of a register entry."""
    from coachnotes.output.invoice_pdf import to_pdf
    from coachnotes.output.ubl import to_ubl

    name = re.sub(r"[^\w.-]+", "-", entry["number"])
    made = []
    for suffix, data in ((".pdf", to_pdf(entry)), (".xml", to_ubl(entry))):
        path = in_exports(root, name + suffix)
        write_atomic(path, data)
        made.append(path)
    return made


def _entries(root: Path) -> list[dict]:
    try:
        entries = register.read(root)
    except register.RegisterError as error:
        raise Refused(_("{path}:{line}: E027 the invoice register {message}; restore it from "
                        "git before you invoice").format(path=register.REGISTER,
                                                         line=error.args[0],
                                                         message=error.args[1])) from None
    said = register.problems(entries)
    if said:
        raise InvoiceRefused([f"{register.REGISTER}:1: E027 {message}" for message in said])
    return entries


def _prefix(root: Path) -> str:
    from coachnotes.vault.load import load_settings

    return (load_settings(root).practice or {}).get("invoice_prefix") or ""


def _drafts(root: Path, today: dt.date, start: dt.date, end: dt.date, sponsor: str | None,
            client_id: str | None, entries: list[dict], letter: str,
            answer: InvoiceAnswer) -> list[dict]:
    vault = load_vault(root)
    plan = core.plan(vault, start, end, today, check(vault, today), entries, sponsor,
                     client_id)
    answer.unsponsored = [vault.clients[c].name for c in plan.unsponsored]
    if plan.refusals:
        raise InvoiceRefused(plan.refusals)
    prefix = (vault.settings.practice or {}).get("invoice_prefix") or ""
    new: list[dict] = []
    for draft in plan.drafts:
        number = register.next_number(entries + new, prefix, today.year, letter)
        new.append(core.entry(vault.settings, vault.language, draft, number, today,
                              (start, end)))
    answer.drafts = new
    return new


# -- the journal ------------------------------------------------------------------------

def _locked(root: Path):
    """One `invoice` at a time in a vault, with its journal (GitPython's lock helpers: only
    here, so that `due` starts without them)."""
    from coachnotes.git.repo import sync_lock

    return sync_lock(root, "invoice-journal", lock="invoice.lock")


def _begin(root: Path, today: dt.date, offline: bool, journal, answer: InvoiceAnswer) -> str:
    """Finish a killed run; sync; the device letter when numbering offline ("" otherwise)."""
    state = journal.read()
    if state:
        _finish(root, today, state, journal, answer)
    kind = _sync_kind(root)
    letter = ""
    if kind == "remote":
        try:
            _sync(root, today)
        except SyncOffline as error:
            if not offline:
                raise SyncOffline(_("{reason} — invoice numbers come from the shared register, "
                                    "so `invoice` syncs first; try again online, or number "
                                    "in this device's own series with --offline").format(
                                    reason=error)) from None
            letter = _device_letter()
            answer.messages.append(_("offline: numbered in this device's series "
                                     "({letter}); the register is pushed at the next "
                                     "sync").format(letter=letter))
    fault_point("invoice:pulled")
    return letter


def _commit(root: Path, today: dt.date, entries: list[dict], new: list[dict], journal,
            answer: InvoiceAnswer) -> None:
    if not new:
        return
    journal.write({"step": "register", "numbers": [e["number"] for e in new]})
    register.write(root, entries + new)
    fault_point("invoice:register")
    for entry in new:
        answer.documents += documents(root, entry)
    journal.write({"step": "documents", "numbers": [e["number"] for e in new]})
    fault_point("invoice:documents")
    answer.made = new
    answer.messages += _push(root, today)
    journal.clear()
    fault_point("invoice:pushed")


def _finish(root: Path, today: dt.date, state: dict, journal, answer: InvoiceAnswer) -> None:
    """What a killed run left: the documents of the numbers it registered, and the push."""
    entries = register.read(root)
    for number in state.get("numbers", []):
        entry = register.by_number(entries, number)
        if entry is not None:  # registered: its documents (again) and the push
            answer.documents += documents(root, entry)
            answer.finished.append(number)
    if answer.finished:
        answer.messages += _push(root, today)
    journal.clear()


def _sync_kind(root: Path) -> str:
    from coachnotes.git.sync import sync_kind

    return sync_kind(root)


def _sync(root: Path, today: dt.date, push: bool = True) -> None:
    from coachnotes.git.sync import sync

    sync(root, push=push, today=today)


def _push(root: Path, today: dt.date) -> list[str]:
    """The register into git (and to the remote): said, never fatal — it is on disk."""
    kind = _sync_kind(root)
    if kind == "none":
        return []
    try:
        _sync(root, today, push=kind == "remote")
    except SyncOffline:
        return [_("the register is committed here and goes to the remote at the next "
                  "sync")]
    except CoachnotesError as error:
        return [_("the register is saved, but not synced ({reason}); run `coachnotes "
                  "sync`").format(reason=error)]
    return []


def _device_letter() -> str:
    from coachnotes.git.repo import device_name

    letters = [c for c in device_name().upper() if "A" <= c <= "Z"]
    return letters[0] if letters else "X"
