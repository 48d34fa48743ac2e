"""Processes killed with kill -9 lose no job and count no value twice (SQLite and PostgreSQL).

A real site on a fresh var folder (prepared by `dxmonitor demo --no-serve`), on SQLite or, when
the surrounding run uses PostgreSQL, on a fresh database of that server: `dxmonitor serve
--no-worker` answers the API and the test starts, kills and restarts `dxmonitor worker`
processes itself. Leases are short (4 s) so that a dead worker's job is taken over quickly.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

HOST = "127.0.0.1"
INDICATORS = ["CTX.VILLAGES", "CTX.HOUSEHOLDS", "CTX.POPULATION", "CTX.OFFICIALS", "HR.DX_TRAINEES"]


def _command() -> list[str]:
    script = Path(sys.executable).with_name("dxmonitor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dxmonitor.cli"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _postgres(url: str, statement: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(statement)


@dataclass
class Site:
    var_dir: Path
    env: dict
    database_url: str
    token: str = ""
    url: str = ""
    web: subprocess.Popen | None = None
    workers: list[subprocess.Popen] = field(default_factory=list)

    def log(self, name: str):
        return (self.var_dir / f"{name}.log").open("a", encoding="utf-8")

    def start_web(self) -> None:
        port = _free_port()
        self.url = f"http://{HOST}:{port}"
        self.web = subprocess.Popen(
            [*_command(), "serve", "--no-worker", "--host", HOST, "--port", str(port)],
            cwd=self.var_dir,
            env=self.env,
            stdout=self.log("web"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 reaches every web process
        )
        deadline = time.monotonic() + 60
        while True:
            assert self.web.poll() is None, self.tail("web")
            try:
                with urllib.request.urlopen(self.url + "/api/v1/jobs", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # 401: it answers
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, "dxmonitor serve did not answer"
                time.sleep(0.2)

    def kill_web(self) -> None:
        assert self.web is not None
        os.killpg(self.web.pid, signal.SIGKILL)
        self.web.wait()
        self.web = None

    def start_worker(self) -> subprocess.Popen:
        worker = subprocess.Popen(
            [*_command(), "worker", "--no-scheduler"],
            cwd=self.var_dir,
            env=self.env,
            stdout=self.log("worker"),
            stderr=subprocess.STDOUT,
        )
        self.workers.append(worker)
        return worker

    def tail(self, name: str) -> str:
        path = self.var_dir / f"{name}.log"
        return path.read_text(encoding="utf-8")[-3000:] if path.exists() else ""

    def call(self, method: str, path: str, body: bytes | None = None) -> tuple[int, dict]:
        request = urllib.request.Request(self.url + path, data=body, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if body is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def sql(self, statement: str) -> list[tuple]:
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url) as conn:
                return conn.execute(statement).fetchall()
        with sqlite3.connect(self.var_dir / "dxmonitor.sqlite3", timeout=30) as conn:
            return conn.execute(statement).fetchall()

    def wait_job(self, job_id: str, *, until=("done", "failed"), timeout: float = 300) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            code, job = self.call("GET", f"/api/v1/jobs/{job_id}")
            assert code == 200, job
            if job["status"] in until:
                return job
            assert time.monotonic() < deadline, f"job still {job['status']}: {job}\n{self.tail('worker')}"
            time.sleep(0.3)


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    var_dir = Path(tempfile.mkdtemp(prefix="dxm-crash-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DXM_SECRET_KEY"}}
    env.update(
        DXM_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="dxmonitor.settings",
        PYTHONUNBUFFERED="1",
        DXM_JOB_LEASE_SECONDS="4",
        DXM_WORKER_POLL_SECONDS="0.2",
    )
    outer = os.environ.get("DATABASE_URL", "")
    database = ""
    database_url = ""
    if outer.startswith(("postgres://", "postgresql://")):
        database = f"dxm_crash_{os.getpid()}"
        _postgres(outer, f'CREATE DATABASE "{database}"')
        database_url = urlunsplit(urlsplit(outer)._replace(path=f"/{database}"))
        env["DATABASE_URL"] = database_url
    site = Site(var_dir=var_dir, env=env, database_url=database_url)
    try:
        demo = subprocess.run(
            [*_command(), "demo", "--no-serve"],
            cwd=var_dir, env=env, stdout=site.log("demo"), stderr=subprocess.STDOUT, timeout=600, check=False,
        )  # fmt: skip
        assert demo.returncode == 0, site.tail("demo")
        username = (var_dir / "demo-login.txt").read_text(encoding="utf-8").split()[0]
        made = subprocess.run(
            [*_command(), "token", "create", username, "crash-test"],
            cwd=var_dir, env=env, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        site.token = made.stdout.strip().splitlines()[-1]
        site.start_web()
        yield site
    finally:
        for worker in site.workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
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


def _payload(site: Site, periods: list[str]) -> tuple[bytes, int]:
    code, units = site.call("GET", "/api/v1/units?level=commune&as_of=2012-12-31&limit=1000")
    assert code == 200 and len(units["items"]) == 1000
    values = [
        {"unit": unit["code"], "indicator": indicator, "period": period, "value": (n % 97) + 1}
        for n, (period, unit, indicator) in enumerate(
            (p, u, i) for p in periods for u in units["items"] for i in INDICATORS
        )
    ]
    return json.dumps({"values": values}).encode(), len(values)


def _stored(site: Site, periods: list[str]) -> tuple[int, int, int]:
    """Values of these periods, distinct keys among them, and their history rows."""
    listed = ",".join(f"'{p}'" for p in periods)
    values, keys = site.sql(
        "SELECT count(*), count(DISTINCT unit_id || '-' || indicator_id || '-' || period || '-' || kind) "
        f"FROM collection_value WHERE period IN ({listed})"
    )[0]
    (history,) = site.sql(
        "SELECT count(*) FROM collection_valuechange c JOIN collection_value v ON v.id = c.value_id "
        f"WHERE v.period IN ({listed})"
    )[0]
    return values, keys, history


def test_a_queued_job_survives_kill_9_of_the_web_processes(site):
    periods = ["2000", "2001"]
    body, count = _payload(site, periods)
    code, accepted = site.call("POST", "/api/v1/dataValueSets", body)
    assert code == 202, accepted
    site.kill_web()  # no worker runs yet: the job only exists in the database and the spool folder
    worker = site.start_worker()
    site.start_web()
    job = site.wait_job(accepted["id"])
    assert job["status"] == "done", job
    assert job["result"]["created"] == count
    assert _stored(site, periods) == (count, count, count)
    worker.terminate()
    worker.wait(timeout=30)


def test_a_worker_killed_mid_import_is_taken_over_and_every_value_is_there_once(site):
    periods = [str(year) for year in range(2002, 2014)]
    body, count = _payload(site, periods)
    assert count == 60_000
    code, accepted = site.call("POST", "/api/v1/dataValueSets", body)
    assert code == 202, accepted
    first = site.start_worker()
    deadline = time.monotonic() + 300
    while _stored(site, periods)[0] == 0:  # some chunks written, the import not over
        assert first.poll() is None, site.tail("worker")
        assert time.monotonic() < deadline, site.tail("worker")
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    written = _stored(site, periods)[0]
    assert 0 < written < count, f"killed too late: {written} of {count} written"
    _, job = site.call("GET", f"/api/v1/jobs/{accepted['id']}")
    assert job["status"] == "running" and job["attempts"] == 1

    second = site.start_worker()
    job = site.wait_job(accepted["id"])
    assert job["status"] == "done" and job["attempts"] == 2, job
    assert _stored(site, periods) == (count, count, count), "each value once, with one history row"
    _, imported = site.call("GET", accepted["status_url"])
    assert imported["status"] == "done" and imported["processed"] == count
    assert imported["result"]["created"] + imported["result"]["unchanged"] == count
    second.terminate()
    second.wait(timeout=30)


def test_a_corrupt_payload_fails_with_its_reason_and_writes_nothing(site):
    periods = [str(year) for year in range(2014, 2021)]
    body, _count = _payload(site, periods)
    corrupt = body[: len(body) - 5000] + b"]]{{ not json"
    assert len(corrupt) > 2 * 1024 * 1024, "large enough to become a job"
    code, accepted = site.call("POST", "/api/v1/dataValueSets", corrupt)
    assert code == 202, accepted
    worker = site.start_worker()
    job = site.wait_job(accepted["id"])
    assert job["status"] == "failed" and "JSON" in job["error"] and job["error_vi"], job
    assert job["can_retry"] is True
    assert _stored(site, periods) == (0, 0, 0), "nothing half-written"
    worker.terminate()
    worker.wait(timeout=30)


def test_a_second_scheduler_does_not_run_a_periodic_job_twice(site):
    from dxm_clock import real_now  # the anchor is the machine's time, not the pinned one

    env = dict(site.env, DXM_TEST_CLOCK=f"2026-11-21T07:20:00+07:00@{real_now().timestamp()}")
    schedulers = [
        subprocess.Popen(
            [*_command(), "scheduler", "--once"],
            cwd=site.var_dir,
            env=env,
            stdout=site.log("scheduler"),
            stderr=subprocess.STDOUT,
        )
        for _ in range(3)
    ]
    assert [s.wait(timeout=120) for s in schedulers] == [0, 0, 0], site.tail("scheduler")
    runs = site.sql("SELECT name, count(*) FROM jobs_scheduledrun WHERE slot >= '2026-11-21' GROUP BY name")
    assert dict(runs).get("reminders") == 1, (runs, site.tail("scheduler"))
    (reminders,) = site.sql(
        "SELECT count(*) FROM jobs_job WHERE kind = 'reports.remind' "
        "AND CAST(arguments AS TEXT) LIKE '%2026-11-21T07:00%'"
    )[0]
    assert reminders == 1
