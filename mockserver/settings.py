"""One frozen settings object, read once from CLI flags and ``BILLING_MOCK_*`` variables."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields, replace

# The range of every numeric setting, (lowest, highest or None), whether it comes from a flag,
# a ``BILLING_MOCK_*`` variable or code: ``serve``'s flags take the same ranges.
BOUNDS: dict[str, tuple] = {
    "port": (0, 65535),  # 0: any free port (a LiveServer's); serve wants 1 or more
    "max_tenants": (1, None),
    "outbox_size": (1, None),
    "journal_body_bytes": (0, None),  # 0: the journal keeps no bodies nor queries
    "smtp_deadline": (0.1, None),
    "max_body_bytes": (1, None),
    "max_header_bytes": (1024, None),
    "request_timeout": (0.1, None),
    "max_runs": (0, 10_000),
    "run_idle_seconds": (1, None),
    "workers": (1, 64),
}


REDIS_SCHEMES = ("redis", "rediss", "unix")


def _check_redis_url(url: str) -> None:
    """A Redis URL redis-py reads as it is written (a ``ValueError`` naming what is wrong):
    its port and options parse, and its database is a number (redis-py would quietly take
    database 0 for ``/abc``)."""
    from urllib.parse import urlsplit

    from redis.connection import parse_url

    try:
        parts = urlsplit(url)
        parse_url(url)
        if parts.scheme != "unix":
            parts.port  # noqa: B018 (it parses the port)
    except ValueError as exc:
        raise ValueError(f"--state {url!r} is not a Redis URL redis-py can use: {exc}"
                         ) from None
    database = parts.path.strip("/") if parts.scheme != "unix" else ""
    if database and not database.isdigit():
        raise ValueError(f"--state {url!r}: the database is a number "
                         f"(redis://HOST:PORT/DB), not {database!r}")


def redacted_url(url: str) -> str:
    """``url`` without its password (``redis://:***@host:6379/0``): what logs, start-up
    lines and answers may show."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


@dataclass(frozen=True)
class Settings:
    """Everything that shapes a server. Flags win over environment variables over defaults."""

    host: str = "127.0.0.1"
    port: int = 8000
    seed: int = 42
    jwt_secret: str | None = None
    max_tenants: int = 10_000
    outbox_size: int = 500
    journal_body_bytes: int = 16_384  # the journal keeps each request's body up to this size
    cors_origins: str = "*"
    validate_responses: bool = False
    public_url: str | None = None  # how browsers reach this server; default http://host:port
    admin_token: str | None = None  # required on /_mock/ (from any address) when set
    scenario: str | None = None  # library name or file path; None: the default world
    smtp_url: str | None = None  # smtp://host:port: also deliver every sent invoice as mail
    smtp_deadline: float = 30.0  # seconds one delivery may take in all, connect to quit
    # What one request may weigh and take (README "Bounds and limits").
    max_body_bytes: int = 1024 * 1024  # a larger body is a 413, refused before it is read
    max_header_bytes: int = 64 * 1024  # request line and headers together; more is a 431
    request_timeout: float = 10.0  # seconds from a request's first byte to its last, else closed
    # Who may reach /_mock without the admin token (README "The control API").
    allowed_hosts: str = ""  # more Host names for /_mock, comma-separated (localhost is one)
    scenario_dir: str | None = None  # POST /_mock/scenario may load files from here too
    state_file: str | None = None  # the world is loaded from here and saved back (README)
    # Where the world is kept (README "Shared state on Redis"): None or "memory" (this
    # process), redis://HOST:PORT/DB (one world for every worker and replica), or a path
    # (the state file, as state_file).
    state: str | None = None
    workers: int = 1  # processes serving one port (they share the world: needs Redis)
    verify_reads: bool = False  # tests: a read that changes a shared world's copy is an error
    max_runs: int = 100  # isolated runs (/_runs/{run_id}/...) kept at a time
    run_idle_seconds: int = 1800  # a run nobody used for this long is let go

    def __post_init__(self) -> None:
        for name, (low, high) in BOUNDS.items():
            value = getattr(self, name)
            if not (low <= value and (high is None or value <= high) and math.isfinite(value)):
                wanted = f"{low} to {high}" if high is not None else f"{low} or more"
                raise ValueError(f"{name} must be {wanted}, not {value!r} "
                                 f"(--{name.replace('_', '-')} or BILLING_MOCK_{name.upper()})")
        kind, target = self.state_backend
        if kind == "file" and self.state_file and target != self.state_file:
            raise ValueError("give the state file once: --state PATH or --state-file PATH")
        if self.workers > 1 and kind != "redis":
            raise ValueError("several workers serve one world only from Redis: add "
                             "--state redis://HOST:PORT/DB")

    @property
    def state_backend(self) -> tuple[str, str | None]:
        """Where the world is kept: ``("memory", None)``, ``("file", path)`` or
        ``("redis", url)``. A value that is none of them is a ``ValueError`` (a typo of a
        URL is not taken for a file's name)."""
        state = (self.state or "").strip()
        scheme = state.split(":", 1)[0].lower() if ":" in state else ""
        if scheme in REDIS_SCHEMES:
            if not state.lower().startswith(f"{scheme}://"):
                raise ValueError(f"--state {state!r}: a Redis URL is {scheme}://HOST:PORT/DB")
            _check_redis_url(state)
            return "redis", state
        if state.lower().startswith(tuple(f"{name}//" for name in REDIS_SCHEMES)):
            raise ValueError(f"--state {state!r}: a Redis URL is "
                             f"{state.split('/', 1)[0].lower()}://HOST:PORT/DB")
        if "://" in state and scheme != "file":
            raise ValueError(f"--state {state!r}: not a place to keep the world (memory, a "
                             "state file's path, or redis://HOST:PORT/DB; also rediss://, "
                             "unix://)")
        if state and state.lower() != "memory":
            return "file", state.removeprefix("file://")
        if self.state_file:
            return "file", self.state_file
        return "memory", None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Settings from ``BILLING_MOCK_<FIELD>`` variables, then ``overrides`` (not None)."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(f"BILLING_MOCK_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _parse(f.type, raw, f.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def _parse(type_name: str, raw: str, name: str):
    kind = str(type_name)
    try:
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
        if kind.startswith("bool"):
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes")
    except ValueError:
        raise ValueError(f"BILLING_MOCK_{name.upper()}={raw!r} is not a valid {kind}") from None
    return raw
