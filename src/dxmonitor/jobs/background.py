"""The jobs app's own periodic work: forgetting old jobs."""

from django.conf import settings

from .registry import Context, background


@background("jobs.prune", title_en="Removal of old jobs", title_vi="Dọn các việc cũ", priority=-30)
def prune(context: Context) -> dict:
    from .actions import prune_jobs

    return prune_jobs(keep_days=int(context.arguments.get("keep_days", settings.DXM_JOBS_KEEP_DAYS)))
