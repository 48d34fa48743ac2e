"""The browser suite: a real dxmonitor demo server driven by Debian's Chromium through Playwright.

Once per run: a fresh var folder gets `dxmonitor demo --no-serve` (every administrative unit,
the catalogue, the five seed articles and the synthetic data), then `dxmonitor serve` runs on a
free port of 127.0.0.1 on its own SQLite file, whatever DATABASE_URL the surrounding run uses.

Every page a test opens is watched: console errors, uncaught exceptions, failed requests, answers
of 500 and above, and any request to a host other than 127.0.0.1 (the product works offline, no
CDN; such requests are blocked and reported). Screenshots go to test-artifacts/<run>/, where
<run> is DXM_TEST_RUN or a timestamp; the server's log is kept there too.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium calls Google hosts, which a closed network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"
DEMO_TIMEOUT = 180
START_TIMEOUT = 90  # the first page warms the analytics store; slow on a busy machine
REPO = Path(__file__).resolve().parents[2]


def _require(config: pytest.Config, condition: bool, reason: str) -> None:
    """The root conftest's require(): skip when missing, fail under CI=true."""
    root_conftest = REPO / "conftest.py"
    module = config.pluginmanager.get_plugin(str(root_conftest))
    if module is None:  # run from elsewhere: load the same helper by path
        spec = importlib.util.spec_from_file_location("dxm_root_conftest", root_conftest)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    module.require(condition, reason)


def _run_name() -> str:
    from dxm_clock import real_now  # the suite's clock is pinned: names come from the machine's

    name = os.environ.get("DXM_TEST_RUN") or real_now().strftime("%Y%m%d-%H%M%S")
    return re.sub(r"[^\w.-]+", "-", name)


@pytest.fixture(scope="session")
def artifacts(pytestconfig: pytest.Config) -> Path:
    folder = REPO / "test-artifacts" / _run_name()
    folder.mkdir(parents=True, exist_ok=True)
    pytestconfig.stash[ARTIFACTS_KEY] = folder
    return folder


