"""`dxmonitor serve`: granian's worker processes serving Django, and a job worker beside them.

Granian (a Rust HTTP server) accepts connections, reads headers with a deadline and runs the
ASGI bridge (bridge.py) in each of its processes; Django runs on a bounded pool of threads in
each. Unless told otherwise, `serve` also starts one `dxmonitor worker` as its child (it stops
with the server, and is started again if it dies), so that one command runs the whole product;
in production the workers run as their own services (docs/deployment.md).
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # The worker stops (SIGTERM: its job goes back to the queue) when `serve` dies, even by kill -9.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class WorkerChild:
    """One `dxmonitor worker` process, started again after it dies (at most once every 5 s)."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.process: subprocess.Popen | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="dxm-worker-watch", daemon=True)

    def _start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dxmonitor.cli", "worker"],
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )

    def start(self) -> "WorkerChild":
        self._start()
        self.thread.start()
        return self

    def _watch(self) -> None:
        while not self.stopping.wait(1.0):
            if self.process is not None and self.process.poll() is not None:
                self.say(f"the job worker stopped (exit {self.process.returncode}); starting it again")
                time.sleep(4)
                if not self.stopping.is_set():
                    self._start()

    def stop(self) -> None:
        self.stopping.set()
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def serve(
    *, host: str, port: int, processes: int, threads: int, with_worker: bool, say: Callable[[str], None]
) -> int:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings

    os.environ["DXM_WEB_THREADS"] = str(threads)
    # Granian forks its processes: none may inherit this process's database connections, nor
    # its handles on the analytics store.
    connections.close_all()
    from dxmonitor.analytics import store

    store.close_all()
    worker = WorkerChild(say).start() if with_worker else None
    server = Granian(
        "dxmonitor.server.asgi:application",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=processes,
        http=HTTPModes.auto,
        websockets=False,
        backlog=settings.DXM_WEB_BACKLOG,
        http1_settings=HTTP1Settings(header_read_timeout=int(settings.DXM_HEADER_TIMEOUT * 1000)),
        respawn_failed_workers=True,
        log_level="warning",
    )
    try:
        server.serve()
    finally:
        if worker is not None:
            worker.stop()
    return 0
