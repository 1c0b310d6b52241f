"""The report as an A4 PDF, printed by headless Chromium (``ssc-mining report … --pdf``).

The page's print stylesheet does the layout (A4, the map and the model each on
a page of their own and scaled to fit, no instructions for clicking); Chromium
only prints it. Chromium is looked up as ``$SSC_MINING_CHROMIUM``, else
``chromium``, ``chromium-browser``, ``google-chrome`` on the ``PATH``, else
``/usr/bin/chromium``. Without it :func:`add_pdfs` raises a
:class:`~ssc_mining.errors.ConfigError` (exit code 2) that says how to install it.

The PDFs are written next to the reports (``NAME.pdf``, ``NAME.nl.pdf``) and
added to the set's manifest ``NAME.sha256``, through a staged folder like the
other files. Chromium stamps the time of printing into a PDF (its creation and
modification dates); these are set to the start of 2000 (same length, so the
file's cross-reference offsets stay right), so printing the same report again
gives the same bytes when the same Chromium prints it.

Example:
    >>> find_chromium() is None or Path(find_chromium()).exists()
    True
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ssc_mining._io import StagedFolder, atomic_write_text, output_error
from ssc_mining.errors import ConfigError

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")


def find_chromium() -> str | None:
    """The Chromium to print with, or None when there is none."""
    given = os.environ.get("SSC_MINING_CHROMIUM")
    if given:
        return given if Path(given).is_file() and os.access(given, os.X_OK) else None
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def print_pdf(html: Path, pdf: Path, *, chromium: str, timeout: float = 300.0) -> Path:
    """Print ``html`` to ``pdf`` (A4, from the page's print stylesheet) with headless ``chromium``."""
    with tempfile.TemporaryDirectory(prefix="ssc-mining-chromium-") as profile:
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--disable-extensions", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                   "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
                   f"--print-to-pdf={pdf}", Path(html).resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False,
                                  env={**os.environ, "HOME": profile})
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ConfigError(f"Chromium could not print {Path(html).name} to PDF: {err}",
                              hint="check that Chromium starts (chromium --headless --version)") from None
    if not pdf.exists() or pdf.read_bytes()[:5] != b"%PDF-":
        detail = (done.stderr or done.stdout or "").strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        raise ConfigError(f"Chromium did not print {Path(html).name} to PDF: {detail[0]}",
                          hint="run again with a working Chromium, or open the HTML report and print it")
    data = pdf.read_bytes()
    pdf.write_bytes(_DATES.sub(lambda m: b"/" + m.group(1) + b" (D:20000101000000" + m.group(3) + b")", data))
    return pdf


def add_pdfs(out_dir: str | Path, reports: Sequence[Path], manifest: Path) -> list[Path]:
    """Print each report in ``reports`` (HTML files in ``out_dir``) to ``NAME.pdf`` beside it and add the PDFs
    to the set's ``manifest`` (``sha256sum`` format), both moved into place together."""
    import hashlib

    chromium = find_chromium()
    if chromium is None:
        raise ConfigError("--pdf needs Chromium, which is not installed here; the HTML report was written",
                          hint="install it (Debian/Ubuntu: apt-get install chromium) or give its path in "
                               "SSC_MINING_CHROMIUM, then run again; or open the HTML report and print it")
    out_dir = Path(out_dir)
    written: list[Path] = []
    with StagedFolder(out_dir) as staged:
        names = []
        for html in reports:
            name = Path(html).name[: -len(".html")] + ".pdf"
            print_pdf(Path(html), staged.path / name, chromium=chromium)
            names.append(name)
        lines = {}
        try:
            for line in manifest.read_text(encoding="utf-8").splitlines(keepends=True):
                lines[line.split("  ", 1)[1].rstrip("\n") if "  " in line else line] = line
        except OSError as err:
            raise output_error(err, out_dir, manifest.name) from None
        for name in names:
            lines[name] = f"{hashlib.sha256((staged.path / name).read_bytes()).hexdigest()}  {name}\n"
        try:
            atomic_write_text(staged.path / manifest.name, "".join(lines[k] for k in sorted(lines)))
        except OSError as err:
            raise output_error(err, out_dir, manifest.name) from None
        staged.commit([*names, manifest.name])
        written = [out_dir / name for name in names]
    return written
