"""What the public sees: one rule, `public_filter`, and the questions the portal asks through it.

Every page, download and API answer of the portal reads values through `public_values` (or
`public_filter` for a related table), never through `Value.objects` directly: the approval
workflow widens what is public by changing `public_filter` alone.
"""

from dataclasses import dataclass

from django.db.models import Count, F, Max, Q, QuerySet

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.models import Document, Value
from dxmonitor.collection.periods import Period
from dxmonitor.collection.queries import PUBLIC_SOURCES, filter_values
from dxmonitor.geo.models import Unit
from dxmonitor.geo.queries import filter_units

REAL, SYNTHETIC, ALL = "real", "synthetic", "all"
DATA_CHOICES = (ALL, REAL, SYNTHETIC)


def public_filter(*, prefix: str = "") -> Q:
    """The rule: a value is public when it is not deleted and was read from a published document
    (by hand, or by the extractor once a reviewer accepted the fact), is labelled synthetic demo
    data, or sits in a report approved at every level (collected figures: forms, files, API
    clients — published by the last approval, withdrawn when the report is unlocked).

    `prefix` applies the rule through a relation ("values__" from units or documents).
    """
    return Q(**{f"{prefix}is_deleted": False}) & (
        Q(**{f"{prefix}source_type__in": PUBLIC_SOURCES}) | Q(**{f"{prefix}is_published": True})
    )


def public_values(
    *,
    indicator: Indicator | None = None,
    unit: Unit | None = None,
    within: Unit | None = None,
    period: Period | None = None,
    data: str = ALL,
) -> QuerySet[Value]:
    """Public values, real ones before synthetic ones, then by indicator, newest period first."""
    values = filter_values(indicator=indicator, unit=unit, within=within, period=period).filter(
        public_filter()
    )
    if data == REAL:
        values = values.filter(is_synthetic=False)
    elif data == SYNTHETIC:
        values = values.filter(is_synthetic=True)
    return values.order_by(
        "is_synthetic",
        "indicator__group__position",
        "indicator__code",
        F("period_start").desc(nulls_last=True),
        "unit__path",
        "kind",
        "id",
    )


@dataclass(frozen=True)
class Counts:
    real: int = 0
    synthetic: int = 0
    units: int = 0
    documents: int = 0

    @property
    def total(self) -> int:
        return self.real + self.synthetic


def counts(values: QuerySet[Value]) -> Counts:
    """How many real and synthetic figures a selection of public values holds, over how many units
    and source documents."""
    totals = values.order_by().aggregate(
        real=Count("id", filter=Q(is_synthetic=False)),
        synthetic=Count("id", filter=Q(is_synthetic=True)),
        units=Count("unit_id", distinct=True),
        documents=Count("document_id", distinct=True),
    )
    return Counts(**{k: v or 0 for k, v in totals.items()})


def periods(values: QuerySet[Value]) -> list[str]:
    """The periods a selection of public values covers, newest first (undated last)."""
    found = values.order_by().values_list("period", "period_start").distinct()
    dated = sorted({(start, code) for code, start in found if start is not None}, reverse=True)
    undated = any(start is None for _, start in found)
    return [code for _, code in dated] + ([""] if undated else [])


@dataclass(frozen=True)
class IndicatorSummary:
    indicator: Indicator
    real: int
    synthetic: int
    units: int
    latest_period: str


def indicator_summaries() -> list[IndicatorSummary]:
    """Every indicator that has public figures, in catalogue order, with how many."""
    rows = (
        Value.objects.filter(public_filter())
        .values("indicator_id")
        .annotate(
            real=Count("id", filter=Q(is_synthetic=False)),
            synthetic=Count("id", filter=Q(is_synthetic=True)),
            units=Count("unit_id", distinct=True),
            # Codes sort as their periods do within a year (2024 < 2024Q3 < 2025): the latest.
            latest=Max("period"),
        )
        .order_by()
    )
    by_indicator = {row["indicator_id"]: row for row in rows}
    indicators = Indicator.objects.filter(pk__in=by_indicator).select_related("group")
    summaries = [
        IndicatorSummary(
            indicator=indicator,
            real=by_indicator[indicator.pk]["real"],
            synthetic=by_indicator[indicator.pk]["synthetic"],
            units=by_indicator[indicator.pk]["units"],
            latest_period=by_indicator[indicator.pk]["latest"] or "",
        )
        for indicator in indicators
    ]
    return sorted(summaries, key=lambda s: (s.indicator.group.position, s.indicator.code))


