"""Scripted behaviour per operationId: a given answer, added latency or a failure rate, for the
Nth matching call or for requests that match, for as many times as the scenario says."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from mockserver.spec import operation_id


@dataclass
class Effect:
    latency_ms: int = 0
    status: int | None = None  # None: the operation runs normally (after the latency)
    body: object = None
    headers: dict = field(default_factory=dict)


@dataclass
class Behaviour:
    operation: str
    calls: tuple[int, ...] = ()
    tenant_id: str | None = None
    path_params: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    body: dict = field(default_factory=dict)
    times: int | None = None
    respond: dict | None = None
    latency_ms: int = 0
    failure_rate: float | None = None
    seed: int = 0
    id: str = ""  # bhv_N: how the control API names it
    matched: int = 0  # matching calls seen so far
    applied: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def from_spec(cls, spec: dict, tenant_ids: dict[str, str],
                  behaviour_id: str = "") -> "Behaviour":
        match = spec.get("match", {})
        behaviour = cls(
            id=behaviour_id,
            operation=operation_id(spec["operation"]), calls=tuple(spec.get("calls", ())),
            tenant_id=tenant_ids.get(match["tenant"]) if "tenant" in match else None,
            path_params=match.get("path_params", {}), query=match.get("query", {}),
            body=match.get("body", {}), times=spec.get("times"), respond=spec.get("respond"),
            latency_ms=spec.get("latency_ms", 0), failure_rate=spec.get("failure_rate"),
            seed=spec.get("seed", 0),
        )
        behaviour._random.seed(behaviour.seed)
        return behaviour

    def describe(self) -> dict:
        """The behaviour as the control API lists it."""
        return {"id": self.id, "operation": self.operation, "calls": list(self.calls),
                "tenant_id": self.tenant_id, "path_params": self.path_params,
                "query": self.query, "body": self.body, "times": self.times,
                "respond": self.respond, "latency_ms": self.latency_ms,
                "failure_rate": self.failure_rate, "matched": self.matched,
                "applied": self.applied}

    def matches(self, operation: str, tenant_id: str | None, path_params: dict, query: dict,
                body: object) -> bool:
        if operation != self.operation or (self.tenant_id and self.tenant_id != tenant_id):
            return False
        if any(str(path_params.get(k)) != str(v) for k, v in self.path_params.items()):
            return False
        if any(str(query.get(k)) != str(v) for k, v in self.query.items()):
            return False
        return all(isinstance(body, dict) and body.get(k) == v for k, v in self.body.items())

    def effect(self) -> Effect | None:
        """Called once per matching request (under the store lock): what to do with it."""
        self.matched += 1
        if self.calls and self.matched not in self.calls:
            return None
        if self.times is not None and self.applied >= self.times:
            return None
        if self.failure_rate is not None and self._random.random() >= self.failure_rate:
            return None
        self.applied += 1
        respond = self.respond or ({"status": 500} if self.failure_rate is not None else None)
        if respond is None:
            return Effect(self.latency_ms)
        return Effect(self.latency_ms, respond["status"], respond.get("body"),
                      dict(respond.get("headers", {})))
