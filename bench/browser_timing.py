"""Time the first chart in a real browser: a new Streamlit server (empty caches) per run.

Run by ``ptx bench``: ``python bench/browser_timing.py RUNS`` with ``PTX_SOURCE`` set. For each
run it starts ``streamlit run dashboard.py`` on a free port, waits until the server answers its
health check, then opens the Overview in Chromium (Playwright) and times from the navigation to
the first Plotly chart drawn on the page. Prints one JSON object; without Chromium or
Playwright, ``first_chart`` is null and ``reason`` says why.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from ptx.report import CHROMIUM_FLAGS
from ptx.report import find_chromium as chromium_path

ROOT = Path(__file__).resolve().parent.parent
FIRST_CHART = ".js-plotly-plot .main-svg"
START_TIMEOUT_S = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    source: str | None = None, script: Path = ROOT / "dashboard.py", extra_env: dict | None = None
) -> tuple[subprocess.Popen, str, float]:
    """``streamlit run dashboard.py`` (or another ``script``) on a free loopback port (on
    ``source``, else PTX_SOURCE; ``extra_env``: more environment variables); returns the process,
    its URL and the seconds until it answered its health check.
    Raises RuntimeError, with the server's output, when it does not start."""
    port = _free_port()
    env = os.environ | (extra_env or {}) | ({"PTX_SOURCE": str(source)} if source else {})
    if source:
        env.pop("PTX_CONFIG", None)
    started = time.perf_counter()
    # A file, not a pipe (a full pipe would stall the server); closed by stop_server.
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proc.log = log
    url = f"http://127.0.0.1:{port}"
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url, time.perf_counter() - started
        except OSError:
            pass
        if proc.poll() is not None or time.perf_counter() - started > START_TIMEOUT_S:
            proc.kill()
            log.seek(0)
            raise RuntimeError(f"Streamlit did not start:\n{log.read()}")
        time.sleep(0.1)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=30)
    proc.log.close()


def main(runs: int) -> dict:
    chromium = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"first_chart": None, "reason": "Playwright is not installed"}
    if not Path(chromium).is_file():
        return {"first_chart": None, "reason": "Chromium is not installed"}
    charts, starts = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        for _ in range(runs):
            proc, url, start_s = start_server()
            try:
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                page.set_default_timeout(1_800_000)  # minutes on a cluster at 100 M
                t = time.perf_counter()
                page.goto(url)
                page.wait_for_selector(FIRST_CHART, state="visible")
                charts.append(time.perf_counter() - t)
                starts.append(start_s)
                page.close()
            finally:
                stop_server(proc)
        browser.close()
    return {"first_chart": statistics.median(charts), "server_start": statistics.median(starts)}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
