"""The example plugin package installs into a fresh virtual environment and shows up in a report.

The fresh environment sees this project's own installed packages through a ``.pth`` file (so the
test needs no network and no second copy of pm4py); the plugin itself is installed into it with pip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES

PLUGIN = ROOT / "examples" / "ssc-mining-example-plugin"


@pytest.fixture(scope="module")
def plugin_copy(tmp_path_factory) -> Path:
    """A copy of the example package, so building it leaves nothing in the repository."""
    target = tmp_path_factory.mktemp("plugin") / PLUGIN.name
    shutil.copytree(PLUGIN, target, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    return target


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory, plugin_copy: Path) -> Path:
    env_dir = tmp_path_factory.mktemp("fresh") / "venv"
    venv.EnvBuilder(with_pip=True, symlinks=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]
    # addsitedir also runs that folder's own .pth files (the editable install of ssc_mining is one)
    Path(site, "_ssc_mining_dev.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    install = subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps",
                              "--disable-pip-version-check", str(plugin_copy)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    return python


def run(python: Path, *args: str | os.PathLike) -> subprocess.CompletedProcess[str]:
    return subprocess.run([python, "-m", "ssc_mining.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=600, cwd=python.parent)


def test_plugin_is_listed(fresh_env: Path):
    result = run(fresh_env, "analysers")
    assert result.returncode == 0, result.stderr
    assert "first_time_right" in result.stdout and "ssc-mining-example-plugin" in result.stdout
    profiles = run(fresh_env, "profiles")
    assert "helpdesk-it" in profiles.stdout
    presets = run(fresh_env, "presets")
    assert "first-look" in presets.stdout


def test_plugin_section_in_the_report(fresh_env: Path, tmp_path: Path):
    result = run(fresh_env, "report", SAMPLES / "generic-events.csv", "-o", tmp_path, "--preset", "first-look")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "generic-events.html").read_text()
    assert 'id="analyser-first-time-right"' in html and "First time right" in html
    assert "Tickets first time right" in html


def test_plugin_tests_pass_in_the_fresh_environment(fresh_env: Path, plugin_copy: Path):
    result = subprocess.run([fresh_env, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(plugin_copy / "tests")],
                            capture_output=True, text=True, timeout=600, cwd=plugin_copy)
    assert result.returncode == 0, result.stdout + result.stderr


def test_plugin_is_not_in_this_environment():
    """Guards the other tests' meaning: the built-in suite runs without the example installed."""
    from ssc_mining.analysers import discover
    assert "first_time_right" not in discover().analysers, sys.prefix
