"""The indicator catalogue: what is measured, how it aggregates, and the national targets.

The catalogue is data the platform loads and administrators extend; codes are stable
identifiers shared with imports, the API and the extraction evaluation.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class IndicatorGroup(models.Model):
    code = models.CharField(max_length=12, unique=True)
    name_vi = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code


class Kind(models.TextChoices):
    COUNT = "count", _("count")
    RATE = "rate", _("rate")
    SHARE = "share", _("share")
    DENSITY = "density", _("density")
    SCORE = "score", _("score")
    RANK = "rank", _("rank")


class Aggregation(models.TextChoices):
    SUM = "sum", _("sum")
    RATIO_OF_SUMS = "ratio_of_sums", _("ratio of sums")
    LATEST = "latest", _("latest period")
    NONE = "none", _("not aggregated")


class PeriodAggregation(models.TextChoices):
    """How months make a quarter and quarters a year."""

    END = "end", _("the figure at the end of the period")
    SUM = "sum", _("the sum over the period")


class Direction(models.TextChoices):
    UP = "up", _("higher is better")
    DOWN = "down", _("lower is better")
    NONE = "none", _("no direction")


class Indicator(models.Model):
    code = models.CharField(max_length=64, unique=True)
    group = models.ForeignKey(IndicatorGroup, on_delete=models.PROTECT, related_name="indicators")
    name_vi = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    measure_unit = models.CharField(max_length=32, help_text='"percent", "household", "team" …')
    kind = models.CharField(max_length=12, choices=Kind.choices)
    numerator_label = models.CharField(max_length=200, blank=True)
    denominator_label = models.CharField(max_length=200, blank=True)
    denominator_indicator = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The context indicator that weighs this one (CTX.HOUSEHOLDS for a household share)",
    )
    aggregation = models.CharField(max_length=16, choices=Aggregation.choices)
    # Stocks (villages, households, coverage) are read at the period's end; flows (dossiers,
    # trainees, signed documents) add up over it.
    period_aggregation = models.CharField(
        max_length=8, choices=PeriodAggregation.choices, default=PeriodAggregation.END
    )
    direction = models.CharField(max_length=8, choices=Direction.choices)
    phrasings = models.JSONField(default=list, blank=True, help_text="How reports name it")
    definition = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group__position", "code"]

    def __str__(self) -> str:
        return self.code

    def name(self, language: str = "vi") -> str:
        return self.name_en if language.startswith("en") else self.name_vi

    @property
    def is_percent(self) -> bool:
        return self.measure_unit == "percent"

    @property
    def has_parts(self) -> bool:
        """Whether values may carry a numerator and a denominator."""
        return self.kind in {Kind.RATE, Kind.DENSITY} or bool(self.denominator_label)


class Target(models.Model):
    """A target for an indicator in a year: national (scope_unit empty) or a unit's own.

    `level` restricts a national target to one level of government: work records online
    are 90% for provinces, 80% for districts and 60% for communes (QĐ 749/QĐ-TTg).
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField()
    value = models.FloatField()
    level = models.CharField(max_length=10, blank=True, help_text="Empty: every level")
    scope_unit = models.ForeignKey(
        "geo.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="targets"
    )
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "level"],
                condition=Q(scope_unit__isnull=True),
                name="catalog_target_national",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "level", "scope_unit"], name="catalog_target_scoped"
            ),
        ]
        ordering = ["indicator__code", "year", "level"]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value}"


# How a change to a definition arrived, as the history names it.
CHANNEL_LABELS = {"form": _("entry form"), "catalog load": _("catalogue file"), "api": _("API client")}


class IndicatorChange(models.Model):
    """What changed in an indicator definition, by whom and through which channel."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=32, help_text='"catalog load", "form", "api"')
    action = models.CharField(max_length=12)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.action} {self.changed_at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------------------------
# Scoring schemes: a DTI-like index as data. A scheme (one per index a government issues) has
# versions; a version is a tree of groups (pillars, main indicators) whose leaves are components,
# each with its maximum points and the rule that turns a figure into points. A version is never
# changed once loaded: a changed definition is a new version, so a score can always say which
# definition it was computed with.


class ScoringScheme(models.Model):
    code = models.CharField(max_length=40, unique=True)
    name_vi = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    level = models.CharField(max_length=10, help_text="The level of the units it scores: commune, province …")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def name(self, language: str = "vi") -> str:
        return self.name_en if language.startswith("en") else self.name_vi


class FrozenError(Exception):
    """A published scheme version, or a part of one, was about to change."""


class _Frozen(models.Model):
    """Rows written once, with their version, and never changed afterwards."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():
            raise FrozenError(f"{type(self).__name__} {self.pk} belongs to a published scheme version")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenError(f"{type(self).__name__} {self.pk} belongs to a published scheme version")


class SchemeVersion(_Frozen):
    scheme = models.ForeignKey(ScoringScheme, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    basis = models.CharField(
        max_length=300, blank=True, help_text="The decision it follows or is modelled on"
    )
    max_points = models.FloatField()
    fingerprint = models.CharField(max_length=64, help_text="Hash of the definition, to recognise a reload")
    source_file = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scheme", "number"], name="catalog_scheme_version")]
        ordering = ["scheme__code", "-number"]

    def __str__(self) -> str:
        return f"{self.scheme.code} v{self.number}"


class SchemeGroup(_Frozen):
    """A pillar or a main indicator: its points are the sum of what is under it."""

    version = models.ForeignKey(SchemeVersion, on_delete=models.PROTECT, related_name="groups")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=32)
    name_vi = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    max_points = models.FloatField()
    position = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="catalog_scheme_group_code")]
        ordering = ["version_id", "position"]

    def __str__(self) -> str:
        return self.code

    def name(self, language: str = "vi") -> str:
        return self.name_en if language.startswith("en") else self.name_vi


class ScoringRule(models.TextChoices):
    RATIO = "ratio", _("ratio × maximum points")
    STEPS = "steps", _("step thresholds")
    YES_NO = "yes_no", _("yes or no")


class SchemeComponent(_Frozen):
    """A scored item: a figure of the unit (or a share of two), and how it earns points."""

    version = models.ForeignKey(SchemeVersion, on_delete=models.PROTECT, related_name="components")
    group = models.ForeignKey(SchemeGroup, on_delete=models.PROTECT, related_name="components")
    code = models.CharField(max_length=32)
    name_vi = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    max_points = models.FloatField()
    rule = models.CharField(max_length=8, choices=ScoringRule.choices)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    # With a denominator the figure measured is indicator ÷ denominator, as a percentage.
    denominator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    thresholds = models.CharField(max_length=300, blank=True, help_text="As written in the scheme file")
    # The thresholds read: {"full_at": 80} for a ratio, {"steps": [[">=", 4, 20], …]} otherwise.
    terms = models.JSONField(default=dict)
    evidence = models.TextField(blank=True, help_text="What the unit shows to prove it")
    source = models.CharField(max_length=300, blank=True, help_text="Where the figure comes from")
    position = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="catalog_scheme_component_code")
        ]
        ordering = ["version_id", "position"]

    def __str__(self) -> str:
        return self.code

    def name(self, language: str = "vi") -> str:
        return self.name_en if language.startswith("en") else self.name_vi
