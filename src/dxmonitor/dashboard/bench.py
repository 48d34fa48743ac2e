"""`dxmonitor bench dashboard`: the dashboard's first render, measured in a real browser.

A demo is prepared in a folder of its own (or an existing prepared folder is used), or, with
`--scale small|medium|full`, the analytics bench's synthetic country is loaded into a PostgreSQL
database of the product's schema (see dxmonitor.bench.dashboard_data). The site is served on a
free local port, and Chromium (through Playwright) signs in and opens its pages several times.
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
from urllib.parse import urlencode

from dxmonitor.common.errors import DomainError

CHROMIUM = Path("/usr/bin/chromium")
HOST = "127.0.0.1"
SCALES = ("small", "medium", "full")  # the analytics bench's; any other name is a demo's
TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const mark = performance.getEntriesByName("dashboard-rendered")[0];
  const filled = [...document.querySelectorAll("table.drill tbody td.num")]
    .filter((cell) => cell.textContent.trim() !== "—").length;
  return {first_render_ms: mark ? mark.startTime : null, ttfb_ms: nav.responseStart,
          dom_ready_ms: nav.domContentLoadedEventEnd, load_ms: nav.loadEventEnd,
          html_bytes: nav.transferSize, tiles: document.querySelectorAll("li.kpi").length,
          unit_figures: filled, ranked: document.querySelectorAll("table.ranking tbody tr").length};
}"""


def command() -> list[str]:
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


def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise DomainError(
            "the playwright package is needed (uv sync installs it)", "Cần gói playwright (uv sync sẽ cài)"
        ) from exc
    if not CHROMIUM.exists():
        raise DomainError(f"no Chromium at {CHROMIUM}", f"Không có Chromium tại {CHROMIUM}")
    return sync_playwright


