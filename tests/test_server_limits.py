"""The production server stays up under slow clients: 100 connections trickling one byte a
second, without signing in, do not stop others from being served, and a request whose headers or
body do not arrive in time is cut off (issue: slow connections exhausting the server).

`dxmonitor serve --no-worker` runs on a fresh var folder (only migrated: no data is needed) with
short limits (headers 2 s, body 3 s plus one second per KB received).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

HOST = "127.0.0.1"
TRICKLERS = 100


def _command() -> list[str]:
    script = Path(sys.executable).with_name("dxmonitor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dxmonitor.cli"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    var_dir = Path(tempfile.mkdtemp(prefix="dxm-limits-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DXM_SECRET_KEY"}}
    env.update(
        DXM_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="dxmonitor.settings",
        PYTHONUNBUFFERED="1",
        DXM_HEADER_TIMEOUT="2",
        DXM_BODY_TIMEOUT="3",
        DXM_BODY_MIN_RATE="1024",
        DXM_WEB_THREADS="4",
    )
    log_path = var_dir / "server.log"
    process = None
    try:
        with log_path.open("w", encoding="utf-8") as log:
            subprocess.run(
                [*_command(), "migrate"], cwd=var_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
                timeout=300, check=True,
            )  # fmt: skip
            port = _free_port()
            process = subprocess.Popen(
                [*_command(), "serve", "--no-worker", "--host", HOST, "--port", str(port)],
                cwd=var_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        url = f"http://{HOST}:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text(encoding="utf-8")[-3000:]
            try:
                with urllib.request.urlopen(url + "/login/", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, "dxmonitor serve did not answer"
                time.sleep(0.2)
        yield url
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(var_dir, ignore_errors=True)


class Trickle:
    """Connections that send one byte a second; records when the server closes each."""

    def __init__(self, port: int, *, opening: bytes, count: int = TRICKLERS) -> None:
        self.sockets = []
        for _ in range(count):
            sock = socket.create_connection((HOST, port), timeout=5)
            if opening:
                sock.sendall(opening)
            self.sockets.append(sock)
        self.started = time.monotonic()
        self.closed_after: list[float] = []
        self.answers: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        open_ = list(self.sockets)
        while open_ and not self._stop.wait(1.0):
            for sock in list(open_):
                try:
                    sock.sendall(b"x")
                    sock.setblocking(False)
                    try:
                        data = sock.recv(4096)
                    except BlockingIOError:
                        data = None
                    finally:
                        sock.setblocking(True)
                    if data is None:
                        continue
                    if data:
                        self.answers.append(data)
                    raise ConnectionResetError  # the server answered or closed
                except OSError:
                    self.closed_after.append(time.monotonic() - self.started)
                    open_.remove(sock)
                    sock.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        for sock in self.sockets:
            sock.close()


def _served_meanwhile(url: str, seconds: float) -> list[float]:
    """Plain page loads while the tricklers hold their connections: each one's time."""
    took = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        with urllib.request.urlopen(url + "/login/", timeout=10) as response:
            assert response.status == 200
            response.read()
        took.append(time.monotonic() - started)
        time.sleep(0.25)
    return took


@pytest.mark.parametrize(
    ("what", "opening", "limit"),
    [
        ("headers", b"GET /login/ HTTP/1.1\r\nHost: x\r\n", 2),
        ("body", b"POST /login/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
                 b"Content-Type: application/x-www-form-urlencoded\r\n\r\n", 3),
    ],
)  # fmt: skip
def test_trickling_clients_neither_block_others_nor_stay_connected(server, what, opening, limit):
    port = int(server.rsplit(":", 1)[1])
    trickle = Trickle(port, opening=opening)
    try:
        took = _served_meanwhile(server, seconds=limit + 2)
        assert len(took) >= 4 and max(took) < 2, f"others waited {max(took):.2f} s while {what} trickled"
        deadline = time.monotonic() + limit + 15
        while len(trickle.closed_after) < TRICKLERS and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        trickle.stop()
    assert len(trickle.closed_after) == TRICKLERS, f"{TRICKLERS - len(trickle.closed_after)} still connected"
    assert max(trickle.closed_after) < limit + 10
    if what == "body":
        assert trickle.answers and all(a.startswith(b"HTTP/1.1 408") for a in trickle.answers), (
            trickle.answers[:1]
        )


def test_an_honest_upload_and_a_download_pass_through_whole(server):
    body = b"username=a&password=" + b"x" * 300_000
    request = urllib.request.Request(server + "/login/", data=body, method="POST")
    try:
        urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:
        assert error.code == 403, error  # read whole, then refused for its missing CSRF token
    with urllib.request.urlopen(server + "/api/v1/openapi.json", timeout=60) as response:
        assert response.status == 200 and len(response.read()) > 10_000
    with urllib.request.urlopen(
        server + "/api/v1/units?q=" + "%C4%90%C3%A0%20N%E1%BA%B5ng", timeout=30
    ) as response:
        assert response.status == 200