def public_summary() -> tuple[Counts, list[IndicatorSummary]]:
    """What the worker last counted of every public figure: in all, and by indicator in catalogue
    order (nothing before its first count)."""
    from .models import PublicSummary

    latest = PublicSummary.objects.order_by("-id").first()
    if latest is None:
        return Counts(), []
    by_indicator = {row["indicator_id"]: row for row in latest.indicators}
    indicators = Indicator.objects.filter(pk__in=by_indicator).select_related("group")
    summaries = [
        IndicatorSummary(
            indicator=indicator,
            real=by_indicator[indicator.pk]["real"],
            synthetic=by_indicator[indicator.pk]["synthetic"],
            units=by_indicator[indicator.pk]["units"],
            latest_period=by_indicator[indicator.pk]["latest"],
        )
        for indicator in indicators
    ]
    summaries.sort(key=lambda s: (s.indicator.group.position, s.indicator.code))
    return Counts(**latest.counts), summaries


def public_units(*, level: str | None = None, q: str = "") -> QuerySet[Unit]:
    """Units with public figures of their own, with their real and synthetic counts; `q` matches
    names as the units list does (diacritics and level words optional)."""
    units = filter_units(level=level or None, q=q.strip() or None).filter(
        pk__in=Value.objects.filter(public_filter()).values("unit_id")
    )
    public = public_filter(prefix="values__")
    return (
        units.select_related("parent")
        .annotate(
            real=Count("values", filter=public & Q(values__is_synthetic=False)),
            synthetic=Count("values", filter=public & Q(values__is_synthetic=True)),
        )
        .order_by("path", "code")
    )


def public_documents() -> QuerySet[Document]:
    """The source documents public figures cite, with how many each, newest first."""
    public = public_filter(prefix="values__")
    return (
        Document.objects.filter(pk__in=Value.objects.filter(public_filter()).values("document_id"))
        .annotate(values_count=Count("values", filter=public))
        .order_by(F("published_on").desc(nulls_last=True), "title")
    )


@dataclass(frozen=True)
class Selection:
    """The filters of a portal page, a download or an API call, resolved and checked."""

    indicator: Indicator | None = None
    unit: Unit | None = None
    within: Unit | None = None
    period: Period | None = None
    data: str = ALL

    def values(self) -> QuerySet[Value]:
        return public_values(
            indicator=self.indicator, unit=self.unit, within=self.within, period=self.period, data=self.data
        )

    def as_params(self) -> dict[str, str]:
        """The selection as query parameters, the way the API and the downloads take it."""
        params = {
            "indicator": self.indicator.code if self.indicator else "",
            "unit": str(self.unit.pk) if self.unit else "",
            "within": str(self.within.pk) if self.within else "",
            "period": self.period.code if self.period else "",
            "data": self.data if self.data != ALL else "",
        }
        return {k: v for k, v in params.items() if v}


def select(
    *,
    indicator: str = "",
    unit: int | None = None,
    within: int | None = None,
    period: str = "",
    data: str = ALL,
) -> Selection:
    """Resolve filters given as text and ids; an unknown indicator or unit, a period that is not
    one or a data label other than all/real/synthetic is refused with a clear message."""
    from dxmonitor.catalog.queries import get_indicator
    from dxmonitor.collection.periods import parse_period
    from dxmonitor.common.errors import DomainError, NotFound
    from dxmonitor.common.ids import is_id
    from dxmonitor.geo.queries import get_unit

    found_indicator = None
    if indicator:
        found_indicator = get_indicator(indicator)
        if found_indicator is None:
            raise NotFound(
                f"no indicator {indicator[:64]}", f"Không có chỉ tiêu {indicator[:64]}", field="indicator"
            )
    units = {}
    for name, unit_id in (("unit", unit), ("within", within)):
        if unit_id is None:
            continue
        units[name] = get_unit(unit_id) if is_id(unit_id) else None
        if units[name] is None:
            raise NotFound(f"no unit {unit_id}", f"Không có đơn vị {unit_id}", field=name)
    if data not in DATA_CHOICES:
        raise DomainError(
            "data is all, real or synthetic", "Loại số liệu là all, real hoặc synthetic", field="data"
        )
    return Selection(
        indicator=found_indicator,
        unit=units.get("unit"),
        within=units.get("within"),
        period=parse_period(period.strip()) if period and period.strip() else None,
        data=data,
    )
