"""Thin HTTP handlers, one per operationId of the billing document, and their representations."""

from mockserver.api import invoices, overview, payments, profile

HANDLERS = {
    "getBillingProfile": profile.get_billing_profile,
    "upsertBillingProfile": profile.upsert_billing_profile,
    "listInvoices": invoices.list_invoices,
    "getInvoice": invoices.get_invoice,
    "downloadInvoiceEinvoice": invoices.download_invoice_einvoice,
    "downloadInvoicePdf": invoices.download_invoice_pdf,
    "sendInvoiceEmail": invoices.send_invoice_email,
    "getBillingOverview": overview.get_billing_overview,
    "getUpcomingInvoice": overview.get_upcoming_invoice,
    "listPaymentMethods": payments.list_payment_methods,
    "addPaymentMethod": payments.add_payment_method,
    "deletePaymentMethod": payments.delete_payment_method,
    "setDefaultPaymentMethod": payments.set_default_payment_method,
    "listPaymentProviders": payments.list_payment_providers,
    "getProviderConfig": payments.get_provider_config,
    "setupProviderPaymentMethod": payments.setup_provider_payment_method,
    "confirmProviderPaymentMethod": payments.confirm_provider_payment_method,
}

# The operations whose handlers only read or change the in-memory world, briefly, under its
# lock: these run on the event loop itself (see mockserver.edge.scheduling). Every other operation (the
# ones that render documents or send mail, and any operation added later until it is listed
# here on purpose) runs on the bridge's thread pool, where it cannot hold up other requests.
RUNS_ON_EVENT_LOOP = frozenset({
    "getBillingProfile", "upsertBillingProfile", "listInvoices", "getInvoice",
    "getBillingOverview", "getUpcomingInvoice", "listPaymentMethods", "addPaymentMethod",
    "deletePaymentMethod", "setDefaultPaymentMethod", "listPaymentProviders",
    "getProviderConfig", "setupProviderPaymentMethod", "confirmProviderPaymentMethod",
})
