"""The analytics answers as the API and the pages give them, and the questions they take."""

import datetime

from ninja import Schema
from pydantic import Field

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.periods import parse_period
from dxmonitor.collection.schemas import IndicatorRef, TargetComparisonOut, UnitRef
from dxmonitor.common.display import format_value
from dxmonitor.geo.models import Unit

from .queries import METHODS, Figure

# What each method means, as an answer states it (English, Vietnamese).
METHOD_TEXT: dict[str, tuple[str, str]] = {
    "reported": ("reported by the unit itself", "đơn vị tự báo cáo"),
    "children": ("added up from the units under it", "tổng hợp từ các đơn vị trực thuộc"),
    "months": ("added up from its months", "tổng hợp từ các tháng"),
    "quarters": ("added up from its quarters", "tổng hợp từ các quý"),
    "succession": (
        "from the units it was formed from, weighted by the share of each",
        "từ các đơn vị cũ hợp thành, theo tỷ trọng của từng đơn vị",
    ),
    "ministry_average": (
        "plain average of the units it was formed from (the ministry's method for merged provinces)",
        "bình quân các đơn vị cũ hợp thành (cách Bộ tính cho tỉnh hợp nhất)",
    ),
}
LIMITS = {"units": 5000, "indicators": 100, "periods": 120}


class FigureQuery(Schema):
    unit: int | None = Field(None, description="unit id")
    unit_code: str | None = Field(
        None, max_length=16, description="GSO code, meant as on the period's last day"
    )
    indicator: str = Field(..., max_length=64, description="indicator code")
    period: str = Field(..., max_length=16, description='"2025", "2025Q3", "202509", "" for undated')
    kind: str = Field("actual", pattern="^(actual|target)$")
    method: str = Field("auto", description=" | ".join(METHODS))


class PivotQuery(Schema):
    within: int | None = Field(None, description="unit id whose units to list (default: the whole country)")
    level: str | None = Field(
        None, description="level of the units listed (default: the children of `within`)"
    )
    units: str | None = Field(None, max_length=20_000, description="comma-separated unit ids, instead")
    indicators: str = Field(..., max_length=4000, description="comma-separated indicator codes")
    periods: str = Field(..., max_length=2000, description="comma-separated periods")
    kind: str = Field("actual", pattern="^(actual|target)$")


class RankingQuery(Schema):
    within: int | None = Field(
        None, description="unit id whose units are ranked (default: the whole country)"
    )
    level: str = Field("province", description="level of the units ranked")
    indicator: str = Field(..., max_length=64)
    period: str = Field(..., max_length=16)
    previous: str | None = Field(None, max_length=16, description="compare with (default: the period before)")


class SeriesQuery(Schema):
    unit: int
    indicator: str = Field(..., max_length=64)
    type: str = Field("M", pattern="^[MQY]$", description="M months, Q quarters, Y years")
    kind: str = Field("actual", pattern="^(actual|target)$")


class CompletenessQuery(Schema):
    dataset: str = Field(..., max_length=40, description="data set code")
    period: str = Field(..., max_length=16)
    within: int | None = Field(None, description="unit id (default: the whole country)")


class SourceOut(Schema):
    unit_id: int
    name: str
    weight: float
    value: float | None
    method: str | None


class FigureOut(Schema):
    unit: UnitRef
    indicator: IndicatorRef
    period: str
    period_label: str
    kind: str
    value: float | None
    comparator: str
    display: str
    numerator: float | None
    denominator: float | None
    method: str
    method_label: str
    parts: int | None
    expected: int | None
    unweighted: int
    complete: bool
    synthetic: bool
    sources: list[SourceOut]
    targets: list[TargetComparisonOut]


class CellOut(Schema):
    unit_id: int
    indicator: str
    period: str
    value: float | None
    comparator: str
    display: str
    method: str
    complete: bool
    synthetic: bool


class PeriodOut(Schema):
    code: str
    label: str


class PivotOut(Schema):
    units: list[UnitRef]
    indicators: list[IndicatorRef]
    periods: list[PeriodOut]
    cells: list[CellOut]


class PlaceOut(Schema):
    rank: int | None
    previous_rank: int | None
    change: int | None
    unit: UnitRef
    value: float | None
    comparator: str
    display: str
    method: str
    complete: bool


class RankingOut(Schema):
    indicator: IndicatorRef
    period: PeriodOut
    previous: PeriodOut | None
    within: UnitRef | None
    level: str
    direction: str
    items: list[PlaceOut]


class SeriesOut(Schema):
    unit: UnitRef
    indicator: IndicatorRef
    items: list[CellOut]


class DataSetRef(Schema):
    code: str
    name: str
    level: str
    period_type: str


class ReportingOut(Schema):
    unit_id: int
    name: str
    code: str
    expected: int
    submitted: int
    on_time: int
    late: int
    share: float | None


class CompletenessOut(Schema):
    dataset: DataSetRef
    period: PeriodOut
    within: UnitRef | None
    total: ReportingOut
    children: list[ReportingOut]


class StatusOut(Schema):
    path: str
    size_bytes: int
    watermark: int
    pending_changes: int
    refreshed_at: datetime.datetime | None
    facts: int
    figures: int


class RefreshIn(Schema):
    full: bool = False


def unit_ref(unit: Unit) -> dict:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
    }


def indicator_ref(indicator: Indicator, language: str) -> dict:
    return {"code": indicator.code, "name": indicator.name(language), "measure_unit": indicator.measure_unit}


def method_label(method: str, language: str) -> str:
    english, vietnamese = METHOD_TEXT.get(method, (method, method))
    return english if language.startswith("en") else vietnamese


def display(figure: Figure | None, indicator: Indicator, language: str) -> str:
    if figure is None or figure.value is None:
        return ""
    return format_value(
        figure.value, comparator=figure.comparator, measure_unit=indicator.measure_unit, language=language
    )


def cell_out(figure: Figure, indicator: Indicator, language: str) -> dict:
    return {
        "unit_id": figure.unit_id,
        "indicator": indicator.code,
        "period": figure.period,
        "value": figure.value,
        "comparator": figure.comparator,
        "display": display(figure, indicator, language),
        "method": figure.method,
        "complete": figure.complete,
        "synthetic": figure.synthetic,
    }


def period_out(code: str, language: str) -> dict:
    return {"code": code, "label": parse_period(code).label(language)}
