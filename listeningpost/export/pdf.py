"""PDF report: the HTML report printed by headless Chromium (Debian's /usr/bin/chromium).

The HTML goes through a private temporary folder under a neutral name ("report.html"), so neither
a file name nor a profile of the user's browser ends up in the PDF. Chromium writes /CreationDate
and /ModDate: the only bytes that differ between two exports of the same input.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
TIMEOUT_S = 120


class PdfError(RuntimeError):
    pass


def chromium_path() -> str:
    on_path = filter(None, map(shutil.which, CHROMIUM_CANDIDATES))
    found = os.environ.get("LPOST_CHROMIUM") or next(on_path, None)
    if not found:
        raise PdfError("no Chromium found for PDF export (install Debian's chromium or set LPOST_CHROMIUM)")
    return found


def html_to_pdf(html: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="lpost-pdf-") as tmp:
        src, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        src.write_text(html, encoding="utf-8")
        cmd = [
            chromium_path(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-extensions", "--disable-sync",
            "--no-pdf-header-footer", f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", src.as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
        if not out.exists() or out.stat().st_size == 0:
            raise PdfError(f"chromium failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
        return out.read_bytes()
