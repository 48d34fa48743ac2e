"""Who is running jobs in this process, and the heartbeat that keeps their leases.

A worker process names itself once (host, pid and a random suffix); a job run anywhere else
(the task backend running it at once, in tests) is run by "inline:<pid>". While a job runs, a
thread extends its lease every `LEASE / 4` seconds, on its own database connection.
"""

import datetime
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

_worker_id: str | None = None


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.DXM_JOB_LEASE_SECONDS)


def name_worker() -> str:
    global _worker_id
    _worker_id = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    return _worker_id


def current_worker() -> str:
    return _worker_id or f"inline:{os.getpid()}"


class Heartbeat:
    """Extends the lease of the job being run (and the worker's own beat) until stopped."""

    def __init__(self, *, job_id: str | None = None, worker_id: str | None = None) -> None:
        self.job_id = job_id
        self.worker_id = worker_id
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        from .models import Job, Worker

        now = timezone.now()
        if self.job_id:
            Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(lease_until=now + lease())
        if self.worker_id:
            Worker.objects.filter(pk=self.worker_id).update(beat_at=now)

    def _run(self) -> None:
        interval = settings.DXM_JOB_LEASE_SECONDS / 4
        try:
            while not self._stop.wait(interval):
                try:
                    self.beat()
                except Exception:  # a database hiccup: the next beat tries again
                    connections.close_all()
        finally:
            connections.close_all()

    def start(self) -> "Heartbeat":
        self._thread = threading.Thread(target=self._run, name="dxm-job-heartbeat", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


@contextmanager
def leased(job_id: str) -> Iterator[None]:
    """Keep the job's lease while the block runs. Inside a transaction (a test, a caller's atomic
    block) no other connection could see the job, so nothing beats: the block holds it anyway."""
    if connection.in_atomic_block:
        yield
        return
    heartbeat = Heartbeat(job_id=job_id).start()
    try:
        yield
    finally:
        heartbeat.stop()
