"""What was run: the command line and every option with the value it had, for the JSON and the report.

The command line is rebuilt from the options that were given (on the command line or through an
environment variable), in the command's own order, so it can be pasted to repeat the run; every
other option is listed with its default. Paths are written as given. Nothing secret is recorded:
the pseudonym key never is an option (it comes from a file or the environment).

Example:
    >>> import click
    >>> @click.command("report")
    ... @click.argument("file")
    ... @click.option("--lang", multiple=True, default=("en",))
    ... @click.option("--run-date")
    ... def report(file, lang, run_date):
    ...     print(run_record()["command"])
    >>> report.main(["tickets.csv", "--lang", "nl", "--lang", "en"], prog_name="ssc-mining report",
    ...             standalone_mode=False)
    ssc-mining report tickets.csv --lang nl --lang en
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

#: parameters that only change how the program talks or how fast it runs, not what it computes
_NOT_RECORDED = frozenset({"debug", "help", "quiet", "jobs"})


def _plain(value: Any) -> Any:
    """A JSON-ready value: paths as text, tuples as lists."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _words(param: click.Parameter, value: Any) -> list[str]:
    """How ``param`` with ``value`` is written on a command line."""
    if isinstance(param, click.Argument):
        values = value if isinstance(value, (list, tuple)) else [value]
        return [str(v) for v in values if v is not None]
    name = max(param.opts, key=len)
    if getattr(param, "is_flag", False):
        if value:
            return [name]
        off = list(param.secondary_opts)
        return [off[0]] if off else []
    if getattr(param, "multiple", False):
        return [part for v in value or () for part in (name, str(v))]
    return [name, str(value)] if value is not None else []


def run_record(ctx: click.Context | None = None) -> dict[str, Any]:
    """``command`` (the command line to repeat the run) and ``options`` (every option's value) of the current
    command."""
    ctx = ctx or click.get_current_context()
    words = [ctx.command_path]
    options: dict[str, Any] = {}
    for param in ctx.command.params:
        if param.name is None or param.name in _NOT_RECORDED or param.expose_value is False:
            continue
        value = ctx.params.get(param.name)
        options[param.name] = _plain(value)
        source = ctx.get_parameter_source(param.name)
        if isinstance(param, click.Argument) or source in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT):
            words += _words(param, value)
    return {"command": " ".join([words[0]] + [shlex.quote(w) for w in words[1:]]),
            "options": dict(sorted(options.items()))}


def report_argv(ctx: click.Context, command: click.Command, head: list[str], *,
                skip: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The options given to the command of ``ctx`` (on its command line or through the environment) that
    ``command`` also has, as ``command``'s command line after ``head``: how ``serve`` passes its own options on
    to the ``report`` it saves. ``skip``: option names left out.

    >>> @click.command()
    ... @click.option("--lang", multiple=True)
    ... @click.option("--port", type=int)
    ... def serve(lang, port):
    ...     pass
    >>> @click.command()
    ... @click.option("--lang", multiple=True)
    ... def report(lang):
    ...     pass
    >>> with serve.make_context("serve", ["--lang", "nl", "--port", "1"]) as ctx:
    ...     report_argv(ctx, report, ["x.csv"])
    ['x.csv', '--lang', 'nl']
    """
    theirs = {p.name: p for p in command.params if isinstance(p, click.Option)}
    words = list(head)
    for param in ctx.command.params:
        if not isinstance(param, click.Option) or param.name is None or param.name in skip \
                or param.name in _NOT_RECORDED or param.name not in theirs:
            continue
        source = ctx.get_parameter_source(param.name)
        if source in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT):
            words += _words(theirs[param.name], ctx.params.get(param.name))
    return words
