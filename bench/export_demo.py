"""Exports of a demo-like case: time per format, what redaction replaced, and a screenshot of the
case-level HTML report (artifacts/export_case_report.png).

    .venv/bin/python bench/export_demo.py [--case DIR]

Without --case it ingests the 33 real transcripts of ../shared into artifacts/export-demo-case and
runs the analyze and index stages (minutes on 2 cores); with --case it uses that case as it is.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "transcripts"
ARTIFACTS = REPO / "artifacts"
LPOST = [sys.executable, "-m", "listeningpost.cli"]


def build_case(root: Path) -> Path:
    if not (root / "case.sqlite").exists():
        subprocess.run(LPOST + ["ingest", str(SHARED / "radio_analyzer"), str(SHARED / "prigozhin"), "--case", str(root)],
                       check=True)
        subprocess.run(LPOST + ["process", "--stages", "analyze,index", "--case", str(root)], check=True)
    return root


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", type=Path)
    args = ap.parse_args()
    from listeningpost.export.run import ExportOptions, export
    from listeningpost.store.case import Case

    case = Case.open(args.case or build_case(ARTIFACTS / "export-demo-case"), create=False)
    ids = [r[0] for r in case.query("SELECT id FROM calls ORDER BY id")]
    out = ARTIFACTS / "export-demo"
    out.mkdir(parents=True, exist_ok=True)
    print(f"case: {len(ids)} calls, {case.one('SELECT COUNT(*) FROM claims')[0]} claims,"
          f" {case.one('SELECT COUNT(*) FROM entities')[0]} entities")
    for fmt in ("json", "csv", "html", "pdf", "docx"):
        for redact in (False, True):
            t = time.perf_counter()
            res = export(case, ExportOptions(format=fmt, output=out / f"case{'-redacted' if redact else ''}.{fmt}",
                                             call_ids=ids, redact=redact, user="bench"))
            print(f"{fmt:5s} redact={redact!s:5s} {time.perf_counter() - t:6.2f} s"
                  + (f"  placeholders={res.redaction['placeholders']} people={res.redaction['people']}" if redact else ""))
    sub = max(ids, key=lambda i: case.one("SELECT COUNT(*) FROM turns WHERE call_id=?", (i,))[0])
    for fmt in ("srt", "vtt"):
        t = time.perf_counter()
        export(case, ExportOptions(format=fmt, output=out / f"call{sub}.{fmt}", call_ids=[sub], user="bench"))
        print(f"{fmt:5s} call {sub}: {time.perf_counter() - t:6.2f} s")
    subtitle_rules(case, ids)
    screenshot(out / "case-redacted.html", ARTIFACTS / "export_case_report.png")


def subtitle_rules(case, ids: list[int]) -> None:
    """Share of cues within the rules (1-7 s, <= 42 chars a line, line limits) over every call."""
    from listeningpost.export.subtitles import MAX_DUR, MAX_LINE, MIN_DUR, SubtitleOptions, build_cues, cue_lines
    from listeningpost.store.views import call_document

    docs = [call_document(case, i) for i in ids]
    for lang in ("both", "orig", "en"):
        opts = SubtitleOptions(lang=lang, speakers=True)
        n = bad = 0
        durs = []
        for d in docs:
            for c in build_cues(d, opts):
                orig, en = cue_lines(c, opts)
                ok = (MIN_DUR - 0.0015 <= c.end - c.start <= MAX_DUR + 0.0015 and len(en) <= 2
                      and len(orig) <= (1 if lang == "both" else 2) and all(len(x) <= MAX_LINE for x in orig + en))
                n, bad = n + 1, bad + (not ok)
                durs.append(c.end - c.start)
        durs.sort()
        print(f"subtitles lang={lang:4s}: {n} cues over {len(docs)} calls, {bad} outside the rules,"
              f" median {durs[len(durs) // 2]:.2f} s" if durs else f"subtitles lang={lang}: no timed turns")


def screenshot(html: Path, png: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 1800})
        page.goto(html.as_uri())
        page.screenshot(path=str(png))
        browser.close()
    print(f"screenshot: {png}")


if __name__ == "__main__":
    main()
