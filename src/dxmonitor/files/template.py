"""The Excel template of a data set and period for the units a user enters figures for.

One row per (unit, indicator) — per (village, indicator) for a village-level data set — with
the figures already entered filled in. Codes and names are locked (sheet protection without a
password); the entry columns are open and checked by Excel as they are typed. Hidden: a row of
machine keys under the headers, the lists of valid codes, and the data set and period the file
is for, which the upload checks.
"""

import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from dxmonitor.accounts.permissions import ENTER, grants
from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.datasets import window
from dxmonitor.collection.models import DataSet, DataSetIndicator, Value, ValueKind
from dxmonitor.collection.periods import Period
from dxmonitor.common.display import unit_label
from dxmonitor.common.errors import DomainError, Forbidden
from dxmonitor.common.exports import is_dangerous
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Level, Unit
from dxmonitor.geo.queries import valid_during

from . import layout
from .guide import write_guide

EXTRA_ROWS = 100  # open rows under the data, for figures the template did not list
MAX_ROWS = 500_000
FIRST_ROW = 3  # row 1: headers, row 2 (hidden): machine keys
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
ENTRY_FILL = PatternFill("solid", fgColor="FFFFFF")
THIN = Side(style="thin", color="BFBFBF")


@dataclass
class Scope:
    """What a template holds: the data set, the period, its units and indicators, the figures."""

    dataset: DataSet
    period: Period
    units: list[Unit]
    members: list[DataSetIndicator]
    values: dict[
        tuple[int, int], tuple
    ]  # (unit, indicator) → (value, numerator, denominator, note, comparator)
    within: Unit | None
    user: AnyUser | None

    @property
    def rows(self) -> int:
        return len(self.units) * len(self.members)


def template_scope(
    *, dataset: DataSet, period: Period, user: AnyUser | None, within: Unit | None = None
) -> Scope:
    """The units of the data set's level in force during the period, in the user's data-entry
    subtrees (and under `within`), in code order; refused when there are none or too many."""
    if period.type != dataset.period_type or not (period.start and period.end):
        raise DomainError(
            f"{period.code or 'an undated period'} is not a period of data set {dataset.code}",
            f"{period.code or 'Kỳ không ngày tháng'} không phải kỳ báo cáo của {dataset.name_vi}",
            field="period",
        )
    level = Level.VILLAGE if dataset.level == Level.VILLAGE else Level.COMMUNE
    in_force = valid_during(period.start, period.end)
    found_grants = grants(user) if user is not None else None
    scope = found_grants.unit_filter(ENTER) if found_grants is not None else Q()
    on_units = found_grants.unit_filter(ENTER, prefix="unit__") if found_grants is not None else Q()
    units = Unit.objects.filter(in_force, level=level).filter(scope)
    if within is not None:
        units = units.filter(Q(pk=within.pk) | Q(path__startswith=within.path))
    found = list(units.select_related("parent").order_by("code", "valid_from"))
    if not found:
        where = f" under {within.name}" if within is not None else ""
        where_vi = f" thuộc {within.name}" if within is not None else ""
        raise Forbidden(
            f"you enter figures for no {level}{where} during {period.code}",
            f"Bạn không được giao nhập số liệu cho đơn vị {_LEVEL_VI[level]} nào{where_vi} trong "
            f"{period.label('vi')}",
            field="unit",
        )
    members = list(
        DataSetIndicator.objects.filter(dataset=dataset)
        .select_related("indicator")
        .order_by("position", "id")
    )
    rows = len(found) * len(members)
    if rows > MAX_ROWS:
        raise DomainError(
            f"{rows} rows are too many for one file (at most {MAX_ROWS}); choose a unit",
            f"{rows} dòng là quá nhiều cho một tệp (tối đa {MAX_ROWS}); hãy chọn một đơn vị",
            field="unit",
        )
    values = _values(found, members, period, on_units, within)
    return Scope(dataset, period, found, members, values, within, user)


_LEVEL_VI = {Level.COMMUNE: "cấp xã", Level.VILLAGE: "thôn, bản"}


def _values(units, members, period, scope: Q, within: Unit | None) -> dict[tuple[int, int], tuple]:
    unit_ids = {u.pk for u in units}
    rows = Value.objects.filter(
        period=period.code,
        kind=ValueKind.ACTUAL,
        is_deleted=False,
        indicator_id__in=[m.indicator_id for m in members],
    )
    # The units' own filter, on the values' units: one query whatever the number of units.
    rows = rows.filter(scope)
    if within is not None:
        rows = rows.filter(Q(unit_id=within.pk) | Q(unit__path__startswith=within.path))
    found = {}
    fields = ("unit_id", "indicator_id", "value", "numerator", "denominator", "note", "comparator")
    for unit_id, indicator_id, *rest in rows.values_list(*fields):
        if unit_id in unit_ids:
            found[(unit_id, indicator_id)] = tuple(rest)
    return found


