"""The ``billing-mock`` command."""

from __future__ import annotations

import errno
import socket

import click

from mockserver.settings import Settings


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
def serve(host, port, seed, jwt_secret) -> None:
    """Serve the mock API at http://HOST:PORT/api/v1."""
    import uvicorn

    from mockserver.app import create_app

    try:
        settings = Settings.from_env(host=host, port=port, seed=seed, jwt_secret=jwt_secret)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    _check_port_free(settings.host, settings.port)
    app = create_app(settings)
    click.echo(f"billing-mock serving {settings.base_url}/api/v1 "
               f"(docs {settings.base_url}/api/v1/ui/, seed {settings.seed})")
    click.echo("tokens: demo-token de-token eu-token us-token new-token")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info",
                lifespan="off")


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
