"""A real `dxmonitor serve` for the tests that drive it from outside, as clients do.

The server runs on a fresh var folder prepared by `dxmonitor demo --no-serve`, on a free port, on
SQLite, or on a fresh PostgreSQL database of the same server when the surrounding run uses
PostgreSQL. `run` runs a `dxmonitor` command against the same folder and database.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HOST = "127.0.0.1"


def command() -> list[str]:
    script = Path(sys.executable).with_name("dxmonitor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dxmonitor.cli"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _postgres(url: str, statement: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(statement)


@dataclass
class LiveServer:
    url: str
    var_dir: Path
    env: dict[str, str]
    username: str
    password: str

    def run(self, *arguments: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [*command(), *arguments],
            cwd=self.var_dir,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done.stdout


@contextlib.contextmanager
def live_server(prefix: str) -> Iterator[LiveServer]:
    var_dir = Path(tempfile.mkdtemp(prefix=f"dxm-{prefix}-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DXM_SECRET_KEY"}}
    env.update(DXM_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="dxmonitor.settings", PYTHONUNBUFFERED="1")
    outer = os.environ.get("DATABASE_URL", "")
    database = ""
    if outer.startswith(("postgres://", "postgresql://")):
        database = f"dxm_{prefix.replace('-', '_')}_{os.getpid()}"
        _postgres(outer, f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = urlunsplit(urlsplit(outer)._replace(path=f"/{database}"))
    log_path = var_dir / "server.log"
    process = None
    try:
        with log_path.open("w", encoding="utf-8") as log:
            demo = subprocess.run(
                [*command(), "demo", "--no-serve"],
                cwd=var_dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=300,
                check=False,
            )
        assert demo.returncode == 0, log_path.read_text(encoding="utf-8")[-3000:]
        username, _, password = (
            (var_dir / "demo-login.txt").read_text(encoding="utf-8").strip().partition(" ")
        )
        port = free_port()
        with log_path.open("a", encoding="utf-8") as log:
            process = subprocess.Popen(
                [*command(), "serve", "--host", HOST, "--port", str(port)],
                cwd=var_dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        url = f"http://{HOST}:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log_path.read_text(encoding="utf-8")[-3000:]
            try:
                with urllib.request.urlopen(url + "/api/system/ping", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, "dxmonitor serve did not answer"
                time.sleep(0.2)
        yield LiveServer(url=url, var_dir=var_dir, env=env, username=username, password=password)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if database:
            _postgres(outer, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(var_dir, ignore_errors=True)
