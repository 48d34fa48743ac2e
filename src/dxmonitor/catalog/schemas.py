"""One contract for an indicator definition, shared by the API, the catalogue file and the form."""

import re
from typing import Annotated

from ninja import Schema
from pydantic import Field

from dxmonitor.common.errors import Problem

from .models import Aggregation, Direction, Kind, PeriodAggregation

CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*\.[A-Z0-9_]+$")
LEVELS = ("province", "district", "commune", "village")


Finite = Annotated[float, Field(allow_inf_nan=False)]
Phrasing = Annotated[str, Field(max_length=200)]


class TargetIn(Schema):
    year: int = Field(..., ge=1990, le=2100)
    value: Finite
    level: str = Field("", max_length=10)
    source: str = Field("", max_length=300)


class TargetOut(TargetIn):
    scope_unit_id: int | None = None


class IndicatorIn(Schema):
    code: str = Field(..., max_length=64)
    group: str = Field(..., max_length=12)
    name_vi: str = Field(..., max_length=300)
    name_en: str = Field(..., max_length=300)
    measure_unit: str = Field(..., max_length=32)
    kind: str = Field(..., max_length=12)
    numerator_label: str = Field("", max_length=200)
    denominator_label: str = Field("", max_length=200)
    denominator_indicator: str | None = Field(None, max_length=64)
    aggregation: str = Field(..., max_length=16)
    period_aggregation: str = Field("end", max_length=8)
    direction: str = Field("up", max_length=8)
    phrasings: list[Phrasing] = Field(default_factory=list, max_length=100)
    definition: str = Field("", max_length=5000)
    is_active: bool = True
    targets: list[TargetIn] = Field(default_factory=list, max_length=50)


class IndicatorPatch(Schema):
    """Fields to change; those left out keep their value. `targets`, when given, replaces all.

    `null` is accepted only where a field may be empty (`denominator_indicator`).
    """

    group: str | None = Field(None, max_length=12)
    name_vi: str | None = Field(None, max_length=300)
    name_en: str | None = Field(None, max_length=300)
    measure_unit: str | None = Field(None, max_length=32)
    kind: str | None = Field(None, max_length=12)
    numerator_label: str | None = Field(None, max_length=200)
    denominator_label: str | None = Field(None, max_length=200)
    denominator_indicator: str | None = Field(None, max_length=64)
    aggregation: str | None = Field(None, max_length=16)
    period_aggregation: str | None = Field(None, max_length=8)
    direction: str | None = Field(None, max_length=8)
    phrasings: list[Phrasing] | None = Field(None, max_length=100)
    definition: str | None = Field(None, max_length=5000)
    is_active: bool | None = None
    targets: list[TargetIn] | None = Field(None, max_length=50)


class GroupOut(Schema):
    code: str
    name_vi: str
    name_en: str


class IndicatorOut(Schema):
    code: str
    group: GroupOut
    name: str
    name_vi: str
    name_en: str
    measure_unit: str
    kind: str
    numerator_label: str
    denominator_label: str
    denominator_indicator: str | None
    aggregation: str
    period_aggregation: str
    direction: str
    phrasings: list[str]
    definition: str
    is_active: bool
    targets: list[TargetOut]


