"""Contract checks for any implementation of the Billing API (``billing-mock contract``).

Schemathesis generates positive and negative requests and stateful sequences from
openapi/billing.yaml and runs its own checks plus the billing checks registered in
``checks``; ``probes`` then asks questions no single response answers (pagination across
pages, tenant isolation with a second token, illegal transitions, the one-default rule,
e-invoices under the official rules). Nothing here looks inside the mock.
"""
