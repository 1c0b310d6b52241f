"""Run the explorer's app on this machine: a free port when asked, the address printed once it listens.

Example:
    >>> port = free_port("127.0.0.1")
    >>> 0 < port < 65536
    True
"""

from __future__ import annotations

import logging
import socket
from typing import Any

import click

from ssc_mining.serve.app import Save, make_app
from ssc_mining.serve.explorer import Explorer

__all__ = ["free_port", "run_server"]


def free_port(host: str) -> int:
    """A port on ``host`` that nothing listens on now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def run_server(explorer: Explorer, *, source: str, lang: str, save: Save | None, output: str, host: str,
               port: int, debug: bool = False) -> None:
    """Serve the explorer of ``explorer`` at ``host``:``port`` (0: a free port) until Ctrl+C."""
    app = make_app(explorer, source=source, lang=lang, save=save, output=output)
    port = port or free_port(host)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)   # no line per request
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Explorer: http://{shown}:{port}/ (stop with Ctrl+C)", err=False)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Warning: listening on {host}: other machines that reach it can see this log", err=True)
    _run(app, host, port, debug)


def _run(app: Any, host: str, port: int, debug: bool) -> None:
    import sys

    sys.stdout.flush()
    app.run(host=host, port=port, debug=False, dev_tools_ui=debug, dev_tools_hot_reload=False, use_reloader=False,
            threaded=True)
