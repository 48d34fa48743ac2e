"""Pages of background jobs: the list (one's own; everyone's for administrators), one job with
its progress or the reason it failed, and retrying a failed one. JSON twins are in `api.py`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxmonitor.accounts.queries import can_administer
from dxmonitor.common.errors import DomainError
from dxmonitor.common.language import current_language

from . import actions, queries
from .models import Job
from .schemas import percent

PER_PAGE = 50


def _title(job: Job) -> str:
    from .registry import kind_of

    kind = kind_of(job.kind)
    return kind.title(current_language()) if kind else job.kind


def _row(job: Job, user) -> dict:
    language = current_language()
    return {
        "job": job,
        "title": _title(job),
        "percent": percent(job),
        "error": job.error if language.startswith("en") else (job.error_vi or job.error),
        "can_retry": job.status == Job.Status.FAILED and (job.user_id == user.pk or can_administer(user)),
    }


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    is_admin = can_administer(request.user)
    everyone = is_admin and request.GET.get("all") == "1"
    status = request.GET.get("status", "")
    try:
        found = queries.jobs_for(user=request.user, status=status, everyone=everyone)
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
        return redirect("jobs:list")
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    api_url = reverse("api:jobs") + "?" + request.GET.urlencode()
    return render(
        request,
        "jobs/list.html",
        {
            "page": page,
            "rows": [_row(j, request.user) for j in page.object_list],
            "status": status,
            "statuses": Job.Status.choices,
            "everyone": everyone,
            "is_admin": is_admin,
            "counts": queries.queue_counts(),
            "workers": queries.workers_alive(),
            "api_url": api_url.rstrip("?"),
            "watching": any(j.status in (Job.Status.QUEUED, Job.Status.RUNNING) for j in page.object_list),
        },
    )


@login_required
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    try:
        job = actions.get_job(job_id=job_id, user=request.user)
    except DomainError as exc:
        return render(
            request, "jobs/missing.html", {"message": exc.message(current_language())}, status=exc.status
        )
    return render(
        request,
        "jobs/detail.html",
        {
            **_row(job, request.user),
            "workers": queries.workers_alive(),
            "api_url": reverse("api:job", kwargs={"job_id": job.pk}),
            "watching": job.status in (Job.Status.QUEUED, Job.Status.RUNNING),
        },
    )


@require_POST
@login_required
def job_retry(request: HttpRequest, job_id: str) -> HttpResponse:
    try:
        job = actions.retry_job(job=actions.get_job(job_id=job_id, user=request.user), user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
        return redirect("jobs:list")
    messages.success(request, _("The job was queued again."))
    return redirect("jobs:detail", job_id=job.pk)
