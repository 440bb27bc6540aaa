"""Every word printed on the PDF, and the payment terms every format writes (BT-20), in the
six languages a billing profile can prefer."""

from __future__ import annotations

LANGUAGES = ("en", "nl", "de", "fr", "es", "it")
DEFAULT_LANGUAGE = "en"

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "invoice": "Invoice", "credit_note": "Credit note", "number": "Number",
        "issue_date": "Issue date", "due_date": "Due date", "period": "Service period",
        "original_invoice": "Credits invoice", "your_reference": "Your reference",
        "leitweg_id": "Leitweg-ID", "bill_to": "Bill to", "vat_id": "VAT ID", "tax_id": "Tax ID",
        "registration": "Company reg. no.", "description": "Description", "quantity": "Qty",
        "unit_price": "Unit price", "per": "per", "vat_rate": "VAT", "amount": "Amount",
        "subtotal": "Subtotal (excl. VAT)", "vat": "VAT", "total": "Total",
        "vat_breakdown": "VAT breakdown", "category": "Category", "taxable": "Taxable amount",
        "tax": "VAT amount", "payment": "Payment",
        "pay_by": "Please transfer {amount} by {date}, quoting {number}.",
        "pay_agreed": (
            "{amount} is due by {date} and is settled with the payment method agreed with you "
            "(reference {number}); no transfer is needed."
        ),
        "terms": "Payment within {days} days, due {date}", "terms_on_receipt": "Due on receipt",
        "terms_credit": "Credit for invoice {number}: refunded or set off",
        "refund": (
            "The credited amount of {amount} will be refunded or set off against open invoices."
        ),
        "account_holder": "Account holder", "iban": "IBAN", "bic": "BIC", "bank": "Bank",
        "page": "Page {page} of {pages}", "email": "E-mail", "phone": "Phone",
        "cat_S_reduced": "Reduced rate", "original_invoice_date": "Invoice date",
        "cat_S": "Standard rate", "cat_Z": "Zero rate", "cat_AE": "Reverse charge",
        "cat_G": "Export", "cat_E": "Exempt", "cat_O": "Not subject to VAT",
        "note_intra_eu_b2b": (
            "Reverse charge: VAT is due by the recipient (Art. 196 EU VAT Directive)."
        ),
        "note_export": "Export outside the EU: VAT not applicable.",
        "note_exempt": "Exempt from VAT: exemption certificate on file.",
        "note_seller_outside_eu": (
            "Not subject to EU VAT: the supplier is established outside the EU."
        ),
    },
    "nl": {
        "invoice": "Factuur", "credit_note": "Creditnota", "number": "Nummer",
        "issue_date": "Factuurdatum", "due_date": "Vervaldatum", "period": "Leveringsperiode",
        "original_invoice": "Crediteert factuur", "your_reference": "Uw referentie",
        "leitweg_id": "Leitweg-ID", "bill_to": "Factuuradres", "vat_id": "Btw-nummer",
        "tax_id": "Fiscaal nummer",
        "registration": "KvK-nummer", "description": "Omschrijving", "quantity": "Aantal",
        "unit_price": "Prijs", "per": "per", "vat_rate": "Btw", "amount": "Bedrag",
        "subtotal": "Subtotaal (excl. btw)", "vat": "Btw", "total": "Totaal",
        "vat_breakdown": "Btw-specificatie", "category": "Categorie", "taxable": "Grondslag",
        "tax": "Btw-bedrag", "payment": "Betaling",
        "pay_by": "Gelieve {amount} vóór {date} over te maken o.v.v. {number}.",
        "pay_agreed": (
            "{amount} is verschuldigd op {date} en wordt voldaan met de met u afgesproken "
            "betaalmethode (kenmerk {number}); u hoeft niets over te maken."
        ),
        "terms": "Betaling binnen {days} dagen, uiterlijk {date}",
        "terms_on_receipt": "Te voldoen bij ontvangst",
        "terms_credit": "Creditering van factuur {number}: terugbetaald of verrekend",
        "refund": (
            "Het gecrediteerde bedrag van {amount} wordt terugbetaald of verrekend met openstaande "
            "facturen."
        ),
        "account_holder": "Rekeninghouder", "iban": "IBAN", "bic": "BIC", "bank": "Bank",
        "page": "Pagina {page} van {pages}", "email": "E-mail", "phone": "Telefoon",
        "cat_S_reduced": "Verlaagd tarief",
        "original_invoice_date": "Datum factuur",
        "cat_S": "Standaardtarief", "cat_Z": "Nultarief", "cat_AE": "Btw verlegd",
        "cat_G": "Export", "cat_E": "Vrijgesteld", "cat_O": "Niet belast",
        "note_intra_eu_b2b": (
            "Btw verlegd: de btw is verschuldigd door de afnemer (art. 196 Btw-richtlijn)."
        ),
        "note_export": "Export buiten de EU: geen btw van toepassing.",
        "note_exempt": "Vrijgesteld van btw: vrijstellingsbewijs aanwezig.",
        "note_seller_outside_eu": (
            "Niet belast met EU-btw: de leverancier is buiten de EU gevestigd."
        ),
    },
    "de": {
        # Not "Gutschrift": in German VAT law that is a self-billed invoice (§ 14 (2) UStG).
        "invoice": "Rechnung", "credit_note": "Rechnungskorrektur", "number": "Nummer",
        "issue_date": "Rechnungsdatum", "due_date": "Fällig am", "period": "Leistungszeitraum",
        "original_invoice": "Korrigierte Rechnung", "your_reference": "Ihre Referenz",
        "leitweg_id": "Leitweg-ID", "bill_to": "Rechnungsempfänger", "vat_id": "USt-IdNr.",
        "tax_id": "Steuernummer",
        "registration": "Handelsregister", "description": "Beschreibung", "quantity": "Menge",
        "unit_price": "Einzelpreis", "per": "pro", "vat_rate": "USt.", "amount": "Betrag",
        "subtotal": "Zwischensumme (netto)", "vat": "Umsatzsteuer", "total": "Gesamtbetrag",
        "vat_breakdown": "Aufschlüsselung der Umsatzsteuer", "category": "Kategorie",
        "taxable": "Bemessungsgrundlage", "tax": "Steuerbetrag", "payment": "Zahlung",
        "pay_by": "Bitte überweisen Sie {amount} bis zum {date} unter Angabe von {number}.",
        "pay_agreed": (
            "{amount} ist am {date} fällig und wird über die mit Ihnen vereinbarte Zahlungsart "
            "beglichen (Referenz {number}); eine Überweisung ist nicht nötig."
        ),
        "terms": "Zahlbar innerhalb von {days} Tagen, fällig am {date}",
        "terms_on_receipt": "Zahlbar sofort nach Erhalt",
        "terms_credit": "Korrektur der Rechnung {number}: wird erstattet oder verrechnet",
        "refund": (
            "Der Korrekturbetrag von {amount} wird erstattet oder mit offenen Rechnungen "
            "verrechnet."
        ),
        "account_holder": "Kontoinhaber", "iban": "IBAN", "bic": "BIC", "bank": "Bank",
        "page": "Seite {page} von {pages}", "email": "E-Mail", "phone": "Telefon",
        "cat_S_reduced": "Ermäßigter Satz",
        "original_invoice_date": "Datum der Rechnung",
        "cat_S": "Normalsatz", "cat_Z": "Nullsatz",
        "cat_AE": "Steuerschuldnerschaft des Leistungsempfängers", "cat_G": "Ausfuhr",
        "cat_E": "Steuerbefreit", "cat_O": "Nicht steuerbar",
        "note_intra_eu_b2b": (
            "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge, Art. 196 MwSt-"
            "Systemrichtlinie)."
        ),
        "note_export": "Steuerfreie Ausfuhr in ein Land außerhalb der EU.",
        "note_exempt": "Steuerbefreit: Freistellungsbescheinigung liegt vor.",
        "note_seller_outside_eu": (
            "Nicht steuerbar in der EU: der Leistende ist außerhalb der EU ansässig."
        ),
    },
    "fr": {
        "invoice": "Facture", "credit_note": "Avoir", "number": "Numéro",
        "issue_date": "Date d'émission", "due_date": "Date d'échéance",
        "period": "Période de prestation", "original_invoice": "Avoir sur la facture",
        "your_reference": "Votre référence", "leitweg_id": "Leitweg-ID", "bill_to": "Facturé à",
        "vat_id": "N° TVA",
        "tax_id": "Identifiant fiscal", "registration": "N° d'immatriculation",
        "description": "Désignation",
        "quantity": "Qté", "unit_price": "Prix unitaire", "per": "pour", "vat_rate": "TVA",
        "amount": "Montant",
        "subtotal": "Sous-total (HT)", "vat": "TVA", "total": "Total TTC",
        "vat_breakdown": "Détail de la TVA", "category": "Catégorie", "taxable": "Base HT",
        "tax": "Montant TVA", "payment": "Paiement",
        "pay_by": "Merci de virer {amount} avant le {date} en indiquant {number}.",
        "pay_agreed": (
            "{amount} est dû le {date} et sera réglé par le moyen de paiement convenu avec vous "
            "(référence {number}) ; aucun virement n'est nécessaire."
        ),
        "terms": "Paiement à {days} jours, échéance le {date}",
        "terms_on_receipt": "Payable à réception",
        "terms_credit": "Avoir sur la facture {number} : remboursé ou imputé",
        "refund": (
            "Le montant crédité de {amount} sera remboursé ou imputé sur les factures ouvertes."
        ),
        "account_holder": "Titulaire du compte", "iban": "IBAN", "bic": "BIC", "bank": "Banque",
        "page": "Page {page} sur {pages}", "email": "E-mail", "phone": "Téléphone",
        "cat_S_reduced": "Taux réduit",
        "original_invoice_date": "Date de la facture",
        "cat_S": "Taux normal", "cat_Z": "Taux zéro", "cat_AE": "Autoliquidation",
        "cat_G": "Exportation", "cat_E": "Exonéré", "cat_O": "Hors champ de la TVA",
        "note_intra_eu_b2b": (
            "Autoliquidation : TVA due par le preneur (art. 196 de la directive TVA)."
        ),
        "note_export": "Exportation hors UE : TVA non applicable.",
        "note_exempt": "Exonéré de TVA : attestation d'exonération au dossier.",
        "note_seller_outside_eu": (
            "Hors champ de la TVA UE : le prestataire est établi hors de l'UE."
        ),
    },
    "es": {
        "invoice": "Factura", "credit_note": "Factura rectificativa", "number": "Número",
        "issue_date": "Fecha de emisión", "due_date": "Fecha de vencimiento",
        "period": "Periodo de servicio", "original_invoice": "Rectifica la factura",
        "your_reference": "Su referencia", "leitweg_id": "Leitweg-ID", "bill_to": "Facturar a",
        "vat_id": "NIF-IVA",
        "tax_id": "Identificación fiscal", "registration": "N.º de registro",
        "description": "Descripción",
        "quantity": "Cant.", "unit_price": "Precio unitario", "per": "por", "vat_rate": "IVA",
        "amount": "Importe", "subtotal": "Subtotal (sin IVA)", "vat": "IVA", "total": "Total",
        "vat_breakdown": "Desglose del IVA", "category": "Categoría", "taxable": "Base imponible",
        "tax": "Cuota de IVA", "payment": "Pago",
        "pay_by": "Transfiera {amount} antes del {date} indicando {number}.",
        "pay_agreed": (
            "{amount} vence el {date} y se liquida con el método de pago acordado con usted "
            "(referencia {number}); no es necesaria ninguna transferencia."
        ),
        "terms": "Pago a {days} días, vencimiento el {date}",
        "terms_on_receipt": "Pago a la recepción",
        "terms_credit": "Abono de la factura {number}: se reembolsa o se compensa",
        "refund": (
            "El importe abonado de {amount} se reembolsará o compensará con facturas pendientes."
        ),
        "account_holder": "Titular de la cuenta", "iban": "IBAN", "bic": "BIC", "bank": "Banco",
        "page": "Página {page} de {pages}", "email": "Correo electrónico", "phone": "Teléfono",
        "cat_S_reduced": "Tipo reducido",
        "original_invoice_date": "Fecha de la factura",
        "cat_S": "Tipo general", "cat_Z": "Tipo cero", "cat_AE": "Inversión del sujeto pasivo",
        "cat_G": "Exportación", "cat_E": "Exento", "cat_O": "No sujeto a IVA",
        "note_intra_eu_b2b": (
            "Inversión del sujeto pasivo: el IVA lo declara el destinatario"
            " (art. 196 Directiva del IVA)."
        ),
        "note_export": "Exportación fuera de la UE: IVA no aplicable.",
        "note_exempt": "Exento de IVA: certificado de exención archivado.",
        "note_seller_outside_eu": (
            "No sujeto al IVA de la UE: el proveedor está establecido fuera de la UE."
        ),
    },
    "it": {
        "invoice": "Fattura", "credit_note": "Nota di credito", "number": "Numero",
        "issue_date": "Data di emissione", "due_date": "Data di scadenza",
        "period": "Periodo di servizio", "original_invoice": "Storna la fattura",
        "your_reference": "Vostro riferimento", "leitweg_id": "Leitweg-ID",
        "bill_to": "Intestatario", "vat_id": "Partita IVA",
        "tax_id": "Identificativo fiscale", "registration": "N. di registro",
        "description": "Descrizione", "quantity": "Qtà", "unit_price": "Prezzo unitario",
        "per": "per",
        "vat_rate": "IVA", "amount": "Importo", "subtotal": "Imponibile", "vat": "IVA",
        "total": "Totale", "vat_breakdown": "Riepilogo IVA", "category": "Categoria",
        "taxable": "Imponibile", "tax": "Imposta", "payment": "Pagamento",
        "pay_by": "Si prega di versare {amount} entro il {date} indicando {number}.",
        "pay_agreed": (
            "{amount} è dovuto entro il {date} e viene saldato con il metodo di pagamento "
            "concordato con voi (riferimento {number}); non è necessario alcun bonifico."
        ),
        "terms": "Pagamento a {days} giorni, scadenza il {date}",
        "terms_on_receipt": "Pagamento al ricevimento",
        "terms_credit": "Storno della fattura {number}: rimborsato o compensato",
        "refund": (
            "L'importo accreditato di {amount} sarà rimborsato o compensato con fatture aperte."
        ),
        "account_holder": "Intestatario del conto", "iban": "IBAN", "bic": "BIC", "bank": "Banca",
        "page": "Pagina {page} di {pages}", "email": "E-mail", "phone": "Telefono",
        "cat_S_reduced": "Aliquota ridotta",
        "original_invoice_date": "Data della fattura",
        "cat_S": "Aliquota ordinaria", "cat_Z": "Aliquota zero", "cat_AE": "Inversione contabile",
        "cat_G": "Esportazione", "cat_E": "Esente", "cat_O": "Fuori campo IVA",
        "note_intra_eu_b2b": (
            "Inversione contabile: IVA dovuta dal committente (art. 196 direttiva IVA)."
        ),
        "note_export": "Esportazione fuori dall'UE: IVA non applicabile.",
        "note_exempt": "Esente IVA: certificato di esenzione agli atti.",
        "note_seller_outside_eu": "Fuori campo IVA UE: il fornitore è stabilito fuori dall'UE.",
    },
}

