"""Data sets and their reporting calendar: when a period opens, is due, and closes.

Entry before the deadline is on time; after it, accepted but late; after the closing day,
refused unless an approver reopened the period for the unit. Every write of a value asks
`check_open` (one value) or `Calendar.refusal` (many).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils import timezone

from dxmonitor.catalog.models import Indicator
from dxmonitor.common.errors import DomainError, InvalidInput, Problem
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Unit

from .models import DataSet, DataSetIndicator, PeriodType, PeriodWindow
from .periods import Period, parse_period

NOT_OPEN, OPEN, LATE, CLOSED, REOPENED = "not_open", "open", "late", "closed", "reopened"
LOCKED = "locked"

# Who says a unit's report for a data set and period may no longer change (the workflow:
# a submitted or approved report). Each source answers {(dataset id, unit id, period)}.
LockSource = Callable[..., set[tuple[int, int, str]]]
_LOCK_SOURCES: list[LockSource] = []


def register_lock_source(source: LockSource) -> None:
    """Called once by an app that locks reports (keeps collection free of the workflow's models)."""
    if source not in _LOCK_SOURCES:
        _LOCK_SOURCES.append(source)


def locked_reports(*, unit_ids: list[int] | None = None) -> set[tuple[int, int, str]]:
    found: set[tuple[int, int, str]] = set()
    for source in _LOCK_SOURCES:
        found |= source(unit_ids=unit_ids)
    return found


@dataclass(frozen=True)
class Window:
    opens_on: datetime.date
    due_on: datetime.date
    closes_on: datetime.date
    reopened_until: datetime.date | None = None

    def state(self, today: datetime.date) -> str:
        if self.reopened_until and today <= self.reopened_until and today > self.closes_on:
            return REOPENED
        if today < self.opens_on:
            return NOT_OPEN
        if today > self.closes_on:
            return CLOSED
        if today > self.due_on:
            return LATE
        return OPEN

    def accepts(self, today: datetime.date) -> bool:
        return self.state(today) in (OPEN, LATE, REOPENED)


def rule_window(dataset: DataSet, period: Period) -> Window:
    assert period.start and period.end
    return Window(
        opens_on=period.start + datetime.timedelta(days=dataset.opens_after_days),
        due_on=period.end + datetime.timedelta(days=dataset.due_days),
        closes_on=period.end + datetime.timedelta(days=dataset.closes_days),
    )


_LOOK_UP = object()


def window(
    dataset: DataSet, period: Period, *, unit: Unit | None = None, override=_LOOK_UP, reopened=_LOOK_UP
) -> Window:
    """The dates of one period of a data set for a unit: its rule, adjusted by any change of
    dates for everyone and by a reopening for the unit or one of its ancestors.

    Pass `override` (a PeriodWindow or None) and `reopened` (from `reopenings`) when already
    known, to skip the queries.
    """
    base = rule_window(dataset, period)
    if override is _LOOK_UP:
        override = PeriodWindow.objects.filter(dataset=dataset, period=period.code, unit__isnull=True).first()
    until = override.reopened_until if override is not None else None
    if unit is not None:
        if reopened is _LOOK_UP:
            reopened = reopenings(dataset=dataset, periods=[period.code]).get(period.code, [])
        for path, day in reopened:
            if unit.path.startswith(path) and (until is None or day > until):
                until = day
    if override is None:
        return replace(base, reopened_until=until)
    return Window(
        opens_on=override.opens_on or base.opens_on,
        due_on=override.due_on or base.due_on,
        closes_on=override.closes_on or base.closes_on,
        reopened_until=until,
    )


def reopenings(*, dataset: DataSet, periods: list[str]) -> dict[str, list[tuple[str, datetime.date]]]:
    """Per period, the (unit path, last day) of each reopening for a unit."""
    found: dict[str, list[tuple[str, datetime.date]]] = {}
    rows = PeriodWindow.objects.filter(
        dataset=dataset, period__in=periods, unit__isnull=False, reopened_until__isnull=False
    ).values_list("period", "unit__path", "reopened_until")
    for period, path, until in rows:
        found.setdefault(period, []).append((path, until))
    return found


@dataclass
class Calendar:
    """Windows of every data set, loaded once, for checking many writes (imports)."""

    today: datetime.date
    members: dict[int, list[DataSet]] = field(default_factory=dict)
    overrides: dict[tuple[int, str], PeriodWindow] = field(default_factory=dict)
    reopened: dict[tuple[int, str], list[tuple[str, datetime.date]]] = field(default_factory=dict)
    locked: set[tuple[int, int, str]] = field(default_factory=set)
    _cache: dict[tuple[int, str, str], tuple[DataSet, str] | None] = field(default_factory=dict)

    @classmethod
    def load(cls, *, today: datetime.date | None = None, unit_ids: list[int] | None = None) -> "Calendar":
        """`unit_ids`, when given, limits the report locks loaded to those units' reports."""
        calendar = cls(today=today or timezone.localdate(), locked=locked_reports(unit_ids=unit_ids))
        datasets = {d.pk: d for d in DataSet.objects.filter(is_active=True)}
        for member in DataSetIndicator.objects.filter(dataset_id__in=datasets):
            calendar.members.setdefault(member.indicator_id, []).append(datasets[member.dataset_id])
        for override in PeriodWindow.objects.filter(dataset_id__in=datasets).select_related("unit"):
            if override.unit_id is None:
                calendar.overrides[(override.dataset_id, override.period)] = override
            elif override.reopened_until is not None:
                key = (override.dataset_id, override.period)
                calendar.reopened.setdefault(key, []).append((override.unit.path, override.reopened_until))
        return calendar

    def refusal(self, *, indicator_id: int, unit, period: Period) -> tuple[DataSet, str] | None:
        """The data set and its state (closed, not open yet, locked report) that forbid this
        write, if any. `unit` needs only `level` and `path`.
        """
        if not period.start:
            return None
        if self.locked and (report := self._locking_report(indicator_id, unit, period)) is not None:
            return report, LOCKED
        key = (indicator_id, unit.level, period.code)
        if key not in self._cache:
            self._cache[key] = None
            for dataset in self.members.get(indicator_id, []):
                if dataset.level != unit.level or dataset.period_type != period.type:
                    continue
                found = window(dataset, period, override=self.overrides.get((dataset.pk, period.code)))
                state = found.state(self.today)
                if state in (CLOSED, NOT_OPEN):
                    self._cache[key] = (dataset, state)
                    break
        refused = self._cache[key]
        if refused is None or refused[1] != CLOSED:
            return refused
        # Closed for everyone, but perhaps reopened for this unit.
        dataset = refused[0]
        for path, until in self.reopened.get((dataset.pk, period.code), ()):
            if unit.path.startswith(path) and self.today <= until:
                return None
        return refused

    def _locking_report(self, indicator_id: int, unit, period: Period) -> DataSet | None:
        ids = [int(part) for part in unit.path.split("/") if part]
        for dataset in self.members.get(indicator_id, []):
            if dataset.level != unit.level or dataset.period_type != period.type:
                continue
            # A village's figures belong to its commune's report.
            owner = ids[-1] if dataset.level != "village" or len(ids) < 2 else ids[-2]
            if (dataset.pk, owner, period.code) in self.locked:
                return dataset
        return None


def refusal_problem(dataset: DataSet, state: str, period: Period, row: int | None = None) -> Problem:
    if state == LOCKED:
        return Problem(
            "period",
            f"the {period.code} report for data set {dataset.code} has been submitted; its figures can only "
            "change once it is returned",
            f"Báo cáo {period.label('vi')} ({dataset.name_vi}) đã nộp; "
            "chỉ sửa được số liệu khi báo cáo được trả lại",
            row,
        )
    if state == NOT_OPEN:
        return Problem(
            "period",
            f"{period.code} of data set {dataset.code} is not open for entry yet",
            f"Kỳ {period.label('vi')} của {dataset.name_vi} chưa mở để nhập số liệu",
            row,
        )
    return Problem(
        "period",
        f"{period.code} of data set {dataset.code} is closed; an approver can reopen it",
        f"Kỳ {period.label('vi')} của {dataset.name_vi} đã khóa; cần người phê duyệt mở lại",
        row,
    )


def check_open(*, indicator: Indicator, unit: Unit, period: Period) -> None:
    """Refuse a write into a period of a data set that collects it and is closed or not open yet."""
    owners = [int(part) for part in unit.path.split("/") if part][-2:]
    refused = Calendar.load(unit_ids=owners).refusal(indicator_id=indicator.pk, unit=unit, period=period)
    if refused is not None:
        problem = refusal_problem(refused[0], refused[1], period)
        raise DomainError(problem.message_en, problem.message_vi, field="period")


def reopen_period(
    *,
    dataset: DataSet,
    period: str,
    unit: Unit,
    until: datetime.date,
    by: AnyUser,
    reason: str,
) -> PeriodWindow:
    """Let entry into a closed period resume for a unit and its subtree until `until`.

    The caller checks that `by` approves for the unit.
    """
    parsed = parse_period(period)
    if parsed.type != dataset.period_type:
        raise DomainError(
            f"{period} is not a period of {dataset.code}",
            f"{period} không phải là kỳ của {dataset.name_vi}",
            field="period",
        )
    if not reason.strip():
        raise DomainError("say why the period is reopened", "Cần ghi lý do mở lại kỳ báo cáo", field="reason")
    if until < timezone.localdate():
        raise DomainError(
            "the reopening must end today or later",
            "Ngày hết hạn mở lại phải từ hôm nay trở đi",
            field="until",
        )
    with transaction.atomic():
        found, _ = PeriodWindow.objects.select_for_update().get_or_create(
            dataset=dataset, period=parsed.code, unit=unit
        )
        found.reopened_until = until
        found.reopened_by = by
        found.reopened_at = timezone.now()
        found.reopen_reason = reason.strip()
        found.save()
    return found


def datasets_for(unit: Unit) -> list[DataSet]:
    return list(DataSet.objects.filter(is_active=True, level=unit.level))


DATASET_LEVELS = ("commune", "village")


def define_dataset(
    *,
    code: str,
    name_vi: str,
    name_en: str,
    period_type: str,
    level: str,
    indicators: list[tuple[str, bool]],
    opens_after_days: int = 0,
    due_days: int = 15,
    closes_days: int = 45,
    description: str = "",
    approval_levels: str = "province",
    requires_signed_report: bool = False,
) -> tuple[DataSet, bool]:
    """Create or update a data set so that it is exactly as given: its calendar and its
    indicators (catalogue code, required) in order. Returns the data set and whether anything
    changed; defining the same data set again changes nothing."""
    problems = []
    if period_type not in PeriodType.values:
        problems.append(
            Problem(
                "period_type", f"unknown period type {period_type!r}", f"Loại kỳ {period_type!r} không hợp lệ"
            )
        )
    if level not in DATASET_LEVELS:
        problems.append(
            Problem(
                "level",
                f"a data set is for communes or villages, not {level!r}",
                f"Cấp {level!r} không hợp lệ",
            )
        )
    if not due_days <= closes_days:
        problems.append(
            Problem(
                "closes_days",
                "a period cannot close before its deadline",
                "Ngày khóa sổ không được trước hạn nộp",
            )
        )
    levels = [part.strip() for part in approval_levels.split(",") if part.strip()]
    order = ["village", "commune", "district", "province"]
    if not levels or any(lv not in order for lv in levels):
        problems.append(
            Problem(
                "approval_levels",
                f"approval levels are province, district or commune, lowest first; not {approval_levels!r}",
                f"Cấp phê duyệt phải là tỉnh, huyện hoặc xã, từ thấp lên cao; không phải {approval_levels!r}",
            )
        )
    elif [order.index(lv) for lv in levels] != sorted({order.index(lv) for lv in levels}):
        problems.append(
            Problem(
                "approval_levels",
                "list the approval levels once each, lowest first",
                "Mỗi cấp phê duyệt ghi một lần, từ cấp thấp lên cấp cao",
            )
        )
    codes = [c for c, _ in indicators]
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    for missing in [c for c in codes if c not in found]:
        problems.append(Problem("indicators", f"no indicator {missing}", f"Không có chỉ tiêu {missing}"))
    if len(set(codes)) != len(codes):
        problems.append(Problem("indicators", "an indicator is listed twice", "Một chỉ tiêu bị lặp lại"))
    if problems:
        raise InvalidInput(problems)
    fields = {
        "name_vi": name_vi,
        "name_en": name_en,
        "period_type": period_type,
        "level": level,
        "opens_after_days": opens_after_days,
        "due_days": due_days,
        "closes_days": closes_days,
        "description": description,
        "approval_levels": ",".join(levels),
        "requires_signed_report": requires_signed_report,
        "is_active": True,
    }
    changed = False
    with transaction.atomic():
        dataset, created = DataSet.objects.select_for_update().get_or_create(code=code, defaults=fields)
        changed = created
        if not created and any(getattr(dataset, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(dataset, k, v)
            dataset.save()
            changed = True
        members = {m.indicator_id: m for m in DataSetIndicator.objects.filter(dataset=dataset)}
        wanted = set()
        for position, (indicator_code, required) in enumerate(indicators, start=1):
            indicator = found[indicator_code]
            wanted.add(indicator.pk)
            member = members.get(indicator.pk)
            if member is None:
                DataSetIndicator.objects.create(
                    dataset=dataset, indicator=indicator, position=position, required=required
                )
                changed = True
            elif member.position != position or member.required != required:
                member.position, member.required = position, required
                member.save(update_fields=["position", "required"])
                changed = True
        stale = [pk for pk in members if pk not in wanted]
        if stale:
            DataSetIndicator.objects.filter(dataset=dataset, indicator_id__in=stale).delete()
            changed = True
    return dataset, changed
