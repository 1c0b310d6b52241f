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


def test_simulate_command_is_deterministic_and_loads_back(tmp_path):
    import filecmp

    for out in ("a", "b"):
        result = run_cli("simulate", "-o", tmp_path / out, "--cases", "40", "--seed", "5", "--formats", "generic,xes")
        assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["ssc-events.csv", "ssc-events.xes.gz", "ssc-people.csv", "ssc-truth.csv", "ssc-truth.json"]
    assert all(filecmp.cmp(tmp_path / "a" / n, tmp_path / "b" / n, shallow=False) for n in names)
    report = run_cli("report", tmp_path / "a" / "ssc-events.csv", "-o", tmp_path / "r")
    assert report.returncode == 0, report.stderr


def test_simulate_rejects_unknown_rates():
    result = run_cli("simulate", "--rate", "nonsense=1")
    assert result.returncode == 2 and "unknown rate" in result.stderr
