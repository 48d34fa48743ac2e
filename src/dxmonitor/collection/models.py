"""Indicator values with their provenance and full change history.

A value is identified by (unit, indicator, period, kind). It is never overwritten in
place without a history row and never hard-deleted: a delete sets `is_deleted` and is
itself recorded.
"""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class ValueKind(models.TextChoices):
    ACTUAL = "actual", _("actual")
    TARGET = "target", _("target")


class Comparator(models.TextChoices):
    EQ = "eq", "="
    GT = "gt", ">"
    LT = "lt", "<"
    APPROX = "approx", "≈"


class SourceType(models.TextChoices):
    FORM = "form", _("entry form")
    IMPORT = "import", _("file import")
    API = "api", _("API client")
    DOCUMENT = "document", _("read from a document")
    EXTRACTION = "extraction", _("extracted automatically from a document")
    CLI = "cli", _("command line")
    SYNTHETIC = "synthetic", _("synthetic demo data")


class DocumentKind(models.TextChoices):
    ARTICLE = "article", _("news article")
    REPORT = "report", _("narrative report")
    FILE = "file", _("data file")
    OTHER = "other", _("other")


class Document(models.Model):
    """A source that values cite: an article, a narrative report, an imported file."""

    title = models.CharField(max_length=500)
    kind = models.CharField(max_length=12, choices=DocumentKind.choices, default=DocumentKind.ARTICLE)
    file_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, unique=True)
    text = models.TextField(blank=True, help_text="NFC text; evidence spans are offsets into it")
    url = models.URLField(max_length=500, blank=True)
    published_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_on", "title"]

    def __str__(self) -> str:
        return self.title


class Value(models.Model):
    # No separate indexes on unit and indicator: the identity constraint starts with unit and
    # the (indicator, period) index with indicator, and each extra index slows bulk loads.
    # No database foreign-key constraints either: PostgreSQL checks them row by row at commit,
    # which halves the speed of a million-value load. Every write resolves its unit and
    # indicator from the database first, and neither is ever deleted (PROTECT).
    unit = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="values", db_index=False, db_constraint=False
    )
    indicator = models.ForeignKey(
        "catalog.Indicator",
        on_delete=models.PROTECT,
        related_name="values",
        db_index=False,
        db_constraint=False,
    )
    period = models.CharField(
        max_length=8, blank=True, help_text='"2024", "2024Q3", "202409"; empty: undated'
    )
    period_type = models.CharField(max_length=1, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=8, choices=ValueKind.choices, default=ValueKind.ACTUAL)
    value = models.FloatField()
    comparator = models.CharField(max_length=8, choices=Comparator.choices, default=Comparator.EQ)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    is_synthetic = models.BooleanField(default=False, help_text="Made up for the demo; never a real figure")
    # Set when the report holding the value is approved at its last level, cleared when it is
    # unlocked; the database default keeps the bulk path's explicit column lists valid.
    is_published = models.BooleanField(
        default=False, db_default=False, help_text="In an approved and locked report: open data"
    )
    # Provenance of the current version; every earlier version keeps its own in ValueChange.
    source_type = models.CharField(max_length=12, choices=SourceType.choices)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="values", db_index=False
    )
    source_file = models.CharField(max_length=255, blank=True)
    source_row = models.PositiveIntegerField(null=True, blank=True)
    api_client = models.CharField(max_length=120, blank=True)
    evidence_quote = models.TextField(blank=True)
    evidence_start = models.PositiveIntegerField(null=True, blank=True)
    evidence_end = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    is_deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator", "period", "kind"], name="collection_value_identity"
            ),
        ]
        # Few indexes on purpose: every one slows bulk loads. The identity constraint serves
        # lookups by unit, this one lookups by indicator and period, and only values that cite
        # a document are looked up by it.
        indexes = [
            # With the unit last, a probe by full key is as precise here as on the identity.
            models.Index(fields=["indicator", "period", "unit"], name="collection_value_by_indicator"),
            models.Index(
                fields=["document"], condition=models.Q(document__isnull=False), name="collection_value_cites"
            ),
            # The home page's latest real figures, without sorting every value: only real ones
            # are in it, so the bulk loads of synthetic figures do not maintain it.
            models.Index(
                F("updated_at").desc(),
                F("id").desc(),
                condition=models.Q(is_synthetic=False, is_deleted=False),
                name="collection_value_latest_real",
            ),
        ]
        ordering = ["indicator__code", "-period"]

    def __str__(self) -> str:
        return f"{self.unit} {self.indicator.code} {self.period or '-'} = {self.value}"


