"""The billing document as the API publishes it (``/openapi.json``) and the docs redirect."""

from __future__ import annotations

from flask import Flask, jsonify, redirect
from flask.json.provider import DefaultJSONProvider

from mockserver.edge.envelope import json_default
from mockserver.published import published_document
from mockserver.spec import API_BASE


class BillingJSONProvider(DefaultJSONProvider):
    """Flask's own JSON (the document) with the API's conventions."""

    sort_keys = False
    ensure_ascii = False
    compact = True
    default = staticmethod(json_default)


def register(flask_app: Flask) -> None:
    flask_app.json = BillingJSONProvider(flask_app)
    document = published_document()

    @flask_app.get("/openapi.json")
    def openapi_document():
        """The published layer, as the real (FastAPI) backend publishes it."""
        return jsonify(document)

    @flask_app.get("/docs")
    def docs():
        return redirect(f"{API_BASE}/ui/", code=307)
