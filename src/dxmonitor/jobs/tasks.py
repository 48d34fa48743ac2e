"""The one task the queue carries: run a `Job` by its id. Which work it does is the job's kind."""

from django_tasks import task


@task()
def run(job_id: str) -> str:
    from .actions import run_job
    from .runtime import current_worker

    return run_job(job_id=job_id, worker=current_worker())