ARTIFACTS_KEY = pytest.StashKey[Path]()


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    folder = config.stash.get(ARTIFACTS_KEY, None)
    if folder is not None:
        shots = len(list(folder.glob("*.png")))
        terminalreporter.write_line(f"browser suite: {shots} screenshots and the server log in {folder}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCAL_HOST, 0))
        return sock.getsockname()[1]


def _dxmonitor_command() -> list[str]:
    script = Path(sys.executable).with_name("dxmonitor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dxmonitor.cli"]


@dataclass
class Server:
    url: str
    var_dir: Path
    username: str
    password: str

    def at(self, path: str) -> str:
        return self.url.rstrip("/") + path


@pytest.fixture(scope="session")
def server(pytestconfig: pytest.Config, artifacts: Path) -> Iterator[Server]:
    var_dir = Path(tempfile.mkdtemp(prefix="dxm-browser-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DXM_SECRET_KEY"}}
    env.update(DXM_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="dxmonitor.settings", PYTHONUNBUFFERED="1")
    command = _dxmonitor_command()
    log_path = artifacts / "server.log"
    process = None
    try:
        with log_path.open("w", encoding="utf-8") as log:
            demo = subprocess.run(
                [*command, "demo", "--no-serve"],
                cwd=var_dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=DEMO_TIMEOUT,
                check=False,
            )
        assert demo.returncode == 0, f"dxmonitor demo --no-serve failed, see {log_path}"
        username, _, password = (
            (var_dir / "demo-login.txt").read_text(encoding="utf-8").strip().partition(" ")
        )
        assert username and password, "demo-login.txt does not hold 'username password'"

        port = _free_port()
        url = f"http://{LOCAL_HOST}:{port}/"
        log = log_path.open("a", encoding="utf-8")
        process = subprocess.Popen(
            [*command, "serve", "--host", LOCAL_HOST, "--port", str(port)],
            cwd=var_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, f"dxmonitor serve exited with {process.returncode}, see {log_path}"
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            assert time.monotonic() < deadline, f"dxmonitor serve did not answer within {START_TIMEOUT} s"
            time.sleep(0.2)
        yield Server(url=url, var_dir=var_dir, username=username, password=password)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(var_dir, ignore_errors=True)


def _json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="session")
def server_json(server: Server):
    """GET a path of the API and decode it."""
    return lambda path: _json(server.at(path))


@pytest.fixture(scope="session")
def places(server: Server) -> dict[str, str]:
    """Paths of the pages the tests visit, found through the API rather than fixed ids."""
    tua_chua = next(
        u
        for u in _json(server.at("/api/v1/search?q=tua+chua"))["units"]["items"]
        if u["name"] == "Huyện Tủa Chùa"
    )
    hua_na = next(
        u
        for u in _json(server.at("/api/v1/search?q=xa+hua+na"))["units"]["items"]
        if u["name"] == "Xã Hua Nà" and u["structure"] == "legacy"
    )
    broadband = _json(server.at(f"/api/v1/values?unit={tua_chua['id']}&indicator=INF.HOUSEHOLD_FIXED_BB"))
    return {
        "tua_chua": tua_chua["url"],
        "hua_na": hua_na["url"],
        "document": broadband["items"][0]["provenance"]["document"]["url"],
    }


@pytest.fixture(scope="session")
def browser(pytestconfig: pytest.Config):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _require(pytestconfig, False, f"the playwright package is not installed ({exc})")
    _require(
        pytestconfig,
        CHROMIUM.exists(),
        f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)",
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watch:
    """What went wrong while a page was open."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [
            *(f"console error: {m}" for m in self.console_errors),
            *(f"uncaught exception: {m}" for m in self.page_errors),
            *(f"request failed: {m}" for m in self.failed_requests),
            *(f"server error: {m}" for m in self.server_errors),
            *(f"request to another host: {m}" for m in self.foreign_requests),
        ]

    def clear(self) -> None:
        for bucket in (
            self.console_errors,
            self.page_errors,
            self.failed_requests,
            self.server_errors,
            self.foreign_requests,
        ):
            bucket.clear()


class Web:
    """A fresh browser context on the demo server, with its watch and a screenshot helper."""

    def __init__(self, page, server: Server, watch: Watch, artifacts: Path, test_name: str) -> None:
        self.page = page
        self.server = server
        self.watch = watch
        self.artifacts = artifacts
        self.test_name = re.sub(r"[^\w.-]+", "-", test_name).strip("-")

    def url(self, path: str) -> str:
        return self.server.at(path)

    def goto(self, path: str):
        response = self.page.goto(self.url(path), wait_until="load")
        assert response is not None, f"no response for {path}"
        return response

    def shot(self, label: str, *, full_page: bool = True) -> Path:
        safe_label = re.sub(r"[^\w.-]+", "-", label)
        path = self.artifacts / f"{self.test_name}--{safe_label}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def assert_clean(self, where: str = "") -> None:
        problems = self.watch.problems()
        assert not problems, f"{where or self.page.url}:\n  " + "\n  ".join(problems)


def _watch(context, page, watch: Watch) -> None:
    def route(route) -> None:
        host = urlsplit(route.request.url).hostname
        if host == LOCAL_HOST:
            route.continue_()
        else:
            watch.foreign_requests.append(route.request.url)
            route.abort("blockedbyclient")

    context.route(re.compile(r"^(https?|wss?)://"), route)
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and watch.console_errors.append(f"{message.text} ({message.location.get('url', '')})")
        ),
    )
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    page.on(
        "requestfailed",
        lambda request: (
            urlsplit(request.url).hostname == LOCAL_HOST
            and watch.failed_requests.append(f"{request.method} {request.url}: {request.failure}")
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 500
            and watch.server_errors.append(f"{response.status} {response.request.method} {response.url}")
        ),
    )


def _open(browser, server: Server, artifacts: Path, name: str, **context_options) -> Iterator[Web]:
    context = browser.new_context(locale="vi-VN", **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch = Watch()
    _watch(context, page, watch)
    try:
        yield Web(page, server, watch, artifacts, name)
    finally:
        context.close()
    problems = watch.problems()
    if problems:
        pytest.fail(f"{name}: the browser reported problems:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def web(browser, server: Server, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Web]:
    yield from _open(browser, server, artifacts, request.node.name)


@pytest.fixture
def phone(browser, server: Server, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Web]:
    yield from _open(
        browser,
        server,
        artifacts,
        request.node.name,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
