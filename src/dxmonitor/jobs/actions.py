"""Every change to jobs: enqueue, run, finish, recover from a dead process, retry, prune.

A job is recorded and enqueued in one transaction, so that a job a request accepted survives a
`kill -9` of that request's process the moment it commits. Running is at-least-once: a job
whose process died is run again from the start (each kind is written to be safe to re-run),
at most `max_attempts` times, after which it fails with the reason.
"""

import datetime
import logging
import uuid
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from dxmonitor.accounts.queries import can_administer
from dxmonitor.common.errors import DomainError, Forbidden, NotFound
from dxmonitor.common.users import AnyUser

from .models import Job
from .registry import KINDS, Context
from .runtime import lease, leased

logger = logging.getLogger(__name__)

PROGRESS_EVERY = datetime.timedelta(milliseconds=500)


class JobConflict(DomainError):
    status = 409


class WorkerStopping(BaseException):
    """Raised in a running job when its worker is asked to stop: the job goes back to the queue."""


def enqueue(
    *,
    kind: str,
    user: AnyUser | None = None,
    arguments: dict[str, Any] | None = None,
    total: int | None = None,
    job_id: uuid.UUID | None = None,
) -> Job:
    """Record a job and put it in the queue, both or neither."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown kind of job {kind!r}")
    with transaction.atomic():
        job = Job.objects.create(
            id=job_id or uuid.uuid4(),
            kind=kind,
            user=user,
            arguments=arguments or {},
            total=total,
            max_attempts=spec.max_attempts,
        )
        _dispatch(job)
    job.refresh_from_db()
    return job


def _dispatch(job: Job) -> None:
    from . import tasks
    from .wakeup import notify_workers

    spec = KINDS[job.kind]
    queued = tasks.run.using(priority=spec.priority).enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_id=str(queued.id)[:64])
    notify_workers()


def run_job(*, job_id: str, worker: str) -> str:
    """Run a queued job here. A job no longer queued (done, or taken by another process meanwhile)
    is left alone: the queue may hand the same job out twice, the job row decides."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("user").filter(pk=job_id).first()
        if job is None or job.status != Job.Status.QUEUED:
            return "skipped"
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.worker = worker[:100]
        job.started_at = now
        job.finished_at = None
        job.lease_until = now + lease()
        job.error = job.error_vi = ""
        job.save(
            update_fields=[
                "status",
                "attempts",
                "worker",
                "started_at",
                "finished_at",
                "lease_until",
                "error",
                "error_vi",
            ]
        )
    spec = KINDS.get(job.kind)
    with leased(str(job.pk)):
        try:
            if spec is None:
                raise DomainError(
                    f"this kind of job ({job.kind}) is not known to this version",
                    f"Phiên bản này không biết loại việc {job.kind}",
                )
            result = spec.run(Context(job, _progress_reporter(job))) or {}
        except WorkerStopping:
            _release(job)
            raise
        except DomainError as exc:
            _finish(job, status=Job.Status.FAILED, error=exc.message_en, error_vi=exc.message_vi)
            return "failed"
        except Exception as exc:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            _finish(
                job,
                status=Job.Status.FAILED,
                error=f"internal error: {type(exc).__name__}: {exc}"[:2000],
                error_vi=f"Lỗi hệ thống: {type(exc).__name__}: {exc}"[:2000],
            )
            return "failed"
    _finish(job, status=Job.Status.DONE, result=result)
    return "done"


def _progress_reporter(job: Job):
    last = [timezone.now() - PROGRESS_EVERY]

    def report(done: int, total: int | None) -> None:
        now = timezone.now()
        if now - last[0] < PROGRESS_EVERY and (total is None or done < total):
            return
        last[0] = now
        fields: dict[str, Any] = {"done": done}
        if total is not None:
            fields["total"] = total
        Job.objects.filter(pk=job.pk, worker=job.worker).update(**fields)

    return report


def _finish(
    job: Job, *, status: str, result: dict | None = None, error: str = "", error_vi: str = ""
) -> None:
    fields: dict[str, Any] = {
        "status": status,
        "finished_at": timezone.now(),
        "lease_until": None,
        "error": error,
        "error_vi": error_vi,
    }
    if result is not None:
        fields["result"] = result
    # Only the process that holds the job records its end: one that lost its lease meanwhile
    # (a stall long enough for another worker to take the job over) must not overwrite it.
    Job.objects.filter(pk=job.pk, worker=job.worker, status=Job.Status.RUNNING).update(**fields)


