"""The official SI-UBL 2.0 validation rules (the Dutch Peppol authority's Schematron, compiled
to XSLT: github.com/peppolautoriteit-nl/validation, `xsl/si-ubl-2.0.xsl`, commit 7a75d1b of
2025-11-27, MIT; the EN 16931 rules inside it under the Apache licence, LICENSE-CEN.txt), run
with saxonche. `failures()` gives every failed assert as (id, flag, text)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

RULES = Path(__file__).parent / "si-ubl-2.0" / "si-ubl-2.0.xsl"
SVRL = "http://purl.oclc.org/dsdl/svrl"


class Validator:
    """The compiled rules, kept for a session (compiling takes about 2 s)."""

    def __init__(self) -> None:
        from saxonche import PySaxonProcessor

        self.processor = PySaxonProcessor(license=False)
        self.xslt = self.processor.new_xslt30_processor()
        self.executable = self.xslt.compile_stylesheet(stylesheet_file=str(RULES))

    def failures(self, document: bytes) -> list[tuple[str, str, str]]:
        node = self.processor.parse_xml(xml_text=document.decode("utf-8"))
        report = self.executable.transform_to_string(xdm_node=node)
        tree = etree.fromstring(report.encode("utf-8"))
        found = []
        for failed in tree.iter(f"{{{SVRL}}}failed-assert"):
            said = failed.find(f"{{{SVRL}}}text")
            found.append((failed.get("id") or "", failed.get("flag") or "",
                          (said.text or "").strip() if said is not None else ""))
        return found

    def errors(self, document: bytes) -> list[tuple[str, str, str]]:
        """The failures that reject an invoice: flag `fatal` or `error`."""
        return [f for f in self.failures(document) if f[1] in ("fatal", "error")]
