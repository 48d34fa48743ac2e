"""The data tables of the pages as .csv and .xlsx: values, units, a report's figures.

Each table takes the rows its page (or API list) already selected, with the same filters and
the same visibility. Values come out with the columns an upload reads (unit_code, indicator,
period, value …), so a file exported and edited imports again.
"""

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils import timezone

from dxmonitor.collection.models import SourceType, Value
from dxmonitor.collection.periods import PeriodError, parse_period
from dxmonitor.common.display import unit_label
from dxmonitor.common.exports import Column, Table
from dxmonitor.geo.models import Unit

from . import layout

MAX_EXPORT_ROWS = 1_000_000


def _english(language: str) -> bool:
    return language.startswith("en")


def _title(key: str, language: str) -> str:
    column = layout.BY_KEY[key]
    return column.title_en if _english(language) else column.title_vi


def _period_label(code: str, language: str) -> str:
    try:
        return parse_period(code).label(language)
    except PeriodError:
        return code


def _local(moment) -> object:
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


_SOURCES = {choice.value: choice.label for choice in SourceType}
_EXTRA = {
    "period_label": ("Tên kỳ", "Period label", 14),
    "source": ("Nguồn", "Source", 22),
    "source_file": ("Tệp nguồn", "Source file", 24),
    "source_row": ("Dòng", "Row", 8),
    "updated_at": ("Cập nhật lúc", "Updated at", 18),
    "updated_by": ("Người cập nhật", "Updated by", 18),
    "synthetic": ("Mô phỏng", "Synthetic", 10),
}


def _extra(key: str, language: str) -> Column:
    vi, en, width = _EXTRA[key]
    return Column(en if _english(language) else vi, width)


def values_table(values: QuerySet[Value], *, language: str, show_people: bool, title: str) -> Table:
    """Values as an upload reads them, then where each came from."""
    keys = ["unit_code", "unit_name", "indicator", "indicator_name", "measure_unit", "period", "kind",
            "value", "comparator", "numerator", "denominator", "note"]  # fmt: skip
    extras = ["period_label", "source", "source_file", "source_row", "updated_at"]
    if show_people:
        extras.append("updated_by")
    extras.append("synthetic")
    columns = [Column(_title(k, language), layout.BY_KEY[k].width) for k in keys]
    columns += [_extra(k, language) for k in extras]
    return Table(title, columns, _value_rows(values, language=language, show_people=show_people))


def _value_rows(values: QuerySet[Value], *, language: str, show_people: bool) -> Iterator[list]:
    from django.utils.translation import override

    for count, value in enumerate(values.iterator(chunk_size=2000)):
        if count >= MAX_EXPORT_ROWS:
            break
        indicator = value.indicator
        with override(language):
            source = str(_SOURCES.get(value.source_type, value.source_type))
        row = [
            value.unit.code,
            value.unit.name,
            indicator.code,
            indicator.name(language),
            unit_label(indicator.measure_unit, language),
            value.period,
            value.kind,
            value.value,
            value.comparator,
            value.numerator,
            value.denominator,
            value.note,
            _period_label(value.period, language),
            source,
            value.source_file,
            value.source_row,
            _local(value.updated_at),
        ]
        if show_people:
            row.append(value.updated_by.get_username() if value.updated_by_id and value.updated_by else "")
        row.append(1 if value.is_synthetic else 0)
        yield row


def units_table(units: QuerySet[Unit], *, language: str, title: str) -> Table:
    english = _english(language)
    columns = [
        Column("Code" if english else "Mã", 12),
        Column("Name" if english else "Tên", 36),
        Column("Type" if english else "Loại", 16),
        Column("Level" if english else "Cấp", 12),
        Column("Part of" if english else "Thuộc", 32),
        Column("Code of parent" if english else "Mã đơn vị cấp trên", 14),
        Column("In force from" if english else "Hiệu lực từ", 14),
        Column("In force until" if english else "Hiệu lực đến", 14),
        Column("Area (km²)" if english else "Diện tích (km²)", 14),
        Column("Latitude" if english else "Vĩ độ", 12),
        Column("Longitude" if english else "Kinh độ", 12),
    ]

    def rows() -> Iterator[list]:
        from django.utils.translation import override

        with override(language):
            for unit in units.iterator(chunk_size=2000):
                yield [
                    unit.code,
                    unit.name,
                    str(unit.get_unit_type_display()),
                    str(unit.get_level_display()),
                    unit.parent.name if unit.parent_id and unit.parent else "",
                    unit.parent.code if unit.parent_id and unit.parent else "",
                    unit.valid_from,
                    unit.valid_to,
                    unit.area_km2,
                    unit.latitude,
                    unit.longitude,
                ]

    return Table(title, columns, rows())


def report_table(form, *, language: str) -> Table:
    """A report's cells (a data-entry form): every (unit, indicator) with its figure or a blank."""
    keys = ["unit_code", "unit_name", "indicator", "indicator_name", "measure_unit", "period",
            "value", "numerator", "denominator", "note"]  # fmt: skip
    english = _english(language)
    columns = [Column(_title(k, language), layout.BY_KEY[k].width) for k in keys]
    columns += [Column("Required" if english else "Bắt buộc", 10), _extra("updated_at", language)]

    def rows() -> Iterable[list]:
        for unit, cells in form.rows():
            for cell in cells:
                value = cell.value if cell.filled else None
                yield [
                    unit.code,
                    unit.name,
                    cell.indicator.code,
                    cell.indicator.name(language),
                    unit_label(cell.indicator.measure_unit, language),
                    form.period.code,
                    value.value if value else None,
                    value.numerator if value else None,
                    value.denominator if value else None,
                    value.note if value else "",
                    1 if cell.required else 0,
                    _local(value.updated_at) if value else None,
                ]

    title = f"{form.dataset.code} {form.period.code} {form.unit.code}"
    return Table(title, columns, rows())
