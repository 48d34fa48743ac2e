"""JSON twins of the jobs pages: a user's jobs (everyone's for administrators), one job, retry."""

import uuid

from ninja import Query, Router

from dxmonitor.accounts.api import WRITE_AUTH
from dxmonitor.accounts.queries import can_administer
from dxmonitor.common.api import WRITE_ERRORS, ErrorOut, page
from dxmonitor.common.users import ApiRequest

from . import actions, queries
from .schemas import JobFilter, JobOut, JobPage, job_out, worker_out

router = Router(tags=["jobs"])


def _may_retry(request: ApiRequest, job) -> bool:
    return job.user_id == request.auth.pk or can_administer(request.auth)


@router.get("/jobs", response={200: JobPage, **WRITE_ERRORS}, auth=WRITE_AUTH, url_name="jobs")
def list_jobs(request: ApiRequest, filters: Query[JobFilter]):
    """Background jobs, newest first: the caller's own (with `all`, an administrator sees
    everyone's), with the queue's size and the workers alive (twin of /jobs/)."""
    found = queries.jobs_for(user=request.auth, status=filters.status, everyone=filters.all)
    count, items = page(found, limit=filters.limit, offset=filters.offset)
    counts = queries.queue_counts()
    return {
        "count": count,
        "items": [job_out(j, may_retry=_may_retry(request, j)) for j in items],
        "queued": counts["queued"],
        "running": counts["running"],
        "workers": [worker_out(w) for w in queries.workers_alive()],
    }


@router.get("/jobs/{job_id}", response={200: JobOut, **WRITE_ERRORS}, auth=WRITE_AUTH, url_name="job")
def get_job(request: ApiRequest, job_id: uuid.UUID):
    """One job: its state (queued, running, done, failed), progress, result or the reason it failed."""
    job = actions.get_job(job_id=job_id, user=request.auth)
    return job_out(job, may_retry=_may_retry(request, job))


@router.post(
    "/jobs/{job_id}/retry",
    response={200: JobOut, 409: ErrorOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="job_retry",
)
def retry_job(request: ApiRequest, job_id: uuid.UUID):
    """Run a failed job again from the start (its owner or an administrator); 409 unless it failed."""
    job = actions.retry_job(job=actions.get_job(job_id=job_id, user=request.auth), user=request.auth)
    return job_out(job, may_retry=True)
