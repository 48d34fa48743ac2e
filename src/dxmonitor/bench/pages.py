"""`dxmonitor bench pages --scale small|medium|full`: every page and endpoint a user opens, timed
on the analytics bench's synthetic country held as the product holds it.

The country is loaded into a PostgreSQL database of the product's schema (see dashboard_data):
every index the product has, and a history row per value as a bulk import writes it. The site is
served by `dxmonitor serve` (web processes and a job worker), whose worker builds the store (a
full rebuild asked through the API, as an administrator would) and the portal's counts; the
communes are scored by `dxmonitor scores compute`. Then each path is fetched by a signed-in
client: 3 rounds alone, then 3 rounds by 4 clients at once while the worker takes in a change of
one commune's month (an incremental refresh). A download is timed to its first byte. The last
line printed is JSON: each path's p50 and p95, the slowest path, the full rebuild's and the
incremental refresh's times, and the database's and the store's sizes.
"""

import http.cookiejar
import json
import re
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from dxmonitor.common.errors import DomainError

from .analytics import month_of

Say = Callable[[str], None]
ROUNDS = 3
CLIENTS = 4
DOWNLOADS = {"portal_download_csv", "units_export"}


def _paths(ids: dict) -> dict[str, str]:
    indicator, province, commune, month = ids["indicator"], ids["province"], ids["commune"], ids["month"]
    year = month[:4]
    return {
        "home": "/",
        "units": "/units/",
        "unit": f"/units/{commune}/",
        "indicators": "/indicators/",
        "indicator": f"/indicators/{indicator}/",
        "search": "/search/?" + urlencode({"q": ids["search"]}),
        "portal": "/public/",
        "portal_about": "/public/about/",
        "portal_units": "/public/units/",
        "portal_unit": f"/public/units/{commune}/",
        "portal_indicator": f"/public/indicators/{indicator}/",
        "portal_download_csv": "/api/v1/public/values/export?"
        + urlencode({"indicator": indicator, "period": month, "format": "csv"}),
        "dashboard_province": f"/dashboard/?unit={province}&period={year}",
        "dashboard_commune": f"/dashboard/?unit={commune}&period={year}",
        "map": f"/dashboard/map/?period={year}",
        "analytics": "/analytics/",
        "scores": "/analytics/scores/",
        "checks": "/checks/",
        "audit": "/audit/",
        "collect": "/collect/",
        "inbox": "/inbox/",
        "reports": "/reports/",
        "jobs": "/jobs/",
        "units_export": "/units/export/?level=province",
        "api_home": "/api/v1/home",
        "api_values": "/api/v1/values?" + urlencode({"indicator": indicator}),
        "api_public_values": "/api/v1/public/values?" + urlencode({"indicator": indicator}),
        "api_dashboard": f"/api/v1/dashboard?unit={province}&period={year}",
        "api_figure": "/api/v1/analytics/figure?"
        + urlencode({"unit": province, "indicator": indicator, "period": month}),
    }


class Client:
    """A signed-in browser session, without the browser: cookies and the sign-in form."""

    def __init__(self, base: str, login: list[str]) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = self.opener.open(base + "/login/", timeout=60).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise DomainError("no sign-in form at /login/", "Không thấy biểu mẫu đăng nhập")
        form = urlencode({"csrfmiddlewaretoken": token.group(1), "username": login[0], "password": login[1]})
        request = urllib.request.Request(base + "/login/", data=form.encode(), method="POST")
        request.add_header("Referer", base + "/login/")
        self.opener.open(request, timeout=60).read()

    def time(self, path: str, *, first_byte: bool = False) -> tuple[int, float]:
        """The status and the seconds to the whole answer (to its first byte for a download)."""
        started = time.monotonic()
        try:
            with self.opener.open(self.base + path, timeout=600) as response:
                if first_byte:
                    response.read(1)
                    took = time.monotonic() - started
                    while response.read(1 << 20):
                        pass
                    return response.status, took
                response.read()
                return response.status, time.monotonic() - started
        except urllib.error.HTTPError as error:
            error.read()
            return error.code, time.monotonic() - started


