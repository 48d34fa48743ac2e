"""Periodic jobs and the scheduler's tick.

Each periodic job has a daily time (local, Asia/Ho_Chi_Minh) and a grace: a tick between the
slot and the end of its grace enqueues the job once. "Once" holds across any number of
schedulers (every worker ticks unless started with --no-scheduler, and `dxmonitor scheduler`
may run beside them): the slot is inserted as a `ScheduledRun` row whose unique constraint
refuses the second insert, in the same transaction as the job it enqueues. A scheduler that was
down during a whole grace skips that slot rather than running a pile of late ones.

A periodic job whose kind is not installed (for example the expiry of old uploads before that
feature exists) is skipped; `DXM_SCHEDULE_DISABLE` lists the names an operator turned off.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .actions import enqueue
from .models import Job, ScheduledRun
from .registry import KINDS


@dataclass(frozen=True)
class Periodic:
    name: str
    kind: str
    at: datetime.time
    grace: datetime.timedelta
    arguments: dict = field(default_factory=dict)
    description: str = ""
    # Whether it may run at all in this installation (asked at each tick).
    enabled: Callable[[], bool] = lambda: True


def _store_in_worker() -> bool:
    from dxmonitor.analytics.actions import refresh_in_background

    return refresh_in_background()


SCHEDULE: tuple[Periodic, ...] = (
    Periodic(
        "reminders",
        "reports.remind",
        at=datetime.time(7, 0),
        grace=datetime.timedelta(hours=3),
        arguments={"days": 7},
        description="e-mail each commune its reports due within 7 days or late",
    ),
    Periodic(
        "analytics-rebuild",
        "analytics.refresh",
        at=datetime.time(1, 0),
        grace=datetime.timedelta(hours=4),
        arguments={"full": True},
        description="rebuild the analytics store from the operational database",
        enabled=_store_in_worker,
    ),
    Periodic(
        "checks-scan",
        "checks.scan",
        at=datetime.time(2, 30),
        grace=datetime.timedelta(hours=4),
        description="re-run the validation rules and outlier checks over every unit",
    ),
    Periodic(
        "uploads-expire",
        "files.expire",
        at=datetime.time(3, 30),
        grace=datetime.timedelta(hours=4),
        description="remove uploaded files past their expiry",
    ),
    Periodic(
        "jobs-prune",
        "jobs.prune",
        at=datetime.time(4, 0),
        grace=datetime.timedelta(hours=4),
        description="remove finished jobs and queue entries older than DXM_JOBS_KEEP_DAYS",
    ),
)


def disabled() -> set[str]:
    return {n.strip() for n in settings.DXM_SCHEDULE_DISABLE.split(",") if n.strip()}


def latest_slot(periodic: Periodic, now: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(now)
    slot = local.replace(hour=periodic.at.hour, minute=periodic.at.minute, second=0, microsecond=0)
    if slot > local:
        slot -= datetime.timedelta(days=1)
    return slot


def due(*, now: datetime.datetime | None = None) -> list[tuple[Periodic, datetime.datetime]]:
    now = now or timezone.now()
    off = disabled()
    found = []
    for periodic in SCHEDULE:
        if periodic.name in off or periodic.kind not in KINDS or not periodic.enabled():
            continue
        slot = latest_slot(periodic, now)
        if now - slot <= periodic.grace:
            found.append((periodic, slot))
    return found


def tick(*, now: datetime.datetime | None = None) -> list[Job]:
    """Enqueue the periodic jobs whose slot has come and that no scheduler enqueued yet."""
    started = []
    for periodic, slot in due(now=now):
        if ScheduledRun.objects.filter(name=periodic.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=periodic.name, slot=slot)
                job = enqueue(
                    kind=periodic.kind,
                    arguments={**periodic.arguments, "slot": slot.isoformat()},
                )
                run.job = job
                run.save(update_fields=["job"])
        except IntegrityError:
            continue  # another scheduler took this slot first
        started.append(job)
    return started


def describe(*, now: datetime.datetime | None = None) -> list[dict]:
    """The schedule as an operator reads it: each periodic job, its next slot, whether it runs here."""
    now = now or timezone.now()
    off = disabled()
    rows = []
    for periodic in SCHEDULE:
        last = ScheduledRun.objects.filter(name=periodic.name).select_related("job").first()
        rows.append(
            {
                "name": periodic.name,
                "kind": periodic.kind,
                "at": periodic.at.strftime("%H:%M"),
                "description": periodic.description,
                "active": periodic.name not in off and periodic.kind in KINDS and periodic.enabled(),
                "next": latest_slot(periodic, now) + datetime.timedelta(days=1),
                "last_slot": last.slot if last else None,
                "last_job": last.job if last else None,
            }
        )
    return rows