def _serve(env: dict, folder: Path, log) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    base = f"http://{HOST}:{port}"
    server = subprocess.Popen([*command(), "serve", "--host", HOST, "--port", str(port)], env=env,
                              cwd=folder, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        # The sign-in page: light whatever the data (the home page counts every value).
        _wait(base + "/login/", server)
    except BaseException:
        _stop(server)
        raise
    return server, base


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def bench_dashboard(
    *, runs: int, var_dir: str | None, path: str, scale: str, say: Callable[[str], None]
) -> dict:
    if scale in SCALES:
        if var_dir:
            raise DomainError(
                f"--scale {scale} makes its own data: it cannot serve --var-dir",
                f"--scale {scale} tự tạo dữ liệu: không dùng cùng --var-dir",
            )
        return bench_country(runs=runs, scale=scale, say=say)
    sync_playwright = _playwright()
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
            subprocess.run([*command(), "demo", "--no-serve"], env=env, cwd=folder, stdout=log,
                           stderr=subprocess.STDOUT, check=True)  # fmt: skip
            say(f"  demo ready ({time.monotonic() - started:.0f} s)")
        login = (folder / "demo-login.txt").read_text(encoding="utf-8").split()
        if len(login) != 2:
            raise DomainError(f"no demo login in {folder}", f"Không có tài khoản demo trong {folder}")
        server, base = _serve(env, folder, log)
        found = _measure(sync_playwright, base=base, login=login, pages={"page": path}, runs=runs, say=say)
    finally:
        if server is not None:
            _stop(server)
        log.close()
        if own:
            shutil.rmtree(folder, ignore_errors=True)
    visits = found["page"]
    result = {"bench": "dashboard", **_medians(visits), "scale": scale, "runs": len(visits), "path": path}
    result = {k: result[k] for k in ("bench", "first_render_ms", "scale", "runs", "first_render_max_ms",
                                     "ttfb_ms", "load_ms", "path")}  # fmt: skip
    say(f"median first render {result['first_render_ms']} ms over {len(visits)} visits")
    return result


def bench_country(*, runs: int, scale: str, say: Callable[[str], None]) -> dict:
    """The analytics bench's country at `scale`, on the product's database, store and server: the
    dashboard a national user opens first (the province with the most figures), a commune's, and
    the country's map, each timed `runs` times."""
    from dxmonitor.bench.dashboard_data import served_country

    sync_playwright = _playwright()
    with served_country(scale_name=scale, say=say) as site:
        pages = {
            "province": "/dashboard/",
            "commune": f"/dashboard/?unit={site.commune_id}",
            "country_map": "/dashboard/map/",
        }
        log = (site.folder / "bench-server.log").open("w", encoding="utf-8")
        server = None
        try:
            say("serving the site (dxmonitor serve) and measuring in Chromium")
            server, base = _serve(site.env(), site.folder, log)
            found = _measure(sync_playwright, base=base, login=site.login, pages=pages, runs=runs, say=say)
        except BaseException:
            log.flush()
            tail = (site.folder / "bench-server.log").read_text(encoding="utf-8").splitlines()[-20:]
            say("the server's last lines:\n" + "\n".join(tail))
            raise
        finally:
            if server is not None:
                _stop(server)
            log.close()
        store_bytes = site.store_path.stat().st_size
        database_bytes = site.database_bytes()
    renders = sorted(v["first_render_ms"] for visits in found.values() for v in visits)
    result = {
        "bench": "dashboard",
        "first_render_ms": round(statistics.median(renders)),
        "scale": scale,
        "first_render_p95_ms": round(renders[min(len(renders) - 1, int(0.95 * len(renders)))]),
        "first_render_max_ms": round(renders[-1]),
        "runs": runs,
        "pages": {
            label: {
                "path": pages[label],
                **_medians(visits),
                "tiles": visits[-1]["tiles"],
                "unit_figures": visits[-1]["unit_figures"],
                "ranked": visits[-1]["ranked"],
            }
            for label, visits in found.items()
        },
        "values": site.values,
        "units": site.units,
        "figures": site.figures,
        "store_mb": round(store_bytes / 1e6, 1),
        "database_mb": round(database_bytes / 1e6, 1),
        "steps_s": site.steps_s,
    }
    say(
        f"median first render {result['first_render_ms']} ms over {len(renders)} visits; "
        + ", ".join(f"{label} {page['first_render_ms']} ms" for label, page in result["pages"].items())
    )
    return result


def _medians(visits: list[dict]) -> dict:
    return {
        "first_render_ms": round(statistics.median(v["first_render_ms"] for v in visits)),
        "first_render_max_ms": round(max(v["first_render_ms"] for v in visits)),
        "ttfb_ms": round(statistics.median(v["ttfb_ms"] for v in visits)),
        "load_ms": round(statistics.median(v["load_ms"] for v in visits)),
    }


def _measure(
    sync_playwright, *, base: str, login: list[str], pages: dict[str, str], runs: int, say
) -> dict[str, list[dict]]:
    """Each page visited once to warm the server up (not counted), then `runs` rounds of all."""
    found: dict[str, list[dict]] = {label: [] for label in pages}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        # Signed in, the browser goes to the first page measured: the home page counts every value,
        # which takes minutes at national scale.
        page.goto(base + "/login/?" + urlencode({"next": next(iter(pages.values()))}))
        page.fill("input[name=username]", login[0])
        page.fill("input[name=password]", login[1])
        with page.expect_navigation(timeout=300_000):
            page.click("main form button[type=submit]")
        # The first visit of each page warms the server (the analytics store, templates): not counted.
        for visit in range(runs + 1):
            for label, path in pages.items():
                page.goto(base + path, wait_until="load", timeout=300_000)
                page.wait_for_selector("body[data-rendered]", timeout=300_000)
                timing = page.evaluate(TIMING)
                if timing["first_render_ms"] is None:
                    raise DomainError(
                        "the page did not mark its first render", "Trang không đánh dấu lần vẽ đầu"
                    )
                name = "warm-up" if visit == 0 else f"visit {visit}"
                prefix = f"{label} " if len(pages) > 1 else ""
                say(f"  {prefix}{name}: first render {timing['first_render_ms']:.0f} ms, server answer "
                    f"{timing['ttfb_ms']:.0f} ms, load {timing['load_ms']:.0f} ms")  # fmt: skip
                if visit:
                    found[label].append(timing)
        browser.close()
    return found
