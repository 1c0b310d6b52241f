"""Run the explorer's app on this machine: a free port when asked, the address printed once it listens.

Example:
    >>> with socket.socket() as taken:
    ...     taken.bind(("127.0.0.1", 0)); taken.listen()
    ...     check_port("127.0.0.1", taken.getsockname()[1])
    Traceback (most recent call last):
    ...
    ssc_mining.errors.ConfigError: cannot listen on 127.0.0.1 port ...: Address already in use
      What to do: give another --port, or --port 0 for a free one
"""

from __future__ import annotations

import logging
import socket
import sys

import click

from ssc_mining.errors import ConfigError
from ssc_mining.serve.app import Save, make_app
from ssc_mining.serve.explorer import Explorer

__all__ = ["check_port", "run_server"]


def check_port(host: str, port: int) -> None:
    """:class:`ConfigError` when ``port`` on ``host`` cannot be listened on (in use, or not this machine's)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as the server itself binds
            sock.bind((host, port))
    except OSError as err:
        raise ConfigError(f"cannot listen on {host} port {port}: {err.strerror or err}",
                          hint="give another --port, or --port 0 for a free one") from None


def run_server(explorer: Explorer, *, source: str, lang: str, save: Save | None, output: str, host: str,
               port: int, debug: bool = False) -> None:
    """Serve the explorer of ``explorer`` at ``host``:``port`` (0: a free port) until Ctrl+C; the address is printed
    once the port is taken. :class:`ConfigError` when the port is in use or the address is not this machine's."""
    from werkzeug.serving import make_server

    app = make_app(explorer, source=source, lang=lang, save=save, output=output)
    logging.getLogger("werkzeug").setLevel(logging.INFO if debug else logging.WARNING)   # no line per request
    check_port(host, port)
    server = make_server(host, port, app.server, threaded=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Explorer: http://{shown}:{server.server_port}/ (stop with Ctrl+C)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Warning: listening on {host}: every machine that reaches it can see this log", err=True)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Explorer stopped.", err=True)
    finally:
        server.server_close()
