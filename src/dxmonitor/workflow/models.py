"""A unit's report for a data set and period, and every step it went through."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    # Approved at some of the data set's levels, waiting for the next one.
    APPROVED = "approved", _("approved")
    # Approved at every level: the figures are final.
    LOCKED = "locked", _("approved and locked")


# Reports whose figures no longer change: entry, imports and the API refuse to touch them.
HELD = (ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.LOCKED)
# Reports that count as sent, for completeness.
SENT = HELD


class Report(models.Model):
    dataset = models.ForeignKey("collection.DataSet", on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey("geo.Unit", on_delete=models.PROTECT, related_name="reports")
    period = models.CharField(max_length=8)
    status = models.CharField(max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    is_late = models.BooleanField(default=False, help_text="Submitted after the deadline")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # How many of the data set's approval levels have approved since the last submission.
    approvals = models.PositiveSmallIntegerField(default=0)
    decided_at = models.DateTimeField(null=True, blank=True, help_text="Last approval, return or unlock")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True, help_text="Why it was last returned or unlocked")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "unit", "period"], name="workflow_report_once")
        ]
        ordering = ["-period", "unit_id"]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.unit_id} {self.period} {self.status}"

    @property
    def is_held(self) -> bool:
        return self.status in HELD


class ReportEvent(models.Model):
    """One step of a report: who moved it from which state to which, when and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    is_late = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action}"
