"""What to invoice (SPEC §20): the held, billable conversations and dated costs of a period
that no invoice holds yet, one draft per sponsor and order, and the register entry each becomes.

An entry keeps everything its documents need — the parties as they are today, the lines, the
amounts as decimal texts — so the PDF and the e-invoice are made from the register alone.
Amounts follow EN 16931: each line rounded half up to the cent, the VAT of the rate computed
on the sum of the lines, rounded half up.

What is missing for a correct invoice (the practice's KvK, a sponsor's address, a rate, an
error in a note of the period) is named, never guessed: `Plan.refusals` holds every such
sentence, and nothing is invoiced while there is one.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from coachnotes.answers.hours import HourRow, hours, rate_of
from coachnotes.i18n import _
from coachnotes.i18n.texts import TEXTS, text
from coachnotes.vault.model import Problem, Vault
from coachnotes.vault.register import REGISTER, Invoiced

CENT = Decimal("0.01")
VAT_RATE = Decimal(21)
_POSTCODE = re.compile(r"^\s*(\d{4}\s?[A-Za-z]{2})\s+(.+?)\s*$")
SELLER_NEEDS = ("name", "address", "postcode_city", "kvk", "vat_id", "iban")


class Draft(NamedTuple):
    """One invoice to be: a sponsor's (and order's) lines of the period."""

    sponsor: str
    order: str | None
    lines: list[dict]


class Plan(NamedTuple):
    drafts: list[Draft]
    refusals: list[str]  # why nothing may be invoiced yet, each in one sentence
    incomplete: list[Problem]  # notes of the period with an error (also in refusals)
    unsponsored: list[str]  # clients with billable conversations but no sponsor


def money(value: Decimal | str | float | int) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def plan(vault: Vault, start: dt.date, end: dt.date, today: dt.date, problems: list[Problem],
         entries: list[dict], sponsor: str | None = None,
         client_id: str | None = None) -> Plan:
    """The drafts of the period, and what stands in their way."""
    held = Invoiced(entries)
    counted = hours(vault, start, end, today, problems, sponsor, client_id)
    groups: dict[tuple[str, str | None], list[dict]] = {}
    unsponsored = sorted({row.client for row in counted.rows if not row.sponsor})
    refusals: list[str] = []
    sponsors = vault.settings.sponsors or {}
    for row in counted.rows:
        if not row.sponsor or held.number(row.path, row.date, row.kind, row.name):
            continue
        client = vault.clients[row.client]
        order = client.get("order") or sponsors.get(row.sponsor, {}).get("order")
        line = _session_line(vault, row)
        if line is None:
            refusals.append(_("no hourly rate for {sponsor}: set `hourly_rate` (or its own "
                              "under `sponsors`) in coachnotes.yml").format(sponsor=row.sponsor))
            continue
        groups.setdefault((row.sponsor, order), []).append(line)
    for client in vault.clients.values():
        paid_by = client.get("sponsor") or ""
        if not paid_by or sponsor is not None and paid_by != sponsor or \
                client_id is not None and client.id != client_id:
            continue
        order = client.get("order") or sponsors.get(paid_by, {}).get("order")
        for cost in client.get("costs") or []:
            line = _cost_line(client, cost)
            if cost.get("date") and start.isoformat() <= cost["date"] <= end.isoformat() \
                    and not held.holds(line):
                groups.setdefault((paid_by, order), []).append(line)
    drafts = [Draft(s, o, sorted(lines, key=lambda x: (x["date"], x["name"], x["path"])))
              for (s, o), lines in sorted(groups.items(), key=lambda kv: (kv[0][0].casefold(),
                                                                          kv[0][1] or ""))]
    refusals = sorted(set(refusals))
    if drafts:
        refusals += seller_missing(vault)
        for draft in drafts:
            refusals += buyer_missing(vault, draft)
    refusals += [_("{path}:{line}: {code} {message} — the invoice would be incomplete; "
                   "fix the note first").format(path=p.path, line=p.line, code=p.code,
                                                message=p.message)
                 for p in counted.incomplete]
    return Plan(drafts, list(dict.fromkeys(refusals)), counted.incomplete, unsponsored)


def _session_line(vault: Vault, row: HourRow) -> dict | None:
    rate = rate_of(vault.settings, row.sponsor)
    if rate is None:
        return None
    quantity = (Decimal(row.minutes) / 60).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return {"date": row.date.isoformat(), "kind": row.kind, "client": row.client,
            "name": row.name, "text": text(vault.language, f"kind.{row.kind}").capitalize()
            if f"kind.{row.kind}" in TEXTS else row.kind,
            "minutes": row.minutes, "quantity": _plain(quantity), "unit": "HUR",
            "rate": str(money(rate)), "amount": str(row.amount), "path": row.path}


def _cost_line(client, cost: dict) -> dict:
    return {"date": cost.get("date"), "kind": "cost", "client": client.id, "name": client.name,
            "text": cost["text"], "minutes": None, "quantity": "1", "unit": "C62",
            "rate": cost["amount"], "amount": cost["amount"], "path": client.path}


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def seller_missing(vault: Vault) -> list[str]:
    practice = vault.settings.practice or {}
    found = [_("`practice.{key}` is missing in coachnotes.yml: an invoice must carry "
               "it").format(key=key) for key in SELLER_NEEDS if not practice.get(key)]
    if practice.get("postcode_city") and split_place(practice["postcode_city"])[0] is None:
        found.append(_("`practice.postcode_city` must begin with a Dutch postcode, like "
                       "`3511 AR Utrecht`"))
    if practice.get("vat", "21") != "21" and not practice.get("vat_exemption_text"):
        found.append(_("`practice.vat_exemption_text` is missing: with `vat: {kind}` an "
                       "invoice must name the legal ground").format(kind=practice["vat"]))
    return found


def buyer_missing(vault: Vault, draft: Draft) -> list[str]:
    known = (vault.settings.sponsors or {}).get(draft.sponsor, {})
    name = draft.sponsor
    found = []
    if not known.get("address") or not (known.get("postcode_city") or known.get("city")):
        found.append(_("the sponsor {name!r} has no `address` and `postcode_city` under "
                       "`sponsors` in coachnotes.yml").format(name=name))
    if (known.get("country") or "NL").upper() == "NL" and not (known.get("kvk") or
                                                               known.get("oin")):
        found.append(_("the sponsor {name!r} has no `kvk` (or, for a government body, "
                       "`oin`) under `sponsors`: a Dutch e-invoice must name it").format(
                       name=name))
    if not (draft.order or known.get("reference") or known.get("contact")):
        found.append(_("the sponsor {name!r} has no `order`, `reference` or `contact`: the "
                       "invoice must carry one for the sponsor to match it").format(name=name))
    return found


def split_place(postcode_city: str) -> tuple[str | None, str]:
    """`3511 AR Utrecht` -> ("3511 AR", "Utrecht"); a place without a Dutch postcode ->
    (None, as written)."""
    match = _POSTCODE.match(postcode_city or "")
    if match is None:
        return None, (postcode_city or "").strip()
    code = match[1].replace(" ", "").upper()
    return f"{code[:4]} {code[4:]}", match[2]


def _party(values: dict, name: str, keys: tuple[str, ...]) -> dict:
    postcode, city = split_place(values.get("postcode_city") or "")
    party = {"name": name, "address": values.get("address"),
             "postcode": postcode or values.get("postcode"), "city": city or values.get("city"),
             "country": (values.get("country") or "NL").upper()}
    party.update({key: values.get(key) for key in keys})
    return party


def entry(settings, language: str, draft: Draft, number: str, today: dt.date,
          period: tuple[dt.date, dt.date]) -> dict:
    """The register entry of a draft: the invoice as it will stay, the parties as the
    settings (`practice`, `sponsors`) give them today."""
    practice = settings.practice or {}
    known = (settings.sponsors or {}).get(draft.sponsor, {})
    seller = _party(practice, practice.get("name") or "",
                    ("kvk", "vat_id", "iban", "bic", "email", "phone", "website"))
    buyer = _party(known, draft.sponsor, ("kvk", "oin", "vat_id", "email", "contact"))
    kind = practice.get("vat") or "21"
    days = practice.get("payment_days")
    days = 30 if days is None else days
    net, vat, total = totals(draft.lines, kind)
    return {"number": number, "type": "invoice", "date": today.isoformat(),
            "due": (today + dt.timedelta(days=days)).isoformat(),
            "period": {"from": period[0].isoformat(), "to": period[1].isoformat()},
            "language": language, "currency": "EUR", "sponsor": draft.sponsor,
            "order": draft.order, "reference": known.get("reference") or known.get("contact"),
            "seller": seller, "buyer": buyer,
            "vat": {"kind": kind, "rate": "21" if kind == "21" else "0",
                    "text": None if kind == "21" else practice.get("vat_exemption_text")},
            "payment_days": days, "lines": draft.lines,
            "net": str(net), "vat_amount": str(vat), "total": str(total)}


def credit(original: dict, number: str, today: dt.date) -> dict:
    """A credit note for the whole of an invoice, quoting it; the parties as on the
    original."""
    days = original.get("payment_days", 30)
    note = {key: value for key, value in original.items()}
    note.update({"number": number, "type": "credit", "date": today.isoformat(),
                 "due": (today + dt.timedelta(days=days)).isoformat(),
                 "credits": original["number"]})
    return note


def totals(lines: list[dict], vat_kind: str) -> tuple[Decimal, Decimal, Decimal]:
    """(net, VAT, total) as EN 16931 computes them."""
    net = sum((money(line["amount"]) for line in lines), Decimal("0.00"))
    vat = money(net * VAT_RATE / 100) if vat_kind == "21" else Decimal("0.00")
    return net, vat, net + vat


def due_rows(vault: Vault, entries: list[dict], today: dt.date,
             problems: list[Problem]) -> list[tuple[str, dt.date, str]]:
    """Each (sponsor, first day of the next month, month) with held billable conversations of
    an ended month that no invoice holds (SPEC §10's `invoice` item). Only once the coach
    invoices with coachnotes (a register exists), from the month of its first period."""
    if not (vault.root / REGISTER).exists() or not entries:
        return []
    first = min(str(e.get("period", {}).get("from") or e.get("date")) for e in entries)
    start = dt.date.fromisoformat(first[:10]).replace(day=1)
    end = today.replace(day=1) - dt.timedelta(days=1)
    if end < start:
        return []
    held = Invoiced(entries)
    months: dict[tuple[str, dt.date], None] = {}
    for row in hours(vault, start, end, today, problems).rows:
        if row.sponsor and not held.number(row.path, row.date, row.kind, row.name):
            months[(row.sponsor, row.date.replace(day=1))] = None
    found = []
    for sponsor, month in months:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        found.append((sponsor, following, f"{month:%Y-%m}"))
    return sorted(found, key=lambda r: (r[1], r[0].casefold()))


KEEP_YEARS = 7  # the fiscal duty to keep invoices (AWR art. 52), from the end of their year


class Kept(NamedTuple):
    """An invoice past the years the law keeps it (SPEC §13): its coachees' names may go."""

    number: str
    date: str
    sponsor: str
    until: dt.date  # the first day it need no longer be kept

    def as_dict(self) -> dict:
        return {"number": self.number, "date": self.date, "sponsor": self.sponsor,
                "until": self.until.isoformat()}


def past_keeping(entries: list[dict], today: dt.date) -> list[Kept]:
    found = []
    for entry in entries:
        try:
            year = dt.date.fromisoformat(str(entry.get("date"))[:10]).year
        except ValueError:
            continue
        until = dt.date(year + KEEP_YEARS + 1, 1, 1)
        if today >= until:
            found.append(Kept(entry["number"], str(entry.get("date")),
                              str(entry.get("sponsor") or ""), until))
    return found
