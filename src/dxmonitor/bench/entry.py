"""`dxmonitor bench entry`: the entry pages on a slow mobile link, and the offline queue's sync.

A demo is prepared in a folder of its own (or a prepared folder is used) and served on a free
local port behind a `SlowLink` with the Slow 3G profile of Chrome's DevTools (2 s round trip,
400 kbit/s each way), which counts every byte the browser sends and receives. The demo officer
opens the current quarter's form in a fresh browser (cold: nothing kept), then /collect/ (which
keeps the forms on the device), then the form again (warm: the files and pages kept, the service
worker in charge). A page is usable once its boxes take figures (its scripts have run). Last, at
full speed, 100 figures are put in the device's queue and sent through the values API.
"""

import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from dxmonitor.common.errors import DomainError
from dxmonitor.dashboard.bench import CHROMIUM, _playwright, _serve, _stop, command

from .slow_link import SLOW_3G, SlowLink

FORM_USABLE = """() => window.dxEntry !== undefined
  && document.querySelector('.cell[data-editable] input.num') !== null"""
COLLECT_USABLE = "() => document.querySelector('a.ov-cell') !== null"
# Ten indicators not on the demo's forms, over ten months: a hundred figures no rule ties together.
SYNC_CODES = [
    "CTX.ENTERPRISES",
    "AWR.DX_CONTEST_PARTICIPANTS",
    "INF.SMARTPHONE_SUBSCRIPTIONS",
    "GOV.DIGITAL_SIGNATURES_ISSUED",
    "GOV.OFFICIAL_EMAIL_ACCOUNTS",
    "GOV.ONLINE_SERVICES_COUNT",
    "ECO.ECOMMERCE_PRODUCTS",
    "ECO.E_INVOICES",
    "SOC.PAYMENT_ACCOUNTS",
    "HR.DX_TRAINEES",
]
SYNC_PERIODS = [f"2026{month:02d}" for month in range(1, 11)]
QUEUE = """async ({items}) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("dxmonitor-offline", 1);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  await new Promise((resolve, reject) => {
    const tx = db.transaction("queue", "readwrite");
    items.forEach((item) => tx.objectStore("queue").put(item));
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  db.close();
  const started = performance.now();
  await window.dxOffline.sync();
  const left = (await window.dxOffline.queued()).length;
  return {ms: performance.now() - started, left};
}"""


