"""`dxmonitor bench dashboard`: the dashboard's first render, measured in a real browser.

A demo is prepared in a folder of its own (or an existing prepared folder is used), served on a
free local port, and Chromium (through Playwright) signs in and opens /dashboard/ several times.
Each visit is timed by the browser itself: Navigation Timing gives the server's answer and the
page's load; the page's script marks "dashboard-rendered" once every chart has been drawn, which
is the first render reported.
"""

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from dxmonitor.common.errors import DomainError

CHROMIUM = Path("/usr/bin/chromium")
HOST = "127.0.0.1"
TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const mark = performance.getEntriesByName("dashboard-rendered")[0];
  return {first_render_ms: mark ? mark.startTime : null, ttfb_ms: nav.responseStart,
          dom_ready_ms: nav.domContentLoadedEventEnd, load_ms: nav.loadEventEnd,
          html_bytes: nav.transferSize};
}"""


def _command() -> list[str]:
    script = Path(sys.executable).with_name("dxmonitor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dxmonitor.cli"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DomainError("dxmonitor serve stopped", "dxmonitor serve đã dừng")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise DomainError("dxmonitor serve did not answer", "dxmonitor serve không trả lời")


def bench_dashboard(
    *, runs: int, var_dir: str | None, path: str, scale: str, say: Callable[[str], None]
) -> dict:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise DomainError(
            "the playwright package is needed (uv sync installs it)", "Cần gói playwright (uv sync sẽ cài)"
        ) from exc
    if not CHROMIUM.exists():
        raise DomainError(f"no Chromium at {CHROMIUM}", f"Không có Chromium tại {CHROMIUM}")
    own = var_dir is None
    folder = Path(tempfile.mkdtemp(prefix="dxm-bench-dashboard-")) if own else Path(var_dir)
    env = dict(os.environ, DXM_VAR_DIR=str(folder), PYTHONUNBUFFERED="1")
    if own:
        env.pop("DATABASE_URL", None)  # the fresh demo lives on its own SQLite file
    log = (folder / "bench-server.log").open("w", encoding="utf-8")
    server = None
    try:
        if own:
            say(f"preparing the demo in {folder} …")
            started = time.monotonic()
            subprocess.run([*_command(), "demo", "--no-serve"], env=env, cwd=folder, stdout=log,
                           stderr=subprocess.STDOUT, check=True)  # fmt: skip
            say(f"  demo ready ({time.monotonic() - started:.0f} s)")
        login = (folder / "demo-login.txt").read_text(encoding="utf-8").split()
        if len(login) != 2:
            raise DomainError(f"no demo login in {folder}", f"Không có tài khoản demo trong {folder}")
        port = _free_port()
        base = f"http://{HOST}:{port}"
        server = subprocess.Popen([*_command(), "serve", "--host", HOST, "--port", str(port)], env=env,
                                  cwd=folder, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        _wait(base + "/", server)
        found = _measure(sync_playwright, base=base, login=login, path=path, runs=runs, say=say)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        log.close()
        if own:
            shutil.rmtree(folder, ignore_errors=True)
    renders = [f["first_render_ms"] for f in found]
    result = {
        "bench": "dashboard",
        "first_render_ms": round(statistics.median(renders)),
        "scale": scale,
        "runs": len(found),
        "first_render_max_ms": round(max(renders)),
        "ttfb_ms": round(statistics.median(f["ttfb_ms"] for f in found)),
        "load_ms": round(statistics.median(f["load_ms"] for f in found)),
        "path": path,
    }
    say(f"median first render {result['first_render_ms']} ms over {len(found)} visits")
    return result


def _measure(sync_playwright, *, base: str, login: list[str], path: str, runs: int, say) -> list[dict]:
    found = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(base + "/login/")
        page.fill("input[name=username]", login[0])
        page.fill("input[name=password]", login[1])
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        # The first visit warms the server (the analytics store, templates): not counted.
        for visit in range(runs + 1):
            page.goto(base + path, wait_until="load")
            page.wait_for_selector("body[data-rendered]", timeout=60_000)
            timing = page.evaluate(TIMING)
            if timing["first_render_ms"] is None:
                raise DomainError("the page did not mark its first render", "Trang không đánh dấu lần vẽ đầu")
            label = "warm-up" if visit == 0 else f"visit {visit}"
            say(f"  {label}: first render {timing['first_render_ms']:.0f} ms, server answer "
                f"{timing['ttfb_ms']:.0f} ms, load {timing['load_ms']:.0f} ms")  # fmt: skip
            if visit:
                found.append(timing)
        browser.close()
    return found