def check_indicator(data: IndicatorIn, *, row: int | None = None) -> list[Problem]:
    """Every problem with a definition, each in English and Vietnamese."""
    problems: list[Problem] = []

    def bad(field: str, en: str, vi: str) -> None:
        problems.append(Problem(field, en, vi, row))

    if not CODE_PATTERN.match(data.code or ""):
        bad(
            "code",
            f"code {data.code!r} must look like GROUP.NAME in capitals (INF.BTS_STATIONS)",
            f"Mã {data.code!r} phải có dạng NHÓM.TÊN viết hoa (ví dụ INF.BTS_STATIONS)",
        )
    for field in ("name_vi", "name_en", "measure_unit", "group"):
        if not (getattr(data, field) or "").strip():
            bad(field, f"{field} is required", f"Thiếu trường bắt buộc {field}")
    if data.kind not in Kind.values:
        bad(
            "kind",
            f"kind must be one of {', '.join(Kind.values)}",
            f"Loại chỉ tiêu phải là một trong {', '.join(Kind.values)}",
        )
    if data.aggregation not in Aggregation.values:
        bad(
            "aggregation",
            f"aggregation must be one of {', '.join(Aggregation.values)}",
            f"Cách tổng hợp phải là một trong {', '.join(Aggregation.values)}",
        )
    if data.period_aggregation not in PeriodAggregation.values:
        bad(
            "period_aggregation",
            f"period_aggregation must be one of {', '.join(PeriodAggregation.values)}",
            f"Cách cộng theo thời gian phải là một trong {', '.join(PeriodAggregation.values)}",
        )
    if data.direction not in Direction.values:
        bad(
            "direction",
            f"direction must be one of {', '.join(Direction.values)}",
            f"Chiều đánh giá phải là một trong {', '.join(Direction.values)}",
        )
    if data.aggregation == Aggregation.RATIO_OF_SUMS and not (
        data.denominator_label or data.denominator_indicator
    ):
        bad(
            "denominator_label",
            "a ratio of sums needs a denominator",
            "Chỉ tiêu tổng hợp theo tỷ số cần có mẫu số",
        )
    if any(not p.strip() for p in data.phrasings):
        bad("phrasings", "phrasings must not be empty", "Cách diễn đạt không được để trống")
    seen: set[tuple[int, str]] = set()
    for target in data.targets:
        if target.level and target.level not in LEVELS:
            bad(
                "targets",
                f"target level {target.level!r} is not one of {', '.join(LEVELS)}",
                f"Cấp áp dụng chỉ tiêu {target.level!r} không hợp lệ",
            )
        if not 1990 <= target.year <= 2100:
            bad(
                "targets",
                f"target year {target.year} is out of range",
                f"Năm mục tiêu {target.year} không hợp lệ",
            )
        if data.measure_unit == "percent" and not 0 <= target.value <= 100:
            bad(
                "targets",
                f"a percentage target must be between 0 and 100, not {target.value}",
                f"Mục tiêu tỷ lệ phải từ 0 đến 100, không phải {target.value}",
            )
        if (target.year, target.level) in seen:
            bad(
                "targets",
                f"two targets for {target.year} {target.level or 'all levels'}",
                f"Trùng mục tiêu năm {target.year} {target.level or 'mọi cấp'}",
            )
        seen.add((target.year, target.level))
    return problems


class IndicatorPage(Schema):
    count: int
    items: list[IndicatorOut]


class IndicatorChangeOut(Schema):
    changed_at: str
    changed_by: str | None
    channel: str
    action: str
    changes: dict


def indicator_out(indicator, *, language: str = "vi") -> dict:
    return {
        "code": indicator.code,
        "group": {
            "code": indicator.group.code,
            "name_vi": indicator.group.name_vi,
            "name_en": indicator.group.name_en,
        },
        "name": indicator.name(language),
        "name_vi": indicator.name_vi,
        "name_en": indicator.name_en,
        "measure_unit": indicator.measure_unit,
        "kind": indicator.kind,
        "numerator_label": indicator.numerator_label,
        "denominator_label": indicator.denominator_label,
        "denominator_indicator": indicator.denominator_indicator.code
        if indicator.denominator_indicator
        else None,
        "aggregation": indicator.aggregation,
        "period_aggregation": indicator.period_aggregation,
        "direction": indicator.direction,
        "phrasings": indicator.phrasings,
        "definition": indicator.definition,
        "is_active": indicator.is_active,
        "targets": [
            {
                "year": t.year,
                "value": t.value,
                "level": t.level,
                "source": t.source,
                "scope_unit_id": t.scope_unit_id,
            }
            for t in indicator.targets.all()
        ],
    }