class _Styles:
    """Style arrays made once per workbook and shared by every cell of a kind (1M cells stay fast)."""

    def __init__(self, workbook: Workbook, sheet) -> None:
        border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
        self.header = self._make(sheet, font=Font(bold=True), fill=HEADER_FILL, border=border,
                                 alignment=Alignment(wrap_text=True, vertical="center"))  # fmt: skip
        self.keys = self._make(sheet, font=Font(color="808080", size=9))
        self.locked = self._make(sheet, fill=LOCKED_FILL, border=border)
        self.locked_text = self._make(sheet, fill=LOCKED_FILL, border=border, number_format="@")
        self.entry = self._make(sheet, fill=ENTRY_FILL, border=border, protection=Protection(locked=False))
        self.entry_text = self._make(
            sheet, fill=ENTRY_FILL, border=border, protection=Protection(locked=False), number_format="@"
        )
        self.quoted = {}

    @staticmethod
    def _make(sheet, **style) -> StyleArray:
        cell = Cell(sheet, row=1, column=1)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return StyleArray(cell._style)


def _cell(sheet, value, style: StyleArray) -> Cell:
    cell = Cell(sheet, row=1, column=1, style_array=style)
    if value is not None:
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # text is text: never a formula
            if is_dangerous(value):
                cell.quotePrefix = True
    return cell


def build_template(scope: Scope) -> bytes:
    """The workbook: "Số liệu", "Hướng dẫn", and the hidden "Danh mục" and metadata sheets."""
    workbook = Workbook(write_only=True)
    extra = _extra_columns(scope)
    columns = list(layout.COLUMNS) + extra
    data = workbook.create_sheet(layout.DATA_SHEET)
    guide = workbook.create_sheet(layout.GUIDE_SHEET)
    lists = workbook.create_sheet(layout.LISTS_SHEET)
    meta = workbook.create_sheet(layout.META_SHEET)
    styles = _Styles(workbook, data)
    last = FIRST_ROW + scope.rows + EXTRA_ROWS - 1
    _prepare_data_sheet(data, columns, last)
    _validations(workbook, data, columns, scope, last)
    data.append([_cell(data, c.title_vi, styles.header) for c in columns])
    data.append([_cell(data, c.key, styles.keys) for c in columns])
    for row in _rows(scope, columns, styles, data):
        data.append(row)
    blank = [
        styles.entry_text if c.key in ("unit_code", "indicator", "period") else styles.entry for c in columns
    ]
    for _ in range(EXTRA_ROWS):
        data.append([_cell(data, None, style) for style in blank])
    write_guide(guide, scope=scope, rows=scope.rows, extra_rows=EXTRA_ROWS)
    _write_lists(workbook, lists, scope)
    _write_meta(meta, scope)
    workbook.properties.title = f"{scope.dataset.name_vi} — {scope.period.label('vi')}"
    workbook.properties.subject = f"{layout.TEMPLATE_MARK} {scope.dataset.code} {scope.period.code}"
    workbook.properties.keywords = f"dxmonitor;{scope.dataset.code};{scope.period.code}"
    workbook.properties.creator = "dxmonitor"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _extra_columns(scope: Scope) -> list[layout.Column]:
    """A comparator column only when a figure already entered has one (e.g. "> 97"), so that
    sending the template back unchanged keeps it."""
    if any(v[4] != "eq" for v in scope.values.values()):
        return [layout.BY_KEY["comparator"]]
    return []


def _prepare_data_sheet(sheet, columns: list[layout.Column], last: int) -> None:
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.row_dimensions[1].height = 30
    sheet.row_dimensions[2].hidden = True
    sheet.freeze_panes = f"C{FIRST_ROW}"
    protection = sheet.protection
    protection.sheet = True
    # Officers may still resize, sort and filter; they may not change codes, names or headers.
    protection.formatColumns = False
    protection.formatRows = False
    protection.sort = False
    protection.autoFilter = False


def _validations(workbook: Workbook, sheet, columns: list[layout.Column], scope: Scope, last: int) -> None:
    where = {c.key: layout.letter(i) for i, c in enumerate(columns)}
    first = FIRST_ROW
    measure = where["measure_unit"]
    value = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2=f'IF(${measure}{first}="%",100,1E+307)',
        allow_blank=True,
        errorTitle="Giá trị không hợp lệ",
        error="Nhập một số không âm; tỷ lệ phần trăm từ 0 đến 100.",
        promptTitle="Giá trị",
        prompt="Số, ví dụ 1.234,5; tỷ lệ % từ 0 đến 100 (24,3 hoặc 24,3%).",
        showErrorMessage=True,
        showInputMessage=True,
    )
    value.add(f"{where['value']}{first}:{where['value']}{last}")
    parts = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        errorTitle="Tử số, mẫu số không hợp lệ",
        error="Nhập một số không âm.",
        showErrorMessage=True,
    )
    parts.add(f"{where['numerator']}{first}:{where['denominator']}{last}")
    units = _list_validation(layout.UNIT_LIST, "Mã đơn vị không có trong danh mục của mẫu này.")
    units.add(f"{where['unit_code']}{first}:{where['unit_code']}{last}")
    indicators = _list_validation(layout.INDICATOR_LIST, "Mã chỉ tiêu không thuộc bộ số liệu này.")
    indicators.add(f"{where['indicator']}{first}:{where['indicator']}{last}")
    period = _list_validation(f'"{scope.period.code}"', f"Mẫu này chỉ cho kỳ {scope.period.code}.")
    period.add(f"{where['period']}{first}:{where['period']}{last}")
    for validation in (value, parts, units, indicators, period):
        sheet.data_validations.append(validation)


