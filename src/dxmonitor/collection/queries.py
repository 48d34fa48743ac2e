"""Read-side questions about values: lists with one filter definition, history, targets."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from dxmonitor.accounts.permissions import READ, grants
from dxmonitor.catalog.models import Direction, Indicator, Target
from dxmonitor.catalog.queries import pick_national_target
from dxmonitor.geo.models import Unit

from .models import Comparator, Document, SourceType, Value, ValueChange, ValueKind
from .periods import Period

MET, NOT_MET, UNDETERMINED = "met", "not_met", "undetermined"


# Figures read from published documents (and labelled demo data) are public; figures collected
# from units (forms, files, API clients) are read only within the reader's subtree until the
# approval workflow publishes them.
PUBLIC_SOURCES = (SourceType.DOCUMENT, SourceType.EXTRACTION, SourceType.SYNTHETIC)
SYSTEM = object()


def visible_to(user) -> Q:
    """The values a user may read."""
    found = grants(user)
    if found.everything or "" in found.paths(READ):
        return Q()
    return Q(source_type__in=PUBLIC_SOURCES) | found.unit_filter(READ, prefix="unit__")


def filter_values(
    *,
    viewer=SYSTEM,
    indicator: Indicator | None = None,
    unit: Unit | None = None,
    within: Unit | None = None,
    period: Period | None = None,
    kind: str | None = None,
    synthetic: bool | None = None,
    document: Document | None = None,
    include_deleted: bool = False,
) -> QuerySet[Value]:
    values = Value.objects.select_related(
        "unit",
        "unit__parent",
        "indicator",
        "indicator__group",
        "document",
        "created_by",
        "updated_by",
    )
    if viewer is not SYSTEM:
        values = values.filter(visible_to(viewer))
    if not include_deleted:
        values = values.filter(is_deleted=False)
    if indicator is not None:
        values = values.filter(indicator=indicator)
    if unit is not None:
        values = values.filter(unit=unit)
    if within is not None:
        values = values.filter(unit__path__startswith=within.path)
    if period is not None:
        values = values.filter(period=period.code)
    if kind:
        values = values.filter(kind=kind)
    if synthetic is not None:
        values = values.filter(is_synthetic=synthetic)
    if document is not None:
        values = values.filter(document=document)
    # Real figures before synthetic ones, newest first, undated last on every database.
    return values.order_by(
        "indicator__group__position",
        "indicator__code",
        "is_synthetic",
        F("period_start").desc(nulls_last=True),
        "unit__code",
    )


def documents() -> QuerySet[Document]:
    return Document.objects.annotate(
        values_count=Count("values", filter=Q(values__is_deleted=False))
    ).order_by(F("published_on").desc(nulls_last=True), "title")


def latest_real_values(*, limit: int = 10, viewer=SYSTEM) -> QuerySet[Value]:
    return filter_values(synthetic=False, viewer=viewer).order_by("-updated_at", "-id")[:limit]


def value_history(value: Value) -> QuerySet[ValueChange]:
    return value.changes.select_related("changed_by", "document").order_by("version")


@dataclass(frozen=True)
class TargetComparison:
    """How an actual value stands against a target.

    `gap` is how far the value is from the target in the indicator's unit (0 when met).
    `gap_bound` says what kind of number the gap is when the value is itself a bound:
    "exact", "at_most" (a "more than x" value that may be closer) or "at_least".
    """

    status: str
    target: float
    target_year: int
    target_level: str
    target_source: str
    scope: str
    gap: float | None
    gap_bound: str


def compare(*, value: float, comparator: str, target: float, direction: str) -> tuple[str, float | None, str]:
    """Judge a value (possibly a bound: "> 50") against a target in the indicator's direction."""
    if direction == Direction.DOWN:
        # Lower is better: mirror the question so that one set of rules serves both.
        status, gap, bound = compare(
            value=-value,
            comparator={"gt": "lt", "lt": "gt"}.get(comparator, comparator),
            target=-target,
            direction=Direction.UP,
        )
        return status, gap, bound
    shortfall = target - value
    if comparator in (Comparator.EQ, Comparator.APPROX):
        return (MET, 0.0, "exact") if shortfall <= 0 else (NOT_MET, shortfall, "exact")
    if comparator == Comparator.GT:
        # The true value is above `value`: met for sure if `value` already reaches the target.
        return (MET, 0.0, "exact") if shortfall <= 0 else (UNDETERMINED, shortfall, "at_most")
    # LT: the true value is below `value`.
    return (NOT_MET, shortfall, "at_least") if shortfall >= 0 else (UNDETERMINED, None, "exact")


