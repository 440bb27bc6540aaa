"""One server a scenario's steps run against: its API root, the token to use, its own captured
values, and (when it is the mock) its control API for the world, the clock and hosted pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx

VARIABLE = re.compile(r"\$\{([A-Za-z0-9_.-]+)\}")
MISSING = object()
ADMIN_HINT = "the mock's control API needs its admin token: pass --admin-token"
MAX_CLOCK_CALLS = 100  # a clock step that stops at the event bound is carried on at most this often


class StepFailed(Exception):
    """A step did not do what it should; the message says what happened instead."""


class TargetRefused(Exception):
    """The server cannot be used as asked (unreachable, or its control API refuses us)."""


@dataclass
class Answer:
    """What a server answered to one step."""

    status: int
    body: Any  # the JSON answer, or None
    text: str
    content_type: str

    @classmethod
    def of(cls, response: httpx.Response) -> "Answer":
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        body = None
        if content_type.endswith("json"):
            try:
                body = response.json()
            except ValueError:
                pass
        readable = content_type.startswith("text/") or content_type.endswith(("json", "xml"))
        text = response.text if readable else ""
        return cls(response.status_code, body, text, content_type)


@dataclass
class Target:
    """``api_url`` is the API root (``.../api/v1``); ``token`` replaces every step's token."""

    api_url: str
    token: str | None = None
    admin_token: str | None = None
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))
    variables: dict[str, Any] = field(default_factory=dict)
    _mock: bool | None = None

    @property
    def origin(self) -> str:
        return re.sub(r"/api/v1/?$", "", self.api_url.rstrip("/"))

    def is_mock(self) -> bool:
        if self._mock is None:
            try:
                r = self.client.get(f"{self.origin}/_mock/health")
                self._mock = r.status_code == 200 and r.json().get("status") == "ok"
            except (httpx.HTTPError, ValueError, AttributeError):
                self._mock = False
        return self._mock

    def check_reachable(self) -> None:
        try:
            self.client.get(self.api_url, timeout=10)
        except httpx.HTTPError as exc:
            raise TargetRefused(f"cannot reach {self.api_url}: {exc}") from None

    def load_world(self, scenario: dict) -> str:
        """Load ``scenario``'s world into this mock (its start: tenants, clock, outcomes)."""
        r = self._control("POST", "/_mock/scenario", json={"scenario": scenario})
        if r.status_code in (401, 403):
            raise TargetRefused(f"{self.origin} refused to load the scenario's world "
                                f"({r.status_code}): {ADMIN_HINT}, or --keep-world to replay "
                                "on the world it has")
        if r.status_code == 413:
            raise TargetRefused(f"{self.origin} refused to load the scenario's world: it is "
                                "larger than the mock takes; start the mock with a larger "
                                "--max-body-bytes, or with --scenario FILE and replay with "
                                "--keep-world")
        if r.status_code != 200:
            raise TargetRefused(f"{self.origin} refused to load the scenario's world "
                                f"({r.status_code}): {r.text[:500]}")
        return f"loaded its world into the mock at {self.origin}"

    # -- one step ------------------------------------------------------------------------------

    def send(self, request: dict) -> tuple[dict, Answer]:
        """The request (``${var}`` replaced by this server's values) and the answer."""
        spec = self.substitute(request)
        token = self.token or spec.get("token")
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}),
                   **spec.get("headers", {})}
        r = self.client.request(spec["method"], self.api_url.rstrip("/") + spec["path"],
                                params=spec.get("query"), json=spec.get("json"),
                                headers=headers)
        return spec, Answer.of(r)

    def capture(self, captures: dict[str, str], answer: Answer) -> None:
        for name, path in captures.items():
            found = dig(answer.body, path)
            if found is MISSING:
                raise StepFailed(f"cannot capture {name}: no {path} in the answer")
            self.variables[name] = found

    def move_clock(self, spec: dict) -> str:
        if "set" in spec:
            r = self._control("POST", "/_mock/clock/set", json={"now": spec["set"]})
        else:
            r = self._control("POST", "/_mock/clock/advance", json=spec["advance"])
        events = 0
        for _ in range(MAX_CLOCK_CALLS):
            if r.status_code in (401, 403):
                raise StepFailed(f"clock move refused ({r.status_code}): {ADMIN_HINT}")
            if r.status_code != 200:
                raise StepFailed(f"clock move refused ({r.status_code}): {r.text[:300]}")
            data = r.json()["data"]
            events += len(data["events"])
            if data.get("complete", True):
                return f"clock now {data['now']} ({events} events)"
            # Stopped at the mock's event bound: carry on to where the step asked.
            r = self._control("POST", "/_mock/clock/set", json={"now": data["requested"]})
        raise StepFailed(f"the clock did not reach its target in {MAX_CLOCK_CALLS} moves")

    def choose_on_page(self, spec: dict) -> str:
        spec = self.substitute(spec)
        r = self.client.post(spec["url"], data={"choice": spec["choice"]},
                             follow_redirects=False)
        if r.status_code != 303:
            raise StepFailed(f"hosted page answered {r.status_code}: {r.text[:200]}")
        return f"chose {spec['choice']!r}, back to {r.headers['location']}"

    def _control(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.admin_token}"} if self.admin_token else {}
        return self.client.request(method, self.origin + path, headers=headers, **kwargs)

    # -- ${var} --------------------------------------------------------------------------------

    def substitute(self, value):
        if isinstance(value, str):
            whole = VARIABLE.fullmatch(value)
            if whole:
                return self._variable(whole.group(1))
            return VARIABLE.sub(lambda m: str(self._variable(m.group(1))), value)
        if isinstance(value, dict):
            return {k: self.substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute(v) for v in value]
        return value

    def _variable(self, name: str):
        if name not in self.variables:
            raise StepFailed(f"no value captured for ${{{name}}}")
        return self.variables[name]


def dig(body, path: str):
    """``data.0.status`` in a JSON answer, or MISSING."""
    found = body
    for part in path.split("."):
        if isinstance(found, list) and part.lstrip("-").isdigit() and -len(found) <= int(
                part) < len(found):
            found = found[int(part)]
        elif isinstance(found, dict) and part in found:
            found = found[part]
        else:
            return MISSING
    return found