# What a credit note says where an invoice's words would speak of an invoice or ask for money.
CREDIT_NOTE_LABELS: dict[str, dict[str, str]] = {
    "en": {"bill_to": "Credit to", "payment": "Settlement"},
    "nl": {"issue_date": "Datum creditnota", "bill_to": "Klant", "payment": "Verrekening"},
    "de": {"issue_date": "Ausstellungsdatum", "bill_to": "Empfänger", "payment": "Ausgleich"},
    "fr": {"issue_date": "Date de l'avoir", "bill_to": "Client", "payment": "Règlement"},
    "es": {"bill_to": "Cliente", "payment": "Liquidación"},
    "it": {"payment": "Regolamento"},
}
_CREDIT_NOTE_TABLES = {language: {**LABELS[language], **CREDIT_NOTE_LABELS[language]}
                       for language in LANGUAGES}


def labels_for(language: str | None, credit_note: bool = False) -> dict[str, str]:
    """The label table of ``language`` (English for anything not supported), with a credit
    note's own words when ``credit_note``."""
    key = (language or "").lower()
    key = key if key in LABELS else DEFAULT_LANGUAGE
    return _CREDIT_NOTE_TABLES[key] if credit_note else LABELS[key]


def language_of(buyer: dict) -> str:
    language = (buyer.get("preferred_language") or "").lower()
    return language if language in LABELS else DEFAULT_LANGUAGE
