"""The ``billing-mock`` command."""

from __future__ import annotations

import errno
import socket
import warnings

import click

from mockserver.settings import Settings

# Starlette warns about its test client's transport on import; not a concern of this command.
warnings.filterwarnings("ignore", message=".*httpx2.*")


@click.group()
@click.version_option(package_name="billing-mock")
def main() -> None:
    """Mock server, fixtures and contract checks for the ScaiControl Billing API."""


@main.command()
@click.option("--host", default=None, help="Interface to listen on  [default: 127.0.0.1]")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port to listen on  [default: 8000]")
@click.option("--seed", type=int, default=None, help="Seed of the default world  [default: 42]")
@click.option("--jwt-secret", default=None,
              help="Check JWT signatures (HS256/384/512) with this secret.")
@click.option("--scenario", default=None,
              help="Load a library scenario (see `billing-mock scenarios`) or a scenario file.")
@click.option("--watch", is_flag=True, help="Reload the scenario file when it changes.")
@click.option("--admin-token", default=None,
              help="Open /_mock/ to any address that sends this bearer token (else loopback only).")
@click.option("--smtp-url", default=None,
              help="Also deliver sent invoices as mail through smtp://host:port.")
@click.option("--public-url", default=None,
              help="How browsers reach this server (for hosted provider pages); "
                   "default http://HOST:PORT.")
def serve(host, port, seed, jwt_secret, scenario, watch, admin_token, smtp_url,
          public_url) -> None:
    """Serve the mock API at http://HOST:PORT/api/v1."""
    import uvicorn

    from mockserver.app import create_app
    from mockserver.scenarios import ScenarioError, watcher

    try:
        settings = Settings.from_env(host=host, port=port, seed=seed, jwt_secret=jwt_secret,
                                     scenario=scenario, admin_token=admin_token,
                                     smtp_url=smtp_url, public_url=public_url)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if watch and not settings.scenario:
        raise click.UsageError("--watch needs --scenario")
    _check_port_free(settings.host, settings.port)
    try:
        store = watcher.store_for(settings)
    except ScenarioError as exc:
        raise click.ClickException(f"scenario refused:\n{exc}") from None
    app = create_app(settings, store)
    store = app.app.extensions["billing_mock"].store
    if watch:
        watcher.watch(settings, store, click.echo)
    click.echo(f"billing-mock serving {settings.base_url}/api/v1 "
               f"(docs {settings.base_url}/api/v1/ui/, seed {settings.seed}, "
               f"world {store.scenario or 'default'})")
    tokens = ", ".join(sorted(store.tokens)[:12])
    click.echo(f"tokens: {tokens}")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info",
                lifespan="off")


@main.command()
def scenarios() -> None:
    """List the library's named scenarios."""
    from mockserver.scenarios import describe_all

    for entry in describe_all():
        steps = f" [{entry['steps']} replay steps]" if entry["steps"] else ""
        click.echo(f"{entry['name']:<28} {entry['description']}{steps}")


def _check_port_free(host: str, port: int) -> None:
    """Fail with a clear message before the server starts, not with a traceback after."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise click.ClickException(
                    f"port {port} on {host} is already in use; choose another with --port"
                ) from None
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None


if __name__ == "__main__":
    main()