class ValueChange(models.Model):
    """One version of a value: what it was before, what it became, who did it and from where."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        RESTORE = "restore", _("restored")

    # The (value, version) constraint already indexes value; no second index to maintain.
    # No database constraint either: a history row is written in the same statement as its
    # value, values are never removed, and PostgreSQL would check each row again at commit.
    value = models.ForeignKey(
        Value, on_delete=models.PROTECT, related_name="changes", db_index=False, db_constraint=False
    )
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=8, choices=Action.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    source_type = models.CharField(max_length=12, choices=SourceType.choices)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    source_file = models.CharField(max_length=255, blank=True)
    source_row = models.PositiveIntegerField(null=True, blank=True)
    api_client = models.CharField(max_length=120, blank=True)
    reason = models.TextField(blank=True)
    # When the figure was typed on a device without a connection, if it was: it reached the
    # server later, from the offline queue of the entry form.
    entered_offline_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["value", "version"], name="collection_change_version"),
        ]
        ordering = ["value_id", "version"]

    def __str__(self) -> str:
        return f"value {self.value_id} v{self.version} {self.action}"


class PeriodType(models.TextChoices):
    YEAR = "Y", _("yearly")
    QUARTER = "Q", _("quarterly")
    MONTH = "M", _("monthly")


class DataSet(models.Model):
    """What a level of government reports each period, and when.

    Entry opens `opens_after_days` after the period starts, is due `due_days` after it ends
    (later entry is accepted but marked late) and closes `closes_days` after it ends; a closed
    period is locked unless an approver reopens it.
    """

    code = models.CharField(max_length=40, unique=True)
    name_vi = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    period_type = models.CharField(max_length=1, choices=PeriodType.choices)
    level = models.CharField(max_length=10, help_text='"commune" or "village"')
    opens_after_days = models.PositiveSmallIntegerField(default=0)
    due_days = models.PositiveSmallIntegerField(default=15)
    closes_days = models.PositiveSmallIntegerField(default=45)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    approval_levels = models.CharField(
        max_length=60,
        default="province",
        help_text='Levels that approve a submitted report, lowest first, comma-separated: "province"',
    )
    requires_signed_report = models.BooleanField(
        default=False, help_text="The last approval needs a digitally signed official report of the period"
    )
    indicators = models.ManyToManyField(
        "catalog.Indicator", through="DataSetIndicator", related_name="datasets"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def name(self, language: str = "vi") -> str:
        return self.name_en if language.startswith("en") else self.name_vi

    @property
    def levels(self) -> list[str]:
        return [part.strip() for part in self.approval_levels.split(",") if part.strip()]


class DataSetIndicator(models.Model):
    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="members")
    indicator = models.ForeignKey("catalog.Indicator", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(default=False, help_text="A report cannot be submitted without it")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "indicator"], name="collection_dataset_member")
        ]
        ordering = ["dataset_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.dataset_id}:{self.indicator_id}"


class PeriodWindow(models.Model):
    """Dates of one period of a data set that differ from its rule (no unit: for everyone), or a
    reopening of that period for one unit and its subtree."""

    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="windows")
    period = models.CharField(max_length=8)
    unit = models.ForeignKey("geo.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    opens_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    reopened_until = models.DateField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "period", "unit"], name="collection_window_once"),
            models.UniqueConstraint(
                fields=["dataset", "period"],
                condition=models.Q(unit__isnull=True),
                name="collection_window_rule_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.period} {self.unit_id or ''}"


class ImportJob(models.Model):
    """A file or a large payload being loaded, with its progress and its report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    format = models.CharField(max_length=16)
    file_name = models.CharField(max_length=255, blank=True)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.format} {self.status} {self.processed}/{self.total}"


class Dhis2Mapping(models.Model):
    """How a DHIS2 organisation unit or data element (by UID or code) maps to ours."""

    class Kind(models.TextChoices):
        ORG_UNIT = "org_unit", _("organisation unit")
        DATA_ELEMENT = "data_element", _("data element")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    dhis2_id = models.CharField(max_length=64, help_text="UID or code as DHIS2 sends it")
    category_option_combo = models.CharField(max_length=64, blank=True, help_text="Empty: any")
    unit = models.ForeignKey("geo.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(
        "catalog.Indicator", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    part = models.CharField(max_length=12, default="value", help_text='"value", "numerator" or "denominator"')
    value_kind = models.CharField(max_length=8, default="actual")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "dhis2_id", "category_option_combo"], name="collection_dhis2_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.dhis2_id}"


class ValidationRule(models.Model):
    """A declared check over indicators of one unit and period: `left operator right`.

    Expressions name catalogue codes, optionally with `.numerator` or `.denominator`, and
    numbers, joined by + - * / and brackets: "AWR.CDT_VILLAGE_COVERAGE.numerator <= CTX.VILLAGES".
    """

    class Severity(models.TextChoices):
        ERROR = "error", _("error")
        WARNING = "warning", _("warning")

    code = models.CharField(max_length=64, unique=True)
    name_vi = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    left = models.CharField(max_length=500)
    operator = models.CharField(max_length=2)
    right = models.CharField(max_length=500)
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.ERROR)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.left} {self.operator} {self.right}"


class RuleViolation(models.Model):
    """A rule that does not hold for a unit and period, as last checked."""

    rule = models.ForeignKey(ValidationRule, on_delete=models.CASCADE, related_name="violations")
    unit = models.ForeignKey("geo.Unit", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=8)
    left_value = models.FloatField()
    right_value = models.FloatField()
    detected_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "unit", "period"], name="collection_violation_once")
        ]
        indexes = [models.Index(fields=["unit", "period"], name="collection_violation_place")]
        ordering = ["period", "unit_id"]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.unit_id} {self.period}"


class ValueFlag(models.Model):
    """A value far outside its unit's own history or its peers: kept, but put up for review."""

    class Reason(models.TextChoices):
        HISTORY = "history", _("far from the unit's earlier values")
        PEERS = "peers", _("far from neighbouring units")

    value = models.ForeignKey(Value, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=8, choices=Reason.choices)
    expected_low = models.FloatField(null=True)
    expected_high = models.FloatField(null=True)
    flagged_value = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.value_id} {self.reason}"
