"""One contract for a value, shared by the API, file imports, the CLI and the entry form.

`check_value` turns raw input into a clean value or a list of problems, each in English and
Vietnamese, so that every channel rejects the same things with the same words.
"""

import datetime
import math
from dataclasses import dataclass
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StrictFloat, StrictInt

from dxmonitor.catalog.models import Indicator, Kind
from dxmonitor.common.display import format_value
from dxmonitor.common.errors import Problem
from dxmonitor.common.numbers import NumberFormatError, parse_number
from dxmonitor.geo.models import Unit, in_force

from .models import Comparator, ValueKind
from .periods import Period, PeriodError, parse_period

# Django recomputes `.values` of a choices enum on every access; imports check millions.
_KINDS = frozenset(ValueKind.values)
_COMPARATORS = frozenset(Comparator.values)
_RATIO_KINDS = frozenset({Kind.RATE, Kind.DENSITY})

# Reports round: "81%" for 97/120 is fine; "60%" for 72/100 is not.
RATE_TOLERANCE = 0.5
# The largest figure each kind of indicator can hold: a count of households, people or dossiers
# stays far below a trillion; a density (per 100) or a score below a million; a rank among the
# units of the country below a hundred thousand. Beyond these a figure is a typing slip or a probe.
MAX_COUNT = 1e12
MAGNITUDE = {Kind.COUNT: MAX_COUNT, Kind.DENSITY: 1e6, Kind.SCORE: 1e6, Kind.RANK: 1e5}


class EvidenceIn(Schema):
    document_id: int | None = Field(None, gt=0, lt=2**63)
    quote: str = Field("", max_length=2000)
    start: int | None = Field(None, ge=0, le=10_000_000)
    end: int | None = Field(None, ge=0, le=10_000_000)


# A number as JSON gives it, or as an official types it ("1.234,5"); never a boolean.
Amount = StrictInt | StrictFloat | Annotated[str, Field(max_length=40)] | None


class ValueIn(Schema):
    unit_id: int | None = Field(None, gt=0, lt=2**63, description="Unit id; or give unit_code")
    unit_code: str | None = Field(
        None, max_length=24, description="GSO code; the unit in force during the period is used"
    )
    indicator: str = Field(..., max_length=64, description="Catalogue code, e.g. INF.HOUSEHOLD_FIXED_BB")
    period: str = Field("", max_length=16, description='"2024", "2024Q3", "202409"; empty for undated')
    kind: str = Field("actual", max_length=8)
    value: Amount = None
    comparator: str = Field("eq", max_length=8)
    numerator: Amount = None
    denominator: Amount = None
    note: str = Field("", max_length=2000)
    evidence: EvidenceIn | None = None
    base_version: int | None = Field(
        None,
        ge=0,
        lt=2**31,
        description="The version of the value the figure was typed over (0: none). Given, the figure "
        "is applied only while that version is current or every later one is the sender's; otherwise "
        "409 with the other figure, unless `keep` says which to keep",
    )
    entered_offline_at: datetime.datetime | None = Field(
        None, description="When the figure was typed on a device without a connection"
    )
    keep: Literal["mine", "theirs"] | None = Field(
        None,
        description="After a 409: keep this figure (mine) or the other (theirs); both stay in the history",
    )


@dataclass
class CleanValue:
    period: Period
    kind: str
    value: float
    comparator: str
    numerator: float | None
    denominator: float | None


def _number(raw, field: str, problems: list[Problem], row: int | None) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        number = parse_number(raw)
    except NumberFormatError:
        problems.append(
            Problem(
                field,
                f"{field} {raw!r} is not a number",
                f"Giá trị {raw!r} ở trường {field} không phải là số",
                row,
            )
        )
        return None
    if not math.isfinite(number):
        problems.append(
            Problem(field, f"{field} must be a finite number", f"Trường {field} phải là số hữu hạn", row)
        )
        return None
    return number


