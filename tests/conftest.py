"""Shared fixtures: paths, the installed CLI, small CSV factories."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL = (ROOT.parent / "shared" / "data" / "real").resolve()
SAMPLES = ROOT / "data" / "samples"
#: a plug-in analyser file (for --plugins-dir): counts events; no partial/combine, so it runs in memory only
EVENT_COUNT_PLUGIN = (
    "from dataclasses import dataclass\n"
    "from ssc_mining.analysers import Analyser\n"
    "from ssc_mining.results import Metric\n"
    "@dataclass(frozen=True, kw_only=True)\n"
    "class Events(Analyser):\n"
    "    name = 'event_count'\n"
    "    title = {'en': 'Event count', 'nl': 'Aantal gebeurtenissen'}\n"
    "    description = {'en': 'Counts events.', 'nl': 'Telt gebeurtenissen.'}\n"
    "    def analyse(self, log):\n"
    "        return self.result(summary=f'{log.n_events} events.',\n"
    "                           items=[Metric('events', 'Events', log.n_events)])\n")
#: a text of the figures made into a string before its language is known is an error in every test (and in the
#: CLI the tests start): ssc_mining.i18n.Text
os.environ["SSC_MINING_STRICT_TEXTS"] = "1"
#: Debian's headless Chromium, which the browser tests drive
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, driven by Playwright (skipped when it is not installed)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (CI installs it in .ci/run)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def real_path(*parts: str) -> Path:
    """Path to a real log under ../shared/data/real; skip the test (with the reason) when absent."""
    path = REAL.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real log {path} is absent (a fresh clone has no ../shared); CI runs this test")
    return path


def cli_path() -> str:
    """The installed console script next to this interpreter."""
    candidate = Path(sys.executable).parent / "ssc-mining"
    found = str(candidate) if candidate.exists() else shutil.which("ssc-mining")
    assert found, "the console script ssc-mining is not installed (run `make test`)"
    return found


def run_cli(*args: str | os.PathLike, env: dict[str, str] | None = None, cwd: Path | None = None
            ) -> subprocess.CompletedProcess[str]:
    """Run the installed ``ssc-mining`` as a user would, capturing its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([cli_path(), *map(str, args)], capture_output=True, text=True, env=full_env,
                          cwd=cwd or ROOT, timeout=600)


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write text (or bytes) to a CSV file in tmp_path and return its path."""
    def _write(text: str | bytes, name: str = "input.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_bytes(text.encode(encoding))
        return path
    return _write


GOOD_CSV = (
    "case_id,activity,timestamp,resource,team\n"
    "00123,Register,2024-03-04 09:00,Anna de Vries,Servicedesk\n"
    "00123,Forward,2024-03-04 09:30,Anna de Vries,Servicedesk\n"
    "00123,Resolve,2024-03-05 11:00,Bram Jansen,HR\n"
    "1e5,Register,2024-03-06 10:00,Anna de Vries,Servicedesk\n"
    "1e5,Resolve,2024-03-07 16:45,Chris Bakker,ICT\n"
)


@functools.cache
def _load_real_cached(parts: tuple[str, ...]):
    from ssc_mining.loaders import load

    return load(real_path(*parts))


def load_real(*parts: str):
    """A real log loaded once per test session (XES parsing is slow); each caller gets its own frame copy."""
    from ssc_mining.eventlog import EventLog

    path = real_path(*parts)  # skips when absent, before touching the cache
    assert path.exists()
    log = _load_real_cached(tuple(parts))
    return EventLog(frame=log.frame.copy(), provenance=log.provenance, quarantine=log.quarantine.copy())
