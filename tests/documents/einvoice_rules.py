"""The official rule runner (production code in mockserver.contract.einvoice) and the sha256
pins of every rule file the tests rely on."""

from __future__ import annotations

from mockserver.contract.einvoice import (  # noqa: F401 (re-exported for the tests)
    CHAINS,
    CII_SCHEMAS,
    RULE_FILES,
    STYLESHEETS,
    Finding,
    Schematron,
    failing,
    problems,
    sha256_of,
    xsd_errors,
)

# sha256 of every rule file the tests rely on; a mismatch means the rules changed under us.
RULE_SHA256 = {
    "cen-ubl": "186501ee6048182b36e4bed78583efa828814184bad89843899df44522f6dc59",
    "peppol-ubl": "434853acb03d90d261b546a66ace6b006bb92e56cc85f100f0479375207bc819",
    "kosit-cen-ubl": "759f2d2e830c7fd1d5a6e8b4f61e5dbafc7a7805862c4ae1c749eeac6adde698",
    "kosit-xrechnung-ubl": "e32d831668facbbd5136cc0119bf1dd6f92ac20738aa3b3f021586f5a305c738",
    "kosit-cen-cii": "0911e927f13f9ae2cdc7f973643f27bf0ad3c5da02483c04a5b8a47eb4822199",
    "facturx-en16931": "979f7e0210c727f1049ff55a93498531ba83a8ed2207d0d5247cd2d80c9c3d1a",
    "facturx-en16931-codedb": "70339a41d71b02bb97683f8eea04acbd764e077a88a446b32860d89c3351b62f",
    "ubl-invoice-xsd": "936eedc8e9abdff73d2c08e69e04e760fd053b3332f739b8700eb48d14ac92fc",
    "ubl-credit-note-xsd": "e5f978727305365745fcca7a6d1da460e6eb70ef9f6e5425df05f6f94d9666db",
    "cii-en16931-xsd": "977654a4e0442885a3d622ca198cff414f467eebc93098654b98127f2349f066",
    "cii-d22b-xsd": "7be4b747f29e12634d269e5b456e1d58d7aece2817e23a2ea656bbf78afed80f",
}