def _release(job: Job) -> None:
    """Back to the queue, this attempt not counted: its worker was asked to stop."""
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, worker=job.worker, status=Job.Status.RUNNING).update(
            status=Job.Status.QUEUED, attempts=max(job.attempts - 1, 0), worker="", lease_until=None
        )
        if updated:
            _dispatch(Job.objects.get(pk=job.pk))


def recover_jobs(*, now: datetime.datetime | None = None) -> int:
    """Put back in the queue the jobs whose process died (their lease ran out), or fail them
    with the reason once they have used their attempts. Safe to run from many workers at once."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    recovered = 0
    with transaction.atomic():
        stale = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=Job.Status.RUNNING, lease_until__lt=now)
            .order_by("lease_until")[:100]
        )
        for job in stale:
            DBTaskResult.objects.filter(pk=_uuid(job.task_id), status="RUNNING").update(
                status="FAILED",
                finished_at=now,
                exception_class_path="dxmonitor.jobs.WorkerLost",
                traceback=f"worker {job.worker} stopped while running the job",
            )
            if job.attempts >= job.max_attempts:
                job.status = Job.Status.FAILED
                job.finished_at = now
                job.error = (
                    f"the process running this job stopped {job.attempts} times before it ended; "
                    "retry it once the cause is fixed"
                )
                job.error_vi = (
                    f"Tiến trình chạy việc này đã dừng {job.attempts} lần trước khi xong; "
                    "hãy chạy lại khi đã khắc phục nguyên nhân"
                )
                job.lease_until = None
                job.save(update_fields=["status", "finished_at", "error", "error_vi", "lease_until"])
            else:
                logger.warning("job %s (%s): worker %s stopped; queued again", job.pk, job.kind, job.worker)
                job.status = Job.Status.QUEUED
                job.worker = ""
                job.lease_until = None
                job.save(update_fields=["status", "worker", "lease_until"])
                _dispatch(job)
            recovered += 1
    return recovered


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return None


def get_job(*, job_id: uuid.UUID | str, user: AnyUser) -> Job:
    """A job, for its owner or an administrator; anyone else is told it does not exist."""
    job = Job.objects.select_related("user").filter(pk=_uuid(str(job_id))).first()
    if job is None or (job.user_id != user.pk and not can_administer(user)):
        raise NotFound(f"no job {job_id}", f"Không có việc {job_id}")
    return job


def retry_job(*, job: Job, user: AnyUser) -> Job:
    """Run a failed job again from the start, for its owner or an administrator."""
    if job.user_id != user.pk and not can_administer(user):
        raise Forbidden(
            "only the owner of a job or an administrator can retry it",
            "Chỉ người tạo việc hoặc quản trị viên được chạy lại việc này",
        )
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status != Job.Status.FAILED:
            raise JobConflict(
                f"only a failed job can be retried; this one is {locked.status}",
                "Chỉ chạy lại được việc đã thất bại",
                field="job",
            )
        locked.status = Job.Status.QUEUED
        locked.attempts = 0
        locked.done = 0
        locked.error = locked.error_vi = ""
        locked.worker = ""
        locked.finished_at = None
        locked.save(
            update_fields=["status", "attempts", "done", "error", "error_vi", "worker", "finished_at"]
        )
        _dispatch(locked)
    locked.refresh_from_db()
    return locked


def prune_jobs(*, keep_days: int) -> dict[str, int]:
    """Remove finished jobs and queue entries older than `keep_days`."""
    from django_tasks_db.models import DBTaskResult

    before = timezone.now() - datetime.timedelta(days=keep_days)
    jobs, _ = Job.objects.filter(
        status__in=(Job.Status.DONE, Job.Status.FAILED), finished_at__lt=before
    ).delete()
    tasks, _ = DBTaskResult.objects.finished().filter(finished_at__lt=before).delete()
    return {"jobs": jobs, "queue_entries": tasks}


def in_transaction() -> bool:
    return connection.in_atomic_block
