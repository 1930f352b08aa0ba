"""The e-invoice (SPEC §20): UBL 2.1 Invoice or CreditNote as SI-UBL 2.0 (NLCIUS) wants it,
written with lxml from one register entry alone — the same entry gives the same bytes.

Element order follows the UBL 2.1 schema; what the rules call "not recommended" for a Dutch
supplier is left out (a BIC with SEPA payment, BR-NL-31; an exemption code, BR-NL-35: the
exemption is its reason text). The official SI-UBL 2.0 rules run over every invoice the
suite makes (tests/rules/).
"""

from __future__ import annotations

from lxml import etree

from coachnotes.i18n.texts import text

CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
ROOTS = {"invoice": ("Invoice", "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"),
         "credit": ("CreditNote", "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2")}
SEPA_TRANSFER = "58"


class _Writer:
    def __init__(self, root: etree._Element) -> None:
        self.root = root

    def cbc(self, parent, name: str, value, **attrs) -> None:
        if value is None or value == "":
            return
        element = etree.SubElement(parent, f"{{{CBC}}}{name}", **attrs)
        element.text = str(value)

    def cac(self, parent, name: str):
        return etree.SubElement(parent, f"{{{CAC}}}{name}")


def to_ubl(entry: dict) -> bytes:
    """The UBL document of a register entry."""
    kind = entry.get("type", "invoice")
    tag, namespace = ROOTS[kind]
    root = etree.Element(f"{{{namespace}}}{tag}", nsmap={None: namespace, "cac": CAC,
                                                         "cbc": CBC})
    w = _Writer(root)
    w.cbc(root, "CustomizationID", CUSTOMIZATION)
    w.cbc(root, "ID", entry["number"])
    w.cbc(root, "IssueDate", entry["date"])
    if kind == "invoice":
        w.cbc(root, "DueDate", entry["due"])
        w.cbc(root, "InvoiceTypeCode", "380")
    else:
        w.cbc(root, "CreditNoteTypeCode", "381")
    w.cbc(root, "DocumentCurrencyCode", entry.get("currency", "EUR"))
    w.cbc(root, "BuyerReference", entry.get("reference") or entry.get("order"))
    period = w.cac(root, "InvoicePeriod")
    w.cbc(period, "StartDate", entry["period"]["from"])
    w.cbc(period, "EndDate", entry["period"]["to"])
    if entry.get("order"):
        w.cbc(w.cac(root, "OrderReference"), "ID", entry["order"])
    if kind == "credit":
        reference = w.cac(w.cac(root, "BillingReference"), "InvoiceDocumentReference")
        w.cbc(reference, "ID", entry["credits"])
    _party(w, w.cac(root, "AccountingSupplierParty"), entry["seller"], seller=True)
    _party(w, w.cac(root, "AccountingCustomerParty"), entry["buyer"], seller=False)
    _payment(w, root, entry, kind)
    _totals(w, root, entry)
    for n, line in enumerate(entry["lines"], 1):
        _line(w, root, entry, n, line, kind)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _party(w: _Writer, holder, party: dict, seller: bool) -> None:
    node = w.cac(holder, "Party")
    legal = ("0190", party["oin"]) if party.get("oin") else \
        ("0106", party["kvk"]) if party.get("kvk") else (None, None)
    if legal[1]:
        w.cbc(node, "EndpointID", legal[1], schemeID=legal[0])
    w.cbc(w.cac(node, "PartyName"), "Name", party["name"])
    address = w.cac(node, "PostalAddress")
    w.cbc(address, "StreetName", party.get("address"))
    w.cbc(address, "CityName", party.get("city"))
    w.cbc(address, "PostalZone", party.get("postcode"))
    w.cbc(w.cac(address, "Country"), "IdentificationCode", party.get("country") or "NL")
    if party.get("vat_id"):
        scheme = w.cac(node, "PartyTaxScheme")
        w.cbc(scheme, "CompanyID", party["vat_id"])
        w.cbc(w.cac(scheme, "TaxScheme"), "ID", "VAT")
    entity = w.cac(node, "PartyLegalEntity")
    w.cbc(entity, "RegistrationName", party["name"])
    if legal[1]:
        w.cbc(entity, "CompanyID", legal[1], schemeID=legal[0])
    contact_name = None if seller else party.get("contact")
    if contact_name or party.get("email") or party.get("phone"):
        contact = w.cac(node, "Contact")
        w.cbc(contact, "Name", contact_name)
        w.cbc(contact, "Telephone", party.get("phone"))
        w.cbc(contact, "ElectronicMail", party.get("email"))


