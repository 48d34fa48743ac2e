"""Keeping the portal's summary of public figures: the worker counts, pages only ask for it."""

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from dxmonitor.collection.models import Value, ValueChange
from dxmonitor.workflow.models import ReportEvent

from .models import PublicSummary
from .queries import public_filter

if TYPE_CHECKING:
    from dxmonitor.jobs.models import Job

KIND = "portal.summarise"


def _marks() -> tuple[int, int]:
    changes = ValueChange.objects.aggregate(top=Max("id"))["top"] or 0
    events = ReportEvent.objects.aggregate(top=Max("id"))["top"] or 0
    return changes, events


def summarise() -> PublicSummary:
    """Count every public figure, in all and by indicator (a scan of the values: the worker's job)."""
    changes, events = _marks()
    public = Value.objects.filter(public_filter()).order_by()
    totals = public.aggregate(
        real=Count("id", filter=Q(is_synthetic=False)),
        synthetic=Count("id", filter=Q(is_synthetic=True)),
        units=Count("unit_id", distinct=True),
        documents=Count("document_id", distinct=True),
    )
    rows = public.values("indicator_id").annotate(
        real=Count("id", filter=Q(is_synthetic=False)),
        synthetic=Count("id", filter=Q(is_synthetic=True)),
        units=Count("unit_id", distinct=True),
        # Codes sort as their periods do within a year (2024 < 2024Q3 < 2025): the latest.
        latest=Max("period"),
    )
    with transaction.atomic():
        PublicSummary.objects.all().delete()
        return PublicSummary.objects.create(
            computed_at=timezone.now(),
            changes_upto=changes,
            events_upto=events,
            counts={k: v or 0 for k, v in totals.items()},
            indicators=[{**row, "latest": row["latest"] or ""} for row in rows],
        )


def request_summary() -> "Job | None":
    """Before a page shows the summary: when values changed or reports were published since it
    was counted, have the worker count again (at once where jobs run in the caller's process),
    unless that is already queued. The page shows the summary as it is."""
    from dxmonitor.jobs.actions import enqueue
    from dxmonitor.jobs.models import Job

    latest = PublicSummary.objects.order_by("-id").first()
    changes, events = _marks()
    if latest is not None and latest.changes_upto >= changes and latest.events_upto >= events:
        return None
    waiting = Job.objects.filter(kind=KIND, status=Job.Status.QUEUED).first()
    return waiting or enqueue(kind=KIND)
