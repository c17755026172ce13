"""Shared fixtures: real data lives in ../shared (CI has it beside the checkout)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# LPOST_TEST_DB=postgresql runs the case-based tests on the PostgreSQL backend (tests/pgbackend.py)
pytest_plugins = ["pgbackend"]

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LPOST_SHARED", REPO.parent / "shared")).resolve()
DATA = SHARED / "data"
EVAL = SHARED / "eval"
TRANSCRIPTS = DATA / "transcripts"
AUDIO = DATA / "audio"


def need_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data not found: {path} (set LPOST_SHARED to the shared/ folder)")
    return path


@pytest.fixture
def shared() -> Path:
    return need_shared(SHARED)


@pytest.fixture
def case(tmp_path):
    from listeningpost.store.case import Case

    c = Case.open(tmp_path / "case")
    yield c
    c.close()


# Debian's Chromium, driven by Playwright (no browser download): the web UI, subtitle <track> and
# report tests share one launcher. The flags keep it off the network this machine does not have.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (scripts/system-deps.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def kill_9_when(cmd: list[str], count, at_least: int, timeout: float = 90.0) -> int:
    """Start ``cmd``, wait until ``count()`` reaches ``at_least``, then SIGKILL it; returns the count
    at the kill (the run must still be going: one that ends first fails the test)."""
    import signal
    import subprocess
    import time

    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline, done = time.time() + timeout, 0
    while time.time() < deadline and done < at_least:
        time.sleep(0.1)
        if proc.poll() is not None:
            pytest.fail(f"{cmd[3:5]} ended before the kill: " + proc.stderr.read().decode()[-2000:])
        done = count()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return count()
