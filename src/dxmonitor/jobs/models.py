"""Background jobs as users see them, the workers that run them and the slots of periodic jobs.

The queue itself is django-tasks' database backend (`django_tasks_db.DBTaskResult`): a job is
enqueued there in the same transaction that records it here, so a committed job is never lost.
A `Job` row is what a user follows (kind, owner, progress, reason of a failure) and the lease of
the process running it: the runner extends `lease_until` while it works, and a job still
"running" past its lease belonged to a process that died; a worker puts it back in the queue.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    arguments = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # What the job works through (values, e-mails, units) and how far it got.
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    error_vi = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    # The queue entry of the current attempt (django_tasks_db's DBTaskResult id).
    task_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="jobs_job_user_recent"),
            models.Index(fields=["status", "lease_until"], name="jobs_job_status_lease"),
            models.Index(fields=["-created_at"], name="jobs_job_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.status} {self.done}/{self.total or '?'}"


class Worker(models.Model):
    """A running `dxmonitor worker` process, as its last heartbeat says."""

    id = models.CharField(max_length=100, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return self.id


class ScheduledRun(models.Model):
    """One slot of a periodic job (for example the reminders of 2026-11-20 07:00). The unique
    constraint is what makes a slot run once however many schedulers are running."""

    name = models.CharField(max_length=64)
    slot = models.DateTimeField()
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-slot"]
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="jobs_scheduled_run_once")]

    def __str__(self) -> str:
        return f"{self.name} {self.slot:%Y-%m-%d %H:%M}"
