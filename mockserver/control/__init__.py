"""The mock's own surface under ``/_mock/``: hosted provider pages, health, and later the
clock, scenarios, journal and outbox. Described by openapi/control.yaml, never by billing.yaml."""