def check_value(
    *,
    unit: Unit,
    indicator: Indicator,
    period: str,
    kind: str,
    value,
    comparator: str = "eq",
    numerator=None,
    denominator=None,
    row: int | None = None,
) -> tuple[CleanValue | None, list[Problem]]:
    problems: list[Problem] = []
    try:
        parsed_period = parse_period(period)
    except PeriodError as exc:
        problems.append(Problem("period", exc.message_en, exc.message_vi, row))
        parsed_period = None
    if kind not in _KINDS:
        problems.append(
            Problem(
                "kind",
                f"kind must be actual or target, not {kind!r}",
                f"Loại số liệu phải là thực hiện (actual) hoặc mục tiêu (target), không phải {kind!r}",
                row,
            )
        )
    if comparator not in _COMPARATORS:
        problems.append(
            Problem(
                "comparator",
                f"comparator must be one of {', '.join(Comparator.values)}",
                f"Phép so sánh phải là một trong {', '.join(Comparator.values)}",
                row,
            )
        )
    if not indicator.is_active:
        problems.append(
            Problem(
                "indicator",
                f"indicator {indicator.code} is retired",
                f"Chỉ tiêu {indicator.code} đã ngừng sử dụng",
                row,
            )
        )
    number = _number(value, "value", problems, row)
    top = _number(numerator, "numerator", problems, row)
    bottom = _number(denominator, "denominator", problems, row)
    if bottom is not None and bottom <= 0:
        problems.append(
            Problem(
                "denominator",
                "the denominator must be greater than zero",
                "Mẫu số phải lớn hơn 0",
                row,
            )
        )
        bottom = None
    if top is not None and top < 0:
        problems.append(Problem("numerator", "the numerator cannot be negative", "Tử số không được âm", row))
    for name, part in (("numerator", top), ("denominator", bottom)):
        if part is not None and part > MAX_COUNT:
            problems.append(
                Problem(
                    name,
                    f"{name} {part:g} is beyond any count (at most {MAX_COUNT:,.0f})",
                    f"{'Tử số' if name == 'numerator' else 'Mẫu số'} {part:g} vượt quá mọi số đếm "
                    f"(tối đa {MAX_COUNT:,.0f})".replace(",", "."),
                    row,
                )
            )
    is_ratio = indicator.kind in _RATIO_KINDS
    if is_ratio and top is not None and bottom is not None:
        computed = 100.0 * top / bottom
        if indicator.is_percent and top > bottom:
            problems.append(
                Problem(
                    "numerator",
                    f"numerator {top:g} is larger than denominator {bottom:g}",
                    f"Tử số {top:g} lớn hơn mẫu số {bottom:g}",
                    row,
                )
            )
        if number is None:
            number = round(computed, 4)
        elif abs(number - computed) > RATE_TOLERANCE:
            problems.append(
                Problem(
                    "value",
                    f"value {number:g} disagrees with {top:g}/{bottom:g} = {computed:.1f}",
                    f"Giá trị {number:g} không khớp với {top:g}/{bottom:g} = {computed:.1f}",
                    row,
                )
            )
    if number is None and not any(p.field == "value" for p in problems):
        problems.append(
            Problem(
                "value",
                "a value (or a numerator and a denominator) is required",
                "Cần nhập giá trị (hoặc tử số và mẫu số)",
                row,
            )
        )
    if number is not None:
        if number < 0 and indicator.kind != Kind.SCORE:
            problems.append(
                Problem(
                    "value",
                    f"value {number:g} cannot be negative",
                    f"Giá trị {number:g} không được âm",
                    row,
                )
            )
        ceiling = 100.0 if indicator.is_percent else MAGNITUDE.get(indicator.kind, MAX_COUNT)
        if abs(number) > ceiling and not indicator.is_percent:
            problems.append(
                Problem(
                    "value",
                    f"value {number:g} is beyond what {indicator.code} can be (at most {ceiling:,.0f})",
                    f"Giá trị {number:g} vượt quá mức hợp lý của {indicator.code} "
                    f"(tối đa {ceiling:,.0f})".replace(",", "."),
                    row,
                )
            )
        if indicator.is_percent and number > 100:
            problems.append(
                Problem(
                    "value",
                    f"a percentage cannot exceed 100 ({number:g})",
                    f"Tỷ lệ phần trăm không được vượt quá 100 ({number:g})",
                    row,
                )
            )
    if kind == ValueKind.TARGET and parsed_period is not None and not parsed_period.start:
        problems.append(
            Problem(
                "period",
                "a target needs the period it is set for",
                "Mục tiêu phải có năm hoặc kỳ áp dụng",
                row,
            )
        )
    if (
        parsed_period
        and parsed_period.start
        and not in_force(unit.valid_from, unit.valid_to, start=parsed_period.start, end=parsed_period.end)
    ):
        problems.append(
            Problem(
                "period",
                f"{unit.name} (code {unit.code}) was not in force during {parsed_period.code}",
                f"{unit.name} (mã {unit.code}) không tồn tại trong kỳ {parsed_period.label('vi')}",
                row,
            )
        )
    if problems:
        return None, problems
    assert parsed_period is not None and number is not None
    return CleanValue(parsed_period, kind, number, comparator, top, bottom), []


def unit_day(period: Period) -> datetime.date | None:
    """The day that picks which unit a code means: the end of the period, or today if undated."""
    return period.end


class UnitRef(Schema):
    id: int
    code: str
    name: str
    level: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None


class IndicatorRef(Schema):
    code: str
    name: str
    measure_unit: str


class DocumentRef(Schema):
    id: int
    title: str
    url: str
    published_on: datetime.date | None


class EvidenceOut(Schema):
    quote: str
    start: int | None
    end: int | None


class ProvenanceOut(Schema):
    source_type: str
    document: DocumentRef | None
    file: str
    row: int | None
    api_client: str
    evidence: EvidenceOut | None
    created_by: str | None
    created_at: datetime.datetime
    updated_by: str | None
    updated_at: datetime.datetime


class TargetComparisonOut(Schema):
    status: str
    target: float
    target_year: int
    target_level: str
    target_source: str
    scope: str
    gap: float | None
    gap_bound: str