def _payment(w: _Writer, root, entry: dict, kind: str) -> None:
    means = w.cac(root, "PaymentMeans")
    w.cbc(means, "PaymentMeansCode", SEPA_TRANSFER)
    if kind == "credit":
        w.cbc(means, "PaymentDueDate", entry["due"])
    w.cbc(means, "PaymentID", entry["number"])
    w.cbc(w.cac(means, "PayeeFinancialAccount"), "ID",
          (entry["seller"].get("iban") or "").replace(" ", ""))
    terms = w.cac(root, "PaymentTerms")
    w.cbc(terms, "Note", text(entry.get("language", "nl"), "invoice.terms",
                              days=entry.get("payment_days", 30), number=entry["number"]))


def _category(w: _Writer, parent, name: str, vat: dict, reason: bool) -> None:
    category = w.cac(parent, name)
    w.cbc(category, "ID", "S" if vat["kind"] == "21" else "E")
    w.cbc(category, "Percent", vat["rate"])
    if reason and vat["kind"] != "21":
        w.cbc(category, "TaxExemptionReason", vat.get("text"))
    w.cbc(w.cac(category, "TaxScheme"), "ID", "VAT")


def _totals(w: _Writer, root, entry: dict) -> None:
    euro = {"currencyID": entry.get("currency", "EUR")}
    tax = w.cac(root, "TaxTotal")
    w.cbc(tax, "TaxAmount", entry["vat_amount"], **euro)
    subtotal = w.cac(tax, "TaxSubtotal")
    w.cbc(subtotal, "TaxableAmount", entry["net"], **euro)
    w.cbc(subtotal, "TaxAmount", entry["vat_amount"], **euro)
    _category(w, subtotal, "TaxCategory", entry["vat"], reason=True)
    total = w.cac(root, "LegalMonetaryTotal")
    w.cbc(total, "LineExtensionAmount", entry["net"], **euro)
    w.cbc(total, "TaxExclusiveAmount", entry["net"], **euro)
    w.cbc(total, "TaxInclusiveAmount", entry["total"], **euro)
    w.cbc(total, "PayableAmount", entry["total"], **euro)


def _line(w: _Writer, root, entry: dict, n: int, line: dict, kind: str) -> None:
    euro = {"currencyID": entry.get("currency", "EUR")}
    node = w.cac(root, "InvoiceLine" if kind == "invoice" else "CreditNoteLine")
    w.cbc(node, "ID", n)
    w.cbc(node, "InvoicedQuantity" if kind == "invoice" else "CreditedQuantity",
          line["quantity"], unitCode=line["unit"])
    w.cbc(node, "LineExtensionAmount", line["amount"], **euro)
    if line.get("date"):
        period = w.cac(node, "InvoicePeriod")
        w.cbc(period, "StartDate", line["date"])
        w.cbc(period, "EndDate", line["date"])
    item = w.cac(node, "Item")
    w.cbc(item, "Description", f"{line['date'] or ''} {line['name']}".strip())
    w.cbc(item, "Name", line["text"])
    _category(w, item, "ClassifiedTaxCategory", entry["vat"], reason=False)
    w.cbc(w.cac(node, "Price"), "PriceAmount", line["rate"], **euro)
