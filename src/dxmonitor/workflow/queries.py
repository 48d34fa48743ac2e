"""What the data-entry pages show: a report's cells, its completeness, its window and status,
and the overview of everything a user may enter.

A report is one unit's figures for one data set and period. For a commune-level data set
its cells are the commune's indicators; for a village-level one the unit is a commune and
its cells are every (village, indicator) pair. Everything here only reads.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dxmonitor.accounts.permissions import APPROVE, ENTER, READ, can, grants
from dxmonitor.catalog.models import Indicator, Kind
from dxmonitor.collection.datasets import CLOSED, LATE, NOT_OPEN, OPEN, REOPENED, Window, reopenings, window
from dxmonitor.collection.models import DataSet, DataSetIndicator, PeriodWindow, Value, ValueKind
from dxmonitor.collection.periods import MONTH, QUARTER, YEAR, Period, parse_period
from dxmonitor.common.display import format_ratio, unit_label
from dxmonitor.common.errors import DomainError, NotFound
from dxmonitor.common.language import current_language
from dxmonitor.common.numbers import format_number
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Level, Unit
from dxmonitor.geo.queries import filter_units, valid_during, valid_on

from .models import HELD, Report, ReportStatus

# How many periods the overview shows: the current one and the ones before it.
RECENT_PERIODS = {YEAR: 3, QUARTER: 5, MONTH: 6}

STATE_LABELS = {
    NOT_OPEN: _("not open yet"),
    OPEN: _("open for entry"),
    LATE: _("past the deadline"),
    CLOSED: _("closed for entry"),
    REOPENED: _("reopened"),
}
ACCEPTING = (OPEN, LATE, REOPENED)


# ---------------------------------------------------------------------------------------------
# Periods


def period_containing(period_type: str, day: datetime.date) -> Period:
    if period_type == YEAR:
        return parse_period(str(day.year))
    if period_type == QUARTER:
        return parse_period(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    if period_type == MONTH:
        return parse_period(f"{day.year}{day.month:02d}")
    raise ValueError(f"no periods of type {period_type!r}")


def previous_period(period: Period) -> Period:
    assert period.start is not None
    return period_containing(period.type, period.start - datetime.timedelta(days=1))


def recent_periods(period_type: str, today: datetime.date, count: int | None = None) -> list[Period]:
    """The period `today` falls in, then the ones before it, newest first."""
    count = count or RECENT_PERIODS.get(period_type, 5)
    periods = [period_containing(period_type, today)]
    while len(periods) < count:
        periods.append(previous_period(periods[-1]))
    return periods


def unit_exists_during(unit: Unit, period: Period) -> bool:
    assert period.start and period.end
    return unit.existed_during(period.start, period.end)


def period_of(dataset: DataSet, text: str) -> Period:
    """A period of the data set's type, or a 404 for anything else."""
    try:
        period = parse_period(text)
    except DomainError:
        period = None
    if period is None or period.type != dataset.period_type:
        raise NotFound(
            f"{text} is not a period of data set {dataset.code}",
            f"{text} không phải là kỳ báo cáo của {dataset.name_vi}",
            field="period",
        )
    return period


def get_dataset(code: str) -> DataSet:
    dataset = DataSet.objects.filter(code=code[:40], is_active=True).first()
    if dataset is None:
        raise NotFound(f"no data set {code}", f"Không có bộ số liệu {code}", field="dataset")
    return dataset


def check_reporting_unit(dataset: DataSet, unit: Unit, period: Period) -> None:
    """Reports of both kinds of data set belong to a commune that existed during the period."""
    if unit.level != Level.COMMUNE:
        raise NotFound(
            f"{dataset.code} is reported by communes; {unit.name} is a {unit.level}",
            f"{dataset.name_vi} do cấp xã báo cáo; {unit.name} không phải đơn vị cấp xã",
            field="unit",
        )
    if not unit_exists_during(unit, period):
        raise NotFound(
            f"{unit.name} did not exist during {period.code}",
            f"{unit.name} không tồn tại trong {period.label('vi')}",
            field="period",
        )


# ---------------------------------------------------------------------------------------------
# Cells and completeness


