"""Values out in DHIS2's shapes, through the DHIS2 mappings read backwards.

A value is exported under each data element mapped to its indicator and kind: the `value` part
carries the figure, `numerator` and `denominator` parts carry those of a rate. A part mapped from
several category option combos (their figures were added up on import) cannot be split again:
it is exported once, under the mapping without a combo if there is one, else not at all.
Organisation units are named by their mapped DHIS2 id, else by the unit's own code.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Q

from dxmonitor.common.errors import DomainError
from dxmonitor.geo.models import Unit

from .models import DataSet, Dhis2Mapping, Value
from .periods import PeriodError, parse_period

EXPORT_CHUNK = 5_000


class ExportRefused(DomainError):
    """A query DHIS2 would refuse too (no data, period or organisation unit): 409."""

    status = 409


@dataclass(frozen=True)
class Element:
    part: str
    data_element: str
    combo: str


@dataclass
class ExportQuery:
    data_sets: list[str] = field(default_factory=list)
    data_elements: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    start: datetime.date | None = None
    end: datetime.date | None = None
    org_units: list[str] = field(default_factory=list)
    children: bool = False


class Reverse:
    """The mappings read backwards: (indicator id, kind) → data elements; unit id → org unit."""

    def __init__(self) -> None:
        rows = (
            Dhis2Mapping.objects.filter(kind=Dhis2Mapping.Kind.DATA_ELEMENT, indicator__isnull=False)
            .order_by("pk")
            .values_list("dhis2_id", "category_option_combo", "indicator_id", "part", "value_kind")
        )
        by_part: dict[tuple[int, str, str], list[tuple[str, str]]] = {}
        self.indicators_of: dict[str, set[int]] = {}
        for dhis2_id, combo, indicator_id, part, kind in rows:
            by_part.setdefault((indicator_id, kind, part), []).append((dhis2_id, combo))
            self.indicators_of.setdefault(dhis2_id, set()).add(indicator_id)
        self.elements: dict[tuple[int, str], list[Element]] = {}
        for (indicator_id, kind, part), found in by_part.items():
            plain = [item for item in found if not item[1]]
            chosen = plain[0] if plain else (found[0] if len(found) == 1 else None)
            if chosen is not None:
                self.elements.setdefault((indicator_id, kind), []).append(Element(part, *chosen))
        self.org_units: dict[int, str] = {}
        units = Dhis2Mapping.objects.filter(kind=Dhis2Mapping.Kind.ORG_UNIT, unit__isnull=False).order_by(
            "pk"
        )
        for dhis2_id, unit_id in units.values_list("dhis2_id", "unit_id"):
            self.org_units.setdefault(unit_id, dhis2_id)
        self.units_of: dict[str, int] = {}
        for unit_id, dhis2_id in self.org_units.items():
            self.units_of.setdefault(dhis2_id, unit_id)


def machine(number: float | None) -> str:
    """A figure as DHIS2 writes it: dot decimals, no grouping, integers without a decimal part."""
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _moment(when: datetime.datetime | None) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}" if when else ""


def _units(query: ExportQuery, reverse: Reverse) -> Q:
    found = Q()
    for name in query.org_units:
        unit_id = reverse.units_of.get(name)
        unit = Unit.objects.filter(pk=unit_id).first() if unit_id else Unit.objects.filter(code=name).first()
        if unit is None:
            raise ExportRefused(
                f"Organisation unit not found or not accessible: `{name}`",
                f"Không tìm thấy đơn vị `{name}` (chưa ánh xạ DHIS2 và không phải mã đơn vị)",
                field="orgUnit",
            )
        found |= Q(unit__path__startswith=unit.path) if query.children else Q(unit_id=unit.pk)
    return found


def _periods(query: ExportQuery) -> Q:
    if query.periods:
        codes = []
        for raw in query.periods:
            try:
                codes.append(parse_period(raw).code)
            except PeriodError as exc:
                raise ExportRefused(exc.message_en, exc.message_vi, field="period") from exc
        return Q(period__in=codes)
    if query.start and query.end:
        if query.start > query.end:
            raise ExportRefused(
                "Start date must be before end date",
                "Ngày bắt đầu phải trước ngày kết thúc",
                field="startDate",
            )
        return Q(period_start__gte=query.start, period_end__lte=query.end)
    raise ExportRefused(
        "At least one valid period or start date and end date must be specified",
        "Cần ít nhất một kỳ (period) hoặc ngày bắt đầu và ngày kết thúc (startDate, endDate)",
        field="period",
    )


def _indicators(query: ExportQuery, reverse: Reverse) -> set[int]:
    if not (query.data_sets or query.data_elements):
        raise ExportRefused(
            "At least one valid data set or data element must be specified",
            "Cần ít nhất một bộ dữ liệu (dataSet) hoặc phần tử dữ liệu (dataElement)",
            field="dataSet",
        )
    wanted: set[int] = set()
    for code in query.data_sets:
        dataset = DataSet.objects.filter(code=code).first()
        if dataset is None:
            raise ExportRefused(
                f"Data set not found or not accessible: `{code}`",
                f"Không có bộ dữ liệu `{code}`",
                field="dataSet",
            )
        wanted |= set(dataset.indicators.values_list("pk", flat=True))
    for element in query.data_elements:
        if element not in reverse.indicators_of:
            raise ExportRefused(
                f"Data element not found or not accessible: `{element}`",
                f"Phần tử dữ liệu `{element}` chưa được ánh xạ",
                field="dataElement",
            )
        wanted |= reverse.indicators_of[element]
    return wanted


def export_rows(*, query: ExportQuery) -> Iterator[dict]:
    """DHIS2 data values of the values the query selects, unit by unit and period by period.

    The query is checked now (ExportRefused), the values are read as the answer is streamed."""
    if not query.org_units:
        raise ExportRefused(
            "At least one valid organisation unit must be specified",
            "Cần ít nhất một đơn vị (orgUnit)",
            field="orgUnit",
        )
    reverse = Reverse()
    indicators = _indicators(query, reverse)
    selected = (
        Value.objects.filter(
            _units(query, reverse), _periods(query), indicator_id__in=indicators, is_deleted=False
        )
        .select_related("unit", "updated_by", "created_by")
        .order_by("unit_id", "period", "indicator_id", "kind")
    )
    return _rows(selected, reverse)


def _rows(selected, reverse: Reverse) -> Iterator[dict]:
    for value in selected.iterator(chunk_size=EXPORT_CHUNK):
        org_unit = reverse.org_units.get(value.unit_id) or value.unit.code
        who = value.updated_by or value.created_by
        for element in reverse.elements.get((value.indicator_id, value.kind), []):
            figure = getattr(value, element.part)
            if figure is None:
                continue
            yield {
                "dataElement": element.data_element,
                "period": value.period,
                "orgUnit": org_unit,
                "categoryOptionCombo": element.combo,
                "attributeOptionCombo": "",
                "value": machine(figure),
                "storedBy": who.get_username() if who else value.api_client,
                "created": _moment(value.created_at),
                "lastUpdated": _moment(value.updated_at),
                "comment": value.note,
                "followup": False,
            }
