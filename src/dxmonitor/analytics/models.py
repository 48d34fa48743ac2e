"""Scores of units under a scoring scheme version, one per unit and period.

A score is derived data, computed from the analytics store's figures: computing again for the
same version and period replaces it, while a new version of the scheme gets scores of its own
beside the old ones. The breakdown is kept with the score, so an old score still explains itself
after the scheme has moved on.
"""

from django.conf import settings
from django.db import models


class Score(models.Model):
    scheme = models.ForeignKey("catalog.ScoringScheme", on_delete=models.PROTECT, related_name="scores")
    version = models.ForeignKey("catalog.SchemeVersion", on_delete=models.PROTECT, related_name="scores")
    unit = models.ForeignKey("geo.Unit", on_delete=models.PROTECT, related_name="scores")
    period = models.CharField(max_length=16)
    # The unit whose units of the scheme's level were ranked together: the province for a
    # commune scheme, empty (the whole country) for a province scheme.
    peer_root = models.ForeignKey(
        "geo.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    points = models.FloatField()
    max_points = models.FloatField()
    score = models.FloatField(help_text="points ÷ maximum points, 0 to 1")
    rank = models.PositiveIntegerField()
    peers = models.PositiveIntegerField(help_text="How many units were ranked together")
    components = models.PositiveIntegerField()
    components_found = models.PositiveIntegerField(help_text="Components whose figure was there")
    # {group code: [points, max points]} and {component code: {"points", "measured", "missing", …}}
    groups = models.JSONField(default=dict)
    parts = models.JSONField(default=dict)
    synthetic = models.BooleanField(default=False, help_text="Computed from synthetic figures")
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "unit", "period"], name="analytics_score_once"),
        ]
        indexes = [models.Index(fields=["scheme", "period", "peer_root"])]
        ordering = ["rank", "unit__code"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period}: {self.score:.3f}"

    @property
    def coverage(self) -> float:
        return self.components_found / self.components if self.components else 0.0