def members_of(dataset: DataSet) -> list[DataSetIndicator]:
    return list(
        DataSetIndicator.objects.filter(dataset=dataset)
        .select_related("indicator", "indicator__denominator_indicator")
        .order_by("position", "id")
    )


def entry_units(dataset: DataSet, unit: Unit, period: Period) -> list[Unit]:
    """The units whose figures a report holds: the commune itself, or its villages."""
    if dataset.level != Level.VILLAGE:
        return [unit]
    assert period.start and period.end
    return list(
        Unit.objects.filter(parent=unit, level=Level.VILLAGE)
        .filter(valid_during(period.start, period.end))
        .order_by("code")
    )


def values_of(units: list[Unit], indicators: list[Indicator], period: Period) -> dict[tuple[int, int], Value]:
    """Current actual values, deleted ones included (their version still counts), by (unit, indicator)."""
    rows = Value.objects.filter(
        unit_id__in=[u.pk for u in units],
        indicator_id__in=[i.pk for i in indicators],
        period=period.code,
        kind=ValueKind.ACTUAL,
    ).select_related("indicator", "updated_by")
    return {(v.unit_id, v.indicator_id): v for v in rows}


@dataclass
class Completeness:
    filled: int = 0
    total: int = 0
    required_filled: int = 0
    required: int = 0
    # Required cells without a value, as (unit, indicator).
    missing: list[tuple[Unit, Indicator]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.required_filled == self.required

    @property
    def percent(self) -> int:
        return round(100 * self.filled / self.total) if self.total else 0

    @property
    def required_percent(self) -> int:
        return round(100 * self.required_filled / self.required) if self.required else 100


def count_cells(
    units: list[Unit], members: list[DataSetIndicator], values: dict[tuple[int, int], Value]
) -> Completeness:
    result = Completeness()
    for unit in units:
        for member in members:
            value = values.get((unit.pk, member.indicator_id))
            filled = value is not None and not value.is_deleted
            result.total += 1
            result.filled += filled
            if member.required:
                result.required += 1
                result.required_filled += filled
                if not filled:
                    result.missing.append((unit, member.indicator))
    return result


def completeness(dataset: DataSet, unit: Unit, period: Period) -> Completeness:
    members = members_of(dataset)
    units = entry_units(dataset, unit, period)
    return count_cells(units, members, values_of(units, [m.indicator for m in members], period))


def is_ratio(indicator: Indicator) -> bool:
    return indicator.kind in (Kind.RATE, Kind.DENSITY)


def input_text(number: float | None) -> str:
    """A number as it goes back into an input: always the Vietnamese way ("1.234,5"), with every
    decimal it has (up to six), so that sending the form back unchanged changes nothing."""
    if number is None:
        return ""
    places = next((p for p in range(7) if round(number, p) == number), 6)
    return format_number(number, language="vi", decimals=places)


def value_text(snapshot: dict | None, measure_unit: str, language: str) -> str:
    """A version of a value (a history snapshot) in a sentence: "14", "72/120 (60%)", "(trống)"."""
    if not snapshot or snapshot.get("is_deleted") or snapshot.get("value") is None:
        return "(empty)" if language.startswith("en") else "(trống)"
    number = format_number(snapshot["value"], language=language)
    if measure_unit == "percent":
        number += "%"
    if snapshot.get("numerator") is not None and snapshot.get("denominator") is not None:
        return f"{format_ratio(snapshot['numerator'], snapshot['denominator'], language=language)} ({number})"
    return number


@dataclass
class Cell:
    """One input of a report: (unit, indicator) with what it shows and how its last save went."""

    unit: Unit
    indicator: Indicator
    required: bool
    value: Value | None
    editable: bool
    value_text: str = ""
    numerator_text: str = ""
    denominator_text: str = ""
    # "" (as loaded), "saved", "unchanged", "error", "refused"
    state: str = ""
    errors: list[str] = field(default_factory=list)
    notice: str = ""
    # The inputs in error: "v", "n", "d" (all of them when the error is about the whole cell).
    invalid: set[str] = field(default_factory=set)

    @property
    def version(self) -> int:
        return self.value.version if self.value is not None else 0

    @property
    def filled(self) -> bool:
        return self.value is not None and not self.value.is_deleted

    @property
    def key(self) -> str:
        return f"{self.unit.pk}-{self.indicator.code}"

    @property
    def dom_id(self) -> str:
        return "cell-" + self.key.replace(".", "_")

    def name(self, part: str) -> str:
        return f"{part}-{self.key}"

    @property
    def names(self) -> dict[str, str]:
        return {part: self.name(part) for part in ("v", "n", "d", "ver")}

    @property
    def ids(self) -> dict[str, str]:
        return {part: name.replace(".", "_") for part, name in self.names.items()}

    @property
    def params(self) -> str:
        """The fields of this cell, for htmx's hx-params (a cell posts only its own inputs)."""
        parts = ("v", "n", "d", "ver") if self.is_ratio else ("v", "ver")
        return ",".join(self.name(p) for p in parts)

    @property
    def is_ratio(self) -> bool:
        return is_ratio(self.indicator)

    @property
    def is_percent(self) -> bool:
        return self.indicator.is_percent

    @property
    def measure(self) -> str:
        return unit_label(self.indicator.measure_unit, "vi")

    @property
    def has_parts(self) -> bool:
        return bool(self.numerator_text.strip() and self.denominator_text.strip())


def load_cell(unit: Unit, member: DataSetIndicator, value: Value | None, *, editable: bool) -> Cell:
    cell = Cell(
        unit=unit, indicator=member.indicator, required=member.required, value=value, editable=editable
    )
    if value is not None and not value.is_deleted:
        cell.value_text = input_text(value.value)
        cell.numerator_text = input_text(value.numerator)
        cell.denominator_text = input_text(value.denominator)
    return cell


# ---------------------------------------------------------------------------------------------
# Declared rules (collection.rules, when installed)


def rule_violations(units: list[Unit], period: str) -> list:
    """The standing violations of declared rules for these units and period, errors first;
    nothing when the rules module is not installed."""
    try:
        from dxmonitor.collection import rules
    except ImportError:
        return []
    violations_for = getattr(rules, "violations_for", None)
    if violations_for is None:
        return []
    found = [v for unit in units for v in violations_for(unit=unit, period=period)]
    return sorted(found, key=lambda v: getattr(v.rule, "severity", "") != "error")


def is_error(violation) -> bool:
    return getattr(violation.rule, "severity", "") == "error"


def violation_text(violation, *, report_unit: Unit, names: dict[int, str], language: str) -> str:
    """The rule's name, after the village's name when the violation is a village's."""
    rule = violation.rule
    text = getattr(rule, "name_en" if language.startswith("en") else "name_vi", "") or str(rule)
    unit_id = getattr(violation, "unit_id", report_unit.pk)
    return f"{names.get(unit_id, '')}: {text}" if unit_id != report_unit.pk and names.get(unit_id) else text


# ---------------------------------------------------------------------------------------------
# Reports and their forms


def report_of(dataset: DataSet, unit: Unit, period: Period) -> Report | None:
    return (
        Report.objects.filter(dataset=dataset, unit=unit, period=period.code)
        .select_related("submitted_by")
        .first()
    )


@dataclass
class ReportForm:
    """Everything the form page, its cells and its JSON twin show."""

    dataset: DataSet
    unit: Unit
    period: Period
    window: Window
    state: str
    today: datetime.date
    members: list[DataSetIndicator]
    units: list[Unit]
    values: dict[tuple[int, int], Value]
    report: Report | None
    can_enter: bool
    can_approve: bool

    @property
    def submitted(self) -> bool:
        """Submitted, approved or locked: its figures no longer change."""
        return self.report is not None and self.report.is_held

    @property
    def accepting(self) -> bool:
        return self.state in ACCEPTING

    @property
    def editable(self) -> bool:
        return self.can_enter and self.accepting and not self.submitted

    @property
    def lock(self) -> str:
        """Why the form is read-only: "approved", "submitted", "closed", "not_open", "read_only", or ""."""
        if self.submitted:
            return "approved" if self.report.status == ReportStatus.LOCKED else "submitted"
        if self.state == CLOSED:
            return "closed"
        if self.state == NOT_OPEN:
            return "not_open"
        if not self.can_enter:
            return "read_only"
        return ""

    @property
    def is_grid(self) -> bool:
        return self.dataset.level == Level.VILLAGE

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def completeness(self) -> Completeness:
        return count_cells(self.units, self.members, self.values)

    def cell(self, unit: Unit, member: DataSetIndicator) -> Cell:
        value = self.values.get((unit.pk, member.indicator_id))
        return load_cell(unit, member, value, editable=self.editable)

    def rows(self) -> list[tuple[Unit, list[Cell]]]:
        return [(u, [self.cell(u, m) for m in self.members]) for u in self.units]

    @cached_property
    def violations(self) -> list[dict]:
        """Rules the figures break, as {"error": bool, "text": str}, errors first."""
        checked = [self.unit, *self.units] if self.is_grid else [self.unit]
        names = {u.pk: u.name for u in checked}
        language = current_language()
        return [
            {
                "error": is_error(v),
                "text": violation_text(v, report_unit=self.unit, names=names, language=language),
            }
            for v in rule_violations(checked, self.period.code)
        ]

    @property
    def rules_broken(self) -> bool:
        return any(v["error"] for v in self.violations)

    def member(self, indicator_code: str) -> DataSetIndicator | None:
        return next((m for m in self.members if m.indicator.code == indicator_code), None)

    def entry_unit(self, unit_id: int) -> Unit | None:
        return next((u for u in self.units if u.pk == unit_id), None)


def report_form(
    *,
    dataset: DataSet,
    unit: Unit,
    period: Period,
    user: AnyUser | None,
    today: datetime.date | None = None,
) -> ReportForm:
    check_reporting_unit(dataset, unit, period)
    today = today or timezone.localdate()
    found = window(dataset, period, unit=unit)
    members = members_of(dataset)
    units = entry_units(dataset, unit, period)
    return ReportForm(
        dataset=dataset,
        unit=unit,
        period=period,
        window=found,
        state=found.state(today),
        today=today,
        members=members,
        units=units,
        values=values_of(units, [m.indicator for m in members], period),
        report=report_of(dataset, unit, period),
        can_enter=can(user, ENTER, unit),
        can_approve=can(user, APPROVE, unit),
    )


def may_read(user: AnyUser | None, unit: Unit) -> bool:
    return can(user, READ, unit)


# ---------------------------------------------------------------------------------------------
# The overview: what a user may enter


@dataclass
class OverviewCell:
    period: Period
    state: str
    window: Window
    completeness: Completeness
    report: Report | None

    @property
    def status(self) -> str:
        return self.report.status if self.report else ReportStatus.DRAFT

    @property
    def is_late(self) -> bool:
        return bool(self.report and self.report.is_late)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass
class OverviewRow:
    unit: Unit
    cells: list[OverviewCell | None]  # None: the unit did not exist during that period


@dataclass
class DatasetOverview:
    dataset: DataSet
    periods: list[Period]
    windows: list[Window]
    states: list[str]
    count: int
    rows: list[OverviewRow]

    @property
    def columns(self) -> list[tuple[Period, Window, str, str]]:
        """(period, window, state, state label) of each column."""
        return [
            (p, w, s, str(STATE_LABELS[s]))
            for p, w, s in zip(self.periods, self.windows, self.states, strict=True)
        ]


def entry_communes(user: AnyUser | None, *, today: datetime.date, q: str = "") -> QuerySet[Unit]:
    """Communes in force today within the user's data-entry subtrees, in GSO code order."""
    communes = filter_units(level=Level.COMMUNE, as_of=today, q=q or None)
    return communes.filter(grants(user).unit_filter(ENTER)).select_related("parent")


def reporting_communes(dataset: DataSet, communes: QuerySet[Unit], *, today: datetime.date) -> QuerySet[Unit]:
    """Communes that report a data set: every commune, or those with villages for a village-level one."""
    if dataset.level != Level.VILLAGE:
        return communes
    with_villages = Unit.objects.filter(level=Level.VILLAGE).filter(valid_on(today)).values("parent_id")
    return communes.filter(pk__in=with_villages)


def dataset_overview(
    dataset: DataSet,
    units: list[Unit],
    *,
    count: int,
    today: datetime.date,
    periods: int | None = None,
) -> DatasetOverview:
    """Completeness, window and report status of each unit for the recent periods, in a few queries."""
    recent = recent_periods(dataset.period_type, today, periods)
    overrides = {
        w.period: w
        for w in PeriodWindow.objects.filter(
            dataset=dataset, period__in=[p.code for p in recent], unit__isnull=True
        )
    }
    windows = [window(dataset, p, override=overrides.get(p.code)) for p in recent]
    reopened = reopenings(dataset=dataset, periods=[p.code for p in recent])
    states = [w.state(today) for w in windows]
    members = members_of(dataset)
    indicator_ids = [m.indicator_id for m in members]
    required = {m.indicator_id for m in members if m.required}
    # The units whose values count: the communes, or their villages.
    if dataset.level == Level.VILLAGE:
        children: dict[int, list[Unit]] = {u.pk: [] for u in units}
        for village in Unit.objects.filter(parent_id__in=list(children), level=Level.VILLAGE):
            children[village.parent_id].append(village)
    else:
        children = {u.pk: [u] for u in units}
    owner = {c.pk: parent for parent, kids in children.items() for c in kids}
    filled: dict[tuple[int, str], list[int]] = {}
    rows = Value.objects.filter(
        unit_id__in=list(owner),
        indicator_id__in=indicator_ids,
        period__in=[p.code for p in recent],
        kind=ValueKind.ACTUAL,
        is_deleted=False,
    ).values_list("unit_id", "period", "indicator_id")
    for unit_id, period, indicator_id in rows:
        counts = filled.setdefault((owner[unit_id], period), [0, 0])
        counts[0] += 1
        counts[1] += indicator_id in required
    reports = {
        (r.unit_id, r.period): r
        for r in Report.objects.filter(dataset=dataset, unit__in=units, period__in=[p.code for p in recent])
    }
    result_rows = []
    for unit in units:
        cells: list[OverviewCell | None] = []
        for period, found, state in zip(recent, windows, states, strict=True):
            kids = [k for k in children[unit.pk] if unit_exists_during(k, period)]
            if not unit_exists_during(unit, period) or not kids:
                cells.append(None)
                continue
            if reopened.get(period.code):
                # Reopened for some units: this unit's own window.
                found = window(dataset, period, unit=unit, override=overrides.get(period.code),
                               reopened=reopened[period.code])  # fmt: skip
                state = found.state(today)
            done, done_required = filled.get((unit.pk, period.code), [0, 0])
            counted = Completeness(
                filled=done,
                total=len(kids) * len(members),
                required_filled=done_required,
                required=len(kids) * len(required),
            )
            cells.append(OverviewCell(period, state, found, counted, reports.get((unit.pk, period.code))))
        result_rows.append(OverviewRow(unit, cells))
    # Periods before any listed unit existed (before the 2025 communes) are left out.
    keep = [i for i in range(len(recent)) if any(row.cells[i] is not None for row in result_rows)] or [0]
    return DatasetOverview(
        dataset,
        [recent[i] for i in keep],
        [windows[i] for i in keep],
        [states[i] for i in keep],
        count,
        [OverviewRow(row.unit, [row.cells[i] for i in keep]) for row in result_rows],
    )


def active_datasets() -> list[DataSet]:
    """Commune-level data sets first, then village-level ones."""
    found = DataSet.objects.filter(is_active=True, level__in=[Level.COMMUNE, Level.VILLAGE])
    return sorted(found, key=lambda d: (d.level != Level.COMMUNE, d.code))


def submitted_reports(*, unit_ids: list[int] | None = None) -> set[tuple[int, int, str]]:
    """(data set, unit, period) of the reports whose figures may no longer change: submitted,
    approved or locked ones."""
    reports = Report.objects.filter(status__in=HELD)
    if unit_ids is not None:
        reports = reports.filter(unit_id__in=unit_ids)
    return set(reports.values_list("dataset_id", "unit_id", "period"))
