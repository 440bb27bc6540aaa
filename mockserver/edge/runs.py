"""Which world a request is for: an isolated run's, or the loaded world.

``/_runs/{run_id}/api/v1/...`` and ``/_runs/{run_id}/_mock/...`` (or any path with the header
``X-Billing-Mock-Run: {run_id}``) answer from the run's own world, forked on first use. The
prefix is taken off before anything else sees the path, so CORS, the router, the journal, the
access rules of ``/_mock`` and the handlers treat a run's request exactly like any other; only
the world they read (``Runtime.world``) differs.

Only a request that would be let in forks a run: one the control API admits (its access
rule, applied here first), or a billing request with a token the run's world would know (or
a JWT the server accepts). Anything else, a web page's request to ``/_mock``, an anonymous
API call, is answered without a world being made, so no page can fill the runs.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.domain.errors import DomainError, InvalidRequest, NotFound
from mockserver.edge import exit
from mockserver.edge.auth import authenticate_with
from mockserver.edge.envelope import JSON
from mockserver.edge.origins import check_control_access, is_control_path
from mockserver.edge.runtime import RUN_PREFIX, SELECTED, Runtime, Selected
from mockserver.services.runs import check_run_id
from mockserver.spec import API_BASE

HOSTED_PAGES = "/_mock/providers/"  # a session's page: a run made now holds no session

HEADER = b"x-billing-mock-run"


def run_of(path: str, header: str | None) -> tuple[str | None, str]:
    """The run a request names, and its path without the run's prefix."""
    run_id = None
    if path.startswith(RUN_PREFIX):
        run_id, slash, rest = path[len(RUN_PREFIX):].partition("/")
        check_run_id(run_id)
        if not slash or not rest:
            raise NotFound(f"A run's paths are {RUN_PREFIX}{run_id}/api/v1/... and "
                           f"{RUN_PREFIX}{run_id}/_mock/...")
        path = "/" + rest
    if header is not None:
        header = header.strip()
        if run_id is not None and header != run_id:
            raise InvalidRequest(f"The path names run '{run_id}', the X-Billing-Mock-Run "
                                 f"header '{header[:80]}'; name one run")
        run_id = check_run_id(header)
    return run_id, path


class RunMiddleware:
    """Selects the request's world and strips a run's prefix (placed right inside the
    request-id layer, outside CORS and routing)."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app, self.runtime = app, runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = next((value.decode("latin-1") for name, value in scope["headers"]
                       if name == HEADER), None)
        try:
            run_id, path = run_of(scope["path"], header)
            if run_id is None:
                await self.app(scope, receive, send)
                return
            runs = self.runtime.runs
            world = runs.get(run_id)
            if world is None and _is_preflight(scope, path):
                world = self.runtime.loaded  # CORS answers it; nothing reads a world
            elif world is None:
                self.check_may_fork(scope, run_id, path)
                # Forking takes milliseconds: on a thread, so the loop serves others meanwhile.
                world = await run_in_threadpool(runs.world, run_id)
        except DomainError as error:
            await _refuse(error, scope, send)
            return
        token = SELECTED.set(Selected(world, run_id))
        try:
            await self.app(_stripped(scope, path), receive, send)
        finally:
            SELECTED.reset(token)


    def check_may_fork(self, scope: Scope, run_id: str, path: str) -> None:
        """Refuse (raise) a request that may not fork the run it names (see the module)."""
        headers, settings = Headers(scope=scope), self.runtime.settings
        if is_control_path(path) and not path.startswith(HOSTED_PAGES):
            client = scope.get("client")
            check_control_access(headers, client[0] if client else None, settings.admin_token,
                                 self.runtime.own_hosts, self.runtime.own_origins)
            return
        scheme, _, token = (headers.get("authorization") or "").partition(" ")
        if path.startswith(API_BASE + "/") and scheme.lower() == "bearer" and token.strip():
            authenticate_with(token.strip(), self.runtime.runs.start_tokens(),
                              settings.jwt_secret)
            return
        raise NotFound(f"No run '{run_id}': a run is made by POST /_mock/runs, by a request "
                       f"to its /_mock the control API lets in, or by a billing request with "
                       f"a token its world knows")


def _is_preflight(scope: Scope, path: str) -> bool:
    """A CORS preflight of the billing API: the CORS layer answers it by itself."""
    return (scope["method"] == "OPTIONS" and not is_control_path(path)
            and any(name == b"access-control-request-method" for name, _ in scope["headers"]))


def _stripped(scope: Scope, path: str) -> Scope:
    if path == scope["path"]:
        return scope
    inner = dict(scope, path=path)
    raw, cut = scope.get("raw_path"), len(scope["path"]) - len(path)
    if raw is not None:
        # The prefix is plain ASCII in the raw path unless the client percent-encoded it.
        if raw[:cut].decode("latin-1") == scope["path"][:cut]:
            inner["raw_path"] = raw[cut:]
        else:
            inner.pop("raw_path")
    return inner


async def _refuse(error: DomainError, scope: Scope, send: Send) -> None:
    """The answer to a request naming no usable run, from the one error exit."""
    status, headers, body = exit.answer(error, scope["path"])
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", JSON.encode()), (b"content-length", str(len(body)).encode()),
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items())]})
    await send({"type": "http.response.body", "body": body})
