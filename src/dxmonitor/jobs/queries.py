"""Reading jobs: a user's own, or everyone's for administrators; the workers alive."""

import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from dxmonitor.accounts.queries import can_administer
from dxmonitor.common.errors import DomainError
from dxmonitor.common.users import AnyUser

from .models import Job, Worker

LIMIT = 50


def jobs_for(*, user: AnyUser, status: str = "", everyone: bool = False) -> QuerySet[Job]:
    """Newest first. Administrators see everyone's with `everyone`; others only their own."""
    if status and status not in Job.Status.values:
        raise DomainError(
            f"status must be one of {', '.join(Job.Status.values)}",
            f"Trạng thái phải là một trong {', '.join(Job.Status.values)}",
            field="status",
        )
    found = Job.objects.select_related("user").order_by("-created_at")
    if not (everyone and can_administer(user)):
        found = found.filter(user=user)
    if status:
        found = found.filter(status=status)
    return found


def workers_alive(*, now: datetime.datetime | None = None) -> list[Worker]:
    """Workers whose heartbeat is fresher than a lease."""
    now = now or timezone.now()
    since = now - datetime.timedelta(seconds=settings.DXM_JOB_LEASE_SECONDS)
    return list(Worker.objects.filter(beat_at__gte=since, stopped_at__isnull=True).select_related("job"))


def queue_counts() -> dict[str, int]:
    from django.db.models import Count

    counts = dict.fromkeys(Job.Status.values, 0)
    for row in (
        Job.objects.filter(status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
        .values("status")
        .annotate(n=Count("id"))
    ):
        counts[row["status"]] = row["n"]
    return counts
