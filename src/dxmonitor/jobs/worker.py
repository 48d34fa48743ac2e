"""`dxmonitor worker`: take jobs from the queue one at a time and run them, until stopped.

The queue is django-tasks' database backend; claiming an entry is its `select_for_update
(skip_locked)` (an exclusive transaction on SQLite), so any number of workers share one queue.
Between jobs a worker also puts back the jobs of dead processes (`recover_jobs`) and, unless
told not to, plays scheduler (`schedule.tick`): each slot of a periodic job runs once whatever
the number of workers, because the slot is a unique row.

SIGTERM or Ctrl+C stops the worker; a job it was running goes back to the queue at once, its
attempt not counted (another worker, or this one restarted, runs it again from the start).
"""

import logging
import os
import signal
import socket
import time
from types import FrameType

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection, connections
from django.utils import timezone

from .actions import WorkerStopping, recover_jobs
from .models import Worker
from .runtime import Heartbeat, name_worker
from .wakeup import Waiter

logger = logging.getLogger(__name__)

RECOVER_EVERY = 5.0
SCHEDULE_EVERY = 20.0


def _tidy_connections() -> None:
    # As Django does around a request. Not inside a transaction (a test): that would close it.
    if not connection.in_atomic_block:
        close_old_connections()


class JobWorker:
    def __init__(
        self, *, poll: float | None = None, schedule: bool = True, burst: bool = False, say=None
    ) -> None:
        self.poll = settings.DXM_WORKER_POLL_SECONDS if poll is None else poll
        self.schedule = schedule
        self.burst = burst
        self.say = say or (lambda _message: None)
        self.stopping = False
        self.busy = False
        self.jobs_run = 0
        self._recovered_at = 0.0
        self._scheduled_at = 0.0

    # --- signals ---------------------------------------------------------------------------

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        first = not self.stopping
        self.stopping = True
        if self.busy:
            # Interrupt the running job: it goes back to the queue (see actions.run_job).
            raise WorkerStopping()
        if not first:
            raise SystemExit(1)

    def _install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)

    # --- the loop ----------------------------------------------------------------------------

    def run(self) -> int:
        from django_tasks_db.management.commands.db_worker import Worker as QueueWorker

        self.id = name_worker()
        now = timezone.now()
        Worker.objects.create(
            id=self.id, host=socket.gethostname()[:255], pid=os.getpid(), started_at=now, beat_at=now
        )
        runner = QueueWorker(
            queue_names=["*"],
            interval=self.poll,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=self.id,
            excluded_queue_names=[],
        )
        # Inside a transaction (a test) another connection could not see the worker's row.
        heartbeat = None if connection.in_atomic_block else Heartbeat(worker_id=self.id).start()
        waiter: Waiter | None = None
        self._install_signals()
        self.say(f"worker {self.id} waiting for jobs")
        try:
            while not self.stopping:
                self._maintain()
                entry = self._claim()
                if entry is not None:
                    self._run(runner, entry)
                    continue
                if self.burst:
                    break
                waiter = waiter or Waiter()
                waiter.wait(self.poll)
        except WorkerStopping:
            pass
        finally:
            if heartbeat is not None:
                heartbeat.stop()
            if waiter is not None:
                waiter.close()
            _tidy_connections()
            Worker.objects.filter(pk=self.id).update(stopped_at=timezone.now(), job=None)
            if not connection.in_atomic_block:
                connections.close_all()
        self.say(f"worker {self.id} stopped after {self.jobs_run} jobs")
        return 0

    def _run(self, runner, entry) -> None:
        from .models import Job

        job_id = (entry.args_kwargs.get("args") or [None])[0]
        Worker.objects.filter(pk=self.id).update(job=Job.objects.filter(pk=job_id).first())
        self.busy = True
        try:
            runner.run_task(entry)
        finally:
            self.busy = False
            self.jobs_run += 1
        Worker.objects.filter(pk=self.id).update(job=None)
        _tidy_connections()

    def _claim(self):
        from django_tasks_db.models import DBTaskResult
        from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

        _tidy_connections()
        entries = DBTaskResult.objects.ready().filter(backend_name="default")
        try:
            with exclusive_transaction(entries.db):
                entry = entries.get_locked()
                if entry is not None:
                    entry.claim(self.id)
                return entry
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None
            raise

    def _maintain(self) -> None:
        from . import schedule

        now = time.monotonic()
        if now - self._recovered_at >= RECOVER_EVERY:
            self._recovered_at = now
            if recovered := recover_jobs():
                self.say(f"{recovered} jobs of stopped processes queued again or failed")
        if self.schedule and now - self._scheduled_at >= SCHEDULE_EVERY:
            self._scheduled_at = now
            for job in schedule.tick():
                self.say(f"scheduled {job.kind} ({job.pk})")