def _list_validation(source: str, error: str) -> DataValidation:
    return DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        errorTitle="Mã không hợp lệ",
        error=error,
        showErrorMessage=True,
    )


def _rows(scope: Scope, columns: list[layout.Column], styles: _Styles, sheet) -> Iterator[list[Cell]]:
    period = scope.period.code
    locked = {"unit_code": styles.locked_text, "indicator": styles.locked_text, "period": styles.locked_text}
    indicators: list[tuple[Indicator, str]] = [
        (m.indicator, unit_label(m.indicator.measure_unit, "vi")) for m in scope.members
    ]
    for unit in scope.units:
        for indicator, measure in indicators:
            found = scope.values.get((unit.pk, indicator.pk))
            number, top, bottom, note, comparator = found if found else (None, None, None, "", "eq")
            cells = {
                "unit_code": unit.code,
                "unit_name": unit.name,
                "indicator": indicator.code,
                "indicator_name": indicator.name_vi,
                "measure_unit": measure,
                "period": period,
                "value": number,
                "numerator": top,
                "denominator": bottom,
                "note": note or None,
                "comparator": comparator if found else None,
            }
            yield [
                _cell(sheet, cells[c.key], styles.entry if c.entry else locked.get(c.key, styles.locked))
                for c in columns
            ]


def _write_lists(workbook: Workbook, sheet, scope: Scope) -> None:
    """The codes the drop-downs offer, on a hidden sheet: units in column A, indicators in D."""
    sheet.sheet_state = "hidden"
    sheet.append(["Mã đơn vị", "Tên đơn vị", None, "Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị tính"])
    count = max(len(scope.units), len(scope.members))
    for index in range(count):
        unit = scope.units[index] if index < len(scope.units) else None
        member = scope.members[index] if index < len(scope.members) else None
        sheet.append(
            [
                _cell(sheet, unit.code, StyleArray()) if unit else None,
                _cell(sheet, unit.name, StyleArray()) if unit else None,
                None,
                _cell(sheet, member.indicator.code, StyleArray()) if member else None,
                _cell(sheet, member.indicator.name_vi, StyleArray()) if member else None,
                unit_label(member.indicator.measure_unit, "vi") if member else None,
            ]
        )
    quoted = f"'{layout.LISTS_SHEET}'"
    workbook.defined_names[layout.UNIT_LIST] = DefinedName(
        layout.UNIT_LIST, attr_text=f"{quoted}!$A$2:$A${len(scope.units) + 1}"
    )
    workbook.defined_names[layout.INDICATOR_LIST] = DefinedName(
        layout.INDICATOR_LIST, attr_text=f"{quoted}!$D$2:$D${len(scope.members) + 1}"
    )


def _write_meta(sheet, scope: Scope) -> None:
    """What the upload checks: which data set and period the file is for."""
    sheet.sheet_state = "veryHidden"
    user = scope.user
    for key, value in (
        ("format", layout.TEMPLATE_MARK),
        ("version", layout.TEMPLATE_VERSION),
        ("dataset", scope.dataset.code),
        ("period", scope.period.code),
        ("level", scope.dataset.level),
        ("unit", scope.within.code if scope.within else ""),
        ("created_at", timezone.localtime().replace(tzinfo=None).isoformat(timespec="seconds")),
        ("created_by", user.get_username() if user is not None else ""),
    ):
        sheet.append([key, value])


def template_name(scope: Scope) -> str:
    """ "mau-XA_QUY-2026Q4-02140.xlsx": data set, period and, when chosen, the unit's code."""
    parts = ["mau", scope.dataset.code, scope.period.code]
    if scope.within is not None:
        parts.append(scope.within.code)
    return "-".join(parts) + ".xlsx"


def window_note(scope: Scope, today: datetime.date | None = None) -> tuple[str, datetime.date, datetime.date]:
    """The entry state of the period (open, late, closed …) and its deadline and closing day."""
    found = window(scope.dataset, scope.period)
    return found.state(today or timezone.localdate()), found.due_on, found.closes_on
