"""The JSON shape of a job, shared by the API and the job page's twin."""

import datetime

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from dxmonitor.common.api import MAX_LIMIT, MAX_OFFSET

from .models import Job, Worker
from .registry import kind_of


class JobFilter(Schema):
    status: str = Field("", description="queued, running, done or failed; empty: all")
    all: bool = Field(False, description="administrators: everyone's jobs, not only their own")
    limit: int = Field(50, ge=0, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class JobOut(Schema):
    id: str
    kind: str
    title: str
    title_vi: str
    status: str
    user: str | None
    done: int
    total: int | None
    percent: float | None
    attempts: int
    max_attempts: int
    error: str
    error_vi: str
    result: dict
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    can_retry: bool
    url: str
    page_url: str


class WorkerOut(Schema):
    id: str
    host: str
    pid: int
    started_at: datetime.datetime
    beat_at: datetime.datetime
    job: str | None


class JobPage(Schema):
    count: int
    items: list[JobOut]
    queued: int
    running: int
    workers: list[WorkerOut]


def percent(job: Job) -> float | None:
    if not job.total:
        return 100.0 if job.status == Job.Status.DONE else None
    return round(min(job.done, job.total) * 100 / job.total, 1)


def job_out(job: Job, *, may_retry: bool) -> dict:
    kind = kind_of(job.kind)
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "title": kind.title_en if kind else job.kind,
        "title_vi": kind.title_vi if kind else job.kind,
        "status": job.status,
        "user": job.user.get_username() if job.user else None,
        "done": job.done,
        "total": job.total,
        "percent": percent(job),
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "error": job.error,
        "error_vi": job.error_vi,
        "result": job.result or {},
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "can_retry": may_retry and job.status == Job.Status.FAILED,
        "url": reverse("api:job", kwargs={"job_id": job.pk}),
        "page_url": reverse("jobs:detail", kwargs={"job_id": job.pk}),
    }


def worker_out(worker: Worker) -> dict:
    return {
        "id": worker.id,
        "host": worker.host,
        "pid": worker.pid,
        "started_at": worker.started_at,
        "beat_at": worker.beat_at,
        "job": str(worker.job_id) if worker.job_id else None,
    }
