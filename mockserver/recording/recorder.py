"""A recorded session (HAR entries or proxied exchanges) becomes the steps of a scenario: one
step per Billing API call, expectations from the answers, captures where a later step sends a
value back, and hosted-page steps for the provider pages.

Feed exchanges in the order they happened with :meth:`Recorder.add`; ``finished.finish`` makes
the scenario (with the tenants' starting state) of what it took.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from mockserver.recording import instruments
from mockserver.recording.answers import candidates, expectations, variable_name
from mockserver.recording.exchanges import Exchange
from mockserver.recording.redact import Redactor
from mockserver.recording.schema import data_fields, needs_token
from mockserver.recording.sessions import Outcome, Session, inferred_choice, page_of
from mockserver.recording.tenants import Tenants
from mockserver.scenarios.paths import operation_of, template_of
from mockserver.scenarios.volatile import dotted, volatile_key, volatile_value
from mockserver.spec import Operation

MAX_STEPS = 500  # what scenario.schema.json allows
MAX_KEPT_BYTES = 50_000_000  # answers kept until the end, for the starting state
KEPT_HEADERS = ("prefer",)  # request headers that change an answer; every other one is dropped
INSTRUMENT_KEYS = ("payment_method", "iban")  # replaced by test values (instruments.py)
SANITIZED = "(no Authorization header)"  # stands for the token a sanitized HAR left out


@dataclass
class ApiCall:
    exchange: Exchange
    operation: Operation
    path: str  # relative to the API root, as recorded
    tenant: str | None  # the tenant's key
    index: int  # of its step
    body_recorded: bool  # the recording has the answer's body


class Recorder:
    """``name`` is the scenario's; ``source`` says where the recording came from."""

    def __init__(self, name: str, source: str) -> None:
        self.name, self.source = name, source
        self.redactor = Redactor()
        self.tenants = Tenants(name)
        self.steps: list[dict] = []
        self.calls: list[ApiCall] = []
        self.sessions: list[Session] = []
        self.dropped: Counter = Counter()
        self.warnings: list[str] = []
        self.hosted_steps = 0
        self._candidates: dict[str, tuple[int, tuple, str]] = {}  # value -> step, path, noun
        self._captured: dict[tuple[int, tuple], str] = {}  # (step, path) -> variable
        self._names: set[str] = set()
        self.first_started = None
        self._kept_bytes, self._over_budget = 0, False
        self._sanitized_seen = False

    # -- classifying -----------------------------------------------------------------------

    def add(self, exchange: Exchange) -> str:
        """Take one exchange; answers what became of it (for a proxy's log)."""
        self.redactor.note_response(exchange.response_headers)
        if exchange.method == "OPTIONS":
            return self._drop("CORS preflights")
        page = page_of(exchange.path)
        if page is not None or exchange.url in self._page_urls():
            return self._hosted_page(exchange, page)
        at = exchange.path.find("/billing/")
        relative = exchange.path[at:] if at >= 0 else ""
        operation = operation_of(exchange.method, relative) if relative else None
        if operation is None:
            if relative and template_of(relative):
                return self._drop("not operations of the API document")
            return self._drop(f"outside the Billing API ({exchange.origin})")
        if len(self.steps) >= MAX_STEPS:
            return self._drop(f"beyond the {MAX_STEPS} steps a scenario holds")
        self.first_started = self.first_started or exchange.started
        self._api_call(exchange, operation, relative)
        return f"step {len(self.steps)}: {self.steps[-1]['name']}"

    def _drop(self, why: str) -> str:
        self.dropped[why] += 1
        return f"dropped ({why})"

    # -- API calls -------------------------------------------------------------------------

    def _api_call(self, exchange: Exchange, operation: Operation, path: str) -> None:
        token = self.redactor.note_request(exchange.request_headers)
        if token is None and exchange.status != 401 and needs_token(operation):
            token = self._sanitized()
        tenant = self.tenants.key_for(token)
        body = exchange.response_json()
        request = self._request(exchange, operation, path, tenant, body)
        expect: dict[str, Any] = {"status": exchange.status}
        found = expectations(body, self._relation, self.redactor.is_secret) if (
            body is not None) else {}
        if found:
            expect["body"] = found
        step = {"name": self._name(operation, path, exchange.status),
                "request": request, "expect": expect}
        recorded = exchange.response_body is not None
        if not recorded and "json" in exchange.response_headers.get("content-type", ""):
            step["name"] += " (answer not in the recording)"
        self.steps.append(step)
        index = len(self.steps) - 1
        self.calls.append(ApiCall(exchange, operation, path, tenant, index, recorded))
        self._keep_within_budget(exchange)
        for value, where in candidates(body):
            self._candidates.setdefault(value, (index, where, _resource(path)))
        if operation.operation_id == "setupProviderPaymentMethod" and exchange.status == 200:
            self._open_session(path, index, body, recorded)

    def _request(self, exchange: Exchange, operation: Operation, path: str,
                 tenant: str | None, body) -> dict[str, Any]:
        """The step's request: values earlier answers gave as ``${var}``, secrets out; for a
        confirm, the hosted-page step its answer shows comes first."""
        request: dict[str, Any] = {"method": exchange.method,
                                   "path": "/".join(self._value(s, "") for s in path.split("/"))}
        if tenant is not None:
            request["token"] = self.tenants.token_of(tenant)
        query = {k: self._value(v, k) for k, v in exchange.query}
        if query:
            request["query"] = query
        sent = exchange.request_json()
        confirm = operation.operation_id == "confirmProviderPaymentMethod"
        if sent is not None:
            walked = self._walk(sent, skip=INSTRUMENT_KEYS if confirm else ())
            request["json"] = self._instruments(sent, walked, exchange.status, body) if (
                confirm) else walked
        headers = {k: self.redactor.scrub(v, k) for k, v in exchange.request_headers.items()
                   if k in KEPT_HEADERS}
        if headers:
            request["headers"] = headers
        if confirm:
            self._before_confirm(path, sent, exchange, body)
        return request

    def _sanitized(self) -> str:
        """The tenant of calls a server took without the Authorization header the HAR lacks
        (Chrome exports HAR "sanitized" by default: no Authorization, no cookies)."""
        if not self._sanitized_seen:
            self._sanitized_seen = True
            self.warnings.append("calls that needed a token have no Authorization header (a "
                                 "sanitized HAR export): they run as one tenant")
        return SANITIZED

    def _keep_within_budget(self, exchange: Exchange) -> None:
        """Answers are kept for the starting state up to ``MAX_KEPT_BYTES`` in all."""
        size = len(exchange.response_body or "") + len(exchange.request_body or "")
        if self._kept_bytes + size > MAX_KEPT_BYTES:
            exchange.response_body = exchange.request_body = None
            if not self._over_budget:
                self._over_budget = True
                self.warnings.append(f"more than {MAX_KEPT_BYTES} bytes of answers: the "
                                     "starting state is rebuilt from the earlier ones only")
        else:
            self._kept_bytes += size

    def _name(self, operation: Operation, path: str, status: int) -> str:
        summary = operation.name.replace("_", " ")
        slug = path.split("/")[3] if path.startswith("/billing/payment-providers/") else ""
        return f"{summary}{' ' + slug if slug else ''} -> {status}"

    def _relation(self, value: str, path: tuple) -> str | None:
        """The variable of an earlier answer's id or URL equal to ``value``, if any."""
        key = path[-1] if path and isinstance(path[-1], str) else ""
        if not (key == "id" or key.endswith(("_id", "_url"))):
            return None
        return self._variable_for(value)

    def _variable_for(self, value: str) -> str | None:
        if value not in self._candidates:
            return None
        index, where, resource = self._candidates[value]
        if (index, where) not in self._captured:
            name = variable_name(where, resource)
            unique, n = name, 1
            while unique in self._names:
                n += 1
                unique = f"{name}_{n}"
            self._names.add(unique)
            self._captured[(index, where)] = unique
            self.steps[index].setdefault("capture", {})[unique] = dotted(where)
        return self._captured[(index, where)]

    def _capture_missing(self, key: str, value: str, operation_ids: tuple[str, ...] = ()
                         ) -> str | None:
        """A value no recorded answer gave: the latest earlier step whose answer the recording
        lacks, and whose answers have ``data.<key>``, gave it."""
        for call in reversed(self.calls):
            if call.body_recorded or call.exchange.status >= 300:
                continue
            if operation_ids and call.operation.operation_id not in operation_ids:
                continue
            if key in data_fields(call.operation):
                self._candidates[value] = (call.index, ("data", key), _resource(call.path))
                return self._variable_for(value)
        return None

    # -- values sent --------------------------------------------------------------------------

    def _value(self, value: str, key: str) -> str:
        variable = self._variable_for(value)
        if variable is None and key and (volatile_key(key) or volatile_value(value)):
            variable = self._capture_missing(key, value)
        if variable is not None:
            return "${" + variable + "}"
        scrubbed = self.redactor.scrub(value, key)
        if scrubbed == value and volatile_value(value) and not value.startswith("http"):
            self.warnings.append(f"step {len(self.steps) + 1} sends {value!r}, which no "
                                 "recorded answer gave: another server will not know it")
        return scrubbed

    def _walk(self, value, key: str = "", skip: tuple[str, ...] = ()):
        if isinstance(value, dict):
            return {k: v if k in skip else self._walk(v, k, skip) for k, v in value.items()}
        if isinstance(value, list):
            return [self._walk(v, key, skip) for v in value]
        return self._value(value, key) if isinstance(value, str) else value

    def _instruments(self, sent, walked, status: int, body):
        """A Stripe confirm's card or IBAN, as the test value with the same outcome."""
        recorded = sent.get("confirmation_data") if isinstance(sent, dict) else None
        if not isinstance(recorded, dict) or not isinstance(walked, dict):
            return walked
        data = dict(walked["confirmation_data"])
        for key, replace, kind in (("payment_method", instruments.card_value, "card numbers"),
                                   ("iban", instruments.iban_value, "IBANs")):
            if isinstance(recorded.get(key), str):
                data[key], secret = replace(recorded[key], status, body)
                if secret:
                    self.redactor.remember(recorded[key], "tokens" if recorded[key].startswith(
                        "pm_") else kind)
        return {**walked, "confirmation_data": data}

    # -- provider sessions and hosted pages ---------------------------------------------------

    def _open_session(self, path: str, index: int, body, recorded: bool) -> None:
        data = (body or {}).get("data") or {}
        session = Session(path.split("/")[3], index, recorded)
        session.ids |= {v for k in ("session_id", "setup_intent_id") if (v := data.get(k))}
        if data.get("redirect_url"):
            session.show(data["redirect_url"])
        self.sessions.append(session)

    def _page_urls(self) -> set[str]:
        return {url for session in self.sessions for url in session.urls}

    def _session(self, provider: str, session_id: str | None, url: str | None = None
                 ) -> Session | None:
        for session in reversed(self.sessions):
            if session_id in session.ids or url in session.urls:
                return session
        # The setup's answer is not in the recording: the provider's latest such session.
        for session in reversed(self.sessions):
            if session.provider == provider and not session.body_recorded:
                if session_id:
                    session.ids.add(session_id)
                return session
        return None

    def _hosted_page(self, exchange: Exchange, page: tuple[str, str] | None) -> str:
        provider, session_id = page or (None, None)
        session = self._session(provider, session_id, exchange.url)
        choice = exchange.form().get("choice") if exchange.method == "POST" else None
        if session is None or not choice:
            return self._drop("hosted page views" if session else "hosted pages of no "
                              "recorded setup")
        self._hosted_step(session, exchange.url, choice, inferred=False)
        return f"step {len(self.steps)}: {self.steps[-1]['name']}"

    def _hosted_step(self, session: Session, url: str | None, choice: str, inferred: bool
                     ) -> None:
        variable = (self._variable_for(url) if url else None) or self._page_variable(session)
        if variable is None:
            self.warnings.append(f"the {session.provider} page of step {session.setup_step + 1}"
                                 " has no recorded URL; its hosted-page step is left out")
            return
        how = " (as the next confirm's answer shows)" if inferred else ""
        self.steps.append({"name": f"the customer chooses {choice!r} on the "
                                   f"{session.provider} page{how}",
                           "hosted_page": {"url": "${" + variable + "}", "choice": choice}})
        self.hosted_steps += 1
        session.chose = True

    def _page_variable(self, session: Session) -> str | None:
        if session.page is not None:
            return self._variable_for(session.page)
        if not session.body_recorded:
            fake = f"page of step {session.setup_step}"
            self._candidates[fake] = (session.setup_step, ("data", "redirect_url"), "page")
            return self._variable_for(fake)
        return None

    def _before_confirm(self, path: str, sent, exchange: Exchange, body) -> None:
        provider = path.split("/")[3]
        data = (sent or {}).get("confirmation_data") or {}
        key = data.get("session_id") or data.get("setup_intent_id")
        session = self._session(provider, key if isinstance(key, str) else None)
        if session is None:
            return
        current = Outcome.of(exchange.status, body)
        if not session.chose:
            choice = inferred_choice(provider, session.last, current)
            if choice is not None:
                self._hosted_step(session, None, choice, inferred=True)
        details = ((body or {}).get("error") or {}).get("details") or {}
        if details.get("next_action_url"):
            session.show(details["next_action_url"])
        session.last, session.chose = current, False


def _resource(path: str) -> str:
    if "/invoices" in path:
        return "invoice"
    if "/payment-methods" in path or path.endswith("/confirm"):
        return "payment_method"
    return "record"