def _api(base: str, token: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def _wait_job(base: str, token: str, job_id: str, *, timeout: float = 7200) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        code, job = _api(base, token, "GET", f"/api/v1/jobs/{job_id}")
        if code == 200 and job["status"] in ("done", "failed"):
            if job["status"] == "failed":
                raise DomainError(f"job {job['kind']} failed: {job['error']}", f"Việc {job['kind']} thất bại")
            return job
        if time.monotonic() > deadline:
            raise DomainError(f"job {job_id} did not finish", f"Việc {job_id} chưa xong")
        time.sleep(0.5)


def _idle(base: str, token: str, *, timeout: float = 3600) -> None:
    """Wait until the queue is empty (the portal's counts, refreshes queued by a first visit)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code, page = _api(base, token, "GET", "/api/v1/jobs?all=true&limit=1")
        if code == 200 and not page["queued"] and not page["running"]:
            return
        time.sleep(1)


def _stats(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


def bench_pages(*, scale: str, say: Say) -> dict:
    from dxmonitor.dashboard.bench import _serve, _stop

    from .dashboard_data import _run, served_country

    with served_country(scale_name=scale, say=say, as_product=True) as site:
        made = subprocess.run(
            [*_command(), "token", "create", site.login[0], "bench"], env=site.env(), cwd=site.folder,
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        token = made.stdout.strip().splitlines()[-1]
        log = (site.folder / "bench-server.log").open("w", encoding="utf-8")
        server, base = _serve(site.env(), site.folder, log)
        try:
            say('the worker\'s full rebuild of the store (POST /api/v1/analytics/refresh {"full": true})')
            started = time.monotonic()
            code, job = _api(base, token, "POST", "/api/v1/analytics/refresh", {"full": True})
            if code != 202:
                raise DomainError(f"refresh refused: {job}", "Không làm mới được kho phân tích")
            job = _wait_job(base, token, job["id"])
            rebuild_s = round(time.monotonic() - started, 1)
            say(f"  rebuilt in {rebuild_s} s ({job['result'].get('values', 0):,} values)")
            year = month_of(SCALE_MONTHS[scale] - 1).year
            say(f"scoring the communes for {year}")
            _run(site, ["scores", "load"], say=say)
            _run(site, ["scores", "compute", "--period", str(year)], say=say)
            ids = _ids(site, year)
            paths = _paths(ids)
            clients = [Client(base, site.login) for _ in range(CLIENTS)]
            say(f"first visits (not counted), then {ROUNDS} rounds alone over {len(paths)} paths")
            for path in paths.values():
                clients[0].time(path, first_byte=False)
            _idle(base, token)
            alone: dict[str, list[float]] = {name: [] for name in paths}
            statuses: dict[str, set[int]] = {name: set() for name in paths}
            for _ in range(ROUNDS):
                for name, path in paths.items():
                    status, seconds = clients[0].time(path, first_byte=name in DOWNLOADS)
                    alone[name].append(seconds)
                    statuses[name].add(status)
            say(f"{ROUNDS} rounds by {CLIENTS} clients at once while the worker takes in a change")
            loaded: dict[str, list[float]] = {name: [] for name in paths}
            lock = threading.Lock()

            def visit(client: Client) -> None:
                for _ in range(ROUNDS):
                    for name, path in paths.items():
                        status, seconds = client.time(path, first_byte=name in DOWNLOADS)
                        with lock:
                            loaded[name].append(seconds)
                            statuses[name].add(status)

            threads = [threading.Thread(target=visit, args=(c,)) for c in clients]
            for thread in threads:
                thread.start()
            incremental_s = _change_and_refresh(base, token, ids)
            for thread in threads:
                thread.join()
            say(f"  incremental refresh: {incremental_s} s")
        finally:
            _stop(server)
            log.close()
        figures = {
            name: {
                "path": paths[name],
                "status": sorted(statuses[name]),
                "alone": _stats(alone[name]),
                "with_4_clients": _stats(loaded[name]),
            }
            for name in paths
        }
        slowest = max(figures, key=lambda n: figures[n]["with_4_clients"]["p95_ms"])
        store = Path(site.store_path).resolve()
        return {
            "scale": scale,
            "values": site.values,
            "paths": figures,
            "slowest": {"name": slowest, **figures[slowest]},
            "failed": sorted(n for n in figures if any(s >= 400 for s in figures[n]["status"])),
            "rebuild_s": rebuild_s,
            "incremental_s": incremental_s,
            "database_bytes": site.database_bytes(),
            "store_bytes": store.stat().st_size if store.exists() else 0,
            "steps_s": site.steps_s,
        }


SCALE_MONTHS = {"small": 24, "medium": 12, "full": 60}


def _command() -> list[str]:
    from dxmonitor.dashboard.bench import command

    return command()


def _ids(site, year: int) -> dict:
    from .dashboard_data import _connect

    with _connect(site.database_url) as db:
        (province,) = db.execute(
            "SELECT id FROM geo_unit WHERE level = 'province' ORDER BY id LIMIT 1"
        ).fetchone()
        commune, name = db.execute(
            "SELECT id, short_name FROM geo_unit WHERE id = %s", [site.commune_id]
        ).fetchone()
        indicator, month = db.execute(
            "SELECT i.code, v.period FROM collection_value v "
            "JOIN catalog_indicator i ON i.id = v.indicator_id "
            "WHERE v.unit_id IN (SELECT id FROM geo_unit WHERE parent_id = %s) AND v.period LIKE %s "
            "ORDER BY v.id LIMIT 1",
            [commune, f"{year}%"],
        ).fetchone()
        rows = db.execute("SELECT code FROM geo_unit WHERE parent_id = %s", [commune]).fetchall()
        villages = [code for (code,) in rows]
        indicators = [
            code
            for (code,) in db.execute(
                "SELECT DISTINCT i.code FROM collection_value v "
                "JOIN catalog_indicator i ON i.id = v.indicator_id "
                "WHERE v.unit_id = (SELECT min(id) FROM geo_unit WHERE parent_id = %s) AND v.period = %s",
                [commune, month],
            ).fetchall()
        ]
    return {
        "province": province,
        "commune": commune,
        "indicator": indicator,
        "month": month,
        "search": name,
        "villages": villages,
        "indicators": indicators,
    }


def _change_and_refresh(base: str, token: str, ids: dict) -> float:
    """Every value of one commune's villages in one month changed through the API (as a data entry
    would), then the worker's incremental refresh: its own time."""
    values = [
        {"unit": village, "indicator": indicator, "period": ids["month"], "value": 1 + n % 50}
        for n, (village, indicator) in enumerate((v, i) for v in ids["villages"] for i in ids["indicators"])
    ]
    code, answer = _api(base, token, "POST", "/api/v1/dataValueSets", {"values": values})
    if code not in (200, 202):
        raise DomainError(f"the change was refused: {str(answer)[:300]}", "Không ghi được thay đổi")
    if code == 202:
        _wait_job(base, token, answer["id"])
    code, job = _api(base, token, "POST", "/api/v1/analytics/refresh", {"full": False})
    job = _wait_job(base, token, job["id"])
    if job["result"].get("full"):
        raise DomainError("the change made the worker rebuild the store", "Thay đổi làm kho dựng lại toàn bộ")
    return round(float(job["result"].get("seconds", 0.0)), 3)
