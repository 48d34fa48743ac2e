"""Facts the extractor proposes from a document, waiting for an officer's decision.

A proposed fact is not a value: it becomes one only when accepted, through the same
`record_value` as any other figure, with the document as its source and the quoted span as
its evidence. Rejected facts stay, so that reading the document again does not propose them anew.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FactStatus(models.TextChoices):
    PENDING = "pending", _("to review")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class Rule(models.TextChoices):
    """Which reading of the text proposed a fact (engine.RULES), as the reviewer reads it."""

    DESCRIBED_BEFORE = "described-before", _("the words before the figure say what it measures")
    COUNTED_AFTER = "counted-after", _("the words after the figure say what it counts")
    SAME_AS_BEFORE = "same-as-before", _("it continues the figure just before (“tỷ lệ này”)")
    TOPIC = "topic", _("a rank or score of what the passage is about")
    TOTAL_OF_RATIO = "total-of-ratio", _("the total of an x/y figure (“17/120 thôn”)")


class ProposedFact(models.Model):
    document = models.ForeignKey(
        "collection.Document", on_delete=models.CASCADE, related_name="proposed_facts"
    )
    position = models.PositiveIntegerField(default=0, help_text="Order in the text")
    indicator = models.ForeignKey(
        "catalog.Indicator", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locality = models.CharField(max_length=200, blank=True, help_text="The place as the text names it")
    province = models.CharField(max_length=100, blank=True)
    within = models.CharField(
        max_length=200, blank=True, help_text='The district the text puts it in: "huyện Than Uyên"'
    )
    unit = models.ForeignKey(
        "geo.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The unit the place resolves to on the document's date",
    )
    value = models.FloatField()
    comparator = models.CharField(max_length=8, default="eq")
    kind = models.CharField(max_length=8, default="actual")
    period = models.CharField(max_length=12, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    evidence_start = models.PositiveIntegerField()
    evidence_end = models.PositiveIntegerField()
    evidence_quote = models.TextField()
    score = models.FloatField(default=0.0, help_text="How strongly the words matched the indicator")
    rule = models.CharField(max_length=24, choices=Rule.choices, blank=True, help_text="Why it was proposed")
    matched = models.CharField(
        max_length=300, blank=True, help_text="The catalogue phrasing the words around the figure matched"
    )
    status = models.CharField(max_length=8, choices=FactStatus.choices, default=FactStatus.PENDING)
    problem = models.TextField(blank=True, help_text="Why the last accept was refused")
    recorded_value = models.ForeignKey(
        "collection.Value", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["document_id", "position"]
        indexes = [models.Index(fields=["status", "document"])]

    def __str__(self) -> str:
        code = self.indicator.code if self.indicator else "?"
        return f"{code} = {self.value} ({self.locality})"