def _officer(folder: Path) -> tuple[str, str]:
    for line in (folder / "demo-accounts.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2] == "data_entry":
            return parts[0], parts[1]
    raise DomainError(f"no demo officer in {folder}", f"Không có cán bộ nhập liệu demo trong {folder}")


def _sign_in(context, base: str, username: str, password: str) -> None:
    """Signed in through plain requests: the browser's caches stay empty."""
    page = context.request.get(base + "/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text())
    if token is None:
        raise DomainError("no sign-in form", "Không thấy biểu mẫu đăng nhập")
    answer = context.request.post(
        base + "/login/",
        form={"csrfmiddlewaretoken": token.group(1), "username": username, "password": password},
        headers={"Referer": base + "/login/"},
        max_redirects=0,
    )
    if answer.status != 302:
        raise DomainError("the demo officer could not sign in", "Cán bộ demo không đăng nhập được")


def _visit(page, link: SlowLink, url: str, usable: str, *, settle: str) -> dict:
    """Time until the page is usable, and the bytes it took until it settled."""
    link.counts.take()
    page.goto(url, wait_until="commit", timeout=300_000)
    page.wait_for_function(usable, timeout=300_000, polling=50)
    usable_ms = page.evaluate("performance.now()")
    page.wait_for_load_state("load", timeout=300_000)
    page.wait_for_selector(settle, state="attached", timeout=300_000)
    down, up = link.counts.take()
    return {"usable_ms": round(usable_ms), "bytes": down + up, "bytes_down": down}


def _form_path(page, base: str) -> str:
    page.goto(base + "/collect/", timeout=300_000)
    href = page.locator("section[data-dataset] a.ov-cell[data-state=open]").first.get_attribute("href")
    if not href:
        raise DomainError("the demo officer has no open form", "Cán bộ demo không có biểu mẫu đang mở")
    return href


def _round(browser, base: str, slow_base: str, link: SlowLink, login: tuple[str, str], form: str) -> dict:
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        link.slow = False
        _sign_in(context, slow_base, *login)
        page = context.new_page()
        link.slow = True
        found = {
            "form_cold": _visit(page, link, slow_base + form, FORM_USABLE, settle="#offline-bar[data-ready]")
        }
        found["collect_cold"] = _visit(
            page, link, slow_base + "/collect/", COLLECT_USABLE, settle="#offline-bar[data-kept]"
        )
        found["form_warm"] = _visit(
            page, link, slow_base + form, FORM_USABLE, settle="#offline-bar[data-ready]"
        )
        found["collect_warm"] = _visit(
            page, link, slow_base + "/collect/", COLLECT_USABLE, settle="#offline-bar[data-ready]"
        )
        return found
    finally:
        context.close()
        link.slow = True


def _sync_hundred(browser, base: str, login: tuple[str, str], form: str) -> dict:
    context = browser.new_context(locale="vi-VN")
    try:
        _sign_in(context, base, *login)
        page = context.new_page()
        page.goto(base + form, timeout=300_000)
        page.wait_for_selector("#offline-bar[data-ready]", state="attached", timeout=300_000)
        username = login[0]
        unit_id = int(form.split("/")[3])
        now = time.time()
        items = [
            {
                "id": f"{username}|bench|{code}|{period}",
                "user": username,
                "kind": "figure",
                "seq": int(now * 1_000_000) + index,
                "form": form,
                "unit_id": unit_id,
                "indicator": code,
                "period": period,
                "texts": {"v": f"{1000 + index}"},
                "base": 0,
                "typed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
                "state": "queued",
            }
            for index, (code, period) in enumerate((c, p) for p in SYNC_PERIODS for c in SYNC_CODES)
        ]
        result = page.evaluate(QUEUE, {"items": items})
        return {"figures": len(items), "ms": round(result["ms"]), "left": result["left"]}
    finally:
        context.close()


def bench_entry(*, runs: int, var_dir: str | None, say: Callable[[str], None]) -> dict:
    sync_playwright = _playwright()
    own = var_dir is None
    folder = Path(tempfile.mkdtemp(prefix="dxm-bench-entry-")) if own else Path(var_dir)
    env = dict(os.environ, DXM_VAR_DIR=str(folder), PYTHONUNBUFFERED="1")
    if own:
        env.pop("DATABASE_URL", None)  # the fresh demo lives on its own SQLite file
    log = (folder / "bench-server.log").open("w", encoding="utf-8")
    server = None
    try:
        if own:
            say(f"preparing the demo in {folder} …")
            subprocess.run([*command(), "demo", "--no-serve"], env=env, cwd=folder, stdout=log,
                           stderr=subprocess.STDOUT, check=True)  # fmt: skip
        login = _officer(folder)
        server, base = _serve(env, folder, log)
        port = int(base.rsplit(":", 1)[1])
        rounds = []
        with SlowLink(target_port=port) as link, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
            )
            slow_base = f"http://127.0.0.1:{link.port}"
            probe = browser.new_context()
            _sign_in(probe, base, *login)
            form = _form_path(probe.new_page(), base)
            probe.close()
            say(f"form {form}; Slow 3G: {SLOW_3G['round_trip_ms']} ms round trip, "
                f"{SLOW_3G['down_bytes_per_s'] * 8 // 1000} kbit/s")  # fmt: skip
            for number in range(runs):
                found = _round(browser, base, slow_base, link, login, form)
                shown = (
                    f"{name} {v['usable_ms']} ms {v['bytes'] / 1000:.0f} kB" for name, v in found.items()
                )
                say(f"  round {number + 1}: " + ", ".join(shown))
                rounds.append(found)
            sync = _sync_hundred(browser, base, login, form)
            say(f"  100 queued figures sent in {sync['ms']} ms ({sync['left']} left)")
            browser.close()
    finally:
        if server is not None:
            _stop(server)
        log.close()
        if own:
            shutil.rmtree(folder, ignore_errors=True)

    def median(name: str, key: str) -> int:
        return round(statistics.median(r[name][key] for r in rounds))

    return {
        "bench": "entry",
        "profile": "slow-3g",
        "round_trip_ms": SLOW_3G["round_trip_ms"],
        "kbit_per_s": SLOW_3G["down_bytes_per_s"] * 8 // 1000,
        "runs": runs,
        "form": form,
        **{
            f"{name}_{key}": median(name, key)
            for name in ("form_cold", "form_warm", "collect_cold", "collect_warm")
            for key in ("usable_ms", "bytes")
        },
        "sync_100_ms": sync["ms"],
        "sync_left": sync["left"],
    }
