"""The yearly assessment cycle of a scoring scheme: a round, each unit's self-assessment with its
evidence, the departments' appraisal, the explanations, the council's decision and publication.

Every step is also written to `Event` (who, when, why, old and new), and a published round is
locked: the actions refuse to change it. Points are always those of the round's scheme version.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A department that appraises a scheme's components (infrastructure, government services …).

    `prefixes` are codes of the scheme's groups or components ("NT.3", "CQS"): a component is
    appraised by the department with the longest prefix it starts with.
    """

    scheme = models.ForeignKey("catalog.ScoringScheme", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=32)
    name_vi = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    prefixes = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="assessment_department_code")]
        ordering = ["scheme_id", "code"]

    def __str__(self) -> str:
        return self.code

    def name(self, language: str = "vi") -> str:
        return self.name_en if language.startswith("en") else self.name_vi


class Appraiser(models.Model):
    """The appraiser role: a user appraises a department's components for the units of a province."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="appraisers")
    province = models.ForeignKey("geo.Unit", on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department", "province"], name="assessment_appraiser_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} appraises {self.department_id} in {self.province_id}"


class Stage(models.TextChoices):
    SELF = "self", _("self-assessment")
    APPRAISAL = "appraisal", _("appraisal")
    EXPLANATION = "explanation", _("provisional ranking and explanation")
    PUBLISHED = "published", _("results published")


class Round(models.Model):
    scheme = models.ForeignKey("catalog.ScoringScheme", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey("catalog.SchemeVersion", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    province = models.ForeignKey("geo.Unit", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.SELF)
    self_until = models.DateField()
    appraisal_until = models.DateField()
    explanation_until = models.DateField()
    publish_by = models.DateField()
    decision = models.TextField(blank=True, help_text="The council's decision, as it reads")
    report = models.ForeignKey(
        "reports.OfficialReport", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")


class Sheet(models.Model):
    """One unit's self-assessment in a round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="sheets")
    unit = models.ForeignKey("geo.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=SheetStatus.choices, default=SheetStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="assessment_sheet_once")]
        ordering = ["round_id", "unit__code"]

    def __str__(self) -> str:
        return f"{self.round_id} {self.unit_id}"


class Review(models.TextChoices):
    PENDING = "pending", _("waiting for appraisal")
    ACCEPTED = "accepted", _("accepted")
    ADJUSTED = "adjusted", _("adjusted")
    ASKED = "asked", _("more evidence asked")
    ANSWERED = "answered", _("answered, waiting for appraisal")


class Explanation(models.TextChoices):
    NONE = "", _("none")
    FILED = "filed", _("filed")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class Entry(models.Model):
    """A unit's answer for one component, and what the appraisal and explanation made of it."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="entries")
    component = models.ForeignKey("catalog.SchemeComponent", on_delete=models.PROTECT, related_name="+")
    # What the system measured when the round opened, kept to show beside what the unit entered.
    system_figure = models.FloatField(null=True, blank=True)
    system_source = models.CharField(max_length=300, blank=True)
    figure = models.FloatField(null=True, blank=True)
    measured = models.BooleanField(default=False, help_text="The figure is the system's measurement")
    comment = models.TextField(blank=True)
    self_points = models.FloatField(null=True, blank=True)
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.PENDING)
    appraised_figure = models.FloatField(null=True, blank=True)
    appraised_points = models.FloatField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why the appraiser adjusted, or the question asked")
    answer = models.TextField(blank=True, help_text="The unit's answer to the question")
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    appraised_at = models.DateTimeField(null=True, blank=True)
    explanation = models.CharField(max_length=10, choices=Explanation.choices, default="", blank=True)
    explanation_text = models.TextField(blank=True)
    explanation_reply = models.TextField(blank=True)
    final_points = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sheet", "component"], name="assessment_entry_once")]
        ordering = ["sheet_id", "component__position"]

    def __str__(self) -> str:
        return f"{self.sheet_id} {self.component_id}"

    @property
    def points(self) -> float | None:
        """The points as they stand: final, else appraised, else self-assessed."""
        if self.final_points is not None:
            return self.final_points
        if self.appraised_points is not None:
            return self.appraised_points
        return self.self_points


class Evidence(models.Model):
    """A document proving a component: number, date, issuing body, abstract, and a file or a link."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="evidence")
    number = models.CharField(max_length=80, blank=True, help_text='"125/QĐ-UBND"')
    issued_on = models.DateField(null=True, blank=True)
    issuer = models.CharField(max_length=200, blank=True)
    abstract = models.TextField(blank=True)
    link = models.URLField(max_length=500, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    data = models.BinaryField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    public = models.BooleanField(default=False, help_text="The file may be shown on the public portal")
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.SELF)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry_id", "id"]

    def __str__(self) -> str:
        return self.number or self.file_name or self.link


class Event(models.Model):
    """One step of a round: who did what to which unit's component, when, why, old and new."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="events")
    unit = models.ForeignKey("geo.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    component = models.CharField(max_length=32, blank=True)
    kind = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["round_id", "id"]

    def __str__(self) -> str:
        return f"{self.round_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
