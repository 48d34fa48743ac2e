"""The analytics store shared by processes: two web servers, a worker and an operator's command.

A real site (`dxmonitor demo --no-serve`, on SQLite or, when the run uses PostgreSQL, on a fresh
database of that server) served by two `dxmonitor serve --no-worker` processes, with one
`dxmonitor worker`. A full rebuild runs in the worker and `dxmonitor analytics refresh` runs from
a shell at the same time, while both servers keep answering the dashboard: nobody gets an error
or waits for the refresh, and both servers move to the refreshed figures.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.test_crash_safety import Site, _command, _postgres

DASHBOARD = "/api/v1/dashboard?period=2025"


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[Site, Site]]:
    var_dir = Path(tempfile.mkdtemp(prefix="dxm-shared-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DXM_SECRET_KEY"}}
    env.update(
        DXM_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="dxmonitor.settings",
        PYTHONUNBUFFERED="1",
        DXM_WORKER_POLL_SECONDS="0.2",
    )
    outer = os.environ.get("DATABASE_URL", "")
    database = database_url = ""
    if outer.startswith(("postgres://", "postgresql://")):
        database = f"dxm_shared_{os.getpid()}"
        _postgres(outer, f'CREATE DATABASE "{database}"')
        database_url = urlunsplit(urlsplit(outer)._replace(path=f"/{database}"))
        env["DATABASE_URL"] = database_url
    one = Site(var_dir=var_dir, env=env, database_url=database_url)
    two = None
    try:
        demo = subprocess.run(
            [*_command(), "demo", "--no-serve"],
            cwd=var_dir, env=env, stdout=one.log("demo"), stderr=subprocess.STDOUT, timeout=600, check=False,
        )  # fmt: skip
        assert demo.returncode == 0, one.tail("demo")
        username = (var_dir / "demo-login.txt").read_text(encoding="utf-8").split()[0]
        made = subprocess.run(
            [*_command(), "token", "create", username, "shared-store-test"],
            cwd=var_dir, env=env, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        one.token = made.stdout.strip().splitlines()[-1]
        one.start_web()
        two = dataclasses.replace(one, web=None, workers=[])
        two.start_web()
        one.start_worker()
        yield one, two
    finally:
        for site in filter(None, (one, two)):
            for worker in site.workers:
                if worker.poll() is None:
                    worker.terminate()
                    worker.wait(timeout=30)
            if site.web is not None:
                os.killpg(site.web.pid, signal.SIGTERM)
                try:
                    site.web.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(site.web.pid, signal.SIGKILL)
                    site.web.wait()
        if database:
            _postgres(outer, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(var_dir, ignore_errors=True)


def _read_while(sites: tuple[Site, ...], busy: threading.Event) -> list[tuple[int, float, str]]:
    """Ask each server for the dashboard, over and over, until `busy` clears: (status, seconds, server)."""
    answers: list[tuple[int, float, str]] = []
    while True:
        for site in sites:
            started = time.monotonic()
            code, _body = site.call("GET", DASHBOARD)
            answers.append((code, time.monotonic() - started, site.url))
        if not busy.is_set():
            return answers


def test_a_full_rebuild_and_an_operators_refresh_while_two_servers_answer(sites):
    one, two = sites
    code, before = one.call("GET", DASHBOARD)
    assert code == 200, before
    assert two.call("GET", DASHBOARD) == (200, before)

    busy = threading.Event()
    busy.set()
    answers: list[tuple[int, float, str]] = []
    reader = threading.Thread(target=lambda: answers.extend(_read_while(sites, busy)))
    reader.start()
    try:
        code, job = one.call("POST", "/api/v1/analytics/refresh", json.dumps({"full": True}).encode())
        assert code == 202, job
        shell = subprocess.run(
            [*_command(), "analytics", "refresh", "--full"],
            cwd=one.var_dir, env=one.env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        job = one.wait_job(job["id"])
    finally:
        busy.clear()
        reader.join(timeout=120)
    assert shell.returncode == 0, shell.stdout + shell.stderr
    assert "Traceback" not in shell.stderr
    assert job["status"] == "done" and job["result"]["full"], job
    assert answers and {code for code, _s, _u in answers} == {200}, answers
    assert {url for _c, _s, url in answers} == {one.url, two.url}
    # Nobody waited for a rebuild: every answer came in the time of a plain page.
    assert max(seconds for _c, seconds, _u in answers) < 10, answers
    assert one.call("GET", DASHBOARD) == two.call("GET", DASHBOARD) == (200, before)
    assert one.tail("web").count("Conflicting lock") == 0


def test_both_servers_move_to_the_refreshed_figures(sites):
    one, two = sites
    code, status = one.call("GET", "/api/v1/analytics/status")
    assert code == 200 and status["pending_changes"] == 0, status
    code, units = one.call("GET", "/api/v1/units?level=commune&as_of=2012-12-31&limit=1")
    commune = units["items"][0]
    value = {"unit": commune["code"], "indicator": "CTX.HOUSEHOLDS", "period": "1999", "value": 4321}
    body = json.dumps({"values": [value]}).encode()
    code, imported = one.call("POST", "/api/v1/dataValueSets", body)
    assert code in (200, 202), imported
    question = f"/api/v1/analytics/figure?unit={commune['id']}&indicator=CTX.HOUSEHOLDS&period=1999"
    deadline = time.monotonic() + 120
    while True:
        seen = [site.call("GET", question) for site in (one, two)]
        if all(code == 200 and body["value"] == 4321 for code, body in seen):
            break
        # Until the worker's refresh is published the store has no figure of that year yet.
        assert all(code in (200, 404) for code, _b in seen), seen
        assert time.monotonic() < deadline, (seen, one.tail("worker"))
        time.sleep(0.3)
