"""The report: figures → self-contained HTML + JSON (+ quarantine CSV), written atomically."""

from ssc_mining.report.writer import ReportPaths, write_report

__all__ = ["ReportPaths", "write_report"]