class ValueOut(Schema):
    id: int
    unit: UnitRef
    indicator: IndicatorRef
    period: str
    period_label: str
    kind: str
    value: float
    comparator: str
    display: str
    numerator: float | None
    denominator: float | None
    synthetic: bool
    data_label: str
    version: int
    deleted: bool
    provenance: ProvenanceOut
    targets: list[TargetComparisonOut]


class ValueChangeOut(Schema):
    version: int
    action: str
    before: dict | None
    after: dict | None
    changed_at: datetime.datetime
    changed_by: str | None
    source_type: str
    document_id: int | None
    source_file: str
    source_row: int | None
    api_client: str
    reason: str
    entered_offline_at: datetime.datetime | None = None


class NewerOut(Schema):
    """The figure someone else entered after the one a queued figure was typed over."""

    version: int
    by: str
    at: datetime.datetime
    deleted: bool
    value: float | None
    numerator: float | None
    denominator: float | None
    display: str


def newer_out(newer, *, measure_unit: str, language: str) -> dict:
    content = newer.content or {}
    return {
        "version": newer.version,
        "by": newer.by,
        "at": newer.at,
        "deleted": newer.content is None,
        "value": content.get("value"),
        "numerator": content.get("numerator"),
        "denominator": content.get("denominator"),
        "display": format_value(
            content["value"], comparator=content["comparator"], measure_unit=measure_unit, language=language
        )
        if content
        else "",
    }


class RecordOut(Schema):
    outcome: str
    value: ValueOut


class DocumentOut(Schema):
    id: int
    title: str
    kind: str
    file_name: str
    url: str
    published_on: datetime.date | None
    created_at: datetime.datetime
    values_count: int
    page_url: str


class DocumentDetailOut(DocumentOut):
    text: str


def value_out(
    value, *, language: str = "vi", comparisons: list | None = None, show_people: bool = True
) -> dict:
    """A value as the API gives it. Pass `comparisons` (from `compare_all`) when serialising many."""
    from django.urls import reverse

    from dxmonitor.common.display import format_value

    from .queries import target_comparisons

    document = value.document
    has_evidence = bool(value.evidence_quote)
    return {
        "id": value.pk,
        "unit": {
            "id": value.unit.pk,
            "code": value.unit.code,
            "name": value.unit.name,
            "level": value.unit.level,
            "valid_from": value.unit.valid_from,
            "valid_to": value.unit.valid_to,
        },
        "indicator": {
            "code": value.indicator.code,
            "name": value.indicator.name(language),
            "measure_unit": value.indicator.measure_unit,
        },
        "period": value.period,
        "period_label": parse_period(value.period).label(language),
        "kind": value.kind,
        "value": value.value,
        "comparator": value.comparator,
        "display": format_value(
            value.value,
            comparator=value.comparator,
            measure_unit=value.indicator.measure_unit,
            language=language,
        ),
        "numerator": value.numerator,
        "denominator": value.denominator,
        "synthetic": value.is_synthetic,
        "data_label": "synthetic" if value.is_synthetic else "real",
        "version": value.version,
        "deleted": value.is_deleted,
        "provenance": {
            "source_type": value.source_type,
            "document": {
                "id": document.pk,
                "title": document.title,
                "url": document.url or reverse("web:document", args=[document.pk]),
                "published_on": document.published_on,
            }
            if document
            else None,
            "file": value.source_file,
            "row": value.source_row,
            "api_client": value.api_client if show_people else "",
            "evidence": {
                "quote": value.evidence_quote,
                "start": value.evidence_start,
                "end": value.evidence_end,
            }
            if has_evidence
            else None,
            "created_by": value.created_by.username if value.created_by and show_people else None,
            "created_at": value.created_at,
            "updated_by": value.updated_by.username if value.updated_by and show_people else None,
            "updated_at": value.updated_at,
        },
        "targets": [c.__dict__ for c in (target_comparisons(value) if comparisons is None else comparisons)],
    }


def change_out(change, *, show_people: bool = True) -> dict:
    return {
        "version": change.version,
        "action": change.action,
        "before": change.before,
        "after": change.after,
        "changed_at": change.changed_at,
        "changed_by": change.changed_by.username if change.changed_by and show_people else None,
        "source_type": change.source_type,
        "document_id": change.document_id,
        "source_file": change.source_file,
        "source_row": change.source_row,
        "api_client": change.api_client if show_people else "",
        "reason": change.reason,
        "entered_offline_at": change.entered_offline_at,
    }


def document_out(document, *, values_count: int | None = None, with_text: bool = False) -> dict:
    from django.urls import reverse

    data = {
        "id": document.pk,
        "title": document.title,
        "kind": document.kind,
        "file_name": document.file_name,
        "url": document.url,
        "published_on": document.published_on,
        "created_at": document.created_at,
        "values_count": values_count
        if values_count is not None
        else document.values.filter(is_deleted=False).count(),
        "page_url": reverse("web:document", args=[document.pk]),
    }
    if with_text:
        data["text"] = document.text
    return data
