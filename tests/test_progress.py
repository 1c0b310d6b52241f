"""Progress per phase on a terminal; nothing when standard error is a pipe or with --quiet; never in the outputs."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
from pathlib import Path

from conftest import SAMPLES, cli_path, run_cli

SAMPLE = SAMPLES / "generic-events.csv"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _on_a_terminal(*args: str | Path, cwd: Path | None = None) -> tuple[int, str]:
    """Run the CLI with standard error on a pseudo-terminal; return the exit code and what the terminal showed."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([cli_path(), *map(str, args)], stdout=subprocess.DEVNULL, stderr=slave,
                            env={**os.environ, "COLUMNS": "120", "TERM": "xterm"}, cwd=cwd)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(master)
    code = proc.wait(timeout=300)
    return code, ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))


def test_a_terminal_sees_every_phase_with_its_time(tmp_path: Path):
    code, shown = _on_a_terminal("report", SAMPLE, "-o", tmp_path / "out")
    assert code == 0, shown
    for phase in ("reading generic-events.csv", "analyser handoffs", "analyser reopens", "process map and model",
                  "data-quality checks", "writing generic-events.html"):
        assert re.search(re.escape(phase) + r" \(\d+\.\d s\)", shown), f"{phase!r} not shown:\n{shown}"


def test_quiet_and_pipes_show_no_progress_and_outputs_do_not_change(tmp_path: Path):
    runs = {name: tmp_path / name for name in ("quiet", "piped", "shown")}
    for folder in runs.values():
        folder.mkdir()
    code, shown = _on_a_terminal("report", SAMPLE, "-o", "out", "--quiet", cwd=runs["quiet"])
    assert code == 0 and "analyser" not in shown and " s)" not in shown
    piped = run_cli("report", SAMPLE, "-o", "out", cwd=runs["piped"])
    assert piped.returncode == 0 and "analyser" not in piped.stderr
    code, shown = _on_a_terminal("report", SAMPLE, "-o", "out", cwd=runs["shown"])
    assert code == 0 and "analyser handoffs" in shown
    # progress changes nothing in the outputs; --quiet is not recorded as an option of the run
    for name in ("generic-events.html", "generic-events.json", "generic-events.sha256"):
        expected = (runs["piped"] / "out" / name).read_bytes()
        assert (runs["shown"] / "out" / name).read_bytes() == expected
        assert (runs["quiet"] / "out" / name).read_bytes() == expected