def target_comparisons(value: Value) -> list[TargetComparison]:
    """Compare an actual value with the national target and with the unit's own target."""
    return compare_all([value]).get(value.pk, [])


def compare_all(values: list[Value]) -> dict[int, list[TargetComparison]]:
    """Target comparisons of many values in two queries, whatever their number."""
    judged = [v for v in values if v.kind == ValueKind.ACTUAL and v.indicator.direction != Direction.NONE]
    if not judged:
        return {}
    indicator_ids = {v.indicator_id for v in judged}
    national: dict[int, list[Target]] = {}
    for target in Target.objects.filter(indicator_id__in=indicator_ids, scope_unit__isnull=True):
        national.setdefault(target.indicator_id, []).append(target)
    local: dict[tuple[int, int], list[Value]] = {}
    own_targets = (
        Value.objects.filter(
            kind=ValueKind.TARGET,
            is_deleted=False,
            period_start__isnull=False,
            unit_id__in={v.unit_id for v in judged},
            indicator_id__in=indicator_ids,
        )
        .select_related("document")
        .order_by("period_start")
    )
    for target_value in own_targets:
        local.setdefault((target_value.unit_id, target_value.indicator_id), []).append(target_value)
    return {
        value.pk: _compare(
            value, national.get(value.indicator_id, []), local.get((value.unit_id, value.indicator_id), [])
        )
        for value in judged
    }


def _compare(
    value: Value, national_targets: list[Target], own_targets: list[Value]
) -> list[TargetComparison]:
    indicator = value.indicator
    years = [t.year for t in national_targets]
    year = value.period_start.year if value.period_start else (min(years) if years else None)
    # (target, its year, the level it applies to, its source, national or local)
    targets: list[tuple[float, int, str, str, str]] = []
    national = pick_national_target(national_targets, year=year, level=value.unit.level) if year else None
    if national is not None:
        targets.append((national.value, national.year, national.level, national.source, "national"))
    later = [t for t in own_targets if year is None or t.period_start.year >= year]
    if later:
        own = later[0]
        source = own.document.title if own.document else ""
        targets.append((own.value, own.period_start.year, value.unit.level, source, "local"))
    results = []
    for target, target_year, level, source, scope in targets:
        status, gap, bound = compare(
            value=value.value, comparator=value.comparator, target=target, direction=indicator.direction
        )
        results.append(TargetComparison(status, target, target_year, level, source, scope, gap, bound))
    return results


def counts() -> dict[str, int]:
    totals = Value.objects.filter(is_deleted=False).aggregate(
        values=Count("id"),
        real_values=Count("id", filter=Q(is_synthetic=False)),
        synthetic_values=Count("id", filter=Q(is_synthetic=True)),
    )
    return {**totals, "documents": Document.objects.count()}


def audit(
    *,
    viewer,
    within: Unit | None = None,
    username: str | None = None,
    source_type: str | None = None,
    since: datetime.date | None = None,
) -> QuerySet[ValueChange]:
    """Every change to the values a viewer may read, newest first."""
    changes = (
        ValueChange.objects.filter(value__in=Value.objects.filter(visible_to(viewer)))
        .select_related("value__unit", "value__indicator", "changed_by", "document")
        .order_by("-id")
    )
    if within is not None:
        changes = changes.filter(value__unit__path__startswith=within.path)
    if username:
        changes = changes.filter(changed_by__username=username)
    if source_type:
        changes = changes.filter(source_type=source_type)
    if since is not None:
        changes = changes.filter(changed_at__date__gte=since)
    return changes
