"""The command line explains itself and fails cleanly."""

from __future__ import annotations

from conftest import run_cli


def test_help_has_examples():
    for args in ((), ("report",), ("inspect",)):
        result = run_cli(*args, "--help")
        assert result.returncode == 0
        assert "Example" in result.stdout


def test_missing_file():
    result = run_cli("report", "no-such-file.csv")
    assert result.returncode == 2
    assert "no-such-file.csv" in result.stderr and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback():
    result = run_cli("report", "no-such-file.csv", "--debug")
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and "ssc-mining" in result.stdout
